// Learning from labeled posts (`ecoute train`, `ecoute eval`): a linear stance (or topic)
// model beside the cue layer, logistic regression (LIBLINEAR) over hashed word unigrams and
// bigrams of the normalized text, and how its answer is combined with the cues'.
//
// The cue lexicons explain; the model generalizes to the many ways people write. It is
// trained on labeled posts (a team's own corrections included), saved in one file that
// records what it was trained on, loaded by the Analyzer (ecoute/analysis.h) and combined
// with the cues by CombineWithCues. The data it learns from is read by ecoute/dataset.h and
// its answers are scored by ecoute/evaluation.h.
//
// Errors are values: Train, Load and Save fail with a Status; the rest cannot fail. A
// model is immutable once trained or loaded (but for its provenance): Predict may be called
// from any thread. The other functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecoute/analysis.h"
#include "ecoute/status.h"

namespace ecoute {

// Hashed feature space: 2^kFeatureBits features (unigrams and bigrams share it).
constexpr int kFeatureBits = 18;

// Appends the features of `text` (any UTF-8): sorted, unique feature indexes in
// [1, 2^kFeatureBits], each with the same value (1/sqrt(count), so that the vector has
// unit length). Handles, URLs and numbers are generalized ("@user", "<url>", "<num>"); a
// word of seven bytes or more also counts by its first five.
void ExtractFeatures(std::string_view text, std::vector<std::pair<int, float>>& out);

// A 64-bit hash of `text`, the same from run to run (the word index's): what `ecoute train` and
// `ecoute eval` split data by (dev share, folds), so that duplicates of one text always
// fall on the same side of a split.
uint64_t SplitHash(std::string_view text);

struct TrainingOptions {
  double c = 16.0;        // inverse regularization strength
  double epsilon = 0.01;  // stopping tolerance
  // Weighs each example by N / (labels x examples of its label), so that every label
  // weighs the same in training whatever its share of the data: the model's prior is then
  // flat rather than the training data's (which may not be the world's).
  bool balance_labels = false;
};

// A labeled example for training: its features and its label's index.
struct TrainingExample {
  std::vector<std::pair<int, float>> features;
  int label = 0;
};

// A trained model: its labels, what it was trained on, and a weight per label for each
// feature that has one. Immutable once trained or loaded, but for provenance(): Predict
// may be called from many threads at once.
class LinearModel {
 public:
  // Trains on `examples` whose labels index `labels`. Deterministic (LIBLINEAR's primal
  // solver, one thread). Fails with kInvalidArgument when there are fewer than two
  // labels or no example.
  static Result<std::unique_ptr<LinearModel>> Train(const std::vector<std::string>& labels,
                                                    const std::vector<TrainingExample>& examples,
                                                    const TrainingOptions& options);

  // Loads a model file written by Save; errors name the file and what is wrong.
  static Result<std::unique_ptr<LinearModel>> Load(const std::string& path);
  // Writes the model: a text header (format, labels, provenance), then the features that
  // have a weight, each a little-endian uint32 and one float32 per label, then the bias.
  Status Save(const std::string& path) const;

  // Probabilities of each label for `features` (sum 1), into `out` (resized).
  void Predict(const std::vector<std::pair<int, float>>& features, std::vector<double>& out) const;

  const std::vector<std::string>& labels() const { return labels_; }
  // Free text saved with the model: what it was trained on, when, its dev score.
  std::vector<std::string>& provenance() { return provenance_; }
  const std::vector<std::string>& provenance() const { return provenance_; }

 private:
  LinearModel() = default;
  std::vector<std::string> labels_;
  std::vector<std::string> provenance_;
  // The features with a weight, in an open-addressing table: each slot is the feature
  // (uint32 bits in a float's place; 0 = empty) then one weight per label.
  void BuildTable(const std::vector<uint32_t>& indexes, const std::vector<float>& rows);
  const float* Row(uint32_t index) const;  // its weights, or nullptr
  size_t SlotOf(uint32_t index) const { return (index * 0x9E3779B1u) >> (32 - slot_bits_); }
  uint32_t SlotIndex(size_t slot) const {
    uint32_t index;
    std::memcpy(&index, slots_.data() + slot * stride_, sizeof index);
    return index;
  }
  std::vector<float> slots_;
  size_t stride_ = 1;  // floats per slot
  int slot_bits_ = 4;
  std::vector<float> bias_;  // per label
};

// The label a stance counts as in a label set that may lack it: resolution counts as
// praise, question as neutral, and the reverse, when only those exist. Empty when none fits.
std::string_view StanceLabelIn(Stance stance, const std::vector<std::string>& labels);

// Below this probability the model does not overturn cues that found nothing.
constexpr double kModelSureProbability = 0.6;

// Combines the model's probabilities with the cue layer's verdict: the model's
// log-probabilities, plus `cue_weight` x the cue confidence for the label the cues chose.
// When the cues found nothing, the model decides only if it is sure
// (kModelSureProbability), else the answer is "neutral" when the labels have it. Returns
// the winning label's index and its share of the combined evidence in `confidence`.
int CombineWithCues(const std::vector<double>& probabilities,
                    const std::vector<std::string>& labels, Stance cue_stance,
                    double cue_confidence, double cue_weight, double& confidence);

// Chooses among a topic model's labels: the log-probability of each plus `cue_weight` x
// `cue_scores` (the cue layer's score of the same label, 0 when the cues did not find it).
// Returns the winning label's index.
size_t CombineTopicsWithCues(const std::vector<double>& probabilities,
                             const std::vector<double>& cue_scores, double cue_weight);

}  // namespace ecoute
