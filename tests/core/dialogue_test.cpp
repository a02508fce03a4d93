// The dialogue state machine with hand-made readings (the classifier is tested through wasm).
#include <boost/test/unit_test.hpp>

#include "dialogue_fixture.h"
#include "text.h"

using gem::test::json;
using namespace gem::test::dialogue_fixture;

BOOST_AUTO_TEST_SUITE(dialogue_manager)

BOOST_AUTO_TEST_CASE(answers_a_product_question_in_the_municipalitys_tone_and_values) {
  const auto d = dialogue();
  gem::Conversation c;
  const auto r = d.respond(c, understood({.product = "paspoort", .aspect = "kosten"}));
  BOOST_TEST(r.text == "Het kost € 8,00.");
  BOOST_TEST(r.links.size() == 1u);
  BOOST_TEST(r.links[0].url == "https://www.rijksoverheid.nl/paspoort");
  BOOST_TEST(has_event(r, "feedback_request"));
  BOOST_TEST(r.product.value_or("") == "paspoort");
}

BOOST_AUTO_TEST_CASE(follow_ups_carry_the_context_and_change_only_what_changed) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "kosten"}));
  auto r = d.respond(c, understood({.entities = {entity("persoon", "kind")}}));  // "en voor een kind?"
  BOOST_TEST(r.text == "Voor een kind kost het minder.");
  r = d.respond(c, understood({.entities = {entity("gemeente", "GM0344")}}));  // "en in Utrecht?"
  BOOST_TEST(r.product.value_or("") == "paspoort");
  BOOST_TEST(r.municipality.value_or("") == "GM0344");
  BOOST_TEST(r.person.value_or("") == "kind");
  c.person.reset();
  r = d.respond(c, understood({}));  // Utrecht has no file in this pack: the national maximum applies
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  r = d.respond(c, understood({.aspect = "informatie"}));
  BOOST_TEST(r.text == "Over paspoort: Je kunt het aanvragen.");
  r = d.respond(c, understood({.product = "afval", .aspect = "kosten"}));  // a new product switches topic
  BOOST_TEST(r.product.value_or("") == "afval");
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
}

// `aspect_terms`: in a conversation about a product, a word the editors list for one of its sections asks about that
// section, whatever the model read.
BOOST_AUTO_TEST_CASE(an_aspect_term_ties_a_follow_up_to_the_topics_section) {
  auto source = gem::test::valid_source();
  source["products"][0]["aspect_terms"] = gem::test::at("content/products/paspoort.yml", 22, {{"kosten", json::array({"betalen"})}});
  source["products"][0]["terms"] = json::array({"paspoort"});
  source["products"][3]["terms"] = json::array({"container"});
  const gem::Dialogue d(gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", ""), kMunicipalities, "GM0599");
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "informatie", .normalized = "paspoort"}));
  // "moet ik betalen?": read as another product, fairly sure, and another aspect
  auto r = d.respond(c, understood({.product = "afval", .aspect = "informatie", .product_confidence = 0.7f, .normalized = "moet ik betalen"}));
  BOOST_TEST(r.product.value_or("") == "paspoort");
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  BOOST_TEST(r.text == "Het kost € 8,00.");
  // Also when the model read it as out of scope, and in a longer question that points back.
  r = d.respond(c, understood({.intent = "buiten_bereik", .aspect = "informatie", .normalized = "moet ik voor dat ding nu al meteen iets betalen"}));
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  BOOST_TEST(!r.not_understood);
  // Not in a long question that does not point back, nor when another product is named or all but certain.
  c.aspect = "informatie";
  r = d.respond(c, understood({.product = "afval", .aspect = "informatie", .product_confidence = 0.7f,
                               .normalized = "ik moet morgen voor de eerste keer in mijn leven iets betalen"}));
  BOOST_TEST(r.product.value_or("") == "afval");
  c.product = "paspoort";
  r = d.respond(c, understood({.product = "afval", .aspect = "informatie", .normalized = "moet ik de container betalen"}));
  BOOST_TEST(r.product.value_or("") == "afval");
  c.product = "paspoort";
  r = d.respond(c, understood({.product = "afval", .aspect = "informatie", .product_confidence = 0.999f, .normalized = "moet ik betalen"}));
  BOOST_TEST(r.product.value_or("") == "afval");
  // Nor without a topic, nor in another product's conversation.
  gem::Conversation fresh;
  r = d.respond(fresh, understood({.product = "afval", .aspect = "informatie", .normalized = "moet ik betalen"}));
  BOOST_TEST(r.aspect.value_or("") == "informatie");
}

// "kind", "Utrecht", "Duitsland?" alone, on a topic: only the context changes, whatever product the model guessed.
BOOST_AUTO_TEST_CASE(a_bare_person_or_place_changes_only_the_context) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "kosten"}));
  // "kind": read unsure, as the passport or waste
  Reading kind{.product = "paspoort", .confidence = 0.3f, .product_confidence = 0.32f, .entities = {entity("persoon", "kind")},
               .normalized = "kind"};
  kind.products = {{"paspoort", 0.32f}, {"afval", 0.3f}};
  auto r = d.respond(c, understood(kind));
  BOOST_TEST(r.product.value_or("") == "paspoort");
  BOOST_TEST(r.text == "Voor een kind kost het minder.");
  // the model's other guess is no button beside it ("Afval: kosten")
  BOOST_TEST(std::none_of(r.quick_replies.begin(), r.quick_replies.end(), [](const auto& q) { return q.id.rfind("read:", 0) == 0; }));
  // "in Utrecht": read as waste, fairly sure
  c.person.reset();
  r = d.respond(c, understood({.product = "afval", .product_confidence = 0.6f, .entities = {entity("gemeente", "GM0344")},
                               .normalized = "in utrecht"}));
  BOOST_TEST(r.product.value_or("") == "paspoort");
  BOOST_TEST(r.municipality.value_or("") == "GM0344");
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  // "for a child?" is a follow-up like "en voor een kind?", also when the model read another aspect in it
  r = d.respond(c, understood({.aspect = "informatie", .entities = {entity("persoon", "kind")}, .normalized = "for a child"}));
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  BOOST_TEST(r.text == "Voor een kind kost het minder.");
  // Not when it also asks about an aspect, or names a product: then the reading decides.
  c.person.reset();
  r = d.respond(c, understood({.product = "afval", .aspect = "informatie", .entities = {entity("gemeente", "GM0599")},
                               .normalized = "info rotterdam"}));
  BOOST_TEST(r.product.value_or("") == "afval");
}

// "for an ID card?" after a passport's cost, "en een koelkast?" after what bulky waste may be: a follow-up asks the
// same about another thing. The model's aspect for so few words is a guess ("for an ID card" read as applying);
// only when it is sure does it change the aspect.
BOOST_AUTO_TEST_CASE(a_follow_up_keeps_the_aspect_the_model_only_guesses) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "kosten"}));
  auto r = d.respond(c, understood({.product = "identiteitskaart", .aspect = "informatie", .normalized = "for an id card",
                                    .aspects = {{"informatie", 0.64f}, {"kosten", 0.2f}}}));
  BOOST_TEST(r.product.value_or("") == "identiteitskaart");
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  // The same product, the model's product none: "en een koelkast?" on the waste collection day
  d.respond(c, understood({.product = "afval", .aspect = "wanneer"}));
  r = d.respond(c, understood({.aspect = "kosten", .normalized = "en een koelkast", .aspects = {{"kosten", 0.79f}}}));
  BOOST_TEST(r.product.value_or("") == "afval");
  BOOST_TEST(r.aspect.value_or("") == "wanneer");
  // A follow-up whose aspect the model is sure of asks about that aspect ("en wat kost een id-kaart?") …
  r = d.respond(c, understood({.product = "identiteitskaart", .aspect = "kosten", .normalized = "en wat kost een id kaart",
                               .aspects = {{"kosten", 0.99f}}}));
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  r = d.respond(c, understood({.product = "identiteitskaart", .aspect = "informatie", .normalized = "en wat is een id kaart",
                               .aspects = {{"informatie", 0.95f}}}));
  BOOST_TEST(r.aspect.value_or("") == "informatie");
  // … and a message that is no follow-up takes the model's aspect, however unsure.
  c.aspect = "kosten";
  r = d.respond(c, understood({.product = "paspoort", .aspect = "informatie", .normalized = "een paspoort",
                               .aspects = {{"informatie", 0.64f}, {"kosten", 0.2f}}}));
  BOOST_TEST(r.product.value_or("") == "paspoort");
  BOOST_TEST(r.aspect.value_or("") == "informatie");
}

// The spelling corrector knows the training's words, not the editors' terms: it turns "stapelbed" into "stapelen"
// and "track" into "truck". A term matches the words as typed as well as the corrected ones.
BOOST_AUTO_TEST_CASE(a_term_matches_the_word_as_typed) {
  auto source = gem::test::valid_source();
  source["products"][3]["terms"] = json::array({"stapelbed"});
  source["products"][0]["aspect_terms"] = gem::test::at("content/products/paspoort.yml", 22, {{"kosten", json::array({"track"})}});
  const gem::Dialogue d(gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", ""), kMunicipalities, "GM0599");
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "informatie"}));
  // "ik wil een stapelbed weggooien": the model knows the wish, not the thing
  Reading bed{.aspect = "aanvragen", .normalized = "ik wil een stapelen weggooien"};
  const auto without = d.respond(c, understood(bed));
  BOOST_TEST(without.product.value_or("") == "paspoort");  // the corrected word alone names nothing
  c.product = "paspoort";
  bed.corrections = {{"stapelbed", "stapelen", 11, 20, 3}};
  auto r = d.respond(c, understood(bed));
  BOOST_TEST(r.product.value_or("") == "afval");
  // An aspect term as typed: "can i track it", corrected to "truck"
  c.product = "paspoort";
  c.aspect = "informatie";
  r = d.respond(c, understood({.product = "paspoort", .aspect = "informatie", .normalized = "can i truck it",
                               .corrections = {{"track", "truck", 6, 11, 2}}}));
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  // Unsure, but the message names one product by a term: answered, not asked
  gem::Conversation fresh;
  r = d.respond(fresh, understood({.aspect = "kosten", .confidence = 0.3f, .product_confidence = 0.5f, .normalized = "wat kost een stapelbed"}));
  BOOST_TEST(r.product.value_or("") == "afval");
  BOOST_TEST(!r.not_understood);
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  // … also where the model only guessed another product ("we zijn net verhuisd naar een andere straat" read as a
  // street party): the word it did not know is the product
  gem::Conversation other;
  r = d.respond(other, understood({.product = "paspoort", .aspect = "kosten", .confidence = 0.3f, .product_confidence = 0.3f,
                                   .normalized = "wat kost een stapelbed"}));
  BOOST_TEST(other.product.value_or("") == "afval");
  BOOST_TEST(!r.not_understood);
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  // Unsure and naming no product: "did you mean …?"
  gem::Conversation none;
  r = d.respond(none, understood({.product = "paspoort", .aspect = "kosten", .confidence = 0.3f, .product_confidence = 0.3f,
                                  .normalized = "wat kost een bed"}));
  BOOST_TEST(!none.product);
  // A misspelt term still matches as corrected: "stapelbet" read as "stapelbed"
  c.product = "paspoort";
  r = d.respond(c, understood({.aspect = "informatie", .normalized = "een stapelbed",
                               .corrections = {{"stapelbet", "stapelbed", 4, 13, 1}}}));
  BOOST_TEST(r.product.value_or("") == "afval");
}

