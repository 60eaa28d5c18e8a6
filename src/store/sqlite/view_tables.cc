// The inbox's saved views in SQLite: inbox_views (schema.cc, version 8).
#include "store/view_tables.h"

#include <string_view>
#include <utility>

#include "store/sqlite/sqlite.h"
#include "store/sqlite/tables_connection.h"

namespace ecoute {
namespace {

constexpr std::string_view kColumns =
    "SELECT id, owner, name, query, shared_with, created_at FROM inbox_views ";

InboxView ReadView(const sqlite::Statement& s) {
  InboxView v;
  v.id = s.Int(0);
  v.owner = s.Text(1);
  v.name = s.Text(2);
  v.query = s.Text(3);
  v.shared_with = s.Text(4);
  v.created_at = s.Int(5);
  return v;
}

class SqliteViewTables final : public ViewTables {
 public:
  explicit SqliteViewTables(sqlite::Connection db) : db_(std::move(db)) {}

  Result<std::vector<InboxView>> ListViews(const std::string& user,
                                           const std::vector<std::string>& teams) override {
    std::string sql =
        std::string(kColumns) + "WHERE owner = ?1 COLLATE NOCASE OR shared_with = 'everyone'";
    if (!teams.empty()) sql += " OR shared_with IN (" + Params(2, teams.size()) + ")";
    sql += " ORDER BY name COLLATE NOCASE, id";
    sqlite::Statement s(db(), sql);
    if (!s.ok()) return s.status();
    s.Bind(1, user);
    int index = 2;
    std::vector<std::string> shared;
    shared.reserve(teams.size());
    for (const std::string& team : teams) shared.push_back("team:" + team);
    for (const std::string& value : shared) s.Bind(index++, value);
    std::vector<InboxView> out;
    while (s.Step()) out.push_back(ReadView(s));
    ECOUTE_RETURN_IF_ERROR(s.status());
    return out;
  }

  Result<InboxView> GetView(int64_t id) override {
    sqlite::Statement s(db(), std::string(kColumns) + "WHERE id = ?1");
    if (!s.ok()) return s.status();
    s.Bind(1, id);
    if (s.Step()) return ReadView(s);
    ECOUTE_RETURN_IF_ERROR(s.status());
    return NotFoundError("no view " + std::to_string(id));
  }

  Result<InboxView> CreateView(const InboxView& v) override {
    sqlite::Statement s(db(),
                        "INSERT INTO inbox_views(owner, name, query, shared_with, created_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!s.ok()) return s.status();
    s.Bind(1, v.owner)
        .Bind(2, v.name)
        .Bind(3, v.query)
        .Bind(4, v.shared_with)
        .Bind(5, v.created_at);
    ECOUTE_RETURN_IF_ERROR(s.Run());
    return GetView(sqlite3_last_insert_rowid(db()));
  }

  Status DeleteView(int64_t id) override {
    sqlite::Statement s(db(), "DELETE FROM inbox_views WHERE id = ?1");
    if (!s.ok()) return s.status();
    s.Bind(1, id);
    ECOUTE_RETURN_IF_ERROR(s.Run());
    if (db_.Changes() == 0) return NotFoundError("no view " + std::to_string(id));
    return OkStatus();
  }

 private:
  sqlite3* db() const { return db_.get(); }

  // "?2,?3" for `n` parameters from `first`.
  static std::string Params(int first, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) out.push_back(',');
      out += "?" + std::to_string(first + static_cast<int>(i));
    }
    return out;
  }

  sqlite::Connection db_;
};

}  // namespace

Result<std::unique_ptr<ViewTables>> OpenViewTables(const std::string& db_path) {
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db, sqlite::OpenTablesConnection(db_path, ""));
  return std::unique_ptr<ViewTables>(std::make_unique<SqliteViewTables>(std::move(db)));
}

}  // namespace ecoute
