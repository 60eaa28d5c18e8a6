// `ecoute bench analyze`: measures the full analysis path (JSON lines in, analysis,
// JSON lines out) on short posts and ~5 KB blog posts, with an empty catalog and a large
// one, and reports posts/s, MB/s and peak memory.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "ecoute/analysis.h"
#include "ecoute/sources.h"

#include "bench_firehose.h"
#include "bench_store.h"
#include "commands.h"
#include "corpus.h"

namespace ecoute::cli {
namespace {

struct BenchOptions {
  std::string what;
  std::string input;
  std::string reader;  // parse: only the generated corpus of this reader
  std::string data_dir;
  std::string model;
  bool no_model = false;
  size_t brands = 5000;
  size_t short_posts = 100000;
  size_t blog_posts = 2000;
  size_t blog_bytes = 5000;
  double seconds = 2;
  bool seconds_given = false;
  StoreBenchOptions store;
  FirehoseCliOptions firehose;
};

struct Measure {
  size_t posts = 0;
  size_t bytes = 0;  // text bytes of the posts
  size_t cld2 = 0;   // posts whose language needed CLD2
  double seconds = 0;
};

// Runs the whole path over `corpus` repeatedly for at least `min_seconds`.
Measure Run(const Analyzer& analyzer, const std::string& corpus, double min_seconds) {
  Analyzer::Scratch scratch;
  Analysis analysis;
  std::string out;
  Measure m;
  std::vector<Problem> problems;
  const auto start = std::chrono::steady_clock::now();
  do {
    ReadJsonLines(
        corpus, "bench",
        [&](const Post& post) {
          analyzer.Analyze(post, scratch, analysis);
          out.clear();
          AppendAnalysisJson(analysis, out);
          ++m.posts;
          m.bytes += post.text.size();
          m.cld2 += analysis.used_cld2;
        },
        problems);
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (m.seconds < min_seconds);
  return m;
}

double PeakMemoryMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// Reads `input` with one reader repeatedly for at least `min_seconds`: MB/s of input.
struct ParseMeasure {
  size_t posts = 0;
  size_t bytes = 0;  // input bytes
  double seconds = 0;
};

ParseMeasure RunParse(const std::string& input, std::string_view name, InputFormat format,
                      double min_seconds) {
  ParseMeasure m;
  std::vector<Problem> problems;
  const auto start = std::chrono::steady_clock::now();
  do {
    problems.clear();
    ReadPosts(
        input, name, format, [&](const Post&) { ++m.posts; }, problems);
    m.bytes += input.size();
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (m.seconds < min_seconds);
  return m;
}

int RunParseBench(const BenchOptions& options) {
  struct Corpus {
    std::string name;
    InputFormat format;
    std::string bytes;
  };
  std::vector<Corpus> corpora;
  if (!options.input.empty()) {
    Result<std::string> bytes = ReadInput(options.input, size_t{4} << 30);
    if (!bytes) {
      PrintError(bytes.error().message());
      return ExitCodeFor(bytes.error());
    }
    corpora.push_back({options.input, InputFormat::kAuto, std::move(bytes).value()});
  } else {
    corpora.push_back({"json lines", InputFormat::kJsonLines, GenerateShortPosts(100000, 7)});
    corpora.push_back({"rss feed", InputFormat::kFeed, GenerateFeed(2000, 11)});
    corpora.push_back({"html page", InputFormat::kHtml, GeneratePage(100000, 13)});
    corpora.push_back({"mastodon", InputFormat::kMastodon, GenerateMastodon(5000, 17)});
    corpora.push_back({"bluesky", InputFormat::kBluesky, GenerateBluesky(5000, 19)});
    if (!options.reader.empty()) {
      std::erase_if(corpora, [&](const Corpus& c) { return c.name != options.reader; });
      if (corpora.empty()) {
        PrintError("bench parse --reader " + options.reader +
                   ": expected \"json lines\", \"rss feed\", \"html page\", mastodon or bluesky");
        return kExitUsage;
      }
    }
  }
  std::printf("%-22s %12s %10s %12s\n", "reader", "input MB", "MB/s", "posts/s");
  for (const Corpus& corpus : corpora) {
    RunParse(corpus.bytes, corpus.name, corpus.format, 0);  // warm up
    const ParseMeasure m = RunParse(corpus.bytes, corpus.name, corpus.format, options.seconds);
    std::printf("%-22s %12.2f %10.1f %12.0f\n", corpus.name.c_str(),
                static_cast<double>(corpus.bytes.size()) / 1e6,
                static_cast<double>(m.bytes) / m.seconds / 1e6,
                static_cast<double>(m.posts) / m.seconds);
    std::fflush(stdout);
  }
  return kExitOk;
}

int RunBench(const BenchOptions& options) {
  if (options.what == "parse") return RunParseBench(options);
  if (options.what == "store") {
    StoreBenchOptions store = options.store;
    store.input = options.input;
    store.data_dir = options.data_dir;
    store.no_model = options.no_model;
    return RunStoreBench(store);
  }
  if (options.what == "firehose") {
    FirehoseCliOptions firehose = options.firehose;
    firehose.brands = options.brands;
    firehose.data_dir = options.data_dir;
    firehose.no_model = options.no_model;
    firehose.db = options.store.db;
    if (options.seconds_given) firehose.seconds = options.seconds;
    return RunFirehoseBenchCommand(firehose);
  }
  if (options.what != "analyze") {
    PrintError("bench " + options.what + ": expected analyze, parse, store or firehose");
    return kExitUsage;
  }
  const std::string data_dir = options.data_dir.empty() ? DefaultDataDir() : options.data_dir;
  const std::string model = options.no_model        ? std::string()
                            : options.model.empty() ? DefaultModelPath(data_dir)
                                                    : options.model;
  const std::string topic_model =
      options.no_model ? std::string() : DefaultTopicModelPath(data_dir);
  std::printf("models: %s%s%s\n", model.empty() ? "none (cues alone)" : model.c_str(),
              topic_model.empty() ? "" : ", ", topic_model.c_str());
  struct Corpus {
    std::string name;
    std::string jsonl;
  };
  std::vector<Corpus> corpora;
  if (!options.input.empty()) {
    Result<std::string> bytes = ReadInput(options.input, size_t{4} << 30);
    if (!bytes) {
      PrintError(bytes.error().message());
      return ExitCodeFor(bytes.error());
    }
    corpora.push_back({options.input, std::move(bytes).value()});
  } else {
    corpora.push_back({"short posts", GenerateShortPosts(options.short_posts, 7)});
    corpora.push_back(
        {"blog posts", GenerateBlogPosts(options.blog_posts, options.blog_bytes, 11)});
  }
  std::printf("%-22s %-14s %12s %10s %8s %10s\n", "corpus", "catalog", "posts/s", "MB/s", "cld2 %",
              "peak MiB");
  for (const Corpus& corpus : corpora) {
    for (const size_t brand_count : {size_t{0}, options.brands}) {
      Result<std::unique_ptr<Analyzer>> analyzer =
          Analyzer::Create(GenerateCatalog(brand_count), data_dir, model, topic_model);
      if (!analyzer) {
        PrintError(analyzer.error().message());
        return ExitCodeFor(analyzer.error());
      }
      Run(**analyzer, corpus.jsonl, 0);  // warm up
      const Measure m = Run(**analyzer, corpus.jsonl, options.seconds);
      const std::string catalog = std::to_string(brand_count) + " brands";
      std::printf(
          "%-22s %-14s %12.0f %10.1f %8.1f %10.1f\n", corpus.name.c_str(), catalog.c_str(),
          static_cast<double>(m.posts) / m.seconds, static_cast<double>(m.bytes) / m.seconds / 1e6,
          100.0 * static_cast<double>(m.cld2) / static_cast<double>(std::max<size_t>(1, m.posts)),
          PeakMemoryMiB());
      std::fflush(stdout);
    }
  }
  return kExitOk;
}

}  // namespace

std::function<int()> AddBenchCommand(CLI::App& app) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Measure speed on one core: `ecoute bench analyze` runs JSON lines in -> analysis ->\n"
      "JSON lines out on generated short posts and blog posts (or --input FILE), with an\n"
      "empty catalog and a large one, and prints posts/s, MB/s and peak memory; `ecoute\n"
      "bench parse` measures each reader (JSON lines, feed, page, Mastodon, Bluesky) alone;\n"
      "`ecoute bench store` ingests --posts generated conversations (or --input) into a\n"
      "fresh database, then times searches and the report and compares its size to the text;\n"
      "`ecoute bench firehose` replays --events generated Jetstream events (at --rate, for\n"
      "--seconds) through the service's Bluesky stream and store, with a --brands catalog.");
  cmd->add_option("what", options->what,
                  "what to measure: analyze (the whole path), parse (each reader alone), store or "
                  "firehose")
      ->required();
  cmd->add_option("--input", options->input, "JSON-lines corpus instead of the generated ones");
  cmd->add_option("--reader", options->reader,
                  "parse: only this generated corpus (\"rss feed\", \"json lines\"...)");
  cmd->add_option("--brands", options->brands, "size of the large catalog (default 5000)");
  cmd->add_option("--short-posts", options->short_posts, "generated short posts (100000)");
  cmd->add_option("--blog-posts", options->blog_posts, "generated blog posts (2000)");
  cmd->add_option("--blog-bytes", options->blog_bytes, "bytes per blog post (5000)");
  cmd->add_option("--seconds", options->seconds,
                  "minimum time per measure (2); firehose: the replay's length at --rate")
      ->each([options](const std::string&) { options->seconds_given = true; });
  cmd->add_option("--events", options->firehose.events, "firehose: events replayed (200000)");
  cmd->add_option("--rate", options->firehose.rate,
                  "firehose: events per second (default: as fast as they are read)");
  cmd->add_option("--brand-share", options->firehose.brand_share,
                  "firehose: share of the posts naming a brand (0.02)");
  cmd->add_option("--data-dir", options->data_dir, "folder holding lexicon/");
  cmd->add_option("--model", options->model, "stance model (default: the one that ships)");
  cmd->add_flag("--no-model", options->no_model, "measure the cues alone");
  cmd->add_option("--posts", options->store.posts, "store: generated posts (100000)");
  cmd->add_option("--queries", options->store.queries, "store: search queries timed (1000)");
  cmd->add_option("--catalog", options->store.catalog, "store: brand catalog for --input");
  cmd->add_option("--db", options->store.db, "store: keep the database in this file");
  cmd->add_option("--batch", options->store.batch,
                  "store: posts per transaction, as `ecoute ingest --batch` (1000)")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--no-sync", options->store.no_sync, "store: synchronous=NORMAL");
  cmd->add_flag("--optimize", options->store.optimize,
                "store: merge the index (as `ecoute ingest --optimize`) before searching");
  return [options] { return RunBench(*options); };
}

}  // namespace ecoute::cli
