#include <boost/test/unit_test.hpp>

#include <set>

#include "entities.h"
#include "fixtures.h"

using gem::Entity;

namespace {

const gem::EntityExtractor& extractor() {
  static const gem::EntityExtractor e(
      gem::municipality_gazetteer(gem::test::read_source_file("content/gazetteer/gemeenten.tsv"),
                                  gem::test::read_source_file("content/gazetteer/gemeente-aliases.tsv")),
      gem::country_gazetteer(gem::test::read_source_file("content/gazetteer/landen.tsv")));
  return e;
}

std::vector<Entity> entities(std::string_view text) {
  std::vector<bool> used;
  return extractor().extract(gem::normalize(text, 1000), used);
}

// "type=value" for every entity, in order.
std::vector<std::string> found(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& e : entities(text)) out.push_back(e.type + "=" + e.value);
  return out;
}

using V = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(entity_extraction)

BOOST_AUTO_TEST_CASE(finds_every_municipality_by_its_official_name) {
  const auto rows = gem::parse_tsv(gem::test::read_source_file("content/gazetteer/gemeenten.tsv"), "gemeenten.tsv", 2);
  BOOST_TEST(rows.size() == 342u);
  std::size_t checked = 0;
  for (const auto& row : rows) {
    const auto result = entities("Ik woon in " + row[1]);
    BOOST_TEST_CONTEXT(row[1]) {
      BOOST_REQUIRE_EQUAL(result.size(), 1u);
      BOOST_TEST(result[0].type == "gemeente");
      BOOST_TEST(result[0].value == row[0]);
    }
    ++checked;
  }
  BOOST_TEST(checked == 342u);
}

BOOST_AUTO_TEST_CASE(finds_every_alias) {
  const auto rows =
      gem::parse_tsv(gem::test::read_source_file("content/gazetteer/gemeente-aliases.tsv"), "gemeente-aliases.tsv", 2);
  BOOST_TEST(rows.size() >= 79u);
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row[0]) { BOOST_TEST(found("paspoort in " + row[0]) == V{"gemeente=" + row[1]}); }
  }
}

BOOST_AUTO_TEST_CASE(municipality_spans_and_spelling_variants) {
  const auto e = entities("Wat kost een paspoort in Den Bosch?");
  BOOST_REQUIRE_EQUAL(e.size(), 1u);
  BOOST_TEST(e[0].value == "GM0796");
  BOOST_TEST(e[0].start == 25u);
  BOOST_TEST(e[0].end == 34u);
  BOOST_TEST((found("'s-Hertogenbosch") == V{"gemeente=GM0796"}));
  BOOST_TEST((found("SÚDWEST-FRYSLÂN") == V{"gemeente=GM1900"}));
  BOOST_TEST((found("gemeente bergen nh") == V{"gemeente=GM0373"}));
}

BOOST_AUTO_TEST_CASE(names_that_are_everyday_words_need_a_place_cue) {
  BOOST_TEST((found("wat is het best") == V{}));
  BOOST_TEST((found("een houten schutting") == V{}));
  BOOST_TEST((found("overlast van de buren") == V{}));
  BOOST_TEST((found("parkeren in houten") == V{"gemeente=GM0321"}));
  BOOST_TEST((found("ik woon in Best") == V{"gemeente=GM0753"}));
  BOOST_TEST((found("Wij wonen nu in Goes") == V{"gemeente=GM0664"}));
  BOOST_TEST((found("bergen") == V{}));  // Bergen NH or Bergen L: ambiguous
}

BOOST_AUTO_TEST_CASE(countries_in_dutch_and_english) {
  BOOST_TEST((found("met id kaart naar Zuid-Afrika") == V{"land=ZA"}));
  BOOST_TEST((found("can I travel to South Africa") == V{"land=ZA"}));
  BOOST_TEST((found("naar engeland") == V{"land=GB"}));
  BOOST_TEST((found("vakantie in Duitsland en België") == V{"land=DE", "land=BE"}));
  BOOST_TEST((found("Curaçao") == V{"land=CW"}));
  BOOST_TEST((found("bonaire") == V{"land=BQ"}));
  BOOST_TEST((found("trip to turkey") == V{"land=TR"}));
  BOOST_TEST((found("turkey for dinner") == V{}));
  BOOST_TEST((found("Kosovo") == V{"land=XK"}));
}

