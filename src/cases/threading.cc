#include "cases/threading.h"

#include <array>
#include <initializer_list>

namespace ecoute {
namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"new", "acknowledged", "resolved",
                                                          "closed", "reopened"};
constexpr std::array<std::string_view, 5> kRoleNames = {"opening", "follow_up", "comment",
                                                        "brand_reply", "resolution"};

// The case with the latest activity among `cases` (they are never empty here).
const CaseRef& Latest(const std::vector<CaseRef>& cases) {
  const CaseRef* latest = &cases.front();
  for (const CaseRef& c : cases) {
    if (c.last_activity_at > latest->last_activity_at) latest = &c;
  }
  return *latest;
}

}  // namespace

std::string_view CaseStatusName(CaseStatus status) {
  return kStatusNames[static_cast<size_t>(status)];
}

std::string_view CaseRoleName(CaseRole role) { return kRoleNames[static_cast<size_t>(role)]; }

bool ParseCaseStatus(std::string_view name, CaseStatus& out) {
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) {
      out = static_cast<CaseStatus>(i);
      return true;
    }
  }
  return false;
}

std::string_view ResponseKind(const CaseSummary& summary) {
  const auto& observed = summary.first_observed_response_at;
  const auto& declared = summary.first_declared_response_at;
  if (observed && (!declared || *observed <= *declared)) return "observed";
  return declared ? "declared" : "";
}

bool IsDeclaredChannel(std::string_view channel) {
  for (std::string_view known : {"phone", "email", "private_message", "in_person", "other"}) {
    if (channel == known) return true;
  }
  return false;
}

bool ParseCaseRole(std::string_view name, CaseRole& out) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) {
      out = static_cast<CaseRole>(i);
      return true;
    }
  }
  return false;
}

ThreadingDecision DecideThreading(const ThreadingFacts& facts, const ThreadingOptions& options) {
  if (!facts.parent_cases.empty()) {
    return {ThreadingAction::kJoin, Latest(facts.parent_cases).id, "reply"};
  }
  if (!facts.linked_cases.empty()) {
    return {ThreadingAction::kJoin, Latest(facts.linked_cases).id, "link"};
  }
  if (facts.is_by_brand) {
    if (facts.parent_awaits_answer) return {ThreadingAction::kOpenParent, 0, "answered"};
    return {};
  }
  if (!facts.stance) return {};
  if (facts.author_case && facts.author_case->customer_id == facts.author_id &&
      facts.at - facts.author_case->last_activity_at < options.window_seconds) {
    return {ThreadingAction::kJoin, facts.author_case->id, "same_author"};
  }
  if (*facts.stance == Stance::kComplaint) return {ThreadingAction::kOpen, 0, "complaint"};
  if (*facts.stance == Stance::kQuestion && options.questions_open_cases) {
    return {ThreadingAction::kOpen, 0, "question"};
  }
  if (facts.is_addressed && options.addressed_open_cases && *facts.stance != Stance::kPraise &&
      *facts.stance != Stance::kResolution) {
    return {ThreadingAction::kOpen, 0, "addressed"};
  }
  return {};
}

CaseChange ApplyToCase(const CaseRef& target, const ThreadingFacts& facts) {
  CaseChange change;
  if (facts.is_by_brand) {
    change.role = CaseRole::kBrandReply;
    change.is_first_response = !target.is_responded;
    if (target.status == CaseStatus::kNew || target.status == CaseStatus::kReopened) {
      change.status = CaseStatus::kAcknowledged;
      change.reason = "the brand answered";
    }
    return change;
  }
  if (facts.author_id != target.customer_id) {
    change.role = CaseRole::kComment;
    return change;
  }
  const Stance stance = facts.stance.value_or(Stance::kNeutral);
  if (stance == Stance::kResolution || stance == Stance::kPraise) {
    change.role = CaseRole::kResolution;
    if (IsOpen(target.status)) {
      change.status = CaseStatus::kResolved;
      change.is_recovery = true;
      change.reason = stance == Stance::kResolution ? "the customer says the problem is solved"
                                                    : "the customer praises the brand";
    }
    return change;
  }
  change.role = CaseRole::kFollowUp;
  if (stance == Stance::kComplaint &&
      (target.status == CaseStatus::kResolved || target.status == CaseStatus::kClosed)) {
    change.status = CaseStatus::kReopened;
    change.reason = "the customer complains again";
  }
  return change;
}

namespace {

// The case `decision` joins, as the rules saw it: from the parent's cases, the linked
// cases, else the author's case.
CaseRef JoinedCase(const ThreadingFacts& facts, int64_t case_id) {
  std::optional<CaseRef> found;
  for (const std::vector<CaseRef>* list : {&facts.parent_cases, &facts.linked_cases}) {
    for (const CaseRef& c : *list) {
      if (c.id == case_id) found = c;
    }
  }
  if (found) return *found;
  return facts.author_case.value_or(CaseRef{});
}

// Rule 6: the case the answered post joins or opens, which the brand's reply then joins.
void PlanAnswered(const ThreadingFacts& facts, const ThreadingOptions& options,
                  ThreadingPlan& plan) {
  const AnsweredPost& answered = facts.answered;
  const std::optional<CaseRef>& open = answered.author_case;
  if (open && answered.at - open->last_activity_at < options.window_seconds &&
      IsOpen(open->status)) {
    plan.answered = AnsweredStep::kJoinAuthorCase;
    plan.target = *open;
  } else {
    plan.answered = AnsweredStep::kOpenCase;
    plan.target = CaseRef{0, CaseStatus::kNew, answered.author_id, answered.at, false};
  }
  plan.action = ThreadingAction::kJoin;
}

}  // namespace

ThreadingPlan PlanThreading(const ThreadingFacts& facts, const ThreadingOptions& options) {
  const ThreadingDecision decision = DecideThreading(facts, options);
  ThreadingPlan plan;
  plan.rule = decision.rule;
  plan.stance = facts.stance;
  switch (decision.action) {
    case ThreadingAction::kNone:
      return plan;
    case ThreadingAction::kOpen:
      if (facts.author_id != 0) plan.action = ThreadingAction::kOpen;
      return plan;
    case ThreadingAction::kOpenParent:
      PlanAnswered(facts, options, plan);
      break;
    case ThreadingAction::kJoin:
      plan.action = ThreadingAction::kJoin;
      plan.target = JoinedCase(facts, decision.case_id);
      break;
  }
  ThreadingFacts joining = facts;
  if (!joining.stance && !joining.is_by_brand) joining.stance = facts.post_stance;
  plan.stance = joining.stance;
  plan.change = ApplyToCase(plan.target, joining);
  plan.is_customer = !facts.is_by_brand && facts.author_id == plan.target.customer_id;
  return plan;
}

}  // namespace ecoute
