// The content checker: every error class has a failing fixture with the message it must give.
#include <boost/test/unit_test.hpp>

#include "content_fixture.h"

using gem::test::json;

namespace {

std::vector<std::string> check(const json& source) {
  std::vector<std::string> out;
  for (const auto& e : gem::check_content(source.dump(), gem::test::small_labels())) out.push_back(e.at + ": " + e.message);
  return out;
}

// Exactly one error, with this text.
void expect_error(const json& source, const std::string& expected) {
  const auto errors = check(source);
  BOOST_TEST_CONTEXT(expected) {
    BOOST_TEST(errors.size() == 1u);
    if (!errors.empty()) BOOST_TEST(errors[0] == expected);
  }
}

json& product(json& s, std::size_t i) { return s["products"][i]; }

}  // namespace

BOOST_AUTO_TEST_SUITE(content_checker)

BOOST_AUTO_TEST_CASE(valid_content_has_no_errors) {
  const auto errors = check(gem::test::valid_source());
  for (const auto& e : errors) BOOST_ERROR(e);
  BOOST_TEST(errors.empty());
}

BOOST_AUTO_TEST_CASE(schema_missing_and_wrong_kinds) {
  auto s = gem::test::valid_source();
  product(s, 0).erase("summary");
  expect_error(s, "content/products/paspoort.yml:1: missing 'summary': expected a text {nl, en}");
  s = gem::test::valid_source();
  product(s, 0)["title"] = "paspoort";
  expect_error(s, "content/products/paspoort.yml:2: 'title': expected a text {nl, en}, found text");
  s = gem::test::valid_source();
  s["municipalities"][0]["tone"] = "jij";
  expect_error(s, "content/municipalities/GM0599.yml:4: tone 'jij': expected u or je");
}

BOOST_AUTO_TEST_CASE(unknown_variables) {
  auto s = gem::test::valid_source();
  product(s, 0)["sections"]["kosten"]["nl"] = "Het kost {fee.paspoort.volwassen}.";
  product(s, 0)["sections"]["kosten"]["en"] = "It costs {fee.paspoort}.";
  expect_error(s, "content/products/paspoort.yml:13: unknown variable {fee.paspoort.volwassen}: declare it in "
                  "content/variables.yml or the product's variables");
  s = gem::test::valid_source();
  s["municipalities"][0]["variables"]["fee.paspoort.kind"] = "€ 5";
  s["municipalities"][0]["variables"]["_lines"]["fee.paspoort.kind"] = 8;
  expect_error(s, "content/municipalities/GM0599.yml:8: unknown variable 'fee.paspoort.kind': only variables declared "
                  "in content/variables.yml or a product file can be set");
}

BOOST_AUTO_TEST_CASE(unused_variables) {
  auto s = gem::test::valid_source();
  s["variables"]["url.oud"] = gem::test::at("content/variables.yml", 3, {{"value", "https://example.nl"}});
  s["variables"]["_lines"]["url.oud"] = 3;
  expect_error(s, "content/variables.yml:3: variable 'url.oud' is declared but never used");
}

BOOST_AUTO_TEST_CASE(missing_sections_and_products) {
  auto s = gem::test::valid_source();
  product(s, 1)["sections"].erase("informatie");
  expect_error(s, "content/products/identiteitskaart.yml:6: product 'identiteitskaart' has no 'informatie' section");
  s = gem::test::valid_source();
  s["products"].erase(3);
  const auto errors = check(s);
  BOOST_TEST(std::count(errors.begin(), errors.end(),
                        "content/products: missing content for product 'afval' (expected content/products/afval.yml)") == 1);
  s = gem::test::valid_source();
  product(s, 0)["common_aspects"] = json::array({"wanneer"});
  expect_error(s, "content/products/paspoort.yml:5: common_aspects: 'wanneer' has no section in this product");
  s = gem::test::valid_source();
  s["dialogue"].erase("ask_document");
  expect_error(s, "content/dialogue.yml:1: missing 'ask_document': expected a text {nl, en}");
}