// A product named only by a term keeps the model's aspect only where the product has that section: "ik ben mijn baan
// kwijt" (bijstand by its terms; the model read a lost document) gets the overview and its aspects, not "I have no
// answer to this question".
BOOST_AUTO_TEST_CASE(a_product_named_by_a_term_drops_an_aspect_it_has_no_section_for) {
  auto source = gem::test::valid_source();
  source["products"][3]["terms"] = json::array({"baan kwijt"});
  const gem::Dialogue d(gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", ""), kMunicipalities, "GM0599");
  gem::Conversation c;
  auto r = d.respond(c, understood({.aspect = "aanvragen", .normalized = "ik ben mijn baan kwijt"}));
  BOOST_TEST(r.product.value_or("") == "afval");
  BOOST_TEST(!r.aspect);
  BOOST_TEST(r.text == "Samenvatting van afval voor je gemeente de gemeente Rotterdam.");
  // A section it has stays asked: "wat kost het als je je baan kwijt bent"
  gem::Conversation costs;
  r = d.respond(costs, understood({.aspect = "kosten", .normalized = "wat kost het als je je baan kwijt bent"}));
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  // The model's own product with an aspect it has no section for still says so
  gem::Conversation own;
  r = d.respond(own, understood({.product = "afval", .aspect = "aanvragen", .normalized = "afval aanvragen"}));
  BOOST_TEST(r.text.rfind("Tekst aspect_missing", 0) == 0);
}

// "Wanneer heb ik een vergunning nodig?": Dutch asks in which cases with "wanneer" too, and the model reads a date.
BOOST_AUTO_TEST_CASE(wanneer_with_a_word_of_need_asks_the_conditions) {
  auto source = gem::test::valid_source();
  auto& sections = source["products"][3]["sections"];
  sections["voorwaarden"] = gem::test::text("content/products/afval.yml", 19, "Alleen voor bewoners.", "Residents only.");
  sections["_lines"]["voorwaarden"] = 19;
  source["dialogue"]["aspects"]["voorwaarden"] = gem::test::text("content/dialogue.yml", 55, "Voorwaarden", "Conditions");
  source["dialogue"]["aspects"]["_lines"]["voorwaarden"] = 55;
  auto labels = gem::test::small_labels();
  labels.aspects.push_back("voorwaarden");
  const gem::Dialogue d(gem::compile_pack(source.dump(), labels, "GM0599", ""), kMunicipalities, "GM0599");
  const auto ask = [&](const std::string& normalized, const char* product = "afval") {
    gem::Conversation c;
    return d.respond(c, understood({.product = product, .aspect = "wanneer", .normalized = normalized,
                                    .aspects = {{"wanneer", 0.9f}, {"voorwaarden", 0.1f}}}));
  };
  auto r = ask("wanneer heb ik recht op een extra container");
  BOOST_TEST(r.aspect.value_or("") == "voorwaarden");
  BOOST_TEST(r.text == "Alleen voor bewoners.");
  BOOST_TEST(ask("wanneer is een melding verplicht").aspect.value_or("") == "voorwaarden");
  // A date stays a date: no word of need, or "tot wanneer"
  BOOST_TEST(ask("wanneer wordt de container geleegd").aspect.value_or("") == "wanneer");
  BOOST_TEST(ask("tot wanneer heb ik recht op een extra container").aspect.value_or("") == "wanneer");
  // A product without conditions keeps its `wanneer` (the passport of this pack has none)
  BOOST_TEST(ask("wanneer heb ik een paspoort nodig", "paspoort").aspect.value_or("") == "wanneer");
}

// "passport stolen in barcelona what now", "de overlijdensakte is zoekgeraakt", "ik wil mijn bewonersvergunning
// beeindigen", "requirements for dutch nationality": a word of one aspect (DialogueOptions::aspect_words: loss,
// cancelling, price, conditions, time, what to bring, validity, a time slot, waiting) asks the product's section of that
// aspect, unless the model read an appointment or is sure of another aspect than applying or the overview.
BOOST_AUTO_TEST_CASE(words_of_an_aspect_ask_its_section) {
  auto source = gem::test::valid_source();
  auto& sections = source["products"][0]["sections"];
  sections["kwijt"] = gem::test::text("content/products/paspoort.yml", 19, "Meld het bij de gemeente.", "Report it to the municipality.");
  sections["_lines"]["kwijt"] = 19;
  sections["stopzetten"] = gem::test::text("content/products/paspoort.yml", 21, "Bel de gemeente.", "Call the municipality.");
  sections["_lines"]["stopzetten"] = 21;
  for (const auto& [aspect, line] : {std::pair{"voorwaarden", 23}, {"wanneer", 25}, {"benodigdheden", 27}, {"geldigheid", 29},
                                     {"afspraak", 31}, {"status", 33}}) {
    sections[aspect] = gem::test::text("content/products/paspoort.yml", line, aspect, aspect);
    sections["_lines"][aspect] = line;
  }
  for (const auto& [aspect, line] : {std::pair{"kwijt", 55}, {"stopzetten", 57}, {"afspraak", 59}, {"voorwaarden", 61},
                                     {"benodigdheden", 63}, {"geldigheid", 65}, {"status", 67}}) {
    source["dialogue"]["aspects"][aspect] = gem::test::text("content/dialogue.yml", line, aspect, aspect);
    source["dialogue"]["aspects"]["_lines"][aspect] = line;
  }
  auto labels = gem::test::small_labels();
  for (const char* aspect : {"kwijt", "stopzetten", "afspraak", "voorwaarden", "benodigdheden", "geldigheid", "status"})
    labels.aspects.push_back(aspect);
  const gem::Dialogue d(gem::compile_pack(source.dump(), labels, "GM0599", ""), kMunicipalities, "GM0599");
  const auto ask = [&](const std::string& aspect, float sure, const std::string& normalized, const char* product = "paspoort") {
    gem::Conversation c;
    return d.respond(c, understood({.product = product, .aspect = aspect, .normalized = normalized,
                                    .aspects = {{aspect, sure}, {"kwijt", 0.05f}}}));
  };
  BOOST_TEST(ask("informatie", 0.6f, "passport stolen in barcelona what now").text == "Meld het bij de gemeente.");
  BOOST_TEST(ask("aanvragen", 0.9f, "ik wil mijn paspoortaanvraag annuleren").text == "Bel de gemeente.");
  struct Case {
    const char* model_aspect;
    float sure;
    const char* normalized;
    const char* asked;
    const char* product = "paspoort";
  };
  for (const Case& k : std::vector<Case>{
           // sure of applying: how to get a new one is in the lost section too
           {"aanvragen", 0.95f, "paspoort gestolen hoe kom ik aan een nieuwe", "kwijt"},
           // unsure of the cost, or sure of it
           {"kosten", 0.5f, "paspoort zoekgeraakt wat nu", "kwijt"},
           {"kosten", 0.9f, "paspoort gestolen wat kost een nieuwe", "kosten"},
           // no word of loss ("kwijt" also gets rid of things), or a product without a lost section
           {"informatie", 0.6f, "hoe kom ik aan een paspoort", "informatie"},
           {"informatie", 0.6f, "waar kan ik mijn paspoort kwijt", "informatie"},
           {"informatie", 0.6f, "container gestolen", "informatie", "afval"},
           {"informatie", 0.5f, "withdraw my passport application", "stopzetten"},
           // cancelling an appointment is about the appointment
           {"afspraak", 0.6f, "cancel my passport appointment", "afspraak"},
           // a word of price, not of paying
           {"informatie", 0.6f, "what are the rates for a passport", "kosten"},
           {"informatie", 0.6f, "why do i pay for a passport", "informatie"},
           // words of conditions, of time, of what to bring and of validity
           {"aanvragen", 0.9f, "requirements for a passport", "voorwaarden"},
           {"informatie", 0.6f, "is een paspoort verplicht vanaf 14 jaar", "voorwaarden"},
           {"aanvragen", 0.9f, "paspoort met spoed", "wanneer"},
           {"informatie", 0.6f, "moet ik een foto meenemen voor mijn paspoort", "benodigdheden"},
           {"aanvragen", 0.9f, "when does my passport expire", "geldigheid"},
           // "mag" and "bewijs" are not such words ("wat mag ik er brengen", "bewijs van inschrijving"), nor is "snel"
           {"informatie", 0.6f, "mag ik met mijn paspoort naar turkije", "informatie"},
           {"aanvragen", 0.9f, "hoe vraag ik snel een nieuw paspoort aan", "aanvragen"},
           // sure of the cost
           {"kosten", 0.9f, "wat kost een paspoort met spoed", "kosten"},
           // words that count only together, and more words of each aspect: theft, paying, someone else, how long,
           // every year, a time slot, waiting
           {"informatie", 0.6f, "ik kan mijn paspoort nergens meer vinden", "kwijt"},
           {"informatie", 0.6f, "ik kan geen paspoort vinden voor mijn reis", "informatie"},
           {"aanvragen", 0.9f, "someone stole my passport from my car", "kwijt"},
           {"aanvragen", 0.9f, "do i pay extra for a passport for my child", "kosten"},
           {"aanvragen", 0.9f, "kan ik mijn paspoort laten ophalen door iemand anders", "voorwaarden"},
           {"aanvragen", 0.9f, "how long does a new passport take", "wanneer"},
           {"aanvragen", 0.9f, "moet ik elk jaar opnieuw een paspoort aanvragen", "geldigheid"},
           {"aanvragen", 0.9f, "is there a slot tomorrow for a passport", "afspraak"},
           {"aanvragen", 0.9f, "sinds maart wacht ik op mijn paspoort", "status"},
           // words of damage and "book" are not such words (a broken one is replaced by applying, "book a bulky waste
           // collection" applies)
           {"aanvragen", 0.9f, "mijn paspoort is kapot", "aanvragen"},
           {"aanvragen", 0.9f, "my passport is damaged", "aanvragen"},
           {"aanvragen", 0.9f, "book a passport pickup", "aanvragen"},
           // a fourth round: gone, no longer needed, what it costs, whether it is allowed, on time, logging in,
           // still good; "weg" only as gone ("mijn kliko moet weg" gets rid of it), "gone" only as lost ("i want
           // my bin gone"), not "moet ik betalen", "have to pay" or "pay for" ("moet ik hondenbelasting betalen voor
           // een pup" asks whether, "why do i pay for a passport" above what it is)
           {"aanvragen", 0.9f, "mijn tas met mijn paspoort is weg", "kwijt"},
           {"aanvragen", 0.9f, "mijn paspoort moet weg", "aanvragen"},
           {"aanvragen", 0.9f, "i want my passport gone", "aanvragen"},
           {"aanvragen", 0.9f, "my passport was gone after the storm", "kwijt"},
           {"aanvragen", 0.9f, "i dont need my passport application anymore", "stopzetten"},
           {"aanvragen", 0.9f, "how much is a passport for my baby", "kosten"},
           {"aanvragen", 0.9f, "do i have to pay for a passport for my baby", "aanvragen"},
           {"aanvragen", 0.9f, "moet ik betalen voor een paspoort", "aanvragen"},
           {"aanvragen", 0.9f, "mogen we met een paspoort van 9 jaar oud reizen", "voorwaarden"},
           {"aanvragen", 0.9f, "krijg ik mijn paspoort op tijd voor de vakantie", "wanneer"},
           {"aanvragen", 0.9f, "moet ik inloggen voor een paspoort", "benodigdheden"},
           {"aanvragen", 0.9f, "is mijn paspoort nog goed voor amerika", "geldigheid"},
           // missing, free, stopping with, someone close doing it for you
           {"aanvragen", 0.9f, "het paspoort van mijn zoon is zoek", "kwijt"},
           {"aanvragen", 0.9f, "is it free to get a passport", "kosten"},
           {"aanvragen", 0.9f, "ik wil stoppen met mijn paspoortaanvraag", "stopzetten"},
           {"aanvragen", 0.9f, "kan mijn partner mijn paspoort ophalen", "voorwaarden"}}) {
    BOOST_TEST_CONTEXT(k.normalized) { BOOST_TEST(ask(k.model_aspect, k.sure, k.normalized, k.product).aspect.value_or("") == k.asked); }
  }
}

// "we verhuizen naar belgie", "moving to spain": a move that names another country than the Netherlands is
// emigrating, which the model reads as moving house; not when the message tells of arriving from it
// (DialogueOptions::arrival_phrases).
BOOST_AUTO_TEST_CASE(a_move_to_another_country_is_emigrating) {
  auto source = gem::test::valid_source();
  auto labels = gem::test::small_labels();
  for (const auto& [id, line] : {std::pair{"verhuizing", 61}, {"emigratie", 62}}) {
    source["products"].push_back(gem::test::product(id));
    source["dialogue"]["products"][id] = gem::test::text("content/dialogue.yml", line, id, id);
    source["dialogue"]["products"]["_lines"][id] = line;
    labels.products.push_back(id);
  }
  const gem::Dialogue d(gem::compile_pack(source.dump(), labels, "GM0599", ""), kMunicipalities, "GM0599");
  const auto moving = [&](const std::string& words, std::vector<gem::Entity> entities) {
    gem::Conversation c;
    return d.respond(c, understood({.product = "verhuizing", .aspect = "kosten", .entities = std::move(entities), .normalized = words,
                                    .text = words}))
        .product.value_or("");
  };
  BOOST_TEST(moving("we verhuizen naar belgie", {entity("land", "BE")}) == "emigratie");
  BOOST_TEST(moving("new address in germany from next month", {entity("land", "DE")}) == "emigratie");
  BOOST_TEST(moving("ik kom uit polen en wil me inschrijven", {entity("land", "PL")}) == "verhuizing");
  BOOST_TEST(moving("we moved from the uk to rotterdam", {entity("land", "GB"), entity("gemeente", "GM0599")}) == "verhuizing");
  BOOST_TEST(moving("terug naar nederland", {entity("land", "NL")}) == "verhuizing");
  BOOST_TEST(moving("we verhuizen naar utrecht", {entity("gemeente", "GM0344")}) == "verhuizing");
}

// "mag mijn vrouw het ophalen?" after collecting a passport (the model: bulky waste, 0.81): a short question that points
// back weakly and does not name the model's product stays on the topic, unless the model is sure.
BOOST_AUTO_TEST_CASE(a_weak_pointer_back_keeps_the_topic_unless_the_product_is_named) {
  const auto d = dialogue();
  const auto after_passport = [&](const std::string& normalized, float sure) {
    gem::Conversation c;
    d.respond(c, understood({.product = "paspoort", .aspect = "informatie"}));
    return d.respond(c, understood({.product = "afval", .aspect = "kosten", .product_confidence = sure, .normalized = normalized}));
  };
  BOOST_TEST(after_passport("mag mijn vrouw het ophalen", 0.81f).product.value_or("") == "paspoort");
  BOOST_TEST(after_passport("mag mijn vrouw het ophalen", 0.95f).product.value_or("") == "afval");  // the model is sure
  BOOST_TEST(after_passport("mag mijn vrouw het afval ophalen", 0.81f).product.value_or("") == "afval");  // named by its title
  BOOST_TEST(after_passport("mag mijn vrouw ophalen", 0.81f).product.value_or("") == "afval");  // no word points back
}

// A product's term within a longer term of another product names nothing: "uittreksel" in "internationaal uittreksel".
BOOST_AUTO_TEST_CASE(the_longer_term_names_the_product) {
  auto source = gem::test::valid_source();
  source["products"][0]["terms"] = json::array({"pas"});
  source["products"][1]["terms"] = json::array({"blauwe pas"});
  const gem::Dialogue d(gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", ""), kMunicipalities, "GM0599");
  gem::Conversation c;
  d.respond(c, understood({.product = "afval", .aspect = "informatie"}));
  // "wat kost een blauwe pas": the model knows the question, not the thing
  auto r = d.respond(c, understood({.aspect = "kosten", .normalized = "wat kost een blauwe pas"}));
  BOOST_TEST(r.product.value_or("") == "identiteitskaart");
  // Each named apart: both travel documents, so "which one?"
  r = d.respond(c, understood({.aspect = "kosten", .normalized = "wat kost een pas en een blauwe pas"}));
  BOOST_TEST(r.product.value_or("") == "reisdocument");
}

// "reisdocument" (passport or ID card, not said which) answers what its content says for both, with the two one press
// away and the aspect kept for them; an aspect it has no section for, or a look-up, asks which one first.
BOOST_AUTO_TEST_CASE(reisdocument_answers_for_both_and_keeps_the_aspect_for_the_one) {
  const auto d = dialogue();
  gem::Conversation c;
  auto r = d.respond(c, understood({.product = "reisdocument", .aspect = "kosten"}));
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");  // the fixture's reisdocument section
  // The two documents, then more about travel documents: a wrongly read aspect is one press from right.
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"product:paspoort", "product:identiteitskaart", "aspect:informatie"}));
  BOOST_TEST(r.quick_replies_label == "Tekst documents_or_more je.");
  BOOST_TEST((c.awaiting == gem::Awaiting::document));
  BOOST_TEST(has_event(r, "feedback_request"));
  gem::Conversation other_aspect = c;
  const auto overview = d.choose(other_aspect, "aspect:informatie");
  BOOST_TEST(overview.product.value_or("") == "reisdocument");
  BOOST_TEST(overview.text == "Over reisdocument: Je kunt het aanvragen.");
  BOOST_TEST((button_ids(overview) == std::vector<std::string>{"product:paspoort", "product:identiteitskaart", "aspect:kosten"}));
  gem::Conversation none;
  BOOST_TEST(d.respond(none, understood({.product = "reisdocument", .aspect = "aanvragen"})).text == "Tekst ask_document je.");
  r = d.choose(c, "product:identiteitskaart");
  BOOST_TEST(r.product.value_or("") == "identiteitskaart");
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  // "Welk reisdocument heb ik nodig?": the overview compares the two, so it is the answer, with the two a press away.
  gem::Conversation which;
  r = d.respond(which, understood({.product = "reisdocument", .aspect = "informatie"}));
  BOOST_TEST(r.text == "Over reisdocument: Je kunt het aanvragen.");
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"product:paspoort", "product:identiteitskaart", "aspect:kosten"}));
  BOOST_TEST(has_event(r, "feedback_request"));
  BOOST_TEST((which.awaiting == gem::Awaiting::document));
  r = d.choose(which, "product:paspoort");
  BOOST_TEST(r.product.value_or("") == "paspoort");
  BOOST_TEST(r.text == "Over paspoort: Je kunt het aanvragen.");
}

