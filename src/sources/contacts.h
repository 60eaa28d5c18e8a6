// Contact routes: the ways to reach a post's writer that a page or a feed gives beside the
// post (docs/SOURCES.md, "Contact routes"). Used by the HTML and feed readers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <gumbo.h>

#include "ecoute/post.h"

namespace ecoute::sources_internal {

// One link of a page that may lead to its writer.
struct ContactLink {
  std::string href;         // resolved against the page's URL when it has one
  std::string_view rel;     // the rel attribute as written, "" when none
  std::string text;         // the anchor's text, on one line, at most ~64 bytes
  bool in_article = false;  // inside the article's text (not its header, sidebar, footer)
};

// A URL (or mailto: link) as a route to a known network's profile or an e-mail address:
// mailto:jane@blog.fr -> email "jane@blog.fr"; https://mastodon.social/@jane -> mastodon
// "@jane@mastodon.social"; https://bsky.app/profile/jane.bsky.social -> bluesky; X, Threads,
// Instagram handles; LinkedIn, Facebook, YouTube profile URLs. nullopt for anything else,
// share buttons and links to single posts included.
std::optional<ContactRoute> ProfileRoute(std::string_view url);

// The routes of a page read from `page_url` ("" when not read from the web), in the order of
// kContactKinds: profile links and e-mail addresses outside the article (inside it too when
// rel="me"), other rel="me" links as websites, the author's page (rel="author" or an author
// path on the site: the first inside the article, else the first on the page), the site's
// contact page (by path or anchor text; an "about" page only when there is no contact page),
// then the site itself. At most two per network kind, one author page and contact page.
std::vector<ContactRoute> FindContactRoutes(const std::vector<ContactLink>& links,
                                            std::string_view page_url);

// The page's <a href> and <link href> elements in `anchors` as ContactLinks, `in_article`
// when under one of `article_parts` but not under an element of `article_skipped` (a sidebar
// inside the article's container). Reads at most the first 4,096.
std::vector<ContactLink> ContactLinksOf(const std::vector<const GumboNode*>& anchors,
                                        const std::vector<const GumboNode*>& article_parts,
                                        const std::unordered_set<const GumboNode*>& article_skipped,
                                        std::string_view page_url);

// The web URL an element (a comment's author line) links to, itself or a descendant; "" when
// none. Relative links are resolved against `page_url`.
std::string LinkUnder(const GumboNode& node, std::string_view page_url);

// A feed entry's author as routes: its e-mail address and its URI (a profile, else a website).
void AppendAuthorRoutes(std::string_view email, std::string_view uri,
                        std::vector<ContactRoute>& routes);

}  // namespace ecoute::sources_internal
