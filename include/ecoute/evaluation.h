// Scoring: compares predicted labels with gold ones (accuracy, per-class precision, recall
// and F1, macro-F1, the confusion matrix) and writes the result as text for people and as
// JSON for scripts, so that `ecoute eval` reports every system the same way. The scores of
// (post, brand) pairs (`ecoute eval --pairs`) add the brands found and the errors to read.
//
// Pure functions that cannot fail: bad input (sizes that differ, labels never given) is
// scored as documented, not refused. Thread-safe. Implemented in src/learn.
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

// ---------------------------------------------------------------------------------------
// (post, brand) pairs: what a user needs to trust the per-brand verdict

// The five stances a pair is labeled with, in the order reports list them, and the
// prediction of a pair whose brand the analysis did not find.
inline constexpr std::string_view kPairStances[] = {"complaint", "praise", "resolution", "question",
                                                    "neutral"};
inline constexpr std::string_view kMissed = "missed";

// The annotation notes reported one by one (docs/ANNOTATION.md, "The hard cases").
inline constexpr std::string_view kHardCaseNotes[] = {
    "sarcasm", "rhetorical", "comparison", "bystander", "third-party", "update", "mixed"};

// Whether two brand names are the same brand: equal but for ASCII case ("SNCF", "Sncf").
bool SameBrand(std::string_view a, std::string_view b);

// One labeled (post, brand) pair and the verdict of the analysis on it.
struct PairOutcome {
  std::string id;                 // the post's
  std::string source;             // the post's
  std::string lang;               // the post's
  std::string brand;              // as labeled
  std::string gold;               // one of kPairStances
  std::string predicted;          // one of kPairStances, or kMissed
  double confidence = 0;          // the verdict's, in [0, 1]; 0 when missed
  std::vector<std::string> cues;  // the words behind the verdict
  std::string note;               // the label's note, or empty
  std::string text;               // the post's
};

// The brands of one labeled post: every brand labeled (any stance but skip) and every
// brand the analysis found. Names compare without regard to ASCII case.
struct PostBrands {
  std::string id;
  std::string source;
  std::string addressee;  // the brand the channel says the post speaks to, or empty
  std::vector<std::string> gold;
  std::vector<std::string> predicted;
};

// The stance scores of a group of pairs (all of them, one language, one source).
struct PairGroupScores {
  std::string name;
  // The five stances and kMissed, in that order; kMissed has no support, so it counts
  // against accuracy and recall but stays out of the macro-F1.
  Evaluation stance;
  // The same pairs in three classes, as older figures were: complaint; praise (praise and
  // resolution); neutral (neutral and question); and kMissed.
  Evaluation three_way;
  size_t missed = 0;  // pairs predicted kMissed
};

struct BrandScores {
  std::string name;
  size_t gold = 0;       // (post, brand) pairs labeled
  size_t predicted = 0;  // (post, brand) pairs found
  size_t matched = 0;    // in both
  double precision = 0;  // matched / predicted, 0 when nothing was found
  double recall = 0;     // matched / gold, 0 when nothing was labeled
  double f1 = 0;
};

// A brand found where it was not labeled (a false positive), or labeled where it was not
// found (a false negative): how often, and the first post where it happened.
struct BrandMiss {
  std::string brand;
  size_t count = 0;
  std::string example_id;
};

// The pairs that carry one annotation note, and how many the analysis got right.
struct NoteScores {
  std::string note;  // one of kHardCaseNotes, "other" (a note that names none) or "none"
  size_t count = 0;
  size_t correct = 0;
  double accuracy = 0;  // 0 when count is 0
};

struct PairEvaluation {
  PairGroupScores overall;               // name "all"
  std::vector<PairGroupScores> by_lang;  // sorted by name
  std::vector<PairGroupScores> by_source;
  BrandScores brands;                         // name "all"
  std::vector<BrandScores> brands_by_source;  // sorted by name
  // The same without each post's addressee, labeled or found: the brands only the text
  // can tell (a tweet to @free seldom names Free).
  BrandScores other_brands;
  std::vector<BrandScores> other_brands_by_source;
  std::vector<BrandMiss> false_positives;  // most frequent first (ties by name), 20 at most
  std::vector<BrandMiss> false_negatives;
  // Wrong predictions (kMissed included, with confidence 0) by decreasing confidence, ties
  // by id then brand; 20 at most.
  std::vector<PairOutcome> confident_errors;
  // kHardCaseNotes in their order, then "other" and "none", each only when some pair has
  // it. A note counts for every hard case it names as a word ("sarcasm, update" counts
  // twice); case does not matter.
  std::vector<NoteScores> by_note;
  size_t post_count = 0;  // posts in `posts`
};

// Scores labeled pairs and the brands of their posts. A pair counts as right when
// `predicted` equals `gold`. Brand precision and recall are over (post, brand) pairs:
// |found ∩ labeled| / |found| and / |labeled|, a brand named twice in one post counting
// once. Pure; time grows with the number of pairs and brands.
PairEvaluation EvaluatePairs(const std::vector<PairOutcome>& pairs,
                             const std::vector<PostBrands>& posts);

// Appends the report for people: the stance scores of all pairs (summary line, per-stance
// table, 5x6 confusion matrix with gold rows and a column of missed pairs), a summary line
// per language and per source followed by their tables, the brands' precision and recall
// (with and without the addressee, overall and per source) with the most frequent false
// positives and negatives, the most confident errors (texts
// cut to 160 characters, line breaks as spaces) and the accuracy per note.
void AppendPairEvaluationText(const PairEvaluation& e, std::string& out);

// Appends everything above as one JSON object, without a line break: {"pairs":N,
// "posts":N,"overall":G,"by_lang":[G...],"by_source":[G...],"brands":B,"brands_by_source":
// [B...],"other_brands":B,"other_brands_by_source":[B...],"false_positives":[{"brand","count","example"}...],"false_negatives":[...],
// "confident_errors":[{"id","source","lang","brand","gold","predicted","confidence","cues",
// "note","text"}...],"by_note":[{"note","count","correct","accuracy"}...]}, where G is
// {"name","missed","count","accuracy","macro_f1","classes","labels","confusion",
// "three_way":{"count","accuracy","macro_f1","classes","labels","confusion"}} (the fields
// and square matrices of AppendEvaluationJson) and B {"name","gold","predicted","matched",
// "precision","recall","f1"}. Texts are cut as in the text report.
void AppendPairEvaluationJson(const PairEvaluation& e, std::string& out);

}  // namespace ecoute
