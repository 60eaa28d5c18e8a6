// Dates and times as the open web writes them, to UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ecoute {

// Parses a date-time as feeds, pages and social APIs write it, into seconds since the Unix
// epoch (UTC):
// - RFC 3339 / ISO 8601 / W3C-DTF: "2026-11-20T08:12:00Z", with a fraction, with an offset
//   ("+01:00", "+0100"), without seconds, with a space for the "T", date only
//   ("2026-11-20", taken at 00:00 UTC), and partial dates ("2026-11", "2026");
// - RFC 822 / 1123 / 2822: "Tue, 10 Jun 2003 04:00:00 GMT", with or without the day name,
//   two-digit years, numeric offsets ("-0400"), named zones (UT, GMT, Z, EST, EDT, CST,
//   CDT, MST, MDT, PST, PDT, and single-letter military zones), missing seconds;
// - the common broken variants: French month and day names ("mardi 3 février 2026
//   14:05", "3 févr. 2026"), month names in full, no zone (taken as UTC).
// Returns nullopt when the text is none of these or names an impossible date.
std::optional<int64_t> ParseDateTime(std::string_view text);

// Formats seconds since the epoch as RFC 3339 in UTC with seconds: "2026-11-20T08:12:00Z".
std::string FormatRfc3339(int64_t seconds);

// A day of the proleptic Gregorian calendar.
struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 of a civil date, and the civil date of a day (Howard Hinnant's
// days_from_civil and civil_from_days): exact for every year, negative ones included.
// DaysFromCivil does not check the date: 31 February is 3 March.
int64_t DaysFromCivil(int64_t year, int month, int day);
CivilDate CivilFromDays(int64_t days);

// The ISO 8601 week of a day (days since 1970-01-01): "2026-W47". Weeks start on Monday;
// a week belongs to the year of its Thursday, so 2027-01-01 is in "2026-W53".
std::string IsoWeek(int64_t days);

}  // namespace ecoute
