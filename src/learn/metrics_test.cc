#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ecoute/evaluation.h"

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

// ---------------------------------------------------------------------------------------
// (post, brand) pairs

PairOutcome Pair(const char* id, const char* source, const char* lang, const char* brand,
                 const char* gold, const char* predicted, double confidence, const char* note) {
  PairOutcome pair;
  pair.id = id;
  pair.source = source;
  pair.lang = lang;
  pair.brand = brand;
  pair.gold = gold;
  pair.predicted = predicted;
  pair.confidence = confidence;
  pair.note = note;
  pair.text = std::string("text of ") + id;
  return pair;
}

// Eight pairs:
//   #  post source lang brand gold        predicted   confidence  note
//   1  p1   s1     fr   A     complaint   complaint   0.9
//   2  p1   s1     fr   B     neutral     complaint   0.8         bystander
//   3  p2   s1     fr   A     praise      praise      0.7
//   4  p3   s2     en   A     complaint   praise      0.95        sarcasm
//   5  p4   s2     en   C     question    missed      0
//   6  p5   s2     fr   A     resolution  praise      0.6         update
//   7  p6   s1     fr   A     complaint   complaint   0.5         Rhetorical, sarcasm
//   8  p7   s2     fr   A     neutral     neutral     0.4         a note of mine
// Confusion (gold rows; columns complaint praise resolution question neutral missed):
//   complaint   2 1 0 0 0 0   (1, 7 right; 4 praise)        support 3
//   praise      0 1 0 0 0 0                                  support 1
//   resolution  0 1 0 0 0 0                                  support 1
//   question    0 0 0 0 0 1   (5 missed)                     support 1
//   neutral     1 0 0 0 1 0   (2 complaint; 8 right)         support 2
//   predicted   3 3 0 0 1 1
// Right: 1, 3, 7, 8: accuracy 4/8 = 0.5.
//   complaint:  P 2/3, R 2/3, F1 2/3
//   praise:     P 1/3, R 1, F1 2(1/3)(1)/(4/3) = 1/2
//   resolution, question: never predicted right, F1 0
//   neutral:    P 1/1, R 1/2, F1 2(1/2)/(3/2) = 2/3
//   macro-F1 over the five stances (missed has no support): (2/3 + 1/2 + 0 + 0 + 2/3)/5 =
//   (11/6)/5 = 11/30.
// Three classes (resolution -> praise, question -> neutral): 6 becomes right (praise),
// 5 stays missed: 5/8 = 0.625.
// By language: en = 4, 5, none right: 0; fr = 1, 2, 3, 6, 7, 8, four right: 4/6.
// By source: s1 = 1, 2, 3, 7, three right: 3/4; s2 = 4, 5, 6, 8, one right: 1/4.
//   s1 macro-F1: complaint P 2/3 R 2/2 F1 0.8, praise 1, neutral 0 (the others have no
//   support): 1.8/3 = 0.6; three classes: 3/4.
//   s2 macro-F1: complaint 0, resolution 0, question 0, neutral 1 (praise has no support):
//   1/4; three classes: 6 and 8 right, 2/4.
// By note: sarcasm 4 (wrong) and 7 (right): 1/2; rhetorical 7: 1/1; bystander 2: 0/1;
// update 6: 0/1; other 8: 1/1; none 1, 3, 5: 2/3. Comparison, third-party and mixed: no pair.
// Errors by confidence: 4 (0.95), 2 (0.8), 6 (0.6), 5 (0, missed).
std::vector<PairOutcome> HandPairs() {
  return {Pair("p1", "s1", "fr", "A", "complaint", "complaint", 0.9, ""),
          Pair("p1", "s1", "fr", "B", "neutral", "complaint", 0.8, "bystander"),
          Pair("p2", "s1", "fr", "A", "praise", "praise", 0.7, ""),
          Pair("p3", "s2", "en", "A", "complaint", "praise", 0.95, "sarcasm"),
          Pair("p4", "s2", "en", "C", "question", "missed", 0, ""),
          Pair("p5", "s2", "fr", "A", "resolution", "praise", 0.6, "update"),
          Pair("p6", "s1", "fr", "A", "complaint", "complaint", 0.5, "Rhetorical, sarcasm"),
          Pair("p7", "s2", "fr", "A", "neutral", "neutral", 0.4, "a note of mine")};
}

