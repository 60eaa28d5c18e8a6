// Contact routes from a post's site: its home page and its contact page.
#include "sources/site_contacts.h"

#include <algorithm>

#include "ecoute/sources.h"

#include "sources/article.h"
#include "util/url.h"

namespace ecoute {
namespace {

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string SiteHomeUrl(std::string_view page_url) {
  if (!IsWebUrl(page_url)) return "";
  const size_t scheme_end = page_url.find("://");
  std::string home;
  for (const char c : page_url.substr(0, scheme_end)) home.push_back(LowerAscii(c));
  home += "://";
  std::string_view rest = page_url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return "";
  for (const char c : authority) {
    // Nothing a URL's authority cannot hold, so that the URL built is the site's and no other.
    if (static_cast<unsigned char>(c) <= 0x20 || c == '\\' || c == 0x7f) return "";
    home.push_back(LowerAscii(c));
  }
  if (home.back() == ':') home.pop_back();  // an empty port
  return home + "/";
}

bool HasWritableRoute(const std::vector<ContactRoute>& routes) {
  return std::any_of(routes.begin(), routes.end(), [](const ContactRoute& r) {
    return r.kind == "email" || r.kind == "mastodon" || r.kind == "bluesky" || r.kind == "x" ||
           r.kind == "threads" || r.kind == "instagram" || r.kind == "facebook" ||
           r.kind == "linkedin";
  });
}

std::vector<ContactRoute> FindSiteContactRoutes(std::string_view html, std::string_view url,
                                                SitePage page) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  // A contact page is all furniture around an address: the whole page counts. A home page
  // lists other people's words (excerpts, quotes) in its main column: only the frame does.
  sources_internal::ReadHtmlPostScoped(html, url,
                                       page == SitePage::kContact
                                           ? sources_internal::HtmlScope::kWholePage
                                           : sources_internal::HtmlScope::kArticle,
                                       posts, problems);
  if (posts.empty()) return {};
  std::vector<ContactRoute> routes = std::move(posts.front().contacts);
  for (ContactRoute& route : routes) route.where = "site";
  return routes;
}

std::string SiteContactPageToFetch(const std::vector<ContactRoute>& routes,
                                   std::string_view home_url) {
  if (HasWritableRoute(routes)) return "";
  const std::string host = UrlHost(home_url);
  for (const ContactRoute& route : routes) {
    if (route.kind == "contact_page" && !host.empty() && UrlHost(route.value) == host &&
        !SiteHomeUrl(route.value).empty()) {
      return route.value;
    }
  }
  return "";
}

}  // namespace ecoute
