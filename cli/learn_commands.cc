// `ecoute train` and `ecoute eval`: the trained stance model beside the cues, and an
// honest measure of both on labeled data.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ecoute/analysis.h"
#include "ecoute/dataset.h"
#include "ecoute/evaluation.h"
#include "ecoute/json_string.h"
#include "ecoute/learn.h"

#include "commands.h"

namespace ecoute::cli {
namespace {

struct DataOptions {
  std::vector<std::string> files;
  std::string format = "auto";
  std::string labels_path;
  std::string text_column = "text";
  std::string label_column = "label";
  std::string map;
  std::string filter;   // "column=value1,value2"
  std::string exclude;  // same, to drop rows
  // "K/N": the examples of fold K of N (folds by the hash of the text, so that duplicates
  // share a fold); eval keeps only them, train leaves them out.
  std::string fold;
  bool keep_fold = true;
};

// Parses "K/N" with 1 <= K <= N, N >= 2.
Status ParseFold(const std::string& spec, uint64_t& k, uint64_t& n) {
  const size_t slash = spec.find('/');
  char* end = nullptr;
  if (slash != std::string::npos) {
    k = std::strtoull(spec.c_str(), &end, 10);
    if (end == spec.c_str() + slash) {
      n = std::strtoull(spec.c_str() + slash + 1, &end, 10);
      if (*end == '\0' && slash + 1 < spec.size() && n >= 2 && n <= 1000 && k >= 1 && k <= n) {
        return OkStatus();
      }
    }
  }
  return InvalidArgumentError("fold \"" + spec +
                              "\": expected K/N with 1 <= K <= N and N >= 2, "
                              "e.g. 1/5");
}

// The fold (0-based) of a text among `n`: independent of the dev split, which uses the low
// digits of the same hash.
uint64_t FoldOf(const std::string& text, uint64_t n) { return (SplitHash(text) >> 24) % n; }

void AddDataOptions(CLI::App& cmd, DataOptions& o, bool is_data_required) {
  cmd.add_option("--data", o.files, "labeled data file (repeat for several)")
      ->required(is_data_required);
  cmd.add_option("--format", o.format, "auto, csv, jsonl, json (an array), fasttext or lines");
  cmd.add_option("--labels", o.labels_path,
                 "with --format lines: the file of labels, one per line");
  cmd.add_option("--text-col", o.text_column, "column or key holding the text (default text)");
  cmd.add_option("--label-col", o.label_column, "column or key holding the label (default label)");
  cmd.add_option("--map", o.map,
                 "label mapping, e.g. negative=complaint,neutral=neutral,positive=praise; "
                 "rows whose label is not mapped are skipped");
  cmd.add_option("--filter", o.filter, "keep rows where COLUMN is one of the values: COLUMN=v1,v2");
  cmd.add_option("--exclude", o.exclude, "drop rows where COLUMN is one of the values");
}

Status ParseFilter(const std::string& spec, std::string& column, std::vector<std::string>& values) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    return InvalidArgumentError("\"" + spec + "\": expected COLUMN=value1,value2");
  }
  column = spec.substr(0, eq);
  size_t start = eq + 1;
  while (start <= spec.size()) {
    const size_t comma = spec.find(',', start);
    values.push_back(
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return OkStatus();
}

// Prints the first 20 problems as warnings, and how many more there were.
void PrintProblems(const std::vector<Problem>& problems) {
  size_t shown = 0;
  for (const Problem& p : problems) {
    if (++shown > 20) break;
    PrintWarning(p.where.empty() ? p.message : p.where + ": " + p.message);
  }
  if (problems.size() > 20) {
    std::fprintf(stderr, "ecoute: %zu more problems not shown\n", problems.size() - 20);
  }
}

// Reads every --data file into one dataset; prints problems; fails when nothing is usable.
Result<Dataset> LoadData(const DataOptions& o, std::vector<std::string>& labels) {
  DatasetOptions options;
  if (!ParseDatasetFormat(o.format, options.format)) {
    return InvalidArgumentError("--format " + o.format +
                                ": expected auto, csv, jsonl, json, fasttext or lines");
  }
  options.text_column = o.text_column;
  options.label_column = o.label_column;
  options.labels_path = o.labels_path;
  if (!o.map.empty()) {
    ECOUTE_ASSIGN_OR_RETURN(options.label_map, ParseLabelMap(o.map));
  }
  if (!o.filter.empty() && !o.exclude.empty()) {
    return InvalidArgumentError("--filter and --exclude cannot be used together");
  }
  if (!o.filter.empty()) {
    ECOUTE_RETURN_IF_ERROR(ParseFilter(o.filter, options.filter_column, options.filter_values));
  } else if (!o.exclude.empty()) {
    ECOUTE_RETURN_IF_ERROR(ParseFilter(o.exclude, options.filter_column, options.filter_values));
    options.exclude_filter = true;
  }
  Dataset dataset;
  for (const std::string& file : o.files) {
    ECOUTE_RETURN_IF_ERROR(ReadDataset(file, options, dataset));
  }
  size_t fold_out = 0;
  if (!o.fold.empty()) {
    uint64_t k = 0;
    uint64_t n = 0;
    ECOUTE_RETURN_IF_ERROR(ParseFold(o.fold, k, n));
    const size_t before = dataset.examples.size();
    std::erase_if(dataset.examples,
                  [&](const Example& e) { return (FoldOf(e.text, n) == k - 1) != o.keep_fold; });
    fold_out = before - dataset.examples.size();
  }
  PrintProblems(dataset.problems);
  if (dataset.examples.empty()) {
    return InvalidArgumentError(
        "no labeled example could be read (check --text-col, "
        "--label-col and --map)");
  }
  // Labels: the mapped ones in the order the map gives them, else sorted.
  labels.clear();
  for (const auto& [from, to] : options.label_map) {
    if (std::find(labels.begin(), labels.end(), to) == labels.end()) labels.push_back(to);
  }
  std::vector<std::string> seen;
  for (const Example& e : dataset.examples) seen.push_back(e.label);
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  for (const std::string& label : seen) {
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
  }
  // A stance has a handful of labels; thousands mean a text column given as the labels
  // (and a confusion matrix that grows with their square).
  constexpr size_t kMaxLabels = 200;
  if (labels.size() > kMaxLabels) {
    return InvalidArgumentError(std::to_string(labels.size()) + " distinct labels in --label-col " +
                                o.label_column + " (at most " + std::to_string(kMaxLabels) +
                                "): is it the right column? --map can merge labels");
  }
  std::fprintf(stderr, "ecoute: %zu examples (%zu skipped: label not mapped, %zu filtered out)\n",
               dataset.examples.size(), dataset.skipped_unmapped,
               dataset.skipped_filtered + fold_out);
  return dataset;
}

// Deterministic dev split: an example is held out when the hash of its text says so, so
// that duplicates of one text never straddle the split.
bool IsDev(const std::string& text, double share) {
  const uint64_t h = SplitHash(text);
  return static_cast<double>(h % 10000) < share * 10000;
}

struct TrainOptions {
  DataOptions data;
  std::string out;
  // Chosen on the dev split of the training airlines (C 1: 0.775, 4: 0.798, 16: 0.804,
  // 64: 0.808 accuracy); 16 keeps most of the gain with less fitting to one domain.
  double c = 16.0;
  double dev_share = 0.1;
  bool balance = false;
};

int RunTrain(const TrainOptions& o) {
  std::vector<std::string> labels;
  Result<Dataset> dataset = LoadData(o.data, labels);
  if (!dataset) {
    PrintError(dataset.error().message());
    return ExitCodeFor(dataset.error());
  }
  std::vector<TrainingExample> all;
  std::vector<bool> dev;
  for (const Example& e : dataset->examples) {
    TrainingExample t;
    ExtractFeatures(e.text, t.features);
    t.label = static_cast<int>(std::find(labels.begin(), labels.end(), e.label) - labels.begin());
    all.push_back(std::move(t));
    dev.push_back(IsDev(e.text, o.dev_share));
  }
  TrainingOptions options;
  options.c = o.c;
  options.balance_labels = o.balance;
  std::string dev_summary = "no dev split";
  if (o.dev_share > 0) {
    std::vector<TrainingExample> train;
    std::vector<const TrainingExample*> held;
    for (size_t i = 0; i < all.size(); ++i) {
      if (dev[i]) {
        held.push_back(&all[i]);
      } else {
        train.push_back(all[i]);
      }
    }
    std::fprintf(stderr, "ecoute: training on %zu examples, %zu held out for dev...\n",
                 train.size(), held.size());
    auto model = LinearModel::Train(labels, train, options);
    if (!model) {
      PrintError(model.error().message());
      return ExitCodeFor(model.error());
    }
    std::vector<std::string> gold;
    std::vector<std::string> predicted;
    std::vector<double> p;
    for (const TrainingExample* e : held) {
      (*model)->Predict(e->features, p);
      gold.push_back(labels[e->label]);
      predicted.push_back(labels[std::max_element(p.begin(), p.end()) - p.begin()]);
    }
    if (!held.empty()) {
      const Evaluation ev = Evaluate(gold, predicted, labels);
      char line[160];
      std::snprintf(line, sizeof line, "dev: accuracy %.3f, macro-F1 %.3f on %zu held-out examples",
                    ev.accuracy, ev.macro_f1, ev.count);
      dev_summary = line;
      std::fprintf(stderr, "ecoute: %s\n", line);
    }
  }
  std::fprintf(stderr, "ecoute: training the final model on all %zu examples...\n", all.size());
  auto model = LinearModel::Train(labels, all, options);
  if (!model) {
    PrintError(model.error().message());
    return ExitCodeFor(model.error());
  }
  std::vector<std::string>& provenance = (*model)->provenance();
  char when[32];
  // SOURCE_DATE_EPOCH (reproducible builds) fixes the date recorded in the model.
  std::time_t now = std::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
    now = static_cast<std::time_t>(std::strtoll(epoch, nullptr, 10));
  }
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  provenance.push_back(std::string("trained ") + when + " by ecoute train, LIBLINEAR L2R_LR, C=" +
                       std::to_string(o.c) + (o.balance ? ", labels balanced" : ""));
  for (const std::string& file : o.data.files) provenance.push_back("data " + file);
  provenance.push_back("text column " + o.data.text_column + ", label column " +
                       o.data.label_column + (o.data.map.empty() ? "" : ", map " + o.data.map) +
                       (o.data.filter.empty() ? "" : ", filter " + o.data.filter) +
                       (o.data.exclude.empty() ? "" : ", exclude " + o.data.exclude) +
                       (o.data.fold.empty() ? "" : ", fold " + o.data.fold + " held out"));
  provenance.push_back(std::to_string(all.size()) + " examples; " + dev_summary);
  if (Status s = (*model)->Save(o.out); !s.ok()) {
    PrintError(s.message());
    return ExitCodeFor(s);
  }
  std::fprintf(stderr, "ecoute: model written to %s\n", o.out.c_str());
  return kExitOk;
}

struct EvalOptions {
  DataOptions data;
  std::string model;
  bool cues_only = false;
  // Chosen by training on three training airlines and evaluating on the fourth (United):
  // macro-F1 0.717 / 0.722 / 0.731 / 0.728 for weights 0.5 / 1 / 2 / 3.
  double cue_weight = 2.0;
  std::string output = "text";
  std::string brands;
  std::string data_dir;
  std::string task = "stance";
  // --pairs: labels of (post, brand) pairs, joined by id to the posts of a pool.
  std::vector<std::string> pairs;
  std::string posts;
  std::string split = "all";
  // The sources held out as the test split: no rule or weight may be tuned on them.
  std::string test_sources = "fr-rerc-tweets,fr-showroomprive-trustpilot,en-twcs";
};

// A topic name the cues found first (the highest score), else "none": the cue layer's
// single answer when the labels are topics.
std::string TopCueTopic(const Analysis& analysis) {
  return analysis.topics.empty() ? "none" : std::string(TopicName(analysis.topics[0].topic));
}

// The cue score of each of a topic model's labels, 0 where the cues did not find it.
std::vector<double> CueTopicScores(const std::vector<std::string>& labels,
                                   const Analysis& analysis) {
  std::vector<double> scores(labels.size(), 0.0);
  for (size_t c = 0; c < labels.size(); ++c) {
    for (const TopicVerdict& t : analysis.topics) {
      if (TopicName(t.topic) == labels[c]) scores[c] = t.score;
    }
  }
  return scores;
}

// ---------------------------------------------------------------------------------------
// eval --pairs: the stance per (post, brand) pair, on posts joined to their labels by id

// The labels to score and the posts they are about, once joined, deduplicated and split.
struct JoinedPairs {
  std::vector<PoolPost> pool;
  std::vector<PairLabel> labels;  // kept: in the split, not skipped, each (id, brand) once
  // Per post (index into `pool`), in order of first label: its kept labels (indices into
  // `labels`) and the brands labeled "skip", which count neither as labeled nor as found.
  struct Post {
    size_t pool_index = 0;
    std::vector<size_t> labels;
    std::vector<std::string> skipped_brands;
  };
  std::vector<Post> posts;
  size_t read = 0;
  size_t skipped = 0;        // stance "skip"
  size_t duplicates = 0;     // (id, brand) labeled again: the first label counts
  size_t disagreements = 0;  // duplicates with another stance
  size_t not_in_pool = 0;
  size_t outside_split = 0;
  size_t outside_catalog = 0;  // labels of brands the catalog does not list: left out
};

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    const std::string item =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) items.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

