// `ecoute bench store`: ingests generated conversations (or --input FILE) into a fresh
// SQLite store on one core — analysis, storage, full-text index and cases — then measures
// search latency (two-word queries with a brand filter), the report's time, and the
// database's size against the raw text.
#include "bench_store.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include <unistd.h>

#include "ecoute/ingest.h"
#include "ecoute/sources.h"
#include "ecoute/store.h"

#include "commands.h"
#include "corpus.h"

namespace ecoute::cli {
namespace {

using Clock = std::chrono::steady_clock;

// printf, flushed at once: a long run shows its figures as they come.
template <typename... Args>
void Print(const char* format, Args... args) {
  std::printf(format, args...);
  std::fflush(stdout);
}

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = std::max<size_t>(
      1, static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(values.size()))));
  return values[std::min(rank, values.size()) - 1];
}

// The corpus: --input's JSON lines, else generated conversations; and the catalog.
int LoadCorpus(const StoreBenchOptions& options, std::string& jsonl, std::string& name,
               BrandCatalog& catalog) {
  name = "generated conversations";
  if (!options.input.empty()) {
    Result<std::string> bytes = ReadInput(options.input, size_t{8} << 30);
    if (!bytes) {
      PrintError(bytes.error().message());
      return ExitCodeFor(bytes.error());
    }
    jsonl = std::move(bytes).value();
    name = options.input;
  } else {
    jsonl = GenerateConversations(options.posts, 17);
  }
  catalog = GenerateCatalog(6);
  if (!options.catalog.empty()) {
    Result<BrandCatalog> loaded = LoadCatalog(options.catalog);
    if (!loaded) {
      PrintError(loaded.error().message());
      return ExitCodeFor(loaded.error());
    }
    catalog = std::move(loaded).value();
  }
  return kExitOk;
}

// A fresh store at `db` (or the given one as it is, with --posts 0), its brands synced.
std::unique_ptr<Store> OpenBenchStore(const StoreBenchOptions& options, const std::string& db,
                                      const BrandCatalog& catalog, int& exit_code) {
  // --posts 0 with --db: measure search and report on that database as it is.
  const bool is_reused = options.posts == 0 && options.input.empty() && !options.db.empty();
  if (!is_reused) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  }
  StoreOptions store_options;
  store_options.sync_every_commit = !options.no_sync;
  Result<std::unique_ptr<Store>> opened = OpenSqliteStore(db, store_options);
  if (!opened) {
    PrintError(opened.error().message());
    exit_code = ExitCodeFor(opened.error());
    return nullptr;
  }
  if (Status status = (*opened)->SyncBrands(catalog); !status.ok()) {
    PrintError(status.message());
    exit_code = ExitCodeFor(status);
    return nullptr;
  }
  return std::move(opened).value();
}

// Ingest, as `ecoute ingest` does it: read, analyze, store in batches; then its figures.
int MeasureIngest(const StoreBenchOptions& options, const std::string& jsonl,
                  const std::string& name, const Analyzer& analyzer, Store& store,
                  size_t& text_bytes) {
  Result<std::unique_ptr<Ingestor>> ingestor =
      Ingestor::Create(analyzer, store, {.batch = options.batch, .ingested_at = 1767225600});
  if (!ingestor) {
    PrintError(ingestor.error().message());
    return kExitUsage;
  }
  const auto start = Clock::now();
  std::vector<Problem> problems;
  ReadJsonLines(
      jsonl, name,
      [&](const Post& post) {
        text_bytes += post.text.size() + post.title.size();
        (void)(*ingestor)->Add(post, false);  // a failure stays in status()
      },
      problems);
  const Status failure = (*ingestor)->Flush();
  const double ingest_seconds = Since(start);
  if (!failure.ok()) {
    PrintError(failure.message());
    return ExitCodeFor(failure);
  }
  const IngestChange& change = (*ingestor)->change();
  const auto count = static_cast<double>(change.read);
  const double analysis_seconds = change.analysis_time.count();
  const double store_seconds = change.store_time.count();
  Print("corpus: %s, %zu posts, %.1f MB of JSON lines, %.1f MB of text\n", name.c_str(),
        static_cast<size_t>(change.read), static_cast<double>(jsonl.size()) / 1e6,
        static_cast<double>(text_bytes) / 1e6);
  Print("ingest (one core, analysis + store + index + cases, sync %s): %.1f s, %.0f posts/s\n",
        options.no_sync ? "off" : "every commit", ingest_seconds, count / ingest_seconds);
  Print("  of which analysis %.1f s (%.0f posts/s), store %.1f s (%.0f posts/s), reading %.1f s\n",
        analysis_seconds, count / analysis_seconds, store_seconds, count / store_seconds,
        ingest_seconds - analysis_seconds - store_seconds);
  if (Result<StoreStats> stats = store.Stats()) {
    Print("  stored: %lld posts, %lld authors, %lld cases (%lld open)\n",
          static_cast<long long>(stats->posts), static_cast<long long>(stats->authors),
          static_cast<long long>(stats->cases), static_cast<long long>(stats->open_cases));
  }
  return kExitOk;
}

