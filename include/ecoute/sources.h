// Readers: turn the bytes of one input (a plain-text or HTML post, or a JSON-lines file)
// into posts.
//
// Bad web input is data, not failure: every reader returns what it recovered together
// with the problems it met, so that one bad line never drops its good neighbours.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"

namespace ecoute {

enum class InputFormat { kAuto, kText, kHtml, kJsonLines, kFeed, kMastodon, kBluesky };

// Parses "auto", "text", "html", "jsonl", "feed", "mastodon", "bluesky"; false for anything
// else.
bool ParseInputFormat(std::string_view name, InputFormat& out);

// Something a reader could not read or had to repair. `where` locates it in the input
// ("posts.jsonl:3", "note.txt:byte 120"); `message` says what and, when it can, how to fix.
struct Problem {
  std::string where;
  std::string message;
  bool is_fatal = false;  // true when the whole input was rejected (binary, empty...)
};

// Guesses the format from the first bytes and the name's extension: XML whose root is
// <rss>, <feed>, <rdf:RDF> or <channel> (or a .rss/.atom/.xml/.rdf name) is a feed; JSON
// whose first kilobytes show Mastodon statuses ("account" and "content") or Bluesky post
// views ("at://" URIs) is read as such, other JSON (.jsonl/.ndjson/.json) as JSON lines;
// HTML by its doctype, root or first tags (or .html/.htm); anything else as text.
// An empty name means stdin, where only the bytes decide.
InputFormat DetectInputFormat(std::string_view bytes, std::string_view name);

// Reads one plain-text post (Markdown allowed). Invalid UTF-8 is repaired (U+FFFD) with a
// problem giving the byte offset of the first bad sequence. Empty or binary input yields
// no post and a fatal problem. `name` becomes the post's id.
void ReadTextPost(std::string_view bytes, std::string_view name, std::vector<Post>& posts,
                  std::vector<Problem>& problems);

// Reads one HTML page as one post: the visible text (scripts, styles, templates and
// comments dropped; block elements become paragraph breaks), the <title> (or first <h1>),
// and the href of every <a> resolved against nothing (kept as written) in `links`.
void ReadHtmlPost(std::string_view bytes, std::string_view name, std::vector<Post>& posts,
                  std::vector<Problem>& problems);

// Reads JSON lines: one object per line with at least "text" (a string), and optionally
// "id", "url", "title", "author" (string, or object with "name"/"handle"), "published_at",
// "followers", "comments", "shares", "likes" (integers). A line missing "id" gets
// "<name>:<line>". Blank lines are skipped; a line that is not valid JSON, or has no
// "text", becomes a problem "<name>:<line>: ..." and the following lines are still read.
// A line with invalid UTF-8 is repaired (U+FFFD) and read, with a warning giving the byte
// offset of the first bad sequence in the input.
// Calls `emit` once per post, in order; the post is only valid during the call.
void ReadJsonLines(std::string_view bytes, std::string_view name,
                   const std::function<void(const Post&)>& emit, std::vector<Problem>& problems);

// Reads a feed — RSS 0.90/0.91/0.92/0.93/0.94/1.0/2.0, Atom 0.3/1.0 — with libxml2: each
// entry becomes a post (source "rss" or "atom"): guid/id as id, link as url, title,
// content or summary as text (HTML and escaped HTML turned into text, paragraphs kept),
// xml:lang/language as lang, author, dates to UTC, enclosure and content links, comment
// counts (slash:comments), and for comment feeds the parent (WordPress wfw:commentRss
// feeds read on their own, Atom threading thr:in-reply-to, Blogger comment feeds).
// Encodings: the declared one, else a BOM, else UTF-8, with ISO-8859-1 and Windows-1252
// recognized; relative URLs resolved against xml:base and the feed's link. An ill-formed
// feed is recovered where libxml2's recovery can, with a problem saying so; one that
// cannot be read at all yields a fatal problem.
void ReadFeed(std::string_view bytes, std::string_view name,
              const std::function<void(const Post&)>& emit, std::vector<Problem>& problems);

// Reads Mastodon statuses as the REST API returns them: one status object, an array of
// them, or a search result {"statuses": [...]}; also JSON lines of statuses. Each status
// becomes a post (source "mastodon"): HTML content to text, the account as author (display
// name, @acct, url, followers_count), in_reply_to_id as parent, replies/reblogs/favourites
// counts, language, created_at/edited_at. A reblog is read as the status it carries.
void ReadMastodon(std::string_view bytes, std::string_view name,
                  const std::function<void(const Post&)>& emit, std::vector<Problem>& problems);

// Reads Bluesky post views as the AT Protocol app.bsky API returns them: getPosts
// {"posts": [...]}, searchPosts {"posts": [...]}, author feeds {"feed": [{"post": ...,
// "reply": ...}]}, or one post view. Each becomes a post (source "bluesky"): the AT URI as
// id, a bsky.app URL, record.text, the author's displayName/handle, facets for links and
// mentions, reply.parent as parent, reply/repost/like counts, langs, createdAt.
void ReadBluesky(std::string_view bytes, std::string_view name,
                 const std::function<void(const Post&)>& emit, std::vector<Problem>& problems);

// Dispatches on `format` (kAuto: DetectInputFormat) and calls `emit` for each post.
void ReadPosts(std::string_view bytes, std::string_view name, InputFormat format,
               const std::function<void(const Post&)>& emit, std::vector<Problem>& problems);

}  // namespace ecoute
