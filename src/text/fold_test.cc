#include "text/fold.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "text/normalize.h"
#include "text/tokenize.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

std::string AccentFree(char32_t cp) {
  int32_t decomposed[kMaxAccentFreeLength];
  const int n = DecomposeAccentFree(cp, decomposed);
  std::string out;
  for (int i = 0; i < n; ++i) AppendUtf8(static_cast<char32_t>(decomposed[i]), out);
  return out;
}

TEST(FoldTest, DecomposesToTheAccentFreeForm) {
  EXPECT_EQ(AccentFree(U'É'), "e");
  EXPECT_EQ(AccentFree(U'ß'), "ss");
  EXPECT_EQ(AccentFree(U'ﬁ'), "fi");
  EXPECT_EQ(AccentFree(U'½'), "1\u20442");
  EXPECT_EQ(AccentFree(U'Œ'), "œ");   // no decomposition: case folded only
  EXPECT_EQ(AccentFree(0x0301), "");  // a combining mark
}

TEST(FoldTest, EnclosingMarksAreWordCharactersForSearchOnly) {
  const int keycap = CategoryOf(0x20E3);
  EXPECT_TRUE(IsWordCategory(keycap, /*with_enclosing_marks=*/true));
  EXPECT_FALSE(IsWordCategory(keycap, /*with_enclosing_marks=*/false));
  EXPECT_FALSE(IsWordCodepoint(0x20E3));
  EXPECT_TRUE(IsWordCategory(CategoryOf(U'é'), false));
  EXPECT_FALSE(IsWordCategory(CategoryOf(U'€'), true));
}

// The differences fold.h lists, as each side folds them.
TEST(FoldTest, NormalizationAndSearchTokensDifferWhereFoldHSays) {
  struct Case {
    std::string_view input, normalized, token;
  };
  constexpr Case kCases[] = {
      {"Œuvre", "œuvre", "oeuvre"},     // æ œ ø ł đ: letters of their own, or Latin letters
      {"Łódź", "łodz", "lodz"},         //
      {"½", "1⁄2", "12"},               // symbols kept, or dropped
      {"Élan", "elan", "elan"},         // accents: stripped by both
      {"l’avion", "l avion", "avion"},  // a separator; an elision the tokens drop
  };
  SearchTokenizer tokenizer;
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(NormalizeTerm(c.input), c.normalized);
    std::string tokens;
    tokenizer.Tokenize(c.input, "", [&](std::string_view form, size_t, size_t) { tokens += form; });
    EXPECT_EQ(tokens, c.token);
  }
}

}  // namespace
}  // namespace ecoute
