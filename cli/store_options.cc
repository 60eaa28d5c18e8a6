#include "store_options.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "commands.h"
#include "util/datetime.h"

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

bool ParseWhen(const std::string& text, int64_t now, int64_t& out) {
  if (text.size() >= 2) {
    const char unit = text.back();
    const int64_t scale = unit == 'h' ? 3600 : unit == 'd' ? 86400 : unit == 'w' ? 7 * 86400 : 0;
    const std::string number = text.substr(0, text.size() - 1);
    if (scale != 0 && number.find_first_not_of("0123456789") == std::string::npos &&
        number.size() <= 6) {
      out = now - std::stoll(number) * scale;
      return true;
    }
  }
  std::optional<int64_t> parsed = ParseDateTime(text);
  if (!parsed) return false;
  out = *parsed;
  return true;
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ecoute::cli
