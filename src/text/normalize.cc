#include "text/normalize.h"

#include <array>
#include <bit>
#include <cstring>
#include <mutex>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <utf8proc.h>

#include "util/utf8.h"

namespace ecoute {
namespace {

// Code points below this bound are folded through a table computed once with utf8proc;
// above it (CJK, emoji...) they are copied as they are: case folding and accents do not
// apply to them, and the table stays small.
constexpr char32_t kTableLimit = 0x2500;

// What one code point becomes. A separator becomes a single space (merged with its
// neighbours); other code points become up to 7 bytes of folded UTF-8.
struct Folding {
  uint8_t length = 0;
  bool is_space = false;
  bool is_line_break = false;
  char bytes[7] = {};
};

using FoldingTable = std::array<Folding, kTableLimit>;

bool IsSeparator(char32_t cp) {
  if (cp == '-' || cp == '\'' || cp == '_') return true;
  if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0x00B4 || cp == 0x2032) {
    return true;  // apostrophes as people type them
  }
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL ||
         category == UTF8PROC_CATEGORY_ZP || category == UTF8PROC_CATEGORY_PD ||
         category == UTF8PROC_CATEGORY_CC;
}

const FoldingTable& Table() {
  static const FoldingTable* const kTable = [] {
    auto* t = new FoldingTable();  // NOLINT: built once, lives for the process
    for (char32_t cp = 0; cp < kTableLimit; ++cp) {
      Folding& f = (*t)[cp];
      if (cp == '\n' || cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
        f.is_space = true;
        f.is_line_break = true;
        continue;
      }
      if (IsSeparator(cp)) {
        f.is_space = true;
        continue;
      }
      if (cp < 0x80) {
        f.length = 1;
        f.bytes[0] = static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        continue;
      }
      if (cp >= 0xD800 && cp < 0xE000) continue;  // surrogates never appear decoded
      utf8proc_int32_t decomposed[8];
      int last_boundclass = 0;
      const utf8proc_ssize_t n = utf8proc_decompose_char(
          static_cast<utf8proc_int32_t>(cp), decomposed, 8,
          static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK |
                                         UTF8PROC_DECOMPOSE),
          &last_boundclass);
      std::string folded;
      if (n < 0 || n > 8) {
        AppendUtf8(cp, folded);
      } else {
        for (utf8proc_ssize_t i = 0; i < n; ++i) {
          const char32_t d = static_cast<char32_t>(decomposed[i]);
          if (d < 0x80 && IsSeparator(d)) {
            folded += ' ';
          } else {
            AppendUtf8(d, folded);
          }
        }
      }
      if (folded.size() > sizeof(f.bytes)) folded.clear();
      if (folded.empty() || folded == " ") {
        // Marks alone vanish; compatibility spaces are separators.
        f.is_space = !folded.empty();
        continue;
      }
      f.length = static_cast<uint8_t>(folded.size());
      std::memcpy(f.bytes, folded.data(), folded.size());
    }
    return t;
  }();
  return *kTable;
}

// ASCII bytes copied as they are, lower-cased: not white space, not a separator, not a
// sentence terminator.
constexpr std::array<bool, 128> kPlainAscii = [] {
  std::array<bool, 128> plain{};
  for (int c = 0x21; c < 0x7F; ++c) plain[c] = true;
  for (const char c : {'-', '\'', '_', '.', '!', '?'}) plain[static_cast<unsigned char>(c)] = false;
  return plain;
}();

bool IsPlainAscii(unsigned char c) { return c < 0x80 && kPlainAscii[c]; }

