// Writing JSON without a document tree: the one string escaper every writer shares
// (declared in the public ecoute/json_string.h), numbers, and the checks on JSON read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "ecoute/json_string.h"
#include "ecoute/status.h"

namespace ecoute {

// Appends `value` with at most `decimals` decimals and no trailing zeros (0.9, 0.87,
// 88247), as JSON, CSV and SVG attributes write numbers; non-finite values as 0.
void AppendNumber(double value, int decimals, std::string& out);

// "an array", "an object", "a number", "a string", "a boolean", "null": a JSON value's
// kind as messages name it ("\"text\" is a number, not a string").
std::string_view DescribeJsonType(simdjson::dom::element_type type);

// The deepest nesting of arrays and objects any JSON the service reads may have. Real
// documents (API bodies, Mastodon statuses, Bluesky post views) stay under 20.
inline constexpr int kMaxJsonDepth = 64;

// What a byte scan tells of a JSON text without parsing it: how deep it nests and how many
// values it holds at the top level. Strings (with their escapes) are skipped; nothing else
// is validated. Linear, without recursion or allocation: safe on any input.
struct JsonShape {
  int max_depth = 0;             // 0 for a scalar, 1 for {"a":1}, 2 for [[1]]
  size_t too_deep_at = 0;        // the byte offset where nesting first went past the limit
  bool too_deep = false;         // stops scanning there
  int top_level_containers = 0;  // objects and arrays opened at depth 0
  bool top_level_other = false;  // anything but white space besides them at depth 0
};
JsonShape ScanJson(std::string_view text, int max_depth = kMaxJsonDepth);

// OK unless `text` nests deeper than `max_depth`; then kInvalidArgument saying where, for
// a client ("the JSON nests deeper than 64 levels at byte 129: ...").
Status CheckJsonDepth(std::string_view text, int max_depth = kMaxJsonDepth);

// A short description of a client's value for an error message: its kind, and its text
// up to `max_bytes` (cut on a character boundary, with "…"), never the whole of it.
std::string ShortQuote(std::string_view text, size_t max_bytes = 40);

}  // namespace ecoute
