// The connection each stateful server component (access control, alerts, the watcher)
// opens on the store's SQLite file, with its own tables beside the store's.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "ecoute/status.h"

namespace ecoute::server {

// Opens `path` (created if missing, marked as an ecoute database if empty) for
// `component`: WAL, a 5 s busy timeout, extended result codes, foreign keys on. Then, in
// one transaction, applies the component's pending migrations — `migrations[i]` takes its
// tables from version i to i + 1 — and records the version in server_schema(component,
// version). The caller owns the connection (sqlite3_close_v2).
// Fails with kDataLoss for a file holding other software's tables, kFailedPrecondition for
// tables written by a newer ecoute, kNotFound when the file cannot be opened; messages
// start with the path.
Result<sqlite3*> OpenComponentDb(const std::string& path, std::string_view component,
                                 std::span<const std::string_view> migrations);

}  // namespace ecoute::server
