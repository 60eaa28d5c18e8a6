// The alert tables in SQLite: alert_rules and alert_deliveries (schema.cc, version 4).
#include "store/alert_tables.h"

#include <algorithm>
#include <utility>

#include "store/sqlite/sqlite.h"
#include "store/sqlite/tables_connection.h"

namespace ecoute {
namespace {

// Lists of names are kept in one column, one name per line (names hold no newline).
constexpr char kListSeparator = '\n';

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += kListSeparator;
    out += name;
  }
  return out;
}

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t end = text.find(kListSeparator);
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

template <typename Enum, typename NameOf>
std::string JoinNames(const std::vector<Enum>& values, NameOf name_of) {
  std::vector<std::string> names;
  names.reserve(values.size());
  for (Enum value : values) names.emplace_back(name_of(value));
  return Join(names);
}

template <typename Enum, typename Parse>
std::vector<Enum> SplitNames(std::string_view text, Parse parse) {
  std::vector<Enum> out;
  for (const std::string& name : Split(text)) {
    Enum value{};
    if (parse(name, value)) out.push_back(value);  // a name a later version removed: skipped
  }
  return out;
}

constexpr std::string_view kRuleColumns =
    "id, name, brands, stances, topics, min_priority, on_case_opened, on_escalation, "
    "on_spike, url, secret, enabled, created_by";

AlertRule ReadRule(const sqlite::Statement& s) {
  AlertRule rule;
  rule.id = s.Int(0);
  rule.name = s.Text(1);
  rule.brands = Split(s.Text(2));
  rule.stances = SplitNames<Stance>(s.Text(3), ParseStance);
  rule.topics = SplitNames<Topic>(s.Text(4), ParseTopic);
  rule.min_priority = static_cast<int>(s.Int(5));
  rule.on_case_opened = s.Int(6) != 0;
  rule.on_escalation = s.Int(7) != 0;
  rule.on_spike = s.Int(8) != 0;
  rule.target.url = s.Text(9);
  rule.target.secret = s.Text(10);
  rule.enabled = s.Int(11) != 0;
  rule.created_by = s.Int(12);
  return rule;
}

// Binds a rule's fields to ?2..?13 (?1 is the id when updating).
void BindRule(sqlite::Statement& s, const AlertRule& rule) {
  s.Bind(2, rule.name)
      .Bind(3, Join(rule.brands))
      .Bind(4, JoinNames(rule.stances, StanceName))
      .Bind(5, JoinNames(rule.topics, TopicName))
      .Bind(6, static_cast<int64_t>(rule.min_priority))
      .Bind(7, int64_t{rule.on_case_opened})
      .Bind(8, int64_t{rule.on_escalation})
      .Bind(9, int64_t{rule.on_spike})
      .Bind(10, rule.target.url)
      .Bind(11, rule.target.secret)
      .Bind(12, int64_t{rule.enabled})
      .Bind(13, rule.created_by);
}

// The columns ReadDelivery reads, in its order.
constexpr std::string_view kDeliveryColumns =
    "SELECT id, rule_id, url, dedupe_key, event_kind, case_id, brand, state, attempts, "
    "created_at, next_attempt_at, delivered_at, last_error FROM alert_deliveries ";

// States are stored as the small integers of DeliveryState: 0 pending, 1 delivered, 2 dead.
Delivery ReadDelivery(const sqlite::Statement& select) {
  Delivery d;
  d.id = select.Int(0);
  d.rule_id = select.OptionalInt(1);
  d.url = select.Text(2);
  d.dedupe_key = select.Text(3);
  d.event_kind = select.Text(4);
  d.case_id = select.Int(5);
  d.brand = select.Text(6);
  d.state = static_cast<DeliveryState>(select.Int(7));
  d.attempts = static_cast<int>(select.Int(8));
  d.created_at = select.Int(9);
  d.next_attempt_at = select.Int(10);
  d.delivered_at = select.OptionalInt(11);
  d.last_error = select.Text(12);
  return d;
}

class SqliteAlertTables final : public AlertTables {
 public:
  explicit SqliteAlertTables(sqlite::Connection db) : db_(std::move(db)) {}

