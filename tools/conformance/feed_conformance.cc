// feed_conformance: runs the feed reader's document model (sources/feed/feed_reader.h) on
// feedparser's test cases converted to JSON (shared/testsuites/feeds, see its README.md)
// and prints the pass rate per category and in total.
//
//   feed_conformance [--verbose] [--dump CASE.xml] [--min-pass-rate PERCENT]
//                    [--skip-missing] SUITE_DIR
//
// A case passes when the document's bozo flag matches and every check holds. Exits 1 when
// the total pass rate is below --min-pass-rate, 77 (ctest's skip) when SUITE_DIR does not
// exist and --skip-missing is given, 2 on bad usage.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "sources/feed/feed_reader.h"

namespace {

namespace fs = std::filesystem;
using ecoute::feeds::FeedValue;

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Resolves a README path ("entries[0].links[1].href", "feed[\"thr_in-reply-to\"].ref",
// "feed.tags.#count") in `root`. A count comes back as an integer value.
std::optional<FeedValue> Resolve(const FeedValue& root, std::string_view path) {
  const FeedValue* current = &root;
  size_t i = 0;
  auto read_name = [&]() {
    const size_t start = i;
    while (i < path.size() && path[i] != '.' && path[i] != '[') ++i;
    return std::string(path.substr(start, i - start));
  };
  std::string first = read_name();
  current = current->Find(first);
  if (current == nullptr) return std::nullopt;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      if (path.substr(i) == "#count") {
        if (current->kind != FeedValue::Kind::kList) return std::nullopt;
        return FeedValue::Int(static_cast<int64_t>(current->items.size()));
      }
      const std::string key = read_name();
      current = current->Find(key);
    } else if (path[i] == '[') {
      ++i;
      if (i < path.size() && path[i] == '"') {
        ++i;
        std::string key;
        while (i < path.size() && path[i] != '"') {
          if (path[i] == '\\' && i + 1 < path.size()) ++i;
          key.push_back(path[i]);
          ++i;
        }
        i += 2;  // the quote and the bracket
        current = current->Find(key);
      } else {
        size_t index = 0;
        while (i < path.size() && path[i] >= '0' && path[i] <= '9') {
          index = index * 10 + static_cast<size_t>(path[i] - '0');
          ++i;
        }
        ++i;  // the bracket
        if (current->kind != FeedValue::Kind::kList || index >= current->items.size()) {
          return std::nullopt;
        }
        current = &current->items[index];
      }
    } else {
      return std::nullopt;
    }
    if (current == nullptr) return std::nullopt;
  }
  return *current;
}

std::string Describe(const std::optional<FeedValue>& value) {
  if (!value.has_value()) return "(missing)";
  std::string out;
  ecoute::feeds::AppendFeedValueJson(*value, out);
  return out;
}

// Compares with the JSON `expected`: same type, same value.
bool Matches(const std::optional<FeedValue>& actual, simdjson::dom::element expected) {
  if (!actual.has_value()) return false;
  switch (expected.type()) {
    case simdjson::dom::element_type::STRING:
      return actual->kind == FeedValue::Kind::kString &&
             actual->string == std::string_view(expected.get_string().value());
    case simdjson::dom::element_type::INT64:
      return actual->kind == FeedValue::Kind::kInt &&
             actual->integer == expected.get_int64().value();
    case simdjson::dom::element_type::UINT64:
      return actual->kind == FeedValue::Kind::kInt &&
             actual->integer == static_cast<int64_t>(expected.get_uint64().value());
    case simdjson::dom::element_type::BOOL:
      return actual->kind == FeedValue::Kind::kBool &&
             actual->boolean == expected.get_bool().value();
    case simdjson::dom::element_type::NULL_VALUE:
      return actual->kind == FeedValue::Kind::kNull;
    default:
      return false;
  }
}

struct Tally {
  int passed = 0;
  int total = 0;
};

// What `document` gets wrong against the case's expectations (bozo, and each check's path
// and value); none when it passes.
std::vector<std::string> CheckCase(const ecoute::feeds::FeedDocument& document,
                                   simdjson::dom::element expect) {
  std::vector<std::string> failures;
  simdjson::dom::element bozo;
  if (expect["bozo"].get(bozo) == simdjson::SUCCESS && bozo.is_bool() &&
      bozo.get_bool().value() != document.is_bozo) {
    failures.push_back(std::string("bozo: want ") + (bozo.get_bool().value() ? "true" : "false") +
                       ", got " +
                       (document.is_bozo ? "true (" + document.bozo_message + ")" : "false"));
  }
  simdjson::dom::array checks;
  if (expect["checks"].get(checks) == simdjson::SUCCESS) {
    for (simdjson::dom::element check : checks) {
      std::string_view path;
      simdjson::dom::element want;
      if (check["path"].get(path) != simdjson::SUCCESS ||
          check["equals"].get(want) != simdjson::SUCCESS) {
        failures.push_back("malformed check");
        continue;
      }
      const std::optional<FeedValue> got = Resolve(document.root, path);
      if (!Matches(got, want)) {
        failures.push_back(std::string(path) + ": want " + simdjson::to_string(want) + ", got " +
                           Describe(got));
      }
    }
  }
  return failures;
}