BOOST_AUTO_TEST_CASE(an_aspect_without_product_asks_for_the_product_then_answers) {
  const auto d = dialogue();
  gem::Conversation c;
  auto r = d.respond(c, understood({.aspect = "kosten"}));  // "wat kost dat?"
  BOOST_TEST(r.text == "Tekst ask_product je.");
  BOOST_TEST(!r.quick_replies.empty());
  r = d.respond(c, understood({.product = "paspoort"}));  // "paspoort"
  BOOST_TEST(r.text == "Het kost € 8,00.");
}

BOOST_AUTO_TEST_CASE(a_product_button_after_which_product_keeps_the_aspect) {
  const auto d = dialogue();
  gem::Conversation c;
  auto r = d.respond(c, understood({.aspect = "kosten"}));
  BOOST_TEST(!r.quick_replies.empty());
  r = d.choose(c, "product:paspoort");
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  BOOST_TEST(r.text == "Het kost € 8,00.");
}

BOOST_AUTO_TEST_CASE(a_follow_up_naming_another_product_keeps_the_aspect) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "kosten"}));
  auto r = d.respond(c, understood({.product = "identiteitskaart", .normalized = "en een id kaart"}));
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  r = d.respond(c, understood({.product = "afval", .normalized = "afval"}));  // not a follow-up: a new topic
  BOOST_TEST(!r.aspect);
}

BOOST_AUTO_TEST_CASE(an_unsure_product_with_a_clear_aspect_continues_the_topic) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "informatie"}));
  // "hoeveel kost dat?": a clear product question, the product head unsure between unrelated products
  const auto r = d.respond(c, understood({.product = "afval", .aspect = "kosten", .confidence = 0.3f,
                                          .intent_confidence = 0.9f, .product_confidence = 0.33f}));
  BOOST_TEST(r.product.value_or("") == "paspoort");
  BOOST_TEST(r.text == "Het kost € 8,00.");
  BOOST_TEST(c.failures == 0);
}

BOOST_AUTO_TEST_CASE(a_short_question_pointing_back_stays_on_the_topic) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "informatie"}));
  // "kost dat iets?" read as another product with some confidence: "dat" points back to the passport
  auto r = d.respond(c, understood({.product = "afval", .aspect = "kosten", .product_confidence = 0.7f, .normalized = "kost dat iets"}));
  BOOST_TEST(r.product.value_or("") == "paspoort");
  // "zo'n" refers back even when the words suggest another product with certainty
  r = d.respond(c, understood({.product = "identiteitskaart", .aspect = "kosten", .product_confidence = 1.0f,
                               .normalized = "wat kost zon kaart"}));
  BOOST_TEST(r.product.value_or("") == "paspoort");
  // a clearly named new product does switch
  r = d.respond(c, understood({.product = "afval", .aspect = "kosten", .product_confidence = 0.95f, .normalized = "wat kost de afvalbak"}));
  BOOST_TEST(r.product.value_or("") == "afval");
}