// content/required-sections.yml: the sections residents ask about, for all products and per product.
BOOST_AUTO_TEST_CASE(required_sections_per_product) {
  const std::string r = "content/required-sections.yml";
  auto s = gem::test::valid_source();
  s["required_sections"] = gem::test::at(r, 1, {{"all", json::array({"informatie", "kosten"})},
                                                {"products", gem::test::at(r, 3, {{"afval", json::array({"wanneer"})}})}});
  BOOST_TEST(check(s).empty());
  s["required_sections"]["products"]["paspoort"] = json::array({"wanneer"});
  s["required_sections"]["products"]["_lines"]["paspoort"] = 4;
  expect_error(s, "content/products/paspoort.yml:6: product 'paspoort' has no section 'wanneer', which residents ask about "
                  "(required by content/required-sections.yml:4): add sections.wanneer with nl and en");
  s = gem::test::valid_source();
  s["required_sections"] = gem::test::at(r, 1, {{"all", json::array({"aanvragen"})}});
  BOOST_TEST(check(s).size() == 4u);  // every product of the fixture lacks it
  s["required_sections"]["all"] = json::array({"kosten", "betalen"});
  expect_error(s, "content/required-sections.yml:1: all: unknown aspect 'betalen', expected one of informatie, kosten, wanneer, aanvragen");
  s["required_sections"] = gem::test::at(r, 1, {{"products", gem::test::at(r, 2, {{"fietsen", json::array({"kosten"})}})}});
  expect_error(s, "content/required-sections.yml:2: unknown product 'fietsen': expected one of paspoort, identiteitskaart, reisdocument, afval");
}

BOOST_AUTO_TEST_CASE(unknown_aspects_and_persons) {
  auto s = gem::test::valid_source();
  product(s, 0)["sections"]["prijs"] = gem::test::text("content/products/paspoort.yml", 20, "x", "x");
  product(s, 0)["sections"]["_lines"]["prijs"] = 20;
  expect_error(s, "content/products/paspoort.yml:20: section 'prijs': unknown aspect 'prijs', expected one of informatie, "
                  "kosten, wanneer, aanvragen");
  s = gem::test::valid_source();
  product(s, 0)["sections"]["kosten@oma"] = gem::test::text("content/products/paspoort.yml", 21, "x", "x");
  product(s, 0)["sections"]["_lines"]["kosten@oma"] = 21;
  expect_error(s, "content/products/paspoort.yml:21: section 'kosten@oma': expected @kind or @partner after the aspect");
}

BOOST_AUTO_TEST_CASE(missing_translations) {
  auto s = gem::test::valid_source();
  product(s, 0)["sections"]["kosten"].erase("en");
  expect_error(s, "content/products/paspoort.yml:13: 'kosten' has no English (en) translation");
  s = gem::test::valid_source();
  s["dialogue"]["hulp"]["nl"] = "  ";
  expect_error(s, "content/dialogue.yml:5: 'hulp' has no Dutch (nl) translation");
}

BOOST_AUTO_TEST_CASE(links_must_be_https) {
  auto s = gem::test::valid_source();
  product(s, 0)["links"][0]["url"] = "http://www.rijksoverheid.nl/";
  product(s, 0)["variables"].erase("url.paspoort");
  expect_error(s, "content/products/paspoort.yml:31: link 'http://www.rijksoverheid.nl/': expected an https:// address "
                  "or a {url.…} variable");
  s = gem::test::valid_source();
  product(s, 0)["sections"]["informatie"]["en"] = "See [the page](www.rijksoverheid.nl).";
  expect_error(s, "content/products/paspoort.yml:12: link (www.rijksoverheid.nl): expected an https:// address or a "
                  "{url.…} variable");
}

BOOST_AUTO_TEST_CASE(terms_are_words_and_each_names_one_product) {
  auto s = gem::test::valid_source();
  product(s, 0)["terms"] = json::array({"Paspoortje", "reis pas"});
  product(s, 0)["_lines"]["terms"] = 20;
  BOOST_TEST(check(s).empty());
  product(s, 0)["terms"] = "paspoortje";
  expect_error(s, "content/products/paspoort.yml:20: terms: expected a list of words or phrases, found text");
  product(s, 0)["terms"] = json::array({"paspoortje", "!!"});
  expect_error(s, "content/products/paspoort.yml:20: terms: expected a word or phrase (letters, at most 80 characters), found '!!'");
  // The same term (as the dialogue reads it: folded) for two products.
  product(s, 0)["terms"] = json::array({"reis pas"});
  product(s, 1)["terms"] = json::array({"Reis-pas"});
  product(s, 1)["_lines"]["terms"] = 21;
  expect_error(s, "content/products/identiteitskaart.yml:21: terms: 'Reis-pas' is also a term of 'paspoort': a term names one product");
}

