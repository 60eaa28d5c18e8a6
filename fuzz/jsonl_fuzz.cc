// Any bytes into the JSON-lines reader (and the format dispatch): no crash, leak or hang,
// and every post it emits has a text and an id.
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
  std::vector<ecoute::Problem> problems;
  size_t post_count = 0;
  ecoute::ReadJsonLines(
      bytes, "fuzz.jsonl",
      [&](const ecoute::Post& post) {
        ++post_count;
        if (post.id.empty() || !ecoute::IsValidUtf8(post.text)) std::abort();
        if (post.contacts.size() > ecoute::kMaxContactRoutes) std::abort();
        if (post.author.followers < -1 || post.comments < -1 || post.shares < -1 ||
            post.likes < -1) {
          std::abort();
        }
      },
      problems);
  // A post or a problem per non-blank line at most, plus the summary line.
  if (post_count + problems.size() > size + 1) std::abort();
  problems.clear();
  ecoute::ReadPosts(
      bytes, "fuzz", ecoute::InputFormat::kAuto, [](const ecoute::Post&) {}, problems);
  return 0;
}
