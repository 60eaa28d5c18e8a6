#include "extract/word_index.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ecoute {
namespace {

struct TokenCase {
  std::string_view text;
  size_t want;
};

constexpr TokenCase kTokens[] = {
    {"bonjour tout", 7},                       // a run of letters
    {"15h30", 2},                              // digits and letters are separate tokens
    {"h30", 1},          {"@free mobile", 5},  // a handle keeps its sign
    {"#fail!", 5},                             // so does a hashtag
    {"@ alone", 1},                            // a sign with no word is a symbol
    {"€15", 3},                                // a symbol is one code point (3 bytes here)
    {"œuvre", 6},                              // non-ASCII letters belong to words
    {"😡😡", 4},                                 // one emoji at a time
    {"?!", 1},
};

TEST(WordIndexTest, FirstTokenLengthFollowsWordsDigitsAndSymbols) {
  for (const TokenCase& c : kTokens) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(FirstTokenLength(c.text), c.want);
  }
}

// Every candidate found in `text` as "literal@begin".
std::vector<std::string> Find(const WordIndex& index, const std::vector<std::string>& literals,
                              std::string_view text) {
  std::vector<std::string> out;
  index.ForEachCandidate(text, [&](uint32_t id, size_t begin, size_t end) {
    EXPECT_EQ(end - begin, literals[id].size());
    out.push_back(literals[id] + "@" + std::to_string(begin));
  });
  return out;
}

TEST(WordIndexTest, FindsWordsPhrasesPrefixesAndSymbolsAtTokenStarts) {
  const std::vector<std::string> literals = {
      "pas",             // 0: one token
      "pas de reponse",  // 1: a phrase filed under "pas de"
      "pas de",          // 2: a two-token phrase
      "rembours",        // 3: an open prefix
      "jamais demand",   // 4: a phrase whose last word is an open prefix
      "$",               // 5: a symbol
      "c$",              // 6: a word then a symbol
      "@fnac",           // 7: a handle
      "fail",            // 8: a word also found after '#'
      "fnac.com",        // 9: a domain
  };
  WordIndex index;
  for (uint32_t id = 0; id < literals.size(); ++id) {
    index.Add(literals[id], id, id == 3 || id == 4);
  }
  index.Build();
  using V = std::vector<std::string>;
  EXPECT_EQ(Find(index, literals, "toujours pas de reponse"),
            (V{"pas de reponse@9", "pas de@9", "pas@9"}));  // longest first at one start
  EXPECT_EQ(Find(index, literals, "ils ont rembourse"), (V{"rembours@8"}));
  EXPECT_EQ(Find(index, literals, "jamais demandee"), (V{"jamais demand@0"}));
  EXPECT_EQ(Find(index, literals, "15 c$ ou $3"), (V{"c$@3", "$@4", "$@9"}));
  EXPECT_EQ(Find(index, literals, "@fnac #fail www.fnac.com"),
            (V{"@fnac@0", "fail@7", "fnac.com@16"}));
  // Inside a word is not a token start: the caller's boundary checks never see these.
  EXPECT_EQ(Find(index, literals, "repas passe"), V{});
}

TEST(WordIndexTest, AnEmptyIndexFindsNothing) {
  WordIndex index;
  index.Build();
  size_t calls = 0;
  index.ForEachCandidate("pas de reponse", [&](uint32_t, size_t, size_t) { ++calls; });
  EXPECT_EQ(calls, 0u);
}

}  // namespace
}  // namespace ecoute
