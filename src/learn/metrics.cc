#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstddef>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "ecoute/evaluation.h"

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

void AppendSummary(const Evaluation& e, std::string& out) {
  out += ": accuracy " + FormatFixed(e.accuracy, 3) + ", macro-F1 " + FormatFixed(e.macro_f1, 3) +
         " (" + std::to_string(e.count) + (e.count == 1 ? " example)\n" : " examples)\n");
}

// The table of the classes `rows` (indices into e.classes).
void AppendClassTable(const Evaluation& e, const std::vector<size_t>& rows, std::string& out) {
  constexpr std::string_view kLabel = "label";
  constexpr std::string_view kPrecision = "precision";
  constexpr std::string_view kRecall = "recall";
  constexpr std::string_view kF1 = "F1";
  constexpr std::string_view kSupport = "support";
  constexpr size_t kScoreWidth = 5;  // "0.812"
  size_t label_width = kLabel.size();
  size_t support_width = kSupport.size();
  for (const size_t k : rows) {
    label_width = std::max(label_width, Width(e.classes[k].label));
    support_width = std::max(support_width, std::to_string(e.classes[k].support).size());
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
  for (const size_t k : rows) {
    const ClassScores& scores = e.classes[k];
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
}

// The confusion matrix with the gold rows `rows` and every predicted column.
void AppendConfusionMatrix(const Evaluation& e, const std::vector<size_t>& rows, std::string& out) {
  constexpr std::string_view kCorner = "gold \\ predicted";
  size_t row_header_width = kCorner.size();
  for (const size_t i : rows) row_header_width = std::max(row_header_width, Width(e.labels[i]));
  std::vector<size_t> column_widths;
  for (size_t j = 0; j < e.labels.size(); ++j) {
    size_t width = Width(e.labels[j]);
    for (const size_t i : rows) width = std::max(width, std::to_string(e.confusion[i][j]).size());
    column_widths.push_back(width);
  }
  AppendPadded(kCorner, row_header_width, false, out);
  for (size_t j = 0; j < e.labels.size(); ++j) {
    out += "  ";
    AppendPadded(e.labels[j], column_widths[j], true, out);
  }
  out += '\n';
  for (const size_t i : rows) {
    AppendPadded(e.labels[i], row_header_width, false, out);
    for (size_t j = 0; j < e.labels.size(); ++j) {
      out += "  ";
      AppendPadded(std::to_string(e.confusion[i][j]), column_widths[j], true, out);
    }
    out += '\n';
  }
}

// "count":N,...,"confusion":[[...]]: the fields of AppendEvaluationJson after "system".
void AppendEvaluationFields(const Evaluation& e, std::string& out) {
  out += "\"count\":" + std::to_string(e.count);
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
  out += ']';
}

// ---------------------------------------------------------------------------------------
// (post, brand) pairs

constexpr size_t kMaxListed = 20;
constexpr size_t kMaxTextChars = 160;

// Brand names and notes compare without regard to ASCII case ("SNCF", "Sncf").
std::string AsciiLower(std::string_view s) {
  std::string lower(s);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

std::vector<std::string> PairLabels() {
  std::vector<std::string> labels(std::begin(kPairStances), std::end(kPairStances));
  labels.emplace_back(kMissed);
  return labels;
}

// Older figures had three classes: the model's own (complaint, neutral, praise).
std::string ThreeWay(const std::string& label) {
  if (label == "resolution") return "praise";
  if (label == "question") return "neutral";
  return label;
}

PairGroupScores ScoreGroup(std::string name, const std::vector<const PairOutcome*>& pairs) {
  std::vector<std::string> gold, predicted, gold3, predicted3;
  PairGroupScores scores;
  scores.name = std::move(name);
  for (const PairOutcome* pair : pairs) {
    gold.push_back(pair->gold);
    predicted.push_back(pair->predicted);
    gold3.push_back(ThreeWay(pair->gold));
    predicted3.push_back(ThreeWay(pair->predicted));
    if (pair->predicted == kMissed) ++scores.missed;
  }
  scores.stance = Evaluate(gold, predicted, PairLabels());
  scores.three_way =
      Evaluate(gold3, predicted3, {"complaint", "praise", "neutral", std::string(kMissed)});
  return scores;
}

// One score per value of `key` (a language, a source), sorted by value.
std::vector<PairGroupScores> ScoreGroups(const std::vector<PairOutcome>& pairs,
                                         std::string PairOutcome::*key) {
  std::map<std::string, std::vector<const PairOutcome*>> groups;
  for (const PairOutcome& pair : pairs) groups[pair.*key].push_back(&pair);
  std::vector<PairGroupScores> scores;
  scores.reserve(groups.size());
  for (const auto& [name, members] : groups) scores.push_back(ScoreGroup(name, members));
  return scores;
}

void Finish(BrandScores& scores) {
  scores.precision = Ratio(scores.matched, scores.predicted);
  scores.recall = Ratio(scores.matched, scores.gold);
  const double sum = scores.precision + scores.recall;
  scores.f1 = sum == 0 ? 0.0 : 2 * scores.precision * scores.recall / sum;
}

// Each name once, by its lower-case key, keeping the first spelling.
std::map<std::string, std::string> ByKey(const std::vector<std::string>& names) {
  std::map<std::string, std::string> by_key;
  for (const std::string& name : names) by_key.emplace(AsciiLower(name), name);
  return by_key;
}

// Counts a brand found or labeled in one post but not the other.
void CountMiss(const std::string& key, const std::string& name, const std::string& id,
               std::map<std::string, BrandMiss>& misses) {
  BrandMiss& miss = misses[key];
  if (miss.count++ == 0) {
    miss.brand = name;
    miss.example_id = id;
  }
}

std::vector<BrandMiss> MostFrequent(const std::map<std::string, BrandMiss>& misses) {
  std::vector<BrandMiss> sorted;
  sorted.reserve(misses.size());
  for (const auto& [key, miss] : misses) sorted.push_back(miss);
  std::stable_sort(sorted.begin(), sorted.end(), [](const BrandMiss& a, const BrandMiss& b) {
    return a.count > b.count;  // ties stay in key order
  });
  if (sorted.size() > kMaxListed) sorted.resize(kMaxListed);
  return sorted;
}

// Adds one post's brands to `scores` and to its source's; `addressee` is the lower-case key
// to leave out, or empty.
void AddBrands(const std::map<std::string, std::string>& gold,
               const std::map<std::string, std::string>& predicted, const std::string& source,
               const std::string& addressee, BrandScores& scores,
               std::map<std::string, BrandScores>& by_source) {
  BrandScores& of_source = by_source[source];
  of_source.name = source;
  for (BrandScores* s : {&scores, &of_source}) {
    for (const auto& [key, name] : gold) s->gold += key != addressee ? 1 : 0;
    for (const auto& [key, name] : predicted) {
      s->predicted += key != addressee ? 1 : 0;
      s->matched += key != addressee && gold.contains(key) ? 1 : 0;
    }
  }
}

std::vector<BrandScores> Finished(std::map<std::string, BrandScores>& by_source) {
  std::vector<BrandScores> scores;
  for (auto& [name, s] : by_source) {
    Finish(s);
    scores.push_back(s);
  }
  return scores;
}

void ScoreBrands(const std::vector<PostBrands>& posts, PairEvaluation& e) {
  e.brands.name = "all";
  e.other_brands.name = "all";
  std::map<std::string, BrandScores> by_source, other_by_source;
  std::map<std::string, BrandMiss> false_positives, false_negatives;
  for (const PostBrands& post : posts) {
    const std::map<std::string, std::string> gold = ByKey(post.gold);
    const std::map<std::string, std::string> predicted = ByKey(post.predicted);
    AddBrands(gold, predicted, post.source, "", e.brands, by_source);
    // An empty addressee leaves nothing out: no brand has an empty name.
    AddBrands(gold, predicted, post.source, AsciiLower(post.addressee), e.other_brands,
              other_by_source);
    for (const auto& [key, name] : predicted) {
      if (!gold.contains(key)) CountMiss(key, name, post.id, false_positives);
    }
    for (const auto& [key, name] : gold) {
      if (!predicted.contains(key)) CountMiss(key, name, post.id, false_negatives);
    }
  }
  Finish(e.brands);
  Finish(e.other_brands);
  e.brands_by_source = Finished(by_source);
  e.other_brands_by_source = Finished(other_by_source);
  e.false_positives = MostFrequent(false_positives);
  e.false_negatives = MostFrequent(false_negatives);
}

// Whether `note` (lower case) names `word` as a word: not inside a longer one.
bool NamesWord(std::string_view note, std::string_view word) {
  auto is_word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c & 0x80) != 0;
  };
  for (size_t at = note.find(word); at != std::string_view::npos; at = note.find(word, at + 1)) {
    const size_t end = at + word.size();
    if ((at == 0 || !is_word_char(note[at - 1])) &&
        (end == note.size() || !is_word_char(note[end]))) {
      return true;
    }
  }
  return false;
}

std::vector<NoteScores> ScoreNotes(const std::vector<PairOutcome>& pairs) {
  std::vector<NoteScores> notes;
  for (std::string_view note : kHardCaseNotes) notes.push_back({std::string(note)});
  notes.push_back({"other"});
  notes.push_back({"none"});
  NoteScores& other = notes[notes.size() - 2];
  NoteScores& none = notes.back();
  for (const PairOutcome& pair : pairs) {
    const bool is_right = pair.predicted == pair.gold;
    const std::string note = AsciiLower(pair.note);
    std::vector<NoteScores*> counted;
    if (note.find_first_not_of(" \t") == std::string::npos) {
      counted.push_back(&none);
    } else {
      for (size_t k = 0; k < std::size(kHardCaseNotes); ++k) {
        if (NamesWord(note, kHardCaseNotes[k])) counted.push_back(&notes[k]);
      }
      if (counted.empty()) counted.push_back(&other);
    }
    for (NoteScores* scores : counted) {
      ++scores->count;
      if (is_right) ++scores->correct;
    }
  }
  std::erase_if(notes, [](const NoteScores& n) { return n.count == 0; });
  for (NoteScores& n : notes) n.accuracy = Ratio(n.correct, n.count);
  return notes;
}

std::vector<PairOutcome> MostConfidentErrors(const std::vector<PairOutcome>& pairs) {
  std::vector<PairOutcome> errors;
  for (const PairOutcome& pair : pairs) {
    if (pair.predicted != pair.gold) errors.push_back(pair);
  }
  std::sort(errors.begin(), errors.end(), [](const PairOutcome& a, const PairOutcome& b) {
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    if (a.id != b.id) return a.id < b.id;
    return a.brand < b.brand;
  });
  if (errors.size() > kMaxListed) errors.resize(kMaxListed);
  return errors;
}

// The text on one line, cut to kMaxTextChars characters with "…" when longer.
std::string ShortText(std::string_view text) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c & 0xC0) != 0x80 && chars++ == kMaxTextChars) {
      out += "\xE2\x80\xA6";
      break;
    }
    out += c == '\n' || c == '\r' || c == '\t' ? ' ' : c;
  }
  return out;
}

