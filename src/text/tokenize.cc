#include "text/tokenize.h"

#include <cstdlib>
#include <cstring>

#include <libstemmer.h>
#include <utf8proc.h>

#include "text/fold.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

// What one code point below kFoldTableLimit is and becomes (above it, each call asks
// utf8proc). `fold` is its case folding in NFC ("É" -> "é"), `strip` its accent-free form
// ("é" -> "e", "œ" -> "oe", a mark -> nothing). text/fold.h tells how this differs from
// Normalize().
struct CodePointFolding {
  bool is_word = false;
  // The fast path (folding code point by code point) may differ from folding the whole word
  // and composing it (NFC): combining marks, Hangul jamo, long foldings.
  bool needs_composition = false;
  // The accent-free form is longer than `strip` holds: ask utf8proc at run time.
  bool needs_slow_strip = false;
  uint8_t fold_length = 0;
  uint8_t strip_length = 0;
  char fold[7] = {};
  char strip[7] = {};
};

using FoldingTable = std::array<CodePointFolding, kFoldTableLimit>;

constexpr std::array<bool, 128> kAsciiWord = [] {
  std::array<bool, 128> word{};
  for (int c = '0'; c <= '9'; ++c) word[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) word[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) word[c] = true;
  return word;
}();

// A word character of the search tokens: enclosing marks included (text/fold.h).
bool IsTokenCodePoint(char32_t cp) {
  return IsWordCategory(CategoryOf(cp), /*with_enclosing_marks=*/true);
}

bool IsMarkCategory(char32_t cp) {
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC ||
         category == UTF8PROC_CATEGORY_ME;
}

// Letters that keep no accent-free form through decomposition but have a customary one.
std::string_view LigatureOrStrokeFolding(char32_t cp) {
  switch (cp) {
    case 0x00C6:  // Æ
    case 0x00E6:  // æ
      return "ae";
    case 0x0152:  // Œ
    case 0x0153:  // œ
      return "oe";
    case 0x00D8:  // Ø
    case 0x00F8:  // ø
      return "o";
    case 0x0141:  // Ł
    case 0x0142:  // ł
      return "l";
    case 0x0110:  // Đ
    case 0x0111:  // đ
      return "d";
    default:
      return {};
  }
}

// The accent-free form of `cp`: case folded, compatibility-decomposed, marks and anything
// that is not a word character dropped.
void AppendStripped(char32_t cp, std::string& out) {
  const std::string_view special = LigatureOrStrokeFolding(cp);
  if (!special.empty()) {
    out.append(special);
    return;
  }
  int32_t decomposed[kMaxAccentFreeLength];
  const int n = DecomposeAccentFree(cp, decomposed);
  if (n < 0 || n > kMaxAccentFreeLength) {
    AppendUtf8(cp, out);
    return;
  }
  for (int i = 0; i < n; ++i) {
    const auto d = static_cast<char32_t>(decomposed[i]);
    if (IsTokenCodePoint(d) && !IsMarkCategory(d)) AppendUtf8(d, out);
  }
}

// The case folding of one code point, composed (NFC).
std::string CaseFolded(char32_t cp) {
  std::string utf8;
  AppendUtf8(cp, utf8);
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
      static_cast<utf8proc_ssize_t>(utf8.size()), &mapped,
      static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  std::string folded = n < 0 ? utf8 : std::string(reinterpret_cast<char*>(mapped), n);
  std::free(mapped);
  return folded;
}

const FoldingTable& Table() {
  static const FoldingTable* const kTable = [] {
    auto* t = new FoldingTable();  // NOLINT: built once, lives for the process
    for (char32_t cp = 0; cp < kFoldTableLimit; ++cp) {
      CodePointFolding& f = (*t)[cp];
      if (cp >= 0xD800 && cp < 0xE000) continue;  // surrogates never appear decoded
      f.is_word = IsTokenCodePoint(cp);
      if (!f.is_word) continue;
      const std::string fold = CaseFolded(cp);
      f.needs_composition =
          IsMarkCategory(cp) || (cp >= 0x1100 && cp < 0x1200) || fold.size() > sizeof(f.fold);
      if (fold.size() <= sizeof(f.fold)) {
        f.fold_length = static_cast<uint8_t>(fold.size());
        std::memcpy(f.fold, fold.data(), fold.size());
      }
      std::string strip;
      AppendStripped(cp, strip);
      if (strip.size() > sizeof(f.strip)) {
        f.needs_slow_strip = true;
      } else {
        f.strip_length = static_cast<uint8_t>(strip.size());
        std::memcpy(f.strip, strip.data(), strip.size());
      }
    }
    return t;
  }();
  return *kTable;
}

bool IsWord(const FoldingTable& table, char32_t cp) {
  return cp < kFoldTableLimit ? table[cp].is_word : IsTokenCodePoint(cp);
}

