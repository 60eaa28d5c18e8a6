// Contact routes found beside a post: profile links, e-mail addresses, the author's page, the
// site's contact page and the site itself (docs/SOURCES.md, "Contact routes").
#include "sources/contacts.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <unordered_set>

#include <simdjson.h>

#include "sources/feed/html_source.h"
#include "util/json.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

// Whether `value` has the shape of its kind: a web URL for the pages and the networks known by
// URL, an address or a handle for the others, so that a route never holds "javascript:".
bool HasKindShape(std::string_view kind, std::string_view value) {
  const auto starts = [value](std::string_view prefix) {
    return value.size() > prefix.size() && value.substr(0, prefix.size()) == prefix;
  };
  if (kind == "linkedin" || kind == "facebook" || kind == "youtube" || kind == "author_page" ||
      kind == "contact_page" || kind == "website") {
    return starts("https://") || starts("http://");
  }
  if (value.find('/') != std::string_view::npos) return false;
  if (kind == "bluesky") return value.find(':') == std::string_view::npos || starts("did:");
  if (value.find(':') != std::string_view::npos) return false;
  if (kind == "email") return value.find('@') != std::string_view::npos;
  return value.front() == '@';
}

}  // namespace

bool AddContactRoute(std::string_view kind, std::string_view value,
                     std::vector<ContactRoute>& routes) {
  if (routes.size() >= kMaxContactRoutes || value.empty() || value.size() > kMaxContactValueBytes ||
      std::find(std::begin(kContactKinds), std::end(kContactKinds), kind) ==
          std::end(kContactKinds)) {
    return false;
  }
  for (const char c : value) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  if (!IsValidUtf8(value) || !HasKindShape(kind, value)) return false;
  for (const ContactRoute& route : routes) {
    if (route.kind == kind && route.value == value) return false;
  }
  routes.push_back({std::string(kind), std::string(value)});
  return true;
}

std::string ContactRoutesJson(const std::vector<ContactRoute>& routes) {
  if (routes.empty()) return "";
  std::string out = "[";
  for (const ContactRoute& route : routes) {
    if (out.size() > 1) out += ',';
    out += "{\"kind\":";
    AppendJsonString(route.kind, out);
    out += ",\"value\":";
    AppendJsonString(route.value, out);
    if (route.where == "site") out += ",\"where\":\"site\"";
    out += '}';
  }
  out += ']';
  return out;
}

bool MergeContactRoutes(const std::vector<ContactRoute>& more, std::vector<ContactRoute>& routes) {
  const auto rank = [](std::string_view kind) {
    return std::find(std::begin(kContactKinds), std::end(kContactKinds), kind) -
           std::begin(kContactKinds);
  };
  bool added = false;
  for (const ContactRoute& route : more) {
    const size_t limit = route.kind == "author_page" || route.kind == "contact_page" ? 1 : 2;
    const auto same_kind = std::count_if(
        routes.begin(), routes.end(), [&](const ContactRoute& r) { return r.kind == route.kind; });
    if (static_cast<size_t>(same_kind) >= limit ||
        !AddContactRoute(route.kind, route.value, routes)) {
      continue;
    }
    routes.back().where = route.where;
    added = true;
  }
  if (added) {
    std::stable_sort(
        routes.begin(), routes.end(),
        [&](const ContactRoute& a, const ContactRoute& b) { return rank(a.kind) < rank(b.kind); });
  }
  return added;
}

std::vector<ContactRoute> ParseContactRoutes(std::string_view json) {
  std::vector<ContactRoute> routes;
  if (json.empty()) return routes;
  simdjson::dom::parser parser;
  simdjson::dom::array items;
  if (parser.parse(simdjson::padded_string(json)).get(items) != simdjson::SUCCESS) return routes;
  for (simdjson::dom::element item : items) {
    std::string_view kind;
    std::string_view value;
    std::string_view where;
    if (item["kind"].get(kind) == simdjson::SUCCESS &&
        item["value"].get(value) == simdjson::SUCCESS && AddContactRoute(kind, value, routes) &&
        item["where"].get(where) == simdjson::SUCCESS && where == "site") {
      routes.back().where = "site";
    }
  }
  return routes;
}

