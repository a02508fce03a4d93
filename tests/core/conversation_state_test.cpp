// The conversation as data: restored state checked against the content pack, buttons that name unknown ids,
// and the dialogue's tuning (DialogueOptions).
#include <boost/test/unit_test.hpp>

#include "dialogue_fixture.h"

using gem::test::json;
using namespace gem::test::dialogue_fixture;

namespace {

// The gem::Error `f` throws, or "" when it throws none.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const gem::Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(conversation_state)

BOOST_AUTO_TEST_CASE(a_restored_product_that_the_pack_no_longer_has_is_a_clear_error) {
  const auto d = dialogue();
  // Saved when the pack still had "fietsvergunning"; the resident's next message must not read unchecked JSON.
  auto saved = gem::Conversation::from_json(R"({"product":"fietsvergunning","aspect":"kosten","lang":"nl"})");
  const auto error = error_of([&] { d.validate(saved); });
  BOOST_TEST(contains(error, "'product'"), error);
  BOOST_TEST(contains(error, "fietsvergunning"), error);
  // Even without validation the dialogue refuses it instead of reading past the pack.
  BOOST_TEST(contains(error_of([&] { d.respond(saved, understood({.intent = "product_vraag", .aspect = "kosten"})); }), "fietsvergunning"));
}

BOOST_AUTO_TEST_CASE(every_restored_field_is_checked_and_names_its_key) {
  const auto d = dialogue();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"aspect":"prijs"})", "'aspect'"},
      {R"({"person":"oma"})", "'person'"},
      {R"({"municipality":"GM9999"})", "'municipality'"},
      {R"({"country":"Duitsland"})", "'country'"},
      {R"({"postcode":"1234"})", "'postcode'"},
      {R"({"house_number":"<b>"})", "'house_number'"},
      {R"({"offered":["read:product_vraag:fietsvergunning:kosten"]})", "'offered'"},
      {R"({"offered":["read:product_vraag:paspoort:prijs"]})", "'offered'"},
      {R"({"offered":["handover"]})", "'offered'"},
      {R"({"privacy_noted":["shoe_size"]})", "'privacy_noted'"},
      // The reference is kept only while the status look-up waits for its address, and it must fit the protocol.
      {R"({"reference":"Z-2026-0042","awaiting":"none"})", "'reference'"},
      {R"({"reference":"<img src=x>","awaiting":"status_address"})", "'reference'"},
      {R"({"awaiting":"status_address"})", "'awaiting'"}};
  for (const auto& pair : bad) {
    const auto& [state, key] = pair;  // clang 14 (emscripten) cannot capture a structured binding
    const auto error = error_of([&] { d.validate(gem::Conversation::from_json(pair.first)); });
    BOOST_TEST(contains(error, key), state << " → " << error);
  }
  BOOST_TEST(contains(error_of([] { gem::Conversation::from_json(R"({"handover":"dancing"})"); }), "handover phase"));
  BOOST_TEST(contains(error_of([] { gem::Conversation::from_json(R"({"awaiting":"godot"})"); }), "awaiting"));
}

BOOST_AUTO_TEST_CASE(a_sound_state_passes_and_survives_serialisation) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "afval", .aspect = "wanneer", .entities = {entity("postcode", "3011 AB"), entity("huisnummer", "12A")}}));
  d.respond(c, understood({.intent = "medewerker"}));
  std::map<std::string, std::size_t> counts = {{"bsn", 1}};
  d.privacy_note(c, counts, {});
  const auto restored = gem::Conversation::from_json(c.to_json());
  BOOST_CHECK_NO_THROW(d.validate(restored));
  BOOST_TEST(restored.to_json() == c.to_json());
  BOOST_TEST(gem::name(restored.handover) == "offered");
  BOOST_TEST((restored.privacy_noted == std::vector<std::string>{"bsn"}));
  // Waiting for the address of a status look-up, with its reference, is sound too.
  const auto waiting = gem::Conversation::from_json(R"({"reference":"Z-2026-0042","awaiting":"status_address"})");
  BOOST_CHECK_NO_THROW(d.validate(waiting));
  BOOST_TEST(gem::Conversation::from_json(waiting.to_json()).to_json() == waiting.to_json());
  // A conversation saved before "awaiting" had its name still loads.
  BOOST_TEST(gem::name(gem::Conversation::from_json(R"({"pending":"address"})").awaiting) == "address");
}

