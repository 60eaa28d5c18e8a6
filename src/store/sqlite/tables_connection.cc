#include "store/sqlite/tables_connection.h"

#include <utility>

#include "store/sqlite/fts5_tokenizer.h"
#include "store/sqlite/schema.h"

namespace ecoute::sqlite {
namespace {

// The store's own check: another program's file is never written to.
Status CheckIsOurs(sqlite3* db) {
  Statement check(db,
                  "SELECT (SELECT application_id FROM pragma_application_id), "
                  "(SELECT count(*) FROM sqlite_schema)");
  if (!check.ok()) return check.status();
  if (!check.Step()) {
    return check.status().ok() ? InternalError("cannot read the file's header") : check.status();
  }
  const bool is_ours = check.Int(0) == kApplicationId;
  const bool is_empty = check.Int(1) == 0;
  if (!is_ours && !is_empty) {
    return DataLossError("not an ecoute database (it holds other tables); give another --db file");
  }
  return OkStatus();
}

}  // namespace

Result<Connection> OpenTablesConnection(const std::string& path, std::string_view pragmas) {
  sqlite3* raw = nullptr;
  const int opened =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection connection(raw);  // closed on every path below, even when the open failed
  if (opened != SQLITE_OK) {
    return Status(StatusCode::kNotFound, Error(raw, path + ": cannot open the database").message());
  }
  sqlite3* db = connection.get();
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  auto prepare = [&]() -> Status {
    ECOUTE_RETURN_IF_ERROR(RegisterFts5Tokenizer(db));
    ECOUTE_RETURN_IF_ERROR(CheckIsOurs(db));
    ECOUTE_RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"));
    ECOUTE_RETURN_IF_ERROR(Migrate(db));
    return pragmas.empty() ? OkStatus() : Exec(db, pragmas);
  };
  if (Status status = prepare(); !status.ok()) {
    return Status(status.code(), path + ": " + status.message());
  }
  return connection;
}

}  // namespace ecoute::sqlite
