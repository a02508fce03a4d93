// Samples (#19): strict validation, the server's own redaction, the SQLite store (no IP, no session,
// no time of day, nothing left in the file after deletion), retention on a fake clock, and where
// residents failed most.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "config/labels.h"
#include "http/http.h"
#include "samples/samples.h"
#include "storage/sqlite.h"

using namespace gem::samples;
using nlohmann::json;

namespace {

const gem::Labels& labels() {
  static const gem::Labels l = gem::load_labels(GEM_SOURCE_DIR "/models/gem-nlu.json");
  return l;
}

json valid_body() {
  return json::parse(R"({"municipality":"GM0599","lang":"nl","text":"wat kost een paspoort voor mijn kind",
    "reason":"not_understood","understood":{"intent":"product_vraag","product":"paspoort","aspect":null}})");
}

std::string field_of_error(const json& body) {
  try {
    parse_sample(body, labels());
  } catch (const gem::http::HttpError& e) {
    BOOST_TEST(e.status == 400);
    return e.field;
  }
  return "(accepted)";
}

json with(json body, const std::string& pointer, json value) {
  body[json::json_pointer(pointer)] = std::move(value);
  return body;
}

// A temporary directory, removed at the end of the test.
struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("gem-samples-test-" + std::to_string(::getpid()) + "-" + new_id());
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string file_bytes(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), {});
  }
  return all;
}

