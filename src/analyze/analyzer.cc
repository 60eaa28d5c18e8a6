// The Analyzer: normalize -> scan (brands and cues in one pass) -> facts -> stance per
// brand -> topics -> severity and priority, for one post at a time.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unordered_map>

#include <utf8proc.h>

#include "ecoute/analysis.h"

#include "classify/linear_model.h"
#include "classify/stance.h"
#include "extract/facts.h"
#include "extract/lexicon.h"
#include "extract/scanner.h"
#include "text/language.h"
#include "text/normalize.h"
#include "util/url.h"
#include "util/utf8.h"

namespace ecoute {

namespace {

// At most this many cues are shown per verdict: enough to see why, short enough to read.
constexpr size_t kMaxCuesShown = 8;
// The weight of fault-topic cues (outage, defect, delay) that makes a question or
// a flat report a complaint: one strong cue ("panne", "plus internet") or two plain ones.
constexpr double kFaultComplaintWeight = 1.5;

// An irony cue this heavy turns praise into a complaint by itself ("#oupas", 🙄); a lighter
// one ("bravo", "quel professionnalisme") only beside a complaint or a fault.
constexpr double kStrongIrony = 2;

// How much an urgency signal (legal threat, long wait...) counts as a complaint cue.
constexpr double kSignalComplaintWeight = 0.75;
// Weight of the cues against the model's log-probabilities (see CombineWithCues): chosen
// on the training airlines (docs/EVALUATION.md).
constexpr double kModelCueWeight = 2.0;
// Spans reported per brand; `mentions` still counts them all.
constexpr size_t kMaxSpansPerBrand = 256;
// A negator flips a stance cue that starts within this many words after it.
constexpr int kNegationWindowWords = 3;
// An intensifier strengthens a stance cue within this many words after it.
constexpr int kIntensifierWindowWords = 2;

// A stance cue in the text, with the normalized range to show (negator included).
struct LocatedStanceCue {
  StanceCue cue;
  uint32_t sentence = 0;
  uint32_t show_begin = 0;
  uint32_t show_end = 0;
};

struct LocatedTopicCue {
  Topic topic = Topic::kOther;
  double weight = 0;
  uint32_t sentence = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct Mention {
  uint32_t brand = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t sentence = 0;
  bool needs_context = false;  // a common word not yet confirmed
  bool is_capitalized_mid_sentence = false;
  bool follows_brand_frame = false;  // "chez orange", "client free", "switched to three"
};

// Number of words strictly between normalized positions `from` and `to` (from <= to), or
// a large number when the gap is long.
int WordsBetween(std::string_view text, uint32_t from, uint32_t to) {
  if (to < from || to - from > 64) return 1000;
  int spaces = 0;
  for (uint32_t i = from; i < to; ++i) spaces += text[i] == ' ';
  return std::max(0, spaces - 1);
}

// The word of normalized `text` that ends just before `end` (spaces and punctuation
// skipped), "" at the start.
std::string_view WordBefore(std::string_view text, size_t end) {
  while (end > 0 && IsWordBoundaryBefore(text, end)) --end;
  size_t begin = end;
  while (begin > 0 && !IsWordBoundaryBefore(text, begin)) --begin;
  return text.substr(begin, end - begin);
}

// Whether a common word at `begin` of normalized `text` follows words that only a company
// follows: "chez orange", "client free", "abonnée chez sfr", "customer of three",
// "switched to orange". Such a word is the brand, written in lower case or not.
bool FollowsBrandFrame(std::string_view text, size_t begin) {
  static constexpr std::string_view kFrames[] = {
      "chez",    "client",   "cliente",   "clients",     "clientes", "abonne",   "abonnee",
      "abonnes", "abonnees", "operateur", "fournisseur", "customer", "customers"};
  static constexpr std::string_view kLinks[] = {"de", "d", "a", "of", "to", "with"};
  static constexpr std::string_view kMoves[] = {"switched", "switching", "moved",  "moving",
                                                "passe",    "partir",    "repars", "retourne"};
  const auto in = [](std::string_view word, const auto& list) {
    return std::find(std::begin(list), std::end(list), word) != std::end(list);
  };
  const std::string_view previous = WordBefore(text, begin);
  if (previous.empty()) return false;
  if (in(previous, kFrames)) return true;
  if (!in(previous, kLinks)) return false;
  const size_t at = static_cast<size_t>(previous.data() - text.data());
  const std::string_view before = WordBefore(text, at);
  return in(before, kFrames) || in(before, kMoves);
}

// Whether a clause ends between two points of the normalized text: a comma, semicolon or
// colon in the original between them. Negation does not reach past one: in "commande
// jamais livrée, scandale", "jamais" says nothing of "scandale".
bool ClauseBreakBetween(std::string_view original, const NormalizedText& n, uint32_t from,
                        uint32_t to) {
  const uint32_t begin = n.OriginalEnd(from);
  const uint32_t end = std::min<size_t>(n.OriginalBegin(to), original.size());
  for (uint32_t i = begin; i < end; ++i) {
    if (original[i] == ',' || original[i] == ';' || original[i] == ':') return true;
  }
  return false;
}

bool IsUpperCodepointAt(std::string_view original, size_t at) {
  if (at >= original.size()) return false;
  const auto c = static_cast<unsigned char>(original[at]);
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  size_t length = 0;
  const char32_t cp = DecodeUtf8(original, at, length);
  return utf8proc_category(static_cast<utf8proc_int32_t>(cp)) == UTF8PROC_CATEGORY_LU;
}

// True when every ASCII letter of original[begin, end) is a capital ("BT", not "bt").
bool IsAllCapitals(std::string_view original, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    const char c = original[i];
    if (c >= 'a' && c <= 'z') return false;
  }
  return true;
}

// "the train to Nice", "un hôtel à Bonneuil": a capitalized word right after a preposition
// of place is a proper noun, not the cue it spells.
bool IsPlaceName(std::string_view original, const NormalizedText& n, const Hit& hit) {
  if (hit.begin < 2 || n.text[hit.begin - 1] != ' ') return false;
  for (uint32_t i = hit.begin; i < hit.end; ++i) {
    if (n.text[i] == ' ') return false;  // one word only
  }
  const uint32_t first = n.OriginalBegin(hit.begin);
  if (!IsUpperCodepointAt(original, first)) return false;
  if (hit.end - hit.begin > 1 && IsUpperCodepointAt(original, first + 1)) return false;  // "NUL"
  uint32_t word_begin = hit.begin - 1;
  while (word_begin > 0 && n.text[word_begin - 1] != ' ') --word_begin;
  const std::string_view before(n.text.data() + word_begin, hit.begin - 1 - word_begin);
  static constexpr std::string_view kPlacePrepositions[] = {"to",  "in", "at", "from", "near",
                                                            "via", "a",  "de", "en",   "vers"};
  for (const std::string_view p : kPlacePrepositions) {
    if (before == p) return true;
  }
  return false;
}

std::string_view Slice(std::string_view original, const NormalizedText& n, uint32_t begin,
                       uint32_t end) {
  const uint32_t b = n.OriginalBegin(begin);
  const uint32_t e = n.OriginalEnd(end);
  return original.substr(b, e > b ? e - b : 0);
}

std::string_view TopicLabel(Topic topic) {
  switch (topic) {
    case Topic::kBilling:
      return "billing";
    case Topic::kDelay:
      return "delay";
    case Topic::kSupport:
      return "customer support";
    case Topic::kProductDefect:
      return "product defect";
    case Topic::kCancellation:
      return "cancellation";
    case Topic::kContract:
      return "contract";
    case Topic::kStaffAttitude:
      return "staff attitude";
    case Topic::kDelivery:
      return "delivery";
    case Topic::kOutage:
      return "outage";
    case Topic::kOther:
      return "other";
  }
  return "other";
}

std::string_view SignalLabel(Signal signal) {
  switch (signal) {
    case Signal::kLegal:
      return "legal threat";
    case Signal::kMedia:
      return "media threat";
    case Signal::kRepeatedContact:
      return "repeated failed contacts";
    case Signal::kWaiting:
      return "long wait";
    case Signal::kHumiliation:
      return "humiliation";
    case Signal::kDiscrimination:
      return "discrimination";
    case Signal::kStranded:
      return "stranded";
  }
  return "";
}

// How much each urgency signal adds to the severity of a complaint.
double SignalWeight(Signal signal) {
  switch (signal) {
    case Signal::kLegal:
      return 0.15;
    case Signal::kMedia:
      return 0.15;
    case Signal::kRepeatedContact:
      return 0.10;
    case Signal::kWaiting:
      return 0.08;
    case Signal::kHumiliation:
      return 0.15;
    case Signal::kDiscrimination:
      return 0.20;
    case Signal::kStranded:
      return 0.15;
  }
  return 0;
}

}  // namespace

struct Analyzer::Impl {
  BrandCatalog catalog;
  Lexicon lexicon;
  std::unique_ptr<Scanner> scanner;
  std::unique_ptr<LinearModel> model;  // optional
  // The model's labels as stances; false where a label is not a stance name.
  std::vector<std::pair<bool, Stance>> model_stances;
  std::unique_ptr<LinearModel> topic_model;  // optional
  std::vector<Topic> model_topics;           // its labels
  std::unordered_map<std::string, uint32_t> brand_by_domain;

