// Main-article extraction for web pages: picks, by the page's structure alone, the part of
// the tree that holds the article (as opposed to navigation, sidebars, footers, share
// widgets and comments). Used by ReadHtmlPost.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <gumbo.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

namespace ecoute::sources_internal {

struct Article {
  // The nodes whose text is the article, in document order: the chosen container and the
  // siblings merged with it. Empty when the page does not look like an article.
  std::vector<const GumboNode*> parts;
  // Elements under `parts` to leave out: hidden ones, navigation, share widgets, comments,
  // lists of links, forms...
  std::unordered_set<const GumboNode*> skipped;
};

// Scores block containers by the paragraphs they hold (length, commas), discounted by link
// density and weighted by class/id names, tags and schema.org hints, then merges the best
// one's siblings that look like more of the same. Linear in the size of the tree.
Article FindArticle(const GumboNode& document);

// Length of `text` once runs of whitespace are one space, and its commas: what scores a
// paragraph.
void MeasureText(std::string_view text, uint32_t& length, uint32_t& commas);

// Whether lower-cased class and id names say "page furniture" (comments, sidebar, share,
// nav...): such elements are not scored and are left out of the article.
bool LooksLikeFurniture(std::string_view names);

// What ReadHtmlPost reads from a page.
enum class HtmlScope {
  kArticle,    // the main article when one is found, else the whole page (ReadHtmlPost)
  kWholePage,  // all the visible text (for pages that are an extract already)
};

// ReadHtmlPost with the scope chosen.
void ReadHtmlPostScoped(std::string_view bytes, std::string_view name, HtmlScope scope,
                        std::vector<Post>& posts, std::vector<Problem>& problems);

}  // namespace ecoute::sources_internal