bool IsInSplit(const std::string& source, const std::string& split,
               const std::vector<std::string>& test_sources) {
  if (split == "all") return true;
  const bool is_test =
      std::find(test_sources.begin(), test_sources.end(), source) != test_sources.end();
  return is_test == (split == "test");
}

// Reads the labels and the pool, and joins them.
Result<JoinedPairs> JoinPairs(const EvalOptions& o) {
  JoinedPairs joined;
  std::vector<Problem> problems;
  std::vector<PairLabel> labels;
  for (const std::string& file : o.pairs) {
    ECOUTE_RETURN_IF_ERROR(ReadPairLabels(file, labels, problems));
  }
  ECOUTE_RETURN_IF_ERROR(ReadPool(o.posts, joined.pool, problems));
  PrintProblems(problems);
  joined.read = labels.size();
  std::unordered_map<std::string, size_t> pool_index;
  for (size_t i = 0; i < joined.pool.size(); ++i) pool_index.emplace(joined.pool[i].id, i);
  const std::vector<std::string> test_sources = SplitList(o.test_sources);
  std::unordered_map<std::string, size_t> post_index;  // pool id -> index into posts
  std::vector<std::string> missing_ids;
  for (PairLabel& label : labels) {
    const auto in_pool = pool_index.find(label.id);
    if (in_pool == pool_index.end()) {
      if (++joined.not_in_pool <= 5) missing_ids.push_back(label.where + " " + label.id);
      continue;
    }
    const PoolPost& post = joined.pool[in_pool->second];
    if (!IsInSplit(post.source, o.split, test_sources)) {
      ++joined.outside_split;
      continue;
    }
    auto [at, is_new] = post_index.emplace(label.id, joined.posts.size());
    if (is_new) joined.posts.push_back({in_pool->second, {}, {}});
    JoinedPairs::Post& entry = joined.posts[at->second];
    const PairLabel* first = nullptr;
    for (const size_t k : entry.labels) {
      if (SameBrand(joined.labels[k].brand, label.brand)) first = &joined.labels[k];
    }
    const auto skipped =
        std::find_if(entry.skipped_brands.begin(), entry.skipped_brands.end(),
                     [&](const std::string& b) { return SameBrand(b, label.brand); });
    if (first != nullptr || skipped != entry.skipped_brands.end()) {
      ++joined.duplicates;
      const std::string& first_stance = first != nullptr ? first->stance : "skip";
      if (first_stance != label.stance) ++joined.disagreements;
      continue;
    }
    if (label.stance == "skip") {
      ++joined.skipped;
      entry.skipped_brands.push_back(label.brand);
      continue;
    }
    entry.labels.push_back(joined.labels.size());
    joined.labels.push_back(std::move(label));
  }
  std::erase_if(joined.posts, [](const JoinedPairs::Post& p) { return p.labels.empty(); });
  if (joined.not_in_pool > 0) {
    std::string examples;
    for (const std::string& id : missing_ids) examples += (examples.empty() ? "" : ", ") + id;
    PrintWarning(std::to_string(joined.not_in_pool) + " labels name a post that is not in " +
                 o.posts + " (" + examples + (joined.not_in_pool > 5 ? ", ...)" : ")"));
  }
  if (joined.labels.empty()) {
    return InvalidArgumentError("no labeled pair to score (" + std::to_string(joined.read) +
                                " labels read, " + std::to_string(joined.outside_split) +
                                " outside the " + o.split + " split, " +
                                std::to_string(joined.skipped) + " skipped, " +
                                std::to_string(joined.not_in_pool) + " not in the pool)");
  }
  return joined;
}

