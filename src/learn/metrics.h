// Scoring: compares predicted labels with gold ones (accuracy, per-class precision, recall
// and F1, macro-F1, the confusion matrix) and writes the result as text for people and as
// JSON for scripts, so that `ecoute eval` reports every system the same way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ecoute {

struct ClassScores {
  std::string label;
  double precision = 0;  // 0 when the class is never predicted
  double recall = 0;     // 0 when the class has no gold example
  double f1 = 0;         // 0 when precision and recall are both 0
  size_t support = 0;    // gold examples of the class
  size_t predicted = 0;  // examples predicted as the class
};

struct Evaluation {
  // The classes: the labels given to Evaluate, in their order (duplicates dropped), then
  // the labels found in gold or predicted but not given, sorted.
  std::vector<std::string> labels;
  std::vector<std::vector<size_t>> confusion;  // [gold][predicted], indexed like `labels`
  std::vector<ClassScores> classes;            // one per label, same order
  size_t count = 0;
  double accuracy = 0;  // 0 when there is no example
  double macro_f1 = 0;  // mean F1 over the classes with support > 0 (0 if none)
};

// Scores `predicted` against `gold`, which must have the same size (the extra items of the
// longer one are ignored). A predicted label outside `labels` and gold gets its own class,
// with support 0, so that the confusion matrix accounts for every example; it counts
// against accuracy and recall but not in the macro-F1. Time and memory grow with the square
// of the number of classes: callers should refuse data with thousands of distinct labels
// (a text column taken for the label column), which no real task has.
Evaluation Evaluate(const std::vector<std::string>& gold, const std::vector<std::string>& predicted,
                    const std::vector<std::string>& labels);

// Appends a block for people: a line "rules: accuracy 0.812, macro-F1 0.771 (2726
// examples)", a table of the classes (label, precision, recall, F1, support) and the
// confusion matrix (rows: gold, columns: predicted), columns aligned, 3 decimals, every
// line ending in '\n' and a blank line between the table and the matrix.
void AppendEvaluationText(std::string_view system, const Evaluation& e, std::string& out);

// Appends one JSON object on one line, without a line break:
// {"system":...,"count":N,"accuracy":x,"macro_f1":x,"classes":[{"label":...,"precision":x,
// "recall":x,"f1":x,"support":N,"predicted":N},...],"labels":[...],"confusion":[[...],...]}.
// Scores are rounded to 4 decimals with trailing zeros dropped (0.5, 1, 0.6667); strings
// are escaped as JSON requires and otherwise written as they are (UTF-8 expected).
void AppendEvaluationJson(std::string_view system, const Evaluation& e, std::string& out);

}  // namespace ecoute