BOOST_AUTO_TEST_CASE(aspect_terms_each_ask_about_one_section_the_product_has) {
  auto s = gem::test::valid_source();
  const std::string f = "content/products/paspoort.yml";
  product(s, 0)["aspect_terms"] = gem::test::at(f, 22, {{"kosten", json::array({"betalen", "wat moet ik neerleggen"})}});
  BOOST_TEST(check(s).empty());
  product(s, 0)["aspect_terms"] = gem::test::at(f, 22, {{"kosten", "betalen"}});
  expect_error(s, f + ":22: aspect_terms: kosten: expected a list of words or phrases, found text");
  product(s, 0)["aspect_terms"] = gem::test::at(f, 22, {{"kosten", json::array({"betalen", "!!"})}});
  expect_error(s, f + ":22: aspect_terms: kosten: expected a word or phrase (letters, at most 80 characters), found '!!'");
  product(s, 0)["aspect_terms"] = gem::test::at(f, 22, {{"kwijt", json::array({"politie"})}});
  expect_error(s, f + ":22: aspect_terms: 'kwijt' has no section in this product: expected one of informatie, kosten");
  // The same term (folded) under two aspects.
  product(s, 0)["aspect_terms"] = gem::test::at(f, 22, {{"informatie", json::array({"Betalen"})}, {"kosten", json::array({"betalen"})}});
  expect_error(s, f + ":23: aspect_terms: 'betalen' is also listed under 'informatie': a term asks about one section");
  product(s, 0)["aspect_terms"] = json::array({"betalen"});
  product(s, 0)["_lines"]["aspect_terms"] = 22;
  expect_error(s, f + ":22: aspect_terms: expected a mapping of aspects to lists of words or phrases, found a list");
}

BOOST_AUTO_TEST_CASE(tone_variants) {
  auto s = gem::test::valid_source();
  product(s, 0)["sections"]["kosten@kind"]["nl"] = "Voor uw kind kost het minder.";
  expect_error(s, "content/products/paspoort.yml:15: Dutch text addresses the resident with 'uw' outside a tone "
                  "alternation: write {u|je}, {uw|je}, {U kunt|Je kunt}, …");
  s = gem::test::valid_source();
  product(s, 0)["sections"]["kosten@kind"]["en"] = "For {your|thy} child.";
  expect_error(s, "content/products/paspoort.yml:16: English text has a tone alternation {your|thy}: English needs none");
  s = gem::test::valid_source();
  product(s, 0)["sections"]["kosten@kind"]["nl"] = "{U|Je|Jij} betaalt.";
  expect_error(s, "content/products/paspoort.yml:15: tone alternation {U|Je|Jij} must have exactly two parts: {formal|informal}");
  // A municipality file has one fixed tone and may say 'je' directly (see the valid Rotterdam fixture).
}

BOOST_AUTO_TEST_CASE(duplicate_ids) {
  auto s = gem::test::valid_source();
  s["products"].push_back(gem::test::product("paspoort"));
  s["products"].back()["_at"] = "content/products/paspoort-kopie.yml:1";
  s["products"].back()["_lines"]["product"] = 1;
  const auto errors = check(s);
  BOOST_TEST(std::count(errors.begin(), errors.end(),
                        "content/products/paspoort-kopie.yml:1: duplicate product 'paspoort' (also in content/products/paspoort.yml:1)") == 1);
  s = gem::test::valid_source();
  product(s, 1)["variables"]["fee.paspoort"] = gem::test::at("content/products/identiteitskaart.yml", 42, {{"value", "€ 1"}});
  product(s, 1)["variables"]["_lines"]["fee.paspoort"] = 42;
  expect_error(s, "content/products/identiteitskaart.yml:42: variable 'fee.paspoort' is declared twice (also at content/products/paspoort.yml:40)");
  s = gem::test::valid_source();
  s["countries"]["id_card_accepted"].push_back(gem::test::at("content/countries.yml", 3, {{"code", "DE"}, {"nl", "D"}, {"en", "D"}}));
  expect_error(s, "content/countries.yml:3: duplicate country DE (also at content/countries.yml:2)");
}

BOOST_AUTO_TEST_CASE(municipality_files) {
  auto s = gem::test::valid_source();
  s["municipalities"][0]["municipality"] = "GM9999";
  expect_error(s, "content/municipalities/GM0599.yml:2: municipality 'GM9999': expected a CBS code from gemeenten.tsv such as GM0599");
  s = gem::test::valid_source();
  s["municipalities"][0]["sections"]["paspoort.prijs"] = gem::test::text("content/municipalities/GM0599.yml", 12, "x", "x");
  s["municipalities"][0]["sections"]["_lines"]["paspoort.prijs"] = 12;
  expect_error(s, "content/municipalities/GM0599.yml:12: section 'prijs': unknown aspect 'prijs', expected one of "
                  "informatie, kosten, wanneer, aanvragen");
}