  void Analyze(const Post& post, Scratch::State& s, Analysis& out) const;
  void DecideLanguage(std::string_view original, Scratch::State& s, Analysis& out) const;
  void AppendCues(std::string_view original, const NormalizedText& n,
                  const std::vector<LocatedStanceCue>& cues, const std::vector<uint32_t>& which,
                  const StanceDecision& decision, std::vector<std::string_view>& out) const;
  void Score(const Post& post, Analysis& out, double complaint_strength) const;
  void CombineWithModel(Scratch::State& s, Analysis& out) const;
  static void QuietBystanders(std::string_view original, Analysis& out);
  void ReadFaultAsComplaint(std::string_view original, const NormalizedText& n,
                            const Scratch::State& s, const double (&topic_weight)[kTopicCount],
                            Analysis& out) const;
  void CombineWithTopicModel(Scratch::State& s, Analysis& out) const;
};

struct Analyzer::Scratch::State {
  NormalizedText normalized;
  Scanner::Scratch scan;
  std::vector<Hit> hits;
  FactsScratch facts;
  std::vector<Mention> mentions;
  // Normalized ranges where a brand's alias is not that brand ("feu orange", a catalog's
  // `not`), with the brand.
  struct Exclusion {
    uint32_t begin, end, brand;
  };
  std::vector<Exclusion> exclusions;
  std::vector<LocatedStanceCue> stance_cues;
  std::vector<LocatedTopicCue> topic_cues;
  double irony = 0;                       // the heaviest irony cue of the post (0: none)
  bool names_outside_cause = false;       // a cause no brand controls is named
  std::vector<uint32_t> topic_sentences;  // sentences holding a topic cue, ascending
  std::vector<uint32_t> firm_brands;      // brands named without needing context, sorted
  FeatureExtractor feature_extractor;     // for the models
  std::vector<std::pair<int, float>> features;
  bool has_features = false;  // `features` are this post's
  std::vector<double> probabilities;
  std::vector<double> topic_probabilities;
  std::vector<double> topic_cue_scores;
  std::vector<uint32_t> function_counts;  // [paragraph * langs + lang]
  std::vector<StanceCue> decision_input;
  std::vector<uint32_t> selected;                             // indices into stance_cues
  std::vector<std::pair<uint32_t, uint32_t>> segment_brands;  // (sentence, verdict)
  std::vector<std::pair<uint32_t, uint32_t>> cue_segments;    // per stance cue: its segment's
                                                              // range in segment_brands
  std::vector<uint64_t> cue_owners;  // per stance cue: bit v for verdict v < 64 owning it
};

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

