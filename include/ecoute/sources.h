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

enum class InputFormat { kAuto, kText, kHtml, kJsonLines };

// Parses "auto", "text", "html", "jsonl"; false for anything else.
bool ParseInputFormat(std::string_view name, InputFormat& out);

// Something a reader could not read or had to repair. `where` locates it in the input
// ("posts.jsonl:3", "note.txt:byte 120"); `message` says what and, when it can, how to fix.
struct Problem {
  std::string where;
  std::string message;
  bool is_fatal = false;  // true when the whole input was rejected (binary, empty...)
};

// Guesses the format from the name's extension (.jsonl/.ndjson/.json, .html/.htm, .txt/.md)
// and, failing that, from the first bytes.
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

// Dispatches on `format` (kAuto: DetectInputFormat) and calls `emit` for each post.
void ReadPosts(std::string_view bytes, std::string_view name, InputFormat format,
               const std::function<void(const Post&)>& emit, std::vector<Problem>& problems);

}  // namespace ecoute