BOOST_AUTO_TEST_CASE(people_the_question_is_about) {
  BOOST_TEST((found("en voor mijn kind?") == V{"persoon=kind"}));
  BOOST_TEST((found("paspoort voor mijn dochter") == V{"persoon=kind"}));
  BOOST_TEST((found("for my son") == V{"persoon=kind"}));
  BOOST_TEST((found("kinderen onder 18") == V{"persoon=kind", "persoon=kind"}));
  BOOST_TEST((found("mijn man wil ook") == V{"persoon=partner"}));
  BOOST_TEST((found("and my wife") == V{"persoon=partner"}));
  BOOST_TEST((found("een man op straat") == V{}));
}

BOOST_AUTO_TEST_CASE(postcodes_and_house_numbers) {
  BOOST_TEST((found("5038 AB 12") == V{"postcode=5038 AB", "huisnummer=12"}));
  BOOST_TEST((found("5038ab 12a") == V{"postcode=5038 AB", "huisnummer=12A"}));
  BOOST_TEST((found("postcode 3011 ad nummer 4") == V{"postcode=3011 AD", "huisnummer=4"}));
  BOOST_TEST((found("ik woon op de Dorpsstraat 14b") == V{"huisnummer=14B"}));
  BOOST_TEST((found("huisnummer 7") == V{"huisnummer=7"}));
  BOOST_TEST((found("in 1990 en 2000") == V{}));   // years followed by a common word
  BOOST_TEST((found("0123 AB") == V{}));            // postcodes never start with 0
  BOOST_TEST((found("1234 SS") == V{}));            // SA, SD and SS are not issued
}

BOOST_AUTO_TEST_CASE(dates_in_numeric_and_written_forms) {
  BOOST_TEST((found("afspraak op 12-03-2026") == V{"datum=2026-03-12"}));
  BOOST_TEST((found("12/3/26") == V{"datum=2026-03-12"}));
  BOOST_TEST((found("2026-03-12") == V{"datum=2026-03-12"}));
  BOOST_TEST((found("geboren 3 maart 2024") == V{"datum=2024-03-03"}));
  BOOST_TEST((found("on March 3rd") == V{"datum=--03-03"}));
  BOOST_TEST((found("the 12th of june") == V{"datum=--06-12"}));
  BOOST_TEST((found("kan het morgen") == V{"datum=+1d"}));
  BOOST_TEST((found("today") == V{"datum=+0d"}));
  BOOST_TEST((found("31-02-2026") == V{}));  // no such day
  BOOST_TEST((found("29-02-2028") == V{"datum=2028-02-29"}));
  BOOST_TEST((found("29-02-2027") == V{}));
  BOOST_TEST((found("may I ask") == V{}));
}

BOOST_AUTO_TEST_CASE(entities_mark_their_words_as_used) {
  std::vector<bool> used;
  extractor().extract(gem::normalize("paspoort in Tilburg voor mijn kind", 1000), used);
  BOOST_TEST((used == std::vector<bool>{false, false, true, false, false, true}));
}

BOOST_AUTO_TEST_CASE(malformed_gazetteer_rows_name_the_file_and_line) {
  try {
    gem::municipality_gazetteer("code\tname\nGM0001\tGoed\n\nGM0002 zonder tab\n", "alias\tcode\n");
    BOOST_FAIL("expected gem::Error");
  } catch (const gem::Error& e) {
    BOOST_TEST(std::string(e.what()) == "gemeenten.tsv:4: expected 2 tab-separated fields, found 1");
  }
}

BOOST_AUTO_TEST_SUITE_END()