  // The walk: hits come sorted by begin, longer first; a cue inside a longer cue of the
  // same family ("bien" inside "tout est bien qui finit bien") is not counted again.
  uint32_t sentence = 0;
  // Negators, intensifiers and stance cues form one family: a hit inside a strictly longer
  // hit of the family is part of it ("pas" in "pas de réponse", "jamais" in the intensifier
  // "jamais été aussi"). Hits of equal extent keep all their roles: "refuse" can be both a
  // complaint and a negator.
  uint32_t stance_cover_end = 0;
  uint32_t stance_cover_length = 0;
  auto inside_longer_stance_cue = [&](const Hit& hit) {
    const uint32_t length = hit.end - hit.begin;
    if (hit.end <= stance_cover_end && length < stance_cover_length) return true;
    if (hit.end > stance_cover_end) {
      stance_cover_end = hit.end;
      stance_cover_length = length;
    }
    return false;
  };
  uint32_t topic_cover_end = 0;
  uint32_t topic_cover_length = 0;
  uint32_t brand_cover_end = 0;
  uint32_t clauses = 0;
  int64_t last_negator_end = -1;
  uint32_t last_negator_begin = 0;
  uint32_t last_negator_sentence = 0;
  int64_t last_intensifier_end = -1;
  double last_intensifier = 1;
  for (const Hit& hit : s.hits) {
    while (sentence < n.sentence_ends.size() && n.sentence_ends[sentence] <= hit.begin) {
      ++sentence;
    }
    // A unit is a sentence, or a clause of it after "mais", "but"...: the granularity of
    // stance attribution and negation. Units are numbered in text order.
    const uint32_t unit = sentence + clauses;
    const Pattern& p = scanner->pattern(hit.pattern);
    switch (p.kind) {
      case PatternKind::kExclusion:
        s.exclusions.push_back({hit.begin, hit.end, p.index});
        break;
      case PatternKind::kAlias:
      case PatternKind::kHandle:
      case PatternKind::kDomain: {
        if (hit.end <= brand_cover_end) break;  // inside a longer brand mention
        const uint32_t ob = n.OriginalBegin(hit.begin);
        const uint32_t oe = n.OriginalEnd(hit.end);
        if (p.is_upper_only && !IsAllCapitals(original, ob, oe)) break;
        // Exclusions start at or before the alias they cover: the last few are enough,
        // which keeps a post with a million of them linear.
        const size_t recent = std::min<size_t>(s.exclusions.size(), 8);
        const bool excluded =
            std::any_of(s.exclusions.end() - static_cast<std::ptrdiff_t>(recent),
                        s.exclusions.end(), [&](const auto& r) {
                          return r.brand == p.index && r.begin <= hit.begin && hit.end <= r.end;
                        });
        if (excluded) break;
        Mention m;
        m.brand = p.index;
        m.begin = hit.begin;
        m.end = hit.end;
        m.sentence = unit;
        m.needs_context = p.kind == PatternKind::kAlias && p.is_common_word;
        if (m.needs_context) {
          const uint32_t sentence_start = sentence == 0 ? 0 : n.sentence_ends[sentence - 1];
          const bool at_sentence_start =
              hit.begin <= sentence_start + 1 ||
              (hit.begin >= 2 &&
               std::string_view("\"«(").find(n.text[hit.begin - 2]) != std::string_view::npos &&
               hit.begin - 2 <= sentence_start + 1);
          m.is_capitalized_mid_sentence = !at_sentence_start && IsUpperCodepointAt(original, ob);
          m.follows_brand_frame = FollowsBrandFrame(n.text, hit.begin);
        }
        s.mentions.push_back(m);
        brand_cover_end = hit.end;
        break;
      }
      case PatternKind::kUrl:
      case PatternKind::kFunction:
        break;  // facts; function words are counted by the scan
      case PatternKind::kCue: {
        const Cue& cue = lexicon.cues[p.index];
        switch (cue.kind) {
          case CueKind::kNegator:
            if (inside_longer_stance_cue(hit)) break;
            last_negator_end = hit.end;
            last_negator_begin = hit.begin;
            last_negator_sentence = unit;
            break;
          case CueKind::kIntensifier:
            if (inside_longer_stance_cue(hit)) break;
            // Intensifiers do not compound: the strongest in reach applies.
            if (last_intensifier_end >= 0 &&
                WordsBetween(n.text, static_cast<uint32_t>(last_intensifier_end), hit.begin) <
                    kIntensifierWindowWords) {
              last_intensifier = std::max(last_intensifier, cue.weight);
            } else {
              last_intensifier = cue.weight;
            }
            last_intensifier_end = hit.end;
            break;
          case CueKind::kComplaint:
          case CueKind::kPraise:
          case CueKind::kResolution:
          case CueKind::kQuestion: {
            if (inside_longer_stance_cue(hit)) break;
            if (IsPlaceName(original, n, hit)) break;
            LocatedStanceCue c;
            c.cue.cue_class = static_cast<CueClass>(static_cast<int>(cue.kind) -
                                                    static_cast<int>(CueKind::kComplaint));
            c.cue.weight = cue.weight;
            c.cue.position = hit.begin;
            c.cue.sentence = unit;
            c.sentence = unit;
            c.show_begin = hit.begin;
            c.show_end = hit.end;
            if (!cue.is_negation_immune && last_negator_end >= 0 && last_negator_sentence == unit &&
                static_cast<uint32_t>(last_negator_end) <= hit.begin &&
                WordsBetween(n.text, static_cast<uint32_t>(last_negator_end), hit.begin) <
                    kNegationWindowWords &&
                !ClauseBreakBetween(original, n, static_cast<uint32_t>(last_negator_end),
                                    hit.begin)) {
              c.cue.cue_class = Negate(c.cue.cue_class);
              if (c.cue.cue_class == CueClass::kPraise) c.cue.weight *= 0.5;  // "pas mal"
              c.show_begin = last_negator_begin;
            }
            if (last_intensifier_end >= 0 &&
                static_cast<uint32_t>(last_intensifier_end) <= hit.begin &&
                WordsBetween(n.text, static_cast<uint32_t>(last_intensifier_end), hit.begin) <
                    kIntensifierWindowWords) {
              c.cue.weight *= last_intensifier;
            }
            s.stance_cues.push_back(c);
            break;
          }
          case CueKind::kSignal: {
            // "On hold for an hour", "called five times", "mon avocat": an urgency signal
            // is also the customer's complaint, at kSignalComplaintWeight of its weight,
            // unless a stance cue already covers its words.
            if (hit.end <= stance_cover_end) break;
            LocatedStanceCue c;
            c.cue.cue_class = CueClass::kComplaint;
            c.cue.weight = cue.weight * kSignalComplaintWeight;
            c.cue.position = hit.begin;
            c.cue.sentence = unit;
            c.sentence = unit;
            c.show_begin = hit.begin;
            c.show_end = hit.end;
            s.stance_cues.push_back(c);
            break;
          }
          case CueKind::kTopic: {
            // "en retard" holds "retard": one delay cue, not two; "gate agent" (staff) is
            // not also "agent" (support). Cues of equal extent keep every topic they name
            // ("frais de résiliation": billing and cancellation).
            const uint32_t length = hit.end - hit.begin;
            if (hit.end <= topic_cover_end && length < topic_cover_length) break;
            if (hit.end > topic_cover_end) {
              topic_cover_end = hit.end;
              topic_cover_length = length;
            }
            s.topic_cues.push_back(
                {static_cast<Topic>(cue.detail), cue.weight, unit, hit.begin, hit.end});
            if (s.topic_sentences.empty() || s.topic_sentences.back() != unit) {
              s.topic_sentences.push_back(unit);
            }
            break;
          }
          case CueKind::kClause:
            if (!inside_longer_stance_cue(hit)) ++clauses;
            break;
          case CueKind::kIrony:
            s.irony = std::max(s.irony, cue.weight);
            break;
          case CueKind::kOutsideCause:
            s.names_outside_cause = true;
            break;
          default:
            break;  // facts: channels, signals, amounts, durations
        }
        break;
      }
    }
  }

