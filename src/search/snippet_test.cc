// Snippets highlight what the index matched: the same folding and stemming, prefixes,
// elisions, and a window of the best part of a long text.
#include "search/snippet.h"

#include <gtest/gtest.h>

namespace ecoute {
namespace {

TEST(SnippetTest, AShortTextIsWholeWithItsMatchingWordsMarked) {
  SnippetMaker maker({"perdu"}, "\"perdu\"");
  EXPECT_EQ(maker.Make("Colis perdu, Fnac ne répond pas", "fr", "[", "]"),
            "Colis [perdu], Fnac ne répond pas");
}

TEST(SnippetTest, WordsMatchByTheirStemInThePostsLanguageAndWithoutAccents) {
  SnippetMaker maker({"remboursé", "délai"}, "\"remboursé\" AND \"délai\"");
  EXPECT_EQ(maker.Make("Toujours pas de remboursement, le delai est dépassé.", "fr", "<b>", "</b>"),
            "Toujours pas de <b>remboursement</b>, le <b>delai</b> est dépassé.");
  // English stems for an English post: "refund" finds "refunded".
  SnippetMaker english({"refund"}, "\"refund\"");
  EXPECT_EQ(english.Make("They refunded me twice, no refunds since", "en", "[", "]"),
            "They [refunded] me twice, no [refunds] since");
}

TEST(SnippetTest, PrefixesMatchTheStartOfWordsAndPlainWordsDoNot) {
  SnippetMaker prefix({"rembour"}, "\"rembour\" *");
  EXPECT_EQ(prefix.Make("Ils refusent de rembourser", "fr", "[", "]"),
            "Ils refusent de [rembourser]");
  SnippetMaker word({"colis"}, "\"colis\"");
  EXPECT_EQ(word.Make("Colissimo a perdu le colis", "fr", "[", "]"),
            "Colissimo a perdu le [colis]");
}

TEST(SnippetTest, ElisionsAndPhrasesAreSplitAsTheIndexSplitsThem) {
  SnippetMaker maker({"l'avion", "en", "retard"}, "\"l'avion\" AND \"en retard\"");
  EXPECT_EQ(maker.Make("L'avion est parti en retard", "fr", "[", "]"),
            "L'[avion] est parti [en] [retard]");
}

TEST(SnippetTest, ALongTextIsCutToTheWindowWithTheMostMatches) {
  // 40 words; the matches are words 30 and 32.
  std::string text;
  for (int i = 0; i < 40; ++i) {
    if (!text.empty()) text += ' ';
    text += i == 30 ? "colis" : i == 32 ? "perdu" : "mot" + std::to_string(i);
  }
  SnippetMaker maker({"colis", "perdu"}, "\"colis\" AND \"perdu\"");
  EXPECT_EQ(maker.Make(text, "fr", "[", "]", 6), "…mot28 mot29 [colis] mot31 [perdu] mot33…");
  // At the end of the text: no "…" after it.
  EXPECT_EQ(maker.Make(text, "fr", "[", "]", 12),
            "…mot28 mot29 [colis] mot31 [perdu] mot33 mot34 mot35 mot36 mot37 mot38 mot39");
  // No match (a title matched): the start of the text.
  SnippetMaker other({"absent"}, "\"absent\"");
  EXPECT_EQ(other.Make(text, "fr", "[", "]", 3), "mot0 mot1 mot2…");
}

}  // namespace
}  // namespace ecoute
