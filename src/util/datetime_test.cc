#include "util/datetime.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace ecoute {
namespace {

// One row per accepted form: the text and its UTC time in RFC 3339.
struct DateCase {
  std::string_view text;
  std::string_view want;
};

constexpr DateCase kRfc3339Cases[] = {
    {"2026-11-20T08:12:00Z", "2026-11-20T08:12:00Z"},
    {"2026-11-20t08:12:00z", "2026-11-20T08:12:00Z"},         // lower-case T and Z
    {"2026-11-20T08:12:00.123456Z", "2026-11-20T08:12:00Z"},  // fraction dropped
    {"2026-11-20T08:12:00,5Z", "2026-11-20T08:12:00Z"},       // ISO comma fraction
    {"2026-11-20T08:12:00+01:00", "2026-11-20T07:12:00Z"},    // offset applied
    {"2026-11-20T08:12:00+0100", "2026-11-20T07:12:00Z"},     // offset without colon
    {"2026-11-20T08:12:00+01", "2026-11-20T07:12:00Z"},       // hours-only offset
    {"2026-11-20T01:12:00-05:30", "2026-11-20T06:42:00Z"},    // negative half-hour zone
    {"2026-11-20T23:30:00-02:00", "2026-11-21T01:30:00Z"},    // crosses midnight
    {"2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00Z"},    // crosses the year
    {"2002-10-17T17:00+01:00", "2002-10-17T16:00:00Z"},       // W3C-DTF without seconds
    {"2026-11-20 08:12:00", "2026-11-20T08:12:00Z"},          // space for T, no zone
    {"2026-11-20T08:12:00", "2026-11-20T08:12:00Z"},          // no zone: UTC
    {"2026-11-20T08:12:00 GMT", "2026-11-20T08:12:00Z"},      // named UTC
    {"2026-11-20", "2026-11-20T00:00:00Z"},                   // date only
    {"2026-11", "2026-11-01T00:00:00Z"},                      // year and month
    {"2026", "2026-01-01T00:00:00Z"},                         // year alone
    {"20261120T081200Z", "2026-11-20T08:12:00Z"},             // ISO basic format
    {"2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"},         // leap day
    {"2000-02-29", "2000-02-29T00:00:00Z"},                   // 400-year leap rule
    {"1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"},         // before the epoch
    {"2026-11-20T24:00:00Z", "2026-11-21T00:00:00Z"},         // ISO end of day
    {"  2026-11-20T08:12:00Z\n", "2026-11-20T08:12:00Z"},     // surrounding whitespace
};

constexpr DateCase kRfc822Cases[] = {
    {"Tue, 10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00Z"},
    {"10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00Z"},         // no day name
    {"Tue, 10 Jun 2003 04:00 GMT", "2003-06-10T04:00:00Z"},       // no seconds
    {"Tue, 10 Jun 2003 04:00:00 -0400", "2003-06-10T08:00:00Z"},  // numeric offset
    {"Tue, 10 Jun 2003 04:00:00 +05:30", "2003-06-09T22:30:00Z"},
    {"Tue, 10 Jun 2003 04:00:00 UT", "2003-06-10T04:00:00Z"},
    {"Tue, 10 Jun 2003 04:00:00 Z", "2003-06-10T04:00:00Z"},
    {"Tue, 10 Jun 2003 04:00:00 EST", "2003-06-10T09:00:00Z"},
    {"Tue, 10 Jun 2003 04:00:00 EDT", "2003-06-10T08:00:00Z"},
    {"Tue, 10 Jun 2003 04:00:00 CST", "2003-06-10T10:00:00Z"},
    {"Tue, 10 Jun 2003 04:00:00 CDT", "2003-06-10T09:00:00Z"},
    {"Tue, 10 Jun 2003 04:00:00 MST", "2003-06-10T11:00:00Z"},
    {"Tue, 10 Jun 2003 04:00:00 MDT", "2003-06-10T10:00:00Z"},
    {"Tue, 10 Jun 2003 04:00:00 PST", "2003-06-10T12:00:00Z"},
    {"Tue, 10 Jun 2003 04:00:00 PDT", "2003-06-10T11:00:00Z"},
    {"Tue, 10 Jun 2003 04:00:00 pdt", "2003-06-10T11:00:00Z"},   // zones in any case
    {"Tue, 10 Jun 2003 04:00:00 A", "2003-06-10T03:00:00Z"},     // military zone, +1
    {"Tue, 10 Jun 2003 04:00:00 N", "2003-06-10T05:00:00Z"},     // military zone, -1
    {"Tue, 10 Jun 2003 04:00:00", "2003-06-10T04:00:00Z"},       // no zone: UTC
    {"Tue, 10 Jun 2003 04:00:00-0400", "2003-06-10T08:00:00Z"},  // offset glued to the time
    {"Tue, 10 Jun 03 04:00:00 GMT", "2003-06-10T04:00:00Z"},     // two-digit year, 20xx
    {"Thu, 10 Jun 99 04:00:00 GMT", "1999-06-10T04:00:00Z"},     // two-digit year, 19xx
    {"Thu, 01 Jan 49 00:00:00 GMT", "2049-01-01T00:00:00Z"},     // RFC 2822's pivot
    {"Fri, 01 Jan 50 00:00:00 GMT", "1950-01-01T00:00:00Z"},
    {"Tuesday, 10 June 2003 04:00:00 GMT", "2003-06-10T04:00:00Z"},  // names in full
    {"Tue, 10 JUN 2003 04:00:00 GMT", "2003-06-10T04:00:00Z"},       // upper-case month
    {"Sept 10, 2003", "2003-09-10T00:00:00Z"},                       // month first, no time
    {"Tue Jun 10 04:00:00 2003", "2003-06-10T04:00:00Z"},            // asctime
    {"Tue, 1 Jun 2003 4:05:06 GMT", "2003-06-01T04:05:06Z"},         // one-digit fields
    {"Mar 10 2003", "2003-03-10T00:00:00Z"},                         // "Mar" as March
};

constexpr DateCase kFrenchCases[] = {
    {"mardi 3 février 2026 14:05", "2026-02-03T14:05:00Z"},
    {"mardi 3 février 2026 à 14:05", "2026-02-03T14:05:00Z"},
    {"3 févr. 2026", "2026-02-03T00:00:00Z"},
    {"mar. 3 févr. 2026 14h05", "2026-02-03T14:05:00Z"},  // "mar." is mardi here
    {"Mardi 3 Février 2026", "2026-02-03T00:00:00Z"},
    {"1 AOÛT 2026", "2026-08-01T00:00:00Z"},
    {"lundi 17 août 2026 09:30:00 +0200", "2026-08-17T07:30:00Z"},
    {"17 aout 2026", "2026-08-17T00:00:00Z"},  // without the accent
    {"dim., 20 déc. 2026 10:00:00 CET", "2026-12-20T09:00:00Z"},
    {"31 décembre 2026", "2026-12-31T00:00:00Z"},
    {"1 juil. 2026", "2026-07-01T00:00:00Z"},
};

void ExpectParses(const DateCase& c) {
  SCOPED_TRACE(c.text);
  const std::optional<int64_t> seconds = ParseDateTime(c.text);
  ASSERT_TRUE(seconds.has_value());
  EXPECT_EQ(FormatRfc3339(*seconds), c.want);
}

TEST(DateTimeTest, ParsesRfc3339Variants) {
  for (const DateCase& c : kRfc3339Cases) ExpectParses(c);
}

TEST(DateTimeTest, ParsesRfc822Variants) {
  for (const DateCase& c : kRfc822Cases) ExpectParses(c);
}

TEST(DateTimeTest, ParsesFrenchDates) {
  for (const DateCase& c : kFrenchCases) ExpectParses(c);
}

TEST(DateTimeTest, RejectsImpossibleOrUnknownDates) {
  constexpr std::string_view kBad[] = {
      "",
      "   ",
      "yesterday",
      "2026-02-30",                     // no 30 February
      "2025-02-29",                     // not a leap year
      "1900-02-29",                     // century, not a leap year
      "2026-13-01",                     // month 13
      "2026-00-10",                     // month 0
      "2026-11-31",                     // November has 30 days
      "2026-11-20T25:00:00Z",           // hour 25
      "2026-11-20T08:60:00Z",           // minute 60
      "2026-11-20T08:12:00+25:00",      // offset out of range
      "2026-11-20T08:12:00 Mars",       // junk after the time
      "2026-11-20T",                    // T with no time
      "Tue, 31 Jun 2003 04:00:00 GMT",  // June has 30 days
      "Tue, 10 Foo 2003 04:00:00 GMT",  // unknown month
      "Tue, 10 Jun 2003 04:00:00 XYZ",  // unknown zone
      "Tue, 10 Jun 2003 99:00:00 GMT",  // hour 99
      "Tue, 10 Jun 04:00:00 GMT",       // no year
      "Jun 2003",                       // no day
      "30 février 2026",                // no 30 February in French either
      "10 Jun 2003 10 11",              // too many numbers
      "12345",
  };
  for (std::string_view text : kBad) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(ParseDateTime(text).has_value());
  }
}