std::string Quoted(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) {
    if (!out.empty()) out += ", ";
    out += '"' + word + '"';
  }
  return out;
}

// The rows of a pair report's tables: the five stances, without kMissed's empty row.
std::vector<size_t> GoldRows(const Evaluation& e) {
  std::vector<size_t> rows;
  for (size_t k = 0; k < e.labels.size(); ++k) {
    if (e.labels[k] != kMissed) rows.push_back(k);
  }
  return rows;
}

std::string GroupSummary(const PairGroupScores& g) {
  return "accuracy " + FormatFixed(g.stance.accuracy, 3) + ", macro-F1 " +
         FormatFixed(g.stance.macro_f1, 3) + ", 3-way accuracy " +
         FormatFixed(g.three_way.accuracy, 3) + " (" + std::to_string(g.stance.count) +
         (g.stance.count == 1 ? " pair, " : " pairs, ") + std::to_string(g.missed) + " missed)\n";
}

void AppendGroupText(const PairGroupScores& g, std::string& out) {
  out += g.name + ": " + GroupSummary(g);
  const std::vector<size_t> rows = GoldRows(g.stance);
  AppendClassTable(g.stance, rows, out);
  out += '\n';
  AppendConfusionMatrix(g.stance, rows, out);
}

// A table of plain cells: the first column left-aligned, the others right-aligned, except
// the last when `is_last_text` (example ids: left-aligned, not padded).
void AppendTable(const std::vector<std::vector<std::string>>& table, std::string_view indent,
                 bool is_last_text, std::string& out) {
  std::vector<size_t> widths;
  for (const std::vector<std::string>& row : table) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t j = 0; j < row.size(); ++j) widths[j] = std::max(widths[j], Width(row[j]));
  }
  for (const std::vector<std::string>& row : table) {
    out.append(indent);
    for (size_t j = 0; j < row.size(); ++j) {
      if (j > 0) out += "  ";
      const bool is_text = j == 0 || (is_last_text && j + 1 == row.size());
      AppendPadded(row[j], is_text && j > 0 ? 0 : widths[j], !is_text, out);
    }
    out += '\n';
  }
}

