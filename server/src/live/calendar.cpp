#include "live/calendar.h"

#include <cstdio>

namespace gem::live {
namespace {

using namespace std::chrono;

sys_days last_sunday(year y, month m) {
  sys_days last = year_month_day_last{y, month_day_last{m}};
  return last - (weekday{last} - Sunday);
}

// The UTC instants summer time starts and ends in this year.
std::pair<sys_seconds, sys_seconds> summer(year y) {
  return {last_sunday(y, March) + 1h, last_sunday(y, October) + 1h};
}

bool digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

}  // namespace

LocalTime amsterdam(system_clock::time_point when) {
  auto utc = floor<seconds>(when);
  auto y = year_month_day{floor<days>(utc)}.year();
  auto [start, end] = summer(y);
  int offset = (utc >= start && utc < end) ? 120 : 60;
  auto local = utc + minutes(offset);
  auto date = floor<days>(local);
  return LocalTime{date, static_cast<int>(duration_cast<minutes>(local - date).count()), offset};
}

int amsterdam_offset(Date date, int local_minutes) {
  // As winter time, local = utc + 1h: summer from start, and until `end` read as summer time (+2h).
  auto as_winter = sys_seconds{date} + minutes(local_minutes) - 1h;
  auto [start, end] = summer(year_month_day{date}.year());
  return (as_winter >= start && as_winter < end + 1h) ? 120 : 60;
}

std::string iso_date(Date date) {
  year_month_day ymd{date};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string clock(int m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
  return buf;
}

std::string iso_datetime(Date date, int m) {
  int offset = amsterdam_offset(date, m);
  char zone[16];
  std::snprintf(zone, sizeof zone, "+%02d:%02d", offset / 60, offset % 60);
  return iso_date(date) + "T" + clock(m) + ":00" + zone;
}

std::optional<Date> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s.substr(0, 4)) || !digits(s.substr(5, 2)) ||
      !digits(s.substr(8, 2))) {
    return std::nullopt;
  }
  year_month_day ymd{year{std::stoi(std::string(s.substr(0, 4)))}, month{static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))))},
                     day{static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))))}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd};
}

std::optional<int> parse_clock(std::string_view s) {
  if (s.size() != 5 || s[2] != ':' || !digits(s.substr(0, 2)) || !digits(s.substr(3, 2))) return std::nullopt;
  int h = std::stoi(std::string(s.substr(0, 2))), m = std::stoi(std::string(s.substr(3, 2)));
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

int iso_weekday(Date date) { return static_cast<int>(weekday{date}.iso_encoding()); }

}  // namespace gem::live
