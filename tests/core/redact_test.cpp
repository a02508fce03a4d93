#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "gem/redact.h"
#include "redact_invariants.h"

using gem::PiiKind;
using namespace std::string_literals;

namespace {

struct Case {
  const char* input;
  const char* expected;  // the redacted text
};

// Realistic messages residents type, in Dutch and English.
const Case kPositives[] = {
    // BSN: nine digits passing the 11-check, as typed and as printed on letters
    {"Mijn BSN is 123456782", "Mijn BSN is [BSN]"},
    {"bsn: 111222333, wat nu?", "bsn: [BSN], wat nu?"},
    {"burgerservicenummer 1234.56.782", "burgerservicenummer [BSN]"},
    {"My citizen service number is 123 456 782.", "My citizen service number is [BSN]."},
    {"BSN 123-456-782 graag", "BSN [BSN] graag"},
    {"sofinummer 12.34.56.782", "sofinummer [BSN]"},
    {"(123456782)", "([BSN])"},
    {"\xE2\x80\x9C" "123456782" "\xE2\x80\x9D", "\xE2\x80\x9C[BSN]\xE2\x80\x9D"},
    // IBAN: mod-97 valid, NL and other countries, compact, grouped and lower case
    {"Mijn rekening is NL91ABNA0417164300.", "Mijn rekening is [IBAN]."},
    {"IBAN NL91 ABNA 0417 1643 00 graag", "IBAN [IBAN] graag"},
    {"nl91abna0417164300", "[IBAN]"},
    {"Belgian account BE68 5390 0754 7034", "Belgian account [IBAN]"},
    {"Konto DE89 3704 0044 0532 0130 00", "Konto [IBAN]"},
    {"compte FR14 2004 1010 0505 0001 3M02 606", "compte [IBAN]"},
    {"GB29NWBK60161331926819", "[IBAN]"},
    // phone numbers: Dutch mobile, landline, service and international
    {"Bel me op 06-12345678", "Bel me op [TELEFOON]"},
    {"mijn nummer: 06 1234 5678", "mijn nummer: [TELEFOON]"},
    {"0612345678", "[TELEFOON]"},
    {"tel. 010-1234567", "tel. [TELEFOON]"},
    {"bel (010) 123 45 67 na vijven", "bel [TELEFOON] na vijven"},
    {"+31 6 12345678", "[TELEFOON]"},
    {"+31 (0)6 12345678", "[TELEFOON]"},
    {"+31612345678", "[TELEFOON]"},
    {"0031 6 12345678", "[TELEFOON]"},
    {"werk: 088-1234567", "werk: [TELEFOON]"},
    {"gratis 0800-1234 of 0900-1234567", "gratis [TELEFOON] of [TELEFOON]"},
    {"020 - 123 45 67", "[TELEFOON]"},
    {"Call me on +32 2 123 45 67", "Call me on [TELEFOON]"},
    {"Handy +49 30 12345678", "Handy [TELEFOON]"},
    {"0049 30 12345678", "[TELEFOON]"},
    {"bel 06-12345678 of 010-1234567", "bel [TELEFOON] of [TELEFOON]"},
    // e-mail
    {"mail naar jan.de-vries+gem@example.co.uk.", "mail naar [E-MAIL]."},
    {"j.jansen@rotterdam.nl", "[E-MAIL]"},
    {"Mijn e-mail: José.García@correo.es", "Mijn e-mail: [E-MAIL]"},
    {"<piet_1985@hotmail.com>", "<[E-MAIL]>"},
    // addresses: postcode + house number, street + house number
    {"Ik woon op 3011 AB 5", "Ik woon op [ADRES]"},
    {"postcode 3011AB huisnummer 7", "postcode [ADRES]"},
    {"3011 AB, nr. 12a", "[ADRES]"},
    {"2511 CV 12-3 Den Haag", "[ADRES] Den Haag"},
    {"Coolsingel 40, 3011 AD Rotterdam", "[ADRES] Rotterdam"},
    {"Ik woon op de Kerkstraat 12a", "Ik woon op de [ADRES]"},
    {"Burgemeester de Vlugtlaan 12-3", "[ADRES]"},
    {"adres: Prins Hendrikkade 5", "adres: [ADRES]"},
    {"hoofdstraat 7", "[ADRES]"},
    {"I live at Oudegracht 231 in Utrecht", "I live at [ADRES] in Utrecht"},
    {"Händelstraat 3", "[ADRES]"},
    {"Binnenhof 1", "[ADRES]"},
    // dates of birth: only where the context says so
    {"geboren op 12-03-1985", "geboren op [GEBOORTEDATUM]"},
    {"geboortedatum 12 maart 1985", "geboortedatum [GEBOORTEDATUM]"},
    {"I was born on 3 March 1990", "I was born on [GEBOORTEDATUM]"},
    {"mijn geboortedatum is 1985-03-12", "mijn geboortedatum is [GEBOORTEDATUM]"},
    {"Date of birth: March 3, 1990", "Date of birth: [GEBOORTEDATUM]"},
    {"geb. 3/7/85", "geb. [GEBOORTEDATUM]"},
    {"12-03-1985 is mijn geboortedatum", "[GEBOORTEDATUM] is mijn geboortedatum"},
    {"mijn dochter is geboren in Utrecht op 2 mrt 2019", "mijn dochter is geboren in Utrecht op [GEBOORTEDATUM]"},
    {"DOB 01.02.1970", "DOB [GEBOORTEDATUM]"},
    // passport and ID-card numbers: two letters, six letters or digits, a digit; no letter O
    {"paspoortnummer NXC1234R5", "paspoortnummer [DOCUMENTNUMMER]"},
    {"Mijn ID-kaart nummer is ab1234567", "Mijn ID-kaart nummer is [DOCUMENTNUMMER]"},
    {"documentnummer: SPECI2014", "documentnummer: [DOCUMENTNUMMER]"},
    {"passport number NW92KC7H1.", "passport number [DOCUMENTNUMMER]."},
    {"Ik heb IX5R2TK80 nog", "Ik heb [DOCUMENTNUMMER] nog"},
    // licence plates: sidecodes with dashes; without dashes only after "kenteken"
    {"kenteken AB-123-C", "kenteken [KENTEKEN]"},
    {"mijn auto 12-ABC-3 staat fout", "mijn auto [KENTEKEN] staat fout"},
    {"1-ABC-23", "[KENTEKEN]"},
    {"XX-99-99", "[KENTEKEN]"},
    {"GV-471-B", "[KENTEKEN]"},
    {"kenteken 12ABC3", "kenteken [KENTEKEN]"},
    {"licence plate ab-12-cd", "licence plate [KENTEKEN]"},
    {"Mijn kenteken is 12 ABC 3", "Mijn kenteken is [KENTEKEN]"},
    {"De boete voor 55-XK-RB is 120 euro", "De boete voor [KENTEKEN] is 120 euro"},
    // more addresses, phone numbers and dates as residents write them
    {"Mijn postcode is 8011AB en huisnummer 14", "Mijn postcode is [ADRES]"},
    {"ik woon op nr 14, 8011 AB", "ik woon op nr [ADRES]"},
    {"Woonachtig te Utrecht, Oudegracht 100bis", "Woonachtig te Utrecht, [ADRES]"},
    {"Tel: 06 12 34 56 78, Fax 010 - 414 14 14", "Tel: [TELEFOON], Fax [TELEFOON]"},
    {"Mijn vrouw is geboren op 3 juni 1979 en ik op 14-11-1977.",
     "Mijn vrouw is geboren op [GEBOORTEDATUM] en ik op [GEBOORTEDATUM]."},
    {"bel 0612345678 0687654321 0611111111 0622222222 0633333333 of 0644444444",
     "bel [TELEFOON] [TELEFOON] [TELEFOON] [TELEFOON] [TELEFOON] of [TELEFOON]"},
    {"BSN 123 456 782 06 12345678", "BSN [BSN] [TELEFOON]"},
    // "12 jan" reads as a date until the e-mail is a placeholder: redaction repeats until nothing is new
    {"Kerkstraat 12 jan@voorbeeld.nl", "[ADRES] [E-MAIL]"},
    // several kinds together
    {"Ik ben Jan, BSN 123456782, tel 06-12345678, mail jan@voorbeeld.nl, Kerkstraat 1, 1234 AB",
     "Ik ben Jan, BSN [BSN], tel [TELEFOON], mail [E-MAIL], [ADRES]"},
};

// Text that looks like personal data but is not, and must reach the agent unchanged.
const char* const kNegatives[] = {
    "123456789",                                      // fails the 11-check
    "klantnummer 987654321",                          // fails the 11-check
    "Het kost \xE2\x82\xAC 1.234,56",                 // prices
    "78,85 euro per jaar",
    "\xE2\x82\xAC 123.456.782",                       // passes the 11-check, but it is money
    "123.456.782,00",
    "afspraak op 12-03-2026 om 10:30",                // appointment dates and times
    "Mijn zoon is geboren, afspraak op 12-03-2026.",
    "kan ik op 06-03-2026 10:30 langskomen?",
    "I have an appointment on 3 March 2026",
    "Ik wil een afspraak maken voor 25 november om 9:30",
    "Mijn paspoort verloopt op 12-03-2027",
    "Ik heb op 1 januari 2026 \xE2\x82\xAC 2.400,00 betaald, factuurnummer 2026-000123",
    "Zaaknummer 2026/12345, versie 3.1",
    "Bel 112",
    "Hoeveel kost parkeren in de Lijnbaan 10 minuten?",
    "Ik heb 3 kinderen van 4, 6 en 8 jaar",
    "nummer 12",                                      // house numbers alone
    "huisnummer 12a",
    "postcode 3011 AB",                               // a postcode alone is not an address
    "3011AB",
    "in 2026 en 2027",                                // years
    "geboren in 1985",                                // a birth year is not a date of birth
    "zaaknummer Z-2026-0042",                         // reference numbers and product codes
    "referentie AB-2026-123456",
    "artikel 12-34-56",
    "versie 1.2.3",
    "3 stuks, 12 kg, 250 ml",                         // quantities
    "Bel 14 010",                                     // the municipal short number
    "Amsterdam 12 maart",                             // city names that end like streets
    "vergadering 12 september",
    "Ik ben onderweg 10 minuten",
    "loopbaan 5 jaar",
    "de straat 12 keer oversteken",
    "NL12",                                           // too short for an IBAN
    "NL91ABNA0417164301",                             // fails mod 97
    "NL9 1ABN A041",
    "abcdefghi",                                      // nine letters
    "ABCDEFGH1",                                      // no digit in the middle
    "AB1234567",                                      // digits only in the middle, no context
    "NO1234AB5",                                      // the letter O is never used
    "12-03-26",                                       // a date, not a plate
    "AB123C",                                         // unhyphenated plate without context
    "ab-12-cd",                                       // lower case without context
    "jan@",                                           // not an e-mail address
    "@gemeente",
    "a@b",
    "0101",                                           // too short for a phone number
    "01-03-1985",
    "010-12",
    "+3",
    "score 8/10, 100%",
    "1234 AB",
    "Wat kost een paspoort?",
    "",
};

void check_invariants(std::string_view input, const gem::Redaction& r) {
  const auto rebuilt = gem::testing::rebuilt_text(input, r);
  BOOST_TEST_REQUIRE(rebuilt.has_value(), "matches in bounds, in order and not overlapping");
  BOOST_TEST_REQUIRE(r.text == *rebuilt);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(redaction)

BOOST_AUTO_TEST_CASE(replaces_personal_data_with_typed_placeholders) {
  for (const auto& c : kPositives) {
    const auto r = gem::redact(c.input);
    BOOST_TEST(r.text == c.expected, "redact(\"" << c.input << "\")");
    check_invariants(c.input, r);
  }
}

BOOST_AUTO_TEST_CASE(keeps_text_that_only_looks_personal) {
  for (const char* input : kNegatives) {
    const auto r = gem::redact(input);
    BOOST_TEST(r.text == input);
    BOOST_TEST(r.matches.empty(), "redact(\"" << input << "\") found " << r.matches.size() << " match(es)");
  }
}

BOOST_AUTO_TEST_CASE(reports_kinds_byte_ranges_and_counts) {
  const std::string input = "BSN 123456782 of 111222333, IBAN NL91ABNA0417164300, 06-12345678 😀";
  const auto r = gem::redact(input);
  BOOST_TEST_REQUIRE(r.matches.size() == 4u);
  BOOST_TEST(input.substr(r.matches[0].begin, r.matches[0].end - r.matches[0].begin) == "123456782");
  BOOST_TEST(input.substr(r.matches[2].begin, r.matches[2].end - r.matches[2].begin) == "NL91ABNA0417164300");
  BOOST_TEST((r.matches[3].kind == PiiKind::phone));
  BOOST_TEST(r.count(PiiKind::bsn) == 2u);
  BOOST_TEST(r.count(PiiKind::iban) == 1u);
  BOOST_TEST(r.count(PiiKind::phone) == 1u);
  BOOST_TEST(r.count(PiiKind::email) == 0u);
}

BOOST_AUTO_TEST_CASE(names_and_placeholders) {
  const std::pair<const char*, const char*> expected[] = {
      {"bsn", "[BSN]"}, {"iban", "[IBAN]"}, {"phone", "[TELEFOON]"}, {"email", "[E-MAIL]"}, {"address", "[ADRES]"},
      {"birth_date", "[GEBOORTEDATUM]"}, {"document_number", "[DOCUMENTNUMMER]"}, {"licence_plate", "[KENTEKEN]"}};
  BOOST_TEST_REQUIRE(std::size(gem::kAllPiiKinds) == std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    BOOST_TEST(gem::name(gem::kAllPiiKinds[i]) == expected[i].first);
    BOOST_TEST(gem::placeholder(gem::kAllPiiKinds[i]) == expected[i].second);
  }
}

BOOST_AUTO_TEST_CASE(redacted_text_has_nothing_left_to_redact) {
  for (const auto& c : kPositives) BOOST_TEST(gem::redact(gem::redact(c.input).text).matches.empty(), c.input);
}

BOOST_AUTO_TEST_CASE(copes_with_hostile_input) {
  const auto repeat = [](std::string_view unit, std::size_t size) {
    std::string s;
    while (s.size() < size) s += unit;
    return s;
  };
  // Runs that every detector starts on (a quadratic scan would not finish the megabytes), invalid
  // UTF-8, NUL bytes, emoji and combining marks.
  const std::string inputs[] = {
      std::string(1 << 20, '1'),
      repeat("12 ", 1 << 20),
      repeat("06-", 1 << 18),
      repeat("a@", 1 << 18),
      repeat("x.", 1 << 18),
      repeat("Kerkstraat ", 1 << 18),
      repeat("geboren 1-2-1990 ", 1 << 18),
      repeat("\xF0\x9F\x98\x80" "e\xCC\x81" "1", 1 << 16),
      "123\0" "456782\xFF\xFE" "06-1234\x80" "5678"s,
      "\xC3"s,
      "\xE2\x82"s,
  };
  for (const auto& input : inputs) check_invariants(input, gem::redact(input));
  // Invalid bytes are copied through; the PII around them is still found.
  const auto r = gem::redact("\xFF" "BSN 123456782\xC0 \0x"s);
  BOOST_TEST(r.text == "\xFF" "BSN [BSN]\xC0 \0x"s);
  // Every IBAN in a quarter megabyte of them.
  const std::string many = repeat("NL91 ABNA 0417 1643 00 ", 1 << 18);
  BOOST_TEST(gem::redact(many).count(PiiKind::iban) == many.size() / 23);
}

// A randomized test with a fixed seed (reproducible; the seed is printed): messages assembled from
// fragments of personal data, near misses, separators, emoji, combining marks, invalid bytes and NULs.
BOOST_AUTO_TEST_CASE(randomized_messages_keep_the_invariants) {
  const std::uint32_t seed = 20261123;
  BOOST_TEST_MESSAGE("redaction randomized test, seed " << seed);
  std::mt19937 random(seed);
  std::vector<std::string> fragments;
  for (const auto& c : kPositives) fragments.emplace_back(c.input);
  for (const char* n : kNegatives) fragments.emplace_back(n);
  for (const char* f : {" ", "-", ".", "/", ",", ", ", "+", "(", ")", "@", ":", "0", "06", "31", "1234", "AB", "\n",
                        "\xF0\x9F\x98\x80", "e\xCC\x81", "\xC3\xA9", "\xE2\x82\xAC", "\xFF", "\xC0\xAF", "\xED\xA0\x80"})
    fragments.emplace_back(f);
  fragments.emplace_back(std::string(1, '\0'));
  for (int iteration = 0; iteration < 10000; ++iteration) {
    std::string input;
    const int parts = 1 + static_cast<int>(random() % 8);
    for (int p = 0; p < parts; ++p) {
      std::string f = fragments[random() % fragments.size()];
      if (!f.empty() && random() % 3 == 0) f.erase(random() % f.size(), 1 + random() % 3);  // near misses
      if (!f.empty() && random() % 4 == 0) f[random() % f.size()] = static_cast<char>('0' + random() % 10);
      input += f;
    }
    const auto r = gem::redact(input);
    check_invariants(input, r);
    if (gem::testing::valid_utf8(input)) BOOST_TEST_REQUIRE(gem::testing::valid_utf8(r.text), "iteration " << iteration << ": " << input);
    BOOST_TEST_REQUIRE(gem::redact(r.text).matches.empty(), "iteration " << iteration << ": " << input << " -> " << r.text);
  }
}

BOOST_AUTO_TEST_SUITE_END()
