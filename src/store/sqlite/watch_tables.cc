// The watching tables in SQLite: watched_sources (schema.cc, versions 4, 9 and 10), configuration
// and polling state in one row.
#include "store/watch_tables.h"

#include <utility>

#include "store/sqlite/sqlite.h"
#include "store/sqlite/tables_connection.h"

namespace ecoute {
namespace {

// The columns ReadSource expects, in its order.
constexpr std::string_view kColumns =
    "id, url, format, label, interval_seconds, enabled, etag, last_modified, next_poll_at, "
    "last_polled_at, last_success_at, failures, last_error, posts_seen, created_at, brand, origin, "
    "follow_case, cursor, secret, error_kind, rate_limited_until";

std::string Select(std::string_view rest) {
  std::string sql = "SELECT ";
  sql += kColumns;
  sql += " FROM watched_sources ";
  sql += rest;
  return sql;
}

WatchedSource ReadSource(const sqlite::Statement& row) {
  WatchedSource s;
  s.id = row.Int(0);
  s.url = row.Text(1);
  s.format = row.Text(2);
  s.label = row.Text(3);
  s.interval_seconds = row.Int(4);
  s.enabled = row.Int(5) != 0;
  s.etag = row.Text(6);
  s.last_modified = row.Text(7);
  s.next_poll_at = row.Int(8);
  s.last_polled_at = row.OptionalInt(9);
  s.last_success_at = row.OptionalInt(10);
  s.failures = static_cast<int>(row.Int(11));
  s.last_error = row.Text(12);
  s.posts_seen = row.Int(13);
  s.created_at = row.Int(14);
  s.brand = row.Text(15);
  s.origin = row.Text(16);
  s.follow_case = row.OptionalInt(17);
  s.cursor = row.Text(18);
  s.secret = row.Text(19);
  s.error_kind = row.Text(20);
  s.rate_limited_until = row.OptionalInt(21);
  return s;
}

Status Run(sqlite::Statement& statement) {
  if (!statement.ok()) return statement.status();
  return statement.Run();
}

class SqliteWatchTables final : public WatchTables {
 public:
  explicit SqliteWatchTables(sqlite::Connection db) : db_(std::move(db)) {}

  Result<int64_t> AddSource(const WatchedSource& source, int64_t now) override;
  Result<std::vector<WatchedSource>> ListSources() override;
  Result<WatchedSource> FindSource(int64_t id) override;
  Status UpdateSource(const WatchedSource& source) override;
  Status DeleteSource(int64_t id) override;
  Result<std::vector<int64_t>> DueSources(int64_t now) override;
  Status DeferSource(int64_t id, int64_t next_poll_at) override;
  Status RecordSuccess(int64_t id, std::string_view url, std::string_view etag,
                       std::string_view last_modified, int64_t now, int64_t posts) override;
  Status RecordFailure(int64_t id, const Failure& failure) override;
  Status SaveCursor(int64_t id, std::string_view cursor) override;

 private:
  sqlite3* db() const { return db_.get(); }
  // kAlreadyExists when a source other than `id` watches `url`.
  Status CheckUrlIsFree(const std::string& url, int64_t id);

