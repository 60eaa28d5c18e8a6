// The SLA tables in SQLite: sla_policies, sla_levels, sla_contacts, sla_settings, the
// escalation log sla_escalations, and the target columns of cases (schema.cc, version 6).
#include "store/sla_tables.h"

#include <utility>

#include "store/sqlite/sqlite.h"
#include "store/sqlite/tables_connection.h"

namespace ecoute {
namespace {

constexpr std::string_view kOpen = "c.status IN (0, 1, 4)";

// The columns of an SlaTargetRow, read by ReadTarget.
constexpr std::string_view kTargetSelect =
    "SELECT c.id, b.name, coalesce(c.priority_override, c.priority), c.sla_target, "
    "c.sla_round, coalesce(c.sla_since, c.opened_at), c.sla_due_at, c.escalation FROM cases c "
    "JOIN brands b ON b.id = c.brand_id";

SlaTargetRow ReadTarget(const sqlite::Statement& s) {
  SlaTargetRow row;
  row.case_id = s.Int(0);
  row.brand = std::string(s.Text(1));
  row.priority = static_cast<int>(s.Int(2));
  row.target = static_cast<int>(s.Int(3));
  row.round = s.Int(4);
  row.since = s.Int(5);
  row.due_at = s.OptionalInt(6);
  row.escalation_level = static_cast<int>(s.Int(7));
  return row;
}

SlaEscalationRow ReadEscalation(const sqlite::Statement& s) {
  SlaEscalationRow row;
  row.case_id = s.Int(0);
  row.round = s.Int(1);
  row.level = static_cast<int>(s.Int(2));
  row.at = s.Int(3);
  row.actor = std::string(s.Text(4));
  row.reason = std::string(s.Text(5));
  row.notified = s.Int(6) != 0;
  return row;
}

constexpr std::string_view kEscalationColumns =
    "case_id, round, level, at, actor, reason, notified";

class SqliteSlaTables final : public SlaTables {
 public:
  explicit SqliteSlaTables(sqlite::Connection db) : db_(std::move(db)) {}

  Result<std::optional<SlaConfigRows>> LoadConfig() override;
  Status SaveConfig(const SlaConfigRows& config) override;
  Result<std::vector<SlaTargetRow>> StaleDeadlines(int limit) override;
  Status SetDeadline(int64_t case_id, int64_t round, std::optional<int64_t> due_at) override;
  Result<std::vector<SlaTargetRow>> Overdue(int64_t now, int top_level, int limit,
                                            int64_t offset) override;
  Result<SlaTargetRow> TargetOf(int64_t case_id) override;
  Result<bool> ClaimEscalation(const SlaEscalationRow& escalation) override;
  Status MarkNotified(int64_t case_id, int64_t round, int level) override;
  Result<std::vector<SlaEscalationRow>> Unnotified(int limit) override;
  Result<std::vector<SlaEscalationRow>> EscalationsOf(int64_t case_id) override;

 private:
  sqlite3* db() const { return db_.get(); }
  Result<std::vector<SlaTargetRow>> Targets(sqlite::Statement& select);
  Result<std::vector<SlaEscalationRow>> Escalations(sqlite::Statement& select);

