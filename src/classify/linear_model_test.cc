#include "classify/linear_model.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace ecoute {
namespace {

// A small, separable corpus written for this test: three stances, ten posts each.
const std::vector<std::string> kLabels = {"complaint", "neutral", "praise"};

std::vector<TrainingExample> Corpus() {
  const char* complaint[] = {"my bag is lost again awful",
                             "broken seat awful service",
                             "still waiting, awful",
                             "they lost my luggage",
                             "flight cancelled, broken promises",
                             "awful delay and rude staff",
                             "lost my bag, no answer",
                             "broken wifi, awful",
                             "the app is broken again",
                             "rude agent, awful day"};
  const char* neutral[] = {"flight schedule for tomorrow", "what time is boarding tomorrow",
                           "schedule change for march",    "boarding at gate 12 tomorrow",
                           "the schedule says 9am",        "tomorrow we fly to denver",
                           "gate 4 schedule posted",       "is the schedule the same tomorrow",
                           "checking the schedule",        "boarding schedule for groups"};
  const char* praise[] = {"great crew, love it",     "love the new seats, great",
                          "great service today",     "love this airline",
                          "great flight, thank you", "the crew was great",
                          "love the snacks",         "great landing, love it",
                          "what a great experience", "love love love"};
  std::vector<TrainingExample> examples;
  for (int label = 0; label < 3; ++label) {
    const char** texts = label == 0 ? complaint : label == 1 ? neutral : praise;
    for (int i = 0; i < 10; ++i) {
      TrainingExample e;
      ExtractFeatures(texts[i], e.features);
      e.label = label;
      examples.push_back(std::move(e));
    }
  }
  return examples;
}

int Argmax(const std::vector<double>& p) {
  return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

TEST(LinearModelTest, FeaturesAreSortedUniqueAndOfUnitLength) {
  std::vector<std::pair<int, float>> f;
  ExtractFeatures("Great great @united! https://t.co/x 42", f);
  // Tokens: great great @user ! <url> <num>; unique unigrams 5 and bigrams 5.
  ASSERT_EQ(f.size(), 10u);
  double norm = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(f[i - 1].first, f[i].first);
    }
    EXPECT_GE(f[i].first, 1);
    EXPECT_LE(f[i].first, 1 << kFeatureBits);
    norm += f[i].second * f[i].second;
  }
  EXPECT_NEAR(norm, 1.0, 1e-5);
  std::vector<std::pair<int, float>> g;
  ExtractFeatures("great GREAT @delta! http://example.org/y 7", g);
  EXPECT_EQ(f, g);  // case, handles, URLs and numbers are generalized
}

TEST(LinearModelTest, LearnsASeparableCorpusAndPredictsUnseenPosts) {
  auto model = LinearModel::Train(kLabels, Corpus(), TrainingOptions{});
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  std::vector<std::pair<int, float>> f;
  std::vector<double> p;
  const std::pair<const char*, int> cases[] = {
      {"awful, my luggage is lost", 0}, {"schedule for tomorrow please", 1}, {"love the crew", 2}};
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    ExtractFeatures(text, f);
    (*model)->Predict(f, p);
    ASSERT_EQ(p.size(), 3u);
    EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-9);
    EXPECT_EQ(Argmax(p), want);
  }
}

TEST(LinearModelTest, TrainingIsDeterministicAndSavingKeepsEveryWeight) {
  auto a = LinearModel::Train(kLabels, Corpus(), TrainingOptions{});
  auto b = LinearModel::Train(kLabels, Corpus(), TrainingOptions{});
  ASSERT_TRUE(a.has_value() && b.has_value());
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / ("model_" + std::to_string(::getpid())))
          .string();
  (*a)->provenance().emplace_back("trained on the test corpus (30 posts)");
  ASSERT_TRUE((*a)->Save(path).ok());
  auto loaded = LinearModel::Load(path);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ((*loaded)->labels(), kLabels);
  EXPECT_EQ((*loaded)->provenance(),
            std::vector<std::string>{"trained on the test corpus (30 posts)"});
  std::vector<std::pair<int, float>> f;
  ExtractFeatures("awful crew schedule", f);
  std::vector<double> pa, pb, pl;
  (*a)->Predict(f, pa);
  (*b)->Predict(f, pb);
  (*loaded)->Predict(f, pl);
  EXPECT_EQ(pa, pb);
  EXPECT_EQ(pa, pl);
  std::filesystem::remove(path);
}

