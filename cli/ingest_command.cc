// `ecoute ingest`: reads, analyzes and stores posts from files, directories, feeds and URLs,
// with their cases, in batches of one transaction each.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <unistd.h>

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
  if (source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0 || source == "-" ||
      !std::filesystem::is_directory(source, error)) {
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

int RunIngest(const IngestOptions& options) {
  InputFormat format = InputFormat::kAuto;
  if (!ParseInputFormat(options.input, format)) {
    PrintError("--input " + options.input +
               ": expected auto, text, html, jsonl, feed, mastodon or bluesky");
    return kExitUsage;
  }
  if (options.batch == 0 || options.batch > 100000) {
    PrintError("--batch " + std::to_string(options.batch) +
               ": give 1 to 100000 posts per transaction");
    return kExitUsage;
  }
  Result<OutboundPolicy> outbound = options.outbound.Policy();
  if (!outbound) {
    PrintError(outbound.error().message());
    return kExitUsage;
  }
  BrandCatalog catalog;
  int exit_code = kExitOk;
  std::unique_ptr<Analyzer> analyzer = MakeAnalyzer(options.analyzer, catalog, exit_code);
  if (analyzer == nullptr) return exit_code;

  StoreOptions store_options;
  store_options.case_window_seconds = options.window_days * 86400;
  store_options.questions_open_cases = !options.no_questions;
  store_options.addressed_open_cases = !options.no_addressed;
  store_options.sync_every_commit = !options.no_sync;
  std::unique_ptr<Store> store = OpenStore(options.store, store_options, exit_code);
  if (store == nullptr) return exit_code;
  if (Status status = store->SyncBrands(catalog); !status.ok()) {
    PrintError(status.message());
    return ExitCodeFor(status);
  }

  std::vector<std::string> sources;
  for (const std::string& source : options.sources) ExpandSource(source, sources);

  // The batch: posts are copied in (the reader's are only valid during the call) into
  // slots reused from batch to batch, analyses likewise.
  std::vector<Post> posts(options.batch);
  std::vector<Analysis> analyses(options.batch);
  std::vector<IngestItem> items;
  items.reserve(options.batch);
  std::vector<IngestResult> results;
  Analyzer::Scratch scratch;
  int64_t read = 0, fresh = 0, updated = 0, unchanged = 0, cases_touched = 0;
  Status failure;
  Progress progress(!options.quiet && isatty(STDERR_FILENO) != 0);
  std::string acks;

  auto flush = [&]() {
    if (items.empty() || !failure.ok()) return;
    failure = store->Ingest(items, results);
    if (!failure.ok()) return;
    for (size_t i = 0; i < results.size(); ++i) {
      switch (results[i].outcome) {
        case IngestOutcome::kNew:
          ++fresh;
          break;
        case IngestOutcome::kUpdated:
          ++updated;
          break;
        case IngestOutcome::kUnchanged:
          ++unchanged;
          break;
      }
      cases_touched += static_cast<int64_t>(results[i].cases.size());
      if (options.ack) {
        acks += "stored ";
        acks += items[i].post->id;
        acks += '\n';
      }
    }
    if (options.ack) {
      std::fwrite(acks.data(), 1, acks.size(), stdout);
      std::fflush(stdout);
      acks.clear();
    }
    items.clear();
    progress.Show(read, fresh, updated, unchanged, false);
  };

  const int64_t now = NowSeconds();
  const InputSummary summary =
      ReadInputPosts(sources, format, *outbound, [&](const Post& post, const std::string& name) {
        if (!failure.ok()) return;
        const size_t slot = items.size();
        posts[slot] = post;
        analyzer->Analyze(posts[slot], scratch, analyses[slot]);
        items.push_back({&posts[slot], &analyses[slot], IsDerivedId(post, name), now});
        ++read;
        if (items.size() == options.batch) flush();
      });
  flush();
  progress.Show(read, fresh, updated, unchanged, true);
  if (!failure.ok()) {
    PrintError(failure.message());
    std::fprintf(stderr,
                 "ecoute: %s posts were stored before the error and are kept; rerun to "
                 "complete (stored posts are not duplicated)\n",
                 Thousands(fresh + updated + unchanged).c_str());
    return ExitCodeFor(failure);
  }
  if (options.optimize) {
    if (Status status = store->Optimize(); !status.ok()) {
      PrintError(status.message());
      return ExitCodeFor(status);
    }
  }
  if (options.retention_days > 0) {
    Result<int64_t> removed = store->ForgetOlderThan(now - options.retention_days * 86400, now);
    if (!removed) {
      PrintError(removed.error().message());
      return ExitCodeFor(removed.error());
    }
    if (*removed > 0 && !options.quiet) {
      std::fprintf(stderr, "ecoute: retention: removed %s posts older than %lld days\n",
                   Thousands(*removed).c_str(), static_cast<long long>(options.retention_days));
    }
  }
  if (!options.quiet) {
    const int64_t skipped = static_cast<int64_t>(summary.problems);
    std::fprintf(stderr,
                 "ecoute: read %s posts from %zu input%s in %.1f s: new %s, updated %s, "
                 "unchanged %s; %s problem%s reported above (bad lines and entries are "
                 "skipped, their neighbours kept); %s case updates; database %s\n",
                 Thousands(read).c_str(), sources.size(), sources.size() == 1 ? "" : "s",
                 progress.Seconds(), Thousands(fresh).c_str(), Thousands(updated).c_str(),
                 Thousands(unchanged).c_str(), Thousands(skipped).c_str(), skipped == 1 ? "" : "s",
                 Thousands(cases_touched).c_str(), options.store.db.c_str());
  }
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
  cmd->add_option("--input", options->input,
                  "input format: auto, text, html, jsonl, feed, mastodon or bluesky")
      ->check(CLI::IsMember({"auto", "text", "html", "jsonl", "feed", "mastodon", "bluesky"}));
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
