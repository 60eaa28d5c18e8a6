// The brands' report: mentions, stances, topics, weeks and spikes from the verdicts; cases,
// responses and word of mouth from the cases (docs/REPORT.md).
#include <algorithm>
#include <array>
#include <map>

#include "store/sqlite/sqlite_store.h"
#include "util/datetime.h"

namespace ecoute::sqlite {
namespace {

// The weeks from the first to the last day with mentions, empty ones included, with the
// mentions, complaints and praise of each; the hourly counts give the spikes.
void AddWeeksAndSpikes(const std::map<int64_t, std::array<int64_t, 3>>& brand_hours,
                       const SpikeOptions& spikes, BrandReport& r) {
  if (brand_hours.empty()) return;
  const int64_t first = brand_hours.begin()->first;
  const int64_t last = brand_hours.rbegin()->first;
  std::vector<int64_t> counts(static_cast<size_t>(last - first + 1), 0);
  const int64_t first_day = first * 3600 / 86400;
  const int64_t last_day = last * 3600 / 86400;
  std::string current;
  for (int64_t day = first_day; day <= last_day; ++day) {
    std::string week = IsoWeek(day);
    if (week != current) {
      r.weeks.push_back({week, 0, 0, 0});
      current = std::move(week);
    }
  }
  for (const auto& [hour, n] : brand_hours) {
    counts[static_cast<size_t>(hour - first)] = n[0];
    const std::string week = IsoWeek(hour * 3600 / 86400);
    for (WeekCount& w : r.weeks) {
      if (w.week == week) {
        w.mentions += n[0];
        w.complaints += n[1];
        w.praise += n[2];
        break;
      }
    }
  }
  r.spikes = DetectSpikes(counts, first * 3600, spikes);
}

// The figures computed from the counts: percentiles, rates, word of mouth, topics in order.
void AddRates(BrandReport& r) {
  std::sort(r.response_times_s.begin(), r.response_times_s.end());
  r.first_response_median_s = NearestRankPercentile(r.response_times_s, 50);
  r.first_response_p90_s = NearestRankPercentile(r.response_times_s, 90);
  r.response_rate =
      r.cases > 0 ? static_cast<double>(r.responded) / static_cast<double>(r.cases) : 0;
  r.declared_rate =
      r.cases > 0 ? static_cast<double>(r.declared) / static_cast<double>(r.cases) : 0;
  r.resolution_rate =
      r.cases > 0 ? static_cast<double>(r.resolved) / static_cast<double>(r.cases) : 0;
  r.word_of_mouth = 3 * r.praise - 10 * r.unanswered + 12 * r.recovered;
  std::sort(r.topics.begin(), r.topics.end(), [](const TopicCount& a, const TopicCount& b) {
    return a.mentions != b.mentions ? a.mentions > b.mentions : a.topic < b.topic;
  });
}

}  // namespace

Result<Report> SqliteStore::BuildReport(const ReportOptions& options) {
  Report report;
  report.generated_at = options.now;
  report.since = options.since;
  report.until = options.until;
  ReportCounts counts;
  ECOUTE_ASSIGN_OR_RETURN(counts.brands, ReportBrands(options));
  const int64_t since = options.since.value_or(INT64_MIN);
  const int64_t until = options.until.value_or(INT64_MAX);
  ECOUTE_RETURN_IF_ERROR(CountMentions(since, until, counts));
  ECOUTE_RETURN_IF_ERROR(CountCases(since, until, counts));
  for (auto& [id, r] : counts.brands) {
    AddRates(r);
    AddWeeksAndSpikes(counts.hours[id], options.spikes, r);
    report.brands.push_back(std::move(r));
  }
  RankBrands(report.brands);
  return report;
}

// The brands the report covers, by id: those asked for, else every brand.
Result<std::map<int64_t, BrandReport>> SqliteStore::ReportBrands(const ReportOptions& options) {
  std::map<int64_t, BrandReport> by_brand;
  if (options.brands.empty()) {
    for (const BrandRow& brand : brands_) by_brand[brand.id].brand = brand.name;
  } else {
    for (const std::string& name : options.brands) {
      ECOUTE_ASSIGN_OR_RETURN(int64_t id, BrandIdByName(name));
      by_brand[id].brand = brands_[brand_by_name_.at(Lower(name))].name;
    }
  }
  return by_brand;
}

// Mentions by brand and hour, in one pass over the verdicts: the stance counts, the topics,
// and the hours that make the weeks and the spikes.
Status SqliteStore::CountMentions(int64_t since, int64_t until, ReportCounts& counts) {
  std::map<int64_t, std::array<std::array<int64_t, 2>, kTopicCount>> topics;  // brand -> topic
  std::string sql =
      "SELECT brand_id, at / 3600, count(*), sum(stance = 1), sum(stance = 2), sum(stance = 3), "
      "sum(stance = 4)";
  for (int t = 0; t < kTopicCount; ++t) {
    const std::string bit = "(topics >> " + std::to_string(t) + " & 1)";
    sql += ", sum(" + bit + "), sum(" + bit + " * (stance = 1))";
  }
  sql += " FROM post_brands WHERE is_by_brand = 0 AND at >= ?1 AND at < ?2 GROUP BY 1, 2";
  sqlite::Statement select(db_, sql);
  if (!select.ok()) return select.status();
  select.Bind(1, since).Bind(2, until);
  while (select.Step()) {
    BrandReport* r = counts.Find(select.Int(0));
    if (r == nullptr) continue;
    r->mentions += select.Int(2);
    r->complaints += select.Int(3);
    r->praise += select.Int(4);
    r->resolutions += select.Int(5);
    r->questions += select.Int(6);
    counts.hours[select.Int(0)][select.Int(1)] = {select.Int(2), select.Int(3), select.Int(4)};
    auto& brand_topics = topics[select.Int(0)];
    for (int t = 0; t < kTopicCount; ++t) {
      brand_topics[static_cast<size_t>(t)][0] += select.Int(7 + 2 * t);
      brand_topics[static_cast<size_t>(t)][1] += select.Int(8 + 2 * t);
    }
  }
  if (!select.status().ok()) return select.status();
  for (const auto& [id, brand_topics] : topics) {
    BrandReport* r = counts.Find(id);
    for (int t = 0; t < kTopicCount; ++t) {
      const auto& n = brand_topics[static_cast<size_t>(t)];
      if (n[0] > 0) r->topics.push_back({static_cast<Topic>(t), n[0], n[1]});
    }
  }
  return OkStatus();
}

// The cases opened in the period, by brand: how many, with an observed response, with a
// declared one only, resolved, recovered, unanswered, and their first observed response
// times.
Status SqliteStore::CountCases(int64_t since, int64_t until, ReportCounts& counts) {
  sqlite::Statement select(
      db_,
      "SELECT brand_id, count(*), sum(first_observed_at IS NOT NULL), sum(status = 2), "
      "sum(recovered), sum(first_response_at IS NULL AND recovered = 0), sum(first_observed_at "
      "IS NULL AND first_declared_at IS NOT NULL) FROM cases WHERE opened_at >= ?1 AND "
      "opened_at < ?2 GROUP BY 1");
  if (!select.ok()) return select.status();
  select.Bind(1, since).Bind(2, until);
  while (select.Step()) {
    BrandReport* r = counts.Find(select.Int(0));
    if (r == nullptr) continue;
    r->cases = select.Int(1);
    r->responded = select.Int(2);
    r->resolved = select.Int(3);
    r->recovered = select.Int(4);
    r->unanswered = select.Int(5);
    r->declared = select.Int(6);
  }
  if (!select.status().ok()) return select.status();
  sqlite::Statement times(
      db_,
      "SELECT brand_id, first_observed_at - opened_at FROM cases WHERE first_observed_at IS "
      "NOT NULL AND opened_at >= ?1 AND opened_at < ?2 ORDER BY 1, 2");
  if (!times.ok()) return times.status();
  times.Bind(1, since).Bind(2, until);
  while (times.Step()) {
    if (BrandReport* r = counts.Find(times.Int(0))) {
      r->response_times_s.push_back(std::max<int64_t>(0, times.Int(1)));
    }
  }
  return times.status();
}

}  // namespace ecoute::sqlite
