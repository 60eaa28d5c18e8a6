#include "classify/stance.h"

#include <vector>

#include <gtest/gtest.h>

namespace ecoute {
namespace {

// A cue in its own sentence: the position is the sentence.
StanceCue Cue(CueClass c, double weight, uint32_t position) {
  return {c, weight, position, position};
}

TEST(StanceTest, NoCueIsNeutral) { EXPECT_EQ(DecideStance({}).stance, Stance::kNeutral); }

TEST(StanceTest, AComplaintThenAFixIsAResolution) {
  const std::vector<StanceCue> cues = {Cue(CueClass::kComplaint, 2, 10),
                                       Cue(CueClass::kResolution, 2, 90)};
  const StanceDecision d = DecideStance(cues);
  EXPECT_EQ(d.stance, Stance::kResolution);
  EXPECT_TRUE(d.shows_complaint_too);
}

TEST(StanceTest, ABareThanksClosingAComplaintIsPoliteness) {
  // "Been on hold for 1.5 hours. Thanks!"
  const std::vector<StanceCue> cues = {Cue(CueClass::kComplaint, 2, 10),
                                       Cue(CueClass::kResolution, 1, 90)};
  EXPECT_EQ(DecideStance(cues).stance, Stance::kComplaint);
}

TEST(StanceTest, ThanksBeforeAComplaintIsStillAComplaint) {
  const std::vector<StanceCue> cues = {Cue(CueClass::kResolution, 1, 10),
                                       Cue(CueClass::kComplaint, 2, 90)};
  EXPECT_EQ(DecideStance(cues).stance, Stance::kComplaint);
}

TEST(StanceTest, WeakThanksAloneIsPraiseAndAStrongFixAloneIsAResolution) {
  const std::vector<StanceCue> thanks = {Cue(CueClass::kResolution, 1, 10)};
  EXPECT_EQ(DecideStance(thanks).stance, Stance::kPraise);
  const std::vector<StanceCue> refunded = {Cue(CueClass::kResolution, 2, 10)};
  EXPECT_EQ(DecideStance(refunded).stance, Stance::kResolution);
}

TEST(StanceTest, AQuestionWithAComplaintIsAComplaint) {
  const std::vector<StanceCue> cues = {Cue(CueClass::kQuestion, 1, 5),
                                       Cue(CueClass::kComplaint, 1, 10)};
  EXPECT_EQ(DecideStance(cues).stance, Stance::kComplaint);
  const std::vector<StanceCue> question = {Cue(CueClass::kQuestion, 1, 5)};
  EXPECT_EQ(DecideStance(question).stance, Stance::kQuestion);
}

TEST(StanceTest, NegationFlipsPolarity) {
  EXPECT_EQ(Negate(CueClass::kPraise), CueClass::kComplaint);      // "pas satisfait"
  EXPECT_EQ(Negate(CueClass::kComplaint), CueClass::kPraise);      // "aucun problème"
  EXPECT_EQ(Negate(CueClass::kResolution), CueClass::kComplaint);  // "pas remboursé"
}

TEST(StanceTest, ConfidenceGrowsWithEvidenceAndMargin) {
  const std::vector<StanceCue> one = {Cue(CueClass::kComplaint, 1, 0)};
  const std::vector<StanceCue> three = {Cue(CueClass::kComplaint, 1, 0),
                                        Cue(CueClass::kComplaint, 2, 5)};
  const std::vector<StanceCue> mixed = {Cue(CueClass::kComplaint, 2, 0),
                                        Cue(CueClass::kPraise, 1, 5)};
  EXPECT_LT(DecideStance(one).confidence, DecideStance(three).confidence);
  EXPECT_LT(DecideStance(mixed).confidence, DecideStance(three).confidence);
}

}  // namespace
}  // namespace ecoute
