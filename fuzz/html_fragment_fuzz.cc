// Any bytes into the feed descriptions' fast path (src/sources/html_fragment.h): no crash,
// leak or hang, and whenever it takes the input, the HTML reader's text and links.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/html_fragment.h"
#include "util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view html(reinterpret_cast<const char*>(data), size);
  std::string text;
  std::vector<std::string> links;
  if (!ecoute::sources_internal::FragmentToText(html, text, links)) {
    if (!text.empty() || !links.empty()) std::abort();  // declining writes nothing
    return 0;
  }
  if (!ecoute::IsValidUtf8(text)) std::abort();
  std::vector<ecoute::Post> posts;
  std::vector<ecoute::Problem> problems;
  ecoute::ReadHtmlPost(html, "fuzz.html", posts, problems);
  const std::string want_text = posts.empty() ? std::string() : posts.front().text;
  const std::vector<std::string> want_links =
      posts.empty() ? std::vector<std::string>() : posts.front().links;
  if (text != want_text || links != want_links) std::abort();
  return 0;
}
