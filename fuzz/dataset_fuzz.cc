// Any bytes into the dataset readers (every format, with and without a label map and a
// filter) and the metrics over what they read: no crash, leak or hang, and every example
// holds valid UTF-8, a non-blank text and a label.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/dataset.h"
#include "ecoute/evaluation.h"

#include "util/utf8.h"

namespace {

constexpr std::ptrdiff_t kMaxClasses = 200;

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

void Check(const ecoute::Dataset& dataset, size_t size) {
  for (const ecoute::Example& example : dataset.examples) {
    if (IsBlank(example.text) || example.label.empty() || example.where.empty()) std::abort();
    if (!ecoute::IsValidUtf8(example.text) || !ecoute::IsValidUtf8(example.label)) std::abort();
  }
  // One example or problem per row at most, rows need bytes, and problems are capped.
  if (dataset.examples.size() > size + 1 || dataset.problems.size() > 1005) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  constexpr ecoute::DatasetFormat kFormats[] = {
      ecoute::DatasetFormat::kCsv,       ecoute::DatasetFormat::kJsonLines,
      ecoute::DatasetFormat::kJsonArray, ecoute::DatasetFormat::kFastText,
      ecoute::DatasetFormat::kLines,     ecoute::DatasetFormat::kAuto,
  };
  for (const ecoute::DatasetFormat format : kFormats) {
    for (int variant = 0; variant < 2; ++variant) {
      ecoute::DatasetOptions options;
      options.format = format;
      options.labels_path = format == ecoute::DatasetFormat::kLines ? "fuzz.labels" : "";
      if (variant == 1) {
        options.label_map = {{"0", "complaint"}, {"neg", "complaint"}, {"pos", "praise"}};
        if (format != ecoute::DatasetFormat::kFastText && format != ecoute::DatasetFormat::kLines) {
          options.filter_column = "label";
          options.filter_values = {"pos"};
          options.exclude_filter = true;
        }
      }
      ecoute::Dataset dataset;
      // The same bytes serve as the labels file of kLines, so that the counts match and
      // every row goes through the checks.
      const ecoute::Status status =
          ecoute::ParseDataset(bytes, format == ecoute::DatasetFormat::kAuto ? "fuzz.json" : "fuzz",
                               options, bytes, dataset);
      if (!status.ok() && status.message().empty()) std::abort();
      Check(dataset, size);
      if (!status.ok() || dataset.examples.empty()) continue;
      std::vector<std::string> gold;
      std::vector<std::string> predicted;
      for (const ecoute::Example& example : dataset.examples) {
        gold.push_back(example.label);
        predicted.push_back(dataset.examples.front().label);
      }
      // The confusion matrix is quadratic in the number of classes: a text column read as
      // labels would measure the allocator, not our code.
      std::vector<std::string> classes = gold;
      std::sort(classes.begin(), classes.end());
      if (std::unique(classes.begin(), classes.end()) - classes.begin() > kMaxClasses) continue;
      const ecoute::Evaluation evaluation = ecoute::Evaluate(gold, predicted, {"complaint"});
      if (evaluation.count != gold.size() || evaluation.accuracy < 0 || evaluation.accuracy > 1) {
        std::abort();
      }
      std::string out;
      ecoute::AppendEvaluationText("fuzz", evaluation, out);
      ecoute::AppendEvaluationJson("fuzz", evaluation, out);
    }
  }
  const auto map = ecoute::ParseLabelMap(bytes);
  if (map.has_value()) {
    for (const auto& [source, target] : *map) {
      if (source.empty() || target.empty()) std::abort();
    }
  }
  return 0;
}