Sample sample(const std::string& gm, const std::string& date, const std::string& text, const std::string& reason = "not_understood") {
  Sample s = parse_sample(with(with(valid_body(), "/municipality", gm), "/text", text), labels());
  s.reason = reason;
  s.id = new_id();
  s.date = date;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(samples)

BOOST_AUTO_TEST_CASE(a_valid_body_becomes_a_sample) {
  auto s = parse_sample(valid_body(), labels());
  BOOST_TEST(s.municipality == "GM0599");
  BOOST_TEST(s.lang == "nl");
  BOOST_TEST(s.text == "wat kost een paspoort voor mijn kind");
  BOOST_TEST(s.reason == "not_understood");
  BOOST_TEST(*s.understood.intent == "product_vraag");
  BOOST_TEST(*s.understood.product == "paspoort");
  BOOST_TEST(!s.understood.aspect);
  BOOST_TEST(s.id.empty(), "the server gives the id");
  BOOST_TEST(s.date.empty(), "the server gives the day");
}

// The personal data of the privacy browser test's corpus: whatever the widget sent, the server's own
// redaction keeps it out of the store.
BOOST_AUTO_TEST_CASE(the_server_redacts_again) {
  const std::vector<std::string> pii = {"123456782", "06-12345678", "+31 6 87654321", "j.devries@example.nl",
                                        "NL91ABNA0417164300", "12-03-1985", "Coolsingel 127"};
  std::string text = "Mijn BSN is 123456782. Bel 06-12345678 of +31 6 87654321, of mail j.devries@example.nl. "
                     "Rekening NL91ABNA0417164300. Ik ben geboren op 12-03-1985 en woon op Coolsingel 127.";
  auto s = parse_sample(with(valid_body(), "/text", text), labels());
  for (const auto& value : pii) BOOST_TEST(s.text.find(value) == std::string::npos, value << " is in " << s.text);
  for (const char* placeholder : {"[BSN]", "[TELEFOON]", "[E-MAIL]", "[IBAN]", "[GEBOORTEDATUM]", "[ADRES]"})
    BOOST_TEST(s.text.find(placeholder) != std::string::npos, placeholder << " missing in " << s.text);
}

BOOST_AUTO_TEST_CASE(anything_else_is_refused_naming_the_field) {
  BOOST_TEST(field_of_error(with(valid_body(), "/session", "abc")) == "session");
  BOOST_TEST(field_of_error(with(valid_body(), "/ip", "10.0.0.1")) == "ip");
  BOOST_TEST(field_of_error(with(valid_body(), "/municipality", "Rotterdam")) == "municipality");
  BOOST_TEST(field_of_error(with(valid_body(), "/municipality", 599)) == "municipality");
  BOOST_TEST(field_of_error(with(valid_body(), "/lang", "de")) == "lang");
  BOOST_TEST(field_of_error(with(valid_body(), "/reason", "curious")) == "reason");
  BOOST_TEST(field_of_error(with(valid_body(), "/text", "   ")) == "text");
  BOOST_TEST(field_of_error(with(valid_body(), "/text", std::string(501, 'a'))) == "text");
  BOOST_TEST(field_of_error(with(valid_body(), "/text", "een\x01vraag")) == "text");
  BOOST_TEST(field_of_error(with(valid_body(), "/text", nullptr)) == "text");
  BOOST_TEST(field_of_error(with(valid_body(), "/understood", "paspoort")) == "understood");
  BOOST_TEST(field_of_error(with(valid_body(), "/understood/intent", "Jan Jansen")) == "understood.intent");
  BOOST_TEST(field_of_error(with(valid_body(), "/understood/product", "kosten")) == "understood.product");
  BOOST_TEST(field_of_error(with(valid_body(), "/understood/aspect", "paspoort")) == "understood.aspect");
  BOOST_TEST(field_of_error(with(valid_body(), "/understood/conversation", "x")) == "understood.conversation");
  auto missing = valid_body();
  missing.erase("understood");
  BOOST_TEST(field_of_error(missing) == "understood");
  // 500 characters (not bytes) are allowed: "é" is two bytes.
  std::string accents;
  for (int i = 0; i < 500; ++i) accents += "é";
  BOOST_TEST(field_of_error(with(valid_body(), "/text", accents)) == "(accepted)");
  BOOST_TEST(field_of_error(with(valid_body(), "/understood", json::object())) == "(accepted)");
}

BOOST_AUTO_TEST_CASE(labels_come_from_the_taxonomy) {
  auto l = parse_label(json::parse(R"({"intent":"product_vraag","product":"rijbewijs","aspect":"kosten"})"), labels());
  BOOST_TEST((l.kind == Label::Kind::taxonomy));
  BOOST_TEST(*l.topic.product == "rijbewijs");
  BOOST_TEST((parse_label(json::parse(R"({"kind":"new_topic"})"), labels()).kind == Label::Kind::new_topic));
  BOOST_TEST((parse_label(json::parse(R"({"kind":"out_of_scope"})"), labels()).kind == Label::Kind::out_of_scope));
  auto refused = [](const char* body) {
    try {
      parse_label(json::parse(body), labels());
    } catch (const gem::http::HttpError& e) {
      return e.field;
    }
    return std::string("(accepted)");
  };
  BOOST_TEST(refused(R"({"product":"rijbewijs"})") == "intent");
  BOOST_TEST(refused(R"({"intent":"product_vraag","product":"fiets"})") == "product");
  BOOST_TEST(refused(R"({"kind":"spam"})") == "kind");
  BOOST_TEST(refused(R"({"kind":"new_topic","intent":"hulp"})") == "intent");
}

BOOST_AUTO_TEST_CASE(sqlite_store_keeps_the_day_and_labels_only) {
  TempDir dir;
  auto file = dir.path / "samples.sqlite";
  std::string deleted_text = "waar kan ik mijn parkeervergunning verlengen";
  {
    auto store = open_sqlite_store(file.string());
    auto older = sample("GM0599", "2026-11-20", "wanneer wordt het grofvuil opgehaald");
    auto newer = sample("GM0599", "2026-11-22", deleted_text);
    auto other = sample("GM0855", "2026-11-22", "hoe vraag ik bijstand aan");
    for (const auto& s : {older, newer, other}) store->add(s);
    auto list = store->list("GM0599");
    BOOST_TEST_REQUIRE(list.size() == 2u);
    BOOST_TEST(list[0].date == "2026-11-22", "newest first");
    BOOST_TEST(list[1].text == "wanneer wordt het grofvuil opgehaald");
    BOOST_TEST(!list[0].label);

    BOOST_TEST(store->set_label(older.id, parse_label(json::parse(R"({"intent":"product_vraag","product":"grofvuil"})"), labels())));
    BOOST_TEST(!store->set_label("0000000000000000", Label{Label::Kind::new_topic, {}}));
    auto labelled = store->get(older.id);
    BOOST_TEST_REQUIRE(labelled.has_value());
    BOOST_TEST(to_json(*labelled)["label"] == json::parse(R"({"kind":"taxonomy","intent":"product_vraag","product":"grofvuil","aspect":null})"));
    BOOST_TEST(to_json(*labelled)["understood"]["product"] == "paspoort");

    BOOST_TEST(store->remove(newer.id));
    BOOST_TEST(!store->remove(newer.id));
    BOOST_TEST(store->list("GM0599").size() == 1u);
  }
  // The stored columns: nothing about a resident, their address, session or time of day.
  gem::storage::Database db(file);
  auto columns = db.prepare("SELECT name FROM pragma_table_info('samples') ORDER BY cid");
  std::vector<std::string> names;
  while (columns.step()) names.push_back(columns.text(0));
  BOOST_TEST(names == (std::vector<std::string>{"id", "day", "municipality", "lang", "text", "reason", "understood_intent",
                                                "understood_product", "understood_aspect", "label_kind", "label_intent",
                                                "label_product", "label_aspect"}),
             boost::test_tools::per_element());
  // A deleted sample's text is gone from the database file and its write-ahead log.
  BOOST_TEST(file_bytes(dir.path).find(deleted_text) == std::string::npos);
  BOOST_TEST(file_bytes(dir.path).find("grofvuil opgehaald") != std::string::npos, "the kept sample is there (the check can fail)");
}

BOOST_AUTO_TEST_CASE(retention_deletes_what_is_older_than_the_configured_days) {
  TempDir dir;
  auto store = open_sqlite_store((dir.path / "samples.sqlite").string());
  // Noon UTC on 2026-11-22 is 13:00 in Amsterdam: the same day.
  std::chrono::system_clock::time_point now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + std::chrono::hours(12);
  BOOST_TEST(day_of(now) == "2026-11-22");
  BOOST_TEST(day_of(now + std::chrono::hours(11)) == "2026-11-23", "23:00 UTC is after midnight in Amsterdam");
  store->add(sample("GM0599", "2026-08-24", "precies negentig dagen oud"));
  store->add(sample("GM0599", "2026-08-23", "eenennegentig dagen oud"));
  store->add(sample("GM0855", "2026-11-22", "van vandaag"));
  Retention retention(*store, 90, [&] { return now; });
  BOOST_TEST(retention.sweep() == 1);
  BOOST_TEST(store->list("GM0599").size() == 1u);
  BOOST_TEST(store->list("GM0599")[0].text == "precies negentig dagen oud");
  BOOST_TEST(retention.sweep() == 0, "a second sweep the same day finds nothing");
  now += std::chrono::days(1);
  BOOST_TEST(retention.sweep() == 1);
  BOOST_TEST(store->list("GM0599").empty());
  BOOST_TEST(store->list("GM0855").size() == 1u);
  now += std::chrono::days(91);
  BOOST_TEST(retention.sweep() == 1);
  BOOST_TEST(store->list("GM0855").empty());
}

BOOST_AUTO_TEST_CASE(where_residents_failed_most) {
  auto thumbs = sample("GM0599", "2026-11-22", "klopt niet", "thumbs_down");  // Gem answered paspoort
  auto relabelled = sample("GM0599", "2026-11-22", "eigenlijk rijbewijs");
  relabelled.label = parse_label(json::parse(R"({"intent":"product_vraag","product":"rijbewijs","aspect":"kosten"})"), labels());
  auto relabelled2 = relabelled;
  auto waiting = sample("GM0599", "2026-11-22", "nog niet gelabeld");
  auto fresh = sample("GM0599", "2026-11-22", "iets nieuws");
  fresh.label = Label{Label::Kind::new_topic, {}};
  auto f = failures({thumbs, relabelled, relabelled2, waiting, fresh});
  BOOST_TEST(f["samples"] == 5);
  BOOST_TEST(f["products"] == json::parse(R"([{"product":"rijbewijs","count":2},{"product":"paspoort","count":1}])"));
  BOOST_TEST(f["aspects"] == json::parse(R"([{"aspect":"kosten","count":2}])"));
  BOOST_TEST(f["unlabelled"] == 1);
  BOOST_TEST(f["new_topic"] == 1);
  BOOST_TEST(f["out_of_scope"] == 0);
}

BOOST_AUTO_TEST_CASE(ids_are_random) {
  auto a = new_id(), b = new_id();
  BOOST_TEST(a.size() == 16u);
  BOOST_TEST(a != b);
}

BOOST_AUTO_TEST_SUITE_END()
