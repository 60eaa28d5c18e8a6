// Google Benchmark: the analysis hot path on generated short posts and blog posts, with
// an empty catalog and a 5,000-brand one. `ecoute bench analyze` reports the same path
// end to end (JSON in and out) with peak memory.
#include <benchmark/benchmark.h>

#include "ecoute/analysis.h"
#include "ecoute/sources.h"

#include "corpus.h"

namespace ecoute {
namespace {

std::vector<Post> LoadPosts(const std::string& jsonl) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadJsonLines(
      jsonl, "bench", [&](const Post& p) { posts.push_back(p); }, problems);
  return posts;
}

void RunAnalyze(benchmark::State& state, const std::vector<Post>& posts) {
  auto analyzer = Analyzer::Create(cli::GenerateCatalog(static_cast<size_t>(state.range(0))),
                                   ECOUTE_BENCH_DATA_DIR);
  if (!analyzer) {
    state.SkipWithError(analyzer.error().ToString().c_str());
    return;
  }
  Analyzer::Scratch scratch;
  Analysis analysis;
  size_t bytes = 0;
  for (const Post& p : posts) bytes += p.text.size();
  for (auto _ : state) {
    for (const Post& post : posts) {
      (*analyzer)->Analyze(post, scratch, analysis);
      benchmark::DoNotOptimize(analysis.priority);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * posts.size()));
}

void BM_AnalyzeShortPosts(benchmark::State& state) {
  static const std::vector<Post> kPosts = LoadPosts(cli::GenerateShortPosts(5000, 7));
  RunAnalyze(state, kPosts);
}
BENCHMARK(BM_AnalyzeShortPosts)->Arg(0)->Arg(5000)->Unit(benchmark::kMillisecond);

void BM_AnalyzeBlogPosts(benchmark::State& state) {
  static const std::vector<Post> kPosts = LoadPosts(cli::GenerateBlogPosts(200, 5000, 11));
  RunAnalyze(state, kPosts);
}
BENCHMARK(BM_AnalyzeBlogPosts)->Arg(0)->Arg(5000)->Unit(benchmark::kMillisecond);

void BM_JsonLinesRead(benchmark::State& state) {
  static const std::string kCorpus = cli::GenerateShortPosts(20000, 3);
  std::vector<Problem> problems;
  for (auto _ : state) {
    size_t n = 0;
    ReadJsonLines(
        kCorpus, "bench", [&](const Post&) { ++n; }, problems);
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kCorpus.size()));
}
BENCHMARK(BM_JsonLinesRead)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ecoute

BENCHMARK_MAIN();