// Five posts, all addressed to A:
//   post source labeled  found     matched
//   p1   s1     A, B     a, B      2       (case does not matter)
//   p2   s1     A        -         0       A a false negative
//   p3   s2     A        A, D      1       D a false positive
//   p4   s2     C        D         0       D a false positive, C a false negative
//   p5   s2     A        A, A      1       (a brand found twice counts once)
// All: 6 labeled, 6 found, 4 matched: P 4/6, R 4/6, F1 2/3.
// s1: 3 labeled, 2 found, 2 matched: P 1, R 2/3, F1 2(2/3)/(5/3) = 0.8.
// s2: 3 labeled, 4 found, 2 matched: P 1/2, R 2/3, F1 2(1/2)(2/3)/(7/6) = 4/7.
// Without the addressee A: labeled B (p1), C (p4); found B (p1), D (p3), D (p4); matched B:
// P 1/3, R 1/2, F1 2(1/3)(1/2)/(5/6) = 0.4.
// False positives: D twice (first in p3); false negatives: A (p2) and C (p4), once each,
// in name order.
std::vector<PostBrands> HandBrands() {
  auto post = [](const char* id, const char* source, std::vector<std::string> gold,
                 std::vector<std::string> predicted) {
    return PostBrands{id, source, "A", std::move(gold), std::move(predicted)};
  };
  return {post("p1", "s1", {"A", "B"}, {"a", "B"}), post("p2", "s1", {"A"}, {}),
          post("p3", "s2", {"A"}, {"A", "D"}), post("p4", "s2", {"C"}, {"D"}),
          post("p5", "s2", {"A"}, {"A", "A"})};
}

TEST(EvaluatePairsTest, ScoresStancesWithAMissedColumnOutOfTheMacro) {
  const PairEvaluation e = EvaluatePairs(HandPairs(), HandBrands());
  const Evaluation& s = e.overall.stance;
  EXPECT_EQ(e.overall.name, "all");
  EXPECT_EQ(s.labels,
            (Labels{"complaint", "praise", "resolution", "question", "neutral", "missed"}));
  EXPECT_EQ(s.confusion, (std::vector<std::vector<size_t>>{{2, 1, 0, 0, 0, 0},
                                                           {0, 1, 0, 0, 0, 0},
                                                           {0, 1, 0, 0, 0, 0},
                                                           {0, 0, 0, 0, 0, 1},
                                                           {1, 0, 0, 0, 1, 0},
                                                           {0, 0, 0, 0, 0, 0}}));
  EXPECT_EQ(s.count, 8u);
  EXPECT_DOUBLE_EQ(s.accuracy, 0.5);
  EXPECT_DOUBLE_EQ(s.macro_f1, 11.0 / 30);
  EXPECT_DOUBLE_EQ(s.classes[0].f1, 2.0 / 3);
  EXPECT_DOUBLE_EQ(s.classes[1].precision, 1.0 / 3);
  EXPECT_DOUBLE_EQ(s.classes[1].f1, 0.5);
  EXPECT_DOUBLE_EQ(s.classes[4].f1, 2.0 / 3);
  EXPECT_EQ(s.classes[5].predicted, 1u);
  EXPECT_EQ(e.overall.missed, 1u);
  EXPECT_EQ(e.overall.three_way.labels, (Labels{"complaint", "praise", "neutral", "missed"}));
  EXPECT_DOUBLE_EQ(e.overall.three_way.accuracy, 0.625);
}

TEST(EvaluatePairsTest, ScoresEachLanguageAndSource) {
  const PairEvaluation e = EvaluatePairs(HandPairs(), HandBrands());
  ASSERT_EQ(e.by_lang.size(), 2u);
  EXPECT_EQ(e.by_lang[0].name, "en");
  EXPECT_EQ(e.by_lang[0].stance.count, 2u);
  EXPECT_DOUBLE_EQ(e.by_lang[0].stance.accuracy, 0.0);
  EXPECT_EQ(e.by_lang[0].missed, 1u);
  EXPECT_EQ(e.by_lang[1].name, "fr");
  EXPECT_DOUBLE_EQ(e.by_lang[1].stance.accuracy, 4.0 / 6);
  ASSERT_EQ(e.by_source.size(), 2u);
  EXPECT_EQ(e.by_source[0].name, "s1");
  EXPECT_DOUBLE_EQ(e.by_source[0].stance.accuracy, 0.75);
  EXPECT_EQ(e.by_source[1].name, "s2");
  EXPECT_DOUBLE_EQ(e.by_source[1].stance.accuracy, 0.25);
}

