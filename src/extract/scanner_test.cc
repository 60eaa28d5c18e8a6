#include "extract/scanner.h"

#include <gtest/gtest.h>

#include "text/normalize.h"

namespace ecoute {
namespace {

// The hits of `text` as "kind:normalized text" strings, in order.
std::vector<std::string> Scan(const Scanner& scanner, std::string_view text) {
  NormalizedText n;
  Normalize(text, n);
  Scanner::Scratch scratch;
  std::vector<Hit> hits;
  std::vector<uint32_t> function_counts;
  scanner.Scan(n.text, n.paragraph_ends, scratch, hits, function_counts);
  std::vector<std::string> out;
  for (const Hit& h : hits) {
    const Pattern& p = scanner.pattern(h.pattern);
    const char* kind = p.kind == PatternKind::kCue      ? "cue"
                       : p.kind == PatternKind::kAlias  ? "alias"
                       : p.kind == PatternKind::kHandle ? "handle"
                       : p.kind == PatternKind::kDomain ? "domain"
                       : p.kind == PatternKind::kUrl    ? "url"
                                                        : "not";
    out.push_back(std::string(kind) + ":" + n.text.substr(h.begin, h.end - h.begin));
  }
  return out;
}

class ScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Brand bt;
    bt.name = "Bouygues Telecom";
    bt.aliases = {"Bouygues Télécom", "Bouygues"};
    bt.handles = {"@bouyguestelecom"};
    bt.domains = {"bouyguestelecom.fr"};
    catalog_.brands.push_back(bt);
    ASSERT_TRUE(ParseCues("complaint 2 inadmissible\nresolution 2 rembours*\n"
                          "currency.USD 1 $\n",
                          "test.cues", "fr", lexicon_)
                    .ok());
    auto compiled = Scanner::Compile(catalog_, lexicon_);
    ASSERT_TRUE(compiled.has_value()) << compiled.error().ToString();
    scanner_ = std::move(compiled).value();
  }
  BrandCatalog catalog_;
  Lexicon lexicon_;
  std::unique_ptr<Scanner> scanner_;
};

TEST_F(ScannerTest, MatchesAliasesWhateverTheirSpelling) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Scan(*scanner_, "Bouygues-Télécom"),
            (V{"alias:bouygues telecom", "alias:bouygues telecom", "alias:bouygues"}));
  EXPECT_EQ(Scan(*scanner_, "chez BOUYGUES."), (V{"alias:bouygues"}));
}

TEST_F(ScannerTest, RespectsWordBoundaries) {
  EXPECT_TRUE(Scan(*scanner_, "bouyguesland inadmissiblement").empty());
}

TEST_F(ScannerTest, PrefixCuesRunToTheEndOfTheWord) {
  EXPECT_EQ(Scan(*scanner_, "ils m'ont remboursé"), std::vector<std::string>{"cue:rembourse"});
}

TEST_F(ScannerTest, SymbolsNeedNoBoundary) {
  EXPECT_EQ(Scan(*scanner_, "paid $3,500"), std::vector<std::string>{"cue:$"});
}

TEST_F(ScannerTest, DomainsMatchTheirSubdomainsButNotLookalikes) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Scan(*scanner_, "https://www.bouyguestelecom.fr/aide"),
            (V{"url:https://", "url:www.", "domain:bouyguestelecom.fr"}));
  EXPECT_EQ(Scan(*scanner_, "vu sur bouyguestelecom.fr."), (V{"domain:bouyguestelecom.fr"}));
  EXPECT_EQ(Scan(*scanner_, "bouyguestelecom.fr.evil.example"), V{});
  EXPECT_EQ(Scan(*scanner_, "@bouyguestelecom merci"), (V{"handle:@bouyguestelecom"}));
}

}  // namespace
}  // namespace ecoute
