// The stance of each brand and of the post: the cue decision (classify/stance.h), the
// stance model combined with it, and the rules that read a fault or irony as a complaint.
#include <algorithm>
#include <cstdint>
#include <iterator>

#include "analyze/analyzer_internal.h"

namespace ecoute {

namespace {

// The weight of fault-topic cues (outage, defect, delay) that makes a question or
// a flat report a complaint: one strong cue ("panne", "plus internet") or two plain ones.
constexpr double kFaultComplaintWeight = 1.5;

// An irony cue this heavy turns praise into a complaint by itself ("#oupas", 🙄); a lighter
// one ("bravo", "quel professionnalisme") only beside a complaint or a fault.
constexpr double kStrongIrony = 2;

}  // namespace

// Each cue's segment, as the range of segment_brands naming its first sentence: the last
// one naming a brand at or before the cue (or the first one). Found once per cue, not once
// per cue and brand.
void Analyzer::Impl::FindCueOwners(Scratch::State& s) {
  s.cue_segments.clear();
  s.cue_owners.clear();
  if (s.segment_brands.empty()) return;
  for (const LocatedStanceCue& c : s.stance_cues) {
    auto upper = std::upper_bound(s.segment_brands.begin(), s.segment_brands.end(),
                                  std::make_pair(c.sentence, UINT32_MAX));
    const uint32_t segment_sentence = upper == s.segment_brands.begin()
                                          ? s.segment_brands.front().first
                                          : std::prev(upper)->first;
    const auto lower = std::lower_bound(s.segment_brands.begin(), s.segment_brands.end(),
                                        std::make_pair(segment_sentence, uint32_t{0}));
    if (upper == s.segment_brands.begin()) {
      upper = std::upper_bound(lower, s.segment_brands.end(),
                               std::make_pair(segment_sentence, UINT32_MAX));
    }
    s.cue_segments.emplace_back(static_cast<uint32_t>(lower - s.segment_brands.begin()),
                                static_cast<uint32_t>(upper - s.segment_brands.begin()));
    // The first 64 verdicts own the cue by a bit each.
    uint64_t owners = 0;
    for (auto it = lower; it != upper; ++it) {
      if (it->second < 64) owners |= uint64_t{1} << it->second;
    }
    s.cue_owners.push_back(owners);
  }
}

// Stance per brand: a sentence belongs to the brands named in it; a sentence naming none
// belongs to those of the last sentence that did (the first ones to the first).
void Analyzer::Impl::DecideBrandStances(std::string_view original, Scratch::State& s,
                                        Analysis& out) const {
  s.segment_brands.clear();
  for (const Mention& m : s.mentions) {
    if (m.needs_context) continue;
    const auto verdict =
        static_cast<uint32_t>(&VerdictOf(catalog, m.brand, out) - out.brands.data());
    s.segment_brands.emplace_back(m.sentence, verdict);
  }
  std::sort(s.segment_brands.begin(), s.segment_brands.end());
  s.segment_brands.erase(std::unique(s.segment_brands.begin(), s.segment_brands.end()),
                         s.segment_brands.end());
  FindCueOwners(s);
  for (uint32_t v = 0; v < out.brands.size(); ++v) {
    BrandVerdict& verdict = out.brands[v];
    s.decision_input.clear();
    s.selected.clear();
    const bool has_spans = !verdict.spans.empty();
    for (uint32_t i = 0; i < s.stance_cues.size(); ++i) {
      bool owns = !has_spans || s.segment_brands.empty();
      if (!owns && v < 64) {
        owns = (s.cue_owners[i] >> v & 1) != 0;
      } else if (!owns) {
        const auto [lower, upper] = s.cue_segments[i];
        for (uint32_t k = lower; k < upper && !owns; ++k) owns = s.segment_brands[k].second == v;
      }
      if (owns) {
        s.decision_input.push_back(s.stance_cues[i].cue);
        s.selected.push_back(i);
      }
    }
    const StanceDecision d = DecideStance(s.decision_input);
    verdict.stance = d.stance;
    verdict.confidence = d.confidence;
    AppendCues(original, s.normalized, s.stance_cues, s.selected, d, verdict.cues);
  }
}

// The post's overall stance, from every cue.
double Analyzer::Impl::DecideOverallStance(std::string_view original, Scratch::State& s,
                                           Analysis& out) const {
  s.decision_input.clear();
  s.selected.clear();
  double complaint_strength = 0;
  for (uint32_t i = 0; i < s.stance_cues.size(); ++i) {
    s.decision_input.push_back(s.stance_cues[i].cue);
    s.selected.push_back(i);
    if (s.stance_cues[i].cue.cue_class == CueClass::kComplaint) {
      complaint_strength += s.stance_cues[i].cue.weight;
    }
  }
  const StanceDecision overall = DecideStance(s.decision_input);
  out.stance = overall.stance;
  out.confidence = overall.confidence;
  AppendCues(original, s.normalized, s.stance_cues, s.selected, overall, out.cues);
  return complaint_strength;
}

void Analyzer::Impl::AppendCues(std::string_view original, const NormalizedText& n,
                                const std::vector<LocatedStanceCue>& cues,
                                const std::vector<uint32_t>& which, const StanceDecision& decision,
                                std::vector<std::string_view>& out) const {
  out.clear();
  if (decision.stance == Stance::kNeutral) return;
  for (uint32_t i : which) {
    const LocatedStanceCue& c = cues[i];
    const bool shown =
        c.cue.cue_class == decision.evidence ||
        (decision.shows_complaint_too && c.cue.cue_class == CueClass::kComplaint) ||
        (decision.stance == Stance::kPraise &&
         (c.cue.cue_class == CueClass::kPraise || c.cue.cue_class == CueClass::kResolution));
    if (!shown) continue;
    const std::string_view cue = Slice(original, n, c.show_begin, c.show_end);
    if (std::find(out.begin(), out.end(), cue) == out.end()) out.push_back(cue);
    if (out.size() >= kMaxCuesShown) break;
  }
}

// The model reads the whole post; the cues say where and why. Their combination becomes the
// post's stance, and the stance of its brand when it names only one (the post is about
// it); with several brands, each keeps the stance of its own sentences.
void Analyzer::Impl::CombineWithModel(Scratch::State& s, Analysis& out) const {
  s.feature_extractor.Extract(s.normalized.text, s.scan.tokens(), s.features);
  s.has_features = true;
  model->Predict(s.features, s.probabilities);
  const auto alone = static_cast<size_t>(
      std::max_element(s.probabilities.begin(), s.probabilities.end()) - s.probabilities.begin());
  out.model_label = model->labels()[alone];
  out.model_confidence = s.probabilities[alone];
  double confidence = 0;
  const int best = CombineWithCues(s.probabilities, model->labels(), out.stance, out.confidence,
                                   kModelCueWeight, confidence);
  const auto [is_stance, stance] = model_stances[best];
  if (!is_stance) return;  // a model of other labels informs but does not decide
  // A model of three classes says praise for a resolution the cues found, or neutral for
  // their question: keep the cues', which are the finer verdicts of the same kind.
  const bool is_finer = (stance == Stance::kPraise && out.stance == Stance::kResolution) ||
                        (stance == Stance::kNeutral && out.stance == Stance::kQuestion);
  if (!is_finer) out.stance = stance;
  out.confidence = confidence;
  if (out.brands.size() == 1 && out.brands[0].stance != Stance::kResolution) {
    out.brands[0].stance = out.stance;
    out.brands[0].confidence = confidence;
  }
}

// A fault the writer reports is a complaint to the brand, even asked as a question or told
// without a judging word: "pourquoi j'ai plus internet ?", "box bloquée à l'étape 6, que
// faire ?", "débit en chute depuis trois jours" (docs/ANNOTATION.md: the grievance wins over
// the request). The fault topics' cues (outage, product defect, delay; not delivery, whose
// words name parcels and bags, faulty or not) say there is one; a post that names only an outside
// cause (a tree on the line, a storm) does not blame the brand and is left as it was.
void Analyzer::Impl::ReadFaultAsComplaint(std::string_view original, const NormalizedText& n,
                                          const Scratch::State& s,
                                          const double (&topic_weight)[kTopicCount],
                                          Analysis& out) const {
  if (out.stance != Stance::kQuestion && out.stance != Stance::kNeutral &&
      out.stance != Stance::kPraise) {
    return;
  }
  double fault = 0;
  for (Topic t : {Topic::kOutage, Topic::kProductDefect, Topic::kDelay}) {
    fault += topic_weight[static_cast<int>(t)];
  }
  // Praise beside a complaint, with a mark of irony, is sarcasm: "Bravo X, trois
  // rendez-vous manqués, quel professionnalisme", "super le service client #oupas", 🙄.
  bool sarcastic = false;
  if (out.stance == Stance::kPraise) {
    double complaint = 0;
    for (const LocatedStanceCue& c : s.stance_cues) {
      if (c.cue.cue_class == CueClass::kResolution) return;
      if (c.cue.cue_class == CueClass::kComplaint) complaint += c.cue.weight;
    }
    sarcastic = s.irony >= kStrongIrony || (s.irony > 0 && complaint + fault > 0);
    if (sarcastic) fault = std::max(fault, kFaultComplaintWeight);
  }
  if (fault < kFaultComplaintWeight || s.names_outside_cause) return;
  if (out.stance == Stance::kPraise && !sarcastic) {
    // Thanks for a fault are sarcasm ("merci pour votre non-installation de la fibre depuis
    // le 8 juillet"): when the fault outweighs the praise and nothing was fixed.
    double praise = 0;
    for (const LocatedStanceCue& c : s.stance_cues) {
      if (c.cue.cue_class == CueClass::kResolution) return;
      if (c.cue.cue_class == CueClass::kPraise) praise += c.cue.weight;
    }
    if (praise >= fault) return;
  }
  out.stance = Stance::kComplaint;
  out.confidence = std::min(0.5 + 0.1 * fault, 0.8);
  out.cues.clear();
  if (sarcastic) {
    // The words behind it: the complaint, and the praise read as irony.
    for (const LocatedStanceCue& c : s.stance_cues) {
      if (c.cue.cue_class != CueClass::kComplaint && c.cue.cue_class != CueClass::kPraise) continue;
      const std::string_view cue = Slice(original, n, c.show_begin, c.show_end);
      if (std::find(out.cues.begin(), out.cues.end(), cue) == out.cues.end()) {
        out.cues.push_back(cue);
      }
      if (out.cues.size() >= kMaxCuesShown) break;
    }
  }
  for (const LocatedTopicCue& c : s.topic_cues) {
    if (out.cues.size() >= kMaxCuesShown) break;
    if (c.topic != Topic::kOutage && c.topic != Topic::kProductDefect && c.topic != Topic::kDelay) {
      continue;
    }
    const std::string_view cue = Slice(original, n, c.begin, c.end);
    if (std::find(out.cues.begin(), out.cues.end(), cue) == out.cues.end()) out.cues.push_back(cue);
    if (out.cues.size() >= kMaxCuesShown) break;
  }
  // The post speaks to its one brand; with several, each keeps what its own sentences say.
  if (out.brands.size() == 1 && out.brands[0].stance != Stance::kComplaint &&
      out.brands[0].stance != Stance::kResolution) {
    out.brands[0].stance = Stance::kComplaint;
    out.brands[0].confidence = out.confidence;
    out.brands[0].cues = out.cues;
  }
}

}  // namespace ecoute