  ExtractFacts(original, n, s.hits, *scanner, lexicon, s.facts, out.facts);
  for (const std::string& link : post.links) {
    if (std::find(out.facts.links.begin(), out.facts.links.end(), link) == out.facts.links.end()) {
      out.facts.links.emplace_back(link);
    }
  }
  DecideLanguage(original, s, out);

  // Brands: a common word counts with a sign of the brand nearby.
  s.firm_brands.clear();
  for (const Mention& m : s.mentions) {
    if (!m.needs_context || m.is_capitalized_mid_sentence || m.follows_brand_frame) {
      s.firm_brands.push_back(m.brand);
    }
  }
  std::sort(s.firm_brands.begin(), s.firm_brands.end());
  for (Mention& m : s.mentions) {
    if (!m.needs_context) continue;
    if (m.is_capitalized_mid_sentence || m.follows_brand_frame ||
        std::binary_search(s.firm_brands.begin(), s.firm_brands.end(), m.brand) ||
        std::binary_search(s.topic_sentences.begin(), s.topic_sentences.end(), m.sentence)) {
      m.needs_context = false;
    }
  }
  // The verdict of catalog brand `brand`, added in order of first mention.
  auto verdict_of = [&](uint32_t brand) -> BrandVerdict& {
    const std::string_view name = catalog.brands[brand].name;
    auto it = std::find_if(out.brands.begin(), out.brands.end(),
                           [&](const BrandVerdict& v) { return v.name.data() == name.data(); });
    if (it != out.brands.end()) return *it;
    out.brands.emplace_back().name = name;
    return out.brands.back();
  };
  for (const Mention& m : s.mentions) {
    if (m.needs_context) continue;
    BrandVerdict& verdict = verdict_of(m.brand);
    ++verdict.mentions;
    if (verdict.spans.size() < kMaxSpansPerBrand) {
      verdict.spans.push_back(Span{n.OriginalBegin(m.begin), n.OriginalEnd(m.end)});
    }
  }
  for (const std::string& link : post.links) {
    std::string host = UrlHost(link);
    while (!host.empty()) {
      if (auto found = brand_by_domain.find(host); found != brand_by_domain.end()) {
        ++verdict_of(found->second).mentions;
        break;
      }
      const size_t dot = host.find('.');
      if (dot == std::string::npos) break;
      host.erase(0, dot + 1);
    }
  }

