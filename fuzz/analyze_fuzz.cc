// Any bytes as a post's text, through the whole analysis with the shipped lexicons and a
// small catalog: no crash, no out-of-bounds read, no hang.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ecoute/analysis.h"

#include "util/utf8.h"

namespace {

const ecoute::Analyzer& SharedAnalyzer() {
  static const std::unique_ptr<ecoute::Analyzer> kAnalyzer = [] {
    auto catalog = ecoute::ParseCatalog(R"(
[[brand]]
name = "Bouygues Telecom"
aliases = ["Bouygues", "BT"]
handles = ["@bouyguestelecom"]
domains = ["bouyguestelecom.fr"]
[[brand]]
name = "Orange"
not = ["Orange mécanique"]
)",
                                        "fuzz.toml");
    auto created = ecoute::Analyzer::Create(*catalog, ecoute::DefaultDataDir());
    if (!created) std::abort();
    return std::move(created).value();
  }();
  return *kAnalyzer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ecoute::Analyzer::Scratch scratch;
  static ecoute::Analysis analysis;
  ecoute::Post post;
  post.id = "fuzz";
  post.text.assign(reinterpret_cast<const char*>(data), size);
  size_t first_bad = 0;
  ecoute::RepairUtf8(post.text, first_bad);
  SharedAnalyzer().Analyze(post, scratch, analysis);
  std::string out;
  ecoute::AppendAnalysisJson(analysis, out);
  return 0;
}
