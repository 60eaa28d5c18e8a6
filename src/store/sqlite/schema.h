// The SQLite schema and its migrations. Each migration is applied once, in order, in its
// own transaction, and recorded in PRAGMA user_version; a file whose user_version is newer
// than this build knows is refused rather than misread.
#pragma once

#include <sqlite3.h>

#include "ecoute/status.h"

namespace ecoute {

// "ECOU": marks the file as an ecoute database (PRAGMA application_id).
constexpr int kApplicationId = 0x45434F55;

// The schema version this build writes.
int SchemaVersion();

// Applies the pending migrations. The FTS5 tokenizer must be registered on `db` first.
Status Migrate(sqlite3* db);

}  // namespace ecoute