  // Stance per brand: a sentence belongs to the brands named in it; a sentence naming
  // none belongs to those of the last sentence that did (the first ones to the first).
  s.segment_brands.clear();
  for (const Mention& m : s.mentions) {
    if (m.needs_context) continue;
    const auto verdict = static_cast<uint32_t>(&verdict_of(m.brand) - out.brands.data());
    s.segment_brands.emplace_back(m.sentence, verdict);
  }
  std::sort(s.segment_brands.begin(), s.segment_brands.end());
  s.segment_brands.erase(std::unique(s.segment_brands.begin(), s.segment_brands.end()),
                         s.segment_brands.end());
  // Each cue's segment, as the range of segment_brands naming its first sentence: the
  // last one naming a brand at or before the cue (or the first one). Found once per cue,
  // not once per cue and brand.
  s.cue_segments.clear();
  s.cue_owners.clear();
  if (!s.segment_brands.empty()) {
    for (const LocatedStanceCue& c : s.stance_cues) {
      auto upper = std::upper_bound(s.segment_brands.begin(), s.segment_brands.end(),
                                    std::make_pair(c.sentence, UINT32_MAX));
      const uint32_t segment_sentence = upper == s.segment_brands.begin()
                                            ? s.segment_brands.front().first
                                            : std::prev(upper)->first;
      const auto lower = std::lower_bound(s.segment_brands.begin(), s.segment_brands.end(),
                                          std::make_pair(segment_sentence, uint32_t{0}));
      if (upper == s.segment_brands.begin()) {
        upper = std::upper_bound(lower, s.segment_brands.end(),
                                 std::make_pair(segment_sentence, UINT32_MAX));
      }
      s.cue_segments.emplace_back(static_cast<uint32_t>(lower - s.segment_brands.begin()),
                                  static_cast<uint32_t>(upper - s.segment_brands.begin()));
      // The first 64 verdicts own the cue by a bit each.
      uint64_t owners = 0;
      for (auto it = lower; it != upper; ++it) {
        if (it->second < 64) owners |= uint64_t{1} << it->second;
      }
      s.cue_owners.push_back(owners);
    }
  }
  for (uint32_t v = 0; v < out.brands.size(); ++v) {
    BrandVerdict& verdict = out.brands[v];
    s.decision_input.clear();
    s.selected.clear();
    const bool has_spans = !verdict.spans.empty();
    for (uint32_t i = 0; i < s.stance_cues.size(); ++i) {
      bool owns = !has_spans || s.segment_brands.empty();
      if (!owns && v < 64) {
        owns = (s.cue_owners[i] >> v & 1) != 0;
      } else if (!owns) {
        const auto [lower, upper] = s.cue_segments[i];
        for (uint32_t k = lower; k < upper && !owns; ++k) owns = s.segment_brands[k].second == v;
      }
      if (owns) {
        s.decision_input.push_back(s.stance_cues[i].cue);
        s.selected.push_back(i);
      }
    }
    const StanceDecision d = DecideStance(s.decision_input);
    verdict.stance = d.stance;
    verdict.confidence = d.confidence;
    AppendCues(original, n, s.stance_cues, s.selected, d, verdict.cues);
  }

  // The post's overall stance, from every cue.
  s.decision_input.clear();
  s.selected.clear();
  double complaint_strength = 0;
  for (uint32_t i = 0; i < s.stance_cues.size(); ++i) {
    s.decision_input.push_back(s.stance_cues[i].cue);
    s.selected.push_back(i);
    if (s.stance_cues[i].cue.cue_class == CueClass::kComplaint) {
      complaint_strength += s.stance_cues[i].cue.weight;
    }
  }
  const StanceDecision overall = DecideStance(s.decision_input);
  out.stance = overall.stance;
  out.confidence = overall.confidence;
  AppendCues(original, n, s.stance_cues, s.selected, overall, out.cues);
  out.has_model = model != nullptr;
  if (model) CombineWithModel(s, out);

