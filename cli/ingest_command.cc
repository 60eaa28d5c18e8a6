// `ecoute ingest`: reads, analyzes and stores posts from files, directories, feeds and URLs,
// with their cases, in batches of one transaction each.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <unistd.h>

#include "ecoute/ingest.h"
#include "ecoute/store.h"

#include "commands.h"
#include "inputs.h"
#include "store_options.h"

namespace ecoute::cli {
namespace {

struct IngestOptions {
  StoreSetup store;
  AnalyzerSetup analyzer;
  OutboundSetup outbound;
  std::string input = "auto";
  size_t batch = 1000;
  int64_t window_days = 7;
  int64_t retention_days = 0;
  bool no_questions = false;
  bool no_addressed = false;
  bool no_sync = false;
  bool ack = false;
  bool quiet = false;
  bool optimize = false;
  std::vector<std::string> sources;
};

// Files of a directory, recursively, in name order, hidden ones left out.
void ExpandSource(const std::string& source, std::vector<std::string>& out) {
  std::error_code error;
  if (IsUrl(source) || source == "-" || !std::filesystem::is_directory(source, error)) {
    out.push_back(source);
    return;
  }
  std::vector<std::string> files;
  for (auto it = std::filesystem::recursive_directory_iterator(
           source, std::filesystem::directory_options::skip_permission_denied, error);
       it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (error) break;
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  out.insert(out.end(), files.begin(), files.end());
}

std::string Thousands(int64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<size_t>(i), ",");
  }
  return digits;
}

class Progress {
 public:
  explicit Progress(bool is_shown) : is_shown_(is_shown), start_(Clock::now()) {}
  void Show(int64_t read, int64_t fresh, int64_t updated, int64_t unchanged, bool is_final) {
    if (!is_shown_) return;
    const auto now = Clock::now();
    if (!is_final && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "\r\033[Kingest: %s posts · new %s · updated %s · unchanged %s · %.0f/s",
                 Thousands(read).c_str(), Thousands(fresh).c_str(), Thousands(updated).c_str(),
                 Thousands(unchanged).c_str(),
                 seconds > 0 ? static_cast<double>(read) / seconds : 0);
    if (is_final) std::fputc('\n', stderr);
  }
  double Seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  using Clock = std::chrono::steady_clock;
  bool is_shown_;
  Clock::time_point start_;
  Clock::time_point last_{};
};

// The options that need no file: the input format, the batch size, the outbound policy.
int CheckOptions(const IngestOptions& options, InputFormat& format, OutboundPolicy& outbound) {
  if (!ParseInputFormatOption(options.input, format)) return kExitUsage;
  if (options.batch == 0 || options.batch > 100000) {
    PrintError("--batch " + std::to_string(options.batch) +
               ": give 1 to 100000 posts per transaction");
    return kExitUsage;
  }
  Result<OutboundPolicy> policy = options.outbound.Policy();
  if (!policy) {
    PrintError(policy.error().message());
    return kExitUsage;
  }
  outbound = std::move(policy).value();
  return kExitOk;
}

// The store, opened for writing with the threading options, its brands synced.
std::unique_ptr<Store> OpenIngestStore(const IngestOptions& options, const BrandCatalog& catalog,
                                       int& exit_code) {
  StoreOptions store_options;
  store_options.case_window_seconds = options.window_days * 86400;
  store_options.questions_open_cases = !options.no_questions;
  store_options.addressed_open_cases = !options.no_addressed;
  store_options.sync_every_commit = !options.no_sync;
  std::unique_ptr<Store> store = OpenStore(options.store, store_options, exit_code);
  if (store == nullptr) return nullptr;
  if (Status status = store->SyncBrands(catalog); !status.ok()) {
    PrintError(status.message());
    exit_code = ExitCodeFor(status);
    return nullptr;
  }
  return store;
}

// After each stored batch: "stored ID" lines for --ack, and the progress line.
void ReportBatches(const IngestOptions& options, Ingestor& ingestor, Progress& progress) {
  Ingestor* self = &ingestor;
  const bool ack = options.ack;
  ingestor.set_on_stored(
      [self, ack, &progress](std::span<const IngestItem> batch, std::span<const IngestResult>) {
        if (ack) {
          std::string acks;
          for (const IngestItem& item : batch) acks += "stored " + item.post->id + '\n';
          std::fwrite(acks.data(), 1, acks.size(), stdout);
          std::fflush(stdout);
        }
        const IngestChange& change = self->change();
        progress.Show(change.read, change.created, change.updated, change.unchanged, false);
      });
}

// Every source through the ingestor, its problems printed as they come.
InputSummary IngestSources(const std::vector<std::string>& sources, InputFormat format,
                           const OutboundPolicy& outbound, Ingestor& ingestor) {
  InputSummary summary = ReadInputs(
      sources, outbound,
      [&](std::string_view bytes, const std::string& name, std::vector<Problem>& problems) {
        const int64_t before = ingestor.change().read;
        problems = ingestor.Read(bytes, name, format);
        return static_cast<size_t>(ingestor.change().read - before);
      });
  (void)ingestor.Flush();  // a failure stays in status()
  return summary;
}

// After the import: --optimize, then --retention-days.
int Maintain(const IngestOptions& options, Store& store, int64_t now) {
  if (options.optimize) {
    if (Status status = store.Optimize(); !status.ok()) {
      PrintError(status.message());
      return ExitCodeFor(status);
    }
  }
  if (options.retention_days <= 0) return kExitOk;
  Result<int64_t> removed = store.ForgetOlderThan(now - options.retention_days * 86400, now);
  if (!removed) {
    PrintError(removed.error().message());
    return ExitCodeFor(removed.error());
  }
  if (*removed > 0 && !options.quiet) {
    std::fprintf(stderr, "ecoute: retention: removed %s posts older than %lld days\n",
                 Thousands(*removed).c_str(), static_cast<long long>(options.retention_days));
  }
  return kExitOk;
}

void PrintSummary(const IngestOptions& options, size_t inputs, const InputSummary& summary,
                  const IngestChange& change, double seconds) {
  if (options.quiet) return;
  const auto problems = static_cast<int64_t>(summary.problems);
  std::fprintf(stderr,
               "ecoute: read %s posts from %zu input%s in %.1f s: new %s, updated %s, "
               "unchanged %s; %s problem%s reported above (bad lines and entries are "
               "skipped, their neighbours kept); %s case updates; database %s\n",
               Thousands(change.read).c_str(), inputs, inputs == 1 ? "" : "s", seconds,
               Thousands(change.created).c_str(), Thousands(change.updated).c_str(),
               Thousands(change.unchanged).c_str(), Thousands(problems).c_str(),
               problems == 1 ? "" : "s", Thousands(change.case_links).c_str(),
               options.store.db.c_str());
}

int RunIngest(const IngestOptions& options) {
  InputFormat format = InputFormat::kAuto;
  OutboundPolicy outbound;
  if (int code = CheckOptions(options, format, outbound); code != kExitOk) return code;
  BrandCatalog catalog;
  int exit_code = kExitOk;
  std::unique_ptr<Analyzer> analyzer = MakeAnalyzer(options.analyzer, catalog, exit_code);
  if (analyzer == nullptr) return exit_code;
  std::unique_ptr<Store> store = OpenIngestStore(options, catalog, exit_code);
  if (store == nullptr) return exit_code;
  std::vector<std::string> sources;
  for (const std::string& source : options.sources) ExpandSource(source, sources);

  const int64_t now = NowSeconds();
  Result<std::unique_ptr<Ingestor>> ingestor =
      Ingestor::Create(*analyzer, *store, {.batch = options.batch, .ingested_at = now});
  if (!ingestor) {
    PrintError(ingestor.error().message());
    return ExitCodeFor(ingestor.error());
  }
  Progress progress(!options.quiet && isatty(STDERR_FILENO) != 0);
  ReportBatches(options, **ingestor, progress);
  const InputSummary summary = IngestSources(sources, format, outbound, **ingestor);
  const IngestChange& change = (*ingestor)->change();
  progress.Show(change.read, change.created, change.updated, change.unchanged, true);
  if (const Status& failure = (*ingestor)->status(); !failure.ok()) {
    PrintError(failure.message());
    std::fprintf(stderr,
                 "ecoute: %s posts were stored before the error and are kept; rerun to "
                 "complete (stored posts are not duplicated)\n",
                 Thousands(change.stored()).c_str());
    return ExitCodeFor(failure);
  }
  if (int code = Maintain(options, *store, now); code != kExitOk) return code;
  PrintSummary(options, sources.size(), summary, change, progress.Seconds());
  return FinishInputs(summary, "ingested");
}

}  // namespace