BOOST_AUTO_TEST_CASE(a_question_about_the_topic_wins_over_a_misread_yes) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "informatie"}));
  Reading yes{.intent = "bevestigen", .confidence = 0.64f, .intent_confidence = 0.64f, .normalized = "kost dat iets"};
  yes.alternatives = {{"product_vraag", std::nullopt, "kosten", 0.36f}};
  const auto r = d.respond(c, understood(yes));
  BOOST_TEST(r.product.value_or("") == "paspoort");
  BOOST_TEST(r.text == "Het kost € 8,00.");
  // when the reading is unsure anyway, a weaker question about the topic still wins
  Reading unsure{.intent = "ontkennen", .confidence = 0.36f, .intent_confidence = 0.36f, .normalized = "kost dat iets"};
  unsure.alternatives = {{"bevestigen", {}, {}, 0.3f}, {"product_vraag", std::nullopt, "kosten", 0.14f}};
  BOOST_TEST(d.respond(c, understood(unsure)).text == "Het kost € 8,00.");
}

BOOST_AUTO_TEST_CASE(a_follow_up_with_only_new_context_answers_whatever_the_intent_head_says) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "identiteitskaart", .aspect = "informatie", .entities = {entity("land", "DE")}}));
  // "and the UK?" misread as "no"
  const auto r = d.respond(c, understood({.intent = "ontkennen", .lang = "en", .entities = {entity("land", "GB")},
                                          .normalized = "and the uk"}));
  BOOST_TEST(r.text == "Tekst id_card_country_passport je. Sinds 2021.");
}

BOOST_AUTO_TEST_CASE(short_and_unsure_messages_keep_the_conversation_language) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "kosten", .normalized = "wat kost een paspoort"}));
  auto r = d.respond(c, understood({.lang = "en", .entities = {entity("postcode", "3012 CL"), entity("huisnummer", "40")},
                                    .normalized = "3012 cl 40"}));
  BOOST_TEST(r.lang == "nl");
  r = d.respond(c, understood({.intent = "buiten_bereik", .confidence = 0.2f, .lang = "en", .normalized = "asdf qwer zxcv"}));
  BOOST_TEST(r.lang == "nl");
  // confidently out of scope, but not one known word: gibberish, not English
  r = d.respond(c, understood({.intent = "buiten_bereik", .confidence = 0.9f, .lang = "en", .normalized = "blorp fnaag trexil",
                               .known_words = 0}));
  BOOST_TEST(r.lang == "nl");
}

BOOST_AUTO_TEST_CASE(a_product_without_aspect_gets_a_summary_and_aspect_buttons) {
  const auto d = dialogue();
  gem::Conversation c;
  auto r = d.respond(c, understood({.product = "paspoort"}));
  BOOST_TEST(r.text == "Samenvatting van paspoort voor je gemeente de gemeente Rotterdam.");
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"aspect:kosten"}));
  r = d.choose(c, "aspect:kosten");
  BOOST_TEST(r.text == "Het kost € 8,00.");
}

BOOST_AUTO_TEST_CASE(a_missing_aspect_says_so_and_offers_what_there_is) {
  const auto d = dialogue();
  gem::Conversation c;
  const auto r = d.respond(c, understood({.product = "paspoort", .aspect = "wanneer"}));
  BOOST_TEST(r.text.rfind("Tekst aspect_missing je.", 0) == 0);
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"aspect:kosten"}));
}

BOOST_AUTO_TEST_CASE(low_confidence_offers_alternatives_then_a_person) {
  const auto d = dialogue();
  gem::Conversation c;
  Reading unsure{.product = "paspoort", .aspect = "kosten", .confidence = 0.3f};
  unsure.alternatives = {{"product_vraag", "identiteitskaart", "kosten", 0.25f}, {"begroeting", {}, {}, 0.2f}};
  auto r = d.respond(c, understood(unsure));
  BOOST_TEST(r.text == "Bedoel je: paspoort: kosten of identiteitskaart: kosten?");
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"read:product_vraag:paspoort:kosten", "read:product_vraag:identiteitskaart:kosten"}));
  BOOST_TEST(!has_event(r, "handover_offer"));
  r = d.respond(c, understood({.intent = "buiten_bereik", .confidence = 0.1f}));
  BOOST_TEST(r.text == "Tekst not_understood_again je.");
  BOOST_TEST(r.not_understood);
  BOOST_TEST(has_event(r, "handover_offer", "not_understood"));
}

// More than two guesses make a long sentence of labels: the question names none, and the buttons carry them all.
BOOST_AUTO_TEST_CASE(more_than_two_guesses_are_named_by_their_buttons_only) {
  const auto d = dialogue();
  gem::Conversation c;
  Reading unsure{.product = "paspoort", .aspect = "kosten", .confidence = 0.3f};
  unsure.alternatives = {{"product_vraag", "identiteitskaart", "kosten", 0.25f}, {"product_vraag", "afval", "kosten", 0.2f}};
  auto r = d.respond(c, understood(unsure));
  BOOST_TEST(r.text == "Tekst did_you_mean_topics je.");
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"read:product_vraag:paspoort:kosten", "read:product_vraag:identiteitskaart:kosten",
                                                        "read:product_vraag:afval:kosten"}));
  BOOST_TEST((r.awaiting == gem::Awaiting::did_you_mean));
  r = d.choose(c, r.quick_replies[2].id);
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  // Read as out of scope, with three readings worth a guess.
  gem::Conversation c2;
  Reading out{.intent = "buiten_bereik", .confidence = 0.6f, .alternatives = unsure.alternatives};
  out.alternatives.push_back({"product_vraag", "paspoort", "kosten", 0.15f});
  r = d.respond(c2, understood(out));
  BOOST_TEST(r.not_understood);
  BOOST_TEST(r.text == "Tekst not_understood_guess_topics je.");
  BOOST_TEST(button_ids(r).size() == 3u);
}

BOOST_AUTO_TEST_CASE(yes_accepts_the_first_suggestion) {
  const auto d = dialogue();
  gem::Conversation c;
  Reading unsure{.product = "afval", .aspect = "kosten", .confidence = 0.3f};
  d.respond(c, understood(unsure));
  const auto r = d.respond(c, understood({.intent = "bevestigen", .normalized = "ja"}));
  BOOST_TEST(r.product.value_or("") == "afval");
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  BOOST_TEST(c.failures == 0);
}

// "Bedoel je: a of b?" or "one of these topics?" answered "ja" chooses none of them: Gem asks which, with the same
// buttons, and a button still answers. So does "ja" to "passport or ID card?", keeping the aspect asked about.
BOOST_AUTO_TEST_CASE(yes_to_several_options_asks_which_one) {
  const auto d = dialogue();
  gem::Conversation c;
  Reading unsure{.product = "paspoort", .aspect = "kosten", .confidence = 0.3f};
  unsure.alternatives = {{"product_vraag", "identiteitskaart", "kosten", 0.25f}, {"medewerker", std::nullopt, std::nullopt, 0.2f}};
  const auto asked = d.respond(c, understood(unsure));
  auto r = d.respond(c, understood({.intent = "bevestigen", .normalized = "ja"}));
  BOOST_TEST(r.text == "Tekst which_one je.");
  BOOST_TEST((button_ids(r) == button_ids(asked)));
  BOOST_TEST(r.quick_replies[2].label == "Tekst talk_to_staff je.");
  for (std::size_t i = 0; i < 3; ++i) BOOST_TEST(r.quick_replies[i].label == asked.quick_replies[i].label);
  BOOST_TEST((r.awaiting == gem::Awaiting::did_you_mean));
  BOOST_TEST(!r.product);
  r = d.choose(c, r.quick_replies[1].id);
  BOOST_TEST(r.product.value_or("") == "identiteitskaart");
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");

  gem::Conversation c2;
  d.respond(c2, understood({.product = "reisdocument", .aspect = "kosten"}));
  r = d.respond(c2, understood({.intent = "bevestigen", .normalized = "ja"}));
  BOOST_TEST(r.text == "Tekst which_one je.");
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"product:paspoort", "product:identiteitskaart"}));
  r = d.choose(c2, "product:paspoort");
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  BOOST_TEST(r.text == "Het kost € 8,00.");
}

// Recovering in one step: when unsure, the likeliest readings are buttons, never a bare "not understood".
BOOST_AUTO_TEST_CASE(unsure_offers_the_likeliest_products_as_buttons) {
  const auto d = dialogue();
  gem::Conversation c;
  // No whole reading worth a guess (below too_unsure_to_guess), but the product head has a ranking.
  Reading unsure{.product = "paspoort", .aspect = "kosten", .confidence = 0.1f};
  unsure.products = {{"afval", 0.4f}, {"paspoort", 0.2f}, {"identiteitskaart", 0.0005f}};
  auto r = d.respond(c, understood(unsure));
  BOOST_TEST(r.text == "Bedoel je: afval: kosten of paspoort: kosten?");
  BOOST_TEST(!r.not_understood);  // a question back, not "I did not understand"
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"read:product_vraag:afval:kosten", "read:product_vraag:paspoort:kosten"}));
  BOOST_TEST((r.quick_replies[0].kind == gem::ReplyKind::dialogue));
  r = d.choose(c, r.quick_replies[0].id);
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  // A clear "out of scope" and gibberish still say they did not understand, with the popular topics: the product
  // head ranks products even for a cake recipe, and "Hulp bij schulden" is no answer to that.
  gem::Conversation c2;
  r = d.respond(c2, understood({.intent = "buiten_bereik", .confidence = 0.95f, .products = unsure.products}));
  BOOST_TEST(r.text == "Tekst not_understood je.");
  BOOST_TEST(r.not_understood);
  BOOST_TEST(button_ids(r).front() == "product:paspoort");
  // Read as out of scope with a reading worth a guess: it says it did not understand, and offers the guess.
  gem::Conversation c4;
  r = d.respond(c4, understood({.intent = "buiten_bereik", .confidence = 0.6f, .alternatives = {{"product_vraag", "afval", "kosten", 0.3f}}}));
  BOOST_TEST(r.text == "Tekst not_understood_guess je.");
  BOOST_TEST(r.not_understood);
  BOOST_TEST(gem::name(r.awaiting) == "did_you_mean");
  BOOST_TEST(button_ids(r).front() == "read:product_vraag:afval:kosten");
  r = d.choose(c4, r.quick_replies[0].id);
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  gem::Conversation c3;
  r = d.respond(c3, understood({.confidence = 0.1f, .known_words = 0, .products = unsure.products}));
  BOOST_TEST(r.text == "Tekst not_understood je.");
  BOOST_TEST(r.not_understood);
  BOOST_TEST(gem::to_json(r).find(R"("not_understood":true)") != std::string::npos);
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"product:paspoort", "product:identiteitskaart", "product:verhuizing",
                                                        "product:afval", "product:parkeervergunning"}));
}

