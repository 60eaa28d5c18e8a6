#include <cmath>
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

}  // namespace
}  // namespace ecoute
