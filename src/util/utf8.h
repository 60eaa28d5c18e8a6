// UTF-8 helpers with no domain knowledge: validation, repair, decoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ecoute {

// True when `text` is entirely valid UTF-8 (SIMD validation: runs at memory speed).
bool IsValidUtf8(std::string_view text);

// Replaces every invalid sequence in `text` with U+FFFD and returns how many were
// replaced; `first_bad_offset` receives the byte offset of the first one (in the input).
// Leaves `text` untouched and returns 0 when it is valid.
size_t RepairUtf8(std::string& text, size_t& first_bad_offset);

// Decodes the code point that starts at `text[i]`, setting `length` to its byte length.
// Invalid input yields U+FFFD with length 1. `i` must be < text.size().
char32_t DecodeUtf8(std::string_view text, size_t i, size_t& length);

// Appends the UTF-8 encoding of `cp` to `out`.
void AppendUtf8(char32_t cp, std::string& out);

// True when the first `probe` bytes look like binary data rather than text (NUL bytes or
// a high share of control characters).
bool LooksBinary(std::string_view text, size_t probe = 4096);

}  // namespace ecoute
