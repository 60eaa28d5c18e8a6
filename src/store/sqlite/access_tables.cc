// The access tables in SQLite: access_users, access_user_brands, access_sessions,
// access_tokens (schema.cc, version 4).
#include "store/access_tables.h"

#include <utility>

#include "store/sqlite/sqlite.h"
#include "store/sqlite/tables_connection.h"

namespace ecoute {
namespace {

constexpr std::string_view kUserColumns =
    "u.id, u.name, u.display_name, u.email, u.role, u.all_brands, u.disabled, u.created_at, "
    "u.notify_webhook, u.notify_secret";
constexpr int kUserColumnCount = 10;

// The columns of kUserColumns, read from `first` on; brands are loaded apart.
StoredUser ReadUser(const sqlite::Statement& row, int first) {
  StoredUser user;
  user.id = row.Int(first);
  user.name = std::string(row.Text(first + 1));
  user.display_name = std::string(row.Text(first + 2));
  user.email = std::string(row.Text(first + 3));
  user.role = std::string(row.Text(first + 4));
  user.all_brands = row.Int(first + 5) != 0;
  user.disabled = row.Int(first + 6) != 0;
  user.created_at = row.Int(first + 7);
  user.notify_webhook = std::string(row.Text(first + 8));
  user.notify_secret = std::string(row.Text(first + 9));
  return user;
}

constexpr std::string_view kTokenColumns =
    "t.id, t.user_id, t.label, t.prefix, t.created_at, t.expires_at, t.last_used_at";
constexpr int kTokenColumnCount = 7;

StoredToken ReadToken(const sqlite::Statement& row) {
  StoredToken token;
  token.id = row.Int(0);
  token.user_id = row.Int(1);
  token.label = std::string(row.Text(2));
  token.prefix = std::string(row.Text(3));
  token.created_at = row.Int(4);
  token.expires_at = row.OptionalInt(5);
  token.last_used_at = row.OptionalInt(6);
  return token;
}

// A statement's preparation error, else the status of its run.
Status Run(sqlite::Statement& statement) {
  if (!statement.ok()) return statement.status();
  return statement.Run();
}

Status CountError(const sqlite::Statement& count) {
  return count.status().ok() ? InternalError("count returned no row") : count.status();
}

class SqliteAccessTables final : public AccessTables {
 public:
  explicit SqliteAccessTables(sqlite::Connection db) : db_(std::move(db)) {}

  Result<int64_t> AddUser(const StoredUser& user, std::string_view password_hash) override;
  Result<std::vector<StoredUser>> ListUsers() override;
  Result<StoredUser> FindUser(int64_t id) override;
  Result<StoredUser> FindUserByName(std::string_view name) override;
  Result<FoundLogin> FindLogin(std::string_view name) override;
  Result<std::vector<std::string>> UserBrands(int64_t user_id) override;
  Result<int64_t> CountUsers() override;
  Result<int64_t> CountEnabledAdmins() override;
  Status UpdateUser(const StoredUser& user, int64_t now, bool end_sessions) override;
  Status SetPasswordHash(int64_t user_id, std::string_view password_hash, int64_t now) override;
  Status DeleteUser(int64_t id) override;
  Status AddSession(const StoredSession& session, int64_t idle_before,
                    std::string_view rehashed_password) override;
  Result<FoundSession> FindSession(std::string_view digest) override;
  Status TouchSession(std::string_view digest, int64_t last_seen_at) override;
  Status DeleteSession(std::string_view digest) override;
  Result<int64_t> AddToken(const StoredToken& token, std::string_view digest) override;
  Result<std::vector<StoredToken>> ListTokens(std::optional<int64_t> user_id) override;
  Result<FoundToken> FindToken(std::string_view digest) override;
  Status TouchToken(int64_t token_id, int64_t last_used_at) override;
  Status DeleteToken(int64_t token_id) override;

 private:
  sqlite3* db() const { return db_.get(); }
  Status LoadBrands(StoredUser& user);
  Status SaveBrands(const StoredUser& user);
  Status EndSessions(int64_t user_id);
  Result<int64_t> Count(std::string_view sql);

