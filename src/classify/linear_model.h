// A trained linear stance model beside the cue layer: logistic regression (LIBLINEAR)
// over hashed word unigrams and bigrams of the normalized text.
//
// The cue lexicons explain; the model generalizes to the many ways people write. It is
// trained by `ecoute train` on labeled posts (a team's own corrections included), saved
// in one file that records what it was trained on, and combined with the cues by
// CombineWithCues. The model, its features and its training are declared in the public
// ecoute/learn.h; here is the feature extractor the analyzer keeps per thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "ecoute/learn.h"

#include "extract/word_index.h"

namespace ecoute {

// The features of ExtractFeatures (ecoute/learn.h), from text already normalized
// (text/normalize.h), as the analysis has it, for
// prediction: unique features in the order of the text, not sorted (LinearModel::Predict
// does not need them sorted; training does). Keeps a 32 KiB set of the features seen, so
// that a long post costs no sort; one extractor per thread.
class FeatureExtractor {
 public:
  FeatureExtractor();
  void Extract(std::string_view normalized, std::vector<std::pair<int, float>>& out);
  // The same from the tokens of `normalized` that the scan already cut and hashed
  // (Scanner::Scratch::tokens(), WordIndex::Tokenize): the same features, without
  // reading the text again.
  void Extract(std::string_view normalized, const std::vector<Token>& tokens,
               std::vector<std::pair<int, float>>& out);

 private:
  std::vector<uint64_t> seen_;                 // one bit per feature index
  std::vector<std::pair<int, float>> buffer_;  // features being found
};

}  // namespace ecoute
