// Facts: money amounts, durations, contact channels, links and urgency signals, assembled
// from the scanner's hits (currency, duration, multiplier, channel and signal cues) and
// the numbers written next to them.
#pragma once

#include <string_view>
#include <vector>

#include "ecoute/analysis.h"

#include "extract/lexicon.h"
#include "extract/scanner.h"
#include "text/normalize.h"

namespace ecoute {

// Parses a number written the French or the English way: "88 247", "3,500", "12,50",
// "1.234,56", "3.5". Returns false when `s` is not one.
bool ParseNumber(std::string_view s, double& value);

// Finds the number that ends exactly at `end` (or starts exactly at `begin`) in normalized
// text, with thousands groups separated by spaces only where the groups are of three
// digits ("en 2006 88 247 euros" gives 88 247). Sets the number's extent and value.
bool FindNumberBefore(std::string_view text, size_t end, size_t& begin, double& value);
bool FindNumberAfter(std::string_view text, size_t begin, size_t& end, double& value);

// Amounts, durations and links reported per post: a post that lists more is an
// inventory, not a complaint, and its first ones say enough.
constexpr size_t kMaxFactsPerKind = 64;

// A multiplier cue found in the text ("millions de" = 1e6), kept while facts are assembled.
struct LocatedMultiplier {
  uint32_t begin;
  uint32_t end;
  double value;
};

// Working memory for ExtractFacts, reused across posts.
struct FactsScratch {
  std::vector<LocatedMultiplier> multipliers;
};

// Appends the facts of one post to `out` (cleared first, buffers reused): money and
// durations from the currency, duration and multiplier hits; channels, signals and links.
// `original` is the post's text; views in `out` point into it.
void ExtractFacts(std::string_view original, const NormalizedText& normalized,
                  const std::vector<Hit>& hits, const Scanner& scanner, const Lexicon& lexicon,
                  FactsScratch& scratch, Facts& out);

}  // namespace ecoute