// Copies the run that starts at plain byte bytes[i] (i < n): plain ASCII bytes,
// lower-cased, and spaces that have a plain byte on each side, with their offsets.
// Returns the number of bytes copied (at least one); `text` and `offsets` must have room
// for n - i of them.
size_t CopyPlainRun(const unsigned char* bytes, size_t i, size_t n, char* text, uint32_t* offsets) {
  const size_t begin = i;
#if defined(__SSE2__)
  // The previous byte copied is plain, so a space in a block needs only a plain byte after
  // it; the byte after the block counts for the block's last one.
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i excluded[] = {_mm_set1_epi8('-'), _mm_set1_epi8('\''), _mm_set1_epi8('_'),
                              _mm_set1_epi8('.'), _mm_set1_epi8('!'),  _mm_set1_epi8('?')};
  const __m128i lane = _mm_setr_epi32(0, 1, 2, 3);
  while (i + 16 <= n) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
    // Signed compares: bytes from 0x80 up are negative, so not plain.
    __m128i plain = _mm_and_si128(_mm_cmpgt_epi8(v, space), _mm_cmplt_epi8(v, _mm_set1_epi8(0x7F)));
    for (const __m128i& x : excluded) plain = _mm_andnot_si128(_mm_cmpeq_epi8(v, x), plain);
    const auto plain_bits = static_cast<uint32_t>(_mm_movemask_epi8(plain));
    const auto space_bits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, space)));
    const uint32_t next_plain = i + 16 < n && IsPlainAscii(bytes[i + 16]) ? 1u : 0u;
    const uint32_t ok = plain_bits | (space_bits & ((plain_bits >> 1) | (next_plain << 15)));
    const size_t count = ok == 0xFFFF ? 16 : static_cast<size_t>(std::countr_zero(~ok));
    const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                        _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(text),
                     _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8(32))));
    const __m128i base = _mm_add_epi32(_mm_set1_epi32(static_cast<int>(i)), lane);
    for (int k = 0; k < 4; ++k) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(offsets + size_t{4} * k),
                       _mm_add_epi32(base, _mm_set1_epi32(4 * k)));
    }
    text += count;
    offsets += count;
    i += count;
    if (count < 16) return i - begin;
  }
#endif
  // The last bytes (or every byte, without SSE2), one at a time.
  while (i < n) {
    const unsigned char b = bytes[i];
    if (IsPlainAscii(b)) {
      *text++ = static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
    } else if (b == ' ' && i > begin && i + 1 < n && IsPlainAscii(bytes[i + 1])) {
      *text++ = ' ';
    } else {
      break;
    }
    *offsets++ = static_cast<uint32_t>(i);
    ++i;
  }
  return i - begin;
}

// Above the table, only these blocks fold to something else: alphabetic presentation
// forms (ligatures) and half/full-width forms. CJK, emoji and the rest are kept as is.
bool NeedsSlowFold(char32_t cp) {
  return (cp >= 0xFB00 && cp <= 0xFB4F) || (cp >= 0xFF00 && cp <= 0xFFEF);
}

void AppendFolded(char32_t cp, std::string& out) {
  utf8proc_int32_t decomposed[8];
  int last_boundclass = 0;
  const utf8proc_ssize_t n = utf8proc_decompose_char(
      static_cast<utf8proc_int32_t>(cp), decomposed, 8,
      static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK |
                                     UTF8PROC_DECOMPOSE),
      &last_boundclass);
  if (n < 0 || n > 8) {
    AppendUtf8(cp, out);
    return;
  }
  for (utf8proc_ssize_t i = 0; i < n; ++i) AppendUtf8(static_cast<char32_t>(decomposed[i]), out);
}

}  // namespace

uint32_t NormalizedText::OriginalEnd(uint32_t end) const {
  // The character that produced text[end - 1] ends where the next original character
  // begins: the first offset greater than its own.
  if (end == 0) return offsets.empty() ? 0 : offsets[0];
  const uint32_t start = offsets[end - 1];
  for (size_t i = end; i < offsets.size(); ++i) {
    if (offsets[i] > start) return offsets[i];
  }
  return offsets.back();
}

bool IsWordCodepoint(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  }
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool IsWordBoundaryBefore(std::string_view text, size_t pos) {
  if (pos == 0) return true;
  const auto c = static_cast<unsigned char>(text[pos - 1]);
  if (c < 0x80) return !IsWordCodepoint(c);
  size_t start = pos - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80 && pos - start < 4) {
    --start;
  }
  size_t length = 0;
  return !IsWordCodepoint(DecodeUtf8(text, start, length));
}

bool IsWordBoundaryAfter(std::string_view text, size_t pos) {
  if (pos >= text.size()) return true;
  const auto c = static_cast<unsigned char>(text[pos]);
  if (c < 0x80) return !IsWordCodepoint(c);
  size_t length = 0;
  return !IsWordCodepoint(DecodeUtf8(text, pos, length));
}

