// Language identification: the cheap evidence of function words first, CLD2 only where
// that evidence is not conclusive, on a bounded sample.
#pragma once

#include <string_view>
#include <vector>

#include "ecoute/analysis.h"

namespace ecoute {

// At most this many bytes of a post go to CLD2 (it runs at ~25 MB/s).
constexpr size_t kCld2SampleBytes = 4096;

// Detects the languages of valid UTF-8 `text` with CLD2, on its first kCld2SampleBytes
// bytes. Returns the dominant language ("und" when unknown) and fills `shares` (cleared
// first) with up to three languages and their shares of the text. Codes are static
// strings. Thread-safe.
std::string_view DetectLanguageWithCld2(std::string_view text, std::vector<LanguageShare>& shares);

}  // namespace ecoute
