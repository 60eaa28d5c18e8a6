// Dates and times as the open web writes them, to UTC: declared in the public
// ecoute/datetime.h, with the since/until bounds of the front ends.
#pragma once

#include <cstdint>
#include <string>

#include "ecoute/datetime.h"

namespace ecoute {

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