void AppendGroupsText(std::string_view title, const std::vector<PairGroupScores>& groups,
                      std::string& out) {
  std::vector<std::vector<std::string>> table = {
      {std::string(title), "pairs", "accuracy", "macro-F1", "3-way", "missed"}};
  for (const PairGroupScores& g : groups) {
    table.push_back({g.name, std::to_string(g.stance.count), FormatFixed(g.stance.accuracy, 3),
                     FormatFixed(g.stance.macro_f1, 3), FormatFixed(g.three_way.accuracy, 3),
                     std::to_string(g.missed)});
  }
  AppendTable(table, "", false, out);
}

std::string BrandSummary(const BrandScores& b) {
  return "precision " + FormatFixed(b.precision, 3) + ", recall " + FormatFixed(b.recall, 3) +
         ", F1 " + FormatFixed(b.f1, 3) + " (" + std::to_string(b.matched) + " of " +
         std::to_string(b.predicted) + " found were labeled, of " + std::to_string(b.gold) +
         " labeled)";
}

void AppendBrandTable(const std::vector<BrandScores>& by_source, std::string& out) {
  std::vector<std::vector<std::string>> table = {
      {"source", "labeled", "found", "both", "precision", "recall", "F1"}};
  for (const BrandScores& b : by_source) {
    table.push_back({b.name, std::to_string(b.gold), std::to_string(b.predicted),
                     std::to_string(b.matched), FormatFixed(b.precision, 3),
                     FormatFixed(b.recall, 3), FormatFixed(b.f1, 3)});
  }
  AppendTable(table, "  ", false, out);
}

