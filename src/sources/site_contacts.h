// Contact routes from a post's site: when a blog post's page gives no way to write to its
// writer, the site's home page (its header, sidebar and footer) and the contact page it links
// often do. The server fetches those pages (server/site_contacts.h); these pure functions say
// which pages and read their routes (docs/SOURCES.md, "Routes from the site").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"

namespace ecoute {

// The home page of the site of `page_url`: its scheme, host (lower-cased) and port, then "/"
// ("https://Blog.example:8443/2026/05/post?x#y" -> "https://blog.example:8443/"). "" for
// anything but an http(s) URL with a host, or one carrying a user name or password.
std::string SiteHomeUrl(std::string_view page_url);

// Whether `routes` hold a way to write to the writer: an e-mail address or a profile on a
// network one can message (Mastodon, Bluesky, X, Threads, Instagram, Facebook, LinkedIn).
// Pages to visit (author, contact page, website) and YouTube are not.
bool HasWritableRoute(const std::vector<ContactRoute>& routes);

// Which page of the site a lookup reads.
enum class SitePage {
  kHome,     // the home page: links outside its main column, as for a post's page
  kContact,  // the contact (or about) page: every link, its text's mailto: included
};

// The contact routes of one page of a site, read from `html` fetched at `url` (the URL after
// redirects: relative links resolve against it), each marked where = "site". By the rules of
// a post's page (sources/contacts.h, at most kMaxContactRoutes), except that on a contact page
// the links of the main text count too: there, an address is the site's own. Pages that are
// not HTML, or have no visible text, give none.
std::vector<ContactRoute> FindSiteContactRoutes(std::string_view html, std::string_view url,
                                                SitePage page);

// The contact page to read after the home page: the first contact_page of `routes` (the home
// page's, then the post's own) on the same host as `home_url`; "" when none, or when `routes`
// already hold a way to write.
std::string SiteContactPageToFetch(const std::vector<ContactRoute>& routes,
                                   std::string_view home_url);

}  // namespace ecoute