  sqlite::Connection db_;
};

Status SqliteWatchTables::CheckUrlIsFree(const std::string& url, int64_t id) {
  sqlite::Statement existing(db(), "SELECT id FROM watched_sources WHERE url = ? AND id != ?");
  if (!existing.ok()) return existing.status();
  existing.Bind(1, url).Bind(2, id);
  if (existing.Step()) {
    return Status(StatusCode::kAlreadyExists, "url \"" + url + "\": already watched (source " +
                                                  std::to_string(existing.Int(0)) + ")");
  }
  return existing.status();
}

Result<int64_t> SqliteWatchTables::AddSource(const WatchedSource& source, int64_t now) {
  ECOUTE_RETURN_IF_ERROR(CheckUrlIsFree(source.url, 0));
  sqlite::Statement insert(db(),
                           "INSERT INTO watched_sources (url, format, label, interval_seconds, "
                           "enabled, next_poll_at, created_at, brand, origin, follow_case, "
                           "cursor, secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  insert.Bind(1, source.url)
      .Bind(2, source.format)
      .Bind(3, source.label)
      .Bind(4, source.interval_seconds)
      .Bind(5, int64_t{source.enabled ? 1 : 0})
      .Bind(6, now)
      .Bind(7, now)
      .Bind(8, source.brand)
      .Bind(9, source.origin)
      .Bind(11, source.cursor)
      .Bind(12, source.secret);
  if (source.follow_case) insert.Bind(10, *source.follow_case);
  ECOUTE_RETURN_IF_ERROR(insert.Run());
  return db_.LastInsertId();
}

Result<std::vector<WatchedSource>> SqliteWatchTables::ListSources() {
  sqlite::Statement list(db(), Select("ORDER BY id"));
  if (!list.ok()) return list.status();
  std::vector<WatchedSource> sources;
  while (list.Step()) sources.push_back(ReadSource(list));
  ECOUTE_RETURN_IF_ERROR(list.status());
  return sources;
}

Result<WatchedSource> SqliteWatchTables::FindSource(int64_t id) {
  sqlite::Statement get(db(), Select("WHERE id = ?"));
  if (!get.ok()) return get.status();
  get.Bind(1, id);
  if (get.Step()) return ReadSource(get);
  ECOUTE_RETURN_IF_ERROR(get.status());
  return NotFoundError("no watched source " + std::to_string(id));
}

Status SqliteWatchTables::UpdateSource(const WatchedSource& source) {
  ECOUTE_RETURN_IF_ERROR(CheckUrlIsFree(source.url, source.id));
  sqlite::Statement update(db(),
                           "UPDATE watched_sources SET url = ?, format = ?, label = ?, "
                           "interval_seconds = ?, enabled = ?, etag = ?, last_modified = ?, "
                           "failures = ?, last_error = ?, next_poll_at = ?, brand = ?, origin = ?, "
                           "follow_case = ?, cursor = ?, secret = ?, error_kind = ?, "
                           "rate_limited_until = ? WHERE id = ?");
  if (!update.ok()) return update.status();
  update.Bind(1, source.url)
      .Bind(2, source.format)
      .Bind(3, source.label)
      .Bind(4, source.interval_seconds)
      .Bind(5, int64_t{source.enabled ? 1 : 0})
      .Bind(6, source.etag)
      .Bind(7, source.last_modified)
      .Bind(8, int64_t{source.failures})
      .Bind(9, source.last_error)
      .Bind(10, source.next_poll_at)
      .Bind(11, source.brand)
      .Bind(12, source.origin)
      .Bind(14, source.cursor)
      .Bind(15, source.secret)
      .Bind(16, source.error_kind)
      .Bind(18, source.id);
  if (source.follow_case) update.Bind(13, *source.follow_case);
  if (source.rate_limited_until) update.Bind(17, *source.rate_limited_until);
  return update.Run();
}

Status SqliteWatchTables::DeleteSource(int64_t id) {
  sqlite::Statement remove(db(), "DELETE FROM watched_sources WHERE id = ?");
  remove.Bind(1, id);
  ECOUTE_RETURN_IF_ERROR(Run(remove));
  if (db_.Changes() == 0) return NotFoundError("no watched source " + std::to_string(id));
  return OkStatus();
}

Result<std::vector<int64_t>> SqliteWatchTables::DueSources(int64_t now) {
  sqlite::Statement select(db(),
                           "SELECT id FROM watched_sources WHERE enabled = 1 AND "
                           "next_poll_at <= ? ORDER BY next_poll_at, id");
  if (!select.ok()) return select.status();
  select.Bind(1, now);
  std::vector<int64_t> due;
  while (select.Step()) due.push_back(select.Int(0));
  ECOUTE_RETURN_IF_ERROR(select.status());
  return due;
}

Status SqliteWatchTables::DeferSource(int64_t id, int64_t next_poll_at) {
  sqlite::Statement defer(db(), "UPDATE watched_sources SET next_poll_at = ? WHERE id = ?");
  defer.Bind(1, next_poll_at).Bind(2, id);
  return Run(defer);
}

Status SqliteWatchTables::RecordSuccess(int64_t id, std::string_view url, std::string_view etag,
                                        std::string_view last_modified, int64_t now,
                                        int64_t posts) {
  sqlite::Statement save(db(),
                         "UPDATE watched_sources SET etag = ?1, last_modified = ?2, "
                         "failures = 0, last_error = '', error_kind = '', "
                         "rate_limited_until = NULL, last_polled_at = ?3, "
                         "last_success_at = ?3, next_poll_at = ?3 + interval_seconds, "
                         "posts_seen = posts_seen + ?4 WHERE id = ?5 AND url = ?6");
  save.Bind(1, etag).Bind(2, last_modified).Bind(3, now).Bind(4, posts).Bind(5, id).Bind(6, url);
  return Run(save);
}

Status SqliteWatchTables::SaveCursor(int64_t id, std::string_view cursor) {
  sqlite::Statement save(db(), "UPDATE watched_sources SET cursor = ? WHERE id = ?");
  save.Bind(1, cursor).Bind(2, id);
  return Run(save);
}

Status SqliteWatchTables::RecordFailure(int64_t id, const Failure& failure) {
  sqlite::Statement save(
      db(),
      "UPDATE watched_sources SET failures = ?, last_error = ?, error_kind = ?, "
      "rate_limited_until = ?, last_polled_at = ?, next_poll_at = ? WHERE id = ?");
  save.Bind(1, int64_t{failure.failures})
      .Bind(2, failure.error)
      .Bind(3, failure.kind)
      .Bind(5, failure.polled_at)
      .Bind(6, failure.next_poll_at)
      .Bind(7, id);
  if (failure.rate_limited_until) save.Bind(4, *failure.rate_limited_until);
  return Run(save);
}

}  // namespace

Result<std::unique_ptr<WatchTables>> OpenWatchTables(const std::string& db_path) {
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db, sqlite::OpenTablesConnection(db_path, ""));
  return std::unique_ptr<WatchTables>(std::make_unique<SqliteWatchTables>(std::move(db)));
}

}  // namespace ecoute