BOOST_AUTO_TEST_CASE(live_kinds) {
  auto s = gem::test::valid_source();
  product(s, 3)["sections"]["wanneer"]["live"] = "weather";
  expect_error(s, "content/products/afval.yml:17: live 'weather': expected one of appointment_slots, opening_hours, "
                  "waste_collection, application_status");
}

BOOST_AUTO_TEST_CASE(verb_and_pronoun_agree_in_both_tones) {
  const std::string at = "content/products/paspoort.yml:15: ";
  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"Wilt {u|je} betalen?", "'Wilt {u|je}' shares the verb between both tones, which is wrong in one of them: put the verb inside the alternation, e.g. {Wilt u|Wil je}"},
           {"Dan kun {u|je} betalen.", "'kun {u|je}' shares the verb between both tones, which is wrong in one of them: put the verb inside the alternation, e.g. {Wilt u|Wil je}"},
           {"Als {u|je} heeft betaald.", "'{u|je} heeft' renders 'je heeft': write {u heeft|je hebt}"},
           {"{Heeft u|Heeft je} betaald?", "'Heeft je' in {Heeft je}: the verb does not agree with 'je'"},
           {"{Wil u|Wil je} betalen?", "'Wil u' in {Wil u}: the verb does not agree with 'u'"},
           {"{Hebt u|Heb je} betaald?", "{Hebt u|Heb je}: write 'heeft' in the u-form; a municipality that says 'u hebt' sets 'hebben: hebt' and gets it everywhere"},
           {"Als {het kind heeft|je hebt} betaald.", "{het kind heeft|je hebt}: 'heeft' in the u-form must go with 'u' in the same variant (a municipality may choose 'u hebt'); write e.g. {u het heeft|je het hebt}"}}) {
    auto s = gem::test::valid_source();
    product(s, 0)["sections"]["kosten@kind"]["nl"] = text;
    expect_error(s, at + message);
  }
  // Agreeing forms pass: the verb inside the alternation, a stem ending in t, a bare verb alternation.
  auto s = gem::test::valid_source();
  product(s, 0)["sections"]["kosten@kind"]["nl"] = "{Wilt u|Wil je} betalen? Dan mag {u|je} pinnen. Moet {u|je} wachten? Als {u|je} {heeft|hebt} betaald.";
  BOOST_TEST(check(s).empty());
}

BOOST_AUTO_TEST_CASE(municipal_values_and_sections_need_a_source) {
  const std::string m = "content/municipalities/GM0599.yml";
  auto s = gem::test::valid_source();
  s["municipalities"][0]["variables"]["phone"] = "14 010";
  expect_error(s, m + ":5: variable 'phone' has no source: write {value: …, source: https://…, checked: YYYY-MM-DD}, "
                      "or remove it so the national value applies");
  s = gem::test::valid_source();
  s["municipalities"][0]["sections"]["afval.wanneer"].erase("source");
  s["municipalities"][0]["sections"]["afval.wanneer"].erase("checked");
  expect_error(s, m + ":9: section 'afval.wanneer' has no source: add source: https://… and checked: YYYY-MM-DD");
  s = gem::test::valid_source();
  s["municipalities"][0]["variables"]["phone"]["checked"] = "30-11-2026";
  expect_error(s, m + ":7: 'checked': expected the date the source was last checked, as YYYY-MM-DD (e.g. 2026-11-30)");
  s = gem::test::valid_source();
  s["municipalities"][0]["variables"]["phone"]["source"] = "../shared/facts.md";
  expect_error(s, m + ":6: 'source': expected a public https:// address");
}

BOOST_AUTO_TEST_CASE(national_facts_need_a_source) {
  auto s = gem::test::valid_source();
  product(s, 0)["variables"]["fee.paspoort"].erase("source");
  product(s, 0)["variables"]["fee.paspoort"].erase("checked");
  expect_error(s, "content/products/paspoort.yml:40: variable 'fee.paspoort' is a national fact without a source: add source: https://… and checked: YYYY-MM-DD");
  s = gem::test::valid_source();
  product(s, 0)["sources"] = json::array({"https://www.rijksoverheid.nl/"});
  expect_error(s, "content/products/paspoort.yml:3: source 'https://www.rijksoverheid.nl/': expected {url: https://…, checked: YYYY-MM-DD}");
  s = gem::test::valid_source();
  s["countries"].erase("sources");
  expect_error(s, "content/countries.yml:1: countries cite no sources: expected a list of {url: https://…, checked: YYYY-MM-DD}");
}

