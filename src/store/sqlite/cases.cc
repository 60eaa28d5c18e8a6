// Cases as agents see them: their rows and timelines, the agents' actions (respond,
// resolve, close, reopen, assign, escalate), and the corrections of verdicts.
#include <algorithm>

#include "store/sqlite/sqlite_store.h"
#include "util/datetime.h"

namespace ecoute::sqlite {
namespace {

// The columns of a CaseSummary, read back by ReadCaseSummary; WHERE clauses follow.
constexpr std::string_view kCaseSummarySelect =
    "SELECT c.id, b.name, coalesce(nullif(a.handle, ''), a.name, ''), c.status, c.priority, "
    "c.topic, c.opened_at, c.last_activity_at, c.first_response_at, c.resolved_at, (SELECT "
    "count(*) FROM case_posts cp WHERE cp.case_id = c.id), (SELECT CASE WHEN p.title <> '' "
    "THEN p.title ELSE substr(p.text, 1, 200) END FROM posts p WHERE p.id = c.opening_post_id), "
    "(SELECT p.stance FROM posts p WHERE p.id = c.opening_post_id), coalesce(c.assignee, ''), "
    "c.escalation, c.first_observed_at, c.first_declared_at, c.priority_override, c.sla_target, "
    "c.sla_round, coalesce(c.sla_since, c.opened_at), c.sla_met_at, c.sla_due_at, c.merged_into "
    "FROM cases c JOIN "
    "brands b ON b.id = c.brand_id LEFT JOIN authors a ON a.id = c.customer_id";

CaseSummary ReadCaseSummary(const sqlite::Statement& select) {
  CaseSummary c;
  c.id = select.Int(0);
  c.brand = std::string(select.Text(1));
  c.customer = std::string(select.Text(2));
  c.status = static_cast<CaseStatus>(select.Int(3));
  c.priority = static_cast<int>(select.Int(4));
  if (!select.IsNull(5)) c.topic = static_cast<Topic>(select.Int(5));
  c.opened_at = select.Int(6);
  c.last_activity_at = select.Int(7);
  c.first_response_at = select.OptionalInt(8);
  c.resolved_at = select.OptionalInt(9);
  c.posts = select.Int(10);
  c.title = Excerpt(select.Text(11), 120);
  if (!select.IsNull(12)) c.stance = static_cast<Stance>(select.Int(12));
  c.assignee = std::string(select.Text(13));
  c.escalation_level = static_cast<int>(select.Int(14));
  c.first_observed_response_at = select.OptionalInt(15);
  c.first_declared_response_at = select.OptionalInt(16);
  if (!select.IsNull(17)) {
    c.priority_override = static_cast<int>(select.Int(17));
    c.priority = *c.priority_override;
  }
  c.sla_target = static_cast<int>(select.Int(18));
  c.sla_round = select.Int(19);
  c.sla_since = select.Int(20);
  c.sla_met_at = select.OptionalInt(21);
  c.sla_due_at = select.OptionalInt(22);
  c.merged_into = select.OptionalInt(23);
  return c;
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end != 0) out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace

Result<std::vector<std::pair<int64_t, CaseRef>>> SqliteStore::CasesOf(int64_t post_id) {
  std::vector<std::pair<int64_t, CaseRef>> out;
  sqlite::Statement& select = Get(kCasesOfPost);
  select.Bind(1, post_id);
  while (select.Step()) {
    CaseRef ref;
    ref.id = select.Int(0);
    ref.status = static_cast<CaseStatus>(select.Int(2));
    ref.customer_id = select.Int(3);
    ref.last_activity_at = select.Int(4);
    ref.is_responded = select.Int(5) != 0;
    out.emplace_back(select.Int(1), ref);
  }
  Status status = select.status();
  select.Reset();
  if (!status.ok()) return status;
  return out;
}

Status SqliteStore::AddEvent(int64_t case_id, int64_t at, std::string_view kind,
                             std::string_view actor, std::string_view reason,
                             std::optional<int64_t> post_id) {
  return Get(kInsertEvent)
      .Bind(1, case_id)
      .Bind(2, at)
      .Bind(3, kind)
      .Bind(4, actor)
      .Bind(5, reason)
      .BindOrNull(6, post_id)
      .Run();
}

Result<CaseRef> SqliteStore::LoadCase(int64_t case_id, int64_t* brand_id) {
  sqlite::Statement& select = Get(kLoadCase);
  select.Bind(1, case_id);
  if (!select.Step()) {
    Status status = select.status();
    select.Reset();
    if (!status.ok()) return status;
    return NotFoundError("no case " + std::to_string(case_id) + ": list them with `ecoute cases`");
  }
  CaseRef ref;
  ref.id = select.Int(0);
  ref.status = static_cast<CaseStatus>(select.Int(1));
  ref.customer_id = select.Int(2);
  ref.last_activity_at = select.Int(3);
  ref.is_responded = select.Int(4) != 0;
  if (brand_id != nullptr) *brand_id = select.Int(5);
  select.Reset();
  return ref;
}

// One agent action in one transaction: the case's new state and its event.
Status SqliteStore::ChangeCase(int64_t case_id, const std::string& actor, int64_t at,
                               const std::string& reason, std::string_view kind) {
  auto run = [&]() -> Status {
    ECOUTE_ASSIGN_OR_RETURN(const CaseRef target, LoadCase(case_id));
    sqlite::Statement& update = Get(kUpdateCase);
    update.Bind(1, case_id).Bind(2, at).Bind(3, int64_t{0});
    std::optional<CaseStatus> status;
    bool is_first_response = false;
    if (kind == "declared") {
      is_first_response = !target.is_responded;
      if (target.status == CaseStatus::kNew || target.status == CaseStatus::kReopened) {
        status = CaseStatus::kAcknowledged;
      }
    } else if (kind == "resolved") {
      if (target.status == CaseStatus::kResolved) {
        return Status(StatusCode::kFailedPrecondition,
                      "case " + std::to_string(case_id) + " is already resolved");
      }
      status = CaseStatus::kResolved;
    } else if (kind == "closed") {
      if (target.status == CaseStatus::kClosed) {
        return Status(StatusCode::kFailedPrecondition,
                      "case " + std::to_string(case_id) + " is already closed");
      }
      status = CaseStatus::kClosed;
    } else if (kind == "reopened") {
      if (IsOpen(target.status)) {
        return Status(StatusCode::kFailedPrecondition,
                      "case " + std::to_string(case_id) + " is open (" +
                          std::string(CaseStatusName(target.status)) + "): nothing to reopen");
      }
      status = CaseStatus::kReopened;
    }
    update.BindOrNull(
        4, status ? std::optional<int64_t>(static_cast<int64_t>(*status)) : std::nullopt);
    update.BindOrNull(5, is_first_response ? std::optional<int64_t>(at) : std::nullopt);
    update.Bind(6, at).Bind(7, int64_t{0});
    ECOUTE_RETURN_IF_ERROR(update.Run());
    ECOUTE_RETURN_IF_ERROR(AddEvent(case_id, at, kind, actor, reason, std::nullopt));
    if (kind == "declared") {
      sqlite::Statement stamp(db_,
                              "UPDATE cases SET first_declared_at = coalesce(first_declared_at, "
                              "?2) WHERE id = ?1");
      ECOUTE_RETURN_IF_ERROR(stamp.Bind(1, case_id).Bind(2, at).Run());
    }
    if (kind == "declared" && status) {
      ECOUTE_RETURN_IF_ERROR(
          AddEvent(case_id, at, CaseStatusName(*status), actor, "an agent answered", std::nullopt));
    }
    return OkStatus();
  };
  return InTransaction(run);
}

Status SqliteStore::DeclareResponse(int64_t case_id, const std::string& channel,
                                    const std::string& note, const std::string& actor, int64_t at) {
  if (!IsDeclaredChannel(channel)) {
    return InvalidArgumentError("channel \"" + channel + "\": use " +
                                std::string(kDeclaredChannels));
  }
  if (note.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgumentError("a declared response needs a note: what was answered, and how");
  }
  return ChangeCase(case_id, actor, at, channel + ": " + note, "declared");
}

// A note is for the team only: it changes neither the status nor the activity (the SLA
// clocks).
Status SqliteStore::AddNote(int64_t case_id, const std::string& actor, int64_t at,
                            const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgumentError("a note needs a text");
  }
  auto run = [&]() -> Status {
    ECOUTE_RETURN_IF_ERROR(LoadCase(case_id).error());
    return AddEvent(case_id, at, "note", actor, text, std::nullopt);
  };
  return InTransaction(run);
}

Status SqliteStore::SetPriority(int64_t case_id, std::optional<int> priority,
                                const std::string& actor, int64_t at, const std::string& reason) {
  if (priority && (*priority < 0 || *priority > 100)) {
    return InvalidArgumentError("priority " + std::to_string(*priority) +
                                ": give 0 to 100, or clear the override");
  }
  auto run = [&]() -> Status {
    ECOUTE_RETURN_IF_ERROR(LoadCase(case_id).error());
    sqlite::Statement update(db_, "UPDATE cases SET priority_override = ?2 WHERE id = ?1");
    update.Bind(1, case_id);
    update.BindOrNull(2, priority ? std::optional<int64_t>(*priority) : std::nullopt);
    ECOUTE_RETURN_IF_ERROR(update.Run());
    const std::string what = priority ? "set to " + std::to_string(*priority) : "override cleared";
    return AddEvent(case_id, at, "priority", actor, reason.empty() ? what : what + ": " + reason,
                    std::nullopt);
  };
  return InTransaction(run);
}

Status SqliteStore::ResolveCase(int64_t case_id, const std::string& actor, int64_t at,
                                const std::string& reason) {
  if (reason.empty()) return InvalidArgumentError("resolving a case needs a reason");
  return ChangeCase(case_id, actor, at, reason, "resolved");
}

Status SqliteStore::CloseCase(int64_t case_id, const std::string& actor, int64_t at,
                              const std::string& reason) {
  if (reason.empty()) return InvalidArgumentError("closing a case needs a reason");
  return ChangeCase(case_id, actor, at, reason, "closed");
}

Status SqliteStore::ReopenCase(int64_t case_id, const std::string& actor, int64_t at,
                               const std::string& reason) {
  if (reason.empty()) return InvalidArgumentError("reopening a case needs a reason");
  return ChangeCase(case_id, actor, at, reason, "reopened");
}

Result<std::vector<CaseSummary>> SqliteStore::ListCases(const CaseFilter& filter) {
  std::string sql = std::string(kCaseSummarySelect) + " WHERE 1";
  std::vector<int64_t> params;
  if (!filter.ids.empty()) {
    sql += " AND c.id IN (" + Placeholders(filter.ids.size()) + ")";
    params.insert(params.end(), filter.ids.begin(), filter.ids.end());
  } else {
    sql += " AND c.merged_into IS NULL";  // a merged case lives on in the one it went into
  }
  if (!filter.brands.empty()) {
    sql += " AND c.brand_id IN (" + Placeholders(filter.brands.size()) + ")";
    for (const std::string& name : filter.brands) {
      ECOUTE_ASSIGN_OR_RETURN(int64_t id, BrandIdByName(name));
      params.push_back(id);
    }
  }
  if (!filter.statuses.empty()) {
    sql += " AND c.status IN (" + Placeholders(filter.statuses.size()) + ")";
    for (CaseStatus s : filter.statuses) params.push_back(static_cast<int64_t>(s));
  }
  if (!filter.topics.empty()) {
    sql += " AND c.topic IN (" + Placeholders(filter.topics.size()) + ")";
    for (Topic t : filter.topics) params.push_back(static_cast<int64_t>(t));
  }
  if (filter.unanswered_only) sql += " AND c.first_response_at IS NULL";
  if (filter.min_priority) {
    sql += " AND coalesce(c.priority_override, c.priority) >= ?";
    params.push_back(*filter.min_priority);
  }
  if (filter.opened_before) {
    sql += " AND c.opened_at < ?";
    params.push_back(*filter.opened_before);
  }
  if (filter.below_escalation_level) {
    sql += " AND c.escalation < ?";
    params.push_back(*filter.below_escalation_level);
  }
  if (filter.overdue_at) {
    sql +=
        " AND c.status IN (0, 1, 4) AND c.sla_target > 0 AND c.sla_met_at IS NULL AND "
        "c.sla_due_at IS NOT NULL AND c.sla_due_at <= ?";
    params.push_back(*filter.overdue_at);
  }
  // The assignee is text: bound apart, after the integers.
  if (filter.assignee) sql += " AND coalesce(c.assignee, '') = ?";
  switch (filter.sort) {
    case CaseSort::kPriority:
      sql +=
          " ORDER BY c.status IN (0, 1, 4) DESC, coalesce(c.priority_override, c.priority) DESC, "
          "c.last_activity_at DESC";
      break;
    case CaseSort::kRecent:
      sql += " ORDER BY c.last_activity_at DESC, c.id DESC";
      break;
    case CaseSort::kOldest:
      sql += " ORDER BY c.opened_at, c.id";
      break;
    case CaseSort::kDue:
      // A running target: open, unmet, with its deadline computed (docs/ALERTS.md).
      sql +=
          " ORDER BY (c.status IN (0, 1, 4) AND c.sla_target > 0 AND c.sla_met_at IS NULL AND "
          "c.sla_due_at IS NOT NULL) DESC, c.sla_due_at, c.status IN (0, 1, 4) DESC, "
          "coalesce(c.priority_override, c.priority) DESC, c.id";
      break;
  }
  sql += " LIMIT ? OFFSET ?";
  sqlite::Statement select(db_, sql);
  if (!select.ok()) return select.status();
  int index = 1;
  for (int64_t value : params) select.Bind(index++, value);
  if (filter.assignee) select.Bind(index++, std::string_view(*filter.assignee));
  select.Bind(index++, int64_t{std::max(1, filter.limit)});
  select.Bind(index, int64_t{std::max(0, filter.offset)});
  std::vector<CaseSummary> out;
  while (select.Step()) out.push_back(ReadCaseSummary(select));
  if (!select.status().ok()) return select.status();
  return out;
}

Status SqliteStore::AssignCase(int64_t case_id, const std::string& assignee,
                               const std::string& actor, int64_t at) {
  auto run = [&]() -> Status {
    ECOUTE_ASSIGN_OR_RETURN(const CaseRef target, LoadCase(case_id));
    (void)target;
    sqlite::Statement update(db_, "UPDATE cases SET assignee = ?2 WHERE id = ?1");
    update.Bind(1, case_id).BindOrNull(2, assignee);
    ECOUTE_RETURN_IF_ERROR(update.Run());
    return AddEvent(case_id, at, "assigned", actor,
                    assignee.empty() ? "unassigned" : "to " + assignee, std::nullopt);
  };
  return InTransaction(run);
}

Status SqliteStore::EscalateCase(int64_t case_id, int level, const std::string& actor, int64_t at,
                                 const std::string& reason) {
  auto run = [&]() -> Status {
    sqlite::Statement select(db_, "SELECT escalation FROM cases WHERE id = ?1");
    select.Bind(1, case_id);
    if (!select.Step()) {
      if (!select.status().ok()) return select.status();
      return NotFoundError("no case " + std::to_string(case_id));
    }
    const int64_t current = select.Int(0);
    if (level <= current) {
      return InvalidArgumentError("case " + std::to_string(case_id) + " is already at level " +
                                  std::to_string(current) + "; escalation only goes up");
    }
    sqlite::Statement update(db_, "UPDATE cases SET escalation = ?2 WHERE id = ?1");
    update.Bind(1, case_id).Bind(2, int64_t{level});
    ECOUTE_RETURN_IF_ERROR(update.Run());
    return AddEvent(case_id, at, "escalated", actor, reason, std::nullopt);
  };
  return InTransaction(run);
}

// A brand correction: the post's cases of `from_brand` move to `brand`, each with a
// "rebranded" event.
Status SqliteStore::MoveCases(const Correction& correction, int64_t from_brand_id,
                              int64_t brand_id) {
  ECOUTE_ASSIGN_OR_RETURN(auto cases, CasesOf(correction.post_id));
  for (const auto& [brand, ref] : cases) {
    if (brand != from_brand_id) continue;
    sqlite::Statement move(db_, "UPDATE cases SET brand_id = ?2 WHERE id = ?1");
    ECOUTE_RETURN_IF_ERROR(move.Bind(1, ref.id).Bind(2, brand_id).Run());
    ECOUTE_RETURN_IF_ERROR(AddEvent(ref.id, correction.at, "rebranded", correction.actor,
                                    "from " + correction.from_brand + " to " + correction.brand,
                                    correction.post_id));
  }
  return OkStatus();
}

Result<int64_t> SqliteStore::RecordCorrection(const Correction& correction) {
  ECOUTE_ASSIGN_OR_RETURN(const int64_t brand_id, BrandIdByName(correction.brand));
  std::optional<int64_t> from_brand_id;
  if (!correction.from_brand.empty()) {
    ECOUTE_ASSIGN_OR_RETURN(from_brand_id, BrandIdByName(correction.from_brand));
    if (*from_brand_id == brand_id) from_brand_id.reset();
  }
  int64_t id = 0;
  auto run = [&]() -> Status {
    sqlite::Statement exists(db_, "SELECT 1 FROM posts WHERE id = ?1");
    exists.Bind(1, correction.post_id);
    if (!exists.Step()) {
      if (!exists.status().ok()) return exists.status();
      return NotFoundError("no post " + std::to_string(correction.post_id));
    }
    int64_t topics = 0;
    for (Topic t : correction.topics) topics |= int64_t{1} << static_cast<int>(t);
    sqlite::Statement insert(db_,
                             "INSERT INTO corrections (post_id, brand_id, stance, topics, actor, "
                             "at, from_brand_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.Bind(1, correction.post_id)
        .Bind(2, brand_id)
        .Bind(3, static_cast<int64_t>(correction.stance))
        .Bind(4, topics)
        .Bind(5, std::string_view(correction.actor))
        .Bind(6, correction.at)
        .BindOrNull(7, from_brand_id);
    ECOUTE_RETURN_IF_ERROR(insert.Run());
    id = sqlite3_last_insert_rowid(db_);
    std::string reason = correction.brand + ": " + std::string(StanceName(correction.stance));
    for (Topic t : correction.topics) reason += ", " + std::string(TopicName(t));
    ECOUTE_ASSIGN_OR_RETURN(auto cases, CasesOf(correction.post_id));
    for (const auto& [brand, ref] : cases) {
      (void)brand;
      ECOUTE_RETURN_IF_ERROR(AddEvent(ref.id, correction.at, "corrected", correction.actor, reason,
                                      correction.post_id));
    }
    if (from_brand_id) return MoveCases(correction, *from_brand_id, brand_id);
    return OkStatus();
  };
  ECOUTE_RETURN_IF_ERROR(InTransaction(run));
  return id;
}

Result<std::vector<Correction>> SqliteStore::ListCorrections(int64_t after_id, int limit) {
  sqlite::Statement select(db_,
                           "SELECT c.id, c.post_id, b.name, c.stance, c.topics, c.actor, c.at, "
                           "p.text, coalesce((SELECT f.name FROM brands f WHERE f.id = "
                           "c.from_brand_id), '') FROM corrections c JOIN brands b ON b.id = "
                           "c.brand_id JOIN posts p ON p.id = c.post_id WHERE c.id > ?1 ORDER BY "
                           "c.id LIMIT ?2");
  select.Bind(1, after_id).Bind(2, int64_t{std::max(1, limit)});
  std::vector<Correction> out;
  while (select.Step()) {
    Correction c;
    c.id = select.Int(0);
    c.post_id = select.Int(1);
    c.brand = std::string(select.Text(2));
    c.stance = static_cast<Stance>(select.Int(3));
    const int64_t topics = select.Int(4);
    for (int t = 0; t < 63; ++t) {
      if ((topics >> t & 1) != 0) c.topics.push_back(static_cast<Topic>(t));
    }
    c.actor = std::string(select.Text(5));
    c.at = select.Int(6);
    c.text = std::string(select.Text(7));
    c.from_brand = std::string(select.Text(8));
    out.push_back(std::move(c));
  }
  if (!select.status().ok()) return select.status();
  return out;
}

Result<std::string> SqliteStore::CaseBrand(int64_t case_id) {
  sqlite::Statement select(
      db_, "SELECT b.name FROM cases c JOIN brands b ON b.id = c.brand_id WHERE c.id = ?1");
  select.Bind(1, case_id);
  if (!select.Step()) {
    if (!select.status().ok()) return select.status();
    return NotFoundError("no case " + std::to_string(case_id));
  }
  return std::string(select.Text(0));
}

Result<CaseDetail> SqliteStore::GetCase(int64_t case_id) {
  CaseDetail detail;
  {
    sqlite::Statement select(db_, std::string(kCaseSummarySelect) + " WHERE c.id = ?1");
    if (!select.ok()) return select.status();
    select.Bind(1, case_id);
    if (!select.Step()) {
      if (!select.status().ok()) return select.status();
      return NotFoundError("no case " + std::to_string(case_id) +
                           ": list them with `ecoute cases`");
    }
    detail.summary = ReadCaseSummary(select);
  }
  sqlite::Statement posts(
      db_,
      "SELECT p.id, coalesce(p.ext_id, ''), cp.role, coalesce(nullif(a.handle, ''), a.name, ''), "
      "p.at, p.stance, coalesce(p.url, ''), p.text, cp.rule, cp.at, coalesce(p.reasons, ''), "
      "coalesce(a.followers, -1), coalesce(p.comments, -1), coalesce(p.shares, -1), "
      "coalesce(p.likes, -1), coalesce(p.contacts, ''), p.lang, coalesce(s.kind, '') FROM "
      "case_posts cp JOIN posts p ON p.id = cp.post_id LEFT JOIN sources s ON s.id = "
      "p.source_id LEFT JOIN authors a ON a.id = p.author_id WHERE cp.case_id = ?1 ORDER BY "
      "p.at, p.id");
  if (!posts.ok()) return posts.status();
  posts.Bind(1, case_id);
  while (posts.Step()) {
    CasePost post;
    post.post_id = posts.Int(0);
    post.ext_id = std::string(posts.Text(1));
    (void)ParseCaseRole(posts.Text(2), post.role);
    post.author = std::string(posts.Text(3));
    post.published_at = FormatRfc3339(posts.Int(4));
    post.stance = static_cast<Stance>(posts.Int(5));
    post.url = std::string(posts.Text(6));
    post.text = std::string(posts.Text(7));
    post.reasons = SplitLines(posts.Text(10));
    post.followers = posts.Int(11);
    post.comments = posts.Int(12);
    post.shares = posts.Int(13);
    post.likes = posts.Int(14);
    post.contacts = ParseContactRoutes(posts.Text(15));
    post.lang = std::string(posts.Text(16));
    post.source = std::string(posts.Text(17));
    // Each post but the opening one joined the case: a timeline entry of its own.
    if (post.role != CaseRole::kOpening) {
      CaseEvent joined;
      joined.at = posts.Int(9);
      joined.kind = "joined";
      joined.actor = "rule:" + std::string(posts.Text(8));
      joined.reason = std::string(CaseRoleName(post.role));
      joined.post_id = post.post_id;
      detail.events.push_back(std::move(joined));
    }
    detail.posts.push_back(std::move(post));
  }
  if (!posts.status().ok()) return posts.status();
  sqlite::Statement events(db_,
                           "SELECT at, kind, actor, reason, post_id FROM case_events WHERE "
                           "case_id = ?1 ORDER BY id");
  if (!events.ok()) return events.status();
  events.Bind(1, case_id);
  while (events.Step()) {
    CaseEvent event;
    event.at = events.Int(0);
    event.kind = std::string(events.Text(1));
    event.actor = std::string(events.Text(2));
    event.reason = std::string(events.Text(3));
    event.post_id = events.OptionalInt(4);
    detail.events.push_back(std::move(event));
  }
  if (!events.status().ok()) return events.status();
  // In time order; at the same time, an opening first, then a post joining, then what its
  // joining changed.
  auto rank = [](const CaseEvent& e) {
    return e.kind == "opened" ? 0 : e.kind == "joined" ? 1 : 2;
  };
  std::stable_sort(detail.events.begin(), detail.events.end(),
                   [&](const CaseEvent& a, const CaseEvent& b) {
                     return a.at != b.at ? a.at < b.at : rank(a) < rank(b);
                   });
  return detail;
}

}  // namespace ecoute::sqlite