  Result<int64_t> AddRule(const AlertRule& rule) override;
  Result<std::vector<AlertRule>> ListRules() override;
  Result<AlertRule> FindRule(int64_t id) override;
  Status UpdateRule(const AlertRule& rule) override;
  Status DeleteRule(int64_t id) override;
  Result<int> AddDeliveries(std::span<const QueuedDelivery> deliveries, int64_t now) override;
  Result<std::vector<DueDelivery>> DueDeliveries(int64_t now, int64_t after_id, int limit) override;
  Status RecordAttempt(int64_t id, DeliveryState state, int attempts, int64_t next_attempt_at,
                       std::optional<int64_t> delivered_at, std::string_view last_error) override;
  Result<std::optional<int64_t>> NextAttemptAt() override;
  Result<std::vector<Delivery>> ListDeliveries(std::optional<DeliveryState> state,
                                               int limit) override;
  Result<Delivery> FindDelivery(int64_t id) override;
  Status ReviveDelivery(int64_t id, int64_t now) override;
  Result<int64_t> CountPending() override;

 private:
  sqlite3* db() const { return db_.get(); }

  sqlite::Connection db_;
};

// ---- rules ----

Result<int64_t> SqliteAlertTables::AddRule(const AlertRule& rule) {
  sqlite::Statement insert(db(), "INSERT INTO alert_rules(" + std::string(kRuleColumns) +
                                     ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                     "?11, ?12, ?13)");
  if (!insert.ok()) return insert.status();
  BindRule(insert, rule);
  ECOUTE_RETURN_IF_ERROR(insert.Run());
  return db_.LastInsertId();
}

Result<std::vector<AlertRule>> SqliteAlertTables::ListRules() {
  sqlite::Statement select(db(),
                           "SELECT " + std::string(kRuleColumns) + " FROM alert_rules ORDER BY id");
  if (!select.ok()) return select.status();
  std::vector<AlertRule> rules;
  while (select.Step()) rules.push_back(ReadRule(select));
  ECOUTE_RETURN_IF_ERROR(select.status());
  return rules;
}

Result<AlertRule> SqliteAlertTables::FindRule(int64_t id) {
  sqlite::Statement select(
      db(), "SELECT " + std::string(kRuleColumns) + " FROM alert_rules WHERE id = ?1");
  if (!select.ok()) return select.status();
  select.Bind(1, id);
  if (select.Step()) return ReadRule(select);
  ECOUTE_RETURN_IF_ERROR(select.status());
  return NotFoundError("no alert rule " + std::to_string(id));
}

Status SqliteAlertTables::UpdateRule(const AlertRule& rule) {
  sqlite::Statement update(db(),
                           "UPDATE alert_rules SET name = ?2, brands = ?3, stances = ?4, "
                           "topics = ?5, min_priority = ?6, on_case_opened = ?7, "
                           "on_escalation = ?8, on_spike = ?9, url = ?10, secret = ?11, "
                           "enabled = ?12, created_by = ?13 WHERE id = ?1");
  if (!update.ok()) return update.status();
  update.Bind(1, rule.id);
  BindRule(update, rule);
  return update.Run();
}

Status SqliteAlertTables::DeleteRule(int64_t id) {
  return sqlite::InTransaction(db(), [&]() -> Status {
    auto run = [&](std::string_view sql) {
      sqlite::Statement s(db(), sql);
      if (!s.ok()) return s.status();
      s.Bind(1, id);
      return s.Run();
    };
    ECOUTE_RETURN_IF_ERROR(run("DELETE FROM alert_rules WHERE id = ?1"));
    if (db_.Changes() == 0) return NotFoundError("no alert rule " + std::to_string(id));
    return run("DELETE FROM alert_deliveries WHERE rule_id = ?1 AND state = 0");
  });
}

// ---- deliveries ----

Result<int> SqliteAlertTables::AddDeliveries(std::span<const QueuedDelivery> deliveries,
                                             int64_t now) {
  int added = 0;
  ECOUTE_RETURN_IF_ERROR(sqlite::InTransaction(db(), [&]() -> Status {
    sqlite::Statement insert(
        db(),
        "INSERT OR IGNORE INTO alert_deliveries(rule_id, url, secret, dedupe_key, event_kind, "
        "case_id, brand, body, event_at, state, attempts, created_at, next_attempt_at, "
        "delivered_at, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, 0, ?10, ?10, "
        "NULL, '')");
    if (!insert.ok()) return insert.status();
    for (const QueuedDelivery& d : deliveries) {
      insert.BindOrNull(1, d.rule_id)
          .Bind(2, d.url)
          .Bind(3, d.secret)
          .Bind(4, d.dedupe_key)
          .Bind(5, d.event_kind)
          .Bind(6, d.case_id)
          .Bind(7, d.brand)
          .Bind(8, d.body)
          .Bind(9, d.event_at)
          .Bind(10, now);
      ECOUTE_RETURN_IF_ERROR(insert.Run());
      added += static_cast<int>(db_.Changes());
    }
    return OkStatus();
  }));
  return added;
}