// A "did you mean" with room left offers the first guess's product with the next likely aspects that its content
// answers.
BOOST_AUTO_TEST_CASE(did_you_mean_fills_its_room_with_the_first_products_next_aspects) {
  const auto d = dialogue();
  gem::Conversation c;
  Reading unsure{.product = "afval", .aspect = "kosten", .confidence = 0.35f};
  unsure.aspects = {{"kosten", 0.6f}, {"geldigheid", 0.3f}, {"wanneer", 0.05f}, {"informatie", 0.0005f}};
  auto r = d.respond(c, understood(unsure));
  BOOST_TEST((r.awaiting == gem::Awaiting::did_you_mean));
  // The test's afval has no "geldigheid" section, and "informatie" is below worth_offering (0.001): no buttons.
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"read:product_vraag:afval:kosten", "read:product_vraag:afval:wanneer"}));
  // Never more than max_guesses.
  const auto one = dialogue("GM0599", {.max_guesses = 1});
  gem::Conversation c1;
  BOOST_TEST((button_ids(one.respond(c1, understood(unsure))) == std::vector<std::string>{"read:product_vraag:afval:kosten"}));
}

// Calibration (scripts/gem calibrate-dialogue) sets the numeric options by name; anything else is a clear error.
BOOST_AUTO_TEST_CASE(dialogue_options_come_from_json_by_name) {
  const auto o = gem::DialogueOptions::from_json(R"({"unsure_below": 0.35, "max_guesses": 4, "misses_before_handover": 3})");
  BOOST_TEST(o.unsure_below == 0.35f);
  BOOST_TEST(o.max_guesses == 4u);
  BOOST_TEST(o.misses_before_handover == 3);
  BOOST_TEST(o.aspect_sure == gem::DialogueOptions{}.aspect_sure);  // the rest keep their defaults
  const auto error_of = [](const char* json) {
    try {
      gem::DialogueOptions::from_json(json);
    } catch (const gem::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  BOOST_TEST(error_of(R"({"unsure_belw": 0.4})") == "dialogue options: 'unsure_belw': not a numeric option of DialogueOptions");
  BOOST_TEST(error_of(R"({"unsure_below": 1.5})") == "dialogue options: 'unsure_below': expected a number from 0 to 1");
  BOOST_TEST(error_of(R"({"max_guesses": 2.5})") == "dialogue options: 'max_guesses': expected a whole number of at least 0");
  BOOST_TEST(error_of(R"({"follow_up_words": ["en"]})") == "dialogue options: 'follow_up_words': not a numeric option of DialogueOptions");
  BOOST_TEST(error_of("[0.4]") == "dialogue options: expected a JSON object of numbers");
  BOOST_TEST(error_of("{").rfind("dialogue options: [json.exception.parse_error", 0) == 0);
  // to_json writes every numeric option, and reads back the same.
  const auto again = gem::DialogueOptions::from_json(o.to_json());
  BOOST_TEST(again.to_json() == o.to_json());
  BOOST_TEST(again.unsure_below == 0.35f);
  BOOST_TEST(o.to_json().find(R"("unsure_below":0.35)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unsure_aspect_offers_the_next_likely_aspects_beside_the_answer) {
  const auto d = dialogue();
  gem::Conversation c;
  Reading reading{.product = "paspoort", .aspect = "kosten"};
  reading.aspects = {{"kosten", 0.5f}, {"wanneer", 0.3f}, {"informatie", 0.15f}, {"voorwaarden", 0.01f}};
  auto r = d.respond(c, understood(reading));
  BOOST_TEST(r.text == "Het kost € 8,00.");
  // "wanneer" has no section for the passport here, "voorwaarden" is too unlikely.
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"aspect:informatie"}));
  BOOST_TEST(r.quick_replies_label == "Tekst ask_aspect je.");
  r = d.choose(c, "aspect:informatie");
  BOOST_TEST(r.text == "Over paspoort: Je kunt het aanvragen.");
  // A sure aspect gets the answer, and "more about" the product: the likely aspects, then the common ones.
  reading.aspects = {{"kosten", 0.9f}, {"informatie", 0.08f}};
  r = d.respond(c, understood(reading));
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"aspect:informatie"}));
  BOOST_TEST(r.quick_replies_label == "Tekst more_about je.");
  // The thresholds are options.
  const auto trusting = dialogue("GM0599", {.aspect_sure = 0.4f, .related_aspects = 0});
  gem::Conversation c2;
  reading.aspects = {{"kosten", 0.5f}, {"informatie", 0.45f}};
  BOOST_TEST(trusting.respond(c2, understood(reading)).quick_replies.empty());
}

BOOST_AUTO_TEST_CASE(an_unsure_aspect_with_few_likely_alternatives_also_offers_the_common_ones) {
  // The passport with a third section ("wanneer") that is also one of its common aspects.
  auto source = gem::test::valid_source();
  source["products"][0]["sections"]["wanneer"] = gem::test::text("content/products/paspoort.yml", 17, "Op maandag.", "On Monday.");
  source["products"][0]["sections"]["_lines"]["wanneer"] = 17;
  source["products"][0]["common_aspects"] = json::array({"kosten", "wanneer"});
  const gem::Dialogue d(gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", "Rotterdam"), kMunicipalities);
  gem::Conversation c;
  Reading reading{.product = "paspoort", .aspect = "informatie"};
  reading.aspects = {{"informatie", 0.5f}, {"kosten", 0.3f}, {"voorwaarden", 0.15f}};
  const auto r = d.respond(c, understood(reading));
  BOOST_TEST(r.text == "Over paspoort: Je kunt het aanvragen.");
  // "kosten" is likely; "voorwaarden" has no section; "wanneer" is common. Each once, the likely one first.
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"aspect:kosten", "aspect:wanneer"}));
  BOOST_TEST(r.quick_replies_label == "Tekst ask_aspect je.");
}

BOOST_AUTO_TEST_CASE(every_product_answer_leads_on_to_the_rest_of_the_topic_in_one_press) {
  // The passport here has the sections "informatie" and "kosten"; its common aspect is "kosten".
  const auto d = dialogue();
  gem::Conversation c;
  Reading reading{.product = "paspoort", .aspect = "informatie"};
  reading.aspects = {{"informatie", 0.95f}};
  auto r = d.respond(c, understood(reading));
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"aspect:kosten"}));
  BOOST_TEST(r.quick_replies_label == "Tekst more_about je.");
  // Beside the fee, the product's overview, which the model did not rank.
  reading.aspect = "kosten";
  reading.aspects = {{"kosten", 0.95f}};
  r = d.respond(c, understood(reading));
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"aspect:informatie"}));
  // Without the overview nothing is left to offer: no buttons and no group name.
  const auto no_overview = dialogue("GM0599", {.overview_aspect = ""});
  gem::Conversation c1;
  r = no_overview.respond(c1, understood(reading));
  BOOST_TEST(r.quick_replies.empty());
  BOOST_TEST(r.quick_replies_label.empty());
  // An aspect kept from the conversation is not the model's reading of this message: its ranking is not used.
  Reading same_topic{.product = "paspoort"};
  same_topic.aspects = {{"informatie", 0.3f}};
  r = no_overview.respond(c1, understood(same_topic));
  BOOST_TEST(c1.aspect.value_or("") == "kosten");
  BOOST_TEST(r.quick_replies.empty());
  // A pressed button leads on the same way, with the common aspects.
  r = d.choose(c, "aspect:informatie");
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"aspect:kosten"}));
  BOOST_TEST(r.quick_replies_label == "Tekst more_about je.");
  // The summary of a product puts the model's likely aspects before the common ones.
  gem::Conversation c2;
  Reading bare{.product = "paspoort"};
  bare.aspects = {{"informatie", 0.2f}, {"voorwaarden", 0.2f}};
  r = d.respond(c2, understood(bare));
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"aspect:informatie", "aspect:kosten"}));
  BOOST_TEST(r.quick_replies_label == "Tekst ask_aspect je.");
}

BOOST_AUTO_TEST_CASE(the_overview_is_chosen_before_the_common_aspects_and_shown_after_them) {
  // The passport with the sections "informatie", "kosten", "wanneer" and "aanvragen"; its common aspect is "wanneer".
  auto source = gem::test::valid_source();
  source["products"][0]["sections"]["wanneer"] = gem::test::text("content/products/paspoort.yml", 17, "Op maandag.", "On Monday.");
  source["products"][0]["sections"]["_lines"]["wanneer"] = 17;
  source["products"][0]["sections"]["aanvragen"] = gem::test::text("content/products/paspoort.yml", 18, "Online.", "Online.");
  source["products"][0]["sections"]["_lines"]["aanvragen"] = 18;
  source["products"][0]["common_aspects"] = json::array({"wanneer"});
  const auto pack = gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", "Rotterdam");
  const gem::Dialogue d(pack, kMunicipalities);
  Reading reading{.product = "paspoort", .aspect = "kosten"};
  reading.aspects = {{"kosten", 0.9f}, {"aanvragen", 0.05f}};
  gem::Conversation c;
  auto r = d.respond(c, understood(reading));
  BOOST_TEST(r.text == "Het kost € 8,00.");
  // The likely aspect, the common one, then the overview: the catch-all, last.
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"aspect:aanvragen", "aspect:wanneer", "aspect:informatie"}));
  // With room for two, the overview stays and the common aspect goes.
  const gem::Dialogue two(pack, kMunicipalities, "", {.related_aspects = 2});
  gem::Conversation c1;
  BOOST_TEST((button_ids(two.respond(c1, understood(reading))) == std::vector<std::string>{"aspect:aanvragen", "aspect:informatie"}));
  // Never beside the overview itself, nor beside the summary (which says what the product is).
  Reading overview{.product = "paspoort", .aspect = "informatie"};
  overview.aspects = {{"informatie", 0.95f}};
  gem::Conversation c2;
  BOOST_TEST((button_ids(d.respond(c2, understood(overview))) == std::vector<std::string>{"aspect:wanneer"}));
  Reading bare{.product = "paspoort"};
  gem::Conversation c3;
  BOOST_TEST((button_ids(d.respond(c3, understood(bare))) == std::vector<std::string>{"aspect:wanneer"}));
  // An option ("" for none).
  const gem::Dialogue none(pack, kMunicipalities, "", {.overview_aspect = ""});
  gem::Conversation c4;
  BOOST_TEST((button_ids(none.respond(c4, understood(reading))) == std::vector<std::string>{"aspect:aanvragen", "aspect:wanneer"}));
}