// The cases of a suite: every *.expect.json under `suite`, in path order.
std::vector<fs::path> FindCases(const std::string& suite) {
  std::vector<fs::path> cases;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(suite)) {
    const std::string file = entry.path().filename().string();
    if (entry.is_regular_file() && file.size() > 12 &&
        file.substr(file.size() - 12) == ".expect.json") {
      cases.push_back(entry.path());
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

int Usage() {
  std::fprintf(stderr,
               "usage: feed_conformance [--verbose] [--dump CASE.xml] [--min-pass-rate PERCENT] "
               "[--skip-missing] SUITE_DIR\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool is_verbose = false;
  bool skip_missing = false;
  double min_pass_rate = 0;
  std::string suite;
  std::string dump;
  for (int a = 1; a < argc; ++a) {
    const std::string_view arg = argv[a];
    if (arg == "--verbose") {
      is_verbose = true;
    } else if (arg == "--skip-missing") {
      skip_missing = true;
    } else if (arg == "--min-pass-rate" && a + 1 < argc) {
      min_pass_rate = std::atof(argv[++a]);
    } else if (arg == "--dump" && a + 1 < argc) {
      dump = argv[++a];
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage();
    } else {
      suite = std::string(arg);
    }
  }
  if (!dump.empty()) {
    const std::optional<std::string> bytes = ReadFile(dump);
    if (!bytes) {
      std::fprintf(stderr, "feed_conformance: cannot read %s\n", dump.c_str());
      return 2;
    }
    const ecoute::feeds::FeedDocument document = ecoute::feeds::ParseFeedDocument(*bytes);
    std::string out;
    ecoute::feeds::AppendFeedValueJson(document.root, out);
    std::printf("bozo=%s %s\n%s\n", document.is_bozo ? "true" : "false",
                document.bozo_message.c_str(), out.c_str());
    return 0;
  }
  if (suite.empty()) return Usage();
  std::error_code error;
  if (!fs::is_directory(suite, error)) {
    if (skip_missing) {
      std::printf("feed_conformance: %s not found, skipped\n", suite.c_str());
      return 77;
    }
    std::fprintf(stderr, "feed_conformance: %s is not a directory\n", suite.c_str());
    return 2;
  }
  const std::vector<fs::path> cases = FindCases(suite);
  std::map<std::string, Tally> by_category;
  Tally total;
  simdjson::dom::parser parser;
  for (const fs::path& expect_path : cases) {
    const std::string expect_name = expect_path.string();
    const fs::path xml_path = expect_name.substr(0, expect_name.size() - 12) + ".xml";
    const std::string category = expect_path.parent_path().filename().string() == "illformed"
                                     ? "illformed"
                                     : expect_path.parent_path().filename().string();
    Tally& tally = by_category[category];
    ++tally.total;
    ++total.total;
    const std::optional<std::string> xml = ReadFile(xml_path);
    const std::optional<std::string> expect_json = ReadFile(expect_path);
    simdjson::dom::element expect;
    if (!xml || !expect_json || parser.parse(*expect_json).get(expect) != simdjson::SUCCESS) {
      std::printf("FAIL %s: cannot read the case\n", xml_path.string().c_str());
      continue;
    }
    const ecoute::feeds::FeedDocument document = ecoute::feeds::ParseFeedDocument(*xml);
    const std::vector<std::string> failures = CheckCase(document, expect);
    if (failures.empty()) {
      ++tally.passed;
      ++total.passed;
    } else if (is_verbose) {
      std::printf("FAIL %s\n", fs::relative(xml_path, suite).string().c_str());
      for (const std::string& failure : failures) std::printf("  %s\n", failure.c_str());
    }
  }
  for (const auto& [category, tally] : by_category) {
    std::printf("%-16s %4d / %4d  %5.1f %%\n", category.c_str(), tally.passed, tally.total,
                tally.total == 0 ? 0.0 : 100.0 * tally.passed / tally.total);
  }
  const double rate = total.total == 0 ? 0.0 : 100.0 * total.passed / total.total;
  std::printf("%-16s %4d / %4d  %5.1f %%\n", "total", total.passed, total.total, rate);
  if (rate < min_pass_rate) {
    std::fprintf(stderr, "feed_conformance: pass rate %.1f %% is below the floor %.1f %%\n", rate,
                 min_pass_rate);
    return 1;
  }
  return 0;
}
