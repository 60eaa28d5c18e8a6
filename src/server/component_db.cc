#include "server/component_db.h"

#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite.h"

namespace ecoute::server {
namespace {

Status MigrateComponent(sqlite3* db, std::string_view component,
                        std::span<const std::string_view> migrations) {
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(db,
                                      "CREATE TABLE IF NOT EXISTS server_schema("
                                      "component TEXT PRIMARY KEY, version INTEGER NOT NULL)"));
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(db, "BEGIN IMMEDIATE"));
  auto run = [&]() -> Status {
    sqlite::Statement read(db, "SELECT version FROM server_schema WHERE component = ?1");
    if (!read.ok()) return read.status();
    read.Bind(1, component);
    const int64_t version = read.Step() ? read.Int(0) : 0;
    ECOUTE_RETURN_IF_ERROR(read.status());
    const auto known = static_cast<int64_t>(migrations.size());
    if (version > known) {
      return Status(StatusCode::kFailedPrecondition,
                    "the " + std::string(component) + " tables have version " +
                        std::to_string(version) + ", newer than this ecoute knows (" +
                        std::to_string(known) + "): upgrade ecoute");
    }
    if (version == known) return OkStatus();
    for (int64_t v = version; v < known; ++v) {
      ECOUTE_RETURN_IF_ERROR(sqlite::Exec(db, migrations[static_cast<size_t>(v)]));
    }
    sqlite::Statement write(
        db, "INSERT OR REPLACE INTO server_schema(component, version) VALUES (?1, ?2)");
    write.Bind(1, component).Bind(2, known);
    return write.Run();
  };
  Status status = run();
  if (!status.ok()) {
    (void)sqlite::Exec(db, "ROLLBACK");
    return status;
  }
  return sqlite::Exec(db, "COMMIT");
}

}  // namespace

Result<sqlite3*> OpenComponentDb(const std::string& path, std::string_view component,
                                 std::span<const std::string_view> migrations) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    Status status = sqlite::Error(db, path + ": cannot open the database");
    sqlite3_close_v2(db);
    return Status(StatusCode::kNotFound, status.message());
  }
  auto fail = [&](const Status& status) {
    sqlite3_close_v2(db);
    return Status(status.code(), path + ": " + status.message());
  };
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  {
    // The store's own check: another program's file is never written to.
    sqlite::Statement check(db,
                            "SELECT (SELECT application_id FROM pragma_application_id), "
                            "(SELECT count(*) FROM sqlite_schema)");
    if (!check.ok() || !check.Step()) {
      Status status = check.status();
      return fail(status.ok() ? InternalError("cannot read the file's header") : status);
    }
    const bool is_ours = check.Int(0) == kApplicationId;
    const bool is_empty = check.Int(1) == 0;
    check.Reset();
    if (!is_ours && !is_empty) {
      return fail(
          DataLossError("not an ecoute database (it holds other tables); give another "
                        "--db file"));
    }
    if (!is_ours) {
      // A new file: marked as ecoute's, so that the store accepts it afterwards.
      if (Status status =
              sqlite::Exec(db, "PRAGMA application_id = " + std::to_string(kApplicationId));
          !status.ok()) {
        return fail(status);
      }
    }
  }
  if (Status status = sqlite::Exec(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;");
      !status.ok()) {
    return fail(status);
  }
  if (Status status = MigrateComponent(db, component, migrations); !status.ok()) {
    return fail(status);
  }
  return db;
}

}  // namespace ecoute::server
