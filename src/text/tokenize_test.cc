#include "text/tokenize.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ecoute {
namespace {

struct Token {
  std::string text;
  size_t begin;
  size_t end;
  bool operator==(const Token&) const = default;
};

void PrintTo(const Token& t, std::ostream* os) {
  *os << '"' << t.text << "\" [" << t.begin << ", " << t.end << ")";
}

std::vector<Token> Tokens(SearchTokenizer& tokenizer, std::string_view text,
                          std::string_view lang) {
  std::vector<Token> tokens;
  tokenizer.Tokenize(text, lang, [&](std::string_view token, size_t begin, size_t end) {
    tokens.push_back({std::string(token), begin, end});
  });
  return tokens;
}

std::vector<std::string> Forms(SearchTokenizer& tokenizer, std::string_view text,
                               std::string_view lang) {
  std::vector<std::string> forms;
  for (const Token& t : Tokens(tokenizer, text, lang)) forms.push_back(t.text);
  return forms;
}

// Words that must share one index form in a language.
struct SameFormCase {
  std::string_view lang;
  std::vector<std::string_view> words;
};

TEST(SearchTokenizerTest, InflectionsShareOneIndexForm) {
  const SameFormCase cases[] = {
      {"fr", {"remboursé", "rembourser", "remboursement", "remboursez", "Remboursé"}},
      {"fr", {"délai", "delai", "Délais", "DÉLAI", "de\u0301lai"}},  // last one decomposed
      {"en", {"refund", "refunded", "refunds", "Refunding"}},
      {"fr-CA", {"arrivé", "arrivée", "arriver"}},
      {"", {"Café", "cafe", "CAFÉ", "cafe\u0301"}},
  };
  SearchTokenizer tokenizer;
  for (const SameFormCase& c : cases) {
    SCOPED_TRACE(c.words.front());
    const std::vector<std::string> first = Forms(tokenizer, c.words.front(), c.lang);
    ASSERT_EQ(first.size(), 1u);
    for (std::string_view word : c.words) {
      SCOPED_TRACE(word);
      EXPECT_EQ(Forms(tokenizer, word, c.lang), first);
    }
  }
}

struct FoldCase {
  std::string_view text;
  std::string_view lang;
  std::vector<std::string> want;
};

TEST(SearchTokenizerTest, FoldsSplitsAndStems) {
  const FoldCase cases[] = {
      {"Café", "", {"cafe"}},                                     // no language: fold only
      {"Café", "und", {"cafe"}},                                  // undetermined: the same
      {"remboursement", "ja", {"remboursement"}},                 // no stemmer: no stemming
      {"remboursement", "fr", {"rembours"}},                      // French stem
      {"refunding", "EN", {"refund"}},                            // codes in any case
      {"cœur Æsir Straße", "", {"coeur", "aesir", "strasse"}},    // ligatures, sharp s
      {"l'avion d’Air France", "fr", {"avion", "air", "franc"}},  // elisions dropped
      {"qu'il jusqu'ici", "", {"il", "ici"}},                     // in every language
      {"l' appel", "", {"l", "appel"}},                           // no word after the apostrophe
      {"arrivé-là, 2026! 88 €", "fr", {"arriv", "la", "2026", "88"}},  // digits kept
      {"❤️ top 👍🏽", "", {"top"}},  // emoji and their selectors are not words
      {"ﬁn", "", {"fin"}},                   // compatibility ligature
      {"", "fr", {}},
      {" ,;!? ", "fr", {}},
  };
  SearchTokenizer tokenizer;
  for (const FoldCase& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(Forms(tokenizer, c.text, c.lang), c.want);
  }
}

TEST(SearchTokenizerTest, OffsetsAreByteRangesOfTheOriginal) {
  SearchTokenizer tokenizer;
  const std::string text = "L'été 😡 arrivé-là, 2026!";
  const std::vector<Token> want = {
      {"ete", 2, 7}, {"arriv", 13, 20}, {"la", 21, 24}, {"2026", 26, 30}};
  EXPECT_EQ(Tokens(tokenizer, text, "fr"), want);
  EXPECT_EQ(text.substr(13, 7), "arrivé");
  EXPECT_EQ(text.substr(21, 3), "là");
}

TEST(SearchTokenizerTest, InvalidUtf8SeparatesWords) {
  SearchTokenizer tokenizer;
  const std::string text =
      "abc\xff\xfe"
      "déf\xc3(x\xe2\x82";
  const std::vector<Token> want = {{"abc", 0, 3}, {"def", 5, 9}, {"x", 11, 12}};
  EXPECT_EQ(Tokens(tokenizer, text, "fr"), want);
  EXPECT_TRUE(Tokens(tokenizer, "\xc3", "en").empty());
  EXPECT_TRUE(Tokens(tokenizer, "\x80\x80\xf4\x90\x80\x80", "").empty());  // past U+10FFFF
}

TEST(SearchTokenizerTest, LongRunsAreTruncatedAtACharacterBoundary) {
  SearchTokenizer tokenizer;
  const std::string ascii(100, 'a');
  EXPECT_EQ(Tokens(tokenizer, ascii, "fr"),
            (std::vector<Token>{{std::string(kMaxTokenBytes, 'a'), 0, 100}}));
  std::string accented;
  for (int i = 0; i < 200; ++i) accented += "é";
  EXPECT_EQ(Tokens(tokenizer, accented + " x", "fr"),
            (std::vector<Token>{{std::string(kMaxTokenBytes, 'e'), 0, 400}, {"x", 401, 402}}));
  // Three-byte letters: 21 of them fit in 64 bytes, not 21 and a third.
  std::string katakana;
  for (int i = 0; i < 30; ++i) katakana += "ア";
  const std::vector<Token> tokens = Tokens(tokenizer, katakana, "");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].text.size(), 63u);
  EXPECT_EQ(tokens[0].end, 90u);
}