TEST(LinearModelTest, BadModelFilesAreRefusedWithTheReason) {
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / ("bad_" + std::to_string(::getpid())))
          .string();
  std::ofstream(path) << "hello\n";
  auto m = LinearModel::Load(path);
  ASSERT_FALSE(m.has_value());
  EXPECT_NE(m.error().message().find("not an ecoute model"), std::string::npos);
  auto refused = [&](const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    auto model = LinearModel::Load(path);
    return model.has_value() ? std::string("loaded") : model.error().message();
  };
  const std::string header = "ecoute-model 2\nlabels a b\nfeature_bits 18\n";
  auto row = [](uint32_t index) {
    std::string bytes(reinterpret_cast<const char*>(&index), 4);
    const float w[2] = {0.5f, -0.5f};
    bytes.append(reinterpret_cast<const char*>(w), sizeof w);
    return bytes;
  };
  const std::string bias(8, '\0');
  EXPECT_EQ(refused(header + "rows 1\n" + row(7) + bias), "loaded");
  EXPECT_NE(refused("ecoute-model 1\nlabels a b\n").find("format 1; retrain it"),
            std::string::npos);
  EXPECT_NE(refused(header + "rows 2\n" + row(7)).find("truncated (rows end early)"),
            std::string::npos);
  EXPECT_NE(refused(header + "rows 2\n" + row(7) + row(3) + bias).find("row 2 has feature 3"),
            std::string::npos);
  EXPECT_NE(refused(header + "rows 1\n" + row(7) + bias + "x").find("bytes after the bias"),
            std::string::npos);
  EXPECT_NE(refused(header + "rows 1\n" + row(7)).find("the bias is missing"), std::string::npos);
  EXPECT_NE(refused("ecoute-model 2\nlabels a\nfeature_bits 18\nrows 0\n").find("1 labels"),
            std::string::npos);
  EXPECT_EQ(LinearModel::Load(path + ".missing").error().code(), StatusCode::kNotFound);
  std::filesystem::remove(path);
}

TEST(LinearModelTest, TrainingNeedsTwoLabelsAndExamples) {
  EXPECT_FALSE(LinearModel::Train({"complaint"}, Corpus(), TrainingOptions{}).has_value());
  EXPECT_FALSE(LinearModel::Train(kLabels, {}, TrainingOptions{}).has_value());
}

TEST(LinearModelTest, StancesMapOntoTheLabelsADatasetHas) {
  EXPECT_EQ(StanceLabelIn(Stance::kResolution, kLabels), "praise");
  EXPECT_EQ(StanceLabelIn(Stance::kQuestion, kLabels), "neutral");
  EXPECT_EQ(StanceLabelIn(Stance::kComplaint, kLabels), "complaint");
  EXPECT_EQ(StanceLabelIn(Stance::kQuestion, {"complaint", "praise"}), "");
}

TEST(LinearModelTest, TopicCuesTipAnUncertainTopicModel) {
  // Two topics; the model leans to the first, the cues found the second.
  EXPECT_EQ(CombineTopicsWithCues({0.55, 0.45}, {0.0, 0.63}, 2.0), 1u);
  // A model sure of the first is not overturned by a weak cue for the second.
  EXPECT_EQ(CombineTopicsWithCues({0.97, 0.03}, {0.0, 0.63}, 2.0), 0u);
  // No cue: the model's choice.
  EXPECT_EQ(CombineTopicsWithCues({0.2, 0.8}, {}, 2.0), 1u);
}

TEST(LinearModelTest, ConfidentCuesTipAnUncertainModel) {
  double confidence = 0;
  // The model hesitates between complaint and neutral; complaint cues decide.
  EXPECT_EQ(CombineWithCues({0.40, 0.45, 0.15}, kLabels, Stance::kComplaint, 0.9, 1.0, confidence),
            0);
  // Cues that found nothing and an unsure model: neutral.
  EXPECT_EQ(CombineWithCues({0.50, 0.30, 0.20}, kLabels, Stance::kNeutral, 0.6, 1.0, confidence),
            1);
  EXPECT_NEAR(confidence, 0.30, 1e-9);
  // A sure model decides alone.
  EXPECT_EQ(CombineWithCues({0.70, 0.20, 0.10}, kLabels, Stance::kNeutral, 0.6, 1.0, confidence),
            0);
  // A confident model is not overturned by one weak cue.
  EXPECT_EQ(CombineWithCues({0.05, 0.90, 0.05}, kLabels, Stance::kPraise, 0.5, 1.0, confidence), 1);
}

}  // namespace
}  // namespace ecoute
