#include "classify/linear_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <linear.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "extract/word_index.h"
#include "text/normalize.h"

namespace ecoute {
namespace {

constexpr std::string_view kMagic = "ecoute-model 2";
constexpr int kFeatureCount = 1 << kFeatureBits;
constexpr int kBiasFeature = kFeatureCount + 1;  // LIBLINEAR indexes start at 1

int FeatureIndex(uint64_t hash) { return static_cast<int>(hash >> (64 - kFeatureBits)) + 1; }

bool IsDigits(std::string_view token) {
  return !token.empty() &&
         std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void Silence(const char*) {}

// Words of kStemMinBytes bytes or more add a feature for their first kStemBytes bytes
// (chosen on the training airlines: +0.8 points of model accuracy on a held-out airline).
constexpr size_t kStemMinBytes = 7;
constexpr size_t kStemBytes = 5;
constexpr uint64_t kStemSalt = 0x9E3779B97F4A7C15ULL;

}  // namespace

void ExtractFeatures(std::string_view text, std::vector<std::pair<int, float>>& out) {
  NormalizedText n;
  Normalize(text, n);
  FeatureExtractor extractor;
  extractor.Extract(n.text, out);
  std::sort(out.begin(), out.end());
}

uint64_t SplitHash(std::string_view text) { return WordIndex::Hash(text); }

FeatureExtractor::FeatureExtractor() : seen_((size_t{1} << kFeatureBits) / 64 + 1, 0) {}

void FeatureExtractor::Extract(std::string_view t, std::vector<std::pair<int, float>>& out) {
  out.clear();
  // Each feature once, in text order; its value is set at the end, when the count is known.
  auto add = [&](int index) {
    uint64_t& word = seen_[static_cast<size_t>(index) >> 6];
    const uint64_t bit = uint64_t{1} << (index & 63);
    if ((word & bit) == 0) {
      word |= bit;
      out.emplace_back(index, 0.0f);
    }
  };
  uint64_t previous = 0;
  bool has_previous = false;
  size_t i = 0;
  while (i < t.size()) {
    if (t[i] == ' ') {
      ++i;
      continue;
    }
    size_t length = FirstTokenLength(t.substr(i));
    std::string_view token = t.substr(i, length);
    if (token.size() > 1 && token[0] == '@') {
      token = "@user";
    } else if ((token == "http" || token == "https") && t.substr(i + length, 3) == "://") {
      while (i + length < t.size() && t[i + length] != ' ') ++length;
      token = "<url>";
    } else if (IsDigits(token)) {
      token = "<num>";
    }
    const uint64_t hash = WordIndex::Hash(token);
    add(FeatureIndex(hash));
    // A long word also counts by its first letters, a poor man's stem that pools
    // "cancelled", "cancellation" and "remboursé", "remboursement".
    if (token.size() >= kStemMinBytes) {
      add(FeatureIndex(WordIndex::Hash(token.substr(0, kStemBytes)) ^ kStemSalt));
    }
    if (has_previous) add(FeatureIndex((previous * 0x9E3779B97F4A7C15ULL) ^ (hash >> 1)));
    previous = hash;
    has_previous = true;
    i += length;
  }
  const float value = out.empty() ? 0.0f : 1.0f / std::sqrt(static_cast<float>(out.size()));
  for (auto& feature : out) {
    feature.second = value;
    seen_[static_cast<size_t>(feature.first) >> 6] = 0;  // ready for the next text
  }
}

void FeatureExtractor::Extract(std::string_view t, const std::vector<Token>& tokens,
                               std::vector<std::pair<int, float>>& out) {
  static const uint64_t kUserHash = WordIndex::Hash("@user");
  static const uint64_t kUrlHash = WordIndex::Hash("<url>");
  static const uint64_t kNumberHash = WordIndex::Hash("<num>");
  // At most three features a token. Written without a branch on whether a feature is new,
  // which a text's repeated words make hard to predict.
  const size_t most = 3 * tokens.size();
  if (buffer_.size() < most) buffer_.resize(most);
  std::pair<int, float>* const features = buffer_.data();
  size_t count = 0;
  auto add = [&](int index) {
    uint64_t& word = seen_[static_cast<size_t>(index) >> 6];
    const uint64_t bit = uint64_t{1} << (index & 63);
    features[count] = {index, 0.0f};
    count += (word & bit) == 0 ? 1 : 0;
    word |= bit;
  };
  // As the loop above: the tokens are the same, except that the scan also starts one
  // after the sign of "@user" and "#tag", and inside URLs; those are skipped here.
  uint64_t previous = 0;
  bool has_previous = false;
  size_t next = 0;  // where the loop above would read its next token
  for (const Token& token : tokens) {
    if (token.start < next) continue;
    size_t length = token.length;
    uint64_t hash = token.hash;
    const char* bytes = t.data() + token.start;
    bool is_generalized = true;  // "@user", "<url>", "<num>": no stem
    if (length > 1 && bytes[0] == '@') {
      hash = kUserHash;
    } else if ((length == 4 || length == 5) &&
               (std::string_view(bytes, length) == "http" ||
                std::string_view(bytes, length) == "https") &&
               t.substr(token.start + length, 3) == "://") {
      while (token.start + length < t.size() && t[token.start + length] != ' ') ++length;
      hash = kUrlHash;
    } else if (IsDigits(std::string_view(bytes, length))) {
      hash = kNumberHash;
    } else {
      is_generalized = false;
    }
    add(FeatureIndex(hash));
    if (!is_generalized && length >= kStemMinBytes) {
      add(FeatureIndex(WordIndex::Hash(std::string_view(bytes, kStemBytes)) ^ kStemSalt));
    }
    if (has_previous) add(FeatureIndex((previous * 0x9E3779B97F4A7C15ULL) ^ (hash >> 1)));
    previous = hash;
    has_previous = true;
    next = token.start + length;
  }
  out.assign(features, features + count);
  const float value = out.empty() ? 0.0f : 1.0f / std::sqrt(static_cast<float>(out.size()));
  for (auto& feature : out) {
    feature.second = value;
    seen_[static_cast<size_t>(feature.first) >> 6] = 0;  // ready for the next text
  }
}

Result<std::unique_ptr<LinearModel>> LinearModel::Train(
    const std::vector<std::string>& labels, const std::vector<TrainingExample>& examples,
    const TrainingOptions& options) {
  if (labels.size() < 2) {
    return InvalidArgumentError("training needs at least two labels, got " +
                                std::to_string(labels.size()));
  }
  if (examples.empty()) return InvalidArgumentError("training needs examples, got none");
  set_print_string_function(Silence);
  // LIBLINEAR's problem: one row of feature nodes per example, the bias as a last feature.
  std::vector<std::vector<feature_node>> rows(examples.size());
  std::vector<feature_node*> x(examples.size());
  std::vector<double> y(examples.size());
  for (size_t i = 0; i < examples.size(); ++i) {
    for (const auto& [index, value] : examples[i].features) rows[i].push_back({index, value});
    rows[i].push_back({kBiasFeature, 1.0});
    rows[i].push_back({-1, 0.0});
    x[i] = rows[i].data();
    y[i] = examples[i].label;
  }
  problem prob{};
  prob.l = static_cast<int>(examples.size());
  prob.n = kBiasFeature;
  prob.y = y.data();
  prob.x = x.data();
  prob.bias = -1;
  parameter param{};
  param.solver_type = L2R_LR;
  param.eps = options.epsilon;
  param.C = options.c;
  std::vector<int> weight_label;
  std::vector<double> weight;
  if (options.balance_labels) {
    std::vector<size_t> count(labels.size(), 0);
    for (const TrainingExample& e : examples) ++count[static_cast<size_t>(e.label)];
    size_t present = 0;
    for (const size_t c : count) present += c > 0 ? 1 : 0;
    for (size_t label = 0; label < labels.size(); ++label) {
      if (count[label] == 0) continue;
      weight_label.push_back(static_cast<int>(label));
      weight.push_back(static_cast<double>(examples.size()) /
                       static_cast<double>(present * count[label]));
    }
    param.nr_weight = static_cast<int>(weight.size());
    param.weight_label = weight_label.data();
    param.weight = weight.data();
  }
  if (const char* error = check_parameter(&prob, &param); error != nullptr) {
    return InvalidArgumentError(std::string("invalid training parameters: ") + error);
  }
  model* trained = ::train(&prob, &param);
  if (trained == nullptr) return InternalError("LIBLINEAR could not train a model");

  std::unique_ptr<LinearModel> m(new LinearModel());
  m->labels_ = labels;
  const size_t label_count = labels.size();
  const int nr_class = trained->nr_class;
  // LIBLINEAR numbers classes in order of appearance; with two classes it keeps one weight
  // vector, for its first class. Only features with a weight are kept.
  std::vector<uint32_t> kept;
  std::vector<float> weights;
  std::vector<float> row(label_count);
  for (int f = 1; f <= kBiasFeature; ++f) {
    std::fill(row.begin(), row.end(), 0.0f);
    bool any = false;
    for (int c = 0; c < nr_class; ++c) {
      const int label = trained->label[c];
      double w;
      if (nr_class == 2) {
        w = trained->w[f - 1] * (c == 0 ? 1.0 : -1.0);
      } else {
        w = trained->w[static_cast<size_t>(f - 1) * nr_class + c];
      }
      row[static_cast<size_t>(label)] = static_cast<float>(w);
      any |= row[static_cast<size_t>(label)] != 0.0f;
    }
    if (f == kBiasFeature) {
      m->bias_ = row;
    } else if (any) {
      kept.push_back(static_cast<uint32_t>(f));
      weights.insert(weights.end(), row.begin(), row.end());
    }
  }
  m->BuildTable(kept, weights);
  free_and_destroy_model(&trained);
  return m;
}

void LinearModel::BuildTable(const std::vector<uint32_t>& indexes, const std::vector<float>& rows) {
  const size_t label_count = labels_.size();
  stride_ = 1 + label_count;
  // Open addressing, at most half full: a lookup reads one slot, rarely two.
  slot_bits_ = 4;
  while ((size_t{1} << slot_bits_) < 2 * indexes.size()) ++slot_bits_;
  slots_.assign((size_t{1} << slot_bits_) * stride_, 0.0f);
  const size_t mask = (size_t{1} << slot_bits_) - 1;
  for (size_t r = 0; r < indexes.size(); ++r) {
    size_t slot = SlotOf(indexes[r]);
    while (SlotIndex(slot) != 0) slot = (slot + 1) & mask;
    float* at = slots_.data() + slot * stride_;
    std::memcpy(at, &indexes[r], sizeof(uint32_t));
    std::copy_n(rows.data() + r * label_count, label_count, at + 1);
  }
}

const float* LinearModel::Row(uint32_t index) const {
  const size_t mask = (size_t{1} << slot_bits_) - 1;
  for (size_t slot = SlotOf(index);; slot = (slot + 1) & mask) {
    const uint32_t at = SlotIndex(slot);
    if (at == index) return slots_.data() + slot * stride_ + 1;
    if (at == 0) return nullptr;
  }
}

void LinearModel::Predict(const std::vector<std::pair<int, float>>& features,
                          std::vector<double>& out) const {
  const size_t label_count = labels_.size();
  out.assign(bias_.begin(), bias_.end());
  // The slots are scattered over the table: ask for a few ahead while adding one.
  constexpr size_t kPrefetchAhead = 8;
  for (size_t i = 0; i < features.size(); ++i) {
    if (i + kPrefetchAhead < features.size()) {
      const auto ahead = static_cast<uint32_t>(features[i + kPrefetchAhead].first);
      __builtin_prefetch(slots_.data() + SlotOf(ahead) * stride_);
    }
    const auto [index, value] = features[i];
    if (index < 1 || index > kFeatureCount) continue;
    const float* w = Row(static_cast<uint32_t>(index));
    if (w == nullptr) continue;
    double* sums = out.data();
    size_t c = 0;
#if defined(__SSE2__)
    // Two labels at a time, each sum as the loop below makes it: the product in float, then
    // added in double.
    const __m128 factor = _mm_set1_ps(value);
    for (; c + 2 <= label_count; c += 2) {
      const __m128 weights =
          _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(w + c)));
      const __m128d products = _mm_cvtps_pd(_mm_mul_ps(weights, factor));
      _mm_storeu_pd(sums + c, _mm_add_pd(_mm_loadu_pd(sums + c), products));
    }
#endif
    for (; c < label_count; ++c) sums[c] += w[c] * value;
  }
  // One-vs-rest logistic outputs, normalized.
  double sum = 0;
  for (double& v : out) {
    v = 1.0 / (1.0 + std::exp(-v));
    sum += v;
  }
  for (double& v : out) v = sum > 0 ? v / sum : 1.0 / static_cast<double>(label_count);
}

