#include "util/utf8.h"

#include <algorithm>
#include <cstring>

#include <simdjson.h>

namespace ecoute {
namespace {

constexpr char32_t kReplacementCharacter = 0xFFFD;

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Examines the sequence that starts at `p[0]` (n >= 1 bytes available) and returns how many
// bytes of it are well-formed: the whole sequence length when it is valid, else the length
// of its "maximal subpart" (Unicode 15, section 3.9, table 3-7: the longest prefix that could
// still begin a valid sequence, at least 1). `is_valid` says which of the two it is.
//
// Repairing by maximal subparts is what the Unicode standard recommends and what the WHATWG
// decoder (so every browser) does, so a post repaired here shows the same U+FFFD count as
// the page in a browser.
size_t ScanSequence(const unsigned char* p, size_t n, bool& is_valid) {
  const unsigned char lead = p[0];
  is_valid = false;
  if (lead < 0x80) {
    is_valid = true;
    return 1;
  }
  size_t length;
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_low = 0xA0;   // overlong
    if (lead == 0xED) second_high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_low = 0x90;   // overlong
    if (lead == 0xF4) second_high = 0x8F;  // above U+10FFFF
  } else {
    return 1;  // a stray continuation byte, C0, C1 or F5..FF: never valid anywhere
  }
  if (n < 2 || p[1] < second_low || p[1] > second_high) return 1;
  for (size_t k = 2; k < length; ++k) {
    if (k >= n || !IsContinuation(p[k])) return k;
  }
  is_valid = true;
  return length;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

size_t RepairUtf8(std::string& text, size_t& first_bad_offset) {
  if (IsValidUtf8(text)) return 0;
  const auto* data = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  std::string repaired;
  repaired.reserve(size + size / 8 + 8);
  size_t replaced = 0;
  size_t run_start = 0;  // start of the valid bytes not yet copied
  size_t i = 0;
  while (i < size) {
    if (data[i] < 0x80) {
      ++i;
      continue;
    }
    bool is_valid;
    const size_t length = ScanSequence(data + i, size - i, is_valid);
    if (is_valid) {
      i += length;
      continue;
    }
    if (replaced == 0) first_bad_offset = i;
    ++replaced;
    repaired.append(text, run_start, i - run_start);
    AppendUtf8(kReplacementCharacter, repaired);
    i += length;
    run_start = i;
  }
  repaired.append(text, run_start, size - run_start);
  text.swap(repaired);
  return replaced;
}

char32_t DecodeUtf8(std::string_view text, size_t i, size_t& length) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + i;
  bool is_valid;
  const size_t n = ScanSequence(p, text.size() - i, is_valid);
  if (!is_valid) {
    length = 1;
    return kReplacementCharacter;
  }
  length = n;
  switch (n) {
    case 1:
      return p[0];
    case 2:
      return (char32_t{p[0] & 0x1Fu} << 6) | (p[1] & 0x3Fu);
    case 3:
      return (char32_t{p[0] & 0x0Fu} << 12) | (char32_t{p[1] & 0x3Fu} << 6) | (p[2] & 0x3Fu);
    default:
      return (char32_t{p[0] & 0x07u} << 18) | (char32_t{p[1] & 0x3Fu} << 12) |
             (char32_t{p[2] & 0x3Fu} << 6) | (p[3] & 0x3Fu);
  }
}

void AppendUtf8(char32_t cp, std::string& out) {
  // Surrogates and values past U+10FFFF have no UTF-8 form; writing them anyway would put
  // invalid UTF-8 into text that every later stage assumes valid.
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacementCharacter;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    const char bytes[] = {static_cast<char>(0xC0 | (cp >> 6)),
                          static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(bytes, sizeof(bytes));
  } else if (cp < 0x10000) {
    const char bytes[] = {static_cast<char>(0xE0 | (cp >> 12)),
                          static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                          static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(bytes, sizeof(bytes));
  } else {
    const char bytes[] = {
        static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
        static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(bytes, sizeof(bytes));
  }
}

bool LooksBinary(std::string_view text, size_t probe) {
  const size_t n = std::min(text.size(), probe);
  if (n == 0) return false;
  if (std::memchr(text.data(), '\0', n) != nullptr) return true;
  size_t control_count = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // Tab, line feed, carriage return and form feed are ordinary in text files; the other
    // C0 controls and DEL hardly occur outside binary formats.
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F) {
      ++control_count;
    }
  }
  return control_count * 10 > n;
}

}  // namespace ecoute
