// The SQLite schema and its migrations: one chain for every table of the file, the store's
// and those of `ecoute serve` (access control, alerts, watching). Each migration is applied
// once, in order, in its own transaction, and recorded in PRAGMA user_version; a file whose
// user_version is newer than this build knows is refused rather than misread.
#pragma once

#include <sqlite3.h>

#include "ecoute/status.h"

namespace ecoute {

// "ECOU": marks the file as an ecoute database (PRAGMA application_id).
constexpr int kApplicationId = 0x45434F55;

// The schema version this build writes.
int SchemaVersion();

// Applies the pending migrations. The FTS5 tokenizer must be registered on `db` first.
// Fails with kFailedPrecondition on a file written by a newer ecoute (a user_version above
// SchemaVersion(), or server tables versioned apart above version 1).
Status Migrate(sqlite3* db);

// Applies the migrations up to `version` only (at most SchemaVersion()): for tests that
// build a file as an earlier ecoute left it.
Status MigrateTo(sqlite3* db, int version);

}  // namespace ecoute