// Whether the code point `cp` at input[i] ends a sentence: a terminator followed by white
// space or the end of the text; "3.5" and "example.org" do not end one.
bool EndsSentence(std::string_view input, size_t i, char32_t cp) {
  if (cp != '.' && cp != '!' && cp != '?') return false;
  if (i + 1 >= input.size()) return true;
  const char next = input[i + 1];
  return next == ' ' || next == '\n' || next == '\t' || next == '\r';
}

void Normalize(std::string_view input, NormalizedText& out) {
  const FoldingTable& table = Table();
  out.sentence_ends.clear();
  out.paragraph_ends.clear();
  // Write through raw pointers into buffers sized ahead: this loop touches every byte of
  // every post. `ensure` grows them when a folding expands ("ß" -> "ss").
  size_t capacity = input.size() + 64;
  out.text.resize(capacity);
  out.offsets.resize(capacity + 1);
  char* text = out.text.data();
  uint32_t* offsets = out.offsets.data();
  size_t length = 0;
  auto grow = [&](size_t extra) {
    capacity = 2 * capacity + extra;
    out.text.resize(capacity);
    out.offsets.resize(capacity + 1);
    text = out.text.data();
    offsets = out.offsets.data();
  };
  auto ensure = [&](size_t extra) {
    if (length + extra > capacity) [[unlikely]]
      grow(extra);
  };
  auto emit = [&](char c, uint32_t offset) {
    text[length] = c;
    offsets[length] = offset;
    ++length;
  };

  bool pending_space = false;
  int pending_line_breaks = 0;
  uint32_t space_offset = 0;
  auto flush_space = [&] {
    if (!pending_space) return;
    if (length > 0) {
      if (pending_line_breaks > 0) {
        const auto at = static_cast<uint32_t>(length);
        if (out.sentence_ends.empty() || out.sentence_ends.back() != at) {
          out.sentence_ends.push_back(at);
        }
        if (pending_line_breaks > 1) out.paragraph_ends.push_back(at);
      }
      ensure(1);
      emit(' ', space_offset);
    }
    pending_space = false;
    pending_line_breaks = 0;
  };

  const size_t n = input.size();
  const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
  size_t i = 0;
  while (i < n) {
    const auto c = bytes[i];
    if (c < 0x80 && kPlainAscii[c]) {
      // The common case: a run of plain ASCII (letters, digits, most punctuation) and
      // single spaces between words, copied lower-cased, sixteen bytes at a time. Each
      // output byte comes from one input byte, so the buffers grown here suffice.
      flush_space();
      if (length + (n - i) > capacity) grow(n - i);
      const size_t copied = CopyPlainRun(bytes, i, n, text + length, offsets + length);
      length += copied;
      i += copied;
      continue;
    }
    // One code point: ASCII is its own code point, the rest is decoded.
    size_t cp_length = 1;
    const char32_t cp = c < 0x80 ? c : DecodeUtf8(input, i, cp_length);
    const auto offset = static_cast<uint32_t>(i);
    if (cp < kTableLimit) {
      const Folding& f = table[cp];
      if (f.is_space) {
        if (!pending_space) space_offset = offset;
        pending_space = true;
        pending_line_breaks += f.is_line_break;
      } else if (f.length > 0) {
        flush_space();
        ensure(f.length);
        for (uint8_t k = 0; k < f.length; ++k) emit(f.bytes[k], offset);
        if (EndsSentence(input, i, cp)) out.sentence_ends.push_back(static_cast<uint32_t>(length));
      }
    } else if (NeedsSlowFold(cp)) {
      // Presentation forms and full-width letters ("ﬁ", "Ａ"): fold through utf8proc.
      flush_space();
      std::string folded;
      AppendFolded(cp, folded);
      ensure(folded.size());
      for (const char b : folded) emit(b, offset);
    } else {
      flush_space();
      ensure(cp_length);
      for (size_t k = 0; k < cp_length; ++k) emit(input[i + k], offset);
    }
    i += cp_length;
  }
  out.text.resize(length);
  out.offsets.resize(length + 1);
  out.offsets[length] = static_cast<uint32_t>(n);
  // Sentence ends recorded at the very end of the text are implied.
  while (!out.sentence_ends.empty() && out.sentence_ends.back() >= length) {
    out.sentence_ends.pop_back();
  }
}

std::string NormalizeTerm(std::string_view input) {
  NormalizedText normalized;
  Normalize(input, normalized);
  std::string& text = normalized.text;
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return std::move(text);
}

}  // namespace ecoute