// Leaves out the labels of brands the catalog does not list ("WhatsApp", a product named in
// a review): ecoute looks only for the brands it is given, and a user's catalog lists
// theirs. They are counted and named, not scored.
void DropBrandsOutsideCatalog(JoinedPairs& joined, const BrandCatalog& catalog) {
  std::map<std::string, size_t> unknown;
  std::vector<bool> known(joined.labels.size(), true);
  for (size_t k = 0; k < joined.labels.size(); ++k) {
    const PairLabel& label = joined.labels[k];
    known[k] = std::any_of(catalog.brands.begin(), catalog.brands.end(),
                           [&](const Brand& brand) { return SameBrand(brand.name, label.brand); });
    if (!known[k]) ++unknown[label.brand];
  }
  for (JoinedPairs::Post& post : joined.posts) {
    std::erase_if(post.labels, [&](size_t k) { return !known[k]; });
  }
  std::erase_if(joined.posts, [](const JoinedPairs::Post& post) { return post.labels.empty(); });
  if (unknown.empty()) return;
  std::string list;
  for (const auto& [brand, count] : unknown) {
    joined.outside_catalog += count;
    list += (list.empty() ? "" : ", ") + brand + " (" + std::to_string(count) + ")";
  }
  PrintWarning("left out: labels of brands that are not in the catalog: " + list);
}

