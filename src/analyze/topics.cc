// Topics: the cues' scores, the topic model's first topic on a complaint, and `other` for
// a complaint with none.
#include <algorithm>
#include <cmath>

#include "analyze/analyzer_internal.h"

namespace ecoute {

// Topic cues add their weights per topic into `topic_weight`; the score is
// 1 - e^(-sum of weights): one plain cue scores 0.63, two 0.86. Topics scoring at least 0.5
// are reported, by decreasing score.
void Analyzer::Impl::FindTopics(std::string_view original, const Scratch::State& s,
                                double (&topic_weight)[kTopicCount], Analysis& out) const {
  const NormalizedText& n = s.normalized;
  for (const LocatedTopicCue& c : s.topic_cues) topic_weight[static_cast<int>(c.topic)] += c.weight;
  for (int t = 0; t < kTopicCount; ++t) {
    const double score = 1.0 - std::exp(-topic_weight[t]);
    if (score < 0.5) continue;
    TopicVerdict verdict;
    verdict.topic = static_cast<Topic>(t);
    verdict.score = score;
    for (const LocatedTopicCue& c : s.topic_cues) {
      if (c.topic != verdict.topic || verdict.cues.size() >= kMaxCuesShown) continue;
      const std::string_view cue = Slice(original, n, c.begin, c.end);
      if (std::find(verdict.cues.begin(), verdict.cues.end(), cue) == verdict.cues.end()) {
        verdict.cues.push_back(cue);
      }
    }
    out.topics.push_back(std::move(verdict));
  }
  std::stable_sort(out.topics.begin(), out.topics.end(),
                   [](const TopicVerdict& a, const TopicVerdict& b) { return a.score > b.score; });
}

// The topic model reads the whole complaint; its log-probabilities plus the cue scores
// (weighed as for the stance) choose the first topic, which comes first whether the cues
// found it or not. The other topics stay as the cues found them.
void Analyzer::Impl::CombineWithTopicModel(Scratch::State& s, Analysis& out) const {
  if (!s.has_features) {
    s.feature_extractor.Extract(s.normalized.text, s.scan.tokens(), s.features);
    s.has_features = true;
  }
  topic_model->Predict(s.features, s.topic_probabilities);
  s.topic_cue_scores.assign(model_topics.size(), 0.0);
  for (size_t c = 0; c < model_topics.size(); ++c) {
    for (TopicVerdict& t : out.topics) {
      if (t.topic != model_topics[c]) continue;
      s.topic_cue_scores[c] = t.score;
      t.model = s.topic_probabilities[c];
    }
  }
  const size_t best =
      CombineTopicsWithCues(s.topic_probabilities, s.topic_cue_scores, kModelCueWeight);
  const auto found = std::find_if(out.topics.begin(), out.topics.end(), [&](const TopicVerdict& t) {
    return t.topic == model_topics[best];
  });
  if (found != out.topics.end()) {
    std::rotate(out.topics.begin(), found, found + 1);
    return;
  }
  TopicVerdict verdict;
  verdict.topic = model_topics[best];
  verdict.score = s.topic_probabilities[best];
  verdict.model = s.topic_probabilities[best];
  out.topics.insert(out.topics.begin(), std::move(verdict));
}

// A complaint (to the post or to one of its brands) gets its first topic from the topic
// model, and `other` (0.5) when it has none.
void Analyzer::Impl::ChooseComplaintTopics(Scratch::State& s, Analysis& out) const {
  const bool is_complaint =
      out.stance == Stance::kComplaint ||
      std::any_of(out.brands.begin(), out.brands.end(),
                  [](const BrandVerdict& b) { return b.stance == Stance::kComplaint; });
  if (is_complaint && topic_model) CombineWithTopicModel(s, out);
  if (is_complaint && out.topics.empty()) {
    TopicVerdict other;
    other.topic = Topic::kOther;
    other.score = 0.5;
    out.topics.push_back(std::move(other));
  }
}

}  // namespace ecoute
