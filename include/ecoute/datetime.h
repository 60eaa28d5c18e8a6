// Times as ecoute reads and writes them: the dates of the open web to UTC, RFC 3339 out,
// and the since/until bounds every front end takes (`ecoute report --since`, the API's
// `?since=`, the search filter `since:`), parsed by one function so that they agree.
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

// Which end of a time range a bound is: `since` is inclusive, `until` exclusive.
enum class TimeBound : uint8_t { kSince, kUntil };

// Parses the bound of a time range as a person types it, into seconds since the epoch:
// - an age before `now`: digits and a unit, m (minutes), h (hours), d (days) or w (weeks),
//   in either case: "90m", "12h", "7d", "2w" ("0h" is now);
// - a date, YYYY-MM-DD, in UTC: as kSince, 00:00 that day; as kUntil, 00:00 the next day,
//   so that the whole day is included ("until 2026-11-20" takes in the 20th);
// - an RFC 3339 time, YYYY-MM-DD then "T" (or a space) and a time, with an optional
//   fraction and zone (UTC when none): that instant, as either bound.
// Returns nullopt for anything else (other date forms, an impossible date, an age so large
// that it overflows). Pure; thread-safe.
std::optional<int64_t> ParseTimeBound(std::string_view text, TimeBound bound, int64_t now);

// What ParseTimeBound accepts, for messages: "write YYYY-MM-DD, ...".
inline constexpr std::string_view kTimeBoundForms =
    "write YYYY-MM-DD, an RFC 3339 time or an age like 90m, 12h, 7d or 2w";

}  // namespace ecoute
