// The JSON of what the store returns, one writer per object, shared by the CLI
// (`ecoute search`, `ecoute cases --format json`) and the API (/api/v1/search, /cases), so
// that an object has the same fields under the same names wherever it is read.
// src/server/openapi.json describes them; the other objects have theirs beside their
// types: AppendPostJson (post.h), AppendAnalysisJson (analysis.h), AppendReportJson
// (report.h).
//
// Each writer appends one object, without a newline, to `out`. Times are RFC 3339 strings
// in UTC ("2026-11-20T08:12:00Z"), absent ones null; enums by their names ("complaint").
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ecoute/cases.h"
#include "ecoute/store.h"

namespace ecoute {

// A search hit: post_id, ext_id (the post's id at its source), url, title, author,
// published_at, lang, stance, brands, cases, snippet (with the SearchOptions' highlight
// marks), score (bm25, 4 decimals).
void AppendSearchHitJson(const SearchHit& hit, std::string& out);

// What a server's SLA policy says of a case (server/sla.h): the name of its escalation
// level, and the state and due time of its next deadline.
struct CaseSlaView {
  std::string escalation_name;
  std::string_view state;   // "none", "ok", "due_soon", "breached", "met", "missed"
  std::string_view target;  // "first_response", "next_response", "" (none)
  std::optional<int64_t> due_at;
  std::optional<int64_t> seconds_left;  // a running target's: negative when overdue
};

// A case summary: id, brand, customer, status, priority, topic (null when none), stance,
// opened_at, last_activity_at, first_response_at, first_observed_response_at,
// first_declared_response_at, response_kind ("observed", "declared", null),
// priority_override (null when none), resolved_at, posts (a count), title, assignee,
// escalation_level; with `sla`, also escalation_name and sla {state, due_at, target,
// seconds_left, level, escalation_name}
// (the CLI, which runs no SLA policy, leaves them out).
void AppendCaseSummaryJson(const CaseSummary& summary, const CaseSlaView* sla, std::string& out);

// A timeline event: at, kind, actor, reason, post_id (null when none).
void AppendCaseEventJson(const CaseEvent& event, std::string& out);

// A case with its posts and timeline: {"case": <summary>, "posts": [...], "events":
// [...], "version": n}, n the number of timeline entries (it grows with every change to
// the case: the API's conflict detection compares it). A post: post_id, ext_id, role, author,
// published_at, stance, url, text, contacts
// ([{"kind", "value"}], ecoute/post.h), reasons [...], reach {followers, comments, shares,
// likes} (-1: unknown), and "cues" when `post_cues` has a JSON array for it (post_cues[i]
// for posts[i]; empty or
// shorter: none). An event: at, kind, actor, reason, post_id (null when none).
void AppendCaseDetailJson(const CaseDetail& detail, const CaseSlaView* sla,
                          std::span<const std::string> post_cues, std::string& out);

}  // namespace ecoute