// Whether a word (valid UTF-8 of word characters) is plain ASCII, and whether it needs the
// composing path.
struct WordFlags {
  bool is_ascii = true;
  bool needs_composition = false;
};

WordFlags ScanFlags(const FoldingTable& table, std::string_view word) {
  WordFlags flags;
  for (size_t i = 0; i < word.size();) {
    if (static_cast<unsigned char>(word[i]) < 0x80) {
      ++i;
      continue;
    }
    flags.is_ascii = false;
    size_t length;
    const char32_t cp = DecodeUtf8(word, i, length);
    if (cp >= kFoldTableLimit || table[cp].needs_composition) flags.needs_composition = true;
    i += length;
  }
  return flags;
}

// The first `limit` bytes of `text` or fewer, cut at a code point boundary.
size_t PrefixAtBoundary(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text.size();
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return end;
}

// The length of the apostrophe at text[i] (' ’ ʼ), or 0.
size_t ApostropheLength(std::string_view text, size_t i) {
  if (i >= text.size()) return 0;
  if (text[i] == '\'') return 1;
  if (text.compare(i, 3, "\u2019") == 0) return 3;
  if (text.compare(i, 2, "\u02BC") == 0) return 2;
  return 0;
}

// French elided articles, pronouns and conjunctions, lower-case ASCII.
bool IsElidedWord(std::string_view word) {
  if (word.size() > 6) return false;
  char lower[6];
  for (size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  const std::string_view w(lower, word.size());
  if (w.size() == 1) return std::string_view("ldjmnstc").find(w[0]) != std::string_view::npos;
  return w == "qu" || w == "jusqu" || w == "lorsqu" || w == "puisqu" || w == "quoiqu";
}

const char* StemmerName(StemLanguage language) {
  switch (language) {
    case StemLanguage::kFrench:
      return "french";
    case StemLanguage::kEnglish:
      return "english";
    case StemLanguage::kGerman:
      return "german";
    case StemLanguage::kSpanish:
      return "spanish";
    case StemLanguage::kItalian:
      return "italian";
    case StemLanguage::kPortuguese:
      return "portuguese";
    case StemLanguage::kDutch:
      return "dutch";
    case StemLanguage::kNone:
      break;
  }
  return nullptr;
}

uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// A hash of a short word, eight bytes at a time.
uint64_t HashWord(std::string_view word) {
  const size_t n = word.size();
  const char* p = word.data();
  uint64_t a = 0;
  uint64_t b = 0;
  if (n >= 8) {
    a = Load64(p);
    b = Load64(p + n - 8);  // overlaps `a` unless n == 16
    for (size_t i = 8; i + 8 < n; i += 8) a = (a ^ Load64(p + i)) * 0x9E3779B97F4A7C15u;
  } else {
    for (size_t i = 0; i < n; ++i) a = (a << 8) | static_cast<unsigned char>(p[i]);
  }
  uint64_t h = (a ^ (n << 56)) * 0x9E3779B97F4A7C15u;
  h ^= (b + (h >> 31)) * 0xC2B2AE3D27D4EB4Fu;
  return h ^ (h >> 29);
}

}  // namespace

// Recent index forms of one language, keyed by the word's own bytes, direct-mapped, 1 MiB:
// the words of posts follow Zipf's law, so the most frequent ten thousand spare most calls
// to the stemmer (about 300 ns each for French, ten times a cache hit).
struct SearchTokenizer::Cache {
  static constexpr size_t kEntries = 16384;
  static constexpr size_t kKeyBytes = 30;
  static constexpr size_t kValueBytes = 32;
  struct Entry {
    uint8_t key_length = 0;  // 0: empty (words are never empty)
    uint8_t value_length = 0;
    char key[kKeyBytes];
    char value[kValueBytes];
  };
  std::array<Entry, kEntries> entries;
};

void SearchTokenizer::StemmerDeleter::operator()(sb_stemmer* stemmer) const {
  sb_stemmer_delete(stemmer);
}

StemLanguage StemLanguageFromCode(std::string_view code) {
  const size_t end = code.find_first_of("-_");
  const std::string_view primary = code.substr(0, end);
  if (primary.size() != 2) return StemLanguage::kNone;
  const char a = static_cast<char>(primary[0] | 0x20);
  const char b = static_cast<char>(primary[1] | 0x20);
  if (a == 'f' && b == 'r') return StemLanguage::kFrench;
  if (a == 'e' && b == 'n') return StemLanguage::kEnglish;
  if (a == 'd' && b == 'e') return StemLanguage::kGerman;
  if (a == 'e' && b == 's') return StemLanguage::kSpanish;
  if (a == 'i' && b == 't') return StemLanguage::kItalian;
  if (a == 'p' && b == 't') return StemLanguage::kPortuguese;
  if (a == 'n' && b == 'l') return StemLanguage::kDutch;
  return StemLanguage::kNone;
}