namespace sources_internal {
namespace {

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (LowerAscii(s[i]) != prefix[i]) return false;
  }
  return true;
}

bool IsOneOf(std::string_view s, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= 0x20) s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= 0x20) s.remove_suffix(1);
  return s;
}

// An http(s) URL cut into the parts the rules look at.
struct WebUrl {
  std::string scheme;                      // "http" or "https"
  std::string authority;                   // the host as written, lower-cased, without user or port
  std::string host;                        // the same without a leading "www."
  std::string port;                        // ":8080" as written, "" when none
  std::string_view path;                   // "/a/b", without query and fragment
  std::string_view query;                  // after '?', without the fragment
  std::vector<std::string_view> segments;  // the path's non-empty segments
};

bool ParseWebUrl(std::string_view url, WebUrl& out) {
  url = Trim(url);
  if (StartsWithNoCase(url, "https://")) {
    out.scheme = "https";
  } else if (StartsWithNoCase(url, "http://")) {
    out.scheme = "http";
  } else {
    return false;
  }
  url.remove_prefix(out.scheme.size() + 3);
  const size_t authority_end = std::min(url.find_first_of("/?#"), url.size());
  std::string_view authority = url.substr(0, authority_end);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  out.port.clear();
  if (const size_t colon = authority.find(':'); colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    if (!port.empty() && port.find_first_not_of("0123456789") == std::string_view::npos) {
      out.port = ":" + std::string(port);
    }
    authority = authority.substr(0, colon);
  }
  if (authority.empty() || authority.find_first_of(" \t\r\n[]\\") != std::string_view::npos) {
    return false;
  }
  out.authority = Lower(authority);
  out.host = out.authority.starts_with("www.") ? out.authority.substr(4) : out.authority;
  std::string_view rest = url.substr(authority_end);
  rest = rest.substr(0, std::min(rest.find('#'), rest.size()));
  const size_t question = rest.find('?');
  out.path = rest.substr(0, std::min(question, rest.size()));
  out.query = question == std::string_view::npos ? std::string_view() : rest.substr(question + 1);
  out.segments.clear();
  std::string_view path = out.path;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    if (!segment.empty()) out.segments.push_back(segment);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return true;
}

bool HostIs(std::string_view host, std::string_view domain) {
  return host == domain || (host.size() > domain.size() && host.ends_with(domain) &&
                            host[host.size() - domain.size() - 1] == '.');
}

