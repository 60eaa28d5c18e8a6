// The comments under a web page's article: each becomes a post of its own, whose parent is
// the article (or the comment it answers). Used by ReadHtmlPost.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <gumbo.h>

namespace ecoute::sources_internal {

struct PageComment {
  const GumboNode* item = nullptr;    // the comment's element (li.comment, div.comment...)
  const GumboNode* body = nullptr;    // where its text is (.comment-content, else the item)
  const GumboNode* author = nullptr;  // its author's name (.fn, cite, .comment-author), or null
  std::string_view date;              // as written (a <time datetime>, else a date element)
  std::string id;                     // the element's id ("comment-42"), else "comment-N"
  int parent = -1;                    // index of the comment it answers, -1 for the article
  // Under `body`, what is not the comment's text: nested replies, author and date lines,
  // reply links, avatars.
  std::unordered_set<const GumboNode*> skipped;
};

// Finds comment lists by their common markup — WordPress (li.comment#comment-N with
// .comment-author .fn, .comment-metadata time, .comment-content), Blogger
// (li.comment#cN with cite.user, .datetime, .comment-content) and other classic lists
// (an element whose class names it "comment" with an author, a date or a content part) —
// in document order, nested replies after their parent. At most kMaxPageComments.
std::vector<PageComment> FindComments(const GumboNode& document);

inline constexpr size_t kMaxPageComments = 5000;

}  // namespace ecoute::sources_internal
