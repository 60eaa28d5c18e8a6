// twcs_compare: scores ecoute's cases against the TWCS threads (docs/TWCS.md).
//
//   twcs_compare --truth truth.json --db ecoute.db [--report report.json]
//                [--format text|json]
//
// Reads the truth written by twcs_to_jsonl and ecoute's SQLite database (read-only; only
// posts(id, ext_id) and case_posts(case_id, post_id) are used), and prints pairwise
// precision, recall and F1 of thread membership and the coverage of threads by cases. With
// --report (`ecoute report --format json`), adds per brand: truth threads vs ecoute cases,
// answered vs responded, median and p90 first response. Exits 64 on bad usage, 65 when an
// input cannot be read or used.
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "twcs.h"

namespace {

constexpr int kExitUsage = 64;
constexpr int kExitDataErr = 65;

constexpr std::string_view kUsage =
    "usage: twcs_compare --truth truth.json --db ecoute.db [--report report.json] "
    "[--format text|json]\n";

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return bytes.str();
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "twcs_compare: %s\n", message.c_str());
  return kExitDataErr;
}

}  // namespace

int main(int argc, char** argv) {
  std::string truth_path;
  std::string db_path;
  std::string report_path;
  std::string format = "text";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string* target = arg == "--truth"    ? &truth_path
                          : arg == "--db"     ? &db_path
                          : arg == "--report" ? &report_path
                          : arg == "--format" ? &format
                                              : nullptr;
    if (target != nullptr && i + 1 < argc) {
      *target = argv[++i];
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    } else {
      std::fprintf(stderr, "twcs_compare: unexpected argument \"%s\"\n%s", argv[i], kUsage.data());
      return kExitUsage;
    }
  }
  if (truth_path.empty() || db_path.empty() || (format != "text" && format != "json")) {
    std::fputs(kUsage.data(), stderr);
    return kExitUsage;
  }

  const std::optional<std::string> truth_json = ReadFile(truth_path);
  if (!truth_json) return Fail(truth_path + ": cannot be read");
  const ecoute::Result<ecoute::twcs::TruthFile> truth = ecoute::twcs::ParseTruthJson(*truth_json);
  if (!truth) return Fail(truth_path + ": " + truth.error().message());

  const ecoute::Result<ecoute::twcs::CaseMembership> membership =
      ecoute::twcs::ReadCaseMembership(db_path);
  if (!membership) return Fail(membership.error().message());

  ecoute::twcs::Comparison comparison;
  comparison.scores = ecoute::twcs::ScoreThreads(truth->threads, *membership);
  if (!report_path.empty()) {
    const std::optional<std::string> report_json = ReadFile(report_path);
    if (!report_json) return Fail(report_path + ": cannot be read");
    const ecoute::Result<std::vector<ecoute::twcs::BrandFigures>> report =
        ecoute::twcs::ParseReportJson(*report_json);
    if (!report) return Fail(report_path + ": " + report.error().message());
    ecoute::twcs::CompareBrands(truth->brands, *report, comparison);
  }
  const std::string out = format == "json" ? ecoute::twcs::FormatComparisonJson(comparison)
                                           : ecoute::twcs::FormatComparisonText(comparison);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
