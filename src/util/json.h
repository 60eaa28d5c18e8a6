// Writing JSON without a document tree: the one string escaper every writer shares.
#pragma once

#include <string>
#include <string_view>

#include <simdjson.h>

namespace ecoute {

// Appends `s` as a JSON string literal (quotes included): '"', '\\' and control
// characters escaped, everything else (UTF-8 included) copied as it is, by runs.
void AppendJsonString(std::string_view s, std::string& out);

// Appends `value` with at most `decimals` decimals and no trailing zeros (0.9, 0.87,
// 88247), as JSON, CSV and SVG attributes write numbers; non-finite values as 0.
void AppendNumber(double value, int decimals, std::string& out);

// "an array", "an object", "a number", "a string", "a boolean", "null": a JSON value's
// kind as messages name it ("\"text\" is a number, not a string").
std::string_view DescribeJsonType(simdjson::dom::element_type type);

}  // namespace ecoute
