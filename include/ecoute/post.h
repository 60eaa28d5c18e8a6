// The post: one public message (a blog article, a comment, a toot, a skeet...) as every
// reader produces it and every later stage consumes it. docs/SOURCES.md says where each
// field comes from in each source.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ecoute {

// Who wrote a post, as far as the source says.
struct Author {
  std::string name;        // display name ("Marie L."), empty if unknown
  std::string handle;      // "@marie_l", "@marie@mastodon.social", "marie.bsky.social"
  std::string url;         // profile page
  int64_t followers = -1;  // -1 when the source does not say
};

struct Post {
  // Stable id: the source's own (a feed entry's guid or id, a status id, an AT URI), else
  // the canonical URL, else one derived from the input ("file.txt", "posts.jsonl:3").
  std::string id;
  // Which reader made it: "text", "html", "jsonl", "rss", "atom", "mastodon", "bluesky".
  std::string source;
  std::string url;    // canonical URL, empty when unknown
  std::string title;  // empty when the source has none
  std::string text;   // plain UTF-8 text; paragraphs separated by "\n\n"
  std::string lang;   // language the source declares (BCP 47: "fr", "en-US"), else empty
  Author author;
  // Times in UTC, RFC 3339 with seconds ("2026-11-20T08:12:00Z"), empty when unknown or
  // unparseable (a reader that cannot parse a date says so in a Problem).
  std::string published_at;
  std::string updated_at;
  // The post this one answers: a comment's article, a reply's status. Either may be empty.
  std::string parent_id;
  std::string parent_url;
  // Outgoing links known from markup (HTML anchors, facets); links written in the text
  // itself are found by the analysis.
  std::vector<std::string> links;
  // Audience signals; -1 when the source does not say.
  int64_t comments = -1;
  int64_t shares = -1;
  int64_t likes = -1;
  // Hex digest of the raw bytes the post was read from (ContentHash), for dedupe: the
  // same entry fetched twice has the same hash; an edited one does not.
  std::string content_hash;
};

// A 64-bit digest of `bytes` as 16 lower-case hex digits (not cryptographic: for dedupe).
std::string ContentHash(std::string_view bytes);

// Appends `post` as one line of JSON (no trailing newline), every field present, -1 counts
// and empty strings included, so that the output's shape never depends on the source.
// This is the JSON-lines format ReadJsonLines reads back.
void AppendPostJson(const Post& post, std::string& out);

}  // namespace ecoute
