#include "util/datetime.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ecoute {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// A broken-down time as read, checked by ToEpoch.
struct Fields {
  int64_t year = 0;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int offset_seconds = 0;  // east of UTC
};

std::optional<int64_t> ToEpoch(const Fields& f) {
  if (f.year < 1 || f.year > 9999) return std::nullopt;
  if (f.month < 1 || f.month > 12) return std::nullopt;
  if (f.day < 1 || f.day > DaysInMonth(f.year, f.month)) return std::nullopt;
  // 24:00:00 is ISO 8601's end of day; a leap second (":60") is read as the next second.
  const bool is_end_of_day = f.hour == 24 && f.minute == 0 && f.second == 0;
  if ((f.hour > 23 && !is_end_of_day) || f.minute > 59 || f.second > 60) return std::nullopt;
  if (f.offset_seconds < -24 * 3600 || f.offset_seconds > 24 * 3600) return std::nullopt;
  return DaysFromCivil(f.year, f.month, f.day) * 86400 + int64_t{f.hour} * 3600 +
         int64_t{f.minute} * 60 + f.second - f.offset_seconds;
}

// Reads exactly `count` digits at `s[i]`, advancing `i`.
bool ReadDigits(std::string_view s, size_t& i, size_t count, int& value) {
  if (i + count > s.size()) return false;
  value = 0;
  for (size_t k = 0; k < count; ++k) {
    if (!IsDigit(s[i + k])) return false;
    value = value * 10 + (s[i + k] - '0');
  }
  i += count;
  return true;
}

// "+01:00", "+0100", "+01", "-05:30"; `s[i]` is the sign.
bool ReadNumericOffset(std::string_view s, size_t& i, int& offset_seconds) {
  const int sign = s[i] == '-' ? -1 : 1;
  ++i;
  int hours = 0;
  int minutes = 0;
  if (!ReadDigits(s, i, 2, hours)) return false;
  if (i < s.size() && s[i] == ':') ++i;
  if (i < s.size() && !ReadDigits(s, i, 2, minutes)) return false;
  if (hours > 23 || minutes > 59) return false;
  offset_seconds = sign * (hours * 3600 + minutes * 60);
  return true;
}

// RFC 3339 / ISO 8601 / W3C-DTF: the whole text must match.
std::optional<int64_t> ParseIso(std::string_view s) {
  Fields f;
  size_t i = 0;
  int year = 0;
  if (!ReadDigits(s, i, 4, year)) return std::nullopt;
  f.year = year;
  if (i == s.size()) return ToEpoch(f);  // "2026"
  const bool is_basic = IsDigit(s[i]);   // "20261120" with no separators
  if (!is_basic && s[i] != '-') return std::nullopt;
  if (!is_basic) ++i;
  if (!ReadDigits(s, i, 2, f.month)) return std::nullopt;
  if (i == s.size()) return ToEpoch(f);  // "2026-11"
  if (!is_basic) {
    if (s[i] != '-') return std::nullopt;
    ++i;
  }
  if (!ReadDigits(s, i, 2, f.day)) return std::nullopt;
  if (i == s.size()) return ToEpoch(f);  // date only: midnight UTC
  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
  ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  if (!ReadDigits(s, i, 2, f.hour)) return std::nullopt;
  if (i < s.size() && s[i] == ':') ++i;
  if (!ReadDigits(s, i, 2, f.minute)) return std::nullopt;
  if (i < s.size() && (s[i] == ':' || IsDigit(s[i]))) {
    if (s[i] == ':') ++i;
    if (!ReadDigits(s, i, 2, f.second)) return std::nullopt;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {  // a fraction, dropped
      ++i;
      const size_t start = i;
      while (i < s.size() && IsDigit(s[i])) ++i;
      if (i == start) return std::nullopt;
    }
  }
  while (i < s.size() && s[i] == ' ') ++i;
  if (i == s.size()) return ToEpoch(f);  // no zone: UTC
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    if (!ReadNumericOffset(s, i, f.offset_seconds)) return std::nullopt;
  } else {
    std::string zone;
    for (; i < s.size(); ++i) zone.push_back(ToLowerAscii(s[i]));
    if (zone != "utc" && zone != "gmt" && zone != "ut") return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return ToEpoch(f);
}

