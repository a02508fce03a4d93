#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "dutch_patterns.h"
#include "entities.h"
#include "gem/redact.h"

namespace dutch = gem::dutch;

namespace {

// Entities without gazetteers: the Dutch patterns only.
std::vector<gem::Entity> entities(std::string_view text) {
  static const gem::EntityExtractor extractor{gem::Gazetteer{}, gem::Gazetteer{}};
  std::vector<bool> used;
  return extractor.extract(gem::normalize(text, 1000), used);
}

std::string entity_value(std::string_view text, const std::string& type) {
  const auto e = entities(text);
  const auto it = std::find_if(e.begin(), e.end(), [&](const gem::Entity& x) { return x.type == type; });
  return it == e.end() ? "" : it->value;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dutch_patterns)

BOOST_AUTO_TEST_CASE(months_written_out_and_abbreviated) {
  BOOST_TEST(dutch::month_number("maart") == 3);
  BOOST_TEST(dutch::month_number("MRT") == 3);
  BOOST_TEST(dutch::month_number("March") == 3);
  BOOST_TEST(dutch::month_number("febr") == 2);  // the Taalunie's abbreviation
  BOOST_TEST(dutch::month_number("sept") == 9);
  BOOST_TEST(dutch::month_number("mei") == 5);
  BOOST_TEST(dutch::month_number("may") == 5);
  BOOST_TEST(dutch::month_number("ma") == 0);
  BOOST_TEST(dutch::month_number("marathon") == 0);
  BOOST_TEST(dutch::month_number("") == 0);
}

BOOST_AUTO_TEST_CASE(postcode_digits_and_letters) {
  BOOST_TEST(dutch::postcode_digits("1000"));
  BOOST_TEST(dutch::postcode_digits("9999"));
  BOOST_TEST(!dutch::postcode_digits("0999"));
  BOOST_TEST(!dutch::postcode_digits("999"));
  BOOST_TEST(!dutch::postcode_digits("12345"));
  BOOST_TEST(!dutch::postcode_digits("12a4"));
  BOOST_TEST(dutch::postcode_letters("AB"));
  BOOST_TEST(dutch::postcode_letters("ab"));
  BOOST_TEST(dutch::postcode_letters("QY"));  // F, I, O, Q, U and Y are issued nowadays
  BOOST_TEST(!dutch::postcode_letters("Ab"));
  for (const char* never : {"SA", "SD", "SS", "sa", "sd", "ss"}) BOOST_TEST(!dutch::postcode_letters(never), never);
  BOOST_TEST(!dutch::postcode_letters("A1"));
  BOOST_TEST(!dutch::postcode_letters("ABC"));
  BOOST_TEST(dutch::everyday_pair("en"));
  BOOST_TEST(dutch::everyday_pair("KM"));
  BOOST_TEST(!dutch::everyday_pair("ab"));
}

BOOST_AUTO_TEST_CASE(house_numbers_letters_and_additions) {
  for (const char* ok : {"1", "12", "12a", "12A", "12bis", "99999"}) BOOST_TEST(dutch::house_number(ok), ok);
  for (const char* no : {"", "0", "012", "123456", "12abcd", "a12", "12-3"}) BOOST_TEST(!dutch::house_number(no), no);
  for (const char* ok : {"3", "II", "1hg", "abcd"}) BOOST_TEST(dutch::house_number_addition(ok), ok);  // BAG: up to 4
  for (const char* no : {"", "abcde", "1-2", "h\xC3\xA9"}) BOOST_TEST(!dutch::house_number_addition(no), no);
  BOOST_TEST(dutch::house_number_cue("Huisnummer"));
  BOOST_TEST(dutch::house_number_cue("nr"));
  BOOST_TEST(!dutch::house_number_cue("nummers"));
  BOOST_TEST(dutch::quantity_word("minuten"));
  BOOST_TEST(dutch::quantity_word("Maart"));
  BOOST_TEST(!dutch::quantity_word("Rotterdam"));
  BOOST_TEST(dutch::time_or_decimal(":", "30"));
  BOOST_TEST(dutch::time_or_decimal(",", "5"));
  BOOST_TEST(!dutch::time_or_decimal(", ", "3011"));
}

BOOST_AUTO_TEST_CASE(street_names) {
  BOOST_TEST(dutch::street_name("Kerkstraat", true));
  BOOST_TEST(dutch::street_name("kerkstraat", false));
  BOOST_TEST(dutch::street_name("Stationsplantsoen", true));
  BOOST_TEST(!dutch::street_name("straat", false));  // the word itself is no name
  BOOST_TEST(dutch::street_name("Binnenhof", true));
  BOOST_TEST(!dutch::street_name("binnenhof", false));
  BOOST_TEST(!dutch::street_name("loopbaan", false));
  BOOST_TEST(!dutch::street_name("vergadering", false));
  BOOST_TEST(!dutch::street_name("Vergadering", true));
  BOOST_TEST(!dutch::street_name("Amsterdam", true));
}

// Entity extraction and redaction see the same addresses: a house number where redaction finds an
// address, none where it keeps the text. They used to disagree on each row marked "was".
BOOST_AUTO_TEST_CASE(entities_and_redaction_agree_on_addresses) {
  struct Row {
    const char* text;
    const char* house_number;  // "" when it is no address
  };
  const Row rows[] = {
      {"Kerkstraat 12", "12"},
      {"Kerkstraat 12-3", "12-3"},       // was a date (12 March) in the entities
      {"Stationsplantsoen 4", "4"},      // was no street to the entities
      {"ik woon op 3011 ab 5", "5"},     // lower-case postcode: was kept by redaction
      {"Binnenhof 1", "1"},
      {"Oudegracht 100bis", "100BIS"},
      {"2511 CV 12-3", "12-3"},
      {"vergadering 12", ""},            // was a street to the entities
      {"loopbaan 5", ""},                // was a street to the entities
      {"Ik ben onderweg 10 minuten", ""},  // was a house number to the entities
      {"Kerkstraat 12 maart", ""},
      {"Kerkstraat 12:30", ""},          // was a house number to the entities
      {"ik woon op 1234 SS 5", ""},
  };
  for (const auto& row : rows) {
    BOOST_TEST_CONTEXT(row.text) {
      BOOST_TEST(entity_value(row.text, "huisnummer") == row.house_number);
      const bool address = *row.house_number != '\0';
      BOOST_TEST((gem::redact(row.text).count(gem::PiiKind::address) > 0) == address);
    }
  }
}

BOOST_AUTO_TEST_CASE(entities_and_redaction_agree_on_months) {
  for (const char* text : {"geboren 3 febr 1990", "geboren 3 feb 1990", "geboren 3 Februari 1990"}) {
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(entity_value(text, "datum") == "1990-02-03");
      BOOST_TEST(gem::redact(text).text == "geboren [GEBOORTEDATUM]");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
