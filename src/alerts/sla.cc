// SLA targets and deadlines in business hours, the policies as data, and the escalation
// ladder (docs/ALERTS.md). A case's target lives in the store (the triggers of schema
// version 6 start and meet it), its deadline is computed here and written back, and each
// level it reaches is a row of the escalation log: the monitor keeps no state of its own,
// so a restart resumes the ladder where the cases stand, and never repeats a step.
#include "alerts/sla.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <utility>

#include <date/date.h>
#include <date/tz.h>

namespace ecoute::server {
namespace {

constexpr int kSearchDays = 3660;  // how far AddBusinessTime looks for open hours

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// "1h", "90m", "45s": the largest unit that divides the time.
std::string FormatSeconds(int64_t seconds) {
  if (seconds > 0 && seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds > 0 && seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

int Digits(std::string_view text, size_t at, size_t count) {
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

const date::time_zone* FindZone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::string FormatDate(const date::year_month_day& ymd) {
  char out[48];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return out;
}

// Calls `window(open, close)` with each stretch of business time from `start` on, in order,
// until it returns false or kSearchDays have passed. False when the zone is unknown.
template <typename Window>
bool ForEachWindow(const BusinessHours& hours, int64_t start, Window window) {
  const date::time_zone* zone = FindZone(hours.time_zone);
  if (zone == nullptr) return false;
  using std::chrono::minutes;
  using std::chrono::seconds;
  const date::sys_seconds from{seconds(start)};
  date::local_days day = date::floor<date::days>(zone->to_local(from));
  for (int i = 0; i < kSearchDays; ++i, day += date::days{1}) {
    const auto& span = hours.days[(date::weekday(day).c_encoding() + 6) % 7];
    if (!span) continue;
    if (!hours.holidays.empty()) {
      const std::string ymd = FormatDate(date::year_month_day(day));
      if (std::find(hours.holidays.begin(), hours.holidays.end(), ymd) != hours.holidays.end()) {
        continue;
      }
    }
    const int64_t open =
        zone->to_sys(day + minutes(span->first), date::choose::earliest).time_since_epoch().count();
    const int64_t close = zone->to_sys(day + minutes(span->second), date::choose::earliest)
                              .time_since_epoch()
                              .count();
    const int64_t a = std::max(open, start);
    if (close <= a) continue;
    if (!window(a, close)) return true;
  }
  return true;
}

}  // namespace

// ---- business hours -------------------------------------------------------------------------

std::optional<std::pair<int, int>> ParseHoursRange(std::string_view text) {
  if (text.size() != 11 || text[2] != ':' || text[5] != '-' || text[8] != ':') return std::nullopt;
  const int h1 = Digits(text, 0, 2);
  const int m1 = Digits(text, 3, 2);
  const int h2 = Digits(text, 6, 2);
  const int m2 = Digits(text, 9, 2);
  if (h1 < 0 || m1 < 0 || h2 < 0 || m2 < 0 || m1 > 59 || m2 > 59 || h1 > 23 || h2 > 24) {
    return std::nullopt;
  }
  const int open = h1 * 60 + m1;
  const int close = h2 * 60 + m2;
  if (close > 24 * 60 || close <= open) return std::nullopt;
  return std::pair{open, close};
}

std::string FormatHoursRange(const std::pair<int, int>& range) {
  char out[48];
  std::snprintf(out, sizeof out, "%02d:%02d-%02d:%02d", range.first / 60, range.first % 60,
                range.second / 60, range.second % 60);
  return out;
}

bool IsIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  const int y = Digits(text, 0, 4);
  const int m = Digits(text, 5, 2);
  const int d = Digits(text, 8, 2);
  if (y < 0 || m < 0 || d < 0) return false;
  return date::year_month_day(date::year(y), date::month(static_cast<unsigned>(m)),
                              date::day(static_cast<unsigned>(d)))
      .ok();
}

bool IsKnownTimeZone(const std::string& name) { return !name.empty() && FindZone(name) != nullptr; }

std::optional<int64_t> AddBusinessTime(const BusinessHours& hours, int64_t start, int64_t seconds) {
  if (hours.time_zone.empty()) return start + seconds;
  std::optional<int64_t> out;
  int64_t left = seconds;
  const bool known = ForEachWindow(hours, start, [&](int64_t open, int64_t close) {
    if (left <= close - open) {
      out = open + left;
      return false;
    }
    left -= close - open;
    return true;
  });
  if (!known) return std::nullopt;
  return out;
}

int64_t BusinessSecondsBetween(const BusinessHours& hours, int64_t from, int64_t to) {
  if (to <= from) return 0;
  if (hours.time_zone.empty()) return to - from;
  int64_t total = 0;
  ForEachWindow(hours, from, [&](int64_t open, int64_t close) {
    if (open >= to) return false;
    total += std::min(close, to) - open;
    return close < to;
  });
  return total;
}

// ---- configuration --------------------------------------------------------------------------

SlaConfig DefaultSlaConfig() {
  SlaConfig config;
  for (auto [min_priority, hours] : {std::pair{0, 24}, std::pair{40, 4}, std::pair{70, 1}}) {
    SlaPolicy& p = config.policies.emplace_back();
    p.min_priority = min_priority;
    p.first_response_seconds = int64_t{hours} * 3600;
  }
  for (std::string_view name : {"agent", "supervisor", "manager"}) {
    config.levels.push_back({std::string(name), {}});
  }
  return config;
}

std::optional<SlaConfigError> ValidateSlaConfig(const SlaConfig& config,
                                                const OutboundPolicy& outbound) {
  constexpr int64_t kMaxSeconds = int64_t{365} * 86400;
  for (size_t i = 0; i < config.policies.size(); ++i) {
    const SlaPolicy& p = config.policies[i];
    const std::string at = "policies[" + std::to_string(i) + "]";
    if (p.brand.empty() || p.brand.size() > 200 || p.brand.find('\n') != std::string::npos) {
      return SlaConfigError{at + ".brand", "give a brand's name, or * for every brand"};
    }
    if (p.min_priority < 0 || p.min_priority > 100) {
      return SlaConfigError{at + ".min_priority", "give a priority from 0 to 100"};
    }
    if (p.first_response_seconds <= 0 || p.first_response_seconds > kMaxSeconds) {
      return SlaConfigError{at + ".first_response", "give a time from 1 second to 365 days"};
    }
    if (p.next_response_seconds < 0 || p.next_response_seconds > kMaxSeconds) {
      return SlaConfigError{at + ".next_response",
                            "give a time up to 365 days, or 0 for the first response's"};
    }
    const BusinessHours& h = p.hours;
    if (h.time_zone.empty()) continue;
    if (!IsKnownTimeZone(h.time_zone)) {
      return SlaConfigError{at + ".hours.time_zone", "unknown time zone \"" + h.time_zone +
                                                         "\": give an IANA name "
                                                         "such as Europe/Paris"};
    }
    if (std::none_of(h.days.begin(), h.days.end(), [](const auto& d) { return d.has_value(); })) {
      return SlaConfigError{at + ".hours.days", "open at least one day of the week"};
    }
    for (size_t j = 0; j < h.holidays.size(); ++j) {
      if (!IsIsoDate(h.holidays[j])) {
        return SlaConfigError{at + ".hours.holidays[" + std::to_string(j) + "]",
                              "a date as YYYY-MM-DD"};
      }
    }
  }
  if (config.levels.empty()) return SlaConfigError{"levels", "give at least one level"};
  for (size_t i = 0; i < config.levels.size(); ++i) {
    const EscalationLevel& l = config.levels[i];
    const std::string at = "levels[" + std::to_string(i) + "]";
    if (l.name.empty() || l.name.size() > 100 || l.name.find('\n') != std::string::npos) {
      return SlaConfigError{at + ".name", "give the level a name of at most 100 bytes"};
    }
    for (size_t j = 0; j < l.contacts.size(); ++j) {
      if (Status s = ValidateTarget(l.contacts[j], outbound); !s.ok()) {
        return SlaConfigError{at + ".contacts[" + std::to_string(j) + "].url", s.message()};
      }
    }
  }
  return std::nullopt;
}

SlaConfigRows ToRows(const SlaConfig& config) {
  SlaConfigRows rows;
  for (const SlaPolicy& p : config.policies) {
    SlaPolicyRow& r = rows.policies.emplace_back();
    r.brand = p.brand;
    r.min_priority = p.min_priority;
    r.first_response_seconds = p.first_response_seconds;
    r.next_response_seconds = p.next_response_seconds;
    r.time_zone = p.hours.time_zone;
    for (size_t d = 0; d < 7; ++d) {
      if (d > 0) r.hours += ',';
      if (p.hours.days[d]) r.hours += FormatHoursRange(*p.hours.days[d]);
    }
    for (const std::string& day : p.hours.holidays) {
      if (!r.holidays.empty()) r.holidays += ' ';
      r.holidays += day;
    }
  }
  for (const EscalationLevel& l : config.levels) rows.levels.push_back({l.name, l.contacts});
  rows.updated_by = config.updated_by;
  rows.updated_at = config.updated_at;
  return rows;
}

SlaConfig FromRows(const SlaConfigRows& rows) {
  SlaConfig config;
  for (const SlaPolicyRow& r : rows.policies) {
    SlaPolicy& p = config.policies.emplace_back();
    p.brand = r.brand;
    p.min_priority = r.min_priority;
    p.first_response_seconds = r.first_response_seconds;
    p.next_response_seconds = r.next_response_seconds;
    p.hours.time_zone = r.time_zone;
    std::string_view hours = r.hours;
    for (size_t d = 0; d < 7 && !r.time_zone.empty(); ++d) {
      const size_t comma = hours.find(',');
      p.hours.days[d] = ParseHoursRange(hours.substr(0, comma));
      if (comma == std::string_view::npos) break;
      hours.remove_prefix(comma + 1);
    }
    std::string_view holidays = r.holidays;
    while (!holidays.empty()) {
      const size_t space = holidays.find(' ');
      if (space != 0) p.hours.holidays.emplace_back(holidays.substr(0, space));
      if (space == std::string_view::npos) break;
      holidays.remove_prefix(space + 1);
    }
  }
  for (const SlaLevelRow& l : rows.levels) config.levels.push_back({l.name, l.contacts});
  config.updated_by = rows.updated_by;
  config.updated_at = rows.updated_at;
  return config;
}

// ---- targets and states ---------------------------------------------------------------------

const SlaPolicy* PolicyFor(const SlaConfig& config, std::string_view brand, int priority) {
  auto best_of = [&](bool brand_specific) -> const SlaPolicy* {
    const SlaPolicy* best = nullptr;
    for (const SlaPolicy& policy : config.policies) {
      const bool names_brand = policy.brand != "*" && EqualsIgnoreCase(policy.brand, brand);
      if (brand_specific ? !names_brand : policy.brand != "*") continue;
      if (policy.min_priority > priority) continue;
      if (best == nullptr || policy.min_priority > best->min_priority) best = &policy;
    }
    return best;
  };
  const SlaPolicy* specific = best_of(true);
  return specific != nullptr ? specific : best_of(false);
}

std::string_view SlaTargetName(SlaTarget target) {
  switch (target) {
    case SlaTarget::kFirstResponse:
      return "first_response";
    case SlaTarget::kNextResponse:
      return "next_response";
    case SlaTarget::kNone:
      break;
  }
  return "";
}

int64_t TargetSeconds(const SlaPolicy& policy, SlaTarget target) {
  if (target == SlaTarget::kNextResponse && policy.next_response_seconds > 0) {
    return policy.next_response_seconds;
  }
  return policy.first_response_seconds;
}

std::string_view SlaStateName(SlaState state) {
  switch (state) {
    case SlaState::kNone:
      return "none";
    case SlaState::kOk:
      return "ok";
    case SlaState::kDueSoon:
      return "due_soon";
    case SlaState::kBreached:
      return "breached";
    case SlaState::kMet:
      return "met";
    case SlaState::kMissed:
      return "missed";
  }
  return "none";
}

SlaStatus SlaStatusOf(const SlaConfig& config, const CaseSummary& summary, int64_t now) {
  const bool legacy = summary.sla_round == 0;
  const auto target =
      legacy ? SlaTarget::kFirstResponse : static_cast<SlaTarget>(summary.sla_target);
  if (target == SlaTarget::kNone) return {};
  const SlaPolicy* policy = PolicyFor(config, summary.brand, summary.priority);
  if (policy == nullptr) return {};
  const int64_t allowed = TargetSeconds(*policy, target);
  if (allowed <= 0) return {};
  const int64_t since = legacy || summary.sla_since == 0 ? summary.opened_at : summary.sla_since;
  const std::optional<int64_t> due = AddBusinessTime(policy->hours, since, allowed);
  if (!due) return {};
  const std::optional<int64_t> met = legacy ? summary.first_response_at : summary.sla_met_at;
  SlaStatus status;
  status.target = target;
  status.due_at = due;
  if (met) {
    status.state = *met <= *due ? SlaState::kMet : SlaState::kMissed;
    return status;
  }
  if (!IsOpen(summary.status)) return {SlaState::kNone, SlaTarget::kNone, due, std::nullopt};
  status.seconds_left = *due - now;
  if (now >= *due) {
    status.state = SlaState::kBreached;
  } else if (4 * BusinessSecondsBetween(policy->hours, now, *due) < allowed) {
    status.state = SlaState::kDueSoon;  // less than a quarter of the time left
  } else {
    status.state = SlaState::kOk;
  }
  return status;
}

std::string DescribeBreach(const SlaPolicy& policy, SlaTarget target, int64_t waited_seconds) {
  std::string out =
      target == SlaTarget::kNextResponse ? "no next response within " : "no first response within ";
  out += FormatSeconds(waited_seconds);
  std::string scope;
  if (policy.brand != "*") scope = policy.brand;
  if (policy.min_priority > 0) {
    if (!scope.empty()) scope += ", ";
    scope += "priority ≥ " + std::to_string(policy.min_priority);
  }
  if (!policy.hours.time_zone.empty()) {
    if (!scope.empty()) scope += ", ";
    scope += "business hours";
  }
  if (!scope.empty()) out += " (" + scope + ")";
  return out;
}

}  // namespace ecoute::server