// Handle characters of X, Instagram, Threads and the fediverse: letters, digits, '_', '.',
// '-' (each network allows a subset; more is not guessed at).
bool IsHandle(std::string_view s, size_t max_size) {
  if (s.empty() || s.size() > max_size) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = LowerAscii(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// mailto:Jane%40Blog.FR?subject=x -> "Jane@blog.fr"; the first address when there are several.
std::optional<ContactRoute> EmailRoute(std::string_view href) {
  href = Trim(href);
  if (!StartsWithNoCase(href, "mailto:")) return std::nullopt;
  href.remove_prefix(7);
  href = href.substr(0, std::min(href.find('?'), href.size()));
  std::string address;
  for (size_t i = 0; i < href.size(); ++i) {
    if (href[i] == '%' && i + 2 < href.size() && HexValue(href[i + 1]) >= 0 &&
        HexValue(href[i + 2]) >= 0) {
      address.push_back(static_cast<char>(HexValue(href[i + 1]) * 16 + HexValue(href[i + 2])));
      i += 2;
    } else {
      address.push_back(href[i]);
    }
  }
  address = std::string(Trim(std::string_view(address).substr(0, address.find(','))));
  const size_t at = address.find('@');
  if (at == 0 || at == std::string::npos || at > 64 ||
      address.find('@', at + 1) != std::string::npos) {
    return std::nullopt;
  }
  for (size_t i = 0; i < address.size(); ++i) {
    const char c = address[i];
    if (static_cast<unsigned char>(c) <= 0x20 ||
        std::string_view("<>()[]\\,;:\"").find(c) != std::string_view::npos) {
      return std::nullopt;
    }
    if (i > at && !IsHandle(std::string_view(&c, 1), 1)) return std::nullopt;
  }
  const std::string domain = Lower(std::string_view(address).substr(at + 1));
  if (domain.find('.') == std::string::npos || domain.front() == '.' || domain.back() == '.') {
    return std::nullopt;
  }
  return ContactRoute{"email", address.substr(0, at + 1) + domain};
}

// Hosts whose "/@name" paths are not fediverse profiles.
bool IsNotFediverse(std::string_view host) {
  for (std::string_view domain :
       {"medium.com", "tiktok.com", "youtube.com", "threads.net", "threads.com", "substack.com",
        "twitter.com", "x.com", "instagram.com", "facebook.com", "linkedin.com", "bsky.app",
        "pinterest.com", "flickr.com", "github.com", "gitlab.com", "vimeo.com"}) {
    if (HostIs(host, domain)) return true;
  }
  return false;
}

std::optional<ContactRoute> NetworkRoute(const WebUrl& u) {
  const std::vector<std::string_view>& s = u.segments;
  if (s.empty()) return std::nullopt;
  if (HostIs(u.host, "twitter.com") || HostIs(u.host, "x.com")) {
    if (s.size() != 1 || !IsHandle(s[0], 15) ||
        s[0].find_first_of(".-") != std::string_view::npos ||
        IsOneOf(Lower(s[0]), {"intent", "share", "home", "i", "search", "hashtag", "explore",
                              "login", "signup", "settings", "messages", "notifications", "tos",
                              "privacy", "compose", "download"})) {
      return std::nullopt;
    }
    return ContactRoute{"x", "@" + Lower(s[0])};
  }
  if (HostIs(u.host, "threads.net") || HostIs(u.host, "threads.com")) {
    if (s.size() != 1 || s[0].size() < 2 || s[0][0] != '@' || !IsHandle(s[0].substr(1), 30)) {
      return std::nullopt;
    }
    return ContactRoute{"threads", Lower(s[0])};
  }
  if (HostIs(u.host, "instagram.com")) {
    if (s.size() != 1 || !IsHandle(s[0], 30) ||
        IsOneOf(Lower(s[0]), {"p", "reel", "reels", "explore", "accounts", "stories", "tv", "about",
                              "developer", "legal", "direct"})) {
      return std::nullopt;
    }
    return ContactRoute{"instagram", "@" + Lower(s[0])};
  }
  if (HostIs(u.host, "bsky.app")) {
    if (s.size() != 2 || s[0] != "profile") return std::nullopt;
    const std::string handle = Lower(s[1]);
    const bool is_did =
        handle.starts_with("did:") && handle.size() > 8 &&
        handle.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789:._-") == std::string::npos;
    if (!is_did && (handle.find('.') == std::string::npos || !IsHandle(handle, 253))) {
      return std::nullopt;
    }
    return ContactRoute{"bluesky", handle};
  }
  if (HostIs(u.host, "linkedin.com")) {
    if (s.size() < 2 || !IsOneOf(s[0], {"in", "company", "school"})) return std::nullopt;
    return ContactRoute{"linkedin",
                        "https://www.linkedin.com/" + std::string(s[0]) + "/" + std::string(s[1])};
  }
  if (HostIs(u.host, "facebook.com") || HostIs(u.host, "fb.com")) {
    if (s.size() != 1) return std::nullopt;
    if (s[0] == "profile.php") {
      if (!u.query.starts_with("id=")) return std::nullopt;
      const std::string_view id = u.query.substr(3, u.query.find('&') - 3);
      if (id.empty() || id.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
      }
      return ContactRoute{"facebook", "https://www.facebook.com/profile.php?id=" + std::string(id)};
    }
    if (!IsHandle(s[0], 80) ||
        IsOneOf(Lower(s[0]),
                {"sharer",    "sharer.php",  "share",     "share.php", "dialog",    "plugins",
                 "tr",        "login",       "login.php", "groups",    "events",    "watch",
                 "help",      "policies",    "privacy",   "hashtag",   "photo.php", "permalink.php",
                 "story.php", "marketplace", "gaming",    "pages"})) {
      return std::nullopt;
    }
    return ContactRoute{"facebook", "https://www.facebook.com/" + std::string(s[0])};
  }
  if (HostIs(u.host, "youtube.com")) {
    if (s[0].size() > 1 && s[0][0] == '@' && IsHandle(s[0].substr(1), 100)) {
      return ContactRoute{"youtube", "https://www.youtube.com/" + std::string(s[0])};
    }
    if (s.size() >= 2 && IsOneOf(s[0], {"channel", "c", "user"}) && IsHandle(s[1], 100)) {
      return ContactRoute{"youtube",
                          "https://www.youtube.com/" + std::string(s[0]) + "/" + std::string(s[1])};
    }
    return std::nullopt;
  }
  // Mastodon and the fediverse: https://host/@user, or a remote profile seen from another
  // instance, https://host/@user@home.
  if (s.size() != 1 || s[0].size() < 2 || s[0][0] != '@' || IsNotFediverse(u.host)) {
    return std::nullopt;
  }
  const std::string_view user = s[0].substr(1);
  const size_t at = user.find('@');
  if (at == std::string_view::npos) {
    if (!IsHandle(user, 64)) return std::nullopt;
    return ContactRoute{"mastodon", "@" + Lower(user) + "@" + u.host};
  }
  if (!IsHandle(user.substr(0, at), 64) || !IsHandle(user.substr(at + 1), 253) ||
      user.find('.', at) == std::string_view::npos) {
    return std::nullopt;
  }
  return ContactRoute{"mastodon", "@" + Lower(user)};
}

bool HasRelToken(std::string_view rel, std::string_view token) {
  while (!rel.empty()) {
    while (!rel.empty() && static_cast<unsigned char>(rel.front()) <= 0x20) rel.remove_prefix(1);
    size_t end = 0;
    while (end < rel.size() && static_cast<unsigned char>(rel[end]) > 0x20) ++end;
    if (end == token.size() && StartsWithNoCase(rel.substr(0, end), token)) return true;
    rel.remove_prefix(end);
  }
  return false;
}

// A path segment without its extension: "contact.html" -> "contact".
std::string SegmentStem(std::string_view segment) {
  std::string stem = Lower(segment);
  if (const size_t dot = stem.rfind('.'); dot != std::string::npos && dot > 0) stem.resize(dot);
  return stem;
}

// "À propos", "Écrivez-moi": the anchor's text lower-cased, ASCII and the capitals French
// starts words with.
std::string LowerText(std::string_view text) {
  std::string out = Lower(Trim(text));
  for (const auto& [upper, lower] :
       {std::pair<std::string_view, std::string_view>{"\xC3\x80", "\xC3\xA0"},
        {"\xC3\x89", "\xC3\xA9"}}) {
    for (size_t at = out.find(upper); at != std::string::npos; at = out.find(upper, at)) {
      out.replace(at, upper.size(), lower);
    }
  }
  while (!out.empty() && (out.back() == ':' || out.back() == '?' || out.back() == ' '))
    out.pop_back();
  return out;
}

bool IsContactLink(const WebUrl& u, std::string_view text) {
  for (std::string_view segment : u.segments) {
    const std::string stem = SegmentStem(segment);
    if (stem.find("contact") != std::string::npos || stem == "kontakt" || stem == "ecrivez-moi") {
      return true;
    }
  }
  const std::string words = LowerText(text);
  return words.size() < 40 && (words.find("contact") != std::string::npos || words == "kontakt" ||
                               words ==
                                   "\xC3\xA9"
                                   "crivez-moi" ||
                               words == "ecrivez-moi" || words == "write to me");
}

bool IsAboutLink(const WebUrl& u, std::string_view text) {
  if (u.segments.size() == 1 &&
      IsOneOf(SegmentStem(u.segments[0]), {"about", "about-me", "about-us", "a-propos", "apropos",
                                           "qui-suis-je", "qui-sommes-nous"})) {
    return true;
  }
  return IsOneOf(LowerText(text), {"about", "about me", "about us", "\xC3\xA0 propos", "a propos",
                                   "qui suis-je", "qui sommes-nous"});
}

bool HasAuthorPath(std::string_view path) {
  const std::string lower = Lower(path);
  for (std::string_view part :
       {"/author/", "/authors/", "/auteur/", "/auteurs/", "/profile/", "/people/", "/bio/"}) {
    if (lower.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string WithoutFragment(std::string_view url) {
  url = Trim(url);
  return std::string(url.substr(0, std::min(url.find('#'), url.size())));
}

// How many routes of a kind a page gives at most.
size_t KindLimit(std::string_view kind) {
  return kind == "author_page" || kind == "contact_page" ? 1 : 2;
}

size_t KindRank(std::string_view kind) {
  return static_cast<size_t>(std::find(std::begin(kContactKinds), std::end(kContactKinds), kind) -
                             std::begin(kContactKinds));
}

}  // namespace

std::optional<ContactRoute> ProfileRoute(std::string_view url) {
  if (StartsWithNoCase(Trim(url), "mailto:")) return EmailRoute(url);
  WebUrl u;
  if (!ParseWebUrl(url, u)) return std::nullopt;
  return NetworkRoute(u);
}

std::vector<ContactRoute> FindContactRoutes(const std::vector<ContactLink>& links,
                                            std::string_view page_url) {
  std::vector<ContactRoute> routes;
  auto add = [&routes](std::string_view kind, std::string_view value) {
    const auto same_kind = std::count_if(routes.begin(), routes.end(),
                                         [kind](const ContactRoute& r) { return r.kind == kind; });
    if (static_cast<size_t>(same_kind) < KindLimit(kind)) AddContactRoute(kind, value, routes);
  };
  WebUrl page;
  const bool has_page = ParseWebUrl(page_url, page);
  const ContactLink* author = nullptr;
  const ContactLink* contact = nullptr;
  const ContactLink* about = nullptr;
  WebUrl u;
  for (const ContactLink& link : links) {
    const bool is_me = HasRelToken(link.rel, "me");
    if (std::optional<ContactRoute> route = ProfileRoute(link.href)) {
      if (!link.in_article || is_me) add(route->kind, route->value);
      continue;
    }
    if (!ParseWebUrl(link.href, u)) continue;  // relative to an unknown page, or not the web
    if (is_me) {
      add("website", WithoutFragment(link.href));
      continue;
    }
    const bool same_site = has_page && u.host == page.host;
    if (HasRelToken(link.rel, "author") || (same_site && HasAuthorPath(u.path))) {
      if (author == nullptr || (link.in_article && !author->in_article)) author = &link;
      continue;
    }
    if (!same_site || u.segments.empty()) continue;
    if (contact == nullptr && IsContactLink(u, link.text)) {
      contact = &link;
    } else if (about == nullptr && IsAboutLink(u, link.text)) {
      about = &link;
    }
  }
  if (author != nullptr) add("author_page", WithoutFragment(author->href));
  if (contact == nullptr) contact = about;
  if (contact != nullptr) add("contact_page", WithoutFragment(contact->href));
  if (has_page) add("website", page.scheme + "://" + page.authority + page.port + "/");
  std::stable_sort(routes.begin(), routes.end(), [](const ContactRoute& a, const ContactRoute& b) {
    return KindRank(a.kind) < KindRank(b.kind);
  });
  return routes;
}

namespace {

const char* AttributeOf(const GumboElement& element, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&element.attributes, name);
  return attribute == nullptr ? nullptr : attribute->value;
}

// The first text under `node`, spaces collapsed, about 64 bytes at most.
std::string ShortText(const GumboNode& node) {
  std::string text;
  std::vector<const GumboNode*> pending{&node};
  for (int visited = 0; !pending.empty() && visited < 64 && text.size() < 64; ++visited) {
    const GumboNode* at = pending.back();
    pending.pop_back();
    if (at->type == GUMBO_NODE_TEXT || at->type == GUMBO_NODE_WHITESPACE) {
      for (const char c : std::string_view(at->v.text.text)) {
        if (static_cast<unsigned char>(c) > 0x20) {
          text.push_back(c);
        } else if (!text.empty() && text.back() != ' ') {
          text.push_back(' ');
        }
      }
      continue;
    }
    if (at->type != GUMBO_NODE_ELEMENT) continue;
    const GumboVector& children = at->v.element.children;
    for (unsigned int i = children.length; i > 0; --i) {
      pending.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
    }
  }
  return std::string(Trim(text));
}

std::string Resolved(std::string_view href, std::string_view page_url) {
  return page_url.empty() ? std::string(Trim(href)) : feeds::ResolveUrl(href, page_url);
}

}  // namespace

std::vector<ContactLink> ContactLinksOf(const std::vector<const GumboNode*>& anchors,
                                        const std::vector<const GumboNode*>& article_parts,
                                        const std::unordered_set<const GumboNode*>& article_skipped,
                                        std::string_view page_url) {
  const std::unordered_set<const GumboNode*> parts(article_parts.begin(), article_parts.end());
  std::vector<ContactLink> links;
  for (size_t i = 0; i < anchors.size() && i < 4096; ++i) {
    const GumboNode& node = *anchors[i];
    const GumboElement& element = node.v.element;
    const char* href = AttributeOf(element, "href");
    if (href == nullptr) continue;
    ContactLink link;
    const char* rel = AttributeOf(element, "rel");
    link.rel = rel == nullptr ? "" : rel;
    if (element.tag == GUMBO_TAG_LINK && !HasRelToken(link.rel, "me") &&
        !HasRelToken(link.rel, "author")) {
      continue;
    }
    link.href = Resolved(href, page_url);
    if (element.tag == GUMBO_TAG_A) link.text = ShortText(node);
    int depth = 0;
    for (const GumboNode* up = &node; up != nullptr && depth < 1024; up = up->parent, ++depth) {
      if (article_skipped.contains(up)) break;
      if (parts.contains(up)) {
        link.in_article = true;
        break;
      }
    }
    links.push_back(std::move(link));
  }
  return links;
}

std::string LinkUnder(const GumboNode& node, std::string_view page_url) {
  std::vector<const GumboNode*> pending{&node};
  for (int visited = 0; !pending.empty() && visited < 64; ++visited) {
    const GumboNode* at = pending.back();
    pending.pop_back();
    if (at->type != GUMBO_NODE_ELEMENT) continue;
    const GumboElement& element = at->v.element;
    if (element.tag == GUMBO_TAG_A) {
      const char* href = AttributeOf(element, "href");
      WebUrl u;
      if (href != nullptr) {
        std::string url = Resolved(href, page_url);
        if (ParseWebUrl(url, u)) return WithoutFragment(url);
      }
    }
    for (unsigned int i = element.children.length; i > 0; --i) {
      pending.push_back(static_cast<const GumboNode*>(element.children.data[i - 1]));
    }
  }
  return "";
}

void AppendAuthorRoutes(std::string_view email, std::string_view uri,
                        std::vector<ContactRoute>& routes) {
  if (!Trim(email).empty()) {
    if (std::optional<ContactRoute> route = EmailRoute("mailto:" + std::string(Trim(email)))) {
      AddContactRoute(route->kind, route->value, routes);
    }
  }
  if (std::optional<ContactRoute> route = ProfileRoute(uri)) {
    AddContactRoute(route->kind, route->value, routes);
  } else if (WebUrl u; ParseWebUrl(uri, u)) {
    AddContactRoute("website", WithoutFragment(uri), routes);
  }
}

}  // namespace sources_internal
}  // namespace ecoute
