// The post: one public message (a blog article, a comment, a tweet...) as every reader
// produces it and every later stage consumes it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ecoute {

struct Post {
  std::string id;            // the source's id, else the file name, else "line N"
  std::string text;          // plain UTF-8 text; paragraphs separated by "\n\n"
  std::string url;           // canonical URL, empty when unknown
  std::string title;         // empty when the source has none
  std::string author;        // name or handle as the source gives it
  std::string published_at;  // as the source gives it (RFC 3339 preferred), empty if unknown
  // Outgoing links known from markup (HTML anchors); links written in the text itself are
  // found by the analysis.
  std::vector<std::string> links;
  // Audience signals; -1 when the source does not say.
  int64_t followers = -1;
  int64_t comments = -1;
  int64_t shares = -1;
  int64_t likes = -1;
};

}  // namespace ecoute
