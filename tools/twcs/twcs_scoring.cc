// Scoring ecoute against the truth: the truth file and ecoute's report read back (simdjson,
// through its error codes), the cases read from ecoute's database (through the store's SQLite
// wrapper), thread precision and recall, and the per-brand comparison as text or JSON. Nothing here
// throws.
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "store/sqlite/sqlite.h"
#include "twcs.h"
#include "twcs_internal.h"
#include "util/json.h"

namespace ecoute::twcs {
namespace {

namespace dom = simdjson::dom;

std::optional<double> ReadNumber(dom::element value) {
  switch (value.type()) {
    case dom::element_type::INT64: {
      int64_t n = 0;
      if (value.get(n) != simdjson::SUCCESS) return std::nullopt;
      return static_cast<double>(n);
    }
    case dom::element_type::UINT64: {
      uint64_t n = 0;
      if (value.get(n) != simdjson::SUCCESS) return std::nullopt;
      return static_cast<double>(n);
    }
    case dom::element_type::DOUBLE: {
      double n = 0;
      if (value.get(n) != simdjson::SUCCESS) return std::nullopt;
      return n;
    }
    default:
      return std::nullopt;
  }
}

// A count or a time in seconds: a number, or null / absent for `optional` fields.
Status ReadField(dom::object object, std::string_view key, std::string_view where,
                 std::optional<double>& out, bool is_optional) {
  dom::element value;
  if (object[key].get(value) != simdjson::SUCCESS || value.is_null()) {
    if (is_optional) return OkStatus();
    return InvalidArgumentError(std::string(where) + ": no \"" + std::string(key) + "\"");
  }
  out = ReadNumber(value);
  if (!out) {
    return InvalidArgumentError(std::string(where) + ": \"" + std::string(key) + "\" is " +
                                std::string(DescribeJsonType(value.type())) + ", not a number");
  }
  return OkStatus();
}

Status ReadCount(dom::object object, std::string_view key, std::string_view where, int64_t& out) {
  std::optional<double> value;
  ECOUTE_RETURN_IF_ERROR(ReadField(object, key, where, value, /*is_optional=*/false));
  out = static_cast<int64_t>(*value);
  return OkStatus();
}

Status ReadTimes(dom::object object, std::string_view where, std::vector<int64_t>& out) {
  dom::array array;
  if (object["response_times_s"].get(array) != simdjson::SUCCESS) return OkStatus();
  for (dom::element item : array) {
    const std::optional<double> value = ReadNumber(item);
    if (!value) {
      return InvalidArgumentError(std::string(where) + ": response_times_s holds " +
                                  std::string(DescribeJsonType(item.type())));
    }
    out.push_back(static_cast<int64_t>(*value));
  }
  std::sort(out.begin(), out.end());
  return OkStatus();
}

Result<dom::array> ParseBrandsArray(dom::parser& parser, const simdjson::padded_string& json) {
  dom::element root;
  if (const auto error = parser.parse(json).get(root)) {
    return InvalidArgumentError(std::string("not valid JSON: ") + simdjson::error_message(error));
  }
  dom::array brands;
  if (root["brands"].get(brands) != simdjson::SUCCESS) {
    return InvalidArgumentError("no \"brands\" array at the top level");
  }
  return brands;
}

// ---------------------------------------------------------------------------------------
// SQLite

Result<bool> HasTable(sqlite3* db, const std::string& path, std::string_view table) {
  sqlite::Statement statement(
      db, "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?");
  if (!statement.ok()) return InvalidArgumentError(path + ": " + sqlite3_errmsg(db));
  statement.Bind(1, table);
  const bool has_table = statement.Step();
  if (!statement.status().ok()) return InvalidArgumentError(path + ": " + sqlite3_errmsg(db));
  return has_table;
}

// ---------------------------------------------------------------------------------------
// Text rendering

// "42s", "5m12s", "3h05m", "2d04h": seconds as people read them.
std::string FormatDuration(std::optional<double> seconds) {
  if (!seconds) return "-";
  const int64_t s = std::llround(*seconds);
  char buffer[32];
  if (s < 60) {
    std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else if (s < 86400) {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldd%02lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return buffer;
}

std::optional<double> AbsDiff(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a || !b) return std::nullopt;
  return std::fabs(*a - *b);
}

std::string FormatSigned(int64_t value) { return (value > 0 ? "+" : "") + std::to_string(value); }

std::string Percent(int64_t part, int64_t whole) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%",
                whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buffer;
}

void AppendFormat(std::string& out, const char* format, ...) __attribute__((format(printf, 2, 3)));
void AppendFormat(std::string& out, const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  out += buffer;
}

// Sums the counts; pools the response times when every brand that answered lists its
// own, which gives the overall median and p90.
BrandFigures Total(const std::vector<const BrandFigures*>& brands) {
  BrandFigures total;
  total.name = "total";
  bool has_all_times = true;
  for (const BrandFigures* brand : brands) {
    total.threads += brand->threads;
    total.answered += brand->answered;
    if (static_cast<int64_t>(brand->response_times_s.size()) != brand->answered) {
      has_all_times = false;
    }
    total.response_times_s.insert(total.response_times_s.end(), brand->response_times_s.begin(),
                                  brand->response_times_s.end());
  }
  std::sort(total.response_times_s.begin(), total.response_times_s.end());
  if (has_all_times) {
    total.first_response_median_s = NearestRankPercentile(total.response_times_s, 50);
    total.first_response_p90_s = NearestRankPercentile(total.response_times_s, 90);
  } else {
    total.response_times_s.clear();
  }
  return total;
}

void AppendBrandRow(const std::string& name, const BrandFigures* truth, const BrandFigures* ecoute,
                    std::string& out) {
  const auto count = [](const BrandFigures* f, int64_t BrandFigures::*field) {
    return f == nullptr ? std::string("-") : std::to_string(f->*field);
  };
  const auto diff = [&](int64_t BrandFigures::*field) {
    return truth == nullptr || ecoute == nullptr ? std::string("-")
                                                 : FormatSigned(ecoute->*field - truth->*field);
  };
  const std::optional<double> none;
  const auto& truth_median = truth ? truth->first_response_median_s : none;
  const auto& ecoute_median = ecoute ? ecoute->first_response_median_s : none;
  const auto& truth_p90 = truth ? truth->first_response_p90_s : none;
  const auto& ecoute_p90 = ecoute ? ecoute->first_response_p90_s : none;
  AppendFormat(
      out, "%-24.24s %7s %6s %6s  %8s %9s %6s  %7s %7s %7s  %7s %7s %7s\n", name.c_str(),
      count(truth, &BrandFigures::threads).c_str(), count(ecoute, &BrandFigures::threads).c_str(),
      diff(&BrandFigures::threads).c_str(), count(truth, &BrandFigures::answered).c_str(),
      count(ecoute, &BrandFigures::answered).c_str(), diff(&BrandFigures::answered).c_str(),
      FormatDuration(truth_median).c_str(), FormatDuration(ecoute_median).c_str(),
      FormatDuration(AbsDiff(truth_median, ecoute_median)).c_str(),
      FormatDuration(truth_p90).c_str(), FormatDuration(ecoute_p90).c_str(),
      FormatDuration(AbsDiff(truth_p90, ecoute_p90)).c_str());
}

void AppendFiguresJson(const BrandFigures* figures, std::string_view threads_key,
                       std::string_view answered_key, std::string& out) {
  if (figures == nullptr) {
    out += "null";
    return;
  }
  out += "{\"";
  out += threads_key;
  out += "\": " + std::to_string(figures->threads) + ", \"";
  out += answered_key;
  out += "\": " + std::to_string(figures->answered) + ", \"first_response_median_s\": ";
  AppendOptional(figures->first_response_median_s, out);
  out += ", \"first_response_p90_s\": ";
  AppendOptional(figures->first_response_p90_s, out);
  out += '}';
}

void AppendComparisonJson(const std::string& name, const BrandFigures* truth,
                          const BrandFigures* ecoute, std::string& out) {
  out += "{\"name\": ";
  AppendJsonString(name, out);
  out += ", \"truth\": ";
  AppendFiguresJson(truth, "threads", "answered", out);
  out += ", \"ecoute\": ";
  AppendFiguresJson(ecoute, "cases", "responded", out);
  out += ", \"diff\": ";
  if (truth == nullptr || ecoute == nullptr) {
    out += "null}";
    return;
  }
  out += "{\"cases_minus_threads\": " + std::to_string(ecoute->threads - truth->threads);
  out += ", \"responded_minus_answered\": " + std::to_string(ecoute->answered - truth->answered);
  out += ", \"first_response_median_abs_s\": ";
  AppendOptional(AbsDiff(truth->first_response_median_s, ecoute->first_response_median_s), out);
  out += ", \"first_response_p90_abs_s\": ";
  AppendOptional(AbsDiff(truth->first_response_p90_s, ecoute->first_response_p90_s), out);
  out += "}}";
}

}  // namespace

Result<TruthFile> ParseTruthJson(std::string_view json) {
  dom::parser parser;
  const simdjson::padded_string padded(json);
  dom::element root;
  if (const auto error = parser.parse(padded).get(root)) {
    return InvalidArgumentError(std::string("not valid JSON: ") + simdjson::error_message(error));
  }
  TruthFile truth;
  dom::array threads;
  if (root["threads"].get(threads) != simdjson::SUCCESS) {
    return InvalidArgumentError("no \"threads\" array at the top level");
  }
  size_t t = 0;
  for (dom::element thread : threads) {
    const std::string where = "threads[" + std::to_string(t++) + "]";
    dom::array ids;
    if (thread.get(ids) != simdjson::SUCCESS) {
      return InvalidArgumentError(where + " is " + std::string(DescribeJsonType(thread.type())) +
                                  ", not an array");
    }
    std::vector<std::string>& out = truth.threads.emplace_back();
    for (dom::element id : ids) {
      std::string_view s;
      if (id.get(s) == simdjson::SUCCESS) {
        out.emplace_back(s);
      } else if (id.type() == dom::element_type::INT64 || id.type() == dom::element_type::UINT64) {
        out.push_back(std::to_string(static_cast<int64_t>(*ReadNumber(id))));
      } else {
        return InvalidArgumentError(where + " holds " + std::string(DescribeJsonType(id.type())) +
                                    ", not a tweet id");
      }
    }
  }
  dom::array brands;
  if (root["brands"].get(brands) != simdjson::SUCCESS) {
    return InvalidArgumentError("no \"brands\" array at the top level");
  }
  size_t b = 0;
  for (dom::element item : brands) {
    const std::string where = "brands[" + std::to_string(b++) + "]";
    dom::object brand;
    std::string_view name;
    if (item.get(brand) != simdjson::SUCCESS || brand["name"].get(name) != simdjson::SUCCESS) {
      return InvalidArgumentError(where + ": not an object with a \"name\"");
    }
    BrandFigures& figures = truth.brands.emplace_back();
    figures.name = std::string(name);
    ECOUTE_RETURN_IF_ERROR(ReadCount(brand, "threads", where, figures.threads));
    ECOUTE_RETURN_IF_ERROR(ReadCount(brand, "answered", where, figures.answered));
    ECOUTE_RETURN_IF_ERROR(
        ReadField(brand, "first_response_median_s", where, figures.first_response_median_s, true));
    ECOUTE_RETURN_IF_ERROR(
        ReadField(brand, "first_response_p90_s", where, figures.first_response_p90_s, true));
    ECOUTE_RETURN_IF_ERROR(ReadTimes(brand, where, figures.response_times_s));
  }
  return truth;
}

Result<std::vector<BrandFigures>> ParseReportJson(std::string_view json) {
  dom::parser parser;
  const simdjson::padded_string padded(json);
  ECOUTE_ASSIGN_OR_RETURN(dom::array brands, ParseBrandsArray(parser, padded));
  std::vector<BrandFigures> out;
  size_t b = 0;
  for (dom::element item : brands) {
    const std::string where = "brands[" + std::to_string(b++) + "]";
    dom::object brand;
    std::string_view name;
    if (item.get(brand) != simdjson::SUCCESS || brand["brand"].get(name) != simdjson::SUCCESS) {
      return InvalidArgumentError(where + ": not an object with a \"brand\"");
    }
    BrandFigures& figures = out.emplace_back();
    figures.name = std::string(name);
    ECOUTE_RETURN_IF_ERROR(ReadCount(brand, "cases", where, figures.threads));
    ECOUTE_RETURN_IF_ERROR(ReadCount(brand, "responded", where, figures.answered));
    ECOUTE_RETURN_IF_ERROR(
        ReadField(brand, "first_response_median_s", where, figures.first_response_median_s, true));
    ECOUTE_RETURN_IF_ERROR(
        ReadField(brand, "first_response_p90_s", where, figures.first_response_p90_s, true));
    ECOUTE_RETURN_IF_ERROR(ReadTimes(brand, where, figures.response_times_s));
  }
  return out;
}

Result<CaseMembership> ReadCaseMembership(const std::string& db_path) {
  ECOUTE_ASSIGN_OR_RETURN(const sqlite::Connection db, sqlite::Connection::OpenReadOnly(db_path));
  for (const std::string_view table : {"case_posts", "posts"}) {
    ECOUTE_ASSIGN_OR_RETURN(const bool has_table, HasTable(db.get(), db_path, table));
    if (!has_table) {
      return Status(StatusCode::kFailedPrecondition, db_path + ": no table " + std::string(table) +
                                                         ": ingest with `ecoute ingest` first");
    }
  }
  sqlite::Statement statement(db.get(),
                              "SELECT p.ext_id, cp.case_id FROM case_posts AS cp "
                              "JOIN posts AS p ON p.id = cp.post_id");
  if (!statement.ok()) return InvalidArgumentError(db_path + ": " + sqlite3_errmsg(db.get()));
  CaseMembership membership;
  while (statement.Step()) {
    if (statement.IsNull(0) || statement.IsNull(1)) continue;
    membership[std::string(statement.Text(0))].push_back(statement.Int(1));
  }
  if (!statement.status().ok()) {
    return InvalidArgumentError(db_path + ": " + sqlite3_errmsg(db.get()));
  }
  for (auto& [ext_id, cases] : membership) {
    std::sort(cases.begin(), cases.end());
    cases.erase(std::unique(cases.begin(), cases.end()), cases.end());
  }
  return membership;
}

ThreadScores ScoreThreads(const std::vector<std::vector<std::string>>& threads,
                          const CaseMembership& membership) {
  ThreadScores scores;
  // The evaluated tweets, each with its thread and its cases.
  std::unordered_map<std::string, size_t> index_of;
  std::vector<size_t> thread_of;
  std::vector<const std::vector<int64_t>*> cases_of;
  std::vector<std::vector<size_t>> members;  // per evaluated thread
  for (const std::vector<std::string>& thread : threads) {
    if (thread.size() < 2) continue;
    std::vector<size_t>& tweets = members.emplace_back();
    for (const std::string& id : thread) {
      if (!index_of.emplace(id, thread_of.size()).second) continue;  // listed twice
      tweets.push_back(thread_of.size());
      thread_of.push_back(members.size() - 1);
      const auto it = membership.find(id);
      cases_of.push_back(it == membership.end() ? nullptr : &it->second);
    }
  }
  scores.threads = static_cast<int64_t>(members.size());
  scores.tweets = static_cast<int64_t>(thread_of.size());

  std::unordered_map<int64_t, std::vector<size_t>> tweets_of_case;
  for (size_t i = 0; i < cases_of.size(); ++i) {
    if (cases_of[i] == nullptr || cases_of[i]->empty()) continue;
    ++scores.tweets_in_cases;
    for (const int64_t c : *cases_of[i]) tweets_of_case[c].push_back(i);
  }
  // Pairs sharing at least one case, counted once each even when a tweet is in several.
  std::vector<size_t> together;
  for (size_t i = 0; i < cases_of.size(); ++i) {
    if (cases_of[i] == nullptr) continue;
    together.clear();
    for (const int64_t c : *cases_of[i]) {
      for (const size_t j : tweets_of_case[c]) {
        if (j > i) together.push_back(j);
      }
    }
    std::sort(together.begin(), together.end());
    together.erase(std::unique(together.begin(), together.end()), together.end());
    scores.predicted_pairs += static_cast<int64_t>(together.size());
    for (const size_t j : together) {
      if (thread_of[j] == thread_of[i]) ++scores.correct_pairs;
    }
  }
  for (size_t t = 0; t < members.size(); ++t) {
    const auto k = static_cast<int64_t>(members[t].size());
    scores.true_pairs += k * (k - 1) / 2;
    std::set<int64_t> cases;
    bool is_every_tweet_in_a_case = true;
    for (const size_t i : members[t]) {
      if (cases_of[i] == nullptr || cases_of[i]->empty()) {
        is_every_tweet_in_a_case = false;
        continue;
      }
      cases.insert(cases_of[i]->begin(), cases_of[i]->end());
    }
    if (cases.empty()) continue;
    ++scores.threads_touched;
    if (cases.size() >= 2) ++scores.threads_split;
    if (cases.size() != 1 || !is_every_tweet_in_a_case) continue;
    ++scores.threads_whole;
    const std::vector<size_t>& in_case = tweets_of_case[*cases.begin()];
    if (std::all_of(in_case.begin(), in_case.end(), [&](size_t i) { return thread_of[i] == t; })) {
      ++scores.threads_exact;
    }
  }
  if (scores.predicted_pairs > 0) {
    scores.precision =
        static_cast<double>(scores.correct_pairs) / static_cast<double>(scores.predicted_pairs);
  }
  if (scores.true_pairs > 0) {
    scores.recall =
        static_cast<double>(scores.correct_pairs) / static_cast<double>(scores.true_pairs);
  }
  if (scores.precision + scores.recall > 0) {
    scores.f1 = 2 * scores.precision * scores.recall / (scores.precision + scores.recall);
  }
  return scores;
}

void CompareBrands(const std::vector<BrandFigures>& truth, const std::vector<BrandFigures>& report,
                   Comparison& comparison) {
  comparison.has_report = true;
  comparison.brands.clear();
  std::map<std::string, size_t> row_of;
  for (const BrandFigures& brand : truth) {
    row_of[brand.name] = comparison.brands.size();
    comparison.brands.push_back({brand.name, brand, std::nullopt});
  }
  for (const BrandFigures& brand : report) {
    const auto [it, is_new] = row_of.emplace(brand.name, comparison.brands.size());
    if (is_new) comparison.brands.push_back({brand.name, std::nullopt, std::nullopt});
    comparison.brands[it->second].ecoute = brand;
  }
  std::stable_sort(comparison.brands.begin(), comparison.brands.end(),
                   [](const BrandComparison& a, const BrandComparison& b) {
                     const int64_t a_truth = a.truth ? a.truth->threads : -1;
                     const int64_t b_truth = b.truth ? b.truth->threads : -1;
                     if (a_truth != b_truth) return a_truth > b_truth;
                     const int64_t a_cases = a.ecoute ? a.ecoute->threads : -1;
                     const int64_t b_cases = b.ecoute ? b.ecoute->threads : -1;
                     if (a_cases != b_cases) return a_cases > b_cases;
                     return a.name < b.name;
                   });
  std::vector<const BrandFigures*> truth_brands;
  std::vector<const BrandFigures*> report_brands;
  for (const BrandFigures& brand : truth) truth_brands.push_back(&brand);
  for (const BrandFigures& brand : report) report_brands.push_back(&brand);
  comparison.truth_total = Total(truth_brands);
  comparison.ecoute_total = Total(report_brands);
}

std::string FormatComparisonText(const Comparison& comparison) {
  const ThreadScores& s = comparison.scores;
  std::string out;
  AppendFormat(out, "Threads: %lld truth threads of 2+ tweets, %lld tweets\n",
               static_cast<long long>(s.threads), static_cast<long long>(s.tweets));
  AppendFormat(out,
               "  pairs     precision %.3f  recall %.3f  F1 %.3f  (predicted %lld, true %lld, "
               "both %lld)\n",
               s.precision, s.recall, s.f1, static_cast<long long>(s.predicted_pairs),
               static_cast<long long>(s.true_pairs), static_cast<long long>(s.correct_pairs));
  AppendFormat(out, "  coverage  tweets in a case %lld/%lld (%s), threads touched %lld/%lld (%s)\n",
               static_cast<long long>(s.tweets_in_cases), static_cast<long long>(s.tweets),
               Percent(s.tweets_in_cases, s.tweets).c_str(),
               static_cast<long long>(s.threads_touched), static_cast<long long>(s.threads),
               Percent(s.threads_touched, s.threads).c_str());
  AppendFormat(out,
               "  threads   whole (one case, every tweet) %lld (%s), exact (and nothing else) "
               "%lld (%s), split over 2+ cases %lld (%s)\n",
               static_cast<long long>(s.threads_whole), Percent(s.threads_whole, s.threads).c_str(),
               static_cast<long long>(s.threads_exact), Percent(s.threads_exact, s.threads).c_str(),
               static_cast<long long>(s.threads_split),
               Percent(s.threads_split, s.threads).c_str());
  if (!comparison.has_report) return out;
  out += "\nBrands: truth vs ecoute (diff: ecoute - truth for counts, absolute for times)\n";
  AppendFormat(out, "%-24s %7s %6s %6s  %8s %9s %6s  %7s %7s %7s  %7s %7s %7s\n", "brand",
               "threads", "cases", "diff", "answered", "responded", "diff", "median", "ecoute",
               "|diff|", "p90", "ecoute", "|diff|");
  for (const BrandComparison& row : comparison.brands) {
    AppendBrandRow(row.name, row.truth ? &*row.truth : nullptr, row.ecoute ? &*row.ecoute : nullptr,
                   out);
  }
  AppendBrandRow("total", &comparison.truth_total, &comparison.ecoute_total, out);
  return out;
}

std::string FormatComparisonJson(const Comparison& comparison) {
  const ThreadScores& s = comparison.scores;
  std::string out = "{\"threads\": {";
  out += "\"threads\": " + std::to_string(s.threads);
  out += ", \"tweets\": " + std::to_string(s.tweets);
  out += ", \"predicted_pairs\": " + std::to_string(s.predicted_pairs);
  out += ", \"true_pairs\": " + std::to_string(s.true_pairs);
  out += ", \"correct_pairs\": " + std::to_string(s.correct_pairs);
  out += ", \"precision\": ";
  AppendRatio(s.precision, out);
  out += ", \"recall\": ";
  AppendRatio(s.recall, out);
  out += ", \"f1\": ";
  AppendRatio(s.f1, out);
  out += ", \"tweets_in_cases\": " + std::to_string(s.tweets_in_cases);
  out += ", \"threads_touched\": " + std::to_string(s.threads_touched);
  out += ", \"threads_whole\": " + std::to_string(s.threads_whole);
  out += ", \"threads_exact\": " + std::to_string(s.threads_exact);
  out += ", \"threads_split\": " + std::to_string(s.threads_split);
  out += '}';
  if (comparison.has_report) {
    out += ",\n\"brands\": [";
    for (size_t i = 0; i < comparison.brands.size(); ++i) {
      const BrandComparison& row = comparison.brands[i];
      out += i == 0 ? "\n  " : ",\n  ";
      AppendComparisonJson(row.name, row.truth ? &*row.truth : nullptr,
                           row.ecoute ? &*row.ecoute : nullptr, out);
    }
    out += "\n],\n\"total\": ";
    AppendComparisonJson("total", &comparison.truth_total, &comparison.ecoute_total, out);
  }
  out += "}\n";
  return out;
}

}  // namespace ecoute::twcs
