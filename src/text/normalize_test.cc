#include "text/normalize.h"

#include <gtest/gtest.h>

namespace ecoute {
namespace {

struct NormalizeCase {
  std::string_view input;
  std::string_view want;
};

constexpr NormalizeCase kCases[] = {
    {"Bouygues Télécom", "bouygues telecom"},       // accents and case
    {"Bouygues-Telecom", "bouygues telecom"},       // hyphen
    {"bouygues   \t telecom", "bouygues telecom"},  // runs of white space
    {"l’attente", "l attente"},                     // typographic apostrophe
    {"J'AI ÉTÉ DÉÇU", "j ai ete decu"},             // capitals with accents
    {"ﬁnal", "final"},                              // compatibility ligature
    {"88\u00a0247\u202f€", "88 247 €"},             // no-break spaces keep the symbol
    {"  leading", "leading"},                       // leading white space dropped
    {"Straße", "strasse"},                          // case folding, not just lowering
    {"😡 nul", "😡 nul"},                             // emoji kept as they are
};

TEST(NormalizeTest, FoldsCaseAccentsAndSeparators) {
  for (const NormalizeCase& c : kCases) {
    SCOPED_TRACE(c.input);
    NormalizedText n;
    Normalize(c.input, n);
    EXPECT_EQ(n.text, c.want);
    EXPECT_EQ(n.offsets.size(), n.text.size() + 1);
  }
}

TEST(NormalizeTest, OffsetsMapBackToTheOriginalBytes) {
  const std::string input = "Déçu par  Fnac";
  NormalizedText n;
  Normalize(input, n);
  ASSERT_EQ(n.text, "decu par fnac");
  const size_t at = n.text.find("fnac");
  EXPECT_EQ(input.substr(n.OriginalBegin(at), n.OriginalEnd(at + 4) - n.OriginalBegin(at)), "Fnac");
  // "é" is two bytes in the original and one in the normalized text.
  EXPECT_EQ(input.substr(n.OriginalBegin(0), n.OriginalEnd(4) - n.OriginalBegin(0)), "Déçu");
}

TEST(NormalizeTest, RecordsSentenceAndParagraphEnds) {
  NormalizedText n;
  Normalize("Première phrase. Deuxième ? 3.5 euros\n\nNouveau paragraphe", n);
  EXPECT_EQ(n.text, "premiere phrase. deuxieme ? 3.5 euros nouveau paragraphe");
  // After "phrase.", after "?" and at the paragraph break; "3.5" ends nothing.
  const std::vector<uint32_t> want_sentences = {16, 27, 37};
  EXPECT_EQ(n.sentence_ends, want_sentences);
  const std::vector<uint32_t> want_paragraphs = {37};
  EXPECT_EQ(n.paragraph_ends, want_paragraphs);
}

TEST(NormalizeTest, WordBoundariesKnowLettersBeyondAscii) {
  const std::string text = "cœur éclat";
  EXPECT_TRUE(IsWordBoundaryBefore(text, 0));
  EXPECT_FALSE(IsWordBoundaryAfter(text, 1));  // "œ" is a letter
  EXPECT_TRUE(IsWordBoundaryAfter(text, 5));   // the space after "cœur"
}

}  // namespace
}  // namespace ecoute
