#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "ecoute/report.h"

namespace ecoute {
namespace {

struct PercentileCase {
  std::vector<int64_t> sorted;
  double p;
  std::optional<double> want;
};

TEST(FiguresTest, NearestRankPercentileTakesTheValueAtRankCeilPN) {
  const PercentileCase cases[] = {
      {{10, 20, 30, 40}, 50, 20},   // rank ceil(2) = 2
      {{10, 20, 30, 40}, 90, 40},   // rank ceil(3.6) = 4
      {{10, 20, 30, 40}, 25, 10},   // rank ceil(1) = 1
      {{10, 20, 30, 40}, 26, 20},   // rank ceil(1.04) = 2
      {{10, 20, 30, 40}, 100, 40},  // the maximum
      {{10, 20, 30, 40}, 1, 10},    // never below rank 1
      {{5}, 50, 5},                 // one value is every percentile
      {{5}, 100, 5},
      {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},  // exactly rank 9, not 10
      {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 70, 7},
      {{}, 50, std::nullopt},  // nothing to rank
  };
  for (const PercentileCase& c : cases) {
    SCOPED_TRACE(::testing::Message() << "n=" << c.sorted.size() << " p=" << c.p);
    EXPECT_EQ(NearestRankPercentile(c.sorted, c.p), c.want);
  }
}

BrandReport Brand(std::string name, double response_rate, std::optional<double> median,
                  int64_t mentions) {
  BrandReport b;
  b.brand = std::move(name);
  b.response_rate = response_rate;
  b.first_response_median_s = median;
  b.mentions = mentions;
  return b;
}

TEST(FiguresTest, RankBrandsByRateThenSpeedThenMentionsThenName) {
  std::vector<BrandReport> brands = {
      Brand("Slow", 0.5, 7200, 10),
      Brand("Silent", 0, std::nullopt, 90),
      Brand("Fast", 0.5, 60, 5),
      Brand("Best", 0.9, 600, 1),
      Brand("Unknown", 0.5, std::nullopt, 50),
      Brand("B-twin", 0.5, 7200, 10),
      Brand("Louder", 0.5, 7200, 20),
  };
  RankBrands(brands);
  std::vector<std::string> names;
  names.reserve(brands.size());
  for (const BrandReport& b : brands) names.push_back(b.brand);
  EXPECT_EQ(names, (std::vector<std::string>{"Best", "Fast", "Louder", "B-twin", "Slow", "Unknown",
                                             "Silent"}));
}

constexpr int64_t kFirstHour = 1'763'596'800;  // 2025-11-20T00:00:00Z

TEST(FiguresTest, OneBurstOverAFlatSeriesIsASpike) {
  std::vector<int64_t> counts(48, 2);
  counts.push_back(30);
  const std::vector<Spike> spikes = DetectSpikes(counts, kFirstHour);
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_EQ(spikes[0].hour, kFirstHour + int64_t{48} * 3600);
  EXPECT_EQ(spikes[0].mentions, 30);
  // A flat history: mean exactly 2, variance exactly 0, so z = (30 - 2) / sqrt(0 + 1).
  EXPECT_DOUBLE_EQ(spikes[0].baseline, 2.0);
  EXPECT_DOUBLE_EQ(spikes[0].z, 28.0);
}

TEST(FiguresTest, ASpikeRaisesTheBaselineOfTheHoursAfterIt) {
  std::vector<int64_t> counts(48, 2);
  counts.push_back(30);
  counts.insert(counts.end(), 5, 2);
  counts.push_back(30);
  const std::vector<Spike> spikes = DetectSpikes(counts, kFirstHour);
  ASSERT_EQ(spikes.size(), 2u);
  // After the burst: mean 2 + 0.1 * 28 = 4.8, variance 0.9 * 28 * 2.8 = 70.56; five quiet
  // hours bring the mean back to 2 + 2.8 * 0.9^5 = 3.653372.
  EXPECT_NEAR(spikes[1].baseline, 3.653372, 1e-9);
  EXPECT_LT(spikes[1].z, spikes[0].z / 5);
  EXPECT_GE(spikes[1].z, 3.0);
}

TEST(FiguresTest, SlowGrowthIsNoSpike) {
  std::vector<int64_t> counts;
  for (int64_t i = 0; i < 200; ++i) counts.push_back(2 + i / 2);  // +1 every two hours
  EXPECT_TRUE(DetectSpikes(counts, kFirstHour).empty());
}

TEST(FiguresTest, FewMentionsAreNeverASpike) {
  std::vector<int64_t> counts(48, 0);
  counts.push_back(4);  // z = 4, but below min_mentions = 5
  EXPECT_TRUE(DetectSpikes(counts, kFirstHour).empty());
  counts.back() = 5;
  EXPECT_EQ(DetectSpikes(counts, kFirstHour).size(), 1u);
  SpikeOptions strict;
  strict.min_mentions = 6;
  EXPECT_TRUE(DetectSpikes(counts, kFirstHour, strict).empty());
}

TEST(FiguresTest, WarmupHoursAreNeverASpike) {
  std::vector<int64_t> counts(10, 1);
  counts[5] = 50;
  EXPECT_TRUE(DetectSpikes(counts, kFirstHour).empty());  // warmup 24
  SpikeOptions options;
  options.warmup = 5;
  const std::vector<Spike> spikes = DetectSpikes(counts, kFirstHour, options);
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_EQ(spikes[0].hour, kFirstHour + int64_t{5} * 3600);
  // Even without warmup, the first hour has no baseline to stand out from.
  options.warmup = 0;
  EXPECT_TRUE(DetectSpikes({50}, kFirstHour, options).empty());
  EXPECT_TRUE(DetectSpikes({}, kFirstHour, options).empty());
}

// Hand-computed with the formula of report.h, z = 1.959964:
// 8/10: p = 0.8, z²/n = 0.38415, center = (0.8 + 0.19207) / 1.38415 = 0.71674,
// half = 1.959964 × sqrt(0.016 + 0.0096037) / 1.38415 = 0.22658: [0.49016, 0.94332].
TEST(FiguresTest, WilsonIntervalMatchesHandComputedBounds) {
  struct WilsonCase {
    int64_t k, n;
    double low, high;
  };
  const WilsonCase cases[] = {
      {8, 10, 0.490162, 0.943318},
      {0, 5, 0.0, 0.434482},  // none: the low bound is exactly 0, the high one is not
      {5, 5, 0.565518, 1.0},  // all: the mirror image
      {1, 2, 0.094531, 0.905469},
      {37, 50, 0.604468, 0.841285},
  };
  for (const WilsonCase& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.k << "/" << c.n);
    const std::optional<Interval> ci = WilsonInterval(c.k, c.n);
    ASSERT_TRUE(ci.has_value());
    EXPECT_NEAR(ci->low, c.low, 5e-7);
    EXPECT_NEAR(ci->high, c.high, 5e-7);
  }
  EXPECT_EQ(WilsonInterval(0, 5)->low, 0.0);
  EXPECT_EQ(WilsonInterval(5, 5)->high, 1.0);
  EXPECT_FALSE(WilsonInterval(0, 0).has_value());
}

TEST(FiguresTest, SplitMix64GivesTheReferenceSequence) {
  // The published SplitMix64 outputs for the seed 1234567.
  SplitMix64 random(1234567);
  EXPECT_EQ(random.Next(), 6457827717110365317ULL);
  EXPECT_EQ(random.Next(), 3203168211198807973ULL);
}

// The expected bounds were computed independently by a 25-line Python script that
// reimplements SplitMix64 (state += 0x9e3779b97f4a7c15, then the two xor-shift-multiply
// rounds), draws index = output % n for each of the n values of every resample, takes the
// nearest-rank median of each sorted resample, then the nearest-rank 2.5th and 97.5th
// percentiles of the sorted medians (ranks ceil(0.025 B) and ceil(0.975 B)).
TEST(FiguresTest, BootstrapMedianIntervalIsReproducibleAndMatchesAnIndependentComputation) {
  const std::vector<int64_t> seven = {60, 300, 900, 1800, 3600, 7200, 86400};
  std::optional<Interval> ci = BootstrapMedianInterval(seven, 2000, 20261207);
  ASSERT_TRUE(ci.has_value());
  EXPECT_EQ(ci->low, 300);
  EXPECT_EQ(ci->high, 7200);
  ci = BootstrapMedianInterval(seven, 20, 1);
  ASSERT_TRUE(ci.has_value());
  EXPECT_EQ(ci->low, 60);
  EXPECT_EQ(ci->high, 7200);
  const std::vector<int64_t> ten = {45, 120, 600, 600, 5400, 7500, 9000, 14400, 30000, 274000};
  ci = BootstrapMedianInterval(ten);  // the report's defaults: 2000 resamples, its seed
  ASSERT_TRUE(ci.has_value());
  EXPECT_EQ(ci->low, 120);
  EXPECT_EQ(ci->high, 14400);
  // The same input gives the same answer, every time.
  EXPECT_EQ(BootstrapMedianInterval(ten)->low, ci->low);
  EXPECT_EQ(BootstrapMedianInterval(ten)->high, ci->high);
  // One value is its own interval; none has no interval.
  ci = BootstrapMedianInterval({500});
  ASSERT_TRUE(ci.has_value());
  EXPECT_EQ(ci->low, 500);
  EXPECT_EQ(ci->high, 500);
  EXPECT_FALSE(BootstrapMedianInterval({}).has_value());
}

TEST(FiguresTest, BrandsBelowTheMinimumFollowTheRankedOnesUnranked) {
  Report report;
  for (const auto& [name, cases] :
       std::vector<std::pair<std::string, int64_t>>{{"A", 2}, {"B", 12}, {"C", 10}, {"D", 0}}) {
    BrandReport b;
    b.brand = name;
    b.cases = cases;
    report.brands.push_back(b);
  }
  ApplyMinimumCases(report, 10);
  EXPECT_EQ(report.min_cases, 10);
  std::vector<std::string> order;
  for (const BrandReport& b : report.brands) order.push_back(b.brand + (b.ranked ? "+" : "-"));
  EXPECT_EQ(order, (std::vector<std::string>{"B+", "C+", "A-", "D-"}));
  ApplyMinimumCases(report, 0);
  for (const BrandReport& b : report.brands) EXPECT_TRUE(b.ranked) << b.brand;
}

TEST(FiguresTest, AddUncertaintyFillsTheIntervalsThenAppliesTheMinimum) {
  Report report;
  BrandReport small;
  small.brand = "Small";
  small.cases = 5;
  small.responded = 5;
  BrandReport large;
  large.brand = "Large";
  large.cases = 10;
  large.responded = 8;
  report.brands = {small, large};
  AddUncertainty(report, 10);
  ASSERT_EQ(report.brands.size(), 2u);
  EXPECT_EQ(report.brands[0].brand, "Large");
  EXPECT_TRUE(report.brands[0].ranked);
  EXPECT_NEAR(report.brands[0].response_rate_ci->high, 0.943318, 5e-7);
  EXPECT_EQ(report.brands[1].brand, "Small");
  EXPECT_FALSE(report.brands[1].ranked);
  EXPECT_NEAR(report.brands[1].response_rate_ci->low, 0.565518, 5e-7);
}

TEST(FiguresTest, AddIntervalsLeavesUnknownWhatCannotBeEstimated) {
  BrandReport b;
  AddIntervals(b);
  EXPECT_FALSE(b.response_rate_ci.has_value());
  EXPECT_FALSE(b.resolution_rate_ci.has_value());
  EXPECT_FALSE(b.first_response_median_ci_s.has_value());
  b.cases = 10;
  b.responded = 8;
  b.resolved = 0;
  b.response_times_s = {60, 300, 900, 1800, 3600, 7200, 86400, 86400};
  AddIntervals(b);
  EXPECT_NEAR(b.response_rate_ci->low, 0.490162, 5e-7);
  EXPECT_EQ(b.resolution_rate_ci->low, 0.0);
  ASSERT_TRUE(b.first_response_median_ci_s.has_value());
  EXPECT_LE(b.first_response_median_ci_s->low, b.first_response_median_ci_s->high);
}

}  // namespace
}  // namespace ecoute
