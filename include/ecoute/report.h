// The observatory's figures: per brand, how much people speak of it, how much they
// complain, and how fast and how willingly the brand answers. Built by a Store
// (store.h) and rendered here as text, JSON, CSV or a self-contained HTML page.
//
// Definitions (docs/REPORT.md tells them with examples):
// - a mention is a post that names the brand; its stance is the stance toward that brand;
// - a case is one customer's problem with one brand (cases.h); it is responded once the
//   brand's answer was observed (its reply seen in the channel), declared when an agent
//   only recorded an answer given elsewhere; resolved when the customer confirmed a fix or
//   an agent resolved it, recovered when the customer confirmed it (a resolution or praise
//   for the brand after a response);
// - first response time: from the case's opening post to the first observed response;
//   medians and p90 use the nearest-rank percentile (the value at rank ceil(p/100 * n));
// - net word-of-mouth, the 3/10/12 rule ("a happy customer tells 3, an unhappy one tells
//   10, one whose problem was fixed tells 12"): +3 per praise mention, -10 per case the
//   brand never answered in any way (and the customer did not confirm fixed), +12 per recovered
//   case; answered but unresolved cases count 0;
// - uncertainty: 95 % Wilson score intervals for the rates (WilsonInterval) and a
//   percentile bootstrap interval for the median first response (BootstrapMedianInterval);
//   a brand with fewer cases than the report's minimum is shown but not ranked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecoute/analysis.h"

namespace ecoute {

struct TopicCount {
  Topic topic = Topic::kOther;
  int64_t mentions = 0;    // posts about the brand with this topic
  int64_t complaints = 0;  // of which complaints
};

// One ISO week ("2026-W47"): mentions and their stances.
struct WeekCount {
  std::string week;
  int64_t mentions = 0;
  int64_t complaints = 0;
  int64_t praise = 0;
};

// An hour whose mention count stands out from the brand's own recent baseline (see
// DetectSpikes).
struct Spike {
  int64_t hour = 0;      // start of the hour, seconds since the epoch (UTC)
  int64_t mentions = 0;  // in that hour
  double baseline = 0;   // the expected count (EWMA of the hours before)
  double z = 0;          // how many standard deviations above the baseline
};

// A two-sided 95 % interval: [low, high].
struct Interval {
  double low = 0;
  double high = 0;
};

struct BrandReport {
  std::string brand;
  int64_t mentions = 0;  // posts naming the brand
  int64_t complaints = 0;
  int64_t praise = 0;
  int64_t resolutions = 0;  // thanks / problem solved
  int64_t questions = 0;
  int64_t cases = 0;
  // Observed: the brand's answer seen in the channel (its reply post, or a reply ecoute
  // sent). The ranking uses these.
  int64_t responded = 0;     // cases with an observed response
  double response_rate = 0;  // responded / cases, 0 without cases
  // Declared: answered elsewhere on an agent's word (phone, e-mail...), never observed.
  int64_t declared = 0;      // cases with a declared response and no observed one
  double declared_rate = 0;  // declared / cases
  // From the opening to the first observed response.
  std::optional<double> first_response_median_s;
  std::optional<double> first_response_p90_s;
  int64_t resolved = 0;        // cases resolved (customer or agent)
  double resolution_rate = 0;  // resolved / cases
  int64_t recovered = 0;       // resolved by the customer's own confirmation
  int64_t unanswered = 0;      // cases never answered (neither observed nor declared), except
                               // those the customer confirmed fixed anyway (recovered, not unhappy)
  int64_t word_of_mouth = 0;   // 3 * praise - 10 * unanswered + 12 * recovered
  std::vector<TopicCount> topics;         // by decreasing mentions
  std::vector<WeekCount> weeks;           // in time order, weeks without posts included
  std::vector<Spike> spikes;              // in time order
  std::vector<int64_t> response_times_s;  // every first observed response time, ascending
  // The uncertainty of the figures above (nullopt without cases, or without a response
  // time for the median): Wilson score intervals for the rates, a bootstrap interval for
  // the median first response, in seconds.
  std::optional<Interval> response_rate_ci;
  std::optional<Interval> resolution_rate_ci;
  std::optional<Interval> first_response_median_ci_s;
  // False when the brand has fewer cases than the report's minimum: it is listed after the
  // ranked brands, without a rank.
  bool ranked = true;
};

struct Report {
  int64_t generated_at = 0;      // seconds since the epoch
  std::optional<int64_t> since;  // the period covered, when bounded
  std::optional<int64_t> until;
  int64_t min_cases = 0;  // the cases a brand needs to be ranked
  // Ranked by responsiveness: observed response rate (higher first), then median first
  // observed response (faster first; none last), then mentions, then name: see RankBrands.
  // The brands below min_cases (ranked = false) follow the ranked ones, in the same order.
  std::vector<BrandReport> brands;
};

// The confidence level of every interval of the report, and the bootstrap's settings.
inline constexpr double kConfidenceZ = 1.959963984540054;  // the normal's 97.5th percentile
inline constexpr int kBootstrapResamples = 2000;
inline constexpr uint64_t kBootstrapSeed = 20261207;
// The cases a brand needs to be ranked unless told otherwise (`ecoute report --min-cases`,
// the API's `min_cases`): below it, a response rate says too little to compare brands on.
inline constexpr int64_t kDefaultMinCases = 10;

// The Wilson score interval of a proportion, `successes` out of `trials`, at the confidence
// of the normal quantile `z` (95 % by default): with p = k/n,
//   (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n),
// always inside [0, 1], never empty even for 0/n or n/n (8/10: [0.4902, 0.9433]).
// nullopt when trials <= 0.
std::optional<Interval> WilsonInterval(int64_t successes, int64_t trials, double z = kConfidenceZ);

// SplitMix64 (Steele, Lea and Flood, 2014): the bootstrap's pseudo-random numbers, chosen
// because any language can reproduce them in a few lines. Next() advances the state by
// 0x9e3779b97f4a7c15 and returns its mix.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next();