void AppendBrandMissesText(std::string_view title, const std::vector<BrandMiss>& misses,
                           std::string& out) {
  out += std::string(title) + (misses.empty() ? ": none\n" : "\n");
  if (misses.empty()) return;
  std::vector<std::vector<std::string>> table = {{"brand", "pairs", "example"}};
  for (const BrandMiss& miss : misses) {
    table.push_back({miss.brand, std::to_string(miss.count), miss.example_id});
  }
  AppendTable(table, "  ", true, out);
}

void AppendGroupJson(const PairGroupScores& g, std::string& out) {
  out += "{\"name\":";
  AppendJsonString(g.name, out);
  out += ",\"missed\":" + std::to_string(g.missed) + ',';
  AppendEvaluationFields(g.stance, out);
  out += ",\"three_way\":{";
  AppendEvaluationFields(g.three_way, out);
  out += "}}";
}

void AppendBrandScoresJson(const BrandScores& b, std::string& out) {
  out += "{\"name\":";
  AppendJsonString(b.name, out);
  out += ",\"gold\":" + std::to_string(b.gold);
  out += ",\"predicted\":" + std::to_string(b.predicted);
  out += ",\"matched\":" + std::to_string(b.matched);
  out += ",\"precision\":" + FormatJsonNumber(b.precision);
  out += ",\"recall\":" + FormatJsonNumber(b.recall);
  out += ",\"f1\":" + FormatJsonNumber(b.f1) + '}';
}

