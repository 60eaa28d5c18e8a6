// twcs_to_jsonl: turns the TWCS sample (twcs.csv) into what ecoute ingests and what it is
// checked against (docs/TWCS.md).
//
//   twcs_to_jsonl TWCS_CSV --posts OUT.jsonl --brands OUT.toml --truth OUT.json
//
// posts: one post per tweet in ecoute's JSON-lines format (AppendPostJson), in ingest
// order (created_at, then tweet id). brands: one [[brand]] per support account, checked by
// loading it back with LoadCatalog. truth: the reply threads and per-brand response figures.
// Bad rows are reported on stderr ("twcs.csv:2590: ...") and skipped. Exits 64 on bad usage,
// 65 when the CSV cannot be read or holds no tweet, 73 when an output cannot be written, 70
// when the written catalog does not load (a bug).
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "ecoute/catalog.h"
#include "ecoute/post.h"

#include "twcs.h"

namespace {

constexpr int kExitUsage = 64;
constexpr int kExitDataErr = 65;
constexpr int kExitSoftware = 70;
constexpr int kExitCantCreate = 73;

constexpr std::string_view kUsage =
    "usage: twcs_to_jsonl TWCS_CSV --posts OUT.jsonl --brands OUT.toml --truth OUT.json\n";

bool WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (out) return true;
  std::fprintf(stderr, "twcs_to_jsonl: %s: cannot be written\n", path.c_str());
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string csv_path;
  std::string posts_path;
  std::string brands_path;
  std::string truth_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string* target = arg == "--posts"    ? &posts_path
                          : arg == "--brands" ? &brands_path
                          : arg == "--truth"  ? &truth_path
                                              : nullptr;
    if (target != nullptr && i + 1 < argc) {
      *target = argv[++i];
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    } else if (target == nullptr && !arg.starts_with("-") && csv_path.empty()) {
      csv_path = arg;
    } else {
      std::fprintf(stderr, "twcs_to_jsonl: unexpected argument \"%s\"\n%s", argv[i], kUsage.data());
      return kExitUsage;
    }
  }
  if (csv_path.empty() || posts_path.empty() || brands_path.empty() || truth_path.empty()) {
    std::fputs(kUsage.data(), stderr);
    return kExitUsage;
  }

  ecoute::Result<ecoute::twcs::TwcsFile> file = ecoute::twcs::ReadTwcsCsv(csv_path);
  if (!file) {
    std::fprintf(stderr, "twcs_to_jsonl: %s\n", file.error().message().c_str());
    return kExitDataErr;
  }
  for (const ecoute::twcs::RowProblem& problem : file->problems) {
    std::fprintf(stderr, "%s:%lld: %s\n", csv_path.c_str(), static_cast<long long>(problem.line),
                 problem.message.c_str());
  }
  if (file->tweets.empty()) {
    std::fprintf(stderr, "twcs_to_jsonl: %s: no tweet could be read\n", csv_path.c_str());
    return kExitDataErr;
  }
  ecoute::twcs::SortForIngest(file->tweets);

  std::string posts;
  for (const ecoute::twcs::Tweet& tweet : file->tweets) {
    ecoute::AppendPostJson(ecoute::twcs::ToPost(tweet), posts);
    posts += '\n';
  }
  if (!WriteFile(posts_path, posts)) return kExitCantCreate;

  const std::vector<std::string> accounts = ecoute::twcs::BrandAccounts(file->tweets);
  if (!WriteFile(brands_path, ecoute::twcs::FormatCatalogToml(accounts))) return kExitCantCreate;
  const ecoute::Result<ecoute::BrandCatalog> catalog = ecoute::LoadCatalog(brands_path);
  if (!catalog) {
    std::fprintf(stderr, "twcs_to_jsonl: the written catalog does not load: %s\n",
                 catalog.error().message().c_str());
    return kExitSoftware;
  }

  const ecoute::twcs::Truth truth = ecoute::twcs::ComputeTruth(file->tweets);
  if (!WriteFile(truth_path, ecoute::twcs::FormatTruthJson(truth))) return kExitCantCreate;

  size_t threads_of_two = 0;
  for (const ecoute::twcs::Thread& thread : truth.threads) {
    if (thread.tweet_ids.size() >= 2) ++threads_of_two;
  }
  std::printf(
      "twcs_to_jsonl: %zu tweets (%zu rows with problems), %zu threads (%zu of 2+ tweets), "
      "%zu brands\n",
      file->tweets.size(), file->problems.size(), truth.threads.size(), threads_of_two,
      catalog->brands.size());
  return 0;
}