Result<std::vector<DueDelivery>> SqliteAlertTables::DueDeliveries(int64_t now, int64_t after_id,
                                                                  int limit) {
  sqlite::Statement select(db(),
                           "SELECT id, url, secret, dedupe_key, event_kind, body, event_at, "
                           "attempts FROM alert_deliveries WHERE state = 0 AND "
                           "next_attempt_at <= ?1 AND id > ?2 ORDER BY id LIMIT ?3");
  if (!select.ok()) return select.status();
  select.Bind(1, now).Bind(2, after_id).Bind(3, static_cast<int64_t>(limit));
  std::vector<DueDelivery> due;
  while (select.Step()) {
    DueDelivery& d = due.emplace_back();
    d.id = select.Int(0);
    d.url = select.Text(1);
    d.secret = select.Text(2);
    d.dedupe_key = select.Text(3);
    d.event_kind = select.Text(4);
    d.body = select.Text(5);
    d.event_at = select.Int(6);
    d.attempts = static_cast<int>(select.Int(7));
  }
  ECOUTE_RETURN_IF_ERROR(select.status());
  return due;
}

Status SqliteAlertTables::RecordAttempt(int64_t id, DeliveryState state, int attempts,
                                        int64_t next_attempt_at,
                                        std::optional<int64_t> delivered_at,
                                        std::string_view last_error) {
  sqlite::Statement update(db(),
                           "UPDATE alert_deliveries SET state = ?2, attempts = ?3, "
                           "next_attempt_at = ?4, delivered_at = ?5, last_error = ?6 "
                           "WHERE id = ?1");
  if (!update.ok()) return update.status();
  update.Bind(1, id)
      .Bind(2, static_cast<int64_t>(state))
      .Bind(3, static_cast<int64_t>(attempts))
      .Bind(4, next_attempt_at)
      .BindOrNull(5, delivered_at)
      .Bind(6, last_error);
  return update.Run();
}

Result<std::optional<int64_t>> SqliteAlertTables::NextAttemptAt() {
  sqlite::Statement next(db(), "SELECT min(next_attempt_at) FROM alert_deliveries WHERE state = 0");
  if (!next.ok()) return next.status();
  if (!next.Step()) {
    ECOUTE_RETURN_IF_ERROR(next.status());
    return std::optional<int64_t>();
  }
  return next.OptionalInt(0);
}

Result<std::vector<Delivery>> SqliteAlertTables::ListDeliveries(std::optional<DeliveryState> state,
                                                                int limit) {
  sqlite::Statement select(db(), std::string(kDeliveryColumns) +
                                     "WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2");
  if (!select.ok()) return select.status();
  select.BindOrNull(1, state ? std::optional<int64_t>(static_cast<int64_t>(*state)) : std::nullopt);
  select.Bind(2, static_cast<int64_t>(std::max(limit, 0)));
  std::vector<Delivery> out;
  while (select.Step()) out.push_back(ReadDelivery(select));
  ECOUTE_RETURN_IF_ERROR(select.status());
  return out;
}

Result<Delivery> SqliteAlertTables::FindDelivery(int64_t id) {
  sqlite::Statement select(db(), std::string(kDeliveryColumns) + "WHERE id = ?1");
  if (!select.ok()) return select.status();
  select.Bind(1, id);
  if (!select.Step()) {
    ECOUTE_RETURN_IF_ERROR(select.status());
    return NotFoundError("no delivery " + std::to_string(id));
  }
  return ReadDelivery(select);
}

Status SqliteAlertTables::ReviveDelivery(int64_t id, int64_t now) {
  sqlite::Statement update(db(),
                           "UPDATE alert_deliveries SET state = 0, attempts = 0, "
                           "next_attempt_at = ?2 WHERE id = ?1 AND state = 2");
  if (!update.ok()) return update.status();
  update.Bind(1, id).Bind(2, now);
  return update.Run();
}

Result<int64_t> SqliteAlertTables::CountPending() {
  sqlite::Statement count(db(), "SELECT count(*) FROM alert_deliveries WHERE state = 0");
  if (!count.ok()) return count.status();
  if (!count.Step()) {
    return count.status().ok() ? InternalError("count returned no row") : count.status();
  }
  return count.Int(0);
}

}  // namespace

Result<std::unique_ptr<AlertTables>> OpenAlertTables(const std::string& db_path) {
  // FULL sync: a delivery acknowledged to the API must survive a power loss, and alerts are
  // few enough that the cost does not show.
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db,
                          sqlite::OpenTablesConnection(db_path, "PRAGMA synchronous = FULL"));
  return std::unique_ptr<AlertTables>(std::make_unique<SqliteAlertTables>(std::move(db)));
}

}  // namespace ecoute
