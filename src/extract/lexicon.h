// Cue lexicons: the words and phrases behind every verdict, one data file per language
// (data/lexicon/<lang>.cues; format in docs/LEXICONS.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ecoute/analysis.h"
#include "ecoute/status.h"

namespace ecoute {

enum class CueKind : uint8_t {
  kFunction,  // function word: evidence of the language
  kComplaint,
  kPraise,
  kResolution,
  kQuestion,
  kNegator,       // flips the polarity of the next stance cue within a few words
  kIntensifier,   // weight = multiplier of the next stance cue
  kTopic,         // detail = Topic
  kChannel,       // detail = Channel
  kSignal,        // detail = Signal
  kCurrency,      // currency = ISO code
  kMultiplier,    // weight = factor ("millions de")
  kNumber,        // weight = value ("deux"); looked up, not scanned
  kDuration,      // weight = seconds of one unit ("heures")
  kClause,        // a clause boundary ("mais", "but"): stance attribution restarts after it
  kIrony,         // a mark of irony: weight >= 2 turns praise around alone, less beside a complaint
  kOutsideCause,  // a cause no brand controls ("arbre sur les voies", "storm")
};

struct Cue {
  CueKind kind = CueKind::kFunction;
  uint8_t lang = 0;    // index into Lexicon::langs
  uint8_t detail = 0;  // Topic, Channel or Signal, by kind
  bool is_prefix = false;
  // A stance cue that holds a negator of its language ("toujours pas", "no complaints")
  // already says what it means: a negator before it does not flip it.
  bool is_negation_immune = false;
  double weight = 1;
  std::string term;      // normalized, without the trailing '*'
  std::string currency;  // kCurrency only
};

struct Lexicon {
  std::vector<std::string> langs;  // ISO 639-1 codes, one per file
  std::vector<Cue> cues;           // every kind but kNumber
  // Number words ("deux", "a couple of") by normalized text, for facts.
  std::unordered_map<std::string, double> numbers;
  // Normalized words that are also common words (brand names needing context).
  std::vector<std::string> common_words;
  // Phrases in which one of them is never a brand, whatever the catalog ("free shipping",
  // "au total", "feu orange"): (word, phrase), both normalized, sorted by word.
  std::vector<std::pair<std::string, std::string>> lookalikes;
};

// Parses one <lang>.cues file into `lexicon`. Errors name the file and line:
// "fr.cues:12: unknown kind `topic.bilings`".
Status ParseCues(std::string_view text, std::string_view file_name, std::string_view lang,
                 Lexicon& lexicon);

// Sets Cue::is_negation_immune on the stance cues that contain a negator of their
// language as a whole word. LoadLexicon calls it; call it after ParseCues otherwise.
void MarkNegationImmuneCues(Lexicon& lexicon);

// Loads every *.cues file of `dir` (sorted by name) and common_words.txt if present: one
// word a line, optionally followed by ":" and the comma-separated phrases in which it is
// not a brand ("free: free shipping, toll free").
Result<Lexicon> LoadLexicon(const std::string& dir);

}  // namespace ecoute
