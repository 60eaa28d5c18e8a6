// The report's arithmetic: percentiles, ranking and spike detection.
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