// Month names, English and French, full and abbreviated, lower case and without the
// abbreviation dot. French accents are written in UTF-8 and also without them.
struct NamedNumber {
  std::string_view name;
  int value;
};

constexpr NamedNumber kMonths[] = {
    {"jan", 1},       {"january", 1},   {"janv", 1},     {"janvier", 1},   {"feb", 2},
    {"february", 2},  {"fév", 2},       {"févr", 2},     {"février", 2},   {"fev", 2},
    {"fevr", 2},      {"fevrier", 2},   {"mar", 3},      {"march", 3},     {"mars", 3},
    {"apr", 4},       {"april", 4},     {"avr", 4},      {"avril", 4},     {"may", 5},
    {"mai", 5},       {"jun", 6},       {"june", 6},     {"juin", 6},      {"jul", 7},
    {"july", 7},      {"juil", 7},      {"juillet", 7},  {"aug", 8},       {"august", 8},
    {"août", 8},      {"aout", 8},      {"sep", 9},      {"sept", 9},      {"september", 9},
    {"septembre", 9}, {"oct", 10},      {"october", 10}, {"octobre", 10},  {"nov", 11},
    {"november", 11}, {"novembre", 11}, {"dec", 12},     {"december", 12}, {"déc", 12},
    {"décembre", 12}, {"decembre", 12},
};

constexpr std::string_view kDayNames[] = {
    "mon",    "monday",   "tue",      "tues",   "tuesday", "wed",      "wednesday", "thu",
    "thur",   "thurs",    "thursday", "fri",    "friday",  "sat",      "saturday",  "sun",
    "sunday", "lun",      "lundi",    "mardi",  "mer",     "mercredi", "jeu",       "jeudi",
    "ven",    "vendredi", "sam",      "samedi", "dim",     "dimanche",
};

// Named zones of RFC 822 and the common European ones, in seconds east of UTC.
constexpr NamedNumber kZones[] = {
    {"ut", 0},          {"utc", 0},         {"gmt", 0},         {"z", 0},
    {"est", -5 * 3600}, {"edt", -4 * 3600}, {"cst", -6 * 3600}, {"cdt", -5 * 3600},
    {"mst", -7 * 3600}, {"mdt", -6 * 3600}, {"pst", -8 * 3600}, {"pdt", -7 * 3600},
    {"cet", 1 * 3600},  {"cest", 2 * 3600}, {"met", 1 * 3600},  {"mest", 2 * 3600},
    {"bst", 1 * 3600},  {"wet", 0},         {"west", 1 * 3600}, {"eet", 2 * 3600},
    {"eest", 3 * 3600},
};

// Words that carry nothing: French "à" ("mardi 3 février 2026 à 14:05"), English "at".
constexpr std::string_view kFillers[] = {"à", "at", "le", "the", "of", "de"};

std::optional<int> Lookup(std::string_view word, const NamedNumber* table, size_t size) {
  for (size_t k = 0; k < size; ++k) {
    if (table[k].name == word) return table[k].value;
  }
  return std::nullopt;
}

template <size_t N>
bool Contains(const std::string_view (&table)[N], std::string_view word) {
  for (std::string_view entry : table) {
    if (entry == word) return true;
  }
  return false;
}

// Single-letter military zones: A..I = +1..+9, K..M = +10..+12, N..Y = -1..-12, Z = 0.
std::optional<int> MilitaryZone(std::string_view word) {
  if (word.size() != 1) return std::nullopt;
  const char c = word[0];
  if (c >= 'a' && c <= 'i') return (c - 'a' + 1) * 3600;
  if (c >= 'k' && c <= 'm') return (c - 'k' + 10) * 3600;
  if (c >= 'n' && c <= 'y') return -(c - 'n' + 1) * 3600;
  if (c == 'z') return 0;
  return std::nullopt;
}

// Lower-cases ASCII and the few upper-case French letters used in month names.
std::string LowerWord(std::string_view word) {
  std::string out;
  for (size_t i = 0; i < word.size(); ++i) {
    if (word.substr(i, 2) == "\xC3\x89") {  // É
      out += "\xC3\xA9";
      ++i;
    } else if (word.substr(i, 2) == "\xC3\x9B") {  // Û
      out += "\xC3\xBB";
      ++i;
    } else {
      out.push_back(ToLowerAscii(word[i]));
    }
  }
  return out;
}