// Search: two words and a brand filter, as an agent types them.
int MeasureSearch(const StoreBenchOptions& options, const BrandCatalog& catalog, Store& store) {
  static constexpr std::array<const char*, 12> kPairs = {
      "service client", "colis jamais",     "facture honte",        "toujours réponse",
      "train heures",   "customer service", "refund never",         "flight delayed",
      "appels réponse", "bill wrong",       "remboursement refusé", "merci rappelé"};
  std::vector<double> latencies;
  std::mt19937 rng(5);
  size_t hits = 0;
  for (int i = 0; i < options.queries; ++i) {
    const std::string text = std::string(kPairs[rng() % kPairs.size()]) + " brand:\"" +
                             catalog.brands[rng() % catalog.brands.size()].name + "\"";
    Result<SearchQuery> query = ParseSearchQuery(text, 1767225600);
    if (!query) {
      PrintError(query.error().message());
      return kExitSoftware;
    }
    const auto t = Clock::now();
    Result<std::vector<SearchHit>> found = store.Search(*query, {});
    latencies.push_back(Since(t) * 1000);
    if (!found) {
      PrintError(found.error().message());
      return ExitCodeFor(found.error());
    }
    hits += found->size();
  }
  Print(
      "search (%d two-word queries + brand filter, 20 best by bm25): p50 %.2f ms, p99 "
      "%.2f ms, max %.2f ms, %.1f hits per query\n",
      options.queries, Percentile(latencies, 50), Percentile(latencies, 99),
      Percentile(latencies, 100), static_cast<double>(hits) / options.queries);
  return kExitOk;
}

int MeasureReport(Store& store) {
  ReportOptions report_options;
  report_options.now = 1767225600 + 100 * 86400;
  const auto report_start = Clock::now();
  Result<Report> report = store.BuildReport(report_options);
  const double report_seconds = Since(report_start);
  if (!report) {
    PrintError(report.error().message());
    return ExitCodeFor(report.error());
  }
  Print("report (%zu brands): %.2f s\n", report->brands.size(), report_seconds);
  return kExitOk;
}

}  // namespace

int RunStoreBench(const StoreBenchOptions& options) {
  std::string jsonl;
  std::string name;
  BrandCatalog catalog;
  if (int code = LoadCorpus(options, jsonl, name, catalog); code != kExitOk) return code;
  const std::string data_dir = options.data_dir.empty() ? DefaultDataDir() : options.data_dir;
  Result<std::unique_ptr<Analyzer>> analyzer =
      Analyzer::Create(catalog, data_dir, options.no_model ? "" : DefaultModelPath(data_dir),
                       options.no_model ? "" : DefaultTopicModelPath(data_dir));
  if (!analyzer) {
    PrintError(analyzer.error().message());
    return ExitCodeFor(analyzer.error());
  }
  const std::string db = options.db.empty() ? (std::filesystem::temp_directory_path() /
                                               ("ecoute-bench-" + std::to_string(getpid()) + ".db"))
                                                  .string()
                                            : options.db;
  int code = kExitOk;
  std::unique_ptr<Store> store = OpenBenchStore(options, db, catalog, code);
  if (store == nullptr) return code;
  size_t text_bytes = 0;
  code = MeasureIngest(options, jsonl, name, **analyzer, *store, text_bytes);
  if (code != kExitOk) return code;
  if (options.optimize) {
    const auto t = Clock::now();
    if (Status status = store->Optimize(); !status.ok()) {
      PrintError(status.message());
      return ExitCodeFor(status);
    }
    Print("optimize (index merged into one segment): %.1f s\n", Since(t));
  }
  if (code = MeasureSearch(options, catalog, *store); code != kExitOk) return code;
  if (code = MeasureReport(*store); code != kExitOk) return code;

  store.reset();  // closes and checkpoints the WAL into the file
  std::error_code error;
  const double db_bytes = static_cast<double>(std::filesystem::file_size(db, error));
  Print("database: %.1f MB = %.2f x the text, %.2f x the JSON lines\n", db_bytes / 1e6,
        db_bytes / static_cast<double>(std::max<size_t>(1, text_bytes)),
        db_bytes / static_cast<double>(std::max<size_t>(1, jsonl.size())));
  if (options.db.empty()) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix, error);
  }
  return kExitOk;
}

}  // namespace ecoute::cli
