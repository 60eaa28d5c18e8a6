// The comment follower's table in SQLite: comment_follows (schema.cc, version 10).
#include "store/follow_tables.h"

#include <string_view>
#include <utility>

#include "store/sqlite/sqlite.h"
#include "store/sqlite/tables_connection.h"

namespace ecoute {
namespace {

constexpr std::string_view kSelect =
    "SELECT post_id, case_id, article_url, state, kind, source_url, format, source_id, attempts, "
    "checked_at, detail FROM comment_follows ";

CommentFollow ReadFollow(const sqlite::Statement& s) {
  CommentFollow f;
  f.post_id = s.Int(0);
  f.case_id = s.Int(1);
  f.article_url = s.Text(2);
  f.state = s.Text(3);
  f.kind = s.Text(4);
  f.source_url = s.Text(5);
  f.format = s.Text(6);
  f.source_id = s.OptionalInt(7);
  f.attempts = static_cast<int>(s.Int(8));
  f.checked_at = s.Int(9);
  f.detail = s.Text(10);
  return f;
}

class SqliteFollowTables final : public FollowTables {
 public:
  explicit SqliteFollowTables(sqlite::Connection db) : db_(std::move(db)) {}

  Status SaveFollow(const CommentFollow& f) override {
    sqlite::Statement s(db(),
                        "INSERT OR REPLACE INTO comment_follows (post_id, case_id, article_url, "
                        "state, kind, source_url, format, source_id, attempts, checked_at, detail) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!s.ok()) return s.status();
    s.Bind(1, f.post_id)
        .Bind(2, f.case_id)
        .Bind(3, f.article_url)
        .Bind(4, f.state)
        .Bind(5, f.kind)
        .Bind(6, f.source_url)
        .Bind(7, f.format)
        .BindOrNull(8, f.source_id)
        .Bind(9, int64_t{f.attempts})
        .Bind(10, f.checked_at)
        .Bind(11, f.detail);
    return s.Run();
  }

  Result<CommentFollow> FindFollow(int64_t post_id) override {
    return FindOne("WHERE post_id = ?1", post_id, "no follow of post ");
  }

  Result<CommentFollow> FindFollowBySource(int64_t source_id) override {
    return FindOne("WHERE source_id = ?1", source_id, "no follow by source ");
  }

  Result<std::vector<CommentFollow>> ListFollowing() override {
    sqlite::Statement s(db(), std::string(kSelect) + "WHERE state = 'following' ORDER BY post_id");
    return ReadAll(s);
  }

  Result<std::vector<CommentFollow>> ListFollowsOf(const std::vector<int64_t>& post_ids) override {
    std::vector<CommentFollow> out;
    for (const int64_t id : post_ids) {
      Result<CommentFollow> found = FindFollow(id);
      if (found) {
        out.push_back(std::move(found).value());
      } else if (found.error().code() != StatusCode::kNotFound) {
        return found.error();
      }
    }
    return out;
  }

 private:
  sqlite3* db() const { return db_.get(); }

  Result<CommentFollow> FindOne(std::string_view where, int64_t value, std::string_view missing) {
    sqlite::Statement s(db(), std::string(kSelect) + std::string(where));
    if (!s.ok()) return s.status();
    s.Bind(1, value);
    if (s.Step()) return ReadFollow(s);
    ECOUTE_RETURN_IF_ERROR(s.status());
    return NotFoundError(std::string(missing) + std::to_string(value));
  }

  static Result<std::vector<CommentFollow>> ReadAll(sqlite::Statement& s) {
    if (!s.ok()) return s.status();
    std::vector<CommentFollow> out;
    while (s.Step()) out.push_back(ReadFollow(s));
    ECOUTE_RETURN_IF_ERROR(s.status());
    return out;
  }

  sqlite::Connection db_;
};

}  // namespace

Result<std::unique_ptr<FollowTables>> OpenFollowTables(const std::string& db_path) {
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db, sqlite::OpenTablesConnection(db_path, ""));
  return std::unique_ptr<FollowTables>(std::make_unique<SqliteFollowTables>(std::move(db)));
}

}  // namespace ecoute
