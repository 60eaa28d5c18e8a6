// Stance: what a stretch of text says to a brand, decided from the stance cues it holds.
//
// Each cue carries its class (complaint, praise, resolution, question), its weight after
// intensifiers, and whether a negator flipped it. The decision reads the arc of the story:
// a complaint followed by a resolution is a resolution; praise alone is praise.
#pragma once

#include <cstdint>
#include <span>

#include "ecoute/analysis.h"

namespace ecoute {

enum class CueClass : uint8_t { kComplaint, kPraise, kResolution, kQuestion };

struct StanceCue {
  CueClass cue_class = CueClass::kComplaint;  // after negation
  double weight = 1;
  uint32_t position = 0;  // order in the text
  uint32_t sentence = 0;  // index of its sentence
};

struct StanceDecision {
  Stance stance = Stance::kNeutral;
  double confidence = 0;
  // The class whose cues justify the decision (the cues to show); kQuestion for neutral.
  CueClass evidence = CueClass::kQuestion;
  // A resolution also shows the complaint it resolves.
  bool shows_complaint_too = false;
};

// The class a cue takes when negated: "pas satisfait" complains, "aucun problème" and
// "not bad" praise, "pas remboursé" complains.
CueClass Negate(CueClass cue_class);

// Decides the stance of a set of cues (any order):
// 1. a complaint, then resolution cues weighing at least 2 in later sentences: resolution
//    (the arc; a bare "thanks!" after a complaint is politeness);
// 2. a strong resolution cue (weight >= 2: "refunded", "problème réglé") outweighing the
//    complaints: resolution (the fix implies the problem);
// 3. complaints at least as heavy as praise and thanks together: complaint;
// 4. praise and thanks heavier: praise;
// 5. question cues alone: question; no cue: neutral.
// Confidence grows with the evidence and with the margin over the other classes.
StanceDecision DecideStance(std::span<const StanceCue> cues);

}  // namespace ecoute
