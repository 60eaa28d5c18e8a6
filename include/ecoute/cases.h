// Cases: one customer's problem with one brand, from the first angry post to the brand's
// answer and the customer's happy follow-up, or to the silence.
//
// Threading (which post joins which case) and the lifecycle are the rules of
// docs/CASES.md; every change of a case is an event of its append-only timeline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/analysis.h"
#include "ecoute/post.h"

namespace ecoute {

// new -> acknowledged (first brand response) -> resolved (the customer confirms, or an
// agent resolves with a reason) or closed; a resolved or closed case is reopened when the
// customer complains again within the window.
enum class CaseStatus : uint8_t { kNew, kAcknowledged, kResolved, kClosed, kReopened };

// What a post is to its case.
enum class CaseRole : uint8_t {
  kOpening,     // the post that opened the case
  kFollowUp,    // the customer again
  kComment,     // someone else, under a post of the case
  kBrandReply,  // the brand, from one of its handles or domains
  kResolution,  // the customer's resolution or praise after the problem
};

std::string_view CaseStatusName(CaseStatus status);  // "new", "acknowledged", ...
std::string_view CaseRoleName(CaseRole role);        // "opening", "follow_up", ...
bool ParseCaseStatus(std::string_view name, CaseStatus& out);
bool ParseCaseRole(std::string_view name, CaseRole& out);
inline bool IsOpen(CaseStatus status) {
  return status == CaseStatus::kNew || status == CaseStatus::kAcknowledged ||
         status == CaseStatus::kReopened;
}

struct CaseSummary {
  int64_t id = 0;
  std::string brand;
  std::string customer;  // the author's handle, else name
  CaseStatus status = CaseStatus::kNew;
  int priority = 0;  // 0..100: the agent's override when set, else the highest of its posts
  std::optional<int> priority_override;  // set by an agent (Store::SetPriority)
  std::optional<Topic> topic;
  int64_t opened_at = 0;  // seconds since the epoch
  int64_t last_activity_at = 0;
  std::optional<int64_t> first_response_at;  // the first response of either kind below
  // Observed: the brand's reply seen in the channel (its post, or a reply ecoute sent);
  // declared: an agent recorded an answer given elsewhere (phone, e-mail...).
  std::optional<int64_t> first_observed_response_at;
  std::optional<int64_t> first_declared_response_at;
  std::optional<int64_t> resolved_at;
  int64_t posts = 0;
  std::string title;                 // the opening post's title, else the start of its text
  Stance stance = Stance::kNeutral;  // the opening post's
  std::string assignee;              // who handles it, "" when nobody
  int escalation_level = 0;          // 0: where every case starts (docs/ALERTS.md)
  // The service level's current target (docs/ALERTS.md): 0 none, 1 the first response, 2
  // the next response (after a customer's follow-up or a reopen); when it started, the
  // brand's response that met it, its number (one more per target) and the deadline the
  // SLA monitor computed for it (none before it did, or when no policy applies).
  int sla_target = 0;
  int64_t sla_round = 0;
  int64_t sla_since = 0;
  std::optional<int64_t> sla_met_at;
  std::optional<int64_t> sla_due_at;
  // The case it was merged into (Store::MergeCase); nullopt for a case of its own.
  std::optional<int64_t> merged_into;
};

// The kind of a case's first response: "observed", "declared", or "" before any (an
// observed and a declared response at the same second: "observed").
std::string_view ResponseKind(const CaseSummary& summary);

// The channels of a declared response: phone, email, private_message, in_person, other.
bool IsDeclaredChannel(std::string_view channel);
inline constexpr std::string_view kDeclaredChannels =
    "phone, email, private_message, in_person or other";

struct CaseEvent {
  int64_t at = 0;
  // "opened", "joined", "responded", "acknowledged", "resolved", "note", "declared",
  // "replied", "priority", "rebranded", ...
  std::string kind;
  std::string actor;  // a rule ("rule:reply") or who did it ("agent:marie")
  std::string reason;
  std::optional<int64_t> post_id;
};

struct CasePost {
  int64_t post_id = 0;
  std::string ext_id;
  // The reader that made it ("mastodon", "bluesky", "rss", "html", "email", "jsonl"...):
  // the channel a reply answers it on (docs/REPLIES.md).
  std::string source;
  CaseRole role = CaseRole::kOpening;
  std::string author;
  std::string published_at;  // RFC 3339
  Stance stance = Stance::kNeutral;
  std::string url;
  std::string text;
  std::string lang;                    // as analyzed ("fr", "fr-CA"); "" when unknown
  std::vector<ContactRoute> contacts;  // ways to reach its writer (ecoute/post.h)
  std::vector<std::string> reasons;    // why its priority (Analysis::reasons), as stored
  // Its reach when the source said (-1: unknown).
  int64_t followers = -1;
  int64_t comments = -1;
  int64_t shares = -1;
  int64_t likes = -1;
};

struct CaseDetail {
  CaseSummary summary;
  std::vector<CasePost> posts;    // in time order
  std::vector<CaseEvent> events;  // the timeline, in order
};

// kDue: open cases with a running target first, by deadline (the most overdue first), then
// the rest by priority.
enum class CaseSort : uint8_t { kPriority, kRecent, kOldest, kDue };

struct CaseFilter {
  std::vector<int64_t> ids;         // empty: all
  std::vector<std::string> brands;  // empty: all
  std::vector<CaseStatus> statuses;
  std::vector<Topic> topics;            // the case's topic among these
  std::optional<std::string> assignee;  // "" selects the unassigned cases
  bool unanswered_only = false;         // no first response yet
  std::optional<int> min_priority;
  std::optional<int64_t> opened_before;       // opened_at < this
  std::optional<int> below_escalation_level;  // escalation_level < this
  // A running SLA target (open, unmet) whose deadline is at or before this time: the
  // breached cases.
  std::optional<int64_t> overdue_at;
  CaseSort sort = CaseSort::kPriority;
  int limit = 50;
  int offset = 0;
};

// A verdict an agent corrected, kept to train the team's own model (docs/EVALUATION.md):
// the post, the brand, and the right stance and topics.
struct Correction {
  int64_t id = 0;
  int64_t post_id = 0;
  std::string brand;  // the right brand
  // The brand the post was wrongly given, when the correction changes the brand ("":
  // the same brand). The cases of `from_brand` holding the post move to `brand`.
  std::string from_brand;
  Stance stance = Stance::kNeutral;
  std::vector<Topic> topics;
  std::string actor;  // "agent:marie"
  int64_t at = 0;
  std::string text;  // the post's text, filled when read back
};

}  // namespace ecoute
