// One pass over a normalized text finds every brand pattern and every lexicon cue.
//
// Brand names, aliases, handles, domains and all the cue terms of every language are
// compiled once into one Hyperscan literal database; scanning is linear in the text and
// barely depends on the number of patterns, so a catalog of thousands of brands costs
// about what an empty one does.
#pragma once

#include <hs/hs.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/catalog.h"
#include "ecoute/status.h"
#include "extract/lexicon.h"

namespace ecoute {

enum class PatternKind : uint8_t {
  kAlias,      // a brand's name or alias; index = brand
  kHandle,     // index = brand
  kDomain,     // index = brand
  kExclusion,  // a phrase that looks like the brand but is not; index = brand
  kCue,        // index = cue in the lexicon
  kUrl,        // the start of a URL ("http://", "www.")
};

struct Pattern {
  PatternKind kind = PatternKind::kCue;
  bool is_upper_only = false;   // a short alias written in capitals in the catalog
  bool is_common_word = false;  // needs a sign of the brand nearby
  uint32_t index = 0;
  uint32_t length = 0;  // bytes of the normalized literal
  bool check_left = true;
  bool check_right = true;
  bool extends_word = false;  // a prefix cue: the hit runs to the end of the word
  bool allows_digit_before = false;  // a unit glued to its number: "2h", "5k", "15mn"
  // A short word compiled with a space on each side (" le "): it would otherwise match
  // inside most words of the text, only to fail its boundary checks.
  bool is_padded = false;
};

// A pattern found in the text: [begin, end) in normalized bytes.
// Function words are counted on this many bytes at the start of each paragraph.
constexpr size_t kFunctionSampleBytes = 768;

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

  // Per-thread Hyperscan scratch space; grows on first use with each scanner.
  class Scratch {
   public:
    Scratch() = default;
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

   private:
    friend class Scanner;
    hs_scratch_t* scratch_ = nullptr;
    // The database the scratch was last sized for: hs_alloc_scratch checksums the whole
    // database on every call, far too slow to run per post.
    uint64_t sized_for_ = 0;  // a Scanner's id_; ids are never reused
    hs_scratch_t* function_scratch_ = nullptr;
    std::string padded_;      // " " + text + " ", so that padded words match at the ends
  };

  // Replaces `hits` with the patterns found in normalized `text` that pass their word
  // boundary checks, sorted by begin, longer first on ties. Function words are not hits:
  // see CountFunctionWords.
  void Scan(std::string_view text, Scratch& scratch, std::vector<Hit>& hits) const;

  // Counts the function words of each language in the first kFunctionSampleBytes of each
  // paragraph of `text` (paragraph_ends as NormalizedText gives them): enough evidence to
  // tell French from English, at a bounded cost. `counts` is resized to
  // paragraphs * languages and indexed [paragraph * languages + lang].
  void CountFunctionWords(std::string_view text, const std::vector<uint32_t>& paragraph_ends,
                          Scratch& scratch, std::vector<uint32_t>& counts) const;
  size_t language_count() const { return language_count_; }

  const Pattern& pattern(uint32_t id) const { return patterns_[id]; }
  size_t pattern_count() const { return patterns_.size(); }

 private:
  Scanner() = default;
  hs_database_t* database_ = nullptr;
  hs_database_t* function_database_ = nullptr;  // null when no lexicon has function words
  std::vector<uint8_t> function_langs_;  // language of each function-word pattern
  size_t language_count_ = 0;
  uint64_t id_ = 0;
  std::vector<Pattern> patterns_;
};

}  // namespace ecoute
