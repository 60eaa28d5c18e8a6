// The brands' report: mentions, stances, topics, weeks and spikes from the verdicts; cases,
// responses and word of mouth from the cases (docs/REPORT.md).
#include <algorithm>
#include <array>
#include <cstdio>
#include <map>

#include "store/sqlite/sqlite_store.h"

namespace ecoute::sqlite {
namespace {

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm, public domain).
void CivilFromDays(int64_t z, int& year, unsigned& month, unsigned& day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
}

// Days since 1970-01-01 of a civil date (the inverse of CivilFromDays).
int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The ISO 8601 week of a day: "2026-W47". Weeks start on Monday; a week belongs to the
// year of its Thursday.
std::string IsoWeek(int64_t days) {
  const int64_t weekday = ((days % 7) + 7 + 3) % 7;  // 0 = Monday (1970-01-01 was a Thursday)
  const int64_t thursday = days - weekday + 3;
  int year;
  unsigned month, day;
  CivilFromDays(thursday, year, month, day);
  const int64_t week = (thursday - DaysFromCivil(year, 1, 1)) / 7 + 1;
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%04d-W%02d", year, static_cast<int>(week));
  return buffer;
}

}  // namespace

Result<Report> SqliteStore::BuildReport(const ReportOptions& options) {
  Report report;
  report.generated_at = options.now;
  report.since = options.since;
  report.until = options.until;
  const int64_t since = options.since.value_or(INT64_MIN);
  const int64_t until = options.until.value_or(INT64_MAX);

  std::map<int64_t, BrandReport> by_brand;
  if (options.brands.empty()) {
    for (const BrandRow& brand : brands_) by_brand[brand.id].brand = brand.name;
  } else {
    for (const std::string& name : options.brands) {
      ECOUTE_ASSIGN_OR_RETURN(int64_t id, BrandIdByName(name));
      by_brand[id].brand = brands_[brand_by_name_.at(Lower(name))].name;
    }
  }
  auto find = [&](int64_t id) -> BrandReport* {
    auto found = by_brand.find(id);
    return found == by_brand.end() ? nullptr : &found->second;
  };

  // Mentions by brand and hour, in one pass over the verdicts: the stance counts, the
  // topics, the weeks and the spikes.
  std::map<int64_t, std::map<int64_t, std::array<int64_t, 3>>> hours;         // brand -> hour -> n
  std::map<int64_t, std::array<std::array<int64_t, 2>, kTopicCount>> topics;  // brand -> topic
  {
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
      BrandReport* r = find(select.Int(0));
      if (r == nullptr) continue;
      r->mentions += select.Int(2);
      r->complaints += select.Int(3);
      r->praise += select.Int(4);
      r->resolutions += select.Int(5);
      r->questions += select.Int(6);
      hours[select.Int(0)][select.Int(1)] = {select.Int(2), select.Int(3), select.Int(4)};
      auto& brand_topics = topics[select.Int(0)];
      for (int t = 0; t < kTopicCount; ++t) {
        brand_topics[static_cast<size_t>(t)][0] += select.Int(7 + 2 * t);
        brand_topics[static_cast<size_t>(t)][1] += select.Int(8 + 2 * t);
      }
    }
    if (!select.status().ok()) return select.status();
    for (const auto& [id, counts] : topics) {
      BrandReport* r = find(id);
      for (int t = 0; t < kTopicCount; ++t) {
        const auto& n = counts[static_cast<size_t>(t)];
        if (n[0] > 0) r->topics.push_back({static_cast<Topic>(t), n[0], n[1]});
      }
    }
  }
  {
    sqlite::Statement select(
        db_,
        "SELECT brand_id, count(*), sum(first_response_at IS NOT NULL), sum(status = 2), "
        "sum(recovered), sum(first_response_at IS NULL AND recovered = 0) FROM cases WHERE "
        "opened_at >= ?1 AND opened_at < ?2 GROUP BY 1");
    if (!select.ok()) return select.status();
    select.Bind(1, since).Bind(2, until);
    while (select.Step()) {
      BrandReport* r = find(select.Int(0));
      if (r == nullptr) continue;
      r->cases = select.Int(1);
      r->responded = select.Int(2);
      r->resolved = select.Int(3);
      r->recovered = select.Int(4);
      r->unanswered = select.Int(5);
    }
    if (!select.status().ok()) return select.status();
  }
  {
    sqlite::Statement select(
        db_,
        "SELECT brand_id, first_response_at - opened_at FROM cases WHERE first_response_at IS "
        "NOT NULL AND opened_at >= ?1 AND opened_at < ?2 ORDER BY 1, 2");
    if (!select.ok()) return select.status();
    select.Bind(1, since).Bind(2, until);
    while (select.Step()) {
      if (BrandReport* r = find(select.Int(0))) {
        r->response_times_s.push_back(std::max<int64_t>(0, select.Int(1)));
      }
    }
    if (!select.status().ok()) return select.status();
  }
  for (auto& [id, r] : by_brand) {
    std::sort(r.response_times_s.begin(), r.response_times_s.end());
    r.first_response_median_s = NearestRankPercentile(r.response_times_s, 50);
    r.first_response_p90_s = NearestRankPercentile(r.response_times_s, 90);
    r.response_rate = r.cases > 0 ? static_cast<double>(r.responded) / r.cases : 0;
    r.resolution_rate = r.cases > 0 ? static_cast<double>(r.resolved) / r.cases : 0;
    r.word_of_mouth = 3 * r.praise - 10 * r.unanswered + 12 * r.recovered;
    std::sort(r.topics.begin(), r.topics.end(), [](const TopicCount& a, const TopicCount& b) {
      return a.mentions != b.mentions ? a.mentions > b.mentions : a.topic < b.topic;
    });
    const auto& brand_hours = hours[id];
    if (!brand_hours.empty()) {
      const int64_t first = brand_hours.begin()->first;
      const int64_t last = brand_hours.rbegin()->first;
      std::vector<int64_t> counts(static_cast<size_t>(last - first + 1), 0);
      // Weeks, from the first to the last day with posts, empty ones included.
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
      r.spikes = DetectSpikes(counts, first * 3600, options.spikes);
    }
    report.brands.push_back(std::move(r));
  }
  RankBrands(report.brands);
  return report;
}

}  // namespace ecoute::sqlite