Status LinearModel::Save(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return NotFoundError(path + ": cannot write the model");
  out << kMagic << "\nlabels";
  for (const std::string& label : labels_) out << ' ' << label;
  out << "\nfeature_bits " << kFeatureBits << '\n';
  for (const std::string& line : provenance_) {
    std::string clean = line;
    std::replace(clean.begin(), clean.end(), '\n', ' ');
    out << "# " << clean << '\n';
  }
  // The rows with a weight, by ascending feature, then the bias: each row a little-endian
  // uint32 feature and one float32 per label (the machines ecoute runs on are
  // little-endian).
  std::vector<uint32_t> indexes;
  for (size_t slot = 0; slot < (size_t{1} << slot_bits_); ++slot) {
    if (SlotIndex(slot) != 0) indexes.push_back(SlotIndex(slot));
  }
  std::sort(indexes.begin(), indexes.end());
  out << "rows " << indexes.size() << '\n';
  for (const uint32_t index : indexes) {
    out.write(reinterpret_cast<const char*>(&index), sizeof index);
    out.write(reinterpret_cast<const char*>(Row(index)),
              static_cast<std::streamsize>(labels_.size() * sizeof(float)));
  }
  out.write(reinterpret_cast<const char*>(bias_.data()),
            static_cast<std::streamsize>(bias_.size() * sizeof(float)));
  if (!out) return DataLossError(path + ": write failed");
  return OkStatus();
}

