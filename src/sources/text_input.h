// What the text and HTML readers share: both take one whole file as one post and must
// reject and repair it the same way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ecoute/sources.h"

namespace ecoute::sources_internal {

// Drops a BOM, rejects empty or binary input with a fatal problem, repairs invalid UTF-8
// with a problem. Returns false when the input was rejected.
bool DecodeTextInput(std::string_view bytes, std::string_view name, std::string& text,
                     std::vector<Problem>& problems);

}  // namespace ecoute::sources_internal