  sqlite::Connection db_;
};

Status SqliteAccessTables::LoadBrands(StoredUser& user) {
  ECOUTE_ASSIGN_OR_RETURN(user.brands, UserBrands(user.id));
  return OkStatus();
}

Status SqliteAccessTables::SaveBrands(const StoredUser& user) {
  sqlite::Statement clear(db(), "DELETE FROM access_user_brands WHERE user_id = ?");
  clear.Bind(1, user.id);
  ECOUTE_RETURN_IF_ERROR(Run(clear));
  sqlite::Statement insert(db(),
                           "INSERT INTO access_user_brands(user_id, position, brand) "
                           "VALUES (?, ?, ?)");
  if (!insert.ok()) return insert.status();
  for (size_t i = 0; i < user.brands.size(); ++i) {
    insert.Bind(1, user.id).Bind(2, static_cast<int64_t>(i)).Bind(3, user.brands[i]);
    ECOUTE_RETURN_IF_ERROR(insert.Run());
  }
  return OkStatus();
}

Status SqliteAccessTables::EndSessions(int64_t user_id) {
  sqlite::Statement end(db(), "DELETE FROM access_sessions WHERE user_id = ?");
  end.Bind(1, user_id);
  return Run(end);
}

Result<int64_t> SqliteAccessTables::Count(std::string_view sql) {
  sqlite::Statement count(db(), sql);
  if (!count.ok()) return count.status();
  if (!count.Step()) return CountError(count);
  return count.Int(0);
}

// ---- users ----

Result<int64_t> SqliteAccessTables::AddUser(const StoredUser& user,
                                            std::string_view password_hash) {
  int64_t id = 0;
  ECOUTE_RETURN_IF_ERROR(sqlite::InTransaction(db(), [&]() -> Status {
    sqlite::Statement exists(db(), "SELECT 1 FROM access_users WHERE name = ?");
    if (!exists.ok()) return exists.status();
    exists.Bind(1, user.name);
    if (exists.Step()) {
      return Status(StatusCode::kAlreadyExists, "user \"" + user.name + "\" already exists");
    }
    ECOUTE_RETURN_IF_ERROR(exists.status());
    sqlite::Statement insert(db(),
                             "INSERT INTO access_users(name, display_name, email, role, "
                             "all_brands, disabled, password_hash, created_at, updated_at, "
                             "notify_webhook, notify_secret) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.Bind(1, user.name)
        .Bind(2, user.display_name)
        .Bind(3, user.email)
        .Bind(4, user.role)
        .Bind(5, int64_t{user.all_brands})
        .Bind(6, int64_t{user.disabled})
        .Bind(7, password_hash)
        .Bind(8, user.created_at)
        .Bind(9, user.created_at)
        .Bind(10, user.notify_webhook)
        .Bind(11, user.notify_secret);
    ECOUTE_RETURN_IF_ERROR(Run(insert));
    id = db_.LastInsertId();
    StoredUser saved = user;
    saved.id = id;
    return SaveBrands(saved);
  }));
  return id;
}

Result<std::vector<StoredUser>> SqliteAccessTables::ListUsers() {
  sqlite::Statement read(
      db(), "SELECT " + std::string(kUserColumns) + " FROM access_users u ORDER BY u.name");
  if (!read.ok()) return read.status();
  std::vector<StoredUser> users;
  while (read.Step()) users.push_back(ReadUser(read, 0));
  ECOUTE_RETURN_IF_ERROR(read.status());
  for (StoredUser& user : users) ECOUTE_RETURN_IF_ERROR(LoadBrands(user));
  return users;
}

Result<StoredUser> SqliteAccessTables::FindUser(int64_t id) {
  sqlite::Statement read(
      db(), "SELECT " + std::string(kUserColumns) + " FROM access_users u WHERE u.id = ?");
  if (!read.ok()) return read.status();
  read.Bind(1, id);
  if (!read.Step()) {
    ECOUTE_RETURN_IF_ERROR(read.status());
    return NotFoundError("no user with id " + std::to_string(id));
  }
  StoredUser user = ReadUser(read, 0);
  read.Reset();
  ECOUTE_RETURN_IF_ERROR(LoadBrands(user));
  return user;
}

Result<StoredUser> SqliteAccessTables::FindUserByName(std::string_view name) {
  ECOUTE_ASSIGN_OR_RETURN(FoundLogin login, FindLogin(name));
  ECOUTE_RETURN_IF_ERROR(LoadBrands(login.user));
  return std::move(login.user);
}

Result<FoundLogin> SqliteAccessTables::FindLogin(std::string_view name) {
  sqlite::Statement read(db(), "SELECT " + std::string(kUserColumns) +
                                   ", u.password_hash FROM access_users u WHERE u.name = ?");
  if (!read.ok()) return read.status();
  read.Bind(1, name);
  if (!read.Step()) {
    ECOUTE_RETURN_IF_ERROR(read.status());
    return NotFoundError("no user named \"" + std::string(name) + "\"");
  }
  FoundLogin login;
  login.user = ReadUser(read, 0);
  login.password_hash = std::string(read.Text(kUserColumnCount));
  return login;
}

Result<std::vector<std::string>> SqliteAccessTables::UserBrands(int64_t user_id) {
  sqlite::Statement read(
      db(), "SELECT brand FROM access_user_brands WHERE user_id = ? ORDER BY position");
  if (!read.ok()) return read.status();
  read.Bind(1, user_id);
  std::vector<std::string> brands;
  while (read.Step()) brands.emplace_back(read.Text(0));
  ECOUTE_RETURN_IF_ERROR(read.status());
  return brands;
}

Result<int64_t> SqliteAccessTables::CountUsers() {
  return Count("SELECT count(*) FROM access_users");
}

Result<int64_t> SqliteAccessTables::CountEnabledAdmins() {
  return Count("SELECT count(*) FROM access_users WHERE role = 'admin' AND disabled = 0");
}

Status SqliteAccessTables::UpdateUser(const StoredUser& user, int64_t now, bool end_sessions) {
  return sqlite::InTransaction(db(), [&]() -> Status {
    sqlite::Statement write(db(),
                            "UPDATE access_users SET display_name = ?, email = ?, role = ?, "
                            "all_brands = ?, disabled = ?, updated_at = ?, notify_webhook = ?, "
                            "notify_secret = ? WHERE id = ?");
    write.Bind(1, user.display_name)
        .Bind(2, user.email)
        .Bind(3, user.role)
        .Bind(4, int64_t{user.all_brands})
        .Bind(5, int64_t{user.disabled})
        .Bind(6, now)
        .Bind(7, user.notify_webhook)
        .Bind(8, user.notify_secret)
        .Bind(9, user.id);
    ECOUTE_RETURN_IF_ERROR(Run(write));
    ECOUTE_RETURN_IF_ERROR(SaveBrands(user));
    return end_sessions ? EndSessions(user.id) : OkStatus();
  });
}

Status SqliteAccessTables::SetPasswordHash(int64_t user_id, std::string_view password_hash,
                                           int64_t now) {
  return sqlite::InTransaction(db(), [&]() -> Status {
    sqlite::Statement write(
        db(), "UPDATE access_users SET password_hash = ?, updated_at = ? WHERE id = ?");
    write.Bind(1, password_hash).Bind(2, now).Bind(3, user_id);
    ECOUTE_RETURN_IF_ERROR(Run(write));
    if (db_.Changes() == 0) return NotFoundError("no user with id " + std::to_string(user_id));
    return EndSessions(user_id);
  });
}

Status SqliteAccessTables::DeleteUser(int64_t id) {
  return sqlite::InTransaction(db(), [&]() -> Status {
    for (const char* sql : {"DELETE FROM access_sessions WHERE user_id = ?",
                            "DELETE FROM access_tokens WHERE user_id = ?",
                            "DELETE FROM access_user_brands WHERE user_id = ?",
                            "DELETE FROM access_users WHERE id = ?"}) {
      sqlite::Statement remove(db(), sql);
      remove.Bind(1, id);
      ECOUTE_RETURN_IF_ERROR(Run(remove));
    }
    return OkStatus();
  });
}

// ---- sessions ----

Status SqliteAccessTables::AddSession(const StoredSession& session, int64_t idle_before,
                                      std::string_view rehashed_password) {
  return sqlite::InTransaction(db(), [&]() -> Status {
    if (!rehashed_password.empty()) {
      sqlite::Statement write(db(), "UPDATE access_users SET password_hash = ? WHERE id = ?");
      write.Bind(1, rehashed_password).Bind(2, session.user_id);
      ECOUTE_RETURN_IF_ERROR(Run(write));
    }
    sqlite::Statement sweep(
        db(), "DELETE FROM access_sessions WHERE expires_at <= ? OR last_seen_at < ?");
    sweep.Bind(1, session.created_at).Bind(2, idle_before);
    ECOUTE_RETURN_IF_ERROR(Run(sweep));
    sqlite::Statement insert(db(),
                             "INSERT INTO access_sessions(digest, user_id, csrf_token, "
                             "created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)");
    insert.Bind(1, session.digest)
        .Bind(2, session.user_id)
        .Bind(3, session.csrf_token)
        .Bind(4, session.created_at)
        .Bind(5, session.expires_at)
        .Bind(6, session.last_seen_at);
    return Run(insert);
  });
}

Result<FoundSession> SqliteAccessTables::FindSession(std::string_view digest) {
  sqlite::Statement read(db(),
                         "SELECT s.user_id, s.csrf_token, s.created_at, s.expires_at, "
                         "s.last_seen_at, " +
                             std::string(kUserColumns) +
                             " FROM access_sessions s JOIN access_users u"
                             " ON u.id = s.user_id WHERE s.digest = ?");
  if (!read.ok()) return read.status();
  read.Bind(1, digest);
  if (!read.Step()) {
    ECOUTE_RETURN_IF_ERROR(read.status());
    return NotFoundError("no such session");
  }
  FoundSession found;
  found.session.digest = std::string(digest);
  found.session.user_id = read.Int(0);
  found.session.csrf_token = std::string(read.Text(1));
  found.session.created_at = read.Int(2);
  found.session.expires_at = read.Int(3);
  found.session.last_seen_at = read.Int(4);
  found.user = ReadUser(read, 5);
  return found;
}

Status SqliteAccessTables::TouchSession(std::string_view digest, int64_t last_seen_at) {
  sqlite::Statement touch(db(), "UPDATE access_sessions SET last_seen_at = ? WHERE digest = ?");
  touch.Bind(1, last_seen_at).Bind(2, digest);
  return Run(touch);
}

Status SqliteAccessTables::DeleteSession(std::string_view digest) {
  sqlite::Statement remove(db(), "DELETE FROM access_sessions WHERE digest = ?");
  remove.Bind(1, digest);
  return Run(remove);
}

// ---- API tokens ----

Result<int64_t> SqliteAccessTables::AddToken(const StoredToken& token, std::string_view digest) {
  sqlite::Statement insert(db(),
                           "INSERT INTO access_tokens(user_id, digest, label, prefix, created_at, "
                           "expires_at) VALUES (?, ?, ?, ?, ?, ?)");
  insert.Bind(1, token.user_id)
      .Bind(2, digest)
      .Bind(3, token.label)
      .Bind(4, token.prefix)
      .Bind(5, token.created_at)
      .BindOrNull(6, token.expires_at);
  ECOUTE_RETURN_IF_ERROR(Run(insert));
  return db_.LastInsertId();
}

Result<std::vector<StoredToken>> SqliteAccessTables::ListTokens(std::optional<int64_t> user_id) {
  sqlite::Statement read(db(), "SELECT " + std::string(kTokenColumns) +
                                   " FROM access_tokens t WHERE ?1 IS NULL OR t.user_id = ?1 "
                                   "ORDER BY t.id");
  if (!read.ok()) return read.status();
  read.BindOrNull(1, user_id);
  std::vector<StoredToken> tokens;
  while (read.Step()) tokens.push_back(ReadToken(read));
  ECOUTE_RETURN_IF_ERROR(read.status());
  return tokens;
}

Result<FoundToken> SqliteAccessTables::FindToken(std::string_view digest) {
  sqlite::Statement read(db(), "SELECT " + std::string(kTokenColumns) + ", " +
                                   std::string(kUserColumns) +
                                   " FROM access_tokens t JOIN access_users u"
                                   " ON u.id = t.user_id WHERE t.digest = ?");
  if (!read.ok()) return read.status();
  read.Bind(1, digest);
  if (!read.Step()) {
    ECOUTE_RETURN_IF_ERROR(read.status());
    return NotFoundError("no such API token");
  }
  FoundToken found;
  found.token = ReadToken(read);
  found.user = ReadUser(read, kTokenColumnCount);
  return found;
}

Status SqliteAccessTables::TouchToken(int64_t token_id, int64_t last_used_at) {
  sqlite::Statement touch(db(), "UPDATE access_tokens SET last_used_at = ? WHERE id = ?");
  touch.Bind(1, last_used_at).Bind(2, token_id);
  return Run(touch);
}

Status SqliteAccessTables::DeleteToken(int64_t token_id) {
  sqlite::Statement remove(db(), "DELETE FROM access_tokens WHERE id = ?");
  remove.Bind(1, token_id);
  ECOUTE_RETURN_IF_ERROR(Run(remove));
  if (db_.Changes() == 0) {
    return NotFoundError("no API token with id " + std::to_string(token_id));
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<AccessTables>> OpenAccessTables(const std::string& db_path) {
  // secure_delete overwrites the digests of ended sessions and revoked tokens on disk.
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db,
                          sqlite::OpenTablesConnection(
                              db_path, "PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;"));
  return std::unique_ptr<AccessTables>(std::make_unique<SqliteAccessTables>(std::move(db)));
}

}  // namespace ecoute