TEST(DateTimeTest, FormatsEpochBoundaries) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(4102444799), "2099-12-31T23:59:59Z");
}

TEST(DateTimeTest, RoundTripsEveryDayOfALeapYear) {
  int64_t start = *ParseDateTime("2024-01-01T00:00:00Z");
  for (int day = 0; day < 366; ++day) {
    const int64_t seconds = start + int64_t{day} * 86400 + 3723;
    const std::string formatted = FormatRfc3339(seconds);
    SCOPED_TRACE(formatted);
    ASSERT_EQ(ParseDateTime(formatted), std::optional<int64_t>(seconds));
  }
  EXPECT_EQ(FormatRfc3339(start + int64_t{366} * 86400), "2025-01-01T00:00:00Z");
}

// One row per form of a since/until bound, with `now` at 2026-05-15T12:00:00Z.
struct BoundCase {
  std::string_view text;
  std::string_view since;  // as a since bound; "" when refused
  std::string_view until;  // as an until bound; "" when refused
};

constexpr BoundCase kBoundCases[] = {
    {"90m", "2026-05-15T10:30:00Z", "2026-05-15T10:30:00Z"},  // minutes
    {"12h", "2026-05-15T00:00:00Z", "2026-05-15T00:00:00Z"},  // hours
    {"7d", "2026-05-08T12:00:00Z", "2026-05-08T12:00:00Z"},   // days
    {"2w", "2026-05-01T12:00:00Z", "2026-05-01T12:00:00Z"},   // weeks
    {"2W", "2026-05-01T12:00:00Z", "2026-05-01T12:00:00Z"},   // the unit in either case
    {"0h", "2026-05-15T12:00:00Z", "2026-05-15T12:00:00Z"},   // now
    // A date is a whole day: since from its start, until through its end.
    {"2026-11-20", "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z"},
    {"2024-02-29", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"},  // leap day
    {"2026-12-31", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},  // year's end
    // A time is that instant, as either bound.
    {"2026-11-20T08:30:00Z", "2026-11-20T08:30:00Z", "2026-11-20T08:30:00Z"},
    {"2026-11-20t08:30:00.250-01:00", "2026-11-20T09:30:00Z", "2026-11-20T09:30:00Z"},
    {"2026-11-20 08:30", "2026-11-20T08:30:00Z", "2026-11-20T08:30:00Z"},  // space, no zone
    {"2026-11-20T08:30", "2026-11-20T08:30:00Z", "2026-11-20T08:30:00Z"},
    // Refused: what is neither an age, a date nor an RFC 3339 time.
    {"", "", ""},
    {"7", "", ""},                              // no unit
    {"7s", "", ""},                             // seconds are not a unit here
    {"7y", "", ""},                             // nor years
    {"-7d", "", ""},                            // no sign
    {"1234567890d", "", ""},                    // ten digits
    {"d", "", ""},                              // no number
    {"2026-13-01", "", ""},                     // no 13th month
    {"2026-02-30", "", ""},                     // no 30 February
    {"2026-11", "", ""},                        // a month is not a date
    {"2026", "", ""},                           // nor a year
    {"2026-11-20X", "", ""},                    // a date and something else
    {"2026-11-20 ", "", ""},                    // a date and a space
    {"Tue, 10 Jun 2003 04:00:00 GMT", "", ""},  // the web's forms are for feeds
    {"yesterday", "", ""},
};

TEST(DateTimeTest, ParsesTimeBoundsAlikeForEveryFrontEnd) {
  const int64_t now = *ParseDateTime("2026-05-15T12:00:00Z");
  for (const BoundCase& c : kBoundCases) {
    SCOPED_TRACE(c.text);
    const std::optional<int64_t> since = ParseTimeBound(c.text, TimeBound::kSince, now);
    const std::optional<int64_t> until = ParseTimeBound(c.text, TimeBound::kUntil, now);
    EXPECT_EQ(since ? FormatRfc3339(*since) : "", c.since);
    EXPECT_EQ(until ? FormatRfc3339(*until) : "", c.until);
  }
}

TEST(DateTimeTest, RefusesAnAgeThatOverflows) {
  const int64_t oldest = std::numeric_limits<int64_t>::min() + 10;
  EXPECT_FALSE(ParseTimeBound("999999999w", TimeBound::kSince, oldest).has_value());
}

TEST(DateTimeTest, CivilDatesAndDaysRoundTrip) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);  // after a leap day of a century's year
  EXPECT_EQ(DaysFromCivil(2026, 2, 31), DaysFromCivil(2026, 3, 3));  // not checked
  for (int64_t days = -800000; days <= 800000; days += 997) {
    const CivilDate date = CivilFromDays(days);
    SCOPED_TRACE(days);
    ASSERT_EQ(DaysFromCivil(date.year, date.month, date.day), days);
  }
  const CivilDate leap = CivilFromDays(DaysFromCivil(2024, 2, 29));
  EXPECT_EQ(leap.year, 2024);
  EXPECT_EQ(leap.month, 2);
  EXPECT_EQ(leap.day, 29);
  EXPECT_EQ(CivilFromDays(-719528).year, 0);  // 0000-01-01
}

// One row per case of ISO 8601's weeks: the year of a week is that of its Thursday.
struct WeekCase {
  int64_t year;
  int month;
  int day;
  std::string_view want;
};
constexpr WeekCase kWeekCases[] = {
    {1970, 1, 1, "1970-W01"},                                // a Thursday
    {2026, 11, 20, "2026-W47"}, {2024, 12, 30, "2025-W01"},  // a Monday whose Thursday is in 2025
    {2021, 1, 3, "2020-W53"},                                // a Sunday of 2020's 53rd week
    {2027, 1, 1, "2026-W53"},   {2026, 1, 4, "2026-W01"},    // a Sunday
    {2026, 1, 5, "2026-W02"},                                // the Monday after
    {1969, 12, 29, "1970-W01"},                              // before the epoch
};

TEST(DateTimeTest, NamesIsoWeeks) {
  for (const WeekCase& c : kWeekCases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(IsoWeek(DaysFromCivil(c.year, c.month, c.day)), c.want);
  }
}

}  // namespace
}  // namespace ecoute