  // Topics: 1 - e^(-sum of weights); one plain cue scores 0.63, two 0.86.
  double topic_weight[kTopicCount] = {};
  for (const LocatedTopicCue& c : s.topic_cues) topic_weight[static_cast<int>(c.topic)] += c.weight;
  for (int t = 0; t < kTopicCount; ++t) {
    const double score = 1.0 - std::exp(-topic_weight[t]);
    if (score < 0.5) continue;
    TopicVerdict verdict;
    verdict.topic = static_cast<Topic>(t);
    verdict.score = score;
    for (const LocatedTopicCue& c : s.topic_cues) {
      if (c.topic != verdict.topic || verdict.cues.size() >= kMaxCuesShown) continue;
      const std::string_view cue = Slice(original, n, c.begin, c.end);
      if (std::find(verdict.cues.begin(), verdict.cues.end(), cue) == verdict.cues.end()) {
        verdict.cues.push_back(cue);
      }
    }
    out.topics.push_back(std::move(verdict));
  }
  std::stable_sort(out.topics.begin(), out.topics.end(),
                   [](const TopicVerdict& a, const TopicVerdict& b) { return a.score > b.score; });
  ReadFaultAsComplaint(original, n, s, topic_weight, out);
  QuietBystanders(original, out);
  const bool is_complaint =
      out.stance == Stance::kComplaint ||
      std::any_of(out.brands.begin(), out.brands.end(),
                  [](const BrandVerdict& b) { return b.stance == Stance::kComplaint; });
  if (is_complaint && topic_model) CombineWithTopicModel(s, out);
  if (is_complaint && out.topics.empty()) {
    TopicVerdict other;
    other.topic = Topic::kOther;
    other.score = 0.5;
    out.topics.push_back(std::move(other));
  }
  Score(post, out, complaint_strength);
}

// A fault the writer reports is a complaint to the brand, even asked as a question or told
// without a judging word: "pourquoi j'ai plus internet ?", "box bloquée à l'étape 6, que
// faire ?", "débit en chute depuis trois jours" (docs/ANNOTATION.md: the grievance wins over
// the request). The fault topics' cues (outage, product defect, delay; not delivery, whose
// words name parcels and bags, faulty or not) say there is one; a post that names only an outside
// cause (a tree on the line, a storm) does not blame the brand and is left as it was.
void Analyzer::Impl::ReadFaultAsComplaint(std::string_view original, const NormalizedText& n,
                                          const Scratch::State& s,
                                          const double (&topic_weight)[kTopicCount],
                                          Analysis& out) const {
  if (out.stance != Stance::kQuestion && out.stance != Stance::kNeutral &&
      out.stance != Stance::kPraise) {
    return;
  }
  double fault = 0;
  for (Topic t : {Topic::kOutage, Topic::kProductDefect, Topic::kDelay}) {
    fault += topic_weight[static_cast<int>(t)];
  }
  // Praise beside a complaint, with a mark of irony, is sarcasm: "Bravo X, trois
  // rendez-vous manqués, quel professionnalisme", "super le service client #oupas", 🙄.
  bool sarcastic = false;
  if (out.stance == Stance::kPraise) {
    double complaint = 0;
    for (const LocatedStanceCue& c : s.stance_cues) {
      if (c.cue.cue_class == CueClass::kResolution) return;
      if (c.cue.cue_class == CueClass::kComplaint) complaint += c.cue.weight;
    }
    sarcastic = s.irony >= kStrongIrony || (s.irony > 0 && complaint + fault > 0);
    if (sarcastic) fault = std::max(fault, kFaultComplaintWeight);
  }
  if (fault < kFaultComplaintWeight || s.names_outside_cause) return;
  if (out.stance == Stance::kPraise && !sarcastic) {
    // Thanks for a fault are sarcasm ("merci pour votre non-installation de la fibre depuis
    // le 8 juillet"): when the fault outweighs the praise and nothing was fixed.
    double praise = 0;
    for (const LocatedStanceCue& c : s.stance_cues) {
      if (c.cue.cue_class == CueClass::kResolution) return;
      if (c.cue.cue_class == CueClass::kPraise) praise += c.cue.weight;
    }
    if (praise >= fault) return;
  }
  out.stance = Stance::kComplaint;
  out.confidence = std::min(0.5 + 0.1 * fault, 0.8);
  out.cues.clear();
  if (sarcastic) {
    // The words behind it: the complaint, and the praise read as irony.
    for (const LocatedStanceCue& c : s.stance_cues) {
      if (c.cue.cue_class != CueClass::kComplaint && c.cue.cue_class != CueClass::kPraise) continue;
      const std::string_view cue = Slice(original, n, c.show_begin, c.show_end);
      if (std::find(out.cues.begin(), out.cues.end(), cue) == out.cues.end()) {
        out.cues.push_back(cue);
      }
      if (out.cues.size() >= kMaxCuesShown) break;
    }
  }
  for (const LocatedTopicCue& c : s.topic_cues) {
    if (out.cues.size() >= kMaxCuesShown) break;
    if (c.topic != Topic::kOutage && c.topic != Topic::kProductDefect && c.topic != Topic::kDelay) {
      continue;
    }
    const std::string_view cue = Slice(original, n, c.begin, c.end);
    if (std::find(out.cues.begin(), out.cues.end(), cue) == out.cues.end()) out.cues.push_back(cue);
    if (out.cues.size() >= kMaxCuesShown) break;
  }
  // The post speaks to its one brand; with several, each keeps what its own sentences say.
  if (out.brands.size() == 1 && out.brands[0].stance != Stance::kComplaint &&
      out.brands[0].stance != Stance::kResolution) {
    out.brands[0].stance = Stance::kComplaint;
    out.brands[0].confidence = out.confidence;
    out.brands[0].cues = out.cues;
  }
}

