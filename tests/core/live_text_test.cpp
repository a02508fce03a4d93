// Live data in words: the server's answers and failures as bubbles, dates and times in Amsterdam time.
#include <boost/test/unit_test.hpp>

#include "dialogue_fixture.h"
#include "dialogue_impl.h"

using gem::test::json;
using namespace gem::test::dialogue_fixture;

namespace {

gem::Response live(const gem::Dialogue& d, gem::Conversation& c, const std::string& kind, const json& data) {
  return d.live(c, kind, {data.dump(), "", ""});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(live_text)

BOOST_AUTO_TEST_CASE(days_in_dutch_and_english) {
  BOOST_TEST(gem::format_day("2026-11-23", "nl") == "maandag 23 november");
  BOOST_TEST(gem::format_day("2026-11-23", "en") == "Monday 23 November");
  BOOST_TEST(gem::format_day("2024-02-29T10:00:00+01:00", "en") == "Thursday 29 February");
  BOOST_TEST(gem::format_day("morgen", "nl") == "morgen");
}

BOOST_AUTO_TEST_CASE(times_are_shown_in_amsterdam_time_across_summer_time) {
  BOOST_TEST(gem::format_date_time("2026-11-24T09:30:00+01:00", "nl") == "dinsdag 24 november, 09:30");
  BOOST_TEST(gem::format_date_time("2026-07-01T07:30:00Z", "en") == "Wednesday 1 July, 09:30");
  // Summer time starts on the last Sunday of March at 01:00 UTC.
  BOOST_TEST(gem::format_date_time("2026-03-29T00:30:00Z", "nl") == "zondag 29 maart, 01:30");
  BOOST_TEST(gem::format_date_time("2026-03-29T01:30:00Z", "nl") == "zondag 29 maart, 03:30");
  // … and ends on the last Sunday of October; a time late in the day moves to the next day.
  BOOST_TEST(gem::format_date_time("2026-10-25T23:30:00Z", "nl") == "maandag 26 oktober, 00:30");
  BOOST_TEST(gem::format_date_time("2026-11-24T09:30:00-05:00", "en") == "Tuesday 24 November, 15:30");
  BOOST_TEST(gem::format_date_time("soon", "en") == "soon");
}

BOOST_AUTO_TEST_CASE(opening_hours_list_the_week_with_exceptions) {
  const auto d = dialogue();
  gem::Conversation c;
  const auto r = live(d, c, "opening_hours", json::parse(R"({"open_now":true,"phone":"14 010","week":[
      {"date":"2026-11-23","periods":[{"from":"08:30","to":"12:00"},{"from":"13:00","to":"17:00"}]},
      {"date":"2026-12-25","periods":[],"exception":{"nl":"Kerstdag","en":"Christmas Day"}}]})"));
  BOOST_TEST(r.text == "Tekst live_open_now je. Tekst live_phone je. Tekst live_hours je.");
  BOOST_TEST((r.items == std::vector<std::string>{"maandag 23 november: 08:30–12:00, 13:00–17:00",
                                                  "vrijdag 25 december: Tekst live_closed_day je. (Kerstdag)"}));
  BOOST_TEST(r.plain);
}

BOOST_AUTO_TEST_CASE(slots_waste_days_and_status_in_the_conversations_language) {
  const auto d = dialogue();
  gem::Conversation c;
  c.lang = "en";
  auto r = live(d, c, "appointment_slots", json::parse(R"({"slots":[{"start":"2026-11-24T09:30:00+01:00",
      "location":{"name":"Stadswinkel","address":"Coolsingel 40"}}],"booking_url":"https://example.nl/afspraak"})"));
  BOOST_TEST(r.text == "Text live_slots.");
  BOOST_TEST((r.items == std::vector<std::string>{"Tuesday 24 November, 09:30, Stadswinkel, Coolsingel 40"}));
  BOOST_TEST(r.links.at(0).url == "https://example.nl/afspraak");
  r = live(d, c, "appointment_slots", json::parse(R"j({"slots":[],"booking_url":"javascript:alert(1)"})j"));
  BOOST_TEST(r.text == "Text live_no_slots.");
  BOOST_TEST(r.links.empty());
  r = live(d, c, "waste_collection", json::parse(R"({"postcode":"3011AB","house_number":"5","collections":[
      {"date":"2026-11-25","stream":"gft","label":{"nl":"Groente-, fruit- en tuinafval","en":"Food and garden waste"}},
      {"date":"2026-11-26","stream":"glas"}]})"));
  BOOST_TEST((r.items == std::vector<std::string>{"Wednesday 25 November: Food and garden waste", "Thursday 26 November: glas"}));
  r = live(d, c, "application_status", json::parse(R"({"reference":"Z-2026-0042","label":{"nl":"Uw paspoort ligt klaar","en":"Your passport is ready"},
      "updated":"2026-11-20T14:00:00+01:00"})"));
  BOOST_TEST(r.text == "Text live_application. Your passport is ready. Text live_updated.");
}

