#include "text/normalize.h"

#include <array>
#include <bit>
#include <cstring>
#include <mutex>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <utf8proc.h>

#include "text/fold.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

// What one code point becomes. Code points below kFoldTableLimit are folded through a table
// computed once with utf8proc; above it (CJK, emoji...) they are copied as they are, but
// for a few blocks (NeedsSlowFold): case folding and accents do not apply to them, and the
// table stays small. A separator becomes a single space (merged with its neighbours); other
// code points become up to 7 bytes of folded UTF-8. text/fold.h tells how this folding
// differs from the search index's.
struct Folding {
  uint8_t length = 0;
  bool is_space = false;
  bool is_line_break = false;
  char bytes[7] = {};
};

// A code point whose accent-free form has more code points than this is kept as it is.
constexpr int kMaxFoldedCodePoints = 8;

using FoldingTable = std::array<Folding, kFoldTableLimit>;

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
    for (char32_t cp = 0; cp < kFoldTableLimit; ++cp) {
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
      int32_t decomposed[kMaxAccentFreeLength];
      const int n = DecomposeAccentFree(cp, decomposed);
      std::string folded;
      if (n < 0 || n > kMaxFoldedCodePoints) {
        AppendUtf8(cp, folded);
      } else {
        for (int i = 0; i < n; ++i) {
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
    for (size_t k = 0; k < 4; ++k) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(offsets + 4 * k),
                       _mm_add_epi32(base, _mm_set1_epi32(static_cast<int>(4 * k))));
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
  int32_t decomposed[kMaxAccentFreeLength];
  const int n = DecomposeAccentFree(cp, decomposed);
  if (n < 0 || n > kMaxFoldedCodePoints) {
    AppendUtf8(cp, out);
    return;
  }
  for (int i = 0; i < n; ++i) AppendUtf8(static_cast<char32_t>(decomposed[i]), out);
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
  return IsWordCategory(CategoryOf(cp), /*with_enclosing_marks=*/false);
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

namespace {

// The normalized text being written, through raw pointers into buffers sized ahead: the
// loop of Normalize() touches every byte of every post. White space is held back and
// written as one space before the next character; line breaks among it end a sentence,
// two or more a paragraph.
class NormalizedWriter {
 public:
  NormalizedWriter(size_t input_size, NormalizedText& out) : out_(out), capacity_(input_size + 64) {
    out_.sentence_ends.clear();
    out_.paragraph_ends.clear();
    out_.text.resize(capacity_);
    out_.offsets.resize(capacity_ + 1);
    text_ = out_.text.data();
    offsets_ = out_.offsets.data();
  }

  // Copies the run of plain ASCII that starts at bytes[i] (see CopyPlainRun); returns the
  // number of bytes copied. Each output byte comes from one input byte, so growing the
  // buffers by what is left of the input suffices.
  size_t CopyPlain(const unsigned char* bytes, size_t i, size_t n) {
    FlushSpace();
    if (length_ + (n - i) > capacity_) Grow(n - i);
    const size_t copied = CopyPlainRun(bytes, i, n, text_ + length_, offsets_ + length_);
    length_ += copied;
    return copied;
  }

  // White space at `offset`: merged with the white space around it.
  void AddSpace(uint32_t offset, bool is_line_break) {
    if (!pending_space_) space_offset_ = offset;
    pending_space_ = true;
    pending_line_breaks_ += is_line_break;
  }

  // The `length` bytes of `bytes`, all from the character at `offset`.
  void Add(const char* bytes, size_t length, uint32_t offset) {
    FlushSpace();
    Ensure(length);
    for (size_t k = 0; k < length; ++k) Emit(bytes[k], offset);
  }

  // A sentence ends after the last byte written.
  void EndSentence() { out_.sentence_ends.push_back(static_cast<uint32_t>(length_)); }

  // Trims the buffers to what was written; `input_size` maps the end.
  void Finish(size_t input_size) {
    out_.text.resize(length_);
    out_.offsets.resize(length_ + 1);
    out_.offsets[length_] = static_cast<uint32_t>(input_size);
    // Sentence ends recorded at the very end of the text are implied.
    while (!out_.sentence_ends.empty() && out_.sentence_ends.back() >= length_) {
      out_.sentence_ends.pop_back();
    }
  }

 private:
  // `Ensure` grows the buffers when a folding expands ("ß" -> "ss").
  void Grow(size_t extra) {
    capacity_ = 2 * capacity_ + extra;
    out_.text.resize(capacity_);
    out_.offsets.resize(capacity_ + 1);
    text_ = out_.text.data();
    offsets_ = out_.offsets.data();
  }
  void Ensure(size_t extra) {
    if (length_ + extra > capacity_) [[unlikely]]
      Grow(extra);
  }
  void Emit(char c, uint32_t offset) {
    text_[length_] = c;
    offsets_[length_] = offset;
    ++length_;
  }
  void FlushSpace() {
    if (!pending_space_) return;
    if (length_ > 0) {
      if (pending_line_breaks_ > 0) {
        const auto at = static_cast<uint32_t>(length_);
        if (out_.sentence_ends.empty() || out_.sentence_ends.back() != at) {
          out_.sentence_ends.push_back(at);
        }
        if (pending_line_breaks_ > 1) out_.paragraph_ends.push_back(at);
      }
      Ensure(1);
      Emit(' ', space_offset_);
    }
    pending_space_ = false;
    pending_line_breaks_ = 0;
  }

  NormalizedText& out_;
  size_t capacity_;
  char* text_ = nullptr;
  uint32_t* offsets_ = nullptr;
  size_t length_ = 0;
  bool pending_space_ = false;
  int pending_line_breaks_ = 0;
  uint32_t space_offset_ = 0;
};

// An ASCII byte that is not plain: white space, a separator, or a sentence terminator,
// which ends a sentence when white space or the end follows it ("3.5" and "example.org"
// do not end one).
void AddAsciiByte(const FoldingTable& table, std::string_view input, size_t i,
                  NormalizedWriter& w) {
  const auto c = static_cast<unsigned char>(input[i]);
  const Folding& f = table[c];
  if (f.is_space) {
    w.AddSpace(static_cast<uint32_t>(i), f.is_line_break);
    return;
  }
  if (f.length == 0) return;
  w.Add(f.bytes, 1, static_cast<uint32_t>(i));
  if ((c == '.' || c == '!' || c == '?') &&
      (i + 1 >= input.size() || input[i + 1] == ' ' || input[i + 1] == '\n' ||
       input[i + 1] == '\t' || input[i + 1] == '\r')) {
    w.EndSentence();
  }
}

// The code point that starts at input[i], folded; returns its length in bytes.
size_t AddCodePoint(const FoldingTable& table, std::string_view input, size_t i,
                    NormalizedWriter& w) {
  size_t cp_length;
  const char32_t cp = DecodeUtf8(input, i, cp_length);
  const auto offset = static_cast<uint32_t>(i);
  if (cp < kFoldTableLimit) {
    const Folding& f = table[cp];
    if (f.is_space) {
      w.AddSpace(offset, f.is_line_break);
    } else if (f.length > 0) {
      w.Add(f.bytes, f.length, offset);
    }
  } else if (NeedsSlowFold(cp)) {
    // Presentation forms and full-width letters ("ﬁ", "Ａ"): fold through utf8proc.
    std::string folded;
    AppendFolded(cp, folded);
    w.Add(folded.data(), folded.size(), offset);
  } else {
    w.Add(input.data() + i, cp_length, offset);
  }
  return cp_length;
}

}  // namespace

void Normalize(std::string_view input, NormalizedText& out) {
  const FoldingTable& table = Table();
  NormalizedWriter w(input.size(), out);
  const size_t n = input.size();
  const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
  size_t i = 0;
  while (i < n) {
    const auto c = bytes[i];
    if (c < 0x80 && kPlainAscii[c]) {
      // The common case: a run of plain ASCII (letters, digits, most punctuation) and
      // single spaces between words, copied lower-cased, sixteen bytes at a time.
      i += w.CopyPlain(bytes, i, n);
    } else if (c < 0x80) {
      AddAsciiByte(table, input, i, w);
      ++i;
    } else {
      i += AddCodePoint(table, input, i, w);
    }
  }
  w.Finish(n);
}

std::string NormalizeTerm(std::string_view input) {
  NormalizedText normalized;
  Normalize(input, normalized);
  std::string& text = normalized.text;
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return std::move(text);
}

}  // namespace ecoute
