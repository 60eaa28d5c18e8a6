// The connection each group of server tables (access control, alerts, watching) opens on
// the store's SQLite file, beside the store's own: one per group, so that a slow write of
// one never waits on another's lock in this process.
#pragma once

#include <string>
#include <string_view>

#include "ecoute/status.h"

#include "store/sqlite/sqlite.h"

namespace ecoute::sqlite {

// Opens `path` (created if missing) with a 5 s busy timeout, extended result codes, WAL
// and foreign keys, refuses a file that holds other tables but is not an ecoute database
// (kDataLoss, nothing written to it), applies the schema's pending migrations
// (store/schema.h: kFailedPrecondition for a file from a newer ecoute), then runs
// `pragmas`. kNotFound when the file cannot be opened. Messages start with the path.
Result<Connection> OpenTablesConnection(const std::string& path, std::string_view pragmas);

}  // namespace ecoute::sqlite