SearchTokenizer::SearchTokenizer() { Table(); }

SearchTokenizer::~SearchTokenizer() = default;

void SearchTokenizer::Start(std::string_view text, StemLanguage language) {
  text_ = text;
  position_ = 0;
  language_ = language;
}

bool SearchTokenizer::Next(SearchToken& token) {
  const FoldingTable& table = Table();
  const std::string_view text = text_;
  const size_t n = text.size();
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = position_;
  while (true) {
    // Separators, invalid bytes included (decoded as U+FFFD, a symbol).
    while (i < n) {
      if (bytes[i] < 0x80) {
        if (kAsciiWord[bytes[i]]) break;
        ++i;
        continue;
      }
      size_t length;
      if (IsWord(table, DecodeUtf8(text, i, length))) break;
      i += length;
    }
    if (i >= n) {
      position_ = n;
      return false;
    }
    const size_t begin = i;
    WordFlags flags;
    while (i < n) {
      if (bytes[i] < 0x80) {
        if (!kAsciiWord[bytes[i]]) break;
        ++i;
        continue;
      }
      size_t length;
      const char32_t cp = DecodeUtf8(text, i, length);
      if (!IsWord(table, cp)) break;
      flags.is_ascii = false;
      if (cp >= kFoldTableLimit || table[cp].needs_composition) flags.needs_composition = true;
      i += length;
    }
    const size_t end = i;
    const std::string_view run = text.substr(begin, end - begin);
    if (run.size() <= 6 && flags.is_ascii && IsElidedWord(run)) {
      const size_t apostrophe = ApostropheLength(text, end);
      size_t length;
      if (apostrophe > 0 && end + apostrophe < n &&
          IsWord(table, DecodeUtf8(text, end + apostrophe, length))) {
        continue;
      }
    }
    std::string_view word = run;
    if (word.size() > kMaxFoldedInputBytes) {
      word = word.substr(0, PrefixAtBoundary(word, kMaxFoldedInputBytes));
      flags = ScanFlags(table, word);
    }
    const size_t length =
        Fold(word, flags.is_ascii, flags.needs_composition, language_, token_.data());
    if (length == 0) continue;  // marks alone
    token.text = std::string_view(token_.data(), length);
    token.begin = begin;
    token.end = end;
    position_ = end;
    return true;
  }
}

std::string_view SearchTokenizer::FoldWord(std::string_view word, StemLanguage language) {
  const FoldingTable& table = Table();
  // Keep the word characters only, so that the folding below sees what Next() would.
  bool is_clean = true;
  for (size_t i = 0; i < word.size() && is_clean;) {
    const auto c = static_cast<unsigned char>(word[i]);
    if (c < 0x80) {
      is_clean = kAsciiWord[c];
      ++i;
      continue;
    }
    size_t length;
    is_clean = IsWord(table, DecodeUtf8(word, i, length));
    i += length;
  }
  if (!is_clean) {
    clean_.clear();
    for (size_t i = 0; i < word.size();) {
      size_t length;
      const char32_t cp = DecodeUtf8(word, i, length);
      if (cp < 0x80 ? kAsciiWord[cp] : IsWord(table, cp)) clean_.append(word.substr(i, length));
      i += length;
    }
    word = clean_;
  }
  word = word.substr(0, PrefixAtBoundary(word, kMaxFoldedInputBytes));
  if (word.empty()) return {};
  const WordFlags flags = ScanFlags(table, word);
  // Uncached: query words are few, and a cache per language would cost 1 MiB each.
  const size_t length =
      FoldUncached(word, flags.is_ascii, flags.needs_composition, language, word_.data());
  return std::string_view(word_.data(), length);
}

sb_stemmer* SearchTokenizer::Stemmer(StemLanguage language) {
  const auto index = static_cast<size_t>(language);
  if (stemmers_[index] == nullptr && !stemmer_failed_[index]) {
    stemmers_[index].reset(sb_stemmer_new(StemmerName(language), "UTF_8"));
    // Without its stemmer (out of memory), a language folds without stemming.
    stemmer_failed_[index] = stemmers_[index] == nullptr;
  }
  return stemmers_[index].get();
}

