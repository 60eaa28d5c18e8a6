// Any bytes into the feed reader: no crash, leak or hang, and every post it emits has an
// id, a known source and valid UTF-8 in every text field, with dates in RFC 3339 or empty.
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

// "YYYY-MM-DDTHH:MM:SSZ" or empty.
bool IsRfc3339OrEmpty(const std::string& s) {
  if (s.empty()) return true;
  return s.size() == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
         s[16] == ':' && s[19] == 'Z';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<ecoute::Problem> problems;
  ecoute::ReadFeed(
      bytes, "fuzz.xml",
      [&](const ecoute::Post& post) {
        if (post.id.empty() || (post.source != "rss" && post.source != "atom")) std::abort();
        for (const std::string* field :
             {&post.id, &post.url, &post.title, &post.text, &post.lang, &post.author.name,
              &post.author.url, &post.parent_id, &post.parent_url}) {
          if (!ecoute::IsValidUtf8(*field)) std::abort();
        }
        for (const std::string& link : post.links) {
          if (link.empty() || !ecoute::IsValidUtf8(link)) std::abort();
        }
        if (!IsRfc3339OrEmpty(post.published_at) || !IsRfc3339OrEmpty(post.updated_at)) {
          std::abort();
        }
        if (post.comments < -1 || post.content_hash.size() != 16) std::abort();
      },
      problems);
  for (const ecoute::Problem& problem : problems) {
    if (problem.where.empty() || problem.message.empty()) std::abort();
    if (!ecoute::IsValidUtf8(problem.message)) std::abort();
  }
  return 0;
}