const BrandVerdict* FindVerdict(const Analysis& analysis, std::string_view brand) {
  for (const BrandVerdict& verdict : analysis.brands) {
    if (SameBrand(verdict.name, brand)) return &verdict;
  }
  return nullptr;
}

// The pair's predicted stance: the analysis' verdict on the brand when it found it; else,
// when the channel says the post speaks to the brand, the post's stance; else missed.
void PredictPair(const Analysis& analysis, const PoolPost& post, PairOutcome& pair) {
  auto copy_cues = [&](const std::vector<std::string_view>& cues) {
    pair.cues.assign(cues.begin(), cues.end());
  };
  if (const BrandVerdict* verdict = FindVerdict(analysis, pair.brand)) {
    pair.predicted = StanceName(verdict->stance);
    pair.confidence = verdict->confidence;
    copy_cues(verdict->cues);
  } else if (!post.addressee.empty() && SameBrand(post.addressee, pair.brand)) {
    pair.predicted = StanceName(analysis.stance);
    pair.confidence = analysis.confidence;
    copy_cues(analysis.cues);
  } else {
    pair.predicted = kMissed;
  }
}

// Analyzes each post once and gives each of its pairs the analysis' verdict.
void PredictPairs(const JoinedPairs& joined, const Analyzer& analyzer,
                  std::vector<PairOutcome>& pairs, std::vector<PostBrands>& posts) {
  Analyzer::Scratch scratch;
  Analysis analysis;
  Post input;
  for (const JoinedPairs::Post& entry : joined.posts) {
    const PoolPost& post = joined.pool[entry.pool_index];
    input.id = post.id;
    input.text = post.text;
    analyzer.Analyze(input, scratch, analysis);
    const std::string lang = post.lang.empty() ? std::string(analysis.lang) : post.lang;
    PostBrands& brands = posts.emplace_back();
    brands.id = post.id;
    brands.source = post.source;
    brands.addressee = post.addressee;
    for (const BrandVerdict& verdict : analysis.brands) {
      const bool is_skipped =
          std::any_of(entry.skipped_brands.begin(), entry.skipped_brands.end(),
                      [&](const std::string& b) { return SameBrand(b, verdict.name); });
      if (!is_skipped) brands.predicted.emplace_back(verdict.name);
    }
    for (const size_t k : entry.labels) {
      const PairLabel& label = joined.labels[k];
      brands.gold.push_back(label.brand);
      PairOutcome& pair = pairs.emplace_back();
      pair.id = post.id;
      pair.source = post.source;
      pair.lang = lang;
      pair.brand = label.brand;
      pair.gold = label.stance;
      pair.note = label.note;
      pair.text = post.text;
      PredictPair(analysis, post, pair);
    }
  }
}