TEST(SearchTokenizerTest, EmitReturningFalseStops) {
  SearchTokenizer tokenizer;
  int calls = 0;
  tokenizer.Tokenize("un deux trois", "fr", [&](std::string_view, size_t, size_t) {
    ++calls;
    return calls < 2;
  });
  EXPECT_EQ(calls, 2);
}

TEST(SearchTokenizerTest, PullInterfaceMatchesTokenize) {
  SearchTokenizer tokenizer;
  const std::string text = "Mon colis n'est pas arrivé";
  tokenizer.Start(text, StemLanguage::kFrench);
  std::vector<Token> pulled;
  SearchToken token;
  while (tokenizer.Next(token)) pulled.push_back({std::string(token.text), token.begin, token.end});
  EXPECT_EQ(pulled, Tokens(tokenizer, text, "fr"));
  EXPECT_FALSE(tokenizer.Next(token));
}

TEST(SearchTokenizerTest, FoldWordMatchesTheDocumentForm) {
  SearchTokenizer tokenizer;
  EXPECT_EQ(tokenizer.FoldWord("Remboursé", StemLanguage::kFrench), "rembours");
  EXPECT_EQ(tokenizer.FoldWord("Refunding", StemLanguage::kEnglish), "refund");
  EXPECT_EQ(tokenizer.FoldWord("Délais", StemLanguage::kNone), "delais");
  EXPECT_EQ(tokenizer.FoldWord("\xff", StemLanguage::kFrench), "");
  EXPECT_EQ(tokenizer.FoldWord("", StemLanguage::kFrench), "");
  // Interleaved with Next(): neither overwrites the other's view.
  tokenizer.Start("remboursement", StemLanguage::kNone);
  SearchToken token;
  ASSERT_TRUE(tokenizer.Next(token));
  EXPECT_EQ(tokenizer.FoldWord("remboursement", StemLanguage::kFrench), "rembours");
  EXPECT_EQ(token.text, "remboursement");
}

TEST(SearchTokenizerTest, CachedAndUncachedFormsAgree) {
  // The second pass is served by the cache of recent forms.
  SearchTokenizer tokenizer;
  const std::string text = "Les délais de remboursement sont trop longs, délais délais";
  const std::vector<std::string> first = Forms(tokenizer, text, "fr");
  EXPECT_EQ(Forms(tokenizer, text, "fr"), first);
  SearchTokenizer fresh;
  EXPECT_EQ(Forms(fresh, text, "fr"), first);
}

TEST(StemLanguageTest, ReadsThePrimarySubtag) {
  EXPECT_EQ(StemLanguageFromCode("fr"), StemLanguage::kFrench);
  EXPECT_EQ(StemLanguageFromCode("pt-br"), StemLanguage::kPortuguese);
  EXPECT_EQ(StemLanguageFromCode("EN_us"), StemLanguage::kEnglish);
  EXPECT_EQ(StemLanguageFromCode("de"), StemLanguage::kGerman);
  EXPECT_EQ(StemLanguageFromCode("es"), StemLanguage::kSpanish);
  EXPECT_EQ(StemLanguageFromCode("it"), StemLanguage::kItalian);
  EXPECT_EQ(StemLanguageFromCode("nl"), StemLanguage::kDutch);
  EXPECT_EQ(StemLanguageFromCode(""), StemLanguage::kNone);
  EXPECT_EQ(StemLanguageFromCode("und"), StemLanguage::kNone);
  EXPECT_EQ(StemLanguageFromCode("fra"), StemLanguage::kNone);
}

}  // namespace
}  // namespace ecoute
