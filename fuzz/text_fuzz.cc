// Any bytes into the plain-text reader: no crash, leak or hang, and what comes out is valid
// UTF-8 with the paragraph form post.h promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<ecoute::Post> posts;
  std::vector<ecoute::Problem> problems;
  ecoute::ReadTextPost(bytes, "fuzz.txt", posts, problems);
  // Exactly one outcome: a post, or a fatal problem.
  if (posts.size() + (!problems.empty() && problems.back().is_fatal ? 1 : 0) != 1) std::abort();
  for (const ecoute::Post& post : posts) {
    if (post.text.empty() || !ecoute::IsValidUtf8(post.text)) std::abort();
    if (post.text.find('\r') != std::string_view::npos) std::abort();
    if (post.text.find("\n\n\n") != std::string_view::npos) std::abort();
  }
  ecoute::DetectInputFormat(bytes, "fuzz");
  return 0;
}