// The report of --pairs: what was measured (split, system, the labels left out), then the
// scores, as JSON or text.
void AppendPairReport(const EvalOptions& o, const std::string& system, const JoinedPairs& joined,
                      const PairEvaluation& evaluation, std::string& out) {
  const std::vector<std::string> test_sources = SplitList(o.test_sources);
  if (o.output == "json") {
    out += "{\"split\":";
    AppendJsonString(o.split, out);
    out += ",\"test_sources\":";
    AppendJsonStringArray(test_sources, out);
    out += ",\"system\":";
    AppendJsonString(system, out);
    out += ",\"labels\":{\"read\":" + std::to_string(joined.read) +
           ",\"outside_split\":" + std::to_string(joined.outside_split) +
           ",\"skip\":" + std::to_string(joined.skipped) +
           ",\"duplicates\":" + std::to_string(joined.duplicates) +
           ",\"disagreements\":" + std::to_string(joined.disagreements) +
           ",\"not_in_pool\":" + std::to_string(joined.not_in_pool) +
           ",\"outside_catalog\":" + std::to_string(joined.outside_catalog) + "},\"scores\":";
    AppendPairEvaluationJson(evaluation, out);
    out += "}\n";
    return;
  }
  out += system + ", split " + o.split;
  if (o.split != "all") {
    out += o.split == "test" ? " (sources " : " (sources other than ";
    for (size_t k = 0; k < test_sources.size(); ++k) {
      out += (k > 0 ? ", " : "") + test_sources[k];
    }
    out += ')';
  }
  out += "\n\n";
  AppendPairEvaluationText(evaluation, out);
}

