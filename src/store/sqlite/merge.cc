// Duplicate cases merged into one (docs/CASES.md): the posts of the merged case join the
// kept one, its timeline is copied there, it is closed and names the kept case, and the
// kept case's summary is recomputed over both.
#include <string>

#include "store/sqlite/sqlite_store.h"

namespace ecoute::sqlite {
namespace {

// The case `from` was merged into, if it was; kNotFound for an unknown case.
Result<std::optional<int64_t>> MergedInto(sqlite3* db, int64_t case_id) {
  sqlite::Statement select(db, "SELECT merged_into FROM cases WHERE id = ?1");
  if (!select.ok()) return select.status();
  select.Bind(1, case_id);
  if (!select.Step()) {
    ECOUTE_RETURN_IF_ERROR(select.status());
    return NotFoundError("no case " + std::to_string(case_id));
  }
  return select.OptionalInt(0);
}

Status CheckNotMerged(sqlite3* db, int64_t case_id) {
  ECOUTE_ASSIGN_OR_RETURN(const std::optional<int64_t> merged, MergedInto(db, case_id));
  if (merged) {
    return Status(StatusCode::kFailedPrecondition, "case " + std::to_string(case_id) +
                                                       " was already merged into case " +
                                                       std::to_string(*merged));
  }
  return OkStatus();
}

}  // namespace

Status SqliteStore::MergeCase(int64_t into, int64_t from, const std::string& actor, int64_t at) {
  if (into == from) {
    return InvalidArgumentError("case " + std::to_string(into) + " cannot be merged into itself");
  }
  auto run = [&]() -> Status {
    int64_t into_brand = 0;
    int64_t from_brand = 0;
    ECOUTE_RETURN_IF_ERROR(LoadCase(into, &into_brand).error());
    ECOUTE_RETURN_IF_ERROR(LoadCase(from, &from_brand).error());
    ECOUTE_RETURN_IF_ERROR(CheckNotMerged(db_, into));
    ECOUTE_RETURN_IF_ERROR(CheckNotMerged(db_, from));
    if (into_brand != from_brand) {
      return Status(StatusCode::kFailedPrecondition,
                    "cases " + std::to_string(from) + " and " + std::to_string(into) +
                        " are about different brands: only cases of one brand merge");
    }
    // The posts: the merged case's opening post follows up in the kept one.
    sqlite::Statement move(db_,
                           "INSERT OR IGNORE INTO case_posts(case_id, post_id, role, rule, at) "
                           "SELECT ?1, post_id, CASE role WHEN 'opening' THEN 'follow_up' ELSE "
                           "role END, rule, at FROM case_posts WHERE case_id = ?2");
    ECOUTE_RETURN_IF_ERROR(move.Bind(1, into).Bind(2, from).Run());
    sqlite::Statement drop(db_, "DELETE FROM case_posts WHERE case_id = ?1");
    ECOUTE_RETURN_IF_ERROR(drop.Bind(1, from).Run());
    // The timeline, copied (events are append-only): each entry names the case it came from.
    sqlite::Statement copy(db_,
                           "INSERT INTO case_events(case_id, at, kind, actor, reason, post_id) "
                           "SELECT ?1, at, kind, actor, CASE reason WHEN '' THEN '#' || ?2 ELSE "
                           "'#' || ?2 || ': ' || reason END, post_id FROM case_events WHERE "
                           "case_id = ?2 ORDER BY id");
    ECOUTE_RETURN_IF_ERROR(copy.Bind(1, into).Bind(2, from).Run());
    // The kept case over both: first opening and responses, last activity, highest
    // priority and escalation; a topic or an assignee it lacked.
    sqlite::Statement summary(
        db_,
        "UPDATE cases SET opened_at = min(cases.opened_at, f.opened_at), last_activity_at = "
        "max(cases.last_activity_at, f.last_activity_at, ?3), first_response_at = "
        "coalesce(min(cases.first_response_at, f.first_response_at), cases.first_response_at, "
        "f.first_response_at), first_observed_at = coalesce(min(cases.first_observed_at, "
        "f.first_observed_at), cases.first_observed_at, f.first_observed_at), first_declared_at "
        "= coalesce(min(cases.first_declared_at, f.first_declared_at), cases.first_declared_at, "
        "f.first_declared_at), priority = max(cases.priority, f.priority), escalation = "
        "max(cases.escalation, f.escalation), topic = coalesce(cases.topic, f.topic), assignee = "
        "coalesce(nullif(cases.assignee, ''), f.assignee) FROM (SELECT * FROM cases WHERE id = "
        "?2) AS f WHERE cases.id = ?1");
    ECOUTE_RETURN_IF_ERROR(summary.Bind(1, into).Bind(2, from).Bind(3, at).Run());
    sqlite::Statement close(db_,
                            "UPDATE cases SET merged_into = ?2, status = ?3, last_activity_at = "
                            "max(last_activity_at, ?4) WHERE id = ?1");
    ECOUTE_RETURN_IF_ERROR(close.Bind(1, from)
                               .Bind(2, into)
                               .Bind(3, static_cast<int64_t>(CaseStatus::kClosed))
                               .Bind(4, at)
                               .Run());
    ECOUTE_RETURN_IF_ERROR(
        AddEvent(from, at, "merged", actor, "into #" + std::to_string(into), std::nullopt));
    return AddEvent(into, at, "merged", actor, "#" + std::to_string(from) + " merged in",
                    std::nullopt);
  };
  return InTransaction(run);
}

}  // namespace ecoute::sqlite