 private:
  uint64_t state_;
};

// A percentile bootstrap 95 % interval for the nearest-rank median of ascending `sorted`:
// `resamples` times, draw n values with replacement (index = SplitMix64 output mod n, the
// generator seeded with `seed`) and take their nearest-rank median; the interval runs from
// the nearest-rank 2.5th to the 97.5th percentile of those medians. The same values, seed
// and count always give the same interval. nullopt when `sorted` is empty.
std::optional<Interval> BootstrapMedianInterval(const std::vector<int64_t>& sorted,
                                                int resamples = kBootstrapResamples,
                                                uint64_t seed = kBootstrapSeed);

// Fills the intervals of `b` from its counts and response times (sorted ascending).
void AddIntervals(BrandReport& b);

// Marks the brands with fewer than `min_cases` cases as not ranked and moves them after the
// ranked ones, each group keeping its order; records min_cases in the report.
void ApplyMinimumCases(Report& report, int64_t min_cases);

// What a Store's report lacks (Store::BuildReport gives counts, rates and the ranking):
// the intervals of every brand (AddIntervals), then the minimum of cases
// (ApplyMinimumCases). Pure computation, run outside the store's lock: the bootstrap
// draws resamples × responded values per brand (2,000 × 1,000 answered cases: 2 million).
void AddUncertainty(Report& report, int64_t min_cases);

// Nearest-rank percentile of ascending `sorted` values (p in (0, 100]): the value at rank
// ceil(p/100 * n), 1-based ([10, 20, 30, 40]: p50 = 20, p90 = 40). nullopt if empty.
std::optional<double> NearestRankPercentile(const std::vector<int64_t>& sorted, double p);

// Sorts `brands` into the ranking order of Report::brands (stable for exact ties).
void RankBrands(std::vector<BrandReport>& brands);

// Spike detection on hourly mention counts (`counts[i]` is hour `first_hour + i * 3600`):
// an exponentially weighted mean and variance (alpha = 0.1) of the hours before each hour
// give its baseline; the hour is a spike when its count is at least `min_mentions` and
// its z-score (count - mean) / sqrt(variance + 1) is at least `z_threshold`. The first
// `warmup` hours (at least one: the first hour sets the mean) only feed the baseline;
// every hour, spike or not, then updates it. docs/REPORT.md explains the constants.
struct SpikeOptions {
  double alpha = 0.1;
  double z_threshold = 3.0;
  int64_t min_mentions = 5;
  int warmup = 24;
};
std::vector<Spike> DetectSpikes(const std::vector<int64_t>& counts, int64_t first_hour,
                                const SpikeOptions& options = {});

// A duration as the reports write it, truncated to its two largest units: "45s", "12m",
// "2h05", "3d4h"; "—" for a negative or non-finite one.
std::string FormatDuration(double seconds);

// Renderers: they append to `out` and keep the order of `report.brands` (rank = position).
// JSON: one object {"generated_at", "since", "until", "brands": [...]} (times as RFC 3339
// strings, "since"/"until" null when unbounded) whose brand objects carry every field
// above under the same names ("brand", "mentions", ..., "declared", "declared_rate",
// "first_response_median_s" null when unknown, "topics": [{"topic", "mentions",
// "complaints"}], "weeks": [{"week", "mentions", "complaints", "praise"}], "spikes":
// [{"hour" (RFC 3339), "mentions", "baseline", "z"}], "response_times_s"); rates, baselines and z
// with 4 decimals at most. CSV: a header then one row per brand, the scalar figures only, RFC 4180
// quoting, LF line ends, unknown values empty. Text: a side-by-side ranking table then one block
// per brand. HTML: one self-contained page (inline CSS and SVG charts, no script, no external
// resource), every text escaped. docs/REPORT.md shows each format.
void AppendReportJson(const Report& report, std::string& out);
void AppendReportCsv(const Report& report, std::string& out);
void AppendReportText(const Report& report, std::string& out);
void AppendReportHtml(const Report& report, std::string& out);

}  // namespace ecoute