std::function<int()> AddIngestCommand(CLI::App& app) {
  auto options = std::make_shared<IngestOptions>();
  CLI::App* cmd = app.add_subcommand(
      "ingest",
      "Read, analyze and store posts with their cases. Each SOURCE is a file (text, HTML,\n"
      "JSON lines, a feed, Mastodon or Bluesky JSON), a directory (read recursively), an\n"
      "http(s) URL or '-' for standard input. Storing the same post again changes nothing;\n"
      "an edited post is updated and its earlier version kept.");
  options->store.AddOptions(*cmd);
  options->analyzer.AddOptions(*cmd, true);
  options->outbound.AddOptions(*cmd);
  AddInputFormatOption(*cmd, options->input, /*is_checked_when_parsed=*/true);
  cmd->add_option("--batch", options->batch, "posts per transaction (default 1000)");
  cmd->add_option("--window", options->window_days,
                  "days within which a post by the same author about the same brand joins "
                  "the author's case (default 7)");
  cmd->add_flag("--no-question-cases", options->no_questions,
                "questions do not open cases (complaints do)");
  cmd->add_flag("--no-addressed-cases", options->no_addressed,
                "posts written to a brand's handle do not open cases unless they complain or "
                "ask");
  cmd->add_option("--retention-days", options->retention_days,
                  "after ingesting, delete posts older than this many days (default: keep)");
  cmd->add_flag("--no-sync", options->no_sync,
                "do not wait for the disk at each commit: faster, and a power cut may lose the "
                "last batches (a crash of ecoute never does)");
  cmd->add_flag("--ack", options->ack,
                "print \"stored ID\" on standard output for each post once it is durably "
                "stored");
  cmd->add_flag("--quiet", options->quiet, "no progress and no summary");
  cmd->add_flag("--optimize", options->optimize,
                "after a bulk import: merge the full-text index into one segment for faster "
                "searches (seconds per million posts)");
  cmd->add_option("sources", options->sources, "files, directories or URLs")->required();
  return [options] { return RunIngest(*options); };
}

}  // namespace ecoute::cli