// "14:05", "14:05:33", "14h05"; false when the token is not a time.
bool ReadClock(std::string_view token, Fields& f) {
  size_t i = 0;
  size_t digits = 0;
  while (i < token.size() && IsDigit(token[i])) ++i;
  digits = i;
  if (digits == 0 || digits > 2 || i == token.size()) return false;
  if (token[i] != ':' && token[i] != 'h' && token[i] != 'H') return false;
  f.hour = 0;
  for (size_t k = 0; k < digits; ++k) f.hour = f.hour * 10 + (token[k] - '0');
  ++i;
  if (i == token.size() && token[i - 1] != ':') return true;  // "14h"
  if (!ReadDigits(token, i, 2, f.minute)) return false;
  if (i < token.size() && token[i] == ':') {
    ++i;
    if (!ReadDigits(token, i, 2, f.second)) return false;
    if (i < token.size() && token[i] == '.') {
      ++i;
      while (i < token.size() && IsDigit(token[i])) ++i;
    }
  }
  return i == token.size();
}

// RFC 822 and its relatives, read as a bag of tokens: a day name (ignored), a day, a month
// name, a year, a time and a zone, in the orders feeds use ("10 Jun 2003", "Jun 10, 2003",
// asctime's "Tue Jun 10 04:00:00 2003").
std::optional<int64_t> ParseRfc822(std::string_view s) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < s.size()) {
    if (IsSpace(s[i]) || s[i] == ',') {
      ++i;
      continue;
    }
    size_t end = i;
    if (s[i] == '+' || (s[i] == '-' && !tokens.empty())) {
      ++end;
      while (end < s.size() && (IsDigit(s[end]) || s[end] == ':')) ++end;
    } else {
      // A zone glued to what precedes it ("04:00:00-0400", "GMT+01:00") is a token of its
      // own.
      bool has_colon = false;
      while (end < s.size() && !IsSpace(s[end]) && s[end] != ',') {
        if ((s[end] == '+' || s[end] == '-') && end > i && (has_colon || !IsDigit(s[i]))) break;
        has_colon = has_colon || s[end] == ':';
        ++end;
      }
    }
    tokens.push_back(s.substr(i, end - i));
    i = end;
  }

  Fields f;
  bool has_day = false;
  bool has_month = false;
  bool has_year = false;
  bool has_time = false;
  bool has_zone = false;
  bool saw_other_month = false;
  for (std::string_view token : tokens) {
    std::string word = LowerWord(token);
    while (!word.empty() && word.back() == '.') word.pop_back();
    if (word.empty()) return std::nullopt;
    if (word != "mar" && Lookup(word, kMonths, std::size(kMonths)).has_value()) {
      saw_other_month = true;
    }
  }
  for (std::string_view token : tokens) {
    std::string word = LowerWord(token);
    while (!word.empty() && word.back() == '.') word.pop_back();
    if (word.front() == '+' || word.front() == '-') {
      size_t k = 0;
      if (has_zone || !ReadNumericOffset(word, k, f.offset_seconds) || k != word.size()) {
        return std::nullopt;
      }
      has_zone = true;
      continue;
    }
    if (IsDigit(word.front())) {
      if (word.find_first_of(":hH") != std::string::npos) {
        if (has_time || !ReadClock(word, f)) return std::nullopt;
        has_time = true;
        continue;
      }
      if (word.size() > 4 || word.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
      }
      const int value = std::stoi(word);
      if (!has_day && word.size() <= 2 && value >= 1 && value <= 31) {
        f.day = value;
        has_day = true;
      } else if (!has_year) {
        if (word.size() == 4) {
          f.year = value;
        } else if (word.size() <= 2) {
          f.year = value < 50 ? 2000 + value : 1900 + value;  // RFC 2822 section 4.3
        } else {
          return std::nullopt;
        }
        has_year = true;
      } else {
        return std::nullopt;
      }
      continue;
    }
    // "mar" is March in English and mardi (Tuesday) in French: a day name when another
    // month is named.
    if (word == "mar" && saw_other_month) continue;
    if (const std::optional<int> month = Lookup(word, kMonths, std::size(kMonths))) {
      if (has_month) return std::nullopt;
      f.month = *month;
      has_month = true;
      continue;
    }
    if (Contains(kDayNames, word) || Contains(kFillers, word)) continue;
    std::optional<int> zone = Lookup(word, kZones, std::size(kZones));
    if (!zone.has_value() && has_time) zone = MilitaryZone(word);
    if (zone.has_value() && !has_zone) {
      f.offset_seconds = *zone;
      has_zone = true;
      continue;
    }
    return std::nullopt;
  }
  if (!has_day || !has_month || !has_year) return std::nullopt;
  return ToEpoch(f);
}

}  // namespace