BOOST_AUTO_TEST_CASE(sources_due_for_review_oldest_first) {
  const auto source = gem::test::valid_source().dump();
  // The fixture's dates: fee.* 2025-06-01 (four products), product and country sources 2026-11-23, Rotterdam 2026-11-30.
  BOOST_TEST(gem::review_due(source, "2026-12-02", 24).empty());
  const auto due = gem::review_due(source, "2026-12-02", 12);
  BOOST_REQUIRE(due.size() == 4u);
  BOOST_TEST(due[0].at == "content/products/paspoort.yml:42");
  BOOST_TEST(due[0].url == "https://www.rijksoverheid.nl/kosten");
  BOOST_TEST(due[0].checked == "2025-06-01");
  BOOST_TEST(gem::review_due(source, "2027-12-01", 12).size() == 4u + 4u + 1u + 4u);
  BOOST_CHECK_THROW(gem::review_due(source, "1 december", 12), gem::Error);
}

BOOST_AUTO_TEST_CASE(u_hebt_is_a_municipal_choice) {
  auto s = gem::test::valid_source();
  auto& rotterdam = s["municipalities"][0];
  product(s, 0)["summary"]["nl"] = "{Heeft u|Heb je} een vraag? Dan {heeft|hebt} {u|je} geluk.";
  BOOST_TEST(check(s).empty());
  rotterdam["tone"] = "u";
  rotterdam["hebben"] = "hebt";
  rotterdam["_lines"]["hebben"] = 4;
  const auto pack = gem::test::read_pack(gem::compile_pack(s.dump(), gem::test::small_labels(), "GM0599", "Rotterdam"));
  BOOST_TEST(pack["products"]["paspoort"]["summary"]["nl"] == "{Hebt u|Heb je} een vraag? Dan {hebt|hebt} {u|je} geluk.");
  BOOST_TEST(pack["products"]["paspoort"]["summary"]["en"] == product(s, 0)["summary"]["en"]);
  rotterdam.erase("hebben");
  const auto default_pack = gem::test::read_pack(gem::compile_pack(s.dump(), gem::test::small_labels(), "GM0599", "Rotterdam"));
  BOOST_TEST(default_pack["products"]["paspoort"]["summary"]["nl"] == product(s, 0)["summary"]["nl"]);
  rotterdam["hebben"] = "hebt";
  rotterdam["tone"] = "je";
  expect_error(s, "content/municipalities/GM0599.yml:4: hebben: only for the u-form, but this municipality says je");
}

BOOST_AUTO_TEST_CASE(packs_apply_municipal_overrides) {
  const auto source = gem::test::valid_source().dump();
  const auto pack = gem::test::read_pack(gem::compile_pack(source, gem::test::small_labels(), "GM0599", "Rotterdam"));
  BOOST_TEST(pack["tone"] == "je");
  BOOST_TEST(pack["name"] == "Rotterdam");
  BOOST_TEST(pack["variables"]["home"]["fee.paspoort"]["nl"] == "€ 8,00");
  BOOST_TEST(pack["variables"]["fallback"]["fee.paspoort"]["nl"] == "maximaal € 10,00");
  BOOST_TEST(pack["products"]["afval"]["sections"]["wanneer"]["nl"] == "In Rotterdam kijk je in de app.");
  BOOST_TEST(pack.dump().find("_at") == std::string::npos);
  const auto generic = gem::test::read_pack(gem::compile_pack(source, gem::test::small_labels(), "generic", ""));
  BOOST_TEST(generic["tone"] == "u");
  BOOST_TEST(generic["variables"]["home"].empty());
  BOOST_TEST(generic["products"]["afval"]["sections"]["wanneer"]["nl"] == "Op maandag.");
  auto broken = gem::test::valid_source();
  broken["products"][0].erase("summary");
  BOOST_CHECK_THROW(gem::compile_pack(broken.dump(), gem::test::small_labels(), "GM0599", "Rotterdam"), gem::Error);
}

BOOST_AUTO_TEST_SUITE_END()
