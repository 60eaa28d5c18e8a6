// The reply tables in SQLite: reply_accounts and replies (schema.cc, version 5).
#include "store/reply_tables.h"

#include <algorithm>
#include <utility>

#include "store/sqlite/sqlite.h"
#include "store/sqlite/tables_connection.h"

namespace ecoute {
namespace {

constexpr std::string_view kAccountColumns =
    "SELECT brand, channel, settings, coalesce(secret, ''), updated_by, updated_at "
    "FROM reply_accounts ";

ReplyAccount ReadAccount(const sqlite::Statement& s) {
  ReplyAccount a;
  a.brand = s.Text(0);
  a.channel = s.Text(1);
  a.settings = s.Text(2);
  a.sealed = s.Text(3);
  a.updated_by = s.Text(4);
  a.updated_at = s.Int(5);
  return a;
}

constexpr std::string_view kReplyColumns =
    "SELECT id, case_id, brand, channel, in_reply_to, recipient, text, idempotency_key, "
    "status, attempts, next_attempt_at, last_error, platform_id, platform_url, actor, "
    "created_at, sent_at FROM replies ";

ReplyRecord ReadReply(const sqlite::Statement& s) {
  ReplyRecord r;
  r.id = s.Int(0);
  r.case_id = s.Int(1);
  r.brand = s.Text(2);
  r.channel = s.Text(3);
  r.in_reply_to = s.Text(4);
  r.recipient = s.Text(5);
  r.text = s.Text(6);
  r.idempotency_key = s.Text(7);
  r.status = s.Text(8);
  r.attempts = static_cast<int>(s.Int(9));
  r.next_attempt_at = s.OptionalInt(10);
  r.last_error = s.Text(11);
  r.platform_id = s.Text(12);
  r.platform_url = s.Text(13);
  r.actor = s.Text(14);
  r.created_at = s.Int(15);
  r.sent_at = s.OptionalInt(16);
  return r;
}

std::string NoAccount(std::string_view brand, std::string_view channel) {
  return "no " + std::string(channel) + " account for brand " + std::string(brand);
}

class SqliteReplyTables final : public ReplyTables {
 public:
  explicit SqliteReplyTables(sqlite::Connection db) : db_(std::move(db)) {}

  Status PutAccount(const ReplyAccount& a) override {
    sqlite::Statement s(db(),
                        "INSERT INTO reply_accounts(brand, channel, settings, secret, updated_by, "
                        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(brand, channel) "
                        "DO UPDATE SET brand = ?1, settings = ?3, secret = ?4, updated_by = ?5, "
                        "updated_at = ?6");
    if (!s.ok()) return s.status();
    s.Bind(1, a.brand)
        .Bind(2, a.channel)
        .Bind(3, a.settings)
        .BindOrNull(4, std::string_view(a.sealed))
        .Bind(5, a.updated_by)
        .Bind(6, a.updated_at);
    return s.Run();
  }

  Result<std::vector<ReplyAccount>> ListAccounts(std::string_view brand) override {
    sqlite::Statement s(
        db(), std::string(kAccountColumns) + "WHERE ?1 = '' OR brand = ?1 ORDER BY brand, channel");
    if (!s.ok()) return s.status();
    s.Bind(1, brand);
    std::vector<ReplyAccount> out;
    while (s.Step()) out.push_back(ReadAccount(s));
    ECOUTE_RETURN_IF_ERROR(s.status());
    return out;
  }

  Result<ReplyAccount> FindAccount(std::string_view brand, std::string_view channel) override {
    sqlite::Statement s(db(), std::string(kAccountColumns) + "WHERE brand = ?1 AND channel = ?2");
    if (!s.ok()) return s.status();
    s.Bind(1, brand).Bind(2, channel);
    if (s.Step()) return ReadAccount(s);
    ECOUTE_RETURN_IF_ERROR(s.status());
    return NotFoundError(NoAccount(brand, channel));
  }

  Status DeleteAccount(std::string_view brand, std::string_view channel) override {
    sqlite::Statement s(db(), "DELETE FROM reply_accounts WHERE brand = ?1 AND channel = ?2");
    if (!s.ok()) return s.status();
    s.Bind(1, brand).Bind(2, channel);
    ECOUTE_RETURN_IF_ERROR(s.Run());
    if (db_.Changes() == 0) return NotFoundError(NoAccount(brand, channel));
    return OkStatus();
  }