// Brands tagged in a list of handles that ends the post ("... @arcep @ufcquechoisir", a
// copy to a regulator, a carrier, a journalist) are bystanders: what the post says is
// meant for the brand it speaks to, the first it names, not for everyone in copy
// (docs/ANNOTATION.md). Their verdict is neutral.
void Analyzer::Impl::QuietBystanders(std::string_view original, Analysis& out) {
  if (out.brands.size() < 2) return;
  // The trailing run: from the end, handles (and hashtags) separated by spaces and commas.
  size_t run_begin = original.size();
  int handles = 0;
  size_t at = original.size();
  while (at > 0) {
    size_t end = at;
    while (end > 0 &&
           std::string_view(" \t\r\n,.;").find(original[end - 1]) != std::string_view::npos) {
      --end;
    }
    size_t begin = end;
    while (begin > 0 &&
           std::string_view(" \t\r\n,;").find(original[begin - 1]) == std::string_view::npos) {
      --begin;
    }
    if (begin == end || (original[begin] != '@' && original[begin] != '#')) break;
    if (original[begin] == '@') ++handles;
    run_begin = begin;
    at = begin;
  }
  if (handles < 2) return;
  for (size_t v = 1; v < out.brands.size(); ++v) {
    BrandVerdict& verdict = out.brands[v];
    if (verdict.spans.empty()) continue;
    const bool all_in_copy = std::all_of(verdict.spans.begin(), verdict.spans.end(),
                                         [&](const Span& span) { return span.begin >= run_begin; });
    if (!all_in_copy || verdict.stance == Stance::kNeutral) continue;
    verdict.stance = Stance::kNeutral;
    verdict.confidence = 0.6;
    verdict.cues.clear();
  }
}

void Analyzer::Impl::AppendCues(std::string_view original, const NormalizedText& n,
                                const std::vector<LocatedStanceCue>& cues,
                                const std::vector<uint32_t>& which, const StanceDecision& decision,
                                std::vector<std::string_view>& out) const {
  out.clear();
  if (decision.stance == Stance::kNeutral) return;
  for (uint32_t i : which) {
    const LocatedStanceCue& c = cues[i];
    const bool shown =
        c.cue.cue_class == decision.evidence ||
        (decision.shows_complaint_too && c.cue.cue_class == CueClass::kComplaint) ||
        (decision.stance == Stance::kPraise &&
         (c.cue.cue_class == CueClass::kPraise || c.cue.cue_class == CueClass::kResolution));
    if (!shown) continue;
    const std::string_view cue = Slice(original, n, c.show_begin, c.show_end);
    if (std::find(out.begin(), out.end(), cue) == out.end()) out.push_back(cue);
    if (out.size() >= kMaxCuesShown) break;
  }
}

// The model reads the whole post; the cues say where and why. Their combination becomes the
// post's stance, and the stance of its brand when it names only one (the post is about
// it); with several brands, each keeps the stance of its own sentences.
void Analyzer::Impl::CombineWithModel(Scratch::State& s, Analysis& out) const {
  s.feature_extractor.Extract(s.normalized.text, s.scan.tokens(), s.features);
  s.has_features = true;
  model->Predict(s.features, s.probabilities);
  const auto alone = static_cast<size_t>(
      std::max_element(s.probabilities.begin(), s.probabilities.end()) - s.probabilities.begin());
  out.model_label = model->labels()[alone];
  out.model_confidence = s.probabilities[alone];
  double confidence = 0;
  const int best = CombineWithCues(s.probabilities, model->labels(), out.stance, out.confidence,
                                   kModelCueWeight, confidence);
  const auto [is_stance, stance] = model_stances[best];
  if (!is_stance) return;  // a model of other labels informs but does not decide
  // A model of three classes says praise for a resolution the cues found, or neutral for
  // their question: keep the cues', which are the finer verdicts of the same kind.
  const bool is_finer = (stance == Stance::kPraise && out.stance == Stance::kResolution) ||
                        (stance == Stance::kNeutral && out.stance == Stance::kQuestion);
  if (!is_finer) out.stance = stance;
  out.confidence = confidence;
  if (out.brands.size() == 1 && out.brands[0].stance != Stance::kResolution) {
    out.brands[0].stance = out.stance;
    out.brands[0].confidence = confidence;
  }
}

