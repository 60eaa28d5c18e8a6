#include "store/sqlite/testing.h"

#include "store/sqlite/sqlite.h"

namespace ecoute {
namespace {

Result<sqlite::Connection> Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  sqlite::Connection db(raw);
  if (opened != SQLITE_OK) return sqlite::Error(raw, path + ": cannot open");
  return db;
}

}  // namespace

Status ExecSqlForTest(const std::string& path, std::string_view sql) {
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db,
                          Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  return sqlite::Exec(db.get(), sql);
}

Result<std::vector<std::string>> QuerySqlForTest(const std::string& path, std::string_view sql) {
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db, Open(path, SQLITE_OPEN_READONLY));
  sqlite::Statement query(db.get(), sql);
  if (!query.ok()) return query.status();
  std::vector<std::string> values;
  while (query.Step()) values.emplace_back(query.Text(0));
  ECOUTE_RETURN_IF_ERROR(query.status());
  return values;
}

Status SetSchemaVersionForTest(const std::string& path, int version) {
  return ExecSqlForTest(path, "PRAGMA user_version = " + std::to_string(version));
}

}  // namespace ecoute
