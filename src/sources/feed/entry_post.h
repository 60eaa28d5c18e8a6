// Entries of the feed model mapped to posts: title and text as plain text, dates, authors,
// links, the article a comment answers, the content hash. Internal to the feed reader.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/feed/feed_reader.h"

namespace ecoute::feeds {

// An entry mapped to a post, before the feed-level fields it may need (the feed's language
// and link) are known: a streamed feed may give them after its entries.
struct PendingPost {
  Post post;
  bool wants_feed_lang = false;
  bool wants_feed_parent = false;
};

// Maps one entry of the model (and its XML, for the content hash) to a post of `source`;
// false (with a problem) when it is skipped. Its problems, placed at `where`, go to
// `problems` in the order the document path always gave them.
bool MapEntry(const FeedValue& entry, std::string_view entry_xml, const std::string& source,
              const std::string& where, std::vector<Problem>& problems, PendingPost& pending);

// The feed-level fields of a post, once the whole feed is read; then the post's text fields
// are made valid UTF-8.
void FinishPost(const FeedValue& feed, PendingPost& pending);

// "atom" or "rss": the source of the posts of a feed of `version`.
std::string SourceOf(std::string_view version);

// libxml2's recovery can keep bytes that are not UTF-8 in what it salvages: whatever leaves
// the reader (post fields, quotes in messages) is made valid with this.
void RepairField(std::string& text);

}  // namespace ecoute::feeds
