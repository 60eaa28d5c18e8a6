// The Analyzer: normalize -> scan (brands and cues in one pass) -> walk the hits -> facts
// and language -> confirm brands -> stance per brand -> overall stance -> topics ->
// severity and priority, for one post at a time. The steps live in the files that
// analyzer_internal.h lists.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "analyze/analyzer_internal.h"
#include "text/language.h"

namespace ecoute {

std::string_view Slice(std::string_view original, const NormalizedText& n, uint32_t begin,
                       uint32_t end) {
  const uint32_t b = n.OriginalBegin(begin);
  const uint32_t e = n.OriginalEnd(end);
  return original.substr(b, e > b ? e - b : 0);
}

Analyzer::Scratch::Scratch() : state_(std::make_unique<State>()) {}
Analyzer::Scratch::~Scratch() = default;

Analyzer::Analyzer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Analyzer::~Analyzer() = default;

size_t Analyzer::brand_count() const { return impl_->catalog.brands.size(); }
size_t Analyzer::pattern_count() const { return impl_->scanner->pattern_count(); }

std::string DefaultDataDir() {
  if (const char* env = std::getenv("ECOUTE_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "ecoute";
    if (std::filesystem::is_directory(installed / "lexicon", ec)) return installed.string();
  }
  return ECOUTE_SOURCE_DATA_DIR;
}

namespace {
std::string ShippedModel(const std::string& data_dir, const char* name) {
  const auto path = std::filesystem::path(data_dir) / "model" / name;
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) ? path.string() : std::string();
}
}  // namespace

std::string DefaultModelPath(const std::string& data_dir) {
  return ShippedModel(data_dir, "stance.model");
}

std::string DefaultTopicModelPath(const std::string& data_dir) {
  return ShippedModel(data_dir, "topics.model");
}

Result<std::unique_ptr<Analyzer>> Analyzer::Create(const BrandCatalog& catalog,
                                                   const std::string& data_dir,
                                                   const std::string& model_path,
                                                   const std::string& topic_model_path) {
  auto impl = std::make_unique<Impl>();
  impl->catalog = catalog;
  ECOUTE_ASSIGN_OR_RETURN(impl->lexicon,
                          LoadLexicon((std::filesystem::path(data_dir) / "lexicon").string()));
  ECOUTE_ASSIGN_OR_RETURN(impl->scanner, Scanner::Compile(impl->catalog, impl->lexicon));
  if (!model_path.empty()) {
    ECOUTE_ASSIGN_OR_RETURN(impl->model, LinearModel::Load(model_path));
    for (const std::string& label : impl->model->labels()) {
      Stance stance = Stance::kNeutral;
      impl->model_stances.emplace_back(ParseStance(label, stance), stance);
    }
  }
  if (!topic_model_path.empty()) {
    ECOUTE_ASSIGN_OR_RETURN(impl->topic_model, LinearModel::Load(topic_model_path));
    for (const std::string& label : impl->topic_model->labels()) {
      Topic topic = Topic::kOther;
      if (!ParseTopic(label, topic)) {
        return InvalidArgumentError(topic_model_path + ": label \"" + label +
                                    "\" is not a topic; a topic model's labels are topic names");
      }
      impl->model_topics.push_back(topic);
    }
  }
  for (uint32_t i = 0; i < impl->catalog.brands.size(); ++i) {
    for (const std::string& domain : impl->catalog.brands[i].domains) {
      impl->brand_by_domain.emplace(domain, i);
    }
  }
  return std::unique_ptr<Analyzer>(new Analyzer(std::move(impl)));
}

void Analyzer::Analyze(const Post& post, Scratch& scratch, Analysis& out) const {
  impl_->Analyze(post, scratch.state(), out);
}

void Analyzer::Impl::Analyze(const Post& post, Scratch::State& s, Analysis& out) const {
  const std::string_view original = post.text;
  NormalizedText& n = s.normalized;
  Normalize(original, n);
  scanner->Scan(n.text, n.paragraph_ends, s.scan, s.hits, s.function_counts);
  Reset(post, s, out);
  WalkHits(original, s);
  AddFacts(post, s, out);
  DecideLanguage(original, s, out);
  ConfirmBrands(post, s, out);
  DecideBrandStances(original, s, out);
  const double complaint_strength = DecideOverallStance(original, s, out);
  out.has_model = model != nullptr;
  if (model) CombineWithModel(s, out);
  double topic_weight[kTopicCount] = {};
  FindTopics(original, s, topic_weight, out);
  ReadFaultAsComplaint(original, n, s, topic_weight, out);
  QuietBystanders(original, out);
  ChooseComplaintTopics(s, out);
  Score(post, out, complaint_strength);
}

void Analyzer::Impl::Reset(const Post& post, Scratch::State& s, Analysis& out) {
  out.id = post.id;
  out.brands.clear();
  out.topics.clear();
  out.cues.clear();
  out.reasons.clear();
  out.used_cld2 = false;
  s.mentions.clear();
  s.has_features = false;
  s.exclusions.clear();
  s.stance_cues.clear();
  s.topic_cues.clear();
  s.topic_sentences.clear();
  s.irony = 0;
  s.names_outside_cause = false;
}

// Money, durations, channels, signals and links from the hits, then the links the source
// gave with the post.
void Analyzer::Impl::AddFacts(const Post& post, Scratch::State& s, Analysis& out) const {
  ExtractFacts(post.text, s.normalized, s.hits, *scanner, lexicon, s.facts, out.facts);
  for (const std::string& link : post.links) {
    if (std::find(out.facts.links.begin(), out.facts.links.end(), link) == out.facts.links.end()) {
      out.facts.links.emplace_back(link);
    }
  }
}

void Analyzer::Impl::DecideLanguage(std::string_view original, Scratch::State& s,
                                    Analysis& out) const {
  out.langs.clear();
  const size_t lang_count = lexicon.langs.size();
  const size_t paragraphs = s.normalized.paragraph_ends.size() + 1;
  uint32_t best = 0;
  uint32_t best_count = 0;
  uint32_t second_count = 0;
  for (uint32_t l = 0; l < lang_count; ++l) {
    uint32_t count = 0;
    for (size_t p = 0; p < paragraphs; ++p) count += s.function_counts[p * lang_count + l];
    if (count > best_count) {
      second_count = best_count;
      best_count = count;
      best = l;
    } else if (count > second_count) {
      second_count = count;
    }
  }
  const bool is_conclusive =
      (best_count >= 3 && best_count >= 3 * second_count) || (best_count >= 2 && second_count == 0);
  if (!is_conclusive) {
    out.used_cld2 = true;
    out.lang = DetectLanguageWithCld2(original, out.langs);
    if (out.lang == "und" && best_count > second_count) {
      out.lang = lexicon.langs[best];
      out.langs.assign(1, {out.lang, 1.0});
    }
    return;
  }
  out.lang = lexicon.langs[best];
  if (paragraphs == 1) {
    out.langs.assign(1, {out.lang, 1.0});
    return;
  }
  // Shares by paragraph: a paragraph with clear evidence of its own counts for its
  // language, the others for the post's.
  double bytes_per_lang[256] = {};
  uint32_t previous_end = 0;
  const auto total = static_cast<double>(s.normalized.text.size());
  for (size_t p = 0; p < paragraphs; ++p) {
    const uint32_t end = p < s.normalized.paragraph_ends.size()
                             ? s.normalized.paragraph_ends[p]
                             : static_cast<uint32_t>(s.normalized.text.size());
    uint32_t p_best = best;
    uint32_t p_best_count = 0;
    uint32_t p_second = 0;
    for (uint32_t l = 0; l < lang_count; ++l) {
      const uint32_t c = s.function_counts[p * lang_count + l];
      if (c > p_best_count) {
        p_second = p_best_count;
        p_best_count = c;
        p_best = l;
      } else if (c > p_second) {
        p_second = c;
      }
    }
    const bool is_clear = p_best_count >= 2 && p_best_count >= 2 * p_second;
    bytes_per_lang[is_clear ? p_best : best] += end - previous_end;
    previous_end = end;
  }
  for (uint32_t l = 0; l < lang_count; ++l) {
    if (bytes_per_lang[l] > 0) out.langs.push_back({lexicon.langs[l], bytes_per_lang[l] / total});
  }
  std::stable_sort(
      out.langs.begin(), out.langs.end(),
      [](const LanguageShare& a, const LanguageShare& b) { return a.share > b.share; });
  out.lang = out.langs.front().lang;
}

}  // namespace ecoute