BOOST_AUTO_TEST_CASE(failures_are_said_for_what_they_are_and_a_wrong_input_is_asked_again) {
  const auto d = status_dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "wanneer"}));
  d.respond(c, understood({.intent = "buiten_bereik", .confidence = 0.2f, .normalized = "z 2026 0042", .text = "Z-2026-0042"}));
  auto r = d.live(c, "application_status", {"", "not_found", ""});
  BOOST_TEST(r.text == "Tekst live_not_found_reference_unnamed je.");
  r = d.live(c, "application_status", {"", "not_found", "", "Z-2026-0042"});
  BOOST_TEST(r.text == "Tekst live_not_found_reference je.");
  BOOST_TEST(gem::name(r.awaiting) == "reference");
  // The reference and the address did not match: which one was wrong is not said; all three are asked again.
  c.postcode = "3011 AB";
  c.house_number = "12";
  r = d.live(c, "application_status", {"", "not_found", "", "Z-2026-0042"});
  BOOST_TEST(gem::name(r.awaiting) == "reference");
  BOOST_TEST((!c.postcode && !c.house_number && !c.reference));
  // An address the server refused: only the address is asked again; the reference comes back from the widget.
  r = d.live(c, "application_status", {"", "invalid", "house_number", "Z-2026-0042"});
  BOOST_TEST(r.text == "Tekst live_invalid_house_number je.");
  BOOST_TEST(gem::name(r.awaiting) == "status_address");
  BOOST_TEST(c.reference.value_or("") == "Z-2026-0042");
  BOOST_CHECK_NO_THROW(d.validate(c));
  r = d.respond(c, understood({.intent = "buiten_bereik", .confidence = 0.2f, .entities = {entity("postcode", "3011 AB"), entity("huisnummer", "12")},
                               .normalized = "3011 ab 12", .text = "3011 AB 12"}));
  BOOST_TEST(has_event(r, "live_request", "application_status"));
  BOOST_TEST(!c.reference);
  r = d.live(c, "waste_collection", {"", "invalid", "postcode"});
  BOOST_TEST(r.text == "Tekst live_invalid_postcode je.");
  BOOST_TEST(gem::name(r.awaiting) == "address");
  BOOST_TEST(d.live(c, "opening_hours", {"", "busy", ""}).text == "Tekst live_busy je.");
  BOOST_TEST(d.live(c, "opening_hours", {"", "unreachable", ""}).text == "Tekst live_unavailable je.");
  BOOST_TEST(d.live(c, "opening_hours", {"", "offline", ""}).text == "Tekst offline je.");
  BOOST_CHECK_THROW(d.live(c, "opening_hours", {"", "exploded", ""}), gem::Error);
  BOOST_CHECK_THROW(d.live(c, "weather", {"{}", "", ""}), gem::Error);
  BOOST_CHECK_THROW(d.live(c, "opening_hours", {"[1,2", "", ""}), gem::Error);
}

BOOST_AUTO_TEST_SUITE_END()