void AppendBrandMissesJson(const std::vector<BrandMiss>& misses, std::string& out) {
  out += '[';
  for (size_t k = 0; k < misses.size(); ++k) {
    if (k > 0) out += ',';
    out += "{\"brand\":";
    AppendJsonString(misses[k].brand, out);
    out += ",\"count\":" + std::to_string(misses[k].count) + ",\"example\":";
    AppendJsonString(misses[k].example_id, out);
    out += '}';
  }
  out += ']';
}

template <typename T, typename AppendOne>
void AppendJsonArray(const std::vector<T>& items, AppendOne append_one, std::string& out) {
  out += '[';
  for (size_t k = 0; k < items.size(); ++k) {
    if (k > 0) out += ',';
    append_one(items[k], out);
  }
  out += ']';
}

void AppendStringField(std::string_view key, std::string_view value, std::string& out) {
  out += ",\"";
  out.append(key);
  out += "\":";
  AppendJsonString(value, out);
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
  AppendSummary(e, out);
  std::vector<size_t> rows(e.labels.size());
  for (size_t k = 0; k < rows.size(); ++k) rows[k] = k;
  AppendClassTable(e, rows, out);
  out += '\n';
  AppendConfusionMatrix(e, rows, out);
}

void AppendEvaluationJson(std::string_view system, const Evaluation& e, std::string& out) {
  out += "{\"system\":";
  AppendJsonString(system, out);
  out += ',';
  AppendEvaluationFields(e, out);
  out += '}';
}

bool SameBrand(std::string_view a, std::string_view b) {
  return a.size() == b.size() && AsciiLower(a) == AsciiLower(b);
}

PairEvaluation EvaluatePairs(const std::vector<PairOutcome>& pairs,
                             const std::vector<PostBrands>& posts) {
  PairEvaluation e;
  std::vector<const PairOutcome*> all;
  all.reserve(pairs.size());
  for (const PairOutcome& pair : pairs) all.push_back(&pair);
  e.overall = ScoreGroup("all", all);
  e.by_lang = ScoreGroups(pairs, &PairOutcome::lang);
  e.by_source = ScoreGroups(pairs, &PairOutcome::source);
  ScoreBrands(posts, e);
  e.confident_errors = MostConfidentErrors(pairs);
  e.by_note = ScoreNotes(pairs);
  e.post_count = posts.size();
  return e;
}

