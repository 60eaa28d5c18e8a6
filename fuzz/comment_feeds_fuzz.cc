// Any bytes as a fetched page, under a URL the input chooses part of, into the search for
// where its comments can be read: no crash, leak or hang; every source found is an http(s)
// URL, each once.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "sources/comment_feeds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The first line, when short, is the page's path: Blogger, Discourse and WordPress
  // addresses are recognised from it.
  std::string url = "https://blog.example/";
  std::string_view page = bytes;
  if (const size_t eol = bytes.find('\n'); eol != std::string_view::npos && eol < 200) {
    url += bytes.substr(0, eol);
    page = bytes.substr(eol + 1);
  }
  std::set<std::string> seen;
  for (const ecoute::CommentSource& source : ecoute::FindCommentSources(page, url)) {
    std::string scheme = source.url.substr(0, 8);
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!scheme.starts_with("http://") && !scheme.starts_with("https://")) std::abort();
    if (!seen.insert(source.url).second) std::abort();
  }
  (void)ecoute::DiscourseTopicFeed(url);
  (void)ecoute::ComparableUrl(bytes);
  return 0;
}
