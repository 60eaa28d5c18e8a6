// Writing JSON without a document tree: the one string escaper every writer shares.
#pragma once

#include <string>
#include <string_view>

namespace ecoute {

// Appends `s` as a JSON string literal (quotes included): '"', '\\' and control
// characters escaped, everything else (UTF-8 included) copied as it is, by runs.
void AppendJsonString(std::string_view s, std::string& out);

}  // namespace ecoute