  Result<std::pair<ReplyRecord, bool>> AddReply(const ReplyRecord& r) override;
  Result<ReplyRecord> FindReply(int64_t id) override { return FindBy("id = ?1", id, ""); }
  Result<std::vector<ReplyRecord>> CaseReplies(int64_t case_id) override {
    return Select("WHERE case_id = ?1 ORDER BY id", case_id, "", 100000);
  }
  Result<std::vector<ReplyRecord>> RepliesIn(std::string_view status, int64_t now,
                                             int limit) override {
    return Select(
        "WHERE status = ?2 AND (?2 <> 'queued' OR coalesce(next_attempt_at, 0) <= ?1) "
        "ORDER BY id LIMIT ?3",
        now, status, limit);
  }
  Result<bool> UpdateReply(const ReplyRecord& r, std::string_view from) override;
  Result<std::optional<int64_t>> NextAttemptAt() override {
    sqlite::Statement s(db(),
                        "SELECT min(coalesce(next_attempt_at, 0)) FROM replies "
                        "WHERE status = 'queued'");
    if (!s.ok()) return s.status();
    if (!s.Step()) {
      ECOUTE_RETURN_IF_ERROR(s.status());
      return std::optional<int64_t>();
    }
    return s.OptionalInt(0);
  }

 private:
  sqlite3* db() const { return db_.get(); }

  Result<std::vector<ReplyRecord>> Select(std::string_view where, int64_t a, std::string_view b,
                                          int limit) {
    sqlite::Statement s(db(), std::string(kReplyColumns) + std::string(where));
    if (!s.ok()) return s.status();
    s.Bind(1, a).Bind(2, b).Bind(3, static_cast<int64_t>(std::max(limit, 0)));
    std::vector<ReplyRecord> out;
    while (s.Step()) out.push_back(ReadReply(s));
    ECOUTE_RETURN_IF_ERROR(s.status());
    return out;
  }
  Result<ReplyRecord> FindBy(std::string_view where, int64_t id, std::string_view key) {
    sqlite::Statement s(db(), std::string(kReplyColumns) + "WHERE " + std::string(where));
    if (!s.ok()) return s.status();
    if (key.empty()) {
      s.Bind(1, id);
    } else {
      s.Bind(1, key);
    }
    if (s.Step()) return ReadReply(s);
    ECOUTE_RETURN_IF_ERROR(s.status());
    return NotFoundError("no reply " + (key.empty() ? std::to_string(id) : std::string(key)));
  }

  sqlite::Connection db_;
};

Result<std::pair<ReplyRecord, bool>> SqliteReplyTables::AddReply(const ReplyRecord& r) {
  sqlite::Statement s(db(),
                      "INSERT OR IGNORE INTO replies(case_id, brand, channel, in_reply_to, "
                      "recipient, text, idempotency_key, status, attempts, next_attempt_at, "
                      "last_error, platform_id, platform_url, actor, created_at, sent_at) VALUES "
                      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
  if (!s.ok()) return s.status();
  s.Bind(1, r.case_id)
      .Bind(2, r.brand)
      .Bind(3, r.channel)
      .Bind(4, r.in_reply_to)
      .Bind(5, r.recipient)
      .Bind(6, r.text)
      .Bind(7, r.idempotency_key)
      .Bind(8, r.status)
      .Bind(9, static_cast<int64_t>(r.attempts))
      .BindOrNull(10, r.next_attempt_at)
      .Bind(11, r.last_error)
      .Bind(12, r.platform_id)
      .Bind(13, r.platform_url)
      .Bind(14, r.actor)
      .Bind(15, r.created_at)
      .BindOrNull(16, r.sent_at);
  ECOUTE_RETURN_IF_ERROR(s.Run());
  const bool added = db_.Changes() > 0;
  ECOUTE_ASSIGN_OR_RETURN(ReplyRecord stored, FindBy("idempotency_key = ?1", 0, r.idempotency_key));
  return std::make_pair(std::move(stored), added);
}

Result<bool> SqliteReplyTables::UpdateReply(const ReplyRecord& r, std::string_view from) {
  sqlite::Statement s(db(),
                      "UPDATE replies SET status = ?2, attempts = ?3, next_attempt_at = ?4, "
                      "last_error = ?5, platform_id = ?6, platform_url = ?7, sent_at = ?8 "
                      "WHERE id = ?1 AND status = ?9");
  if (!s.ok()) return s.status();
  s.Bind(1, r.id)
      .Bind(2, r.status)
      .Bind(3, static_cast<int64_t>(r.attempts))
      .BindOrNull(4, r.next_attempt_at)
      .Bind(5, r.last_error)
      .Bind(6, r.platform_id)
      .Bind(7, r.platform_url)
      .BindOrNull(8, r.sent_at)
      .Bind(9, from);
  ECOUTE_RETURN_IF_ERROR(s.Run());
  return db_.Changes() > 0;
}

}  // namespace

Result<std::unique_ptr<ReplyTables>> OpenReplyTables(const std::string& db_path) {
  // FULL sync: a reply the API accepted, or a reply marked sent, must survive a power loss.
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db,
                          sqlite::OpenTablesConnection(db_path, "PRAGMA synchronous = FULL"));
  return std::unique_ptr<ReplyTables>(std::make_unique<SqliteReplyTables>(std::move(db)));
}

}  // namespace ecoute
