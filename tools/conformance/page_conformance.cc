// page_conformance: runs the HTML reader's article extraction on Mozilla Readability's test
// pages (shared/testsuites/pages, see its README.md) and prints, per case, how close the
// extracted text is to the expected article, then the pass rate.
//
//   page_conformance [--verbose] [--min-pass-rate PERCENT] [--skip-missing] SUITE_DIR
//
// The measure: the visible text of our Post (source.html) and of expected.html (read whole)
// are split into words at whitespace; similarity is the F1 of the two bags of words
// (precision: share of our words that are expected, recall: share of expected words we
// have). A case passes when the similarity is at least 0.9 and the metadata given in
// expected-metadata.json matches: the title (equal once whitespace is collapsed and case
// folded, or ours begins or ends with the expected one, i.e. only a site name is left on
// it), the byline (one contains the other, case folded) and the publication time (the same
// instant once parsed). Exits 1 when the pass rate is below --min-pass-rate, 77 (ctest's
// skip) when SUITE_DIR does not exist and --skip-missing is given, 2 on bad usage.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/article.h"
#include "util/datetime.h"

namespace {

namespace fs = std::filesystem;
using ecoute::sources_internal::HtmlScope;

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

struct Similarity {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
};

Similarity Compare(std::string_view got, std::string_view want) {
  const std::vector<std::string_view> got_words = Words(got);
  const std::vector<std::string_view> want_words = Words(want);
  Similarity similarity;
  if (got_words.empty() && want_words.empty()) {
    similarity.precision = similarity.recall = similarity.f1 = 1;
    return similarity;
  }
  std::unordered_map<std::string_view, int> wanted;
  for (std::string_view word : want_words) ++wanted[word];
  size_t common = 0;
  for (std::string_view word : got_words) {
    auto it = wanted.find(word);
    if (it != wanted.end() && it->second > 0) {
      --it->second;
      ++common;
    }
  }
  if (common == 0) return similarity;
  similarity.precision = static_cast<double>(common) / static_cast<double>(got_words.size());
  similarity.recall = static_cast<double>(common) / static_cast<double>(want_words.size());
  similarity.f1 =
      2 * similarity.precision * similarity.recall / (similarity.precision + similarity.recall);
  return similarity;
}

// Whitespace collapsed, ASCII case folded.
std::string Normalize(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (IsSpace(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool TitleMatches(std::string_view got, std::string_view want) {
  const std::string g = Normalize(got);
  const std::string w = Normalize(want);
  if (g == w) return true;
  if (w.empty() || g.size() < w.size()) return false;
  return g.starts_with(w) || g.ends_with(w);
}

bool BylineMatches(std::string_view got, std::string_view want) {
  const std::string g = Normalize(got);
  const std::string w = Normalize(want);
  if (g.empty()) return w.empty();
  return g.find(w) != std::string::npos || w.find(g) != std::string::npos;
}

bool DateMatches(std::string_view got, std::string_view want) {
  const std::optional<int64_t> w = ecoute::ParseDateTime(want);
  const std::optional<int64_t> g = ecoute::ParseDateTime(got);
  return w && g && *w == *g;
}

// Reads one page; empty text when it yields no post.
ecoute::Post Read(const std::string& html, HtmlScope scope) {
  std::vector<ecoute::Post> posts;
  std::vector<ecoute::Problem> problems;
  ecoute::sources_internal::ReadHtmlPostScoped(html, "page.html", scope, posts, problems);
  return posts.empty() ? ecoute::Post() : posts[0];
}

int Usage() {
  std::fprintf(stderr,
               "usage: page_conformance [--verbose] [--min-pass-rate PERCENT] [--skip-missing] "
               "SUITE_DIR\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool is_verbose = false;
  bool skip_missing = false;
  double min_pass_rate = 0;
  std::string suite_arg;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--verbose") {
      is_verbose = true;
    } else if (arg == "--skip-missing") {
      skip_missing = true;
    } else if (arg == "--min-pass-rate" && i + 1 < argc) {
      min_pass_rate = std::atof(argv[++i]);
    } else if (!arg.empty() && arg[0] != '-' && suite_arg.empty()) {
      suite_arg = arg;
    } else {
      return Usage();
    }
  }
  if (suite_arg.empty()) return Usage();
  const fs::path suite = suite_arg;
  if (!fs::is_directory(suite)) {
    if (skip_missing && !fs::exists(suite)) {
      std::printf("page_conformance: %s is missing, skipped\n", suite.c_str());
      return 77;
    }
    std::fprintf(stderr, "page_conformance: %s is not a directory\n", suite.c_str());
    return 2;
  }
  std::vector<fs::path> cases;
  for (const fs::directory_entry& entry : fs::directory_iterator(suite)) {
    if (entry.is_directory() && fs::exists(entry.path() / "source.html")) {
      cases.push_back(entry.path());
    }
  }
  std::sort(cases.begin(), cases.end());
  int passed = 0;
  int text_passed = 0;
  int metadata_passed = 0;
  double f1_sum = 0;
  simdjson::dom::parser parser;
  for (const fs::path& dir : cases) {
    const std::string name = dir.filename().string();
    const std::optional<std::string> source = ReadFile(dir / "source.html");
    const std::optional<std::string> expected = ReadFile(dir / "expected.html");
    const std::optional<std::string> metadata_json = ReadFile(dir / "expected-metadata.json");
    simdjson::dom::element metadata;
    if (!source || !expected || !metadata_json ||
        parser.parse(*metadata_json).get(metadata) != simdjson::SUCCESS) {
      std::printf("FAIL %s: cannot read the case\n", name.c_str());
      continue;
    }
    const ecoute::Post got = Read(*source, HtmlScope::kArticle);
    const ecoute::Post want = Read(*expected, HtmlScope::kWholePage);
    const Similarity similarity = Compare(got.text, want.text);
    f1_sum += similarity.f1;
    const bool text_ok = similarity.f1 >= 0.9;
    std::vector<std::string> failures;
    std::string_view value;
    if (metadata["title"].get(value) == simdjson::SUCCESS && !TitleMatches(got.title, value)) {
      failures.push_back("title: want \"" + std::string(value) + "\", got \"" + got.title + "\"");
    }
    if (metadata["byline"].get(value) == simdjson::SUCCESS &&
        !BylineMatches(got.author.name, value)) {
      failures.push_back("byline: want \"" + std::string(value) + "\", got \"" + got.author.name +
                         "\"");
    }
    if (metadata["publishedTime"].get(value) == simdjson::SUCCESS &&
        !DateMatches(got.published_at, value)) {
      failures.push_back("date: want \"" + std::string(value) + "\", got \"" + got.published_at +
                         "\"");
    }
    text_passed += text_ok ? 1 : 0;
    metadata_passed += failures.empty() ? 1 : 0;
    const bool ok = text_ok && failures.empty();
    passed += ok ? 1 : 0;
    if (is_verbose || !ok) {
      std::printf("%s %-45s f1 %.3f (precision %.3f, recall %.3f)\n", ok ? "ok  " : "FAIL",
                  name.c_str(), similarity.f1, similarity.precision, similarity.recall);
      if (is_verbose) {
        for (const std::string& failure : failures) std::printf("       %s\n", failure.c_str());
      }
    }
  }
  const int total = static_cast<int>(cases.size());
  auto percent = [total](int n) { return total == 0 ? 0.0 : 100.0 * n / total; };
  std::printf("text similarity >= 0.9  %3d / %3d  %5.1f %%  (mean F1 %.3f)\n", text_passed, total,
              percent(text_passed), total == 0 ? 0.0 : f1_sum / total);
  std::printf("metadata                %3d / %3d  %5.1f %%\n", metadata_passed, total,
              percent(metadata_passed));
  std::printf("passed (both)           %3d / %3d  %5.1f %%\n", passed, total, percent(passed));
  const double rate = percent(passed);
  if (rate < min_pass_rate) {
    std::fprintf(stderr, "page_conformance: pass rate %.1f %% is below the floor %.1f %%\n", rate,
                 min_pass_rate);
    return 1;
  }
  return 0;
}
