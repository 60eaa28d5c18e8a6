// Search tokens: splits UTF-8 text into words and folds each to its index form, the same
// way for the documents of the full-text index and for the queries that search it.
//
// A word is a maximal run of Unicode letters, digits and marks (categories L*, N*, M*);
// everything else separates, apostrophes and hyphens included ("l'avion" -> "l", "avion").
// French elisions are dropped: a token l, d, j, m, n, s, t, c, qu, jusqu, lorsqu, puisqu or
// quoiqu (any case) directly followed by an apostrophe (' ’ ʼ) and a word is not emitted, in
// every language, so that documents and language-less queries agree. Each token reports its
// byte range in the original text.
//
// Its index form is computed in three steps:
//   1. case folding (full Unicode folding, NFC: "Délais" -> "délais", "Straße" -> "strasse");
//   2. the Snowball stemmer of the language, which expects accents ("délais" -> "dél");
//   3. accent stripping of the stem (NFKD, marks removed; "œ" -> "oe", "æ" -> "ae",
//      "ø" -> "o", "ł" -> "l", "đ" -> "d"), so that "délai", "delai" and "Délais" agree.
// Without a stemming language, only steps 1 and 3 apply ("Café" -> "cafe"). Digits are
// words too ("2026"), never stemmed.
//
// Long runs: a case-folded word longer than kMaxTokenBytes is not stemmed (it is no word a
// stemmer knows); every index form is truncated to kMaxTokenBytes at a UTF-8 boundary; and
// only the first kMaxFoldedInputBytes bytes of a run are folded (its range still covers the
// whole run). Invalid UTF-8 bytes separate words, like punctuation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

struct sb_stemmer;  // libstemmer.h

namespace ecoute {

// Longest index form, in bytes.
constexpr size_t kMaxTokenBytes = 64;
// Bytes of a run of word characters that are folded; the rest of a longer run is ignored.
constexpr size_t kMaxFoldedInputBytes = 256;

// The languages with a Snowball stemmer. kNone folds case and accents only.
enum class StemLanguage : uint8_t {
  kNone = 0,
  kFrench,
  kEnglish,
  kGerman,
  kSpanish,
  kItalian,
  kPortuguese,
  kDutch,
};
constexpr size_t kStemLanguageCount = 8;

// The stemming language of a language code: the primary subtag, any case, of fr, en, de,
// es, it, pt or nl ("fr", "pt-BR", "EN_us"). Anything else ("", "und", "ja") is kNone.
StemLanguage StemLanguageFromCode(std::string_view code);

// One token. `text` is the index form, never empty, owned by the tokenizer and valid until
// its next call; [begin, end) is the word's byte range in the text given to Start().
struct SearchToken {
  std::string_view text;
  size_t begin = 0;
  size_t end = 0;
};

// Splits and folds. Holds the stemmers (created on first use of each language: creating
// one is costly) and, per language used by Next(), a 1 MiB cache of recent index forms.
// Not thread-safe: one per thread or per database connection. Allocates nothing per token
// once warm.
class SearchTokenizer {
 public:
  SearchTokenizer();
  ~SearchTokenizer();
  SearchTokenizer(const SearchTokenizer&) = delete;
  SearchTokenizer& operator=(const SearchTokenizer&) = delete;

  // Starts tokenizing `text`, which must outlive the calls to Next() that follow.
  void Start(std::string_view text, StemLanguage language);

  // Moves to the next token: fills `token` and returns true, or returns false at the end.
  bool Next(SearchToken& token);

  // Calls `emit(std::string_view index_form, size_t begin, size_t end)` for every token of
  // `text` in `language` (a code, see StemLanguageFromCode), in text order. When `emit`
  // returns bool, false stops the tokenization.
  template <typename Emit>
  void Tokenize(std::string_view text, std::string_view language, Emit&& emit);

  // The index form of one word in `language`: `word` is folded as a single token (its bytes
  // are those of one token, as in text.substr(token.begin, token.end - token.begin));
  // invalid UTF-8 in it is dropped. Returns "" when nothing is left. The view is valid until
  // the next call to FoldWord(); tokens from Next() stay valid meanwhile. Meant for queries:
  // it bypasses the cache, and so costs a stemmer call (~300 ns).
  std::string_view FoldWord(std::string_view word, StemLanguage language);

 private:
  struct StemmerDeleter {
    void operator()(sb_stemmer* stemmer) const;
  };
  struct Cache;  // defined in tokenize.cc

  // Folds `word` (valid UTF-8: one token's bytes, at most kMaxFoldedInputBytes) into `out`
  // (kMaxTokenBytes bytes); returns the length written.
  size_t Fold(std::string_view word, bool is_ascii, bool needs_composition, StemLanguage language,
              char* out);
  size_t FoldUncached(std::string_view word, bool is_ascii, bool needs_composition,
                      StemLanguage language, char* out);
  sb_stemmer* Stemmer(StemLanguage language);

  std::string_view text_;
  size_t position_ = 0;
  StemLanguage language_ = StemLanguage::kNone;

  std::array<std::unique_ptr<sb_stemmer, StemmerDeleter>, kStemLanguageCount> stemmers_;
  std::array<bool, kStemLanguageCount> stemmer_failed_ = {};
  std::array<std::unique_ptr<Cache>, kStemLanguageCount> caches_;

  // Scratch: the case-folded word, the UTF-32 buffer of the composing path, FoldWord()'s
  // cleaned word, rare accent-free forms, and the index forms of Next() and FoldWord().
  std::array<char, kMaxFoldedInputBytes* 4> folded_ = {};
  std::vector<int32_t> code_points_;
  std::string clean_;
  std::string stripped_;
  std::array<char, kMaxTokenBytes> token_ = {};
  std::array<char, kMaxTokenBytes> word_ = {};
};

template <typename Emit>
void SearchTokenizer::Tokenize(std::string_view text, std::string_view language, Emit&& emit) {
  Start(text, StemLanguageFromCode(language));
  SearchToken token;
  while (Next(token)) {
    if constexpr (std::is_same_v<std::invoke_result_t<Emit&, std::string_view, size_t, size_t>,
                                 bool>) {
      if (!emit(token.text, token.begin, token.end)) return;
    } else {
      emit(token.text, token.begin, token.end);
    }
  }
}

}  // namespace ecoute