Result<std::unique_ptr<LinearModel>> LinearModel::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open the model");
  std::unique_ptr<LinearModel> m(new LinearModel());
  std::string line;
  if (std::getline(in, line) && line == "ecoute-model 1") {
    return InvalidArgumentError(path +
                                ": an ecoute model of format 1; retrain it with this "
                                "version of ecoute (format 2 keeps only the weighted features)");
  }
  if (line != kMagic) {
    return InvalidArgumentError(path + ": not an ecoute model (first line should be \"" +
                                std::string(kMagic) + "\")");
  }
  size_t count = 0;
  int bits = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "labels") {
      std::string label;
      while (fields >> label) m->labels_.push_back(label);
    } else if (key == "feature_bits") {
      fields >> bits;
    } else if (key == "#") {
      m->provenance_.push_back(line.size() > 2 ? line.substr(2) : "");
    } else if (key == "rows") {
      fields >> count;
      break;
    } else {
      return InvalidArgumentError(path + ": unknown header line \"" + line + "\"");
    }
  }
  if (bits != kFeatureBits) {
    return InvalidArgumentError(path + ": feature_bits " + std::to_string(bits) +
                                ", this build reads " + std::to_string(kFeatureBits));
  }
  constexpr size_t kMaxLabels = 1000;
  if (m->labels_.size() < 2 || m->labels_.size() > kMaxLabels) {
    return InvalidArgumentError(path + ": " + std::to_string(m->labels_.size()) +
                                " labels (a model has 2 to 1000)");
  }
  if (count > static_cast<size_t>(kFeatureCount)) {
    return InvalidArgumentError(path + ": " + std::to_string(count) + " rows, more than the " +
                                std::to_string(kFeatureCount) + " features");
  }
  const size_t label_count = m->labels_.size();
  // Grown as rows arrive: a header announcing more rows than the file holds costs nothing.
  std::vector<uint32_t> indexes;
  std::vector<float> rows;
  std::vector<float> row(label_count);
  uint32_t previous = 0;
  for (size_t r = 0; r < count; ++r) {
    uint32_t index = 0;
    in.read(reinterpret_cast<char*>(&index), sizeof index);
    in.read(reinterpret_cast<char*>(row.data()),
            static_cast<std::streamsize>(label_count * sizeof(float)));
    if (!in) return DataLossError(path + ": truncated (rows end early)");
    indexes.push_back(index);
    rows.insert(rows.end(), row.begin(), row.end());
    if (indexes[r] <= previous || indexes[r] > static_cast<uint32_t>(kFeatureCount)) {
      return InvalidArgumentError(path + ": row " + std::to_string(r + 1) + " has feature " +
                                  std::to_string(indexes[r]) +
                                  " (features ascend, from 1 to 2^feature_bits)");
    }
    previous = indexes[r];
  }
  m->bias_.resize(label_count);
  in.read(reinterpret_cast<char*>(m->bias_.data()),
          static_cast<std::streamsize>(label_count * sizeof(float)));
  if (!in) return DataLossError(path + ": truncated (the bias is missing)");
  if (in.peek() != std::char_traits<char>::eof()) {
    return InvalidArgumentError(path + ": bytes after the bias (a corrupt file?)");
  }
  m->BuildTable(indexes, rows);
  return m;
}

