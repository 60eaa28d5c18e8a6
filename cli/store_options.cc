#include "store_options.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "commands.h"

namespace ecoute::cli {

void StoreSetup::AddOptions(CLI::App& cmd) {
  const char* env = std::getenv("ECOUTE_DB");
  db = env != nullptr && *env != '\0' ? env : "ecoute.db";
  cmd.add_option("--db", db, "the database file (default: $ECOUTE_DB, else ./ecoute.db)");
}

std::unique_ptr<Store> OpenStore(const StoreSetup& setup, const StoreOptions& options,
                                 int& exit_code) {
  std::error_code error;
  if (options.read_only && !std::filesystem::exists(setup.db, error)) {
    PrintError(setup.db + ": no such database; create it with `ecoute ingest --db " + setup.db +
               " --brands FILE SOURCE...`");
    exit_code = kExitNoInput;
    return nullptr;
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(setup.db, options);
  if (!store) {
    PrintError(store.error().message());
    exit_code = ExitCodeFor(store.error());
    return nullptr;
  }
  exit_code = kExitOk;
  return std::move(store).value();
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ecoute::cli
