// The threading rules and the lifecycle of cases, as pure decisions: the store gathers the
// facts about one post and one brand, these functions say what happens. docs/CASES.md
// tells the same rules in prose; threading_test.cc checks each.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecoute/cases.h"

namespace ecoute {

// A case as the rules need to see it.
struct CaseRef {
  int64_t id = 0;
  CaseStatus status = CaseStatus::kNew;
  int64_t customer_id = 0;  // the author who opened it
  int64_t last_activity_at = 0;
  bool is_responded = false;
};

// The post a brand's reply answers, as rule 6 (answered) needs it.
struct AnsweredPost {
  int64_t author_id = 0;
  int64_t at = 0;
  std::optional<CaseRef> author_case;  // its author's latest case with the brand
};

// What the store knows about one post with respect to one brand.
struct ThreadingFacts {
  int64_t author_id = 0;
  bool is_by_brand = false;  // written from one of the brand's handles or domains
  // Addressed to the brand: the text opens with the brand's handle (among its leading
  // @handles), as people write to a brand's care account.
  bool is_addressed = false;
  // The post answers a customer's post that is in none of the brand's cases and neither
  // praises nor thanks (for brand replies: the brand saw a problem the rules missed).
  bool parent_awaits_answer = false;
  std::optional<Stance> stance;        // toward the brand, when the post names it
  std::vector<CaseRef> parent_cases;   // the brand's cases holding the post it answers
  std::vector<CaseRef> linked_cases;   // the brand's cases holding a post it links to
  std::optional<CaseRef> author_case;  // the author's latest case with the brand
  int64_t at = 0;                      // the post's time
  // The post's overall stance: a reply that does not name the brand speaks with it.
  Stance post_stance = Stance::kNeutral;
  // The post it answers, when parent_awaits_answer.
  AnsweredPost answered;
};

struct ThreadingOptions {
  int64_t window_seconds = int64_t{7} * 86400;
  bool questions_open_cases = true;
  bool addressed_open_cases = true;
};

// kOpenParent: open a case on the post this one answers (its author is the customer, it is
// the opening post), then join it.
enum class ThreadingAction : uint8_t { kNone, kJoin, kOpen, kOpenParent };

struct ThreadingDecision {
  ThreadingAction action = ThreadingAction::kNone;
  int64_t case_id = 0;  // for kJoin
  std::string rule;     // "reply", "link", "same_author", "complaint", "question"
};

// Which case the post joins, or whether it opens one, by the first rule that applies:
// 1. reply: it answers a post of a case (a comment under the article, a reply to a
//    tweet) -> that case (the most recent when several);
// 2. link: it links to a post of a case -> that case;
// 3. same_author: its author opened a case with the brand whose last activity is within
//    the window -> that case (whatever its status: a complaint reopens it);
// 4. complaint (or question, when they open cases): a new case, unless written by the
//    brand;
// 5. addressed: a post written to the brand's handle that is neither praise nor thanks
//    asks for care, whatever words it uses: a new case (when such posts open cases);
// 6. answered: the brand replies to a customer's post that is in no case of its own and
//    neither praises nor thanks: the brand saw a problem, so that post opens a case
//    (kOpenParent) which the reply answers;
// otherwise nothing.
ThreadingDecision DecideThreading(const ThreadingFacts& facts, const ThreadingOptions& options);

// What joining a case does to it.
struct CaseChange {
  CaseRole role = CaseRole::kComment;
  std::optional<CaseStatus> status;  // the new status, when it changes
  bool is_first_response = false;    // sets the case's first response time
  bool is_recovery = false;          // the customer confirmed the fix
  std::string reason;                // for the timeline
};

// The lifecycle: a brand reply is a response (new or reopened -> acknowledged); the
// customer's resolution or praise after a response resolves the case (a recovery); the
// customer's complaint about a resolved or closed case reopens it; anything else by the
// customer is a follow-up, by someone else a comment.
CaseChange ApplyToCase(const CaseRef& target, const ThreadingFacts& facts);

// What happens first, under rule 6 (answered), to the post the brand answers.
enum class AnsweredStep : uint8_t {
  kNone,
  kJoinAuthorCase,  // it joins its author's open case as a follow-up
  kOpenCase,        // it opens a case of its own (its author is the customer)
};

// The store's steps for one post and one brand, in order: the answered post's (rule 6),
// then the post's own: kNone, kOpen (a new case) or kJoin (never kOpenParent).
struct ThreadingPlan {
  std::string rule;  // as DecideThreading names it
  AnsweredStep answered = AnsweredStep::kNone;
  ThreadingAction action = ThreadingAction::kNone;
  // kJoin: the case joined, as the rules saw it before the post; its id is 0 when it is
  // the case kOpenCase opens.
  CaseRef target;
  CaseChange change;  // kJoin: what joining does to it
  // kJoin: the post is the case's customer's, so its priority counts for the case.
  bool is_customer = false;
  std::optional<Stance> stance;  // the stance the post speaks with toward the brand
};

// DecideThreading, then what the store does about it:
// - rule 6 (kOpenParent): when the answered post's author has an open case with the brand
//   whose last activity is within the window before that post, the answered post joins
//   it as a follow-up the rules missed (kJoinAuthorCase); else it opens a case
//   (kOpenCase). Either way the brand's reply then joins that case;
// - a post without a known author opens no case (nobody would be answered);
// - a post joining a case that does not name the brand speaks with its overall stance,
//   and ApplyToCase says what joining does.
ThreadingPlan PlanThreading(const ThreadingFacts& facts, const ThreadingOptions& options);

}  // namespace ecoute
