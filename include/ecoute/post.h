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

// A way to reach a post's writer, found beside the post (docs/SOURCES.md, "Contact routes").
// `kind` is one of kContactKinds; `value` is normalized by kind: an address ("jane@blog.fr"),
// a handle ("@jane@mastodon.social" for Mastodon, "jane.bsky.social" for Bluesky, "@jane" for
// X, Instagram and Threads), else a URL (LinkedIn, Facebook, YouTube, the author's page, the
// contact page, the website).
struct ContactRoute {
  std::string kind;
  std::string value;
  // Where it was found: "" on the post's own page or feed, "site" on its site's home or
  // contact page (looked up by the server, docs/SOURCES.md "Routes from the site").
  std::string where{};
  bool operator==(const ContactRoute&) const = default;
};

// The kinds of contact routes, in the order a post lists them.
inline constexpr std::string_view kContactKinds[] = {
    "email",    "mastodon",  "bluesky", "x",           "threads",      "linkedin",
    "facebook", "instagram", "youtube", "author_page", "contact_page", "website"};
inline constexpr size_t kMaxContactRoutes = 16;       // per post
inline constexpr size_t kMaxContactValueBytes = 256;  // longer values are dropped

// Appends {kind, value} to `routes` when `kind` is one of kContactKinds, `value` is non-empty,
// at most kMaxContactValueBytes, valid UTF-8 without control characters or spaces, not already
// there (same kind and value), and `routes` has fewer than kMaxContactRoutes. True if appended.
bool AddContactRoute(std::string_view kind, std::string_view value,
                     std::vector<ContactRoute>& routes);

// Adds to `routes` each route of `more` (its `where` kept) under AddContactRoute's rules, at
// most two of a kind (one author page, one contact page), then orders them by kContactKinds,
// those already there first within a kind. True if any was added.
bool MergeContactRoutes(const std::vector<ContactRoute>& more, std::vector<ContactRoute>& routes);

// `routes` as compact JSON, [{"kind":"email","value":"jane@blog.fr"}] (with "where":"site" for
// a route found on the site), the form the store keeps them in; "" when there are none.
std::string ContactRoutesJson(const std::vector<ContactRoute>& routes);

// The routes of such JSON, under AddContactRoute's rules; anything else is skipped (a value
// that is not JSON gives none).
std::vector<ContactRoute> ParseContactRoutes(std::string_view json);

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
  // Ways to reach its writer: links of the page's header, sidebar and footer, its feed's
  // author e-mail and URI (AddContactRoute's rules; at most kMaxContactRoutes).
  std::vector<ContactRoute> contacts;
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
