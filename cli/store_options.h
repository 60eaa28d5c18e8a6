// The `--db` option every store subcommand shares, and opening the store it names.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "ecoute/store.h"

namespace ecoute::cli {

struct StoreSetup {
  std::string db;  // set by AddOptions to $ECOUTE_DB, else "ecoute.db"
  void AddOptions(CLI::App& cmd);
};

// Opens the store; on failure prints the error and sets `exit_code`.
std::unique_ptr<Store> OpenStore(const StoreSetup& setup, const StoreOptions& options,
                                 int& exit_code);

// Seconds since the epoch, now.
int64_t NowSeconds();

}  // namespace ecoute::cli
