// Golden analyses: whole posts written for these tests, with the verdicts a careful human
// reader expects, checked against the shipped lexicons and the sample catalog.
//
// Each tests/golden/*.post file holds optional "key: value" headers (input: text|html|jsonl),
// a line "====", the post, a line "----", and the expected summary (see Summarize). A
// mismatch prints both; ECOUTE_UPDATE_GOLDEN=1 rewrites the files for review with git diff.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "ecoute/analysis.h"
#include "ecoute/sources.h"

namespace ecoute {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// One line per verdict, in a stable order: what the golden files pin down.
std::string Summarize(const Analysis& a) {
  std::string out;
  out += "lang " + std::string(a.lang) + "\n";
  out += "stance " + std::string(StanceName(a.stance)) + "\n";
  for (const BrandVerdict& b : a.brands) {
    out += "brand " + std::string(b.name) + ": " + std::string(StanceName(b.stance)) + "\n";
  }
  for (const TopicVerdict& t : a.topics) out += "topic " + std::string(TopicName(t.topic)) + "\n";
  for (const Money& m : a.facts.money) {
    char amount[64];
    std::snprintf(amount, sizeof amount, "%.2f", m.amount);
    out += "money " + std::string(amount) + " " + std::string(m.currency) + " \"" +
           std::string(m.text) + "\"\n";
  }
  for (const Duration& d : a.facts.durations) {
    out += "duration " + std::to_string(d.seconds) + " \"" + std::string(d.text) + "\"\n";
  }
  for (const Channel c : a.facts.channels) out += "channel " + std::string(ChannelName(c)) + "\n";
  for (const auto& s : a.facts.signals) out += "signal " + std::string(SignalName(s.first)) + "\n";
  return out;
}

class GoldenTest : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(GoldenTest, AnalysisMatchesTheExpectedVerdicts) {
  static const std::unique_ptr<Analyzer> kAnalyzer = [] {
    auto catalog = LoadCatalog(std::string(ECOUTE_TEST_DATA_DIR) + "/sample/brands.toml");
    EXPECT_TRUE(catalog.has_value()) << catalog.error().ToString();
    auto created = Analyzer::Create(*catalog, ECOUTE_TEST_DATA_DIR);
    EXPECT_TRUE(created.has_value()) << created.error().ToString();
    return std::move(created).value();
  }();
  const std::string content = ReadFile(GetParam());
  const size_t post_begin = content.find("====\n");
  const size_t expect_begin = content.rfind("\n----\n");
  ASSERT_NE(post_begin, std::string::npos) << "no ==== line";
  ASSERT_NE(expect_begin, std::string::npos) << "no ---- line";
  const std::string headers = content.substr(0, post_begin);
  const std::string body = content.substr(post_begin + 5, expect_begin - post_begin - 5);
  const std::string want = content.substr(expect_begin + 6);
  InputFormat format = InputFormat::kText;
  if (const size_t at = headers.find("input: "); at != std::string::npos) {
    ASSERT_TRUE(ParseInputFormat(headers.substr(at + 7, headers.find('\n', at) - at - 7), format));
  }
  std::string got;
  std::vector<Problem> problems;
  Analyzer::Scratch scratch;
  Analysis analysis;
  ReadPosts(
      body, GetParam().filename().string(), format,
      [&](const Post& post) {
        kAnalyzer->Analyze(post, scratch, analysis);
        if (!got.empty()) got += "--\n";
        got += Summarize(analysis);
      },
      problems);
  EXPECT_TRUE(problems.empty()) << problems.front().message;
  if (got != want && std::getenv("ECOUTE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(GetParam(), std::ios::binary) << content.substr(0, expect_begin + 6) << got;
    return;
  }
  EXPECT_EQ(got, want) << "in " << GetParam().string();
}

std::vector<std::filesystem::path> GoldenFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(ECOUTE_GOLDEN_DIR)) {
    if (entry.path().extension() == ".post") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(Posts, GoldenTest, ::testing::ValuesIn(GoldenFiles()),
                         [](const auto& info) {
                           std::string name = info.param.stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace ecoute
