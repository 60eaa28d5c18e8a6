// Any bytes as a search query: no crash, no hang, and every accepted query's MATCH
// expression keeps the promises of search.h (quotes and parentheses balanced, valid UTF-8,
// nesting FTS5's parser can take); every refusal says where.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ecoute/search.h"

#include "util/utf8.h"

namespace {

// Fri 2026-05-15 12:00:00 UTC.
constexpr int64_t kNow = 1778846400;

// Whether `match` has balanced quotes ("" inside a string is an escaped quote) and
// parentheses outside strings, nested no deeper than `max_depth`.
bool IsBalanced(std::string_view match, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < match.size(); ++i) {
    const char c = match[i];
    if (in_string) {
      if (c == '"' && i + 1 < match.size() && match[i + 1] == '"') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '(') {
      if (++depth > max_depth) return false;
    } else if (c == ')') {
      if (--depth < 0) return false;
    }
  }
  return !in_string && depth == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const ecoute::Result<ecoute::SearchQuery> query = ecoute::ParseSearchQuery(bytes, kNow);
  if (!query) {
    const std::string message = query.error().message();
    if (query.error().code() != ecoute::StatusCode::kInvalidArgument) std::abort();
    if (!message.starts_with("column ") && message != "empty query: give words or filters") {
      std::abort();
    }
    return 0;
  }
  // Three levels of parentheses per group at most, plus three for the top: what FTS5's
  // parser was checked to accept.
  if (!IsBalanced(query->match, 3 * ecoute::kMaxSearchGroupDepth + 3)) std::abort();
  if (!ecoute::IsValidUtf8(query->match)) std::abort();
  if (query->match.empty() && !query->words.empty()) std::abort();
  if (query->since && query->until && *query->until <= *query->since) std::abort();
  if (query->case_id && *query->case_id <= 0) std::abort();
  return 0;
}
