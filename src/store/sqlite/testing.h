// For tests only: direct reads and writes of a store's SQLite file, to check what rests on
// disk, or to make a file as another program or another version of ecoute left it. Each
// call opens the file, runs its SQL and closes it again.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

// Runs `sql` (one or more statements) on the file at `path`, created if missing.
Status ExecSqlForTest(const std::string& path, std::string_view sql);

// The first column of every row `sql` returns, as text ("" for NULL), read-only.
Result<std::vector<std::string>> QuerySqlForTest(const std::string& path, std::string_view sql);

// Writes PRAGMA user_version: the schema version the file claims to have.
Status SetSchemaVersionForTest(const std::string& path, int version);

}  // namespace ecoute
