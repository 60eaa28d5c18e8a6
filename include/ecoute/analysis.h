// The analysis of one post: language, brands, stance per brand, topics, facts, severity
// and priority, each verdict with the cues behind it.
//
// An Analyzer is built once from a brand catalog and the cue lexicons (data/lexicon), then
// only read: share it between threads, and give each thread its own Scratch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/catalog.h"
#include "ecoute/post.h"
#include "ecoute/status.h"

namespace ecoute {

enum class Stance : uint8_t { kNeutral, kComplaint, kPraise, kResolution, kQuestion };
enum class Topic : uint8_t {
  kBilling,
  kDelay,
  kSupport,
  kProductDefect,
  kCancellation,
  kContract,
  kStaffAttitude,
  kDelivery,
  kOutage,
  kOther,
};
enum class Channel : uint8_t {
  kPhone,
  kEmail,
  kLetter,
  kTwitter,
  kFacebook,
  kBlog,
  kVideo,
  kShop,
  kChat,
};
// Signals that make a complaint more urgent.
enum class Signal : uint8_t {
  kLegal,
  kMedia,
  kRepeatedContact,
  kWaiting,
  kHumiliation,
  kDiscrimination,
  kStranded,  // stuck on a journey: sleeping at the airport, with children, no hotel
};

constexpr int kTopicCount = 10;
constexpr int kChannelCount = 9;
constexpr int kSignalCount = 7;

// Names as they appear in JSON ("complaint", "product_defect", "phone", "legal").
std::string_view StanceName(Stance stance);
std::string_view TopicName(Topic topic);
std::string_view ChannelName(Channel channel);
std::string_view SignalName(Signal signal);
// Parses those names; false for an unknown one.
bool ParseStance(std::string_view name, Stance& out);
bool ParseTopic(std::string_view name, Topic& out);
bool ParseChannel(std::string_view name, Channel& out);
bool ParseSignal(std::string_view name, Signal& out);

// A byte range [begin, end) of the post's text.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
  friend bool operator==(const Span&, const Span&) = default;
};

// The string views below point into the analyzed post's text or into the Analyzer: they
// are valid while both live and the Analysis is not reused.
struct BrandVerdict {
  std::string_view name;
  int mentions = 0;         // every mention, plus links in the markup to the brand's domains
  std::vector<Span> spans;  // in text order; the first 256 only
  Stance stance = Stance::kNeutral;
  double confidence = 0;               // in [0, 1]
  std::vector<std::string_view> cues;  // the words of the post behind the stance
};

struct TopicVerdict {
  Topic topic = Topic::kOther;
  double score = 0;  // in (0, 1]
  std::vector<std::string_view> cues;
  // With a topic model, on complaints: the probability it gives this topic (else -1). The
  // model and the cues together choose the first topic, which may have no cue.
  double model = -1;
};

struct Money {
  std::string_view text;      // as written: "88 247 euros"
  double amount = 0;          // 88247
  std::string_view currency;  // ISO 4217: "EUR"
};

struct Duration {
  std::string_view text;  // "15 heures"
  int64_t seconds = 0;
};

struct Facts {
  std::vector<Money> money;
  std::vector<Duration> durations;
  std::vector<Channel> channels;        // each once, in order of first appearance
  std::vector<std::string_view> links;  // from the text and from the markup, each once
  std::vector<std::pair<Signal, std::string_view>> signals;  // each with its cue
};

struct LanguageShare {
  std::string_view lang;  // ISO 639-1, or "und"
  double share = 0;
};

struct Analysis {
  std::string_view id;
  std::string_view lang = "und";
  std::vector<LanguageShare> langs;  // by decreasing share
  Stance stance = Stance::kNeutral;
  double confidence = 0;
  std::vector<std::string_view> cues;  // behind the overall stance
  std::vector<BrandVerdict> brands;    // in order of first mention
  std::vector<TopicVerdict> topics;    // by decreasing score
  Facts facts;
  double severity = 0;  // in [0, 1]
  int priority = 0;     // 0..100
  std::vector<std::string> reasons;
  bool used_cld2 = false;  // whether the cheap language evidence was inconclusive
  // With a trained model (Analyzer::Create's model_path): what it said alone. `stance`
  // and `confidence` above are then the model and the cues combined.
  bool has_model = false;
  std::string_view model_label;  // one of the model's labels
  double model_confidence = 0;
};

class Analyzer {
 public:
  // Per-thread working memory; reuse it across posts so that analysis allocates nothing
  // once warm.
  class Scratch;

  // Builds an analyzer from a catalog and the lexicons found in `data_dir` (its lexicon/
  // folder: one <lang>.cues file per language, and common_words.txt). Fails with
  // kInvalidArgument naming the file and line of a bad lexicon entry, or the brand whose
  // patterns cannot compile. With `model_path` (a file from `ecoute train` whose labels
  // are stance names), the post's stance combines the model with the cues; with
  // `topic_model_path` (labels that are topic names), a complaint's first topic does.
  static Result<std::unique_ptr<Analyzer>> Create(const BrandCatalog& catalog,
                                                  const std::string& data_dir,
                                                  const std::string& model_path = "",
                                                  const std::string& topic_model_path = "");
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Analyzes `post` into `out` (overwritten). `post.text` must be valid UTF-8 (the readers
  // guarantee it). Thread-safe with one Scratch per thread.
  void Analyze(const Post& post, Scratch& scratch, Analysis& out) const;

  // Number of brands and of lexicon patterns compiled.
  size_t brand_count() const;
  size_t pattern_count() const;

  struct Impl;

 private:
  explicit Analyzer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Analyzer::Scratch {
 public:
  Scratch();
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  struct State;
  State& state() { return *state_; }

 private:
  std::unique_ptr<State> state_;
};

// Returns the default data directory: $ECOUTE_DATA_DIR if set, else the one next to the
// executable's installation, else the source checkout's data/.
std::string DefaultDataDir();
// The stance model that ships in a data directory (`model/stance.model`), or "" when it
// has none: the model `ecoute analyze` combines with the cues unless told otherwise.
std::string DefaultModelPath(const std::string& data_dir);
// The same for the topic model (`model/topics.model`).
std::string DefaultTopicModelPath(const std::string& data_dir);

// Appends `analysis` as one line of JSON (no trailing newline) to `out`, without building
// a document tree. `text` is the analyzed post's text (spans are offsets into it).
void AppendAnalysisJson(const Analysis& analysis, std::string& out);

// Appends a readable multi-line summary of `analysis` to `out`.
void AppendAnalysisText(const Analysis& analysis, std::string& out);

}  // namespace ecoute
