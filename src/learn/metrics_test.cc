#include "learn/metrics.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ecoute {
namespace {

using Labels = std::vector<std::string>;

// Ten examples whose confusion matrix (rows gold, columns predicted) is
//                complaint neutral praise   support
//   complaint        3        1      0        4
//   neutral          1        2      0        3
//   praise           0        1      2        3
//   predicted        4        4      2       10
// so, by hand:
//   complaint: precision 3/4 = 0.75, recall 3/4 = 0.75, F1 0.75
//   neutral:   precision 2/4 = 0.5,  recall 2/3 = 0.6667, F1 2(1/2)(2/3)/(1/2+2/3) = 4/7 = 0.5714
//   praise:    precision 2/2 = 1,    recall 2/3 = 0.6667, F1 2(1)(2/3)/(1+2/3) = 4/5 = 0.8
//   accuracy (3+2+2)/10 = 0.7; macro-F1 (0.75 + 4/7 + 0.8)/3 = 2.12143/3 = 0.70714.
const Labels kGold = {"complaint", "complaint", "complaint", "complaint", "neutral",
                      "neutral",   "neutral",   "praise",    "praise",    "praise"};
const Labels kPredicted = {"complaint", "complaint", "complaint", "neutral", "complaint",
                           "neutral",   "neutral",   "neutral",   "praise",  "praise"};
const Labels kClasses = {"complaint", "neutral", "praise"};

TEST(EvaluateTest, ScoresAHandComputedThreeClassExample) {
  const Evaluation e = Evaluate(kGold, kPredicted, kClasses);
  EXPECT_EQ(e.labels, kClasses);
  EXPECT_EQ(e.confusion, (std::vector<std::vector<size_t>>{{3, 1, 0}, {1, 2, 0}, {0, 1, 2}}));
  EXPECT_EQ(e.count, 10u);
  EXPECT_DOUBLE_EQ(e.accuracy, 0.7);
  EXPECT_DOUBLE_EQ(e.macro_f1, (0.75 + 4.0 / 7 + 0.8) / 3);
  ASSERT_EQ(e.classes.size(), 3u);
  const struct {
    const char* label;
    double precision, recall, f1;
    size_t support, predicted;
  } kWant[] = {
      {"complaint", 0.75, 0.75, 0.75, 4, 4},
      {"neutral", 0.5, 2.0 / 3, 4.0 / 7, 3, 4},
      {"praise", 1.0, 2.0 / 3, 0.8, 3, 2},
  };
  for (size_t k = 0; k < 3; ++k) {
    SCOPED_TRACE(kWant[k].label);
    EXPECT_EQ(e.classes[k].label, kWant[k].label);
    EXPECT_DOUBLE_EQ(e.classes[k].precision, kWant[k].precision);
    EXPECT_DOUBLE_EQ(e.classes[k].recall, kWant[k].recall);
    EXPECT_DOUBLE_EQ(e.classes[k].f1, kWant[k].f1);
    EXPECT_EQ(e.classes[k].support, kWant[k].support);
    EXPECT_EQ(e.classes[k].predicted, kWant[k].predicted);
  }
}

TEST(EvaluateTest, AClassNeverPredictedHasPrecisionAndF1Zero) {
  // a: precision 2/3, recall 2/2 = 1, F1 2(2/3)/(5/3) = 0.8; b: never predicted, recall 0/1.
  // macro-F1 (0.8 + 0)/2 = 0.4; accuracy 2/3.
  const Evaluation e = Evaluate({"a", "a", "b"}, {"a", "a", "a"}, {"a", "b"});
  ASSERT_EQ(e.classes.size(), 2u);
  EXPECT_EQ(e.classes[1].predicted, 0u);
  EXPECT_EQ(e.classes[1].precision, 0.0);
  EXPECT_EQ(e.classes[1].recall, 0.0);
  EXPECT_EQ(e.classes[1].f1, 0.0);
  EXPECT_DOUBLE_EQ(e.classes[0].f1, 0.8);
  EXPECT_DOUBLE_EQ(e.macro_f1, 0.4);
  EXPECT_DOUBLE_EQ(e.accuracy, 2.0 / 3);
}

TEST(EvaluateTest, PerfectPredictionsScoreOne) {
  const Labels gold = {"x", "y", "y", "z"};
  const Evaluation e = Evaluate(gold, gold, {"x", "y", "z"});
  EXPECT_EQ(e.accuracy, 1.0);
  EXPECT_EQ(e.macro_f1, 1.0);
  for (const ClassScores& scores : e.classes) {
    EXPECT_EQ(scores.precision, 1.0);
    EXPECT_EQ(scores.recall, 1.0);
    EXPECT_EQ(scores.f1, 1.0);
  }
}

TEST(EvaluateTest, LabelsNotGivenAreAppendedSortedAndClassesWithoutSupportLeaveTheMacro) {
  // "unused" is given but never seen: support 0, out of the macro. "zeta" and "alpha" are in
  // gold only, "other" is predicted only (support 0): appended sorted after the given ones.
  // a: 1/1 right, F1 1; alpha: 0/1 (predicted a), F1 0; zeta: 0/1 (predicted other), F1 0.
  // macro-F1 (1 + 0 + 0)/3.
  const Evaluation e =
      Evaluate({"a", "zeta", "alpha"}, {"a", "other", "a"}, {"unused", "a", "unused"});
  EXPECT_EQ(e.labels, (Labels{"unused", "a", "alpha", "other", "zeta"}));
  EXPECT_EQ(
      e.confusion,
      (std::vector<std::vector<size_t>>{
          {0, 0, 0, 0, 0}, {0, 1, 0, 0, 0}, {0, 1, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 1, 0}}));
  EXPECT_DOUBLE_EQ(e.classes[1].precision, 0.5);
  EXPECT_DOUBLE_EQ(e.macro_f1, (2 * 0.5 / 1.5) / 3);  // a: P 1/2, R 1, F1 2/3
  EXPECT_DOUBLE_EQ(e.accuracy, 1.0 / 3);
}

TEST(EvaluateTest, NoExamplesScoreZero) {
  const Evaluation e = Evaluate({}, {}, {"a"});
  EXPECT_EQ(e.count, 0u);
  EXPECT_EQ(e.accuracy, 0.0);
  EXPECT_EQ(e.macro_f1, 0.0);
  EXPECT_EQ(e.confusion, (std::vector<std::vector<size_t>>{{0}}));
}

TEST(EvaluationTextTest, WritesTheSummaryTheTableAndTheMatrixAligned) {
  std::string out;
  AppendEvaluationText("rules", Evaluate(kGold, kPredicted, kClasses), out);
  EXPECT_EQ(out,
            "rules: accuracy 0.700, macro-F1 0.707 (10 examples)\n"
            "label      precision  recall     F1  support\n"
            "complaint      0.750   0.750  0.750        4\n"
            "neutral        0.500   0.667  0.571        3\n"
            "praise         1.000   0.667  0.800        3\n"
            "\n"
            "gold \\ predicted  complaint  neutral  praise\n"
            "complaint                 3        1       0\n"
            "neutral                   1        2       0\n"
            "praise                    0        1       2\n");
}

TEST(EvaluationTextTest, WidensColumnsForLongLabelsAndLargeCounts) {
  const Labels gold(12345, "n\xC3\xA9gatif");
  std::string out = "before\n";
  AppendEvaluationText("fastText", Evaluate(gold, gold, {"n\xC3\xA9gatif", "a-rather-long-label"}),
                       out);
  EXPECT_EQ(out,
            "before\n"
            "fastText: accuracy 1.000, macro-F1 1.000 (12345 examples)\n"
            "label                precision  recall     F1  support\n"
            "n\xC3\xA9gatif                  1.000   1.000  1.000    12345\n"
            "a-rather-long-label      0.000   0.000  0.000        0\n"
            "\n"
            "gold \\ predicted     n\xC3\xA9gatif  a-rather-long-label\n"
            "n\xC3\xA9gatif                12345                    0\n"
            "a-rather-long-label        0                    0\n");
}

TEST(EvaluationJsonTest, WritesOneObjectWithFourDecimals) {
  std::string out;
  AppendEvaluationJson("rules", Evaluate(kGold, kPredicted, kClasses), out);
  EXPECT_EQ(out,
            "{\"system\":\"rules\",\"count\":10,\"accuracy\":0.7,\"macro_f1\":0.7071,\"classes\":["
            "{\"label\":\"complaint\",\"precision\":0.75,\"recall\":0.75,\"f1\":0.75,"
            "\"support\":4,\"predicted\":4},"
            "{\"label\":\"neutral\",\"precision\":0.5,\"recall\":0.6667,\"f1\":0.5714,"
            "\"support\":3,\"predicted\":4},"
            "{\"label\":\"praise\",\"precision\":1,\"recall\":0.6667,\"f1\":0.8,"
            "\"support\":3,\"predicted\":2}],"
            "\"labels\":[\"complaint\",\"neutral\",\"praise\"],"
            "\"confusion\":[[3,1,0],[1,2,0],[0,1,2]]}");
}

TEST(EvaluationJsonTest, EscapesStrings) {
  std::string out;
  AppendEvaluationJson("say \"hi\"\\\n\x01", Evaluate({"x\ty"}, {"x\ty"}, {}), out);
  EXPECT_EQ(out,
            "{\"system\":\"say \\\"hi\\\"\\\\\\n\\u0001\",\"count\":1,\"accuracy\":1,"
            "\"macro_f1\":1,\"classes\":[{\"label\":\"x\\ty\",\"precision\":1,\"recall\":1,"
            "\"f1\":1,\"support\":1,\"predicted\":1}],\"labels\":[\"x\\ty\"],"
            "\"confusion\":[[1]]}");
}

}  // namespace
}  // namespace ecoute