void AppendPairEvaluationText(const PairEvaluation& e, std::string& out) {
  AppendGroupText(e.overall, out);
  out += "\n";
  AppendGroupsText("language", e.by_lang, out);
  out += "\n";
  AppendGroupsText("source", e.by_source, out);
  for (const std::vector<PairGroupScores>* groups : {&e.by_lang, &e.by_source}) {
    for (const PairGroupScores& g : *groups) {
      out += '\n';
      AppendGroupText(g, out);
    }
  }

  out += "\nbrands in " + std::to_string(e.post_count) +
         (e.post_count == 1 ? " post: " : " posts: ") + BrandSummary(e.brands) + '\n';
  AppendBrandTable(e.brands_by_source, out);
  out += "brands other than the addressee: " + BrandSummary(e.other_brands) + '\n';
  AppendBrandTable(e.other_brands_by_source, out);
  out += '\n';
  AppendBrandMissesText("false positives (found, not labeled)", e.false_positives, out);
  AppendBrandMissesText("false negatives (labeled, not found)", e.false_negatives, out);

  out += "\nmost confident errors" + std::string(e.confident_errors.empty() ? ": none\n" : "\n");
  for (size_t k = 0; k < e.confident_errors.size(); ++k) {
    const PairOutcome& p = e.confident_errors[k];
    out += std::to_string(k + 1) + ". " + p.id + " (" + p.source + ") " + p.brand + ": gold " +
           p.gold + ", predicted " + p.predicted + ", confidence " + FormatFixed(p.confidence, 2);
    if (!p.cues.empty()) out += ", cues " + Quoted(p.cues);
    if (!p.note.empty()) out += ", note " + p.note;
    out += "\n   " + ShortText(p.text) + '\n';
  }

  out += "\nby note" + std::string(e.by_note.empty() ? ": none\n" : "\n");
  if (e.by_note.empty()) return;
  std::vector<std::vector<std::string>> table = {{"note", "pairs", "right", "accuracy"}};
  for (const NoteScores& n : e.by_note) {
    table.push_back(
        {n.note, std::to_string(n.count), std::to_string(n.correct), FormatFixed(n.accuracy, 3)});
  }
  AppendTable(table, "  ", false, out);
}

void AppendPairEvaluationJson(const PairEvaluation& e, std::string& out) {
  out += "{\"pairs\":" + std::to_string(e.overall.stance.count);
  out += ",\"posts\":" + std::to_string(e.post_count);
  out += ",\"overall\":";
  AppendGroupJson(e.overall, out);
  out += ",\"by_lang\":";
  AppendJsonArray(e.by_lang, AppendGroupJson, out);
  out += ",\"by_source\":";
  AppendJsonArray(e.by_source, AppendGroupJson, out);
  out += ",\"brands\":";
  AppendBrandScoresJson(e.brands, out);
  out += ",\"brands_by_source\":";
  AppendJsonArray(e.brands_by_source, AppendBrandScoresJson, out);
  out += ",\"other_brands\":";
  AppendBrandScoresJson(e.other_brands, out);
  out += ",\"other_brands_by_source\":";
  AppendJsonArray(e.other_brands_by_source, AppendBrandScoresJson, out);
  out += ",\"false_positives\":";
  AppendBrandMissesJson(e.false_positives, out);
  out += ",\"false_negatives\":";
  AppendBrandMissesJson(e.false_negatives, out);
  out += ",\"confident_errors\":";
  AppendJsonArray(
      e.confident_errors,
      [](const PairOutcome& p, std::string& o) {
        o += "{\"id\":";
        AppendJsonString(p.id, o);
        AppendStringField("source", p.source, o);
        AppendStringField("lang", p.lang, o);
        AppendStringField("brand", p.brand, o);
        AppendStringField("gold", p.gold, o);
        AppendStringField("predicted", p.predicted, o);
        o += ",\"confidence\":" + FormatJsonNumber(p.confidence) + ",\"cues\":[";
        for (size_t k = 0; k < p.cues.size(); ++k) {
          if (k > 0) o += ',';
          AppendJsonString(p.cues[k], o);
        }
        o += ']';
        AppendStringField("note", p.note, o);
        AppendStringField("text", ShortText(p.text), o);
        o += '}';
      },
      out);
  out += ",\"by_note\":";
  AppendJsonArray(
      e.by_note,
      [](const NoteScores& n, std::string& o) {
        o += "{\"note\":";
        AppendJsonString(n.note, o);
        o += ",\"count\":" + std::to_string(n.count) + ",\"correct\":" + std::to_string(n.correct) +
             ",\"accuracy\":" + FormatJsonNumber(n.accuracy) + '}';
      },
      out);
  out += '}';
}

}  // namespace ecoute