std::string_view StanceLabelIn(Stance stance, const std::vector<std::string>& labels) {
  auto has = [&](std::string_view name) {
    return std::find(labels.begin(), labels.end(), name) != labels.end();
  };
  const std::string_view name = StanceName(stance);
  if (has(name)) return name;
  switch (stance) {
    case Stance::kResolution:
      return has("praise") ? "praise" : "";
    case Stance::kPraise:
      return has("resolution") ? "resolution" : "";
    case Stance::kQuestion:
      return has("neutral") ? "neutral" : "";
    default:
      return "";
  }
}

int CombineWithCues(const std::vector<double>& probabilities,
                    const std::vector<std::string>& labels, Stance cue_stance,
                    double cue_confidence, double cue_weight, double& confidence) {
  std::vector<double> score(probabilities.size());
  for (size_t c = 0; c < probabilities.size(); ++c) {
    score[c] = std::log(std::max(probabilities[c], 1e-9));
  }
  // Cues that find nothing and a model that is not sure: the post stays neutral, rather than
  // taking the model's prior (a model of English airline tweets knows nothing of a French
  // post about a film, and would call it its majority class).
  if (cue_stance == Stance::kNeutral) {
    const auto neutral = std::find(labels.begin(), labels.end(), "neutral");
    const double top = *std::max_element(probabilities.begin(), probabilities.end());
    if (neutral != labels.end() && top < kModelSureProbability) {
      const auto index = static_cast<size_t>(neutral - labels.begin());
      confidence = probabilities[index];
      return static_cast<int>(index);
    }
  }
  if (cue_stance != Stance::kNeutral) {
    const std::string_view label = StanceLabelIn(cue_stance, labels);
    for (size_t c = 0; c < labels.size(); ++c) {
      if (labels[c] == label) score[c] += cue_weight * cue_confidence;
    }
  }
  const int best = static_cast<int>(std::max_element(score.begin(), score.end()) - score.begin());
  double sum = 0;
  for (const double s : score) sum += std::exp(s - score[best]);
  confidence = 1.0 / sum;
  return best;
}

size_t CombineTopicsWithCues(const std::vector<double>& probabilities,
                             const std::vector<double>& cue_scores, double cue_weight) {
  size_t best = 0;
  double best_score = -1e300;
  for (size_t c = 0; c < probabilities.size(); ++c) {
    const double cue = c < cue_scores.size() ? cue_scores[c] : 0.0;
    const double score = std::log(std::max(probabilities[c], 1e-9)) + cue_weight * cue;
    if (score > best_score) {
      best_score = score;
      best = c;
    }
  }
  return best;
}

}  // namespace ecoute
