// Dates and times in Europe/Amsterdam (the protocol's time zone), without a tz database: the EU
// rule (summer time from the last Sunday of March to the last Sunday of October, 01:00 UTC).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gem::live {

using Date = std::chrono::sys_days;

struct LocalTime {
  Date date;
  int minutes = 0;             // since local midnight
  int utc_offset_minutes = 60; // +60 winter, +120 summer
};

LocalTime amsterdam(std::chrono::system_clock::time_point when);
// The offset in force at a local wall-clock time on `date`.
int amsterdam_offset(Date date, int minutes);

std::string iso_date(Date date);                                  // 2026-11-23
std::string iso_datetime(Date date, int minutes);                 // 2026-11-24T09:30:00+01:00
std::string clock(int minutes);                                   // 09:30
std::optional<Date> parse_date(std::string_view text);            // strict YYYY-MM-DD
std::optional<int> parse_clock(std::string_view text);            // strict HH:MM → minutes
int iso_weekday(Date date);                                       // 1 = Monday … 7 = Sunday

}  // namespace gem::live
