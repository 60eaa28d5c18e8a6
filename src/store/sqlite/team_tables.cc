// The teams in SQLite: teams and team_members (schema.cc, version 7).
#include "store/team_tables.h"

#include <string_view>
#include <utility>

#include "store/sqlite/sqlite.h"
#include "store/sqlite/tables_connection.h"

namespace ecoute {
namespace {

constexpr std::string_view kColumns =
    "SELECT id, name, brand, round_robin, last_assigned, updated_by, updated_at FROM teams ";

Team ReadTeam(const sqlite::Statement& s) {
  Team t;
  t.id = s.Int(0);
  t.name = s.Text(1);
  t.brand = s.Text(2);
  t.round_robin = s.Int(3) != 0;
  t.last_assigned = s.Int(4);
  t.updated_by = s.Text(5);
  t.updated_at = s.Int(6);
  return t;
}

std::string NoTeam(int64_t id) { return "no team " + std::to_string(id); }

class SqliteTeamTables final : public TeamTables {
 public:
  explicit SqliteTeamTables(sqlite::Connection db) : db_(std::move(db)) {}

  Result<std::vector<Team>> ListTeams() override {
    std::vector<Team> out;
    {
      sqlite::Statement s(
          db(), std::string(kColumns) + "ORDER BY brand COLLATE NOCASE, name COLLATE NOCASE, id");
      if (!s.ok()) return s.status();
      while (s.Step()) out.push_back(ReadTeam(s));
      ECOUTE_RETURN_IF_ERROR(s.status());
    }
    for (Team& t : out) ECOUTE_RETURN_IF_ERROR(LoadMembers(t));
    return out;
  }

  Result<Team> GetTeam(int64_t id) override {
    Team t;
    {
      sqlite::Statement s(db(), std::string(kColumns) + "WHERE id = ?1");
      if (!s.ok()) return s.status();
      s.Bind(1, id);
      if (!s.Step()) {
        ECOUTE_RETURN_IF_ERROR(s.status());
        return NotFoundError(NoTeam(id));
      }
      t = ReadTeam(s);
    }
    ECOUTE_RETURN_IF_ERROR(LoadMembers(t));
    return t;
  }

  Result<Team> CreateTeam(const Team& team) override {
    int64_t id = 0;
    ECOUTE_RETURN_IF_ERROR(sqlite::InTransaction(db(), [&]() -> Status {
      ECOUTE_RETURN_IF_ERROR(CheckNameFree(team, 0));
      sqlite::Statement s(db(),
                          "INSERT INTO teams(name, brand, round_robin, updated_by, updated_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5)");
      if (!s.ok()) return s.status();
      Bind(s, team);
      ECOUTE_RETURN_IF_ERROR(s.Run());
      id = db_.LastInsertId();
      return SaveMembers(id, team.members);
    }));
    return GetTeam(id);
  }

  Result<Team> UpdateTeam(const Team& team) override {
    ECOUTE_RETURN_IF_ERROR(sqlite::InTransaction(db(), [&]() -> Status {
      ECOUTE_RETURN_IF_ERROR(CheckNameFree(team, team.id));
      sqlite::Statement s(db(),
                          "UPDATE teams SET name = ?1, brand = ?2, round_robin = ?3, "
                          "updated_by = ?4, updated_at = ?5 WHERE id = ?6");
      if (!s.ok()) return s.status();
      Bind(s, team);
      s.Bind(6, team.id);
      ECOUTE_RETURN_IF_ERROR(s.Run());
      if (db_.Changes() == 0) return NotFoundError(NoTeam(team.id));
      return SaveMembers(team.id, team.members);
    }));
    return GetTeam(team.id);
  }

  Status DeleteTeam(int64_t id) override {
    return sqlite::InTransaction(db(), [&]() -> Status {
      // Explicitly, whether or not this connection enforces foreign keys.
      ECOUTE_RETURN_IF_ERROR(SaveMembers(id, {}));
      sqlite::Statement s(db(), "DELETE FROM teams WHERE id = ?1");
      if (!s.ok()) return s.status();
      s.Bind(1, id);
      ECOUTE_RETURN_IF_ERROR(s.Run());
      if (db_.Changes() == 0) return NotFoundError(NoTeam(id));
      return OkStatus();
    });
  }

  Status SetLastAssigned(int64_t team_id, int64_t user_id) override {
    sqlite::Statement s(db(), "UPDATE teams SET last_assigned = ?1 WHERE id = ?2");
    if (!s.ok()) return s.status();
    s.Bind(1, user_id).Bind(2, team_id);
    ECOUTE_RETURN_IF_ERROR(s.Run());
    if (db_.Changes() == 0) return NotFoundError(NoTeam(team_id));
    return OkStatus();
  }

 private:
  sqlite3* db() const { return db_.get(); }

  static void Bind(sqlite::Statement& s, const Team& t) {
    s.Bind(1, t.name)
        .Bind(2, t.brand)
        .Bind(3, int64_t{t.round_robin})
        .Bind(4, t.updated_by)
        .Bind(5, t.updated_at);
  }

  Status CheckNameFree(const Team& team, int64_t id) {
    sqlite::Statement s(db(), "SELECT id FROM teams WHERE brand = ?1 AND name = ?2 AND id != ?3");
    if (!s.ok()) return s.status();
    s.Bind(1, team.brand).Bind(2, team.name).Bind(3, id);
    if (s.Step()) {
      return Status(StatusCode::kAlreadyExists,
                    "team \"" + team.name + "\" of " + team.brand + " already exists");
    }
    return s.status();
  }

  Status LoadMembers(Team& t) {
    sqlite::Statement s(db(),
                        "SELECT m.user_id FROM team_members m JOIN access_users u "
                        "ON u.id = m.user_id WHERE m.team_id = ?1 ORDER BY m.position");
    if (!s.ok()) return s.status();
    s.Bind(1, t.id);
    t.members.clear();
    while (s.Step()) t.members.push_back(s.Int(0));
    return s.status();
  }

  Status SaveMembers(int64_t team_id, const std::vector<int64_t>& members) {
    sqlite::Statement clear(db(), "DELETE FROM team_members WHERE team_id = ?1");
    if (!clear.ok()) return clear.status();
    clear.Bind(1, team_id);
    ECOUTE_RETURN_IF_ERROR(clear.Run());
    sqlite::Statement add(db(),
                          "INSERT INTO team_members(team_id, position, user_id) "
                          "VALUES (?1, ?2, ?3)");
    if (!add.ok()) return add.status();
    for (size_t i = 0; i < members.size(); ++i) {
      add.Bind(1, team_id).Bind(2, static_cast<int64_t>(i)).Bind(3, members[i]);
      ECOUTE_RETURN_IF_ERROR(add.Run());
      add.Reset();
    }
    return OkStatus();
  }

  sqlite::Connection db_;
};

}  // namespace

Result<std::unique_ptr<TeamTables>> OpenTeamTables(const std::string& db_path) {
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db, sqlite::OpenTablesConnection(db_path, ""));
  return std::unique_ptr<TeamTables>(std::make_unique<SqliteTeamTables>(std::move(db)));
}

}  // namespace ecoute