TEST(EvaluatePairsTest, ScoresBrandsOverPostBrandPairs) {
  const PairEvaluation e = EvaluatePairs(HandPairs(), HandBrands());
  EXPECT_EQ(e.post_count, 5u);
  EXPECT_EQ(e.brands.gold, 6u);
  EXPECT_EQ(e.brands.predicted, 6u);
  EXPECT_EQ(e.brands.matched, 4u);
  EXPECT_DOUBLE_EQ(e.brands.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(e.brands.recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(e.brands.f1, 2.0 / 3);
  ASSERT_EQ(e.brands_by_source.size(), 2u);
  EXPECT_EQ(e.brands_by_source[0].name, "s1");
  EXPECT_DOUBLE_EQ(e.brands_by_source[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(e.brands_by_source[0].recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(e.brands_by_source[0].f1, 0.8);
  EXPECT_DOUBLE_EQ(e.brands_by_source[1].precision, 0.5);
  EXPECT_DOUBLE_EQ(e.brands_by_source[1].f1, 4.0 / 7);
  EXPECT_EQ(e.other_brands.gold, 2u);
  EXPECT_EQ(e.other_brands.predicted, 3u);
  EXPECT_EQ(e.other_brands.matched, 1u);
  EXPECT_DOUBLE_EQ(e.other_brands.f1, 0.4);
  ASSERT_EQ(e.false_positives.size(), 1u);
  EXPECT_EQ(e.false_positives[0].brand, "D");
  EXPECT_EQ(e.false_positives[0].count, 2u);
  EXPECT_EQ(e.false_positives[0].example_id, "p3");
  ASSERT_EQ(e.false_negatives.size(), 2u);
  EXPECT_EQ(e.false_negatives[0].brand, "A");
  EXPECT_EQ(e.false_negatives[0].example_id, "p2");
  EXPECT_EQ(e.false_negatives[1].brand, "C");
}

TEST(EvaluatePairsTest, ListsConfidentErrorsAndScoresEachNote) {
  const PairEvaluation e = EvaluatePairs(HandPairs(), HandBrands());
  std::vector<std::string> errors;
  for (const PairOutcome& p : e.confident_errors) errors.push_back(p.id + "/" + p.brand);
  EXPECT_EQ(errors, (Labels{"p3/A", "p1/B", "p5/A", "p4/C"}));
  std::vector<std::string> notes;
  for (const NoteScores& n : e.by_note) {
    notes.push_back(n.note + " " + std::to_string(n.correct) + "/" + std::to_string(n.count));
  }
  EXPECT_EQ(notes, (Labels{"sarcasm 1/2", "rhetorical 1/1", "bystander 0/1", "update 0/1",
                           "other 1/1", "none 2/3"}));
  EXPECT_DOUBLE_EQ(e.by_note[0].accuracy, 0.5);
}

TEST(EvaluatePairsTest, KeepsTheTwentyMostFrequentAndMostConfident) {
  std::vector<PairOutcome> pairs;
  std::vector<PostBrands> posts;
  for (int k = 0; k < 30; ++k) {
    const std::string id = "p" + std::to_string(k);
    pairs.push_back(Pair(id.c_str(), "s", "fr", "A", "praise", "complaint", k / 100.0, ""));
    // Brand Bk is found in posts k..29: B0 once... B29 thirty times, as a false positive.
    std::vector<std::string> found;
    for (int b = 0; b <= k; ++b) found.push_back("B" + std::to_string(b));
    posts.push_back({id, "s", "", {}, found});
  }
  const PairEvaluation e = EvaluatePairs(pairs, posts);
  ASSERT_EQ(e.confident_errors.size(), 20u);
  EXPECT_EQ(e.confident_errors.front().id, "p29");
  EXPECT_EQ(e.confident_errors.back().id, "p10");
  ASSERT_EQ(e.false_positives.size(), 20u);
  EXPECT_EQ(e.false_positives.front().brand, "B0");
  EXPECT_EQ(e.false_positives.front().count, 30u);
  EXPECT_EQ(e.false_positives.front().example_id, "p0");
  EXPECT_EQ(e.false_positives.back().count, 11u);
}

TEST(PairEvaluationTextTest, WritesTheMatrixWithAMissedColumnAndTheErrors) {
  std::vector<PairOutcome> pairs = HandPairs();
  pairs[3].text = std::string(200, 'x') + "\nend";  // the most confident error
  pairs[3].cues = {"merci", "bravo"};
  std::string out;
  AppendPairEvaluationText(EvaluatePairs(pairs, HandBrands()), out);
  // Each expected part is several literals joined, one per line of the output.
  // NOLINTBEGIN(bugprone-suspicious-missing-comma)
  const std::string kWant[] = {
      "all: accuracy 0.500, macro-F1 0.367, 3-way accuracy 0.625 (8 pairs, 1 missed)\n",
      "gold \\ predicted  complaint  praise  resolution  question  neutral  missed\n"
      "complaint                 2       1           0         0        0       0\n"
      "praise                    0       1           0         0        0       0\n"
      "resolution                0       1           0         0        0       0\n"
      "question                  0       0           0         0        0       1\n"
      "neutral                   1       0           0         0        1       0\n\n",
      "source  pairs  accuracy  macro-F1  3-way  missed\n"
      "s1          4     0.750     0.600  0.750       0\n"
      "s2          4     0.250     0.250  0.500       1\n",
      "brands in 5 posts: precision 0.667, recall 0.667, F1 0.667 (4 of 6 found were labeled, "
      "of 6 labeled)\n",
      "brands other than the addressee: precision 0.333, recall 0.500, F1 0.400 (1 of 3 found "
      "were labeled, of 2 labeled)\n",
      "false positives (found, not labeled)\n"
      "  brand  pairs  example\n"
      "  D          2  p3\n",
      "1. p3 (s2) A: gold complaint, predicted praise, confidence 0.95, cues \"merci\", "
      "\"bravo\", note sarcasm\n   " +
          std::string(160, 'x') + "\xE2\x80\xA6\n",
      "4. p4 (s2) C: gold question, predicted missed, confidence 0.00\n   text of p4\n",
      "  note        pairs  right  accuracy\n"
      "  sarcasm         2      1     0.500\n",
  };
  // NOLINTEND(bugprone-suspicious-missing-comma)
  for (const std::string& want : kWant) {
    EXPECT_NE(out.find(want), std::string::npos) << want << "\nin:\n" << out;
  }
  // The empty row of missed pairs is not shown.
  EXPECT_EQ(out.find("\nmissed "), std::string::npos) << out;
}

TEST(PairEvaluationJsonTest, WritesEveryPartWithFourDecimals) {
  std::string out;
  AppendPairEvaluationJson(EvaluatePairs(HandPairs(), HandBrands()), out);
  const char* kWant[] = {
      "{\"pairs\":8,\"posts\":5,\"overall\":{\"name\":\"all\",\"missed\":1,\"count\":8,"
      "\"accuracy\":0.5,\"macro_f1\":0.3667,",
      "\"labels\":[\"complaint\",\"praise\",\"resolution\",\"question\",\"neutral\","
      "\"missed\"],\"confusion\":[[2,1,0,0,0,0],[0,1,0,0,0,0],[0,1,0,0,0,0],[0,0,0,0,0,1],"
      "[1,0,0,0,1,0],[0,0,0,0,0,0]],\"three_way\":{\"count\":8,\"accuracy\":0.625,",
      "\"brands\":{\"name\":\"all\",\"gold\":6,\"predicted\":6,\"matched\":4,"
      "\"precision\":0.6667,\"recall\":0.6667,\"f1\":0.6667}",
      "\"other_brands\":{\"name\":\"all\",\"gold\":2,\"predicted\":3,\"matched\":1,"
      "\"precision\":0.3333,\"recall\":0.5,\"f1\":0.4}",
      "\"false_positives\":[{\"brand\":\"D\",\"count\":2,\"example\":\"p3\"}],"
      "\"false_negatives\":[{\"brand\":\"A\",\"count\":1,\"example\":\"p2\"},"
      "{\"brand\":\"C\",\"count\":1,\"example\":\"p4\"}]",
      "\"confident_errors\":[{\"id\":\"p3\",\"source\":\"s2\",\"lang\":\"en\",\"brand\":\"A\","
      "\"gold\":\"complaint\",\"predicted\":\"praise\",\"confidence\":0.95,\"cues\":[],"
      "\"note\":\"sarcasm\",\"text\":\"text of p3\"},",
      "\"by_note\":[{\"note\":\"sarcasm\",\"count\":2,\"correct\":1,\"accuracy\":0.5},",
      "{\"note\":\"none\",\"count\":3,\"correct\":2,\"accuracy\":0.6667}]}",
  };
  for (const char* want : kWant) {
    EXPECT_NE(out.find(want), std::string::npos) << want << "\nin:\n" << out;
  }
}

TEST(SameBrandTest, IgnoresAsciiCaseOnly) {
  EXPECT_TRUE(SameBrand("SNCF", "sncf"));
  EXPECT_TRUE(SameBrand("Showroompriv\xC3\xA9", "SHOWROOMPRIV\xC3\xA9"));
  EXPECT_FALSE(SameBrand("Showroomprive", "Showroompriv\xC3\xA9"));
  EXPECT_FALSE(SameBrand("Free", "Free Mobile"));
}

}  // namespace
}  // namespace ecoute
