// Analytics: strict event validation, daily counters in SQLite (no IP, no per-event rows), and the
// dashboard figures.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <unistd.h>

#include "analytics/events.h"
#include "config/labels.h"
#include "http/http.h"
#include "storage/sqlite.h"

using namespace gem::analytics;
using nlohmann::json;

namespace {

const gem::Labels& labels() {
  static const gem::Labels l = gem::load_labels(GEM_SOURCE_DIR "/models/gem-nlu.json");
  return l;
}

std::string field_of_error(const json& body) {
  try {
    parse_events(body, labels());
  } catch (const gem::http::HttpError& e) {
    BOOST_TEST(e.status == 400);
    return e.field;
  }
  return "(accepted)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(analytics)

BOOST_AUTO_TEST_CASE(events_become_counters) {
  auto batch = parse_events(json::parse(R"({"municipality":"GM0599","events":[
    {"type":"conversation_started"},{"type":"understood_first_time"},{"type":"understood_first_time"},
    {"type":"answer","product":"paspoort","aspect":"kosten"},{"type":"answer","product":null,"aspect":null},
    {"type":"nps","score":9},{"type":"handover_requested"},{"type":"thumbs_down"}]})"),
                            labels());
  BOOST_TEST(batch.municipality == "GM0599");
  Counts expected = {{"conversation_started", 1}, {"understood_first_time", 2}, {"answer", 2},
                     {"answer.product.paspoort", 1}, {"answer.aspect.kosten", 1}, {"nps.9", 1},
                     {"handover_requested", 1}, {"thumbs_down", 1}};
  BOOST_TEST(batch.counts == expected);
}

BOOST_AUTO_TEST_CASE(anything_else_is_refused) {
  BOOST_TEST(field_of_error(json::parse(R"({"events":[{"type":"thumbs_up"}]})")) == "municipality");
  BOOST_TEST(field_of_error(json::parse(R"({"municipality":"GM0599","events":{}})")) == "events");
  BOOST_TEST(field_of_error(json::parse(R"({"municipality":"GM0599","events":[{"type":"typed","text":"hallo"}]})")) == "events[].type");
  BOOST_TEST(field_of_error(json::parse(R"({"municipality":"GM0599","events":[{"type":"thumbs_up","text":"hallo"}]})")) == "events[].text");
  BOOST_TEST(field_of_error(json::parse(R"({"municipality":"GM0599","events":[{"type":"answer","product":"Jan Jansen"}]})")) == "events[].product");
  BOOST_TEST(field_of_error(json::parse(R"({"municipality":"GM0599","events":[{"type":"answer","aspect":"paspoort"}]})")) == "events[].aspect");
  BOOST_TEST(field_of_error(json::parse(R"({"municipality":"GM0599","events":[{"type":"nps","score":-1}]})")) == "events[].score");
  BOOST_TEST(field_of_error(json::parse(R"({"municipality":"GM0599","events":[{"type":"nps","score":7.5}]})")) == "events[].score");
  BOOST_TEST(field_of_error(json::parse(R"({"municipality":"GM0599","events":[{"type":"nps"}]})")) == "events[].score");
  BOOST_TEST(field_of_error(json::parse(R"({"municipality":"GM0599","events":[{"type":"thumbs_up"}],"visitor":"abc"})")) == "visitor");
  json many = {{"municipality", "GM0599"}, {"events", json::array()}};
  for (int i = 0; i < 51; ++i) many["events"].push_back({{"type", "thumbs_up"}});
  BOOST_TEST(field_of_error(many) == "events");
}

BOOST_AUTO_TEST_CASE(sqlite_store_keeps_daily_counts_only) {
  auto dir = std::filesystem::temp_directory_path() / ("gem-analytics-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    auto store = open_sqlite_store((dir / "a.sqlite").string());
    store->add("GM0599", "2026-11-22", {{"conversation_started", 2}, {"nps.10", 1}});
    store->add("GM0599", "2026-11-22", {{"conversation_started", 3}});
    store->add("GM0599", "2026-11-23", {{"conversation_started", 1}});
    store->add("GM0855", "2026-11-23", {{"conversation_started", 7}});
    auto days = store->range("GM0599", "2026-11-22", "2026-11-23");
    BOOST_TEST(days.size() == 2u);
    BOOST_TEST(days["2026-11-22"]["conversation_started"] == 5);
    BOOST_TEST(days["2026-11-22"]["nps.10"] == 1);
    BOOST_TEST(days["2026-11-23"]["conversation_started"] == 1);
    BOOST_TEST(store->range("GM0599", "2026-11-23", "2026-11-23").size() == 1u);
    BOOST_TEST(store->range("GM0344", "2026-01-01", "2026-12-31").empty());
  }
  // The stored columns: municipality, day, counter, count. Nothing about a visitor.
  gem::storage::Database db(dir / "a.sqlite");
  auto columns = db.prepare("SELECT name FROM pragma_table_info('daily_counts') ORDER BY cid");
  std::vector<std::string> names;
  while (columns.step()) names.push_back(columns.text(0));
  BOOST_TEST(names == (std::vector<std::string>{"municipality", "day", "counter", "count"}), boost::test_tools::per_element());
  auto rows = db.prepare("SELECT count(*) FROM daily_counts");
  rows.step();
  BOOST_TEST(rows.integer(0) == 4);  // 3 counters for GM0599 on two days + 1 for GM0855
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(dashboard_figures) {
  std::map<std::string, Counts> days = {
      {"2026-11-22", {{"conversation_started", 10}, {"understood_first_time", 12}, {"understood_after_clarification", 4},
                      {"not_understood", 4}, {"handover_requested", 2}, {"answer.product.paspoort", 6},
                      {"answer.product.afval", 3}, {"nps.10", 3}, {"nps.8", 1}, {"nps.3", 1}}},
      {"2026-11-23", {{"conversation_started", 10}, {"handover_requested", 3}, {"answer.product.afval", 4}}}};
  auto s = summarise(days);
  BOOST_TEST(s["totals"]["conversations"] == 20);
  BOOST_TEST(s["figures"]["handover_rate"].get<double>() == 0.25);
  BOOST_TEST(s["figures"]["containment"].get<double>() == 0.75);
  BOOST_TEST(s["figures"]["first_time_right"].get<double>() == 0.6);
  BOOST_TEST(s["figures"]["clarification_rate"].get<double>() == 0.2);
  BOOST_TEST(s["figures"]["nps"].get<double>() == 40.0);  // 3 promoters, 1 detractor of 5
  BOOST_TEST(s["top_products"][0]["product"] == "afval");
  BOOST_TEST(s["top_products"][0]["count"] == 7);
  BOOST_TEST(s["top_products"][1]["product"] == "paspoort");
  BOOST_TEST(s["daily"].size() == 2u);
  BOOST_TEST(s["daily"][1]["handover_requested"] == 3);
  auto empty = summarise({});
  BOOST_TEST(empty["figures"]["nps"].is_null(), "no figures without data, rather than a misleading 0");
  BOOST_TEST(empty["figures"]["containment"].is_null());
}

BOOST_AUTO_TEST_SUITE_END()
