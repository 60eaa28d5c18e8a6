#include "cases/threading.h"

#include <gtest/gtest.h>

namespace ecoute {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kCustomer = 7;
constexpr int64_t kOther = 8;

CaseRef Case(int64_t id, CaseStatus status, int64_t last_activity_at, bool is_responded = false) {
  return {id, status, kCustomer, last_activity_at, is_responded};
}

ThreadingFacts Facts(std::optional<Stance> stance, int64_t at = 100 * kDay) {
  ThreadingFacts facts;
  facts.author_id = kCustomer;
  facts.stance = stance;
  facts.at = at;
  return facts;
}

TEST(DecideThreading, AComplaintOpensACase) {
  const ThreadingDecision d = DecideThreading(Facts(Stance::kComplaint), {});
  EXPECT_EQ(d.action, ThreadingAction::kOpen);
  EXPECT_EQ(d.rule, "complaint");
}

TEST(DecideThreading, AQuestionOpensACaseUnlessConfiguredOtherwise) {
  EXPECT_EQ(DecideThreading(Facts(Stance::kQuestion), {}).action, ThreadingAction::kOpen);
  ThreadingOptions options;
  options.questions_open_cases = false;
  EXPECT_EQ(DecideThreading(Facts(Stance::kQuestion), options).action, ThreadingAction::kNone);
}

TEST(DecideThreading, PraiseNeutralAndUnnamedBrandsOpenNothing) {
  EXPECT_EQ(DecideThreading(Facts(Stance::kPraise), {}).action, ThreadingAction::kNone);
  EXPECT_EQ(DecideThreading(Facts(Stance::kNeutral), {}).action, ThreadingAction::kNone);
  EXPECT_EQ(DecideThreading(Facts(std::nullopt), {}).action, ThreadingAction::kNone);
}

TEST(DecideThreading, APostAddressedToTheBrandOpensACaseUnlessItPraises) {
  ThreadingFacts facts = Facts(Stance::kNeutral);
  facts.is_addressed = true;
  ThreadingDecision d = DecideThreading(facts, {});
  EXPECT_EQ(d.action, ThreadingAction::kOpen);
  EXPECT_EQ(d.rule, "addressed");
  ThreadingOptions options;
  options.addressed_open_cases = false;
  EXPECT_EQ(DecideThreading(facts, options).action, ThreadingAction::kNone);
  for (Stance stance : {Stance::kPraise, Stance::kResolution}) {
    facts.stance = stance;
    EXPECT_EQ(DecideThreading(facts, {}).action, ThreadingAction::kNone);
  }
}

TEST(DecideThreading, TheBrandNeverOpensACase) {
  ThreadingFacts facts = Facts(Stance::kComplaint);
  facts.is_by_brand = true;
  EXPECT_EQ(DecideThreading(facts, {}).action, ThreadingAction::kNone);
}

TEST(DecideThreading, AReplyJoinsTheCaseOfItsParentFirst) {
  ThreadingFacts facts = Facts(Stance::kComplaint);
  facts.parent_cases = {Case(3, CaseStatus::kNew, 10), Case(4, CaseStatus::kNew, 20)};
  facts.linked_cases = {Case(5, CaseStatus::kNew, 30)};
  facts.author_case = Case(6, CaseStatus::kNew, 100 * kDay - 1);
  const ThreadingDecision d = DecideThreading(facts, {});
  EXPECT_EQ(d.action, ThreadingAction::kJoin);
  EXPECT_EQ(d.case_id, 4);  // the most recent of the parent's cases
  EXPECT_EQ(d.rule, "reply");
}

TEST(DecideThreading, ABrandReplyJoinsByItsParent) {
  ThreadingFacts facts = Facts(std::nullopt);
  facts.author_id = kOther;
  facts.is_by_brand = true;
  facts.parent_cases = {Case(3, CaseStatus::kNew, 10)};
  const ThreadingDecision d = DecideThreading(facts, {});
  EXPECT_EQ(d.action, ThreadingAction::kJoin);
  EXPECT_EQ(d.case_id, 3);
}

TEST(DecideThreading, ABrandReplyToAPostInNoCaseOpensOneOnThatPost) {
  ThreadingFacts facts = Facts(std::nullopt);
  facts.author_id = kOther;
  facts.is_by_brand = true;
  EXPECT_EQ(DecideThreading(facts, {}).action, ThreadingAction::kNone);
  facts.parent_awaits_answer = true;
  const ThreadingDecision d = DecideThreading(facts, {});
  EXPECT_EQ(d.action, ThreadingAction::kOpenParent);
  EXPECT_EQ(d.rule, "answered");
  // A customer's post answering another post in no case opens nothing by that rule.
  ThreadingFacts customer = Facts(Stance::kNeutral);
  customer.parent_awaits_answer = true;
  EXPECT_EQ(DecideThreading(customer, {}).action, ThreadingAction::kNone);
}

TEST(DecideThreading, ALinkToAPostOfACaseJoinsIt) {
  // The happy ending in May that links back to the complaint from January.
  ThreadingFacts facts = Facts(Stance::kResolution, 130 * kDay);
  facts.linked_cases = {Case(5, CaseStatus::kAcknowledged, 10 * kDay, true)};
  const ThreadingDecision d = DecideThreading(facts, {});
  EXPECT_EQ(d.action, ThreadingAction::kJoin);
  EXPECT_EQ(d.case_id, 5);
  EXPECT_EQ(d.rule, "link");
}

TEST(DecideThreading, TheSameAuthorJoinsWithinTheWindowOnly) {
  ThreadingFacts facts = Facts(Stance::kComplaint, 100 * kDay);
  facts.author_case = Case(6, CaseStatus::kNew, 100 * kDay - 7 * kDay + 1);
  ThreadingDecision d = DecideThreading(facts, {});
  EXPECT_EQ(d.action, ThreadingAction::kJoin);
  EXPECT_EQ(d.case_id, 6);
  EXPECT_EQ(d.rule, "same_author");

  facts.author_case = Case(6, CaseStatus::kNew, 100 * kDay - 7 * kDay);  // exactly the window
  d = DecideThreading(facts, {});
  EXPECT_EQ(d.action, ThreadingAction::kOpen);

  ThreadingOptions wide;
  wide.window_seconds = 30 * kDay;
  EXPECT_EQ(DecideThreading(facts, wide).action, ThreadingAction::kJoin);
}

TEST(DecideThreading, NeutralFollowUpOfTheSameAuthorJoinsButOpensNothingAlone) {
  ThreadingFacts facts = Facts(Stance::kNeutral);
  facts.author_case = Case(6, CaseStatus::kNew, 100 * kDay - kDay);
  EXPECT_EQ(DecideThreading(facts, {}).action, ThreadingAction::kJoin);
}

TEST(ApplyToCase, TheFirstBrandReplyAcknowledges) {
  ThreadingFacts facts = Facts(std::nullopt);
  facts.author_id = kOther;
  facts.is_by_brand = true;
  CaseChange change = ApplyToCase(Case(1, CaseStatus::kNew, 0), facts);
  EXPECT_EQ(change.role, CaseRole::kBrandReply);
  EXPECT_TRUE(change.is_first_response);
  EXPECT_EQ(change.status, CaseStatus::kAcknowledged);

  change = ApplyToCase(Case(1, CaseStatus::kAcknowledged, 0, true), facts);
  EXPECT_FALSE(change.is_first_response);
  EXPECT_FALSE(change.status.has_value());
}

TEST(ApplyToCase, TheCustomersThanksResolveAsARecovery) {
  CaseChange change =
      ApplyToCase(Case(1, CaseStatus::kAcknowledged, 0, true), Facts(Stance::kResolution));
  EXPECT_EQ(change.role, CaseRole::kResolution);
  EXPECT_EQ(change.status, CaseStatus::kResolved);
  EXPECT_TRUE(change.is_recovery);

  change = ApplyToCase(Case(1, CaseStatus::kNew, 0), Facts(Stance::kPraise));
  EXPECT_EQ(change.status, CaseStatus::kResolved);
}

TEST(ApplyToCase, ANewComplaintReopensAResolvedOrClosedCase) {
  for (CaseStatus status : {CaseStatus::kResolved, CaseStatus::kClosed}) {
    const CaseChange change = ApplyToCase(Case(1, status, 0, true), Facts(Stance::kComplaint));
    EXPECT_EQ(change.role, CaseRole::kFollowUp);
    EXPECT_EQ(change.status, CaseStatus::kReopened);
  }
  const CaseChange open = ApplyToCase(Case(1, CaseStatus::kNew, 0), Facts(Stance::kComplaint));
  EXPECT_EQ(open.role, CaseRole::kFollowUp);
  EXPECT_FALSE(open.status.has_value());
}

TEST(ApplyToCase, SomeoneElseComments) {
  ThreadingFacts facts = Facts(Stance::kComplaint);
  facts.author_id = kOther;
  const CaseChange change = ApplyToCase(Case(1, CaseStatus::kResolved, 0), facts);
  EXPECT_EQ(change.role, CaseRole::kComment);
  EXPECT_FALSE(change.status.has_value());
}

// A brand's reply (by kOther) to a post of the customer that is in no case of the brand.
ThreadingFacts BrandAnswer(std::optional<CaseRef> customer_case) {
  ThreadingFacts facts = Facts(std::nullopt);
  facts.author_id = kOther;
  facts.is_by_brand = true;
  facts.parent_awaits_answer = true;
  facts.answered = {kCustomer, 100 * kDay - kHour, customer_case};
  return facts;
}

TEST(PlanThreading, AnAnsweredPostOpensACaseTheReplyJoins) {
  const ThreadingPlan plan = PlanThreading(BrandAnswer(std::nullopt), {});
  EXPECT_EQ(plan.rule, "answered");
  EXPECT_EQ(plan.answered, AnsweredStep::kOpenCase);
  EXPECT_EQ(plan.action, ThreadingAction::kJoin);
  EXPECT_EQ(plan.target.id, 0);  // the case the answered post opens
  EXPECT_EQ(plan.target.customer_id, kCustomer);
  EXPECT_EQ(plan.change.role, CaseRole::kBrandReply);
  EXPECT_TRUE(plan.change.is_first_response);
  EXPECT_EQ(plan.change.status, CaseStatus::kAcknowledged);
  EXPECT_FALSE(plan.is_customer);
}

TEST(PlanThreading, AnAnsweredPostJoinsItsAuthorsOpenCaseWithinTheWindow) {
  // The answered post is a follow-up the rules missed: it joins the customer's open case.
  const int64_t answered_at = 100 * kDay - kHour;
  ThreadingPlan plan =
      PlanThreading(BrandAnswer(Case(9, CaseStatus::kAcknowledged, answered_at - kDay, true)), {});
  EXPECT_EQ(plan.answered, AnsweredStep::kJoinAuthorCase);
  EXPECT_EQ(plan.action, ThreadingAction::kJoin);
  EXPECT_EQ(plan.target.id, 9);
  EXPECT_EQ(plan.change.role, CaseRole::kBrandReply);
  EXPECT_FALSE(plan.change.is_first_response);
  EXPECT_FALSE(plan.change.status.has_value());

  // A case whose last activity is a window or more before the answered post, or that is
  // no longer open, is left alone: the answered post opens a case of its own.
  for (const CaseRef& old : {Case(9, CaseStatus::kNew, answered_at - 7 * kDay),
                             Case(9, CaseStatus::kResolved, answered_at - kDay),
                             Case(9, CaseStatus::kClosed, answered_at - kDay)}) {
    plan = PlanThreading(BrandAnswer(old), {});
    EXPECT_EQ(plan.answered, AnsweredStep::kOpenCase);
    EXPECT_EQ(plan.target.id, 0);
  }
  ThreadingOptions wide;
  wide.window_seconds = 30 * kDay;
  plan = PlanThreading(BrandAnswer(Case(9, CaseStatus::kNew, answered_at - 7 * kDay)), wide);
  EXPECT_EQ(plan.answered, AnsweredStep::kJoinAuthorCase);
}

TEST(PlanThreading, APostWithoutAuthorOpensNoCase) {
  ThreadingFacts facts = Facts(Stance::kComplaint);
  EXPECT_EQ(PlanThreading(facts, {}).action, ThreadingAction::kOpen);
  facts.author_id = 0;
  const ThreadingPlan plan = PlanThreading(facts, {});
  EXPECT_EQ(plan.action, ThreadingAction::kNone);
  EXPECT_EQ(plan.rule, "complaint");
}

TEST(PlanThreading, AReplyThatDoesNotNameTheBrandSpeaksWithItsOverallStance) {
  ThreadingFacts facts = Facts(std::nullopt);
  facts.post_stance = Stance::kResolution;
  facts.parent_cases = {Case(3, CaseStatus::kAcknowledged, 10, true)};
  ThreadingPlan plan = PlanThreading(facts, {});
  EXPECT_EQ(plan.action, ThreadingAction::kJoin);
  EXPECT_EQ(plan.target.id, 3);
  EXPECT_EQ(plan.stance, Stance::kResolution);
  EXPECT_EQ(plan.change.role, CaseRole::kResolution);
  EXPECT_EQ(plan.change.status, CaseStatus::kResolved);
  EXPECT_TRUE(plan.is_customer);

  // Naming the brand, it speaks with its stance toward the brand.
  facts.stance = Stance::kComplaint;
  plan = PlanThreading(facts, {});
  EXPECT_EQ(plan.stance, Stance::kComplaint);
  EXPECT_EQ(plan.change.role, CaseRole::kFollowUp);
  EXPECT_FALSE(plan.change.status.has_value());
}

TEST(PlanThreading, SomeoneElsesPostJoinsAsACommentWithoutItsPriority) {
  ThreadingFacts facts = Facts(Stance::kComplaint);
  facts.author_id = kOther;
  facts.linked_cases = {Case(5, CaseStatus::kNew, 10)};
  const ThreadingPlan plan = PlanThreading(facts, {});
  EXPECT_EQ(plan.rule, "link");
  EXPECT_EQ(plan.target.id, 5);
  EXPECT_EQ(plan.change.role, CaseRole::kComment);
  EXPECT_FALSE(plan.is_customer);
}

TEST(PlanThreading, TheSameAuthorsCaseIsTheOneJoined) {
  ThreadingFacts facts = Facts(Stance::kComplaint);
  facts.author_case = Case(6, CaseStatus::kClosed, 100 * kDay - kDay, true);
  const ThreadingPlan plan = PlanThreading(facts, {});
  EXPECT_EQ(plan.rule, "same_author");
  EXPECT_EQ(plan.target.id, 6);
  EXPECT_EQ(plan.change.status, CaseStatus::kReopened);
  EXPECT_TRUE(plan.is_customer);
}

TEST(CaseNames, RoundTrip) {
  for (int i = 0; i < 5; ++i) {
    CaseStatus status;
    ASSERT_TRUE(ParseCaseStatus(CaseStatusName(static_cast<CaseStatus>(i)), status));
    EXPECT_EQ(static_cast<int>(status), i);
    CaseRole role;
    ASSERT_TRUE(ParseCaseRole(CaseRoleName(static_cast<CaseRole>(i)), role));
    EXPECT_EQ(static_cast<int>(role), i);
  }
  CaseStatus status;
  EXPECT_FALSE(ParseCaseStatus("open", status));
  EXPECT_EQ(CaseStatusName(CaseStatus::kReopened), "reopened");
  EXPECT_EQ(CaseRoleName(CaseRole::kBrandReply), "brand_reply");
}

}  // namespace
}  // namespace ecoute