  sqlite::Connection db_;
};

Result<std::optional<SlaConfigRows>> SqliteSlaTables::LoadConfig() {
  SlaConfigRows config;
  sqlite::Statement settings(db(), "SELECT updated_by, updated_at FROM sla_settings");
  if (!settings.Step()) {
    if (!settings.status().ok()) return settings.status();
    return std::optional<SlaConfigRows>();
  }
  config.updated_by = std::string(settings.Text(0));
  config.updated_at = settings.Int(1);
  sqlite::Statement policies(db(),
                             "SELECT brand, min_priority, first_response, next_response, "
                             "time_zone, hours, holidays FROM sla_policies ORDER BY position");
  while (policies.Step()) {
    SlaPolicyRow p;
    p.brand = std::string(policies.Text(0));
    p.min_priority = static_cast<int>(policies.Int(1));
    p.first_response_seconds = policies.Int(2);
    p.next_response_seconds = policies.Int(3);
    p.time_zone = std::string(policies.Text(4));
    p.hours = std::string(policies.Text(5));
    p.holidays = std::string(policies.Text(6));
    config.policies.push_back(std::move(p));
  }
  ECOUTE_RETURN_IF_ERROR(policies.status());
  sqlite::Statement levels(db(), "SELECT name FROM sla_levels ORDER BY position");
  while (levels.Step()) config.levels.push_back({std::string(levels.Text(0)), {}});
  ECOUTE_RETURN_IF_ERROR(levels.status());
  sqlite::Statement contacts(
      db(), "SELECT level, url, secret FROM sla_contacts ORDER BY level, position");
  while (contacts.Step()) {
    const auto level = static_cast<size_t>(contacts.Int(0));
    if (level >= config.levels.size()) continue;
    config.levels[level].contacts.push_back(
        {std::string(contacts.Text(1)), std::string(contacts.Text(2))});
  }
  ECOUTE_RETURN_IF_ERROR(contacts.status());
  return std::optional<SlaConfigRows>(std::move(config));
}

Status SqliteSlaTables::SaveConfig(const SlaConfigRows& config) {
  return sqlite::InTransaction(db(), [&]() -> Status {
    ECOUTE_RETURN_IF_ERROR(sqlite::Exec(
        db(), "DELETE FROM sla_contacts; DELETE FROM sla_levels; DELETE FROM sla_policies;"));
    sqlite::Statement policy(db(),
                             "INSERT INTO sla_policies (position, brand, min_priority, "
                             "first_response, next_response, time_zone, hours, holidays) VALUES "
                             "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    int64_t position = 0;
    for (const SlaPolicyRow& p : config.policies) {
      policy.Bind(1, position++)
          .Bind(2, std::string_view(p.brand))
          .Bind(3, int64_t{p.min_priority})
          .Bind(4, p.first_response_seconds)
          .Bind(5, p.next_response_seconds)
          .Bind(6, std::string_view(p.time_zone))
          .Bind(7, std::string_view(p.hours))
          .Bind(8, std::string_view(p.holidays));
      ECOUTE_RETURN_IF_ERROR(policy.Run());
    }
    sqlite::Statement level(db(), "INSERT INTO sla_levels (position, name) VALUES (?1, ?2)");
    sqlite::Statement contact(
        db(), "INSERT INTO sla_contacts (level, position, url, secret) VALUES (?1, ?2, ?3, ?4)");
    for (size_t i = 0; i < config.levels.size(); ++i) {
      const SlaLevelRow& l = config.levels[i];
      ECOUTE_RETURN_IF_ERROR(
          level.Bind(1, static_cast<int64_t>(i)).Bind(2, std::string_view(l.name)).Run());
      for (size_t j = 0; j < l.contacts.size(); ++j) {
        ECOUTE_RETURN_IF_ERROR(contact.Bind(1, static_cast<int64_t>(i))
                                   .Bind(2, static_cast<int64_t>(j))
                                   .Bind(3, std::string_view(l.contacts[j].url))
                                   .Bind(4, std::string_view(l.contacts[j].secret))
                                   .Run());
      }
    }
    sqlite::Statement settings(
        db(),
        "INSERT OR REPLACE INTO sla_settings (id, updated_by, updated_at) VALUES (1, ?1, ?2)");
    ECOUTE_RETURN_IF_ERROR(
        settings.Bind(1, std::string_view(config.updated_by)).Bind(2, config.updated_at).Run());
    return sqlite::Exec(db(),
                        "UPDATE cases SET sla_stale = 1 WHERE sla_stale = 0 AND status IN "
                        "(0, 1, 4) AND sla_target > 0");
  });
}

Result<std::vector<SlaTargetRow>> SqliteSlaTables::Targets(sqlite::Statement& select) {
  if (!select.ok()) return select.status();
  std::vector<SlaTargetRow> out;
  while (select.Step()) out.push_back(ReadTarget(select));
  if (!select.status().ok()) return select.status();
  return out;
}

Result<std::vector<SlaTargetRow>> SqliteSlaTables::StaleDeadlines(int limit) {
  sqlite::Statement select(
      db(), std::string(kTargetSelect) + " WHERE c.sla_stale = 1 ORDER BY c.id LIMIT ?1");
  select.Bind(1, int64_t{limit});
  return Targets(select);
}

Status SqliteSlaTables::SetDeadline(int64_t case_id, int64_t round, std::optional<int64_t> due_at) {
  sqlite::Statement update(db(),
                           "UPDATE cases SET sla_due_at = ?3, sla_stale = 0 WHERE id = ?1 AND "
                           "sla_round = ?2");
  return update.Bind(1, case_id).Bind(2, round).BindOrNull(3, due_at).Run();
}

Result<std::vector<SlaTargetRow>> SqliteSlaTables::Overdue(int64_t now, int top_level, int limit,
                                                           int64_t offset) {
  sqlite::Statement select(
      db(), std::string(kTargetSelect) + " WHERE " + std::string(kOpen) +
                " AND c.sla_due_at <= ?1 AND c.sla_target > 0 AND c.sla_met_at IS NULL AND "
                "c.escalation < ?2 ORDER BY c.sla_due_at, c.id LIMIT ?3 OFFSET ?4");
  select.Bind(1, now).Bind(2, int64_t{top_level}).Bind(3, int64_t{limit}).Bind(4, offset);
  return Targets(select);
}

Result<SlaTargetRow> SqliteSlaTables::TargetOf(int64_t case_id) {
  sqlite::Statement select(db(), std::string(kTargetSelect) + " WHERE c.id = ?1");
  select.Bind(1, case_id);
  ECOUTE_ASSIGN_OR_RETURN(std::vector<SlaTargetRow> rows, Targets(select));
  if (rows.empty()) return NotFoundError("no case " + std::to_string(case_id));
  return rows.front();
}

Result<bool> SqliteSlaTables::ClaimEscalation(const SlaEscalationRow& e) {
  bool claimed = false;
  ECOUTE_RETURN_IF_ERROR(sqlite::InTransaction(db(), [&]() -> Status {
    // The case, at this round and below this level; and no such level logged for it.
    sqlite::Statement check(
        db(),
        "SELECT 1 FROM cases c WHERE c.id = ?1 AND c.sla_round = ?2 AND c.escalation < ?3 AND "
        "NOT EXISTS (SELECT 1 FROM sla_escalations s WHERE s.case_id = ?1 AND s.round = ?2 "
        "AND s.level >= ?3)");
    check.Bind(1, e.case_id).Bind(2, e.round).Bind(3, int64_t{e.level});
    if (!check.Step()) return check.status();
    check.Reset();
    sqlite::Statement log(db(), "INSERT INTO sla_escalations (" + std::string(kEscalationColumns) +
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)");
    log.Bind(1, e.case_id)
        .Bind(2, e.round)
        .Bind(3, int64_t{e.level})
        .Bind(4, e.at)
        .Bind(5, std::string_view(e.actor))
        .Bind(6, std::string_view(e.reason));
    ECOUTE_RETURN_IF_ERROR(log.Run());
    sqlite::Statement raise(db(), "UPDATE cases SET escalation = ?2 WHERE id = ?1");
    ECOUTE_RETURN_IF_ERROR(raise.Bind(1, e.case_id).Bind(2, int64_t{e.level}).Run());
    sqlite::Statement event(
        db(),
        "INSERT INTO case_events (case_id, at, kind, actor, reason) VALUES (?1, ?2, "
        "'escalated', ?3, ?4)");
    ECOUTE_RETURN_IF_ERROR(event.Bind(1, e.case_id)
                               .Bind(2, e.at)
                               .Bind(3, std::string_view(e.actor))
                               .Bind(4, std::string_view(e.reason))
                               .Run());
    claimed = true;
    return OkStatus();
  }));
  return claimed;
}

Status SqliteSlaTables::MarkNotified(int64_t case_id, int64_t round, int level) {
  sqlite::Statement update(db(),
                           "UPDATE sla_escalations SET notified = 1 WHERE case_id = ?1 AND "
                           "round = ?2 AND level = ?3");
  return update.Bind(1, case_id).Bind(2, round).Bind(3, int64_t{level}).Run();
}

Result<std::vector<SlaEscalationRow>> SqliteSlaTables::Escalations(sqlite::Statement& select) {
  if (!select.ok()) return select.status();
  std::vector<SlaEscalationRow> out;
  while (select.Step()) out.push_back(ReadEscalation(select));
  if (!select.status().ok()) return select.status();
  return out;
}

Result<std::vector<SlaEscalationRow>> SqliteSlaTables::Unnotified(int limit) {
  sqlite::Statement select(db(), "SELECT " + std::string(kEscalationColumns) +
                                     " FROM sla_escalations WHERE notified = 0 ORDER BY at, "
                                     "case_id LIMIT ?1");
  select.Bind(1, int64_t{limit});
  return Escalations(select);
}

Result<std::vector<SlaEscalationRow>> SqliteSlaTables::EscalationsOf(int64_t case_id) {
  sqlite::Statement select(db(), "SELECT " + std::string(kEscalationColumns) +
                                     " FROM sla_escalations WHERE case_id = ?1 ORDER BY round, "
                                     "level");
  select.Bind(1, case_id);
  return Escalations(select);
}

}  // namespace

Result<std::unique_ptr<SlaTables>> OpenSlaTables(const std::string& db_path) {
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db,
                          sqlite::OpenTablesConnection(db_path, "PRAGMA synchronous = FULL"));
  return std::unique_ptr<SlaTables>(std::make_unique<SqliteSlaTables>(std::move(db)));
}

}  // namespace ecoute