BOOST_AUTO_TEST_CASE(a_likely_second_product_takes_the_last_button_beside_the_answer) {
  const auto d = dialogue("GM0599", {.related_aspects = 1});
  gem::Conversation c;
  Reading reading{.product = "identiteitskaart", .aspect = "kosten"};
  reading.aspects = {{"kosten", 0.95f}};
  reading.products = {{"identiteitskaart", 0.6f}, {"paspoort", 0.3f}};
  auto r = d.respond(c, understood(reading));
  // The one "more about" button yields to the other product, with the aspect asked about.
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"read:product_vraag:paspoort:kosten"}));
  BOOST_TEST(r.quick_replies.back().label == "paspoort: kosten");
  BOOST_TEST(r.quick_replies_label == "Tekst more_about_or_other je.");
  // One press answers about the other product.
  r = d.choose(c, "read:product_vraag:paspoort:kosten");
  BOOST_TEST(r.product.value_or("") == "paspoort");
  BOOST_TEST(r.text == "Het kost € 8,00.");
  // Beside a passport or ID card answer, "reisdocument" (which only asks "passport or ID card?") is passed over.
  gem::Conversation c1;
  reading.products = {{"identiteitskaart", 0.5f}, {"reisdocument", 0.3f}, {"paspoort", 0.15f}};
  r = d.respond(c1, understood(reading));
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"read:product_vraag:paspoort:kosten"}));
  reading.products = {{"identiteitskaart", 0.6f}, {"reisdocument", 0.35f}, {"paspoort", 0.02f}};
  r = d.respond(c1, understood(reading));
  BOOST_TEST(r.quick_replies_label != "Tekst more_about_or_other je.");
  // Less likely than `other_product`: the aspects only.
  gem::Conversation c2;
  reading.products = {{"identiteitskaart", 0.9f}, {"paspoort", 0.05f}};
  r = d.respond(c2, understood(reading));
  BOOST_TEST(r.quick_replies_label != "Tekst more_about_or_other je.");
  for (const auto& id : button_ids(r)) BOOST_TEST(id.rfind("read:", 0) != 0);
  // Beside a product summary, under "what would you like to know?".
  gem::Conversation c3;
  Reading bare{.product = "identiteitskaart"};
  bare.products = {{"identiteitskaart", 0.5f}, {"paspoort", 0.4f}};
  r = d.respond(c3, understood(bare));
  BOOST_TEST(button_ids(r).back() == "read:product_vraag:paspoort:");
  BOOST_TEST(r.quick_replies_label == "Tekst ask_aspect_or_other je.");
  // Not beside an answer about the product the conversation was already on (the model read no product here).
  Reading follow_up{.aspect = "kosten"};
  follow_up.products = {{"paspoort", 0.3f}};
  r = d.respond(c3, understood(follow_up));
  for (const auto& id : button_ids(r)) BOOST_TEST(id.rfind("read:", 0) != 0);
}

BOOST_AUTO_TEST_CASE(a_product_named_by_one_of_its_terms_is_offered_however_unlikely_the_model_found_it) {
  auto source = gem::test::valid_source();
  source["products"][3]["terms"] = json::array({"oude kast", "vaatwasser"});  // afval
  const gem::Dialogue d(gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", "Rotterdam"), kMunicipalities,
                        "GM0599", {.related_aspects = 1});
  gem::Conversation c;
  Reading reading{.product = "paspoort", .aspect = "kosten", .normalized = "wat kost het weghalen van een vaatwasser"};
  reading.aspects = {{"kosten", 0.95f}};
  reading.products = {{"paspoort", 0.6f}, {"identiteitskaart", 0.3f}};
  auto r = d.respond(c, understood(reading));
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"read:product_vraag:afval:kosten"}));
  // A term of several words, as words ("een oude kast" has it; "oude kasten" does not).
  gem::Conversation c2;
  reading.normalized = "wat kost een oude kast";
  BOOST_TEST(button_ids(d.respond(c2, understood(reading))).back() == "read:product_vraag:afval:kosten");
  gem::Conversation c3;
  reading.normalized = "wat kosten oude kasten";
  BOOST_TEST(button_ids(d.respond(c3, understood(reading))).back() == "read:product_vraag:identiteitskaart:kosten");
  // On a topic already: a term of another product is no question about the topic, and is offered beside the answer.
  gem::Conversation c5;
  d.respond(c5, understood({.product = "paspoort", .aspect = "kosten"}));
  Reading weak{.product = "identiteitskaart", .aspect = "kosten", .product_confidence = 0.4f,
               .normalized = "wat kost het weghalen van een vaatwasser"};
  r = d.respond(c5, understood(weak));
  BOOST_TEST(r.product.value_or("") == "afval");  // the term's product, not the topic so far nor the model's weak reading
  BOOST_TEST(button_ids(r).back() == "read:product_vraag:identiteitskaart:kosten");  // the model's, one press away
  Reading fairly_sure = weak;
  fairly_sure.product_confidence = 0.8f;
  gem::Conversation c7;
  d.respond(c7, understood({.product = "paspoort", .aspect = "kosten"}));
  r = d.respond(c7, understood(fairly_sure));
  BOOST_TEST(r.product.value_or("") == "identiteitskaart");  // the model's reading when it is fairly sure
  BOOST_TEST(button_ids(r).back() == "read:product_vraag:afval:kosten");
  Reading no_product{.aspect = "kosten", .normalized = "wat kost het weghalen van een vaatwasser"};
  r = d.respond(c5, understood(no_product));
  BOOST_TEST(r.product.value_or("") == "afval");  // no product read: the term's, not the topic so far
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  // Without a term, a weakly read product still continues the topic.
  weak.normalized = "wat kost het weghalen daarvan";
  gem::Conversation c6;
  d.respond(c6, understood({.product = "paspoort", .aspect = "kosten"}));
  BOOST_TEST(d.respond(c6, understood(weak)).product.value_or("") == "paspoort");
  // Unsure what was meant, the model guessing another product: the named product is answered.
  gem::Conversation c4;
  r = d.respond(c4, understood({.product = "paspoort", .aspect = "kosten", .confidence = 0.1f, .normalized = "vaatwasser",
                                .known_words = 1, .products = {{"paspoort", 0.2f}}}));
  BOOST_TEST(r.product.value_or("") == "afval");
  BOOST_TEST(!r.not_understood);
}

// A term decides over a model that is not sure of its own product (`named_product_wins`): "is a permit required for a
// carport" read as a parking permit at 0.58. The model's product is then one press away, with its aspect.
BOOST_AUTO_TEST_CASE(a_term_wins_over_a_model_unsure_of_its_product) {
  auto source = gem::test::valid_source();
  source["products"][3]["terms"] = json::array({"carport"});  // afval
  source["products"][0]["terms"] = json::array({"paspoort"});
  const auto pack = gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", "Rotterdam");
  const gem::Dialogue d(pack, kMunicipalities, "GM0599");
  const auto ask = [&](const gem::Dialogue& dialogue, float product_sure, const std::string& normalized) {
    gem::Conversation c;
    return dialogue.respond(c, understood({.product = "paspoort", .aspect = "kosten", .product_confidence = product_sure,
                                           .normalized = normalized,
                                           .products = {{"paspoort", product_sure}, {"afval", 0.1f}}}));
  };
  auto r = ask(d, 0.58f, "wat kost een carport");
  BOOST_TEST(r.product.value_or("") == "afval");
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  BOOST_TEST(button_ids(r).back() == "read:product_vraag:paspoort:kosten");
  // Fairly sure of its own: the model's product, the term's one press away.
  r = ask(d, 0.75f, "wat kost een carport");
  BOOST_TEST(r.product.value_or("") == "paspoort");
  BOOST_TEST(button_ids(r).back() == "read:product_vraag:afval:kosten");
  // The message names the model's product too: two products named, the model decides.
  BOOST_TEST(ask(d, 0.58f, "wat kost een paspoort voor een carport").product.value_or("") == "paspoort");
  // The threshold is a setting: at 0 a term wins only over an unsure reading.
  const gem::Dialogue never(pack, kMunicipalities, "GM0599", {.named_product_wins = 0.0f});
  BOOST_TEST(ask(never, 0.58f, "wat kost een carport").product.value_or("") == "paspoort");
}

// "paspoort of id-kaart": a question that names both travel documents is about either (reisdocument), keeping the
// aspect, whichever of the two the model read; not when it only follows up on the topic ("en een paspoort en id-kaart?").
BOOST_AUTO_TEST_CASE(naming_both_travel_documents_is_about_either) {
  auto source = gem::test::valid_source();
  source["products"][0]["terms"] = json::array({"paspoort"});
  source["products"][1]["terms"] = json::array({"id kaart"});
  const gem::Dialogue d(gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", "Rotterdam"), kMunicipalities,
                        "GM0599");
  gem::Conversation c;
  auto r = d.respond(c, understood({.product = "identiteitskaart", .aspect = "kosten", .normalized = "wat kosten paspoort en id kaart"}));
  BOOST_TEST(r.product.value_or("") == "reisdocument");
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"product:paspoort", "product:identiteitskaart", "aspect:informatie"}));
  r = d.choose(c, "product:paspoort");
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  BOOST_TEST(r.text == "Het kost € 8,00.");
  // One of them named: the model's reading.
  gem::Conversation c2;
  r = d.respond(c2, understood({.product = "identiteitskaart", .aspect = "kosten", .normalized = "wat kost een id kaart"}));
  BOOST_TEST(r.product.value_or("") == "identiteitskaart");
  // Both named, but the model read another product: its reading.
  gem::Conversation c3;
  r = d.respond(c3, understood({.product = "afval", .aspect = "kosten", .normalized = "paspoort en id kaart bij het afval"}));
  BOOST_TEST(r.product.value_or("") == "afval");
}

BOOST_AUTO_TEST_CASE(a_question_without_a_product_is_about_the_product_its_terms_name) {
  auto source = gem::test::valid_source();
  source["products"][3]["terms"] = json::array({"vaatwasser"});  // afval
  const gem::Dialogue d(gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", "Rotterdam"), kMunicipalities,
                        "GM0599", {.related_aspects = 1});
  // "wat kost een pasje": the model knows the question, not the word; the word is the editors' term.
  Reading no_product{.aspect = "kosten", .normalized = "wat kost het weghalen van een vaatwasser"};
  no_product.products = {{"paspoort", 0.3f}};
  gem::Conversation c;
  auto r = d.respond(c, understood(no_product));
  BOOST_TEST(r.product.value_or("") == "afval");
  BOOST_TEST(r.aspect.value_or("") == "kosten");
  BOOST_TEST(button_ids(r).back() == "read:product_vraag:paspoort:kosten");  // the model's own likeliest product
  // After another product, too ("wat kost een paspoort?", then "wat kost een pasje").
  d.respond(c, understood({.product = "paspoort", .aspect = "kosten"}));
  r = d.respond(c, understood(no_product));
  BOOST_TEST(r.product.value_or("") == "afval");
  // Unless it refers back ("zo'n vaatwasser", normalised "zon"): the topic stays.
  gem::Conversation c4;
  d.respond(c4, understood({.product = "paspoort", .aspect = "kosten"}));
  Reading back = no_product;
  back.aspect.reset();  // no aspect either, so it does not continue the topic as a question about it
  back.normalized = "en zon vaatwasser";
  BOOST_TEST(d.respond(c4, understood(back)).product.value_or("") == "paspoort");
  // Without a term, the question still asks which product.
  gem::Conversation c2;
  no_product.normalized = "wat kost het weghalen";
  r = d.respond(c2, understood(no_product));
  BOOST_TEST(!r.product);
  // A product the model did read is answered, the term only offered.
  gem::Conversation c3;
  Reading read{.product = "paspoort", .aspect = "kosten", .normalized = "wat kost het weghalen van een vaatwasser"};
  r = d.respond(c3, understood(read));
  BOOST_TEST(r.product.value_or("") == "paspoort");
  BOOST_TEST(button_ids(r).back() == "read:product_vraag:afval:kosten");
}

