// Any bytes into the HTML reader: no crash, leak or hang, and the post holds valid UTF-8
// with no stray whitespace at its ends.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "util/utf8.h"

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool IsTrimmed(const std::string& s) {
  return s.empty() || (!IsSpace(s.front()) && !IsSpace(s.back()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<ecoute::Post> posts;
  std::vector<ecoute::Problem> problems;
  ecoute::ReadHtmlPost(bytes, "fuzz.html", posts, problems);
  if (posts.size() > 1) std::abort();
  for (const ecoute::Post& post : posts) {
    for (const std::string* field :
         {&post.text, &post.title, &post.author.name, &post.published_at}) {
      if (!ecoute::IsValidUtf8(*field)) std::abort();
    }
    // The text may start with spaces (the indentation of a <pre>), never with a line break.
    const std::string& text = post.text;
    if (text.empty() || text.front() == '\n' || IsSpace(text.back())) std::abort();
    if (text.find("\n\n\n") != std::string::npos || text.find('\r') != std::string::npos) {
      std::abort();
    }
    if (!IsTrimmed(post.title)) std::abort();
    for (const std::string& link : post.links) {
      if (link.empty() || link[0] == '#' || !ecoute::IsValidUtf8(link)) std::abort();
    }
    if (post.contacts.size() > ecoute::kMaxContactRoutes) std::abort();
    for (const ecoute::ContactRoute& route : post.contacts) {
      if (route.value.empty() || !ecoute::IsValidUtf8(route.value)) std::abort();
    }
  }
  return 0;
}