// The topic model reads the whole complaint; its log-probabilities plus the cue scores
// (weighed as for the stance) choose the first topic, which comes first whether the cues
// found it or not. The other topics stay as the cues found them.
void Analyzer::Impl::CombineWithTopicModel(Scratch::State& s, Analysis& out) const {
  if (!s.has_features) {
    s.feature_extractor.Extract(s.normalized.text, s.scan.tokens(), s.features);
    s.has_features = true;
  }
  topic_model->Predict(s.features, s.topic_probabilities);
  s.topic_cue_scores.assign(model_topics.size(), 0.0);
  for (size_t c = 0; c < model_topics.size(); ++c) {
    for (TopicVerdict& t : out.topics) {
      if (t.topic != model_topics[c]) continue;
      s.topic_cue_scores[c] = t.score;
      t.model = s.topic_probabilities[c];
    }
  }
  const size_t best =
      CombineTopicsWithCues(s.topic_probabilities, s.topic_cue_scores, kModelCueWeight);
  const auto found = std::find_if(out.topics.begin(), out.topics.end(), [&](const TopicVerdict& t) {
    return t.topic == model_topics[best];
  });
  if (found != out.topics.end()) {
    std::rotate(out.topics.begin(), found, found + 1);
    return;
  }
  TopicVerdict verdict;
  verdict.topic = model_topics[best];
  verdict.score = s.topic_probabilities[best];
  verdict.model = s.topic_probabilities[best];
  out.topics.insert(out.topics.begin(), std::move(verdict));
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

void Analyzer::Impl::Score(const Post& post, Analysis& out, double complaint_strength) const {
  // Severity: how bad the post is for the brand, from its stance and its urgency signals.
  double severity = 0;
  switch (out.stance) {
    case Stance::kComplaint:
      severity = 0.35 + 0.15 * std::min(1.0, complaint_strength / 4);
      break;
    case Stance::kQuestion:
      severity = 0.15;
      break;
    case Stance::kResolution:
      severity = 0.10;
      break;
    case Stance::kNeutral:
      severity = 0.05;
      break;
    case Stance::kPraise:
      severity = 0.02;
      break;
  }
  const bool is_complaint = out.stance == Stance::kComplaint ||
                            std::any_of(out.brands.begin(), out.brands.end(), [](const auto& b) {
                              return b.stance == Stance::kComplaint;
                            });
  if (is_complaint && out.stance != Stance::kComplaint) severity = std::max(severity, 0.35);
  const double signal_scale = is_complaint ? 1.0 : 0.3;

  for (const BrandVerdict& b : out.brands) {
    if (b.stance == Stance::kNeutral) continue;
    std::string reason(StanceName(b.stance));
    reason += b.stance == Stance::kComplaint    ? " to "
              : b.stance == Stance::kQuestion   ? " to "
              : b.stance == Stance::kResolution ? " with "
                                                : " for ";
    reason += b.name;
    out.reasons.push_back(std::move(reason));
  }
  if (out.brands.empty() && out.stance != Stance::kNeutral) {
    out.reasons.emplace_back(StanceName(out.stance));
  }
  for (const TopicVerdict& t : out.topics) out.reasons.emplace_back(TopicLabel(t.topic));

  double largest = 0;
  std::string_view largest_text;
  for (const Money& m : out.facts.money) {
    if (m.amount > largest) {
      largest = m.amount;
      largest_text = m.text;
    }
  }
  if (largest >= 100) {
    severity += signal_scale * (largest >= 10000 ? 0.15 : largest >= 1000 ? 0.10 : 0.05);
    out.reasons.push_back("amount: " + std::string(largest_text));
  }
  for (const auto& [signal, cue] : out.facts.signals) {
    severity += signal_scale * SignalWeight(signal);
    out.reasons.push_back(std::string(SignalLabel(signal)) + " (\"" + std::string(cue) + "\")");
  }
  int64_t longest = 0;
  std::string_view longest_text;
  for (const Duration& d : out.facts.durations) {
    if (d.seconds > longest) {
      longest = d.seconds;
      longest_text = d.text;
    }
  }
  if (is_complaint && longest >= 3600) {
    severity += longest >= 7 * 86400 ? 0.08 : longest >= 86400 ? 0.05 : 0.03;
    out.reasons.push_back("waited " + std::string(longest_text));
  }
  out.severity = std::clamp(severity, 0.0, 1.0);

  // Reach: the audience the post can get, from what the source tells (log scales).
  double reach = 0;
  const int64_t followers = post.author.followers;
  if (followers > 0) {
    reach += 0.6 * std::min(1.0, std::log10(1.0 + static_cast<double>(followers)) / 6);
    if (followers >= 10000) {
      out.reasons.push_back("audience: " + std::to_string(followers) + " followers");
    }
  }
  if (post.comments > 0) {
    reach += 0.2 * std::min(1.0, std::log10(1.0 + static_cast<double>(post.comments)) / 3);
    if (post.comments >= 10) out.reasons.push_back(std::to_string(post.comments) + " comments");
  }
  if (post.shares > 0) {
    reach += 0.2 * std::min(1.0, std::log10(1.0 + static_cast<double>(post.shares)) / 4);
    if (post.shares >= 10) out.reasons.push_back(std::to_string(post.shares) + " shares");
  }
  const double priority = std::min(1.0, out.severity * (1.0 + 0.5 * reach) + 0.1 * reach);
  out.priority = static_cast<int>(std::lround(100 * priority));
}

}  // namespace ecoute
