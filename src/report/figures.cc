// The report's arithmetic: percentiles, intervals, ranking and spike detection.
#include <algorithm>
#include <cmath>

#include "ecoute/report.h"

namespace ecoute {

std::optional<double> NearestRankPercentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return std::nullopt;
  const auto n = static_cast<double>(sorted.size());
  // p * n before the division: exact for whole percents, so p90 of 10 values is rank 9,
  // never 10 through a rounding error in 0.9 * 10.
  double rank = std::ceil(p * n / 100.0);
  rank = std::clamp(rank, 1.0, n);
  return static_cast<double>(sorted[static_cast<size_t>(rank) - 1]);
}

std::optional<Interval> WilsonInterval(int64_t successes, int64_t trials, double z) {
  if (trials <= 0) return std::nullopt;
  const auto n = static_cast<double>(trials);
  const double p = std::clamp(static_cast<double>(successes) / n, 0.0, 1.0);
  const double z2 = z * z;
  const double denominator = 1 + z2 / n;
  const double center = (p + z2 / (2 * n)) / denominator;
  const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
  // 0/n and n/n: the bound is exactly 0 or 1, not a rounding error away from it.
  const double low = successes <= 0 ? 0.0 : std::max(0.0, center - half);
  const double high = successes >= trials ? 1.0 : std::min(1.0, center + half);
  return Interval{low, high};
}

uint64_t SplitMix64::Next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::optional<Interval> BootstrapMedianInterval(const std::vector<int64_t>& sorted, int resamples,
                                                uint64_t seed) {
  if (sorted.empty() || resamples <= 0) return std::nullopt;
  SplitMix64 random(seed);
  const size_t n = sorted.size();
  // The nearest-rank median's rank, ceil(n / 2), 0-based.
  const size_t median_rank = (n + 1) / 2 - 1;
  std::vector<int64_t> sample(n);
  std::vector<int64_t> medians;
  medians.reserve(static_cast<size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    for (int64_t& v : sample) v = sorted[random.Next() % n];
    std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(median_rank),
                     sample.end());
    medians.push_back(sample[median_rank]);
  }
  std::sort(medians.begin(), medians.end());
  return Interval{*NearestRankPercentile(medians, 2.5), *NearestRankPercentile(medians, 97.5)};
}

void AddIntervals(BrandReport& b) {
  b.response_rate_ci = WilsonInterval(b.responded, b.cases);
  b.resolution_rate_ci = WilsonInterval(b.resolved, b.cases);
  b.first_response_median_ci_s = BootstrapMedianInterval(b.response_times_s);
}

void ApplyMinimumCases(Report& report, int64_t min_cases) {
  report.min_cases = std::max<int64_t>(0, min_cases);
  for (BrandReport& b : report.brands) b.ranked = b.cases >= report.min_cases;
  std::stable_partition(report.brands.begin(), report.brands.end(),
                        [](const BrandReport& b) { return b.ranked; });
}

void AddUncertainty(Report& report, int64_t min_cases) {
  for (BrandReport& b : report.brands) AddIntervals(b);
  ApplyMinimumCases(report, min_cases);
}

void RankBrands(std::vector<BrandReport>& brands) {
  std::stable_sort(brands.begin(), brands.end(), [](const BrandReport& a, const BrandReport& b) {
    if (a.response_rate != b.response_rate) return a.response_rate > b.response_rate;
    const bool a_known = a.first_response_median_s.has_value();
    const bool b_known = b.first_response_median_s.has_value();
    if (a_known != b_known) return a_known;
    if (a_known && *a.first_response_median_s != *b.first_response_median_s) {
      return *a.first_response_median_s < *b.first_response_median_s;
    }
    if (a.mentions != b.mentions) return a.mentions > b.mentions;
    return a.brand < b.brand;
  });
}

std::vector<Spike> DetectSpikes(const std::vector<int64_t>& counts, int64_t first_hour,
                                const SpikeOptions& options) {
  std::vector<Spike> spikes;
  if (counts.empty()) return spikes;
  // The first hour sets the mean: starting from 0 would take the EWMA some twenty hours
  // to climb to a busy brand's level, and a long warmup to hide that.
  double mean = static_cast<double>(counts[0]);
  double variance = 0;
  const size_t warmup = static_cast<size_t>(std::max(options.warmup, 1));
  for (size_t i = 1; i < counts.size(); ++i) {
    const auto count = static_cast<double>(counts[i]);
    if (i >= warmup && counts[i] >= options.min_mentions) {
      // The +1 keeps a flat history (variance 0) from turning one extra post into an
      // infinite z: it acts as a Poisson-like floor of one mention per hour.
      const double z = (count - mean) / std::sqrt(variance + 1.0);
      if (z >= options.z_threshold) {
        spikes.push_back({first_hour + static_cast<int64_t>(i) * 3600, counts[i], mean, z});
      }
    }
    // The incremental exponentially weighted mean and variance (Finch, 2009).
    const double diff = count - mean;
    const double step = options.alpha * diff;
    mean += step;
    variance = (1.0 - options.alpha) * (variance + diff * step);
  }
  return spikes;
}

}  // namespace ecoute