BOOST_AUTO_TEST_CASE(a_message_naming_two_products_asks_which_one_first) {
  const auto d = dialogue();
  gem::Conversation c;
  Reading both{.product = "paspoort", .aspect = "kosten", .confidence = 0.45f, .product_confidence = 0.5f};
  both.products = {{"paspoort", 0.5f}, {"afval", 0.5f}};
  auto r = d.respond(c, understood(both));
  BOOST_TEST(r.text == "Bedoel je: paspoort of afval?");
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"read:product_vraag:paspoort:kosten", "read:product_vraag:afval:kosten"}));
  BOOST_TEST(gem::name(r.awaiting) == "did_you_mean");
  r = d.choose(c, "read:product_vraag:afval:kosten");
  BOOST_TEST(r.product.value_or("") == "afval");
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  // One of them is the topic already: no question, the conversation goes on.
  r = d.respond(c, understood(both));
  BOOST_TEST(gem::name(r.awaiting) != "did_you_mean");
  // One clear product is no question either.
  gem::Conversation c2;
  both.products = {{"paspoort", 0.9f}, {"afval", 0.05f}};
  BOOST_TEST(d.respond(c2, understood({.product = "paspoort", .aspect = "kosten", .products = both.products})).text == "Het kost € 8,00.");
  // Unless the message names both outright, and the model finds the second likely too.
  gem::Conversation c3;
  both.products = {{"paspoort", 0.85f}, {"afval", 0.1f}};
  r = d.respond(c3, understood({.product = "paspoort", .aspect = "kosten", .normalized = "wat kost afval en een paspoort", .products = both.products}));
  BOOST_TEST(r.text == "Bedoel je: afval of paspoort?");  // in the resident's order
  gem::Conversation c4;
  both.products = {{"paspoort", 0.97f}, {"afval", 0.0005f}};
  r = d.respond(c4, understood({.product = "paspoort", .aspect = "kosten", .normalized = "wat kost een paspoort en afval", .products = both.products}));
  BOOST_TEST(r.text == "Het kost € 8,00.");
}

// "what do I do first?" after "ID card or driving licence?" names no product: the same choice again, about the
// aspect asked before unless the model is sure of a new one; not the popular topics, nor the topic before.
BOOST_AUTO_TEST_CASE(a_question_without_a_product_asks_the_pending_choice_again) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "identiteitskaart", .aspect = "informatie"}));  // a topic before the choice
  Reading both{.product = "paspoort", .aspect = "informatie", .product_confidence = 0.85f, .normalized = "info over afval en een paspoort"};
  both.products = {{"paspoort", 0.85f}, {"afval", 0.1f}};
  auto r = d.respond(c, understood(both));
  BOOST_TEST(gem::name(r.awaiting) == "did_you_mean");
  // an unsure aspect: the one asked before stays
  r = d.respond(c, understood({.aspect = "kosten", .normalized = "what do i do first", .aspects = {{"kosten", 0.5f}}}));
  BOOST_TEST(r.text == "Bedoel je: afval of paspoort?");
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"read:product_vraag:afval:informatie", "read:product_vraag:paspoort:informatie"}));
  BOOST_TEST(r.product.value_or("") == "identiteitskaart");  // the topic before is kept, not answered
  // a sure one: the choice is about it now
  r = d.respond(c, understood({.aspect = "kosten", .normalized = "wat kost dat", .aspects = {{"kosten", 0.99f}}}));
  BOOST_TEST((button_ids(r) == std::vector<std::string>{"read:product_vraag:afval:kosten", "read:product_vraag:paspoort:kosten"}));
  r = d.choose(c, "read:product_vraag:afval:kosten");
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  // Not after the guesses of "did you mean …?" about one product ("Afval: Kosten", "Afval: Wanneer"): a question
  // there goes on as before.
  gem::Conversation c3;
  c3.awaiting = gem::Awaiting::did_you_mean;
  c3.offered = {"read:product_vraag:afval:kosten", "read:product_vraag:afval:wanneer"};
  r = d.respond(c3, understood({.aspect = "kosten", .normalized = "wat kost dat", .aspects = {{"kosten", 0.99f}}}));
  BOOST_TEST(gem::name(r.awaiting) != "did_you_mean");
  // A message that names one of them answers it.
  gem::Conversation c2;
  d.respond(c2, understood(both));
  r = d.respond(c2, understood({.product = "afval", .aspect = "kosten", .normalized = "afval"}));
  BOOST_TEST(r.product.value_or("") == "afval");
  BOOST_TEST(gem::name(r.awaiting) != "did_you_mean");
}

BOOST_AUTO_TEST_CASE(asking_for_a_person_emits_a_handover_offer) {
  const auto d = dialogue();
  gem::Conversation c;
  const auto r = d.respond(c, understood({.intent = "medewerker"}));
  BOOST_TEST(has_event(r, "handover_offer", "asked"));
  BOOST_TEST(r.text == "Tekst medewerker je.");
}

BOOST_AUTO_TEST_CASE(general_intents_get_their_own_answer) {
  const auto d = dialogue();
  gem::Conversation c;
  BOOST_TEST(d.respond(c, understood({.intent = "begroeting"})).text == "Tekst begroeting je.");
  BOOST_TEST(d.respond(c, understood({.intent = "klacht"})).text == "Bel 14 010.");
  const auto bye = d.respond(c, understood({.intent = "afscheid"}));
  BOOST_TEST(has_event(bye, "feedback_request", "nps"));
  BOOST_TEST(d.respond(c, understood({.intent = "bot_vraag", .lang = "en", .normalized = "are you a robot"})).text == "Text bot_vraag.");
}

BOOST_AUTO_TEST_CASE(live_data_asks_for_the_address_first) {
  const auto d = dialogue();
  gem::Conversation c;
  auto r = d.respond(c, understood({.product = "afval", .aspect = "wanneer"}));
  // Rotterdam replaced this section; the national one asks for live data, Rotterdam's does not.
  BOOST_TEST(r.text == "In Rotterdam kijk je in de app.");
  const auto tilburg = dialogue("GM0855");
  gem::Conversation t;
  r = tilburg.respond(t, understood({.product = "afval", .aspect = "wanneer"}));
  BOOST_TEST(r.text == "Op maandag.\n\nTekst ask_address u.");
  BOOST_TEST(!has_event(r, "live_request"));
  r = tilburg.respond(t, understood({.entities = {entity("postcode", "5038 AB"), entity("huisnummer", "12")}}));
  BOOST_REQUIRE(has_event(r, "live_request", "waste_collection"));
  const auto& e = *std::find_if(r.events.begin(), r.events.end(), [](const gem::Event& x) { return x.type == "live_request"; });
  BOOST_TEST((e.params == std::vector<std::pair<std::string, std::string>>{
      {"municipality", "GM0855"}, {"product", "afval"}, {"postcode", "5038 AB"}, {"house_number", "12"}}));
}

BOOST_AUTO_TEST_CASE(status_given_all_at_once_is_looked_up_at_once_with_the_reference_as_typed) {
  const auto d = status_dialogue();
  gem::Conversation c;
  auto r = d.respond(c, understood({.product = "paspoort", .aspect = "wanneer"}));
  BOOST_TEST(r.text == "Het duurt even.\n\nTekst ask_reference je.");
  BOOST_TEST(!has_event(r, "live_request"));
  BOOST_TEST(gem::name(r.awaiting) == "reference");
  // A BSN typed before it is never taken for the reference.
  r = d.respond(c, understood({.intent = "buiten_bereik", .confidence = 0.2f, .entities = {entity("postcode", "3011 AB"), entity("huisnummer", "5")},
                               .normalized = "bsn 111222333 nummer z 2026 0042 3011 ab 5",
                               .text = "BSN 111222333, nummer Z-2026-0042, 3011 AB 5"}));
  BOOST_REQUIRE(has_event(r, "live_request", "application_status"));
  const auto& e = *std::find_if(r.events.begin(), r.events.end(), [](const gem::Event& x) { return x.type == "live_request"; });
  BOOST_TEST((e.params == std::vector<std::pair<std::string, std::string>>{
      {"municipality", "GM0599"}, {"product", "paspoort"}, {"reference", "Z-2026-0042"}, {"postcode", "3011 AB"}, {"house_number", "5"}}));
  BOOST_TEST(gem::name(r.awaiting) == "none");
  BOOST_TEST(!c.reference);
}

// A look-up's question for details after an unsure aspect still leads on: "melding intrekken" read as its status
// is one press from what was meant. After a sure aspect the question stands alone.
BOOST_AUTO_TEST_CASE(a_question_for_details_after_an_unsure_aspect_offers_the_likely_aspects) {
  const auto d = status_dialogue();
  gem::Conversation c;
  Reading unsure{.product = "paspoort", .aspect = "wanneer"};
  unsure.aspects = {{"wanneer", 0.55f}, {"kosten", 0.4f}};
  auto r = d.respond(c, understood(unsure));
  BOOST_TEST(r.text == "Het duurt even.\n\nTekst ask_reference je.");
  BOOST_TEST(gem::name(r.awaiting) == "reference");
  BOOST_REQUIRE(!r.quick_replies.empty());
  BOOST_TEST(r.quick_replies.front().id == "aspect:kosten");
  BOOST_TEST(r.quick_replies_label == "Tekst ask_aspect je.");
  r = d.choose(c, "aspect:kosten");
  BOOST_TEST(r.text == "Het kost € 8,00.");
  BOOST_TEST(gem::name(r.awaiting) == "none");
  Reading sure{.product = "paspoort", .aspect = "wanneer"};
  sure.aspects = {{"wanneer", 0.95f}, {"kosten", 0.04f}};
  gem::Conversation c2;
  r = d.respond(c2, understood(sure));
  BOOST_TEST(gem::name(r.awaiting) == "reference");
  BOOST_TEST(r.quick_replies.empty());
}

