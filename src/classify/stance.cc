#include "classify/stance.h"

#include <algorithm>
#include <cmath>

namespace ecoute {

CueClass Negate(CueClass cue_class) {
  switch (cue_class) {
    case CueClass::kComplaint:
      return CueClass::kPraise;
    case CueClass::kPraise:
    case CueClass::kResolution:
      return CueClass::kComplaint;
    case CueClass::kQuestion:
      return CueClass::kQuestion;
  }
  return cue_class;
}

// The resolution weight needed after a complaint to read the story as resolved: a strong
// cue ("refunded", "problème réglé") or several; a bare "thanks!" closing a complaint is
// politeness, not a resolution.
constexpr double kArcResolutionWeight = 2;

StanceDecision DecideStance(std::span<const StanceCue> cues) {
  double sum[4] = {0, 0, 0, 0};
  double strong_resolution = 0;
  double late_resolution = 0;  // resolution weight in sentences after the last complaint
  int64_t last_complaint = -1;
  int64_t last_resolution = -1;  // sentences
  for (const StanceCue& cue : cues) {
    sum[static_cast<int>(cue.cue_class)] += cue.weight;
    if (cue.cue_class == CueClass::kComplaint) {
      last_complaint = std::max<int64_t>(last_complaint, cue.sentence);
    } else if (cue.cue_class == CueClass::kResolution) {
      last_resolution = std::max<int64_t>(last_resolution, cue.sentence);
      if (cue.weight >= 2) strong_resolution += cue.weight;
    }
  }
  for (const StanceCue& cue : cues) {
    if (cue.cue_class == CueClass::kResolution &&
        static_cast<int64_t>(cue.sentence) > last_complaint) {
      late_resolution += cue.weight;
    }
  }
  const double complaint = sum[static_cast<int>(CueClass::kComplaint)];
  const double praise = sum[static_cast<int>(CueClass::kPraise)];
  const double resolution = sum[static_cast<int>(CueClass::kResolution)];
  const double question = sum[static_cast<int>(CueClass::kQuestion)];
  const double total = complaint + praise + resolution + question;

  StanceDecision d;
  double winner = 0;
  if (complaint > 0 && late_resolution >= kArcResolutionWeight &&
      last_resolution > last_complaint) {
    // The story ends well: a problem told, then fixed or thanked for.
    d.stance = Stance::kResolution;
    d.evidence = CueClass::kResolution;
    d.shows_complaint_too = true;
    winner = resolution + praise + complaint * 0.5;
  } else if (strong_resolution > 0 && resolution + praise > complaint) {
    // "They refunded me": the fix implies the problem.
    d.stance = Stance::kResolution;
    d.evidence = CueClass::kResolution;
    winner = resolution + praise;
  } else if (complaint > 0 && complaint >= praise + resolution) {
    d.stance = Stance::kComplaint;
    d.evidence = CueClass::kComplaint;
    winner = complaint;
  } else if (praise + resolution > 0 && praise + resolution > complaint) {
    d.stance = Stance::kPraise;
    d.evidence = praise >= resolution ? CueClass::kPraise : CueClass::kResolution;
    winner = praise + resolution;
  } else if (question > 0) {
    d.stance = Stance::kQuestion;
    d.evidence = CueClass::kQuestion;
    winner = question;
  }
  if (d.stance == Stance::kNeutral) {
    d.confidence = 0.6;  // no cue at all: neutral, with the doubt of an absence
    return d;
  }
  if (d.stance == Stance::kQuestion && total > question) winner = question;
  // Evidence term: 1 - e^(-w) (one weak cue ~0.63, two ~0.86); margin term: the share of
  // all the cue weight that agrees with the decision.
  const double evidence = 1.0 - std::exp(-winner);
  const double margin = std::min(1.0, winner / total);
  d.confidence = std::clamp(0.35 + 0.6 * evidence * margin, 0.05, 0.99);
  return d;
}

}  // namespace ecoute
