// The SQLite live-data provider on the shipped sample data, at fixed dates: weekly hours, holidays
// and short days, slots generated from rules, waste calendars with holiday shifts, statuses; and the
// request validation.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

#include "config/config.h"
#include "http/http.h"
#include "live/sqlite_provider.h"
#include "live/validation.h"

using namespace gem::live;

namespace {

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<SqliteProvider> provider;
  gem::Municipality rotterdam, tilburg, dongen;
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("gem-live-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    provider = std::make_unique<SqliteProvider>(dir / "live.sqlite", GEM_SOURCE_DIR "/server/data/live-data.json");
    rotterdam.code = "GM0599";
    tilburg.code = "GM0855";
    dongen.code = "GM0766";
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
};

Date date(const char* text) { return *parse_date(text); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(live_provider, Fixture)

BOOST_AUTO_TEST_CASE(weekly_hours_and_exceptions) {
  auto week = provider->opening_hours(rotterdam, date("2026-12-21"), 7);
  BOOST_REQUIRE(week.size() == 7u);
  BOOST_TEST(iso_date(week[0].date) == "2026-12-21");
  BOOST_TEST(week[0].periods.size() == 1u);
  BOOST_TEST(clock(week[0].periods[0].from) == "09:00");
  BOOST_TEST(clock(week[3].periods[0].to) == "15:00", "Christmas Eve (Thursday) closes early instead of at 20:00");
  BOOST_TEST(week[3].exception->nl.find("Kerstavond") != std::string::npos);
  BOOST_TEST(week[4].periods.empty());
  BOOST_TEST(week[4].exception->nl == "Eerste Kerstdag");
  BOOST_TEST(week[4].exception->en == "Christmas Day");
  BOOST_TEST(week[6].periods.empty());
  BOOST_TEST(!week[6].exception, "an ordinary Sunday is closed without an exception");
  // A municipality's own rule wins over the national list; other days keep the weekly hours.
  auto tilburg_week = provider->opening_hours(tilburg, date("2026-12-28"), 7);
  BOOST_TEST(tilburg_week[3].periods.empty());
  BOOST_TEST(tilburg_week[3].exception->nl.find("gesloten") != std::string::npos);
  BOOST_TEST(tilburg_week[4].exception->nl == "Nieuwjaarsdag");
  BOOST_TEST(tilburg_week[3 - 3].periods.size() == 1u);
  auto thursday = provider->opening_hours(tilburg, date("2026-11-26"), 1).at(0);
  BOOST_TEST(thursday.periods.size() == 2u, "Tilburg opens again on Thursday evening");
  // 2027 holidays are there too (Ascension Day, 6 May 2027).
  BOOST_TEST(provider->opening_hours(dongen, date("2027-05-06"), 1).at(0).exception->nl == "Hemelvaartsdag");
}

BOOST_AUTO_TEST_CASE(slots_follow_the_rules) {
  LocalTime now{date("2026-12-23"), 14 * 60, 60};
  auto slots = provider->appointments(rotterdam, "paspoort", now, 10);
  BOOST_REQUIRE(slots.size() == 10u);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const auto& s = slots[i];
    BOOST_TEST((s.date > now.date || s.minutes > now.minutes + 30), "not in the past or at short notice");
    BOOST_TEST(iso_date(s.date) != "2026-12-25");
    BOOST_TEST(iso_date(s.date) != "2026-12-26");
    if (iso_date(s.date) == "2026-12-24") BOOST_TEST(s.minutes + 10 <= 15 * 60, "Christmas Eve closes at 15:00");
    BOOST_TEST(iso_weekday(s.date) <= 5);
    if (i > 0) BOOST_TEST((slots[i - 1].date < s.date || (slots[i - 1].date == s.date && slots[i - 1].minutes <= s.minutes)));
    BOOST_TEST(!s.location.name.empty());
  }
  auto again = provider->appointments(rotterdam, "paspoort", now, 10);
  BOOST_TEST(iso_datetime(again[7].date, again[7].minutes) == iso_datetime(slots[7].date, slots[7].minutes), "deterministic");
  BOOST_TEST(provider->appointments(rotterdam, "paspoort", now, 2).size() == 2u);
  BOOST_TEST(provider->appointments(rotterdam, "hondenbelasting", now, 3).empty());
  // Noord is open for passports on Tuesdays and Thursdays only.
  for (const auto& s : provider->appointments(rotterdam, "paspoort", now, 200)) {
    if (s.location.name == "Stadswinkel Noord") BOOST_TEST((iso_weekday(s.date) == 2 || iso_weekday(s.date) == 4));
  }
}

BOOST_AUTO_TEST_CASE(waste_calendar_and_holiday_shift) {
  gem::live::Address address{"5038AB", 12, ""};
  auto found = provider->waste(tilburg, address, date("2026-11-23"), 28);
  BOOST_REQUIRE(found.has_value());
  std::vector<std::string> rest;
  for (const auto& c : *found) {
    if (c.stream == "rest") rest.push_back(iso_date(c.date));
  }
  // Every other Wednesday from 7 January 2026.
  BOOST_TEST(rest == (std::vector<std::string>{"2026-11-25", "2026-12-09"}), boost::test_tools::per_element());
  // Dongen's plastic collection on Christmas Day moves to the next working day (Boxing Day is a holiday, then Sunday).
  auto dongen_dates = provider->waste(dongen, {"5101AA", 1, ""}, date("2026-12-21"), 14);
  BOOST_REQUIRE(dongen_dates.has_value());
  std::set<std::string> pmd;
  for (const auto& c : *dongen_dates) {
    if (c.stream == "pmd") pmd.insert(iso_date(c.date));
  }
  BOOST_TEST(pmd.count("2026-12-28") == 1u);
  BOOST_TEST(pmd.count("2026-12-25") == 0u);
  BOOST_TEST(!provider->waste(rotterdam, {"5038AB", 12, ""}, date("2026-11-23"), 28).has_value(), "not Rotterdam's postcode");
}

BOOST_AUTO_TEST_CASE(status_by_reference) {
  const Address home{"3011AB", 12, ""}, neighbour{"3011AB", 13, ""};
  auto s = provider->status(rotterdam, "z-2026-0042", home);
  BOOST_REQUIRE(s.has_value());
  BOOST_TEST(s->reference == "Z-2026-0042");
  BOOST_TEST(s->status == "ready");
  BOOST_TEST(!provider->status(tilburg, "Z-2026-0042", home), "only the municipality's own applications");
  BOOST_TEST(!provider->status(rotterdam, "Z-2026-4242", home));
  BOOST_TEST(!provider->status(rotterdam, "Z-2026-0042", neighbour), "only for the address it was made for");
}

BOOST_AUTO_TEST_CASE(reopening_does_not_seed_twice) {
  provider.reset();
  SqliteProvider again(dir / "live.sqlite", "/nonexistent/seed.json");  // seeded already: the seed is not read
  BOOST_TEST(again.opening_hours(rotterdam, date("2026-12-25"), 1).at(0).exception->nl == "Eerste Kerstdag");
}

BOOST_AUTO_TEST_CASE(a_broken_seed_is_a_clear_error) {
  auto bad = dir / "bad.json";
  {
    std::ofstream(bad) << R"({"municipalities":{"GM0599":{"weekly_hours":{"1":[["9:00","17:00"]]}}}})";
  }
  try {
    SqliteProvider p(dir / "other.sqlite", bad);
    BOOST_FAIL("no error");
  } catch (const gem::ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("HH:MM") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(live_validation)

BOOST_AUTO_TEST_CASE(postcodes) {
  BOOST_TEST(parse_postcode("3011 ab") == "3011AB");
  BOOST_TEST(parse_postcode("3011AB") == "3011AB");
  for (const char* bad : {"0123AB", "3011A", "3011ABC", "30110AB", "3011SS", "3011 SA", "ABCD12", "3011-AB", "3011\tAB"}) {
    BOOST_CHECK_THROW(parse_postcode(bad), gem::http::HttpError);
  }
}

BOOST_AUTO_TEST_CASE(house_numbers) {
  auto a = parse_house_number("12-a", "3011AB");
  BOOST_TEST(a.house_number == 12);
  BOOST_TEST(a.addition == "A");
  BOOST_TEST(parse_house_number("99999", "3011AB").house_number == 99999);
  BOOST_TEST(parse_house_number("7 bis", "3011AB").addition == "BIS");
  for (const char* bad : {"0", "012", "123456", "a12", "", "12<b>", "12 abcdefg", "-1"}) {
    BOOST_CHECK_THROW(parse_house_number(bad, "3011AB"), gem::http::HttpError);
  }
}

BOOST_AUTO_TEST_CASE(references_and_numbers) {
  BOOST_TEST(parse_reference("Z-2026-0042") == "Z-2026-0042");
  for (const char* bad : {"Z-1", "Z_2026_0042", "Z 2026", "Z-2026-0042-0000000000000000000000"}) {
    BOOST_CHECK_THROW(parse_reference(bad), gem::http::HttpError);
  }
  BOOST_TEST(parse_int("limit", "10", 1, 10) == 10);
  BOOST_CHECK_THROW(parse_int("limit", "11", 1, 10), gem::http::HttpError);
  BOOST_CHECK_THROW(parse_int("limit", "1e1", 1, 10), gem::http::HttpError);
  BOOST_CHECK_THROW(parse_int("limit", "99999999999", 1, 10), gem::http::HttpError);
}

BOOST_AUTO_TEST_CASE(only_the_needed_query_parameters) {
  gem::http::Request r;
  r.query_string = "postcode=3011AB&house_number=1";
  BOOST_CHECK_NO_THROW(only_query(r, {"postcode", "house_number"}));
  r.query_string = "postcode=3011AB&name=Jan";
  try {
    only_query(r, {"postcode", "house_number"});
    BOOST_FAIL("no error");
  } catch (const gem::http::HttpError& e) {
    BOOST_TEST(e.field == "name");
  }
}

BOOST_AUTO_TEST_SUITE_END()