std::optional<int64_t> ParseDateTime(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text.size() > 200) return std::nullopt;
  if (text.size() >= 4 && IsDigit(text[0]) && IsDigit(text[1]) && IsDigit(text[2]) &&
      IsDigit(text[3])) {
    if (std::optional<int64_t> seconds = ParseIso(text)) return seconds;
  }
  return ParseRfc822(text);
}

std::optional<int64_t> ParseTimeBound(std::string_view text, TimeBound bound, int64_t now) {
  constexpr int64_t kDay = 86400;
  const char unit = text.empty() ? '\0' : ToLowerAscii(text.back());
  const std::string_view count = text.substr(0, text.empty() ? 0 : text.size() - 1);
  const int64_t unit_seconds = unit == 'm'   ? 60
                               : unit == 'h' ? 3600
                               : unit == 'd' ? kDay
                               : unit == 'w' ? 7 * kDay
                                             : 0;
  if (unit_seconds != 0 && !count.empty() && count.size() <= 9 &&
      std::all_of(count.begin(), count.end(), IsDigit)) {
    int64_t n = 0;
    for (char c : count) n = n * 10 + (c - '0');  // at most 9 digits: cannot overflow
    int64_t at = 0;
    if (__builtin_sub_overflow(now, n * unit_seconds, &at)) return std::nullopt;
    return at;
  }
  // YYYY-MM-DD, alone or followed by "T" (or a space) and a time: the strict RFC 3339
  // shape, not the web's other forms ParseDateTime also reads.
  if (text.size() < 10) return std::nullopt;
  for (size_t i = 0; i < 10; ++i) {
    if (i == 4 || i == 7 ? text[i] != '-' : !IsDigit(text[i])) return std::nullopt;
  }
  const bool is_date_only = text.size() == 10;
  if (!is_date_only &&
      (text.size() < 12 || (text[10] != 'T' && text[10] != 't' && text[10] != ' '))) {
    return std::nullopt;
  }
  std::optional<int64_t> at = ParseDateTime(text);
  // A date alone is a whole day: until it means through its end.
  if (at && is_date_only && bound == TimeBound::kUntil) *at += kDay;
  return at;
}

int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const auto day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

std::string IsoWeek(int64_t days) {
  // 0 = Monday (1970-01-01 was a Thursday); the modulo is taken positive.
  const int64_t weekday = ((days % 7) + 7 + 3) % 7;
  const int64_t thursday = days - weekday + 3;
  const int64_t year = CivilFromDays(thursday).year;
  const int64_t week = (thursday - DaysFromCivil(year, 1, 1)) / 7 + 1;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04lld-W%02lld", static_cast<long long>(year),
                static_cast<long long>(week));
  return buffer;
}

std::string FormatRfc3339(int64_t seconds) {
  int64_t days = seconds / 86400;
  int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  const CivilDate date = CivilFromDays(days);
  const int64_t year = date.year;
  const int64_t month = date.month;
  const int64_t day = date.day;
  if (year < 0 || year > 9999) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                  static_cast<long long>(year), static_cast<long long>(month),
                  static_cast<long long>(day), static_cast<long long>(rest / 3600),
                  static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
    return buffer;
  }
  // The common case by hand: snprintf would cost more than the whole parse.
  std::string out = "0000-00-00T00:00:00Z";
  auto put = [&](size_t at, int64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i) {
      out[at + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  put(5, month, 2);
  put(8, day, 2);
  put(11, rest / 3600, 2);
  put(14, rest / 60 % 60, 2);
  put(17, rest % 60, 2);
  return out;
}

}  // namespace ecoute
