// The widget's moments in the core's words: handover steps, the privacy note, other bubbles, the panel's texts.
#include <boost/test/unit_test.hpp>

#include "dialogue_fixture.h"

using gem::test::json;
using namespace gem::test::dialogue_fixture;

BOOST_AUTO_TEST_SUITE(moments)

BOOST_AUTO_TEST_CASE(a_handover_moves_through_its_phases_with_words_for_each_step) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.intent = "medewerker"}));
  BOOST_TEST(gem::name(c.handover) == "offered");
  auto r = d.handover(c, R"({"type":"consent","queue_length":2,"eta_seconds":300})");
  BOOST_TEST(r.text == "Tekst handover_available je. Tekst handover_queue_many je. Tekst handover_wait_many je. "
                       "Tekst handover_consent je. Tekst handover_consent_explain je.");
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"handover:consent_yes", "handover:consent_no"}));
  BOOST_TEST((r.quick_replies[0].kind == gem::ReplyKind::action));
  BOOST_TEST(gem::name(r.awaiting) == "consent");
  d.handover(c, R"({"type":"started"})");
  BOOST_TEST(gem::name(c.handover) == "waiting");
  r = d.handover(c, R"({"type":"queued","position":1,"eta_seconds":30})");
  BOOST_TEST(r.text == "Tekst handover_queued je. Tekst handover_left_one je.");
  d.handover(c, R"({"type":"agent_joined","name":"Sanne"})");
  BOOST_TEST(gem::name(c.handover) == "connected");
  r = d.handover(c, R"({"type":"ended","reason":"agent_ended"})");
  BOOST_TEST(r.text == "Tekst handover_ended_agent_ended je.");
  BOOST_TEST(gem::name(c.handover) == "ended");
  // An unknown reason is said as a fault; an unknown event is an error.
  BOOST_TEST(d.handover(c, R"({"type":"ended","reason":"??"})").text == "Tekst handover_ended_shutdown je.");
  BOOST_CHECK_THROW(d.handover(c, R"({"type":"teleported"})"), gem::Error);
  BOOST_CHECK_THROW(d.handover(c, R"({"type":"queued","position":"first"})"), gem::Error);
}

BOOST_AUTO_TEST_CASE(the_server_names_a_staff_member_as_plain_text) {
  const auto d = dialogue();
  gem::Conversation c;
  const auto r = d.handover(c, R"j({"type":"agent_joined","name":"[Sanne](https://evil.example)"})j");
  BOOST_TEST(r.plain);
  BOOST_TEST(json::parse(gem::to_json(r))["plain"] == true);
}

BOOST_AUTO_TEST_CASE(no_staff_member_gives_the_alternatives_as_lines_and_safe_links) {
  const auto d = dialogue();
  gem::Conversation c;
  const auto r = d.handover(c, R"({"type":"closed","alternatives":{"phone":"14 010",
      "contact_form_url":"https://example.nl/contact","callback_url":"http://example.nl/bel"}})");
  BOOST_TEST(r.text == "Tekst handover_closed je.");
  BOOST_TEST((r.items == std::vector<std::string>{"Tekst handover_call je."}));
  BOOST_TEST(r.links.size() == 1u);
  BOOST_TEST(r.links[0].url == "https://example.nl/contact");
  BOOST_TEST(gem::name(c.handover) == "none");
}

BOOST_AUTO_TEST_CASE(the_privacy_note_comes_once_per_kind) {
  const auto d = dialogue();
  gem::Conversation c;
  auto note = d.privacy_note(c, {{"bsn", 1}, {"phone", 2}, {"email", 0}}, {});
  BOOST_REQUIRE(note.has_value());
  BOOST_TEST(note->text == "Tekst pii_warning je.");
  BOOST_TEST((c.privacy_noted == std::vector<std::string>{"bsn", "phone"}));
  BOOST_TEST(!d.privacy_note(c, {{"bsn", 1}}, {}).has_value());
  // An address the assistant asked for needs no note; to a staff member the note says it is removed.
  BOOST_TEST(!d.privacy_note(c, {{"address", 1}}, {.address_expected = true}).has_value());
  note = d.privacy_note(c, {{"address", 1}}, {.to_agent = true});
  BOOST_REQUIRE(note.has_value());
  BOOST_TEST(note->text == "Tekst pii_warning je. Tekst pii_agent je.");
  BOOST_CHECK_THROW(d.privacy_note(c, {{"shoe_size", 1}}, {}), gem::Error);
}

BOOST_AUTO_TEST_CASE(other_bubbles_by_key_and_an_unknown_key_is_named) {
  const auto d = dialogue();
  gem::Conversation c;
  BOOST_TEST(d.say(c, "new_conversation").text == "Tekst new_conversation je.");
  try {
    d.say(c, "hello_world");
    BOOST_FAIL("expected gem::Error");
  } catch (const gem::Error& e) {
    BOOST_TEST(std::string(e.what()).find("'hello_world'") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(the_sample_offer_names_what_gem_understood_in_labels_never_ids) {
  auto source = gem::test::valid_source();
  source["dialogue"]["sample_understood"] = gem::test::text("content/dialogue.yml", 5, "Gem begreep: {understood}.", "Gem understood: {understood}.");
  const gem::Dialogue d(gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", ""), kMunicipalities, "GM0599");
  gem::Conversation c;
  auto r = d.sample_offer(c, R"({"reason":"thumbs_down","intent":"product_vraag","product":"paspoort","aspect":"kosten"})");
  BOOST_TEST(r.text == "Tekst sample_offer je.");
  // The fixture's labels are the ids themselves ("paspoort"); the real ones are words ("Paspoort: Kosten").
  BOOST_TEST((r.items == std::vector<std::string>{"Gem begreep: paspoort: kosten."}));
  c.lang = "en";
  r = d.sample_offer(c, R"({"reason":"thumbs_down","intent":"medewerker","product":null,"aspect":null})");
  BOOST_TEST(r.items.at(0).rfind("Gem understood: Text talk_to_staff", 0) == 0u);  // the button's label
  c.lang = "nl";
  // Unsure: said as a guess; nothing understood: said so.
  r = d.sample_offer(c, R"({"reason":"not_understood","intent":"buiten_bereik","product":null,"aspect":null})");
  BOOST_TEST((r.items == std::vector<std::string>{"Tekst sample_understood_nothing je."}));
  BOOST_CHECK_THROW(d.sample_offer(c, R"({"reason":"automatic","intent":"product_vraag"})"), gem::Error);
  BOOST_CHECK_THROW(d.sample_offer(c, R"({"reason":"thumbs_down","intent":"product_vraag","product":"fietsvergunning"})"), gem::Error);
  BOOST_CHECK_THROW(d.sample_offer(c, R"({"reason":"thumbs_down","product":7})"), gem::Error);
  BOOST_CHECK_THROW(d.sample_offer(c, "not json"), gem::Error);
}

BOOST_AUTO_TEST_CASE(the_panels_texts_in_the_language_and_tone_of_the_conversation) {
  const auto d = dialogue();
  gem::Conversation c;
  auto ui = d.ui(c);
  BOOST_TEST(ui.size() == gem::required_ui_texts().size());
  BOOST_TEST(ui["send"] == "Knop send je.");
  c.lang = "en";
  BOOST_TEST(d.ui(c)["send"] == "Button send.");
  const auto formal = dialogue("GM0855");  // the generic pack: 'u'
  BOOST_TEST(formal.ui(gem::Conversation{})["send"] == "Knop send u.");
  BOOST_TEST(formal.tone() == "u");
}

BOOST_AUTO_TEST_SUITE_END()
