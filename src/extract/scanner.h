// One pass over a normalized text finds every brand pattern and every lexicon cue.
//
// Brand names, aliases, handles, domains and all the cue terms of every language are
// filed once in one word index (extract/word_index.h): scanning reads the text token by
// token with one hash probe per token, so a catalog of thousands of brands costs about
// what an empty one does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/catalog.h"
#include "ecoute/status.h"

#include "extract/lexicon.h"
#include "extract/word_index.h"

namespace ecoute {

enum class PatternKind : uint8_t {
  kAlias,      // a brand's name or alias; index = brand
  kHandle,     // index = brand
  kDomain,     // index = brand
  kExclusion,  // a phrase that looks like the brand but is not; index = brand
  kCue,        // index = cue in the lexicon
  kUrl,        // the start of a URL ("http://", "www.")
  kFunction,   // a function word; index = its language
};

struct Pattern {
  PatternKind kind = PatternKind::kCue;
  bool is_upper_only = false;   // a short alias written in capitals in the catalog
  bool is_common_word = false;  // needs a sign of the brand nearby
  uint32_t index = 0;
  uint32_t length = 0;  // bytes of the normalized literal
  bool check_left = true;
  bool check_right = true;
  bool extends_word = false;         // a prefix cue: the hit runs to the end of the word
  bool allows_digit_before = false;  // a unit glued to its number: "2h", "5k", "15mn"
};

// A pattern found in the text: [begin, end) in normalized bytes.
struct Hit {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t pattern = 0;
};

class Scanner {
 public:
  // Compiles the catalog's brands and the lexicon's cues. Fails with kInvalidArgument
  // naming a brand whose patterns are empty once normalized.
  static Result<std::unique_ptr<Scanner>> Compile(const BrandCatalog& catalog,
                                                  const Lexicon& lexicon);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Per-thread working memory: a padded copy of the text and its tokens.
  class Scratch {
   public:
    // The tokens of the text last scanned (WordIndex::Tokenize), with their hashes: the
    // models' features reuse them (FeatureExtractor::Extract).
    const std::vector<Token>& tokens() const { return tokens_; }

   private:
    friend class Scanner;
    std::string padded_;
    std::vector<Token> tokens_;
  };

  // Replaces `hits` with the patterns found in normalized `text` that pass their word
  // boundary checks, sorted by begin, longer first on ties. Function words are not hits:
  // they are counted in `function_counts`, resized to paragraphs * languages and indexed
  // [paragraph * languages + lang], paragraphs as `paragraph_ends` (NormalizedText) says.
  void Scan(std::string_view text, const std::vector<uint32_t>& paragraph_ends, Scratch& scratch,
            std::vector<Hit>& hits, std::vector<uint32_t>& function_counts) const;
  size_t language_count() const { return language_count_; }

  const Pattern& pattern(uint32_t id) const { return patterns_[id]; }
  size_t pattern_count() const { return patterns_.size(); }

 private:
  Scanner() = default;
  WordIndex index_;        // lexicon cues, function words, URL starts
  WordIndex brand_index_;  // names, aliases, handles, domains, exclusions
  size_t language_count_ = 0;
  std::vector<Pattern> patterns_;
};

}  // namespace ecoute