size_t SearchTokenizer::Fold(std::string_view word, bool is_ascii, bool needs_composition,
                             StemLanguage language, char* out) {
  if (language == StemLanguage::kNone || word.size() > Cache::kKeyBytes) {
    return FoldUncached(word, is_ascii, needs_composition, language, out);
  }
  std::unique_ptr<Cache>& cache = caches_[static_cast<size_t>(language)];
  if (cache == nullptr) cache = std::make_unique<Cache>();
  Cache::Entry& entry = cache->entries[HashWord(word) % Cache::kEntries];
  if (entry.key_length == word.size() && std::memcmp(entry.key, word.data(), word.size()) == 0) {
    std::memcpy(out, entry.value, entry.value_length);
    return entry.value_length;
  }
  const size_t length = FoldUncached(word, is_ascii, needs_composition, language, out);
  if (length <= Cache::kValueBytes) {
    entry.key_length = static_cast<uint8_t>(word.size());
    std::memcpy(entry.key, word.data(), word.size());
    entry.value_length = static_cast<uint8_t>(length);
    std::memcpy(entry.value, out, length);
  }
  return length;
}

size_t SearchTokenizer::FoldUncached(std::string_view word, bool is_ascii, bool needs_composition,
                                     StemLanguage language, char* out) {
  const FoldingTable& table = Table();
  // 1. Case folding, into folded_.
  char* folded = folded_.data();
  size_t folded_length = 0;
  bool has_letter = false;
  if (is_ascii) {
    for (const char c : word) {
      has_letter |= c > '9';
      folded[folded_length++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
  } else if (!needs_composition) {
    has_letter = true;
    for (size_t i = 0; i < word.size();) {
      if (static_cast<unsigned char>(word[i]) < 0x80) {
        const char c = word[i++];
        folded[folded_length++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        continue;
      }
      size_t length;
      const CodePointFolding& f = table[DecodeUtf8(word, i, length)];
      std::memcpy(folded + folded_length, f.fold, f.fold_length);
      folded_length += f.fold_length;
      i += length;
    }
  } else {
    // Combining marks and the like: fold the whole word, then compose (NFC), so that a
    // decomposed "é" stems like a precomposed one.
    has_letter = true;
    const auto options =
        static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    const auto* source = reinterpret_cast<const utf8proc_uint8_t*>(word.data());
    const auto source_length = static_cast<utf8proc_ssize_t>(word.size());
    utf8proc_ssize_t count =
        utf8proc_decompose(source, source_length, code_points_.data(),
                           static_cast<utf8proc_ssize_t>(code_points_.size()), options);
    if (count > static_cast<utf8proc_ssize_t>(code_points_.size())) {
      code_points_.resize(static_cast<size_t>(count) + 1);
      count = utf8proc_decompose(source, source_length, code_points_.data(),
                                 static_cast<utf8proc_ssize_t>(code_points_.size()), options);
    }
    if (count < 0) return 0;
    if (code_points_.size() <= static_cast<size_t>(count)) code_points_.resize(count + 1);
    // utf8proc_reencode composes, then writes UTF-8 over the UTF-32 buffer.
    const utf8proc_ssize_t utf8_length = utf8proc_reencode(code_points_.data(), count, options);
    if (utf8_length < 0) return 0;
    const std::string_view utf8(reinterpret_cast<const char*>(code_points_.data()),
                                static_cast<size_t>(utf8_length));
    folded_length = PrefixAtBoundary(utf8, folded_.size());
    std::memcpy(folded, utf8.data(), folded_length);
  }

  // 2. Stemming, on the accented word: Snowball's rules for French and others expect accents.
  const char* stem = folded;
  size_t stem_length = folded_length;
  if (language != StemLanguage::kNone && has_letter && folded_length <= kMaxTokenBytes) {
    if (sb_stemmer* stemmer = Stemmer(language)) {
      const sb_symbol* stemmed = sb_stemmer_stem(
          stemmer, reinterpret_cast<const sb_symbol*>(folded), static_cast<int>(folded_length));
      if (stemmed != nullptr) {
        stem = reinterpret_cast<const char*>(stemmed);
        stem_length = static_cast<size_t>(sb_stemmer_length(stemmer));
      }
    }
  }

  // 3. Accents stripped from the stem, truncated to kMaxTokenBytes at a character boundary.
  const std::string_view source(stem, stem_length);
  size_t length = 0;
  for (size_t i = 0; i < source.size();) {
    const auto c = static_cast<unsigned char>(source[i]);
    if (c < 0x80) {
      if (length == kMaxTokenBytes) break;
      out[length++] = static_cast<char>(c);
      ++i;
      continue;
    }
    size_t cp_length;
    const char32_t cp = DecodeUtf8(source, i, cp_length);
    i += cp_length;
    std::string_view stripped;
    if (cp < kFoldTableLimit && !table[cp].needs_slow_strip) {
      stripped = std::string_view(table[cp].strip, table[cp].strip_length);
    } else {
      stripped_.clear();
      if (cp != 0xFFFD) AppendStripped(cp, stripped_);
      stripped = stripped_;
    }
    if (length + stripped.size() > kMaxTokenBytes) break;
    std::memcpy(out + length, stripped.data(), stripped.size());
    length += stripped.size();
  }
  return length;
}

}  // namespace ecoute
