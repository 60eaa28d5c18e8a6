#include "learn/metrics.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "util/json.h"

namespace ecoute {
namespace {

double Ratio(size_t numerator, size_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

// Fixed-point with `decimals` digits. std::to_chars, unlike printf, ignores the locale: a
// program running under fr_FR must still write "0.812" into JSON.
std::string FormatFixed(double value, int decimals) {
  char digits[64];
  const std::to_chars_result written =
      std::to_chars(digits, digits + sizeof(digits), value, std::chars_format::fixed, decimals);
  assert(written.ec == std::errc());
  return std::string(digits, written.ptr);
}

// 4 decimals without trailing zeros: 0.5000 -> 0.5, 1.0000 -> 1.
std::string FormatJsonNumber(double value) {
  std::string s = FormatFixed(value, 4);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

// Display width in code points, so that accented labels ("négatif") line up; good enough
// for the labels datasets use, which hold no wide or combining characters.
size_t Width(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

void AppendPadded(std::string_view s, size_t width, bool is_right_aligned, std::string& out) {
  const size_t padding = width > Width(s) ? width - Width(s) : 0;
  if (is_right_aligned) out.append(padding, ' ');
  out.append(s);
  if (!is_right_aligned) out.append(padding, ' ');
}

size_t IndexOf(const std::vector<std::string>& labels, const std::string& label) {
  return static_cast<size_t>(std::find(labels.begin(), labels.end(), label) - labels.begin());
}

}  // namespace

Evaluation Evaluate(const std::vector<std::string>& gold, const std::vector<std::string>& predicted,
                    const std::vector<std::string>& labels) {
  assert(gold.size() == predicted.size());
  const size_t count = std::min(gold.size(), predicted.size());
  Evaluation e;
  for (const std::string& label : labels) {
    if (std::find(e.labels.begin(), e.labels.end(), label) == e.labels.end()) {
      e.labels.push_back(label);
    }
  }
  std::vector<std::string> extra;
  for (size_t i = 0; i < count; ++i) {
    for (const std::string* label : {&gold[i], &predicted[i]}) {
      if (std::find(e.labels.begin(), e.labels.end(), *label) == e.labels.end()) {
        extra.push_back(*label);
      }
    }
  }
  std::sort(extra.begin(), extra.end());
  extra.erase(std::unique(extra.begin(), extra.end()), extra.end());
  e.labels.insert(e.labels.end(), extra.begin(), extra.end());

  const size_t n = e.labels.size();
  e.confusion.assign(n, std::vector<size_t>(n, 0));
  for (size_t i = 0; i < count; ++i) {
    ++e.confusion[IndexOf(e.labels, gold[i])][IndexOf(e.labels, predicted[i])];
  }
  e.count = count;
  size_t correct = 0;
  size_t classes_with_support = 0;
  double f1_sum = 0;
  for (size_t k = 0; k < n; ++k) {
    ClassScores& scores = e.classes.emplace_back();
    scores.label = e.labels[k];
    for (size_t j = 0; j < n; ++j) {
      scores.support += e.confusion[k][j];
      scores.predicted += e.confusion[j][k];
    }
    const size_t true_positives = e.confusion[k][k];
    correct += true_positives;
    scores.precision = Ratio(true_positives, scores.predicted);
    scores.recall = Ratio(true_positives, scores.support);
    const double sum = scores.precision + scores.recall;
    scores.f1 = sum == 0 ? 0.0 : 2 * scores.precision * scores.recall / sum;
    if (scores.support > 0) {
      ++classes_with_support;
      f1_sum += scores.f1;
    }
  }
  e.accuracy = Ratio(correct, count);
  e.macro_f1 = classes_with_support == 0 ? 0.0 : f1_sum / static_cast<double>(classes_with_support);
  return e;
}

void AppendEvaluationText(std::string_view system, const Evaluation& e, std::string& out) {
  out.append(system);
  out += ": accuracy " + FormatFixed(e.accuracy, 3) + ", macro-F1 " + FormatFixed(e.macro_f1, 3) +
         " (" + std::to_string(e.count) + (e.count == 1 ? " example)\n" : " examples)\n");

  constexpr std::string_view kLabel = "label";
  constexpr std::string_view kPrecision = "precision";
  constexpr std::string_view kRecall = "recall";
  constexpr std::string_view kF1 = "F1";
  constexpr std::string_view kSupport = "support";
  constexpr size_t kScoreWidth = 5;  // "0.812"
  size_t label_width = kLabel.size();
  size_t support_width = kSupport.size();
  for (const ClassScores& scores : e.classes) {
    label_width = std::max(label_width, Width(scores.label));
    support_width = std::max(support_width, std::to_string(scores.support).size());
  }
  const size_t recall_width = std::max(kRecall.size(), kScoreWidth);
  AppendPadded(kLabel, label_width, false, out);
  out += "  ";
  AppendPadded(kPrecision, kPrecision.size(), true, out);
  out += "  ";
  AppendPadded(kRecall, recall_width, true, out);
  out += "  ";
  AppendPadded(kF1, kScoreWidth, true, out);
  out += "  ";
  AppendPadded(kSupport, support_width, true, out);
  out += '\n';
  for (const ClassScores& scores : e.classes) {
    AppendPadded(scores.label, label_width, false, out);
    out += "  ";
    AppendPadded(FormatFixed(scores.precision, 3), kPrecision.size(), true, out);
    out += "  ";
    AppendPadded(FormatFixed(scores.recall, 3), recall_width, true, out);
    out += "  ";
    AppendPadded(FormatFixed(scores.f1, 3), kScoreWidth, true, out);
    out += "  ";
    AppendPadded(std::to_string(scores.support), support_width, true, out);
    out += '\n';
  }

  out += '\n';
  constexpr std::string_view kCorner = "gold \\ predicted";
  size_t row_header_width = kCorner.size();
  for (const std::string& label : e.labels)
    row_header_width = std::max(row_header_width, Width(label));
  std::vector<size_t> column_widths;
  for (size_t j = 0; j < e.labels.size(); ++j) {
    size_t width = Width(e.labels[j]);
    for (const std::vector<size_t>& row : e.confusion) {
      width = std::max(width, std::to_string(row[j]).size());
    }
    column_widths.push_back(width);
  }
  AppendPadded(kCorner, row_header_width, false, out);
  for (size_t j = 0; j < e.labels.size(); ++j) {
    out += "  ";
    AppendPadded(e.labels[j], column_widths[j], true, out);
  }
  out += '\n';
  for (size_t i = 0; i < e.labels.size(); ++i) {
    AppendPadded(e.labels[i], row_header_width, false, out);
    for (size_t j = 0; j < e.labels.size(); ++j) {
      out += "  ";
      AppendPadded(std::to_string(e.confusion[i][j]), column_widths[j], true, out);
    }
    out += '\n';
  }
}

void AppendEvaluationJson(std::string_view system, const Evaluation& e, std::string& out) {
  out += "{\"system\":";
  AppendJsonString(system, out);
  out += ",\"count\":" + std::to_string(e.count);
  out += ",\"accuracy\":" + FormatJsonNumber(e.accuracy);
  out += ",\"macro_f1\":" + FormatJsonNumber(e.macro_f1);
  out += ",\"classes\":[";
  for (size_t k = 0; k < e.classes.size(); ++k) {
    const ClassScores& scores = e.classes[k];
    if (k > 0) out += ',';
    out += "{\"label\":";
    AppendJsonString(scores.label, out);
    out += ",\"precision\":" + FormatJsonNumber(scores.precision);
    out += ",\"recall\":" + FormatJsonNumber(scores.recall);
    out += ",\"f1\":" + FormatJsonNumber(scores.f1);
    out += ",\"support\":" + std::to_string(scores.support);
    out += ",\"predicted\":" + std::to_string(scores.predicted) + "}";
  }
  out += "],\"labels\":[";
  for (size_t k = 0; k < e.labels.size(); ++k) {
    if (k > 0) out += ',';
    AppendJsonString(e.labels[k], out);
  }
  out += "],\"confusion\":[";
  for (size_t i = 0; i < e.confusion.size(); ++i) {
    if (i > 0) out += ',';
    out += '[';
    for (size_t j = 0; j < e.confusion[i].size(); ++j) {
      if (j > 0) out += ',';
      out += std::to_string(e.confusion[i][j]);
    }
    out += ']';
  }
  out += "]}";
}

}  // namespace ecoute
