// Any bytes into the Bluesky reader: no crash, leak or hang, and every post it emits and
// every problem it reports pass fuzz/post_checks.h.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "ecoute/sources.h"

#include "post_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<ecoute::Problem> problems;
  size_t post_count = 0;
  ecoute::ReadBluesky(
      bytes, "fuzz.json",
      [&](const ecoute::Post& post) {
        ++post_count;
        if (!ecoute::fuzz::IsValidPost(post, "bluesky")) std::abort();
      },
      problems);
  ecoute::fuzz::CheckProblems(problems, post_count, size);
  return 0;
}
