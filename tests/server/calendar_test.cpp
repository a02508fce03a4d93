// Europe/Amsterdam dates and times without a tz database.
#include <boost/test/unit_test.hpp>

#include "live/calendar.h"

using namespace gem::live;
using namespace std::chrono;

namespace {
system_clock::time_point utc(int y, unsigned m, unsigned d, int h, int min) {
  return sys_days{year{y} / m / d} + hours(h) + minutes(min);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(calendar)

BOOST_AUTO_TEST_CASE(winter_and_summer_time) {
  auto winter = amsterdam(utc(2026, 11, 23, 23, 30));
  BOOST_TEST(iso_date(winter.date) == "2026-11-24");
  BOOST_TEST(winter.minutes == 30);
  BOOST_TEST(winter.utc_offset_minutes == 60);
  auto summer = amsterdam(utc(2026, 7, 1, 10, 0));
  BOOST_TEST(summer.minutes == 12 * 60);
  BOOST_TEST(summer.utc_offset_minutes == 120);
  // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
  BOOST_TEST(amsterdam(utc(2026, 3, 29, 0, 59)).utc_offset_minutes == 60);
  BOOST_TEST(amsterdam(utc(2026, 3, 29, 1, 0)).utc_offset_minutes == 120);
  BOOST_TEST(amsterdam(utc(2026, 10, 25, 0, 59)).utc_offset_minutes == 120);
  BOOST_TEST(amsterdam(utc(2026, 10, 25, 1, 0)).utc_offset_minutes == 60);
}

BOOST_AUTO_TEST_CASE(formatting_with_offsets) {
  auto d = *parse_date("2026-11-24");
  BOOST_TEST(iso_datetime(d, 9 * 60 + 30) == "2026-11-24T09:30:00+01:00");
  BOOST_TEST(iso_datetime(*parse_date("2026-06-01"), 9 * 60) == "2026-06-01T09:00:00+02:00");
  BOOST_TEST(iso_datetime(*parse_date("2026-10-24"), 16 * 60) == "2026-10-24T16:00:00+02:00");
  BOOST_TEST(iso_datetime(*parse_date("2026-10-26"), 9 * 60) == "2026-10-26T09:00:00+01:00");
  BOOST_TEST(iso_weekday(d) == 2);  // a Tuesday
  BOOST_TEST(clock(8 * 60 + 5) == "08:05");
}

BOOST_AUTO_TEST_CASE(strict_parsing) {
  BOOST_TEST(parse_date("2027-02-28").has_value());
  BOOST_TEST(!parse_date("2027-02-29"));
  BOOST_TEST(!parse_date("2026-1-01"));
  BOOST_TEST(!parse_date("2026-01-01T00"));
  BOOST_TEST(!parse_date("20a6-01-01"));
  BOOST_TEST(*parse_clock("08:30") == 510);
  BOOST_TEST(*parse_clock("24:00") == 1440);
  BOOST_TEST(!parse_clock("24:30"));
  BOOST_TEST(!parse_clock("8:30"));
  BOOST_TEST(!parse_clock("08:60"));
}

BOOST_AUTO_TEST_SUITE_END()