BOOST_AUTO_TEST_CASE(a_did_you_mean_button_for_an_unknown_product_is_refused_and_changes_nothing) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "kosten"}));
  const auto before = c.to_json();
  const auto error = error_of([&] { d.choose(c, "read:product_vraag:fietsvergunning:kosten"); });
  BOOST_TEST(contains(error, "fietsvergunning"), error);
  BOOST_TEST(contains(error_of([&] { d.choose(c, "aspect:prijs"); }), "prijs"));
  BOOST_TEST(c.to_json() == before);
  // The conversation goes on.
  BOOST_TEST(d.choose(c, "read:product_vraag:afval:kosten").text == "Het kost maximaal € 10,00.");
}

BOOST_AUTO_TEST_CASE(the_options_tune_the_dialogue) {
  gem::DialogueOptions patient;
  patient.misses_before_handover = 3;
  const auto quick = dialogue();
  const auto slow = dialogue("GM0599", patient);
  gem::Conversation a, b;
  for (int i = 0; i < 2; ++i) {
    quick.respond(a, understood({.intent = "buiten_bereik", .confidence = 0.1f}));
    slow.respond(b, understood({.intent = "buiten_bereik", .confidence = 0.1f}));
  }
  BOOST_TEST(gem::name(a.handover) == "offered");
  BOOST_TEST(gem::name(b.handover) == "none");
  BOOST_TEST(has_event(slow.respond(b, understood({.intent = "buiten_bereik", .confidence = 0.1f})), "handover_offer"));

  // Cue words: with "plus" as a follow-up word, "plus een id-kaart" keeps the aspect asked about.
  gem::DialogueOptions cues;
  cues.follow_up_words.push_back("plus");
  const Reading first{.product = "paspoort", .aspect = "kosten"};
  const Reading follow{.product = "identiteitskaart", .normalized = "plus een id kaart"};
  gem::Conversation c, e;
  dialogue().respond(c, understood(first));
  dialogue("GM0599", cues).respond(e, understood(first));
  BOOST_TEST(!dialogue().respond(c, understood(follow)).aspect.has_value());
  BOOST_TEST(dialogue("GM0599", cues).respond(e, understood(follow)).aspect.value_or("") == "kosten");

  // Thresholds: a product named with 0.7 confidence switches the topic only when switch_product is lower.
  gem::DialogueOptions sticky;
  sticky.switch_product = 0.8f;
  const Reading unsure_switch{.product = "afval", .aspect = "kosten", .product_confidence = 0.7f, .normalized = "wat kost afval ophalen eigenlijk voor mij nu"};
  gem::Conversation f, g;
  dialogue().respond(f, understood(first));
  dialogue("GM0599", sticky).respond(g, understood(first));
  BOOST_TEST(dialogue().respond(f, understood(unsure_switch)).product.value_or("") == "afval");
  BOOST_TEST(dialogue("GM0599", sticky).respond(g, understood(unsure_switch)).product.value_or("") == "paspoort");
}

BOOST_AUTO_TEST_CASE(response_json_says_what_the_assistant_awaits_and_what_each_button_is) {
  const auto d = dialogue();
  gem::Conversation c;
  auto j = json::parse(gem::to_json(d.respond(c, understood({.product = "paspoort"}))));
  BOOST_TEST(j["awaiting"] == "aspect");
  BOOST_TEST(j["quick_replies"][0]["kind"] == "dialogue");
  j = json::parse(gem::to_json(d.respond(c, understood({.intent = "medewerker"}))));
  BOOST_TEST(j["awaiting"] == "none");
  BOOST_TEST(j["quick_replies"][0]["id"] == "handover");
  BOOST_TEST(j["quick_replies"][0]["kind"] == "action");
  BOOST_TEST(j["quick_replies"][0]["label"] == "Tekst handover_button je.");
}

BOOST_AUTO_TEST_SUITE_END()
