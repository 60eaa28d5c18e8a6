// Writing JSON text by hand, without a document tree: the one string escaper that every
// writer shares (the library's, the API's, the CLI's), so that a string is escaped the same
// way wherever it is written.
#pragma once

#include <string>
#include <string_view>

namespace ecoute {

// Appends `s` as a JSON string literal (quotes included): '"', '\\' and control
// characters escaped, everything else (UTF-8 included) copied as it is, by runs. `s` is
// not checked for valid UTF-8: give valid UTF-8 for valid JSON. Pure; thread-safe.
void AppendJsonString(std::string_view s, std::string& out);

}  // namespace ecoute
