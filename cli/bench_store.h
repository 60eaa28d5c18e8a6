// `ecoute bench store`: ingest, search, report and size on a fresh SQLite store.
#pragma once

#include <cstddef>
#include <string>

namespace ecoute::cli {

struct StoreBenchOptions {
  std::string input;    // JSON lines instead of generated conversations
  std::string catalog;  // brand catalog for --input (default: the generated brands)
  std::string data_dir;
  std::string db;  // keep the database there (default: a temporary file, removed)
  bool no_model = false;
  bool no_sync = false;
  bool optimize = false;  // Store::Optimize between ingest and search
  size_t posts = 100000;
  size_t batch = 1000;  // posts per transaction, as `ecoute ingest --batch`
  int queries = 1000;
};

int RunStoreBench(const StoreBenchOptions& options);

}  // namespace ecoute::cli
