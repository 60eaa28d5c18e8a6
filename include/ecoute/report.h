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
//   case; answered but unresolved cases count 0.
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
};

struct Report {
  int64_t generated_at = 0;      // seconds since the epoch
  std::optional<int64_t> since;  // the period covered, when bounded
  std::optional<int64_t> until;
  // Ranked by responsiveness: observed response rate (higher first), then median first
  // observed response (faster first; none last), then mentions, then name: see RankBrands.
  std::vector<BrandReport> brands;
};

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
