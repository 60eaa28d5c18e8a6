// The Analyzer's insides, shared by the files of its steps (docs/ANALYSIS.md):
//   walk.cc      the walk over the scan's hits: mentions, stance, topic and other cues;
//   analyzer.cc  the pipeline, facts and language;
//   brands.cc    which mentions are brands, and bystanders tagged in copy;
//   stances.cc   the stance of each brand and of the post, with the models and the rules
//                that read a fault or irony as a complaint;
//   topics.cc    the topics, with the topic model;
//   severity.cc  severity, reach and priority, with their reasons.
// Not a public header: only src/analyze includes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ecoute/analysis.h"

#include "classify/linear_model.h"
#include "classify/stance.h"
#include "extract/facts.h"
#include "extract/lexicon.h"
#include "extract/scanner.h"
#include "text/normalize.h"

namespace ecoute {

// At most this many cues are shown per verdict: enough to see why, short enough to read.
inline constexpr size_t kMaxCuesShown = 8;
// Weight of the cues against the models' log-probabilities (see CombineWithCues): chosen
// on the training airlines (docs/EVALUATION.md).
inline constexpr double kModelCueWeight = 2.0;

// A stance cue in the text, with the normalized range to show (negator included).
struct LocatedStanceCue {
  StanceCue cue;
  uint32_t sentence = 0;
  uint32_t show_begin = 0;
  uint32_t show_end = 0;
};

struct LocatedTopicCue {
  Topic topic = Topic::kOther;
  double weight = 0;
  uint32_t sentence = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct Mention {
  uint32_t brand = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t sentence = 0;
  bool needs_context = false;  // a common word not yet confirmed
  bool is_capitalized_mid_sentence = false;
  bool follows_brand_frame = false;  // "chez orange", "client free", "switched to three"
};

// The original text behind normalized [begin, end).
std::string_view Slice(std::string_view original, const NormalizedText& n, uint32_t begin,
                       uint32_t end);

struct Analyzer::Impl {
  BrandCatalog catalog;
  Lexicon lexicon;
  std::unique_ptr<Scanner> scanner;
  std::unique_ptr<LinearModel> model;  // optional
  // The model's labels as stances; false where a label is not a stance name.
  std::vector<std::pair<bool, Stance>> model_stances;
  std::unique_ptr<LinearModel> topic_model;  // optional
  std::vector<Topic> model_topics;           // its labels
  std::unordered_map<std::string, uint32_t> brand_by_domain;

  // Runs the steps below, in order.
  void Analyze(const Post& post, Scratch::State& s, Analysis& out) const;

  static void Reset(const Post& post, Scratch::State& s, Analysis& out);
  void WalkHits(std::string_view original, Scratch::State& s) const;
  void AddFacts(const Post& post, Scratch::State& s, Analysis& out) const;
  void DecideLanguage(std::string_view original, Scratch::State& s, Analysis& out) const;
  void ConfirmBrands(const Post& post, Scratch::State& s, Analysis& out) const;
  void DecideBrandStances(std::string_view original, Scratch::State& s, Analysis& out) const;
  // Returns the weight of the post's complaint cues.
  double DecideOverallStance(std::string_view original, Scratch::State& s, Analysis& out) const;
  void CombineWithModel(Scratch::State& s, Analysis& out) const;
  void FindTopics(std::string_view original, const Scratch::State& s,
                  double (&topic_weight)[kTopicCount], Analysis& out) const;
  void ReadFaultAsComplaint(std::string_view original, const NormalizedText& n,
                            const Scratch::State& s, const double (&topic_weight)[kTopicCount],
                            Analysis& out) const;
  static void QuietBystanders(std::string_view original, Analysis& out);
  void ChooseComplaintTopics(Scratch::State& s, Analysis& out) const;
  static void Score(const Post& post, Analysis& out, double complaint_strength);

  // What the steps share.
  void CombineWithTopicModel(Scratch::State& s, Analysis& out) const;
  void AppendCues(std::string_view original, const NormalizedText& n,
                  const std::vector<LocatedStanceCue>& cues, const std::vector<uint32_t>& which,
                  const StanceDecision& decision, std::vector<std::string_view>& out) const;
  // Each stance cue's segment and owners (cue_segments, cue_owners) from segment_brands.
  static void FindCueOwners(Scratch::State& s);
};

struct Analyzer::Scratch::State {
  NormalizedText normalized;
  Scanner::Scratch scan;
  std::vector<Hit> hits;
  FactsScratch facts;
  std::vector<Mention> mentions;
  // Normalized ranges where a brand's alias is not that brand ("feu orange", a catalog's
  // `not`), with the brand.
  struct Exclusion {
    uint32_t begin, end, brand;
  };
  std::vector<Exclusion> exclusions;
  std::vector<LocatedStanceCue> stance_cues;
  std::vector<LocatedTopicCue> topic_cues;
  double irony = 0;                       // the heaviest irony cue of the post (0: none)
  bool names_outside_cause = false;       // a cause no brand controls is named
  std::vector<uint32_t> topic_sentences;  // sentences holding a topic cue, ascending
  std::vector<uint32_t> firm_brands;      // brands named without needing context, sorted
  FeatureExtractor feature_extractor;     // for the models
  std::vector<std::pair<int, float>> features;
  bool has_features = false;  // `features` are this post's
  std::vector<double> probabilities;
  std::vector<double> topic_probabilities;
  std::vector<double> topic_cue_scores;
  std::vector<uint32_t> function_counts;  // [paragraph * langs + lang]
  std::vector<StanceCue> decision_input;
  std::vector<uint32_t> selected;                             // indices into stance_cues
  std::vector<std::pair<uint32_t, uint32_t>> segment_brands;  // (sentence, verdict)
  std::vector<std::pair<uint32_t, uint32_t>> cue_segments;    // per stance cue: its segment's
                                                              // range in segment_brands
  std::vector<uint64_t> cue_owners;  // per stance cue: bit v for verdict v < 64 owning it
};

// The verdict of catalog brand `brand` in `out`, added in order of first mention.
BrandVerdict& VerdictOf(const BrandCatalog& catalog, uint32_t brand, Analysis& out);

}  // namespace ecoute