namespace {

const gem::Event& live_event(const gem::Response& r) {
  return *std::find_if(r.events.begin(), r.events.end(), [](const gem::Event& x) { return x.type == "live_request"; });
}

const std::vector<std::pair<std::string, std::string>> kStatusParams = {
    {"municipality", "GM0599"}, {"product", "paspoort"}, {"reference", "Z-2026-0042"}, {"postcode", "3011 AB"}, {"house_number", "12"}};

// A reply to the assistant's question: the classifier makes little of it.
gem::Understanding reply(std::string text, std::string normalized, std::vector<gem::Entity> entities = {}) {
  return understood({.intent = "buiten_bereik", .confidence = 0.2f, .entities = std::move(entities), .normalized = std::move(normalized),
                     .text = std::move(text)});
}

}  // namespace

BOOST_AUTO_TEST_CASE(status_asks_for_the_address_after_the_reference_and_says_why) {
  const auto d = status_dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "wanneer"}));
  auto r = d.respond(c, reply("Z-2026-0042", "z 2026 0042"));
  BOOST_TEST(!has_event(r, "live_request"));
  BOOST_TEST(r.text == "Tekst ask_status_address je. Tekst status_why je.");
  BOOST_TEST(gem::name(r.awaiting) == "status_address");
  // Kept while it waits for the address (the saved state passes its checks) …
  BOOST_CHECK_NO_THROW(d.validate(gem::Conversation::from_json(c.to_json())));
  r = d.respond(c, reply("3011ab, 12", "3011ab 12", {entity("postcode", "3011 AB"), entity("huisnummer", "12")}));
  BOOST_REQUIRE(has_event(r, "live_request", "application_status"));
  BOOST_TEST((live_event(r).params == kStatusParams));
  BOOST_TEST(gem::name(r.awaiting) == "none");
  // … and not after the look-up.
  BOOST_TEST(!c.reference);
}

BOOST_AUTO_TEST_CASE(status_asks_only_for_the_part_of_the_address_that_is_missing) {
  const auto d = status_dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "wanneer"}));
  // The postcode typed before the reference is not taken for the reference.
  auto r = d.respond(c, reply("3011AB Z-2026-0042", "3011ab z 2026 0042", {entity("postcode", "3011 AB")}));
  BOOST_TEST(r.text == "Tekst ask_status_house_number je. Tekst status_why je.");
  BOOST_TEST(c.reference.value_or("") == "Z-2026-0042");
  // A house number on its own completes it.
  r = d.respond(c, reply("12", "12"));
  BOOST_REQUIRE(has_event(r, "live_request", "application_status"));
  BOOST_TEST((live_event(r).params == kStatusParams));

  gem::Conversation h;
  d.respond(h, understood({.product = "paspoort", .aspect = "wanneer"}));
  r = d.respond(h, reply("Z-2026-0042 huisnummer 12", "z 2026 0042 huisnummer 12", {entity("huisnummer", "12")}));
  BOOST_TEST(r.text == "Tekst ask_status_postcode je. Tekst status_why je.");
  r = d.respond(h, reply("3011 AB", "3011 ab", {entity("postcode", "3011 AB")}));
  BOOST_REQUIRE(has_event(r, "live_request", "application_status"));
  BOOST_TEST((live_event(r).params == kStatusParams));
}

BOOST_AUTO_TEST_CASE(status_with_the_address_first_asks_for_the_reference_then_looks_up) {
  const auto d = status_dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "wanneer"}));
  auto r = d.respond(c, reply("3011 AB 12", "3011 ab 12", {entity("postcode", "3011 AB"), entity("huisnummer", "12")}));
  BOOST_TEST(!has_event(r, "live_request"));
  BOOST_TEST(r.text == "Tekst ask_reference je.");
  BOOST_TEST(gem::name(r.awaiting) == "reference");
  r = d.respond(c, reply("Z-2026-0042", "z 2026 0042"));
  BOOST_REQUIRE(has_event(r, "live_request", "application_status"));
  BOOST_TEST((live_event(r).params == kStatusParams));
}

BOOST_AUTO_TEST_CASE(another_question_while_the_address_is_awaited_drops_the_reference) {
  const auto d = status_dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "wanneer"}));
  d.respond(c, reply("Z-2026-0042", "z 2026 0042"));
  BOOST_TEST(c.reference.has_value());
  d.respond(c, understood({.product = "paspoort", .aspect = "kosten"}));
  BOOST_TEST(!c.reference);
  BOOST_CHECK_NO_THROW(d.validate(c));
}

BOOST_AUTO_TEST_CASE(a_reply_without_a_usable_reference_is_asked_again) {
  const auto d = status_dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "wanneer"}));
  auto r = d.respond(c, understood({.intent = "buiten_bereik", .confidence = 0.2f, .normalized = "nummer 12", .text = "nummer 12"}));
  BOOST_TEST(!has_event(r, "live_request"));
  BOOST_TEST(r.text == "Tekst live_invalid_reference je.");
  BOOST_TEST(gem::name(r.awaiting) == "reference");
}

BOOST_AUTO_TEST_CASE(id_card_country_table) {
  const auto d = dialogue();
  gem::Conversation c;
  auto r = d.respond(c, understood({.product = "identiteitskaart", .aspect = "informatie", .entities = {entity("land", "DE")}}));
  BOOST_TEST(r.text == "Ja, naar Duitsland kan dat.");
  r = d.respond(c, understood({.entities = {entity("land", "GB")}}));
  BOOST_TEST(r.text == "Tekst id_card_country_passport je. Sinds 2021.");
  r = d.respond(c, understood({.entities = {entity("land", "ZA")}}));
  BOOST_TEST(r.text == "Tekst id_card_country_unknown je. Vraag het de ambassade.");
  // "terug naar Nederland": home, not a country missing from the list
  r = d.respond(c, understood({.product = "identiteitskaart", .aspect = "kosten", .entities = {entity("land", "NL")}}));
  BOOST_TEST(r.text == "Het kost maximaal € 10,00.");
  BOOST_TEST(!c.country);
}

BOOST_AUTO_TEST_CASE(answers_in_the_language_of_the_message) {
  const auto d = dialogue();
  gem::Conversation c;
  auto r = d.respond(c, understood({.product = "paspoort", .aspect = "kosten", .lang = "en"}));
  BOOST_TEST(r.text == "It costs € 8.00.");
  BOOST_TEST(r.lang == "en");
  r = d.respond(c, understood({.aspect = "informatie", .lang = "nl", .normalized = "info"}));  // one word: keep English
  BOOST_TEST(r.lang == "en");
}

// The first message sets the language even when its reading is unsure ("instructions please" in a Dutch widget);
// gibberish does not.
BOOST_AUTO_TEST_CASE(an_unsure_first_message_still_sets_the_language) {
  const auto d = dialogue();
  gem::Conversation c;
  auto r = d.respond(c, understood({.intent = "hulp", .confidence = 0.2f, .lang = "en", .normalized = "instructions please"}));
  BOOST_TEST(r.lang == "en");
  gem::Conversation c2;
  r = d.respond(c2, understood({.intent = "buiten_bereik", .confidence = 0.2f, .lang = "en", .normalized = "blorp fnaag",
                                .known_words = 0}));
  BOOST_TEST(r.lang == "nl");
}

BOOST_AUTO_TEST_CASE(the_generic_pack_speaks_for_any_municipality) {
  const auto d = dialogue("GM0855");
  gem::Conversation c;
  const auto r = d.respond(c, understood({.product = "paspoort"}));
  BOOST_TEST(r.text == "Samenvatting van paspoort voor uw gemeente de gemeente Tilburg.");
  BOOST_CHECK_THROW(gem::Dialogue(gem::compile_pack(gem::test::valid_source().dump(), gem::test::small_labels(), "generic", ""),
                                  kMunicipalities, "GM9999"),
                    gem::Error);
}

// A product's sections are read from their own line of the pack when a conversation first needs them: a broken
// line fails only the answers about its product, naming it; a missing or extra line fails at once.
BOOST_AUTO_TEST_CASE(a_products_sections_are_read_when_first_needed) {
  const auto pack = gem::compile_pack(gem::test::valid_source().dump(), gem::test::small_labels(), "GM0599", "Rotterdam");
  const auto lines = gem::test::pack_lines(pack);
  const auto order = gem::test::read_pack(pack)["answers"].get<std::vector<std::string>>();
  BOOST_TEST_REQUIRE(lines.size() == order.size() + 1);
  const auto afval = 1 + (std::find(order.begin(), order.end(), "afval") - order.begin());
  BOOST_TEST(lines[afval].find("In Rotterdam kijk je in de app.") != std::string::npos);

  auto broken = lines;
  broken[afval] = "{\"wanneer\": ";
  const gem::Dialogue d(gem::join(broken, "\n"), kMunicipalities);
  gem::Conversation c;
  BOOST_TEST(d.respond(c, understood({.product = "paspoort", .aspect = "kosten"})).text == "Het kost € 8,00.");
  gem::Conversation about_waste;
  const auto names_afval = [](const gem::Error& e) { return std::string(e.what()).find("the sections of 'afval'") != std::string::npos; };
  BOOST_CHECK_EXCEPTION(d.respond(about_waste, understood({.product = "afval", .aspect = "wanneer"})), gem::Error, names_afval);

  auto missing = lines;
  missing.pop_back();
  const auto says_missing = [&](const gem::Error& e) {
    return std::string(e.what()).find("line " + std::to_string(lines.size()) + " missing: expected the sections of '" + order.back() + "'") != std::string::npos;
  };
  BOOST_CHECK_EXCEPTION(gem::Dialogue(gem::join(missing, "\n"), kMunicipalities), gem::Error, says_missing);
  auto extra = lines;
  extra.push_back("{}");
  BOOST_CHECK_THROW(gem::Dialogue(gem::join(extra, "\n"), kMunicipalities), gem::Error);
  BOOST_CHECK_NO_THROW(gem::Dialogue(pack + "\n", kMunicipalities));  // a file's final newline is no line
}

BOOST_AUTO_TEST_CASE(state_survives_serialisation) {
  const auto d = dialogue();
  gem::Conversation c;
  d.respond(c, understood({.product = "paspoort", .aspect = "kosten", .entities = {entity("persoon", "kind")}}));
  auto restored = gem::Conversation::from_json(c.to_json());
  BOOST_TEST(restored.to_json() == c.to_json());
  BOOST_TEST(d.respond(restored, understood({})).text == "Voor een kind kost het minder.");
  BOOST_CHECK_THROW(gem::Conversation::from_json("{\"pending\": \"wat\"}"), gem::Error);
  BOOST_CHECK_THROW(gem::Conversation::from_json("not json"), gem::Error);
}

BOOST_AUTO_TEST_CASE(response_json_has_the_documented_fields) {
  const auto d = dialogue();
  gem::Conversation c;
  const auto j = json::parse(gem::to_json(d.respond(c, understood({.product = "paspoort", .aspect = "kosten"}))));
  for (const char* key : {"lang", "text", "quick_replies", "links", "events", "intent", "topic"}) BOOST_TEST(j.contains(key), key);
  BOOST_TEST(j["links"][0]["title"] == "Meer");
}

BOOST_AUTO_TEST_SUITE_END()