int RunPairEval(const EvalOptions& o) {
  if (!o.data.files.empty() || o.task != "stance" || !o.data.fold.empty()) {
    PrintError(
        "--pairs scores the stance of labeled (post, brand) pairs: it takes neither "
        "--data, --task topic nor --fold");
    return kExitUsage;
  }
  if (o.posts.empty() || o.brands.empty()) {
    PrintError("--pairs needs --posts POOL.jsonl (the posts' texts) and --brands CATALOG.toml");
    return kExitUsage;
  }
  if (o.cues_only && !o.model.empty()) {
    PrintError("give --model MODEL or --cues-only, not both");
    return kExitUsage;
  }
  Result<JoinedPairs> joined = JoinPairs(o);
  if (!joined) {
    PrintError(joined.error().message());
    return ExitCodeFor(joined.error());
  }
  Result<BrandCatalog> catalog = LoadCatalog(o.brands);
  if (!catalog) {
    PrintError(catalog.error().message());
    return ExitCodeFor(catalog.error());
  }
  DropBrandsOutsideCatalog(*joined, *catalog);
  const std::string data_dir = o.data_dir.empty() ? DefaultDataDir() : o.data_dir;
  const std::string model = o.cues_only       ? std::string()
                            : o.model.empty() ? DefaultModelPath(data_dir)
                                              : o.model;
  const std::string system = model.empty()     ? "cues"
                             : o.model.empty() ? "shipped model + cues"
                                               : "model " + o.model + " + cues";
  auto analyzer = Analyzer::Create(*catalog, data_dir, model);
  if (!analyzer) {
    PrintError(analyzer.error().message());
    return ExitCodeFor(analyzer.error());
  }
  std::vector<PairOutcome> pairs;
  std::vector<PostBrands> posts;
  PredictPairs(*joined, **analyzer, pairs, posts);
  const PairEvaluation evaluation = EvaluatePairs(pairs, posts);
  std::fprintf(stderr,
               "ecoute: %zu pairs on %zu posts (%zu labels read: %zu outside the %s split, %zu "
               "skip, %zu duplicates of which %zu disagree, %zu not in the pool, %zu of brands "
               "outside the catalog)\n",
               pairs.size(), posts.size(), joined->read, joined->outside_split, o.split.c_str(),
               joined->skipped, joined->duplicates, joined->disagreements, joined->not_in_pool,
               joined->outside_catalog);
  std::string out;
  AppendPairReport(o, system, *joined, evaluation, out);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

// --task topic: every label must be a topic; "none" (the cues found no topic) is added, as
// always wrong, so that it shows in the matrix.
int CheckTopicLabels(std::vector<std::string>& labels) {
  for (const std::string& label : labels) {
    Topic topic;
    if (!ParseTopic(label, topic)) {
      PrintError("--task topic: the data has label \"" + label +
                 "\", which is not a topic (billing, delay, support, product_defect, "
                 "cancellation, contract, staff_attitude, delivery, outage, other); "
                 "map it with --map");
      return kExitDataErr;
    }
  }
  if (std::find(labels.begin(), labels.end(), "none") == labels.end()) labels.emplace_back("none");
  return kExitOk;
}

// --model, which must know every label of the data (but "none" for topics); `in_data` tells,
// for each of the model's labels, whether the data has it.
int LoadEvalModel(const EvalOptions& o, const std::vector<std::string>& labels,
                  std::unique_ptr<LinearModel>& model, std::vector<bool>& in_data) {
  if (o.model.empty()) return kExitOk;
  auto loaded = LinearModel::Load(o.model);
  if (!loaded) {
    PrintError(loaded.error().message());
    return ExitCodeFor(loaded.error());
  }
  model = std::move(loaded).value();
  for (const std::string& label : labels) {
    if (o.task == "topic" && label == "none") continue;
    if (std::find(model->labels().begin(), model->labels().end(), label) == model->labels().end()) {
      PrintError("the data has label \"" + label +
                 "\", which the model does not know; "
                 "map it with --map");
      return kExitDataErr;
    }
  }
  for (const std::string& label : model->labels()) {
    in_data.push_back(std::find(labels.begin(), labels.end(), label) != labels.end());
  }
  return kExitOk;
}

// The analyzer of the cue layer, on --brands when given.
std::unique_ptr<Analyzer> MakeEvalAnalyzer(const EvalOptions& o, int& exit_code) {
  BrandCatalog catalog;
  if (!o.brands.empty()) {
    auto loaded = LoadCatalog(o.brands);
    if (!loaded) {
      PrintError(loaded.error().message());
      exit_code = ExitCodeFor(loaded.error());
      return nullptr;
    }
    catalog = std::move(loaded).value();
  }
  auto analyzer = Analyzer::Create(catalog, o.data_dir.empty() ? DefaultDataDir() : o.data_dir);
  if (!analyzer) {
    PrintError(analyzer.error().message());
    exit_code = ExitCodeFor(analyzer.error());
    return nullptr;
  }
  return std::move(analyzer).value();
}

// Each system's answers, one per example: the cues, the model alone, both combined.
struct EvalAnswers {
  std::vector<std::string> gold, cues, alone, combined;
};

// The model's answer among the data's labels, and the combined one, for one example.
void PredictWithModel(const EvalOptions& o, const LinearModel& model,
                      const std::vector<bool>& in_data, const Analysis& analysis,
                      std::vector<double>& p, EvalAnswers& answers) {
  // A model of more labels than the data's (three stances, scored on two) answers among the
  // data's labels only: its probabilities renormalized over them.
  double kept = 0;
  for (size_t c = 0; c < p.size(); ++c) {
    if (!in_data[c]) p[c] = 0;
    kept += p[c];
  }
  if (kept > 0) {
    for (double& v : p) v /= kept;
  }
  answers.alone.push_back(model.labels()[std::max_element(p.begin(), p.end()) - p.begin()]);
  int best = 0;
  if (o.task == "topic") {
    best = static_cast<int>(
        CombineTopicsWithCues(p, CueTopicScores(model.labels(), analysis), o.cue_weight));
  } else {
    double confidence = 0;
    best = CombineWithCues(p, model.labels(), analysis.stance, analysis.confidence, o.cue_weight,
                           confidence);
  }
  // "Neutral" for want of evidence, in data without neutral: the model's answer.
  if (!in_data[static_cast<size_t>(best)]) {
    best = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
  }
  answers.combined.push_back(model.labels()[best]);
}

EvalAnswers PredictExamples(const EvalOptions& o, const Dataset& dataset,
                            const std::vector<std::string>& labels, const Analyzer& analyzer,
                            const LinearModel* model, const std::vector<bool>& in_data) {
  // A cue verdict the labels lack (neutral in a two-class set) falls back to the first label.
  auto cue_label = [&](Stance stance) {
    const std::string_view label = StanceLabelIn(stance, labels);
    return std::string(label.empty() ? labels.front() : label);
  };
  EvalAnswers answers;
  Analyzer::Scratch scratch;
  Analysis analysis;
  Post post;
  std::vector<std::pair<int, float>> features;
  std::vector<double> p;
  for (const Example& e : dataset.examples) {
    answers.gold.push_back(e.label);
    post.id = e.where;
    post.text = e.text;
    analyzer.Analyze(post, scratch, analysis);
    answers.cues.push_back(o.task == "topic" ? TopCueTopic(analysis) : cue_label(analysis.stance));
    if (model == nullptr) continue;
    ExtractFeatures(e.text, features);
    model->Predict(features, p);
    PredictWithModel(o, *model, in_data, analysis, p, answers);
  }
  return answers;
}

void WriteEvaluations(const EvalOptions& o, const EvalAnswers& answers,
                      const std::vector<std::string>& labels, bool has_model) {
  std::vector<std::pair<std::string, Evaluation>> systems;
  systems.emplace_back("cues", Evaluate(answers.gold, answers.cues, labels));
  if (has_model) {
    systems.emplace_back("model", Evaluate(answers.gold, answers.alone, labels));
    systems.emplace_back("combined", Evaluate(answers.gold, answers.combined, labels));
  }
  std::string out;
  if (o.output == "json") {
    out += "{\"systems\": [";
    for (size_t i = 0; i < systems.size(); ++i) {
      if (i > 0) out += ", ";
      AppendEvaluationJson(systems[i].first, systems[i].second, out);
    }
    out += "]}\n";
  } else {
    for (const auto& [name, evaluation] : systems) {
      AppendEvaluationText(name, evaluation, out);
      out += '\n';
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

int RunEval(const EvalOptions& o) {
  if (!o.pairs.empty()) return RunPairEval(o);
  if (o.data.files.empty()) {
    PrintError(
        "give --data FILE (labeled posts), or --pairs LABELS --posts POOL --brands "
        "CATALOG (labeled (post, brand) pairs)");
    return kExitUsage;
  }
  if (o.model.empty() && !o.cues_only) {
    PrintError("give --model MODEL, or --cues-only to measure the cue layer alone");
    return kExitUsage;
  }
  std::vector<std::string> labels;
  Result<Dataset> dataset = LoadData(o.data, labels);
  if (!dataset) {
    PrintError(dataset.error().message());
    return ExitCodeFor(dataset.error());
  }
  if (o.task == "topic") {
    if (int code = CheckTopicLabels(labels); code != kExitOk) return code;
  }
  std::unique_ptr<LinearModel> model;
  std::vector<bool> in_data;
  if (int code = LoadEvalModel(o, labels, model, in_data); code != kExitOk) return code;
  int exit_code = kExitOk;
  std::unique_ptr<Analyzer> analyzer = MakeEvalAnalyzer(o, exit_code);
  if (analyzer == nullptr) return exit_code;
  const EvalAnswers answers = PredictExamples(o, *dataset, labels, *analyzer, model.get(), in_data);
  WriteEvaluations(o, answers, labels, model != nullptr);
  return kExitOk;
}

}  // namespace

std::function<int()> AddTrainCommand(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  o->data.keep_fold = false;
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train the stance model on labeled posts (CSV, JSON lines, JSON, fastText or text +\n"
      "labels files); several --data files add up, a team's corrections included.");
  AddDataOptions(*cmd, o->data, /*is_data_required=*/true);
  cmd->add_option("--out", o->out, "model file to write")->required();
  cmd->add_option("--c", o->c, "inverse regularization strength (default 16)");
  cmd->add_option("--dev-share", o->dev_share, "share held out to report a dev score (0.1)");
  cmd->add_option("--hold-out-fold", o->data.fold,
                  "K/N: leave out fold K of N (by a hash of the text), to measure on it with "
                  "eval --fold K/N");
  cmd->add_flag("--balance", o->balance,
                "weigh every label the same, whatever its share of the data (a flat prior)");
  return [o] { return RunTrain(*o); };
}

std::function<int()> AddEvalCommand(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval",
      "Measure stance (or topic) verdicts against labeled posts: accuracy, macro-F1,\n"
      "per-class precision/recall/F1 and the confusion matrix, for the cues, the model and\n"
      "both. With --pairs, --posts and --brands: the stance per (post, brand) pair, per\n"
      "language and source, the brands found, the most confident errors and the hard cases.");
  AddDataOptions(*cmd, o->data, /*is_data_required=*/false);
  cmd->add_option("--fold", o->data.fold,
                  "K/N: evaluate only fold K of N (by a hash of the text), the one a model "
                  "trained with --hold-out-fold K/N has not seen");
  cmd->add_option("--task", o->task,
                  "stance (the default) or topic: the labels are topic names, and the cues' "
                  "answer is the post's first topic (\"none\" when it has none)")
      ->check(CLI::IsMember({"stance", "topic"}));
  cmd->add_option("--model", o->model, "model file from `ecoute train`");
  cmd->add_flag("--cues-only", o->cues_only, "measure the cue layer alone");
  cmd->add_option("--cue-weight", o->cue_weight, "weight of the cues when combined (2)");
  cmd->add_option("--output", o->output, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--brands", o->brands, "brand catalog (TOML)");
  cmd->add_option("--data-dir", o->data_dir, "folder holding lexicon/");
  CLI::Option* pairs =
      cmd->add_option("--pairs", o->pairs,
                      "labels of (post, brand) pairs, JSON lines {id, source, brand, stance, "
                      "note...} (repeat for several): scores the stance per brand, the brands "
                      "found and the hardest errors, with the shipped model and the cues "
                      "unless --model or --cues-only says otherwise");
  cmd->add_option("--posts", o->posts,
                  "with --pairs: the pool of posts, JSON lines {id, source, addressee, text}")
      ->needs(pairs);
  cmd->add_option("--split", o->split,
                  "with --pairs: dev (sources other than --test-sources), test or all (the "
                  "default)")
      ->check(CLI::IsMember({"dev", "test", "all"}))
      ->needs(pairs);
  cmd->add_option("--test-sources", o->test_sources,
                  "with --pairs: the sources of the test split, comma-separated (default "
                  "fr-rerc-tweets,fr-showroomprive-trustpilot,en-twcs)")
      ->needs(pairs);
  return [o] { return RunEval(*o); };
}

}  // namespace ecoute::cli
