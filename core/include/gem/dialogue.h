// The dialogue manager: what to say next, given what the resident meant and what came before. It owns the
// conversation (its state and every word the assistant says); the widget shows responses and performs effects.
//
//   gem::Dialogue dialogue(pack_json, municipalities_tsv);   // one content pack (scripts/gem content build)
//   gem::Conversation state;                                 // per session; serialisable
//   gem::Response r = dialogue.welcome(state);
//   r = dialogue.respond(state, understanding);               // after the classifier
//   r = dialogue.choose(state, "aspect:kosten");              // a quick-reply button of kind `dialogue`
//   r = dialogue.live(state, "opening_hours", server_json);   // the bubble for a live look-up
//   r = dialogue.handover(state, R"({"type":"agent_joined","name":"Sanne"})");
//   std::string json = gem::to_json(r);
//
// Pure: no I/O, no clock. Live data and human handover are events the widget acts on and reports back.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gem/error.h"
#include "gem/nlu.h"

namespace gem {

// What the assistant waits for now, so a short reply ("ja", "paspoort", "1234 AB 5") can complete it.
// `reference`: an application's reference for the status look-up (the address may come with it);
// `status_address`: the postcode and house number that go with that reference (the look-up's second factor).
enum class Awaiting { none, document, product, aspect, address, reference, did_you_mean, consent, status_address };

// Where a human handover stands (the widget's handover effect reports the steps through Dialogue::handover).
enum class HandoverPhase { none, offered, consent, waiting, connected, ended };

// The tuning of Dialogue::respond: how sure a reading must be before it changes the topic, and the cue words
// that mark follow-ups and references back. The defaults are what the conversation tests were written against.
struct DialogueOptions {
  int misses_before_handover = 2;        // misunderstandings in a row before a staff member is offered
  float too_unsure_to_guess = 0.3f;      // below this a reading is noise: no "did you mean" button for it
  // "did you mean" buttons at most, and beside an answer whose aspect was a guess. Four, not three (2026-12-06): on
  // the training split's 3-fold held-out probabilities, with related_aspects also 4, not helped 316 -> 279 of 4,727;
  // five each took it to 268 only, for one more button to read on every such answer.
  std::size_t max_guesses = 4;
  // A question about an aspect continues the current topic when the intent is at least this sure …
  float topic_intent = 0.5f;
  // … and the product it names is less sure than this (a clearly named product switches the topic),
  float switch_product = 0.6f;
  // … or, in a short question that points back ("kost dat iets?"), less sure than this,
  float switch_product_pointing_back = 0.995f;
  // … or less sure than this while the current product is among the model's alternatives (at least `plausible`), or
  // while the message has a word of `weak_point_back_words` and does not name the model's product by a term or its
  // title ("mag mijn vrouw het ophalen?" after collecting a passport: the model read bulky waste at 0.81).
  float switch_product_current_plausible = 0.9f;
  float plausible = 0.01f;
  // "kost dat iets?" read as "yes": an alternative product question at least this sure wins (or `…_unsure`
  // when the reading as a whole is unsure).
  float asked_about = 0.25f;
  float asked_about_unsure = 0.1f;
  std::size_t short_question_words = 8;  // at most this many words: a short question
  // Words beyond the entities that still make "en in Utrecht?" a change of context only, and that a message after
  // the first needs before its language may switch the conversation's (the first sets it).
  std::size_t context_only_extra_words = 3;
  std::size_t language_switch_extra_words = 3;
  // First word: "en een id-kaart?", "for a child?" (after "how much is a passport": the model reads "for a child"
  // as the conditions, children's documents being about permission).
  std::vector<std::string> follow_up_words = {"en", "and", "ook", "what", "voor", "for"};
  std::vector<std::string> refer_back_words = {"zon", "zulke", "zulk", "daarvoor", "ervoor", "hiervoor", "such"};
  // "do they need to come too?" after "my wife and kids are coming": the model read naturalisation (0.64).
  std::vector<std::string> point_back_words = {"dat", "die", "deze", "dit", "daar", "it", "that", "this", "one",
                                               "they", "them", "these", "those"};
  // Words that point back only where the message names no product: "het" and "haar" are also an article and "her".
  std::vector<std::string> weak_point_back_words = {"het", "hem", "haar", "ze", "zij", "him", "her"};
  // "Wanneer heb ik een vergunning nodig?", "wanneer heb ik recht op bijstand?": a message that starts with "wanneer"
  // and has one of these words asks in which cases (voorwaarden), not for a date. The training split has no such
  // question, so the model reads it as `wanneer`; "tot wanneer", "vanaf wanneer" still ask for a date.
  std::vector<std::string> in_which_cases_words = {"nodig", "recht", "verplicht", "aanmerking"};
  // Words that ask one aspect of a product question, where the product has that section, unless the model read
  // `afspraak` ("cancel my appointment") or is sure (`aspect_sure`) of another aspect than `aanvragen` or `informatie`.
  // Words of loss or theft ask `kwijt` (not "kwijt" itself: "waar kan ik tuinafval kwijt" gets rid of something, nor
  // "weg" or "gone" alone: "mijn kliko moet weg", "i want my bin gone"; not words of damage: the ID card's lost section
  // tells to report it, and applying says a broken one is replaced); words of cancelling ask `stopzetten` (not
  // "afmelden" or "deregister": leaving the country is deregistering; not "intrekken", also moving in with someone; not
  // "stoppen", also putting something somewhere; not "inleveren": "chemisch afval inleveren" is where to take it);
  // words of price ask `kosten` (not "betalen" or "pay" alone: "ik kan mijn rekeningen niet betalen", "do tenants pay
  // property tax"; not "moet ik betalen" or "have to pay": "does he have to pay dog tax" asks whether; not "refund":
  // "refund of the waste levy after moving out" is applying for it); words of rules ask `voorwaarden` (not "mag ik" or
  // "allowed" alone: "wat mag ik er brengen" is the overview, "mogen we" and "is it allowed" ask the rules; not
  // "toestemming" or "permission", also what is applied for; not "counts as": "what counts as a valid proof of
  // identity" is the overview); words of time ask `wanneer` (not "snel" or "quickly": "hoe vraag ik snel een nieuwe
  // aan" is applying); words of what to hand in ask `benodigdheden` (not "bewijs" or "proof": "bewijs van inschrijving"
  // is a product); words of expiry ask `geldigheid` (not "geldig" or "valid": "geen geldig legitimatiebewijs meer" asks
  // for a new one); words of a time slot ask `afspraak` (last, and not "book" or "boeken": "book a bulky waste
  // collection" is applying); words of waiting ask `status`. A set's entry of more than one word counts where those
  // words stand together. Each set and word was kept only where it made no question of the training split's held-out
  // probabilities worse (README). The first aspect whose words the message has counts.
  std::vector<std::pair<std::string, std::vector<std::string>>> aspect_words = {
      {"kwijt", {"gestolen", "verloren", "kwijtgeraakt", "zoekgeraakt", "gejat", "gepikt", "ontvreemd", "inbraak", "beroofd",
                 "niet meer vinden", "nergens meer vinden", "stolen", "stole", "lost", "misplaced", "robbed", "burglary",
                 "cant find", "is weg", "weg is", "zijn weg", "weggegooid", "gevallen", "is gone", "was gone",
                 "are gone", "is zoek", "zijn zoek", "raakte zoek"}},
      {"stopzetten", {"afzeggen", "annuleren", "opzeggen", "stopzetten", "beeindigen", "terugdraaien", "cancel", "terminate",
                      "withdraw", "stop", "mag stoppen", "mag weg", "niet meer nodig", "dont need", "deregister my",
                      "meld je af", "meld me af", "stoppen met", "mag vervallen"}},
      {"kosten", {"kost", "kosten", "prijs", "prijzen", "tarief", "tarieven", "bedrag", "goedkoper", "duurder", "gratis",
                  "zelf betalen", "extra betalen", "betaal ik", "geld terug", "vergoed", "vergoedt", "cost", "costs", "price",
                  "prices", "fee", "fees", "rates", "expensive", "cheaper", "pay anything", "pay extra", "reimburse",
                  "reimbursed", "wat betaal", "moeten wij betalen", "moeten we betalen", "how much does", "how much is",
                  "wie betaalt", "who pays", "is it free", "for free", "free of charge"}},
      {"voorwaarden", {"voorwaarden", "voorwaarde", "eisen", "vereisten", "regels", "vergunningplichtig", "verplicht",
                       "aanmerking", "iemand anders", "telt dat", "requirements", "requirement", "eligible", "eligibility",
                       "rules", "required", "mandatory", "compulsory", "qualify", "someone else", "somebody else",
                       "vergunning nodig", "moet dat gemeld", "mogen wij", "mogen we", "is het toegestaan", "allowed to",
                       "am i allowed", "is it allowed", "do we need a permit", "do i need a permit", "kan mijn partner",
                       "kan mijn moeder", "kan mijn vader", "kan de oma", "kan de opa", "can my partner", "can my mother",
                       "can my father"}},
      {"wanneer", {"openingstijden", "ophaaltijden", "spoed", "termijn", "uiterste", "tevoren", "hoe lang duurt",
                   "hoeveel dagen", "werkdagen", "urgent", "deadline", "how long does", "how long until",
                   "how many days", "how fast", "hoe laat moet", "te laat", "op tijd", "in het weekend", "feestdag",
                   "when can", "when should", "public holiday"}},
      {"benodigdheden", {"meenemen", "meebrengen", "bewijsstukken", "aanleveren", "bijlagen", "bijvoegen", "meesturen",
                         "formulieren", "moet ik inloggen", "inloggen met digid", "digid nodig", "attach", "paperwork",
                         "do i need my"}},
      {"geldigheid", {"geldigheid", "geldigheidsduur", "vervalt", "niet ouder dan", "hoe oud mag", "maanden oud",
                      "elk jaar opnieuw", "validity", "expire", "expires", "how old may", "how old can", "months old",
                      "every year", "nog goed", "nog geldig", "still good", "still valid", "next year"}},
      {"afspraak", {"afspraak", "afspraken", "tijdstip", "tijdslot", "inplannen", "verzetten", "vooroverleg", "appointment",
                    "appointments", "slot", "reschedule"}},
      {"status", {"nog niks gehoord", "nog niets gehoord", "niks meer gehoord", "niets meer gehoord", "in behandeling",
                  "stand van zaken", "wacht ik", "pending", "processed", "waiting for", "heard nothing", "still waiting"}}};
  // Phrases of arriving from another country: without one, a move that names another country than the Netherlands
  // is emigrating (the model reads "we verhuizen naar belgie" as moving house). "From" alone is not one: "new address
  // in germany from next month" is leaving.
  std::vector<std::vector<std::string>> arrival_phrases = {
      {"vanuit"}, {"kom", "uit"}, {"komen", "uit"}, {"kwam", "uit"}, {"kwamen", "uit"}, {"afkomstig"}, {"aangekomen"},
      {"moved", "here"}, {"moved", "from"}, {"moving", "from"}, {"come", "from"}, {"coming", "from"}, {"came", "from"},
      {"relocated", "from"}, {"arrived"}, {"immigrated"}};
  // Recovering in one step. A reading less sure than this is unsure: the dialogue asks instead of answering,
  // offering the likeliest readings or products as buttons. It replaces the model's own threshold
  // (Understanding::low_confidence, 0.5, which `scripts/gem eval` counts as out of scope).
  // unsure_below, too_unsure_to_guess, worth_offering, second_product and other_product were chosen by `scripts/gem
  // calibrate-dialogue` on 3-fold held-out probabilities of the training split (never dev or external): README.
  float unsure_below = 0.4f;
  // Likelier than this, a product or aspect of the model's own ranking (Understanding::products, ::aspects) is
  // worth a button when nothing better is: in a "did you mean" (also when no whole reading is worth a guess), and
  // beside an answer (before the product's common aspects); and a second product the message names outright asks
  // "which one?".
  // Calibrated: even a faint ranking of the model's beats the common aspects (0.02 -> 0.001, with other_product
  // 0.1 -> 0.15: not helped on the training split's held-out probabilities 343 -> 323 of 4,727). Never after "not
  // understood": there the product ranking of an off-topic message is noise (popular_products instead).
  float worth_offering = 0.001f;
  // An answer whose aspect the model is less sure of than this also offers the next likely aspects, then the
  // product's common ones (at most `max_guesses`), so that one press leads to the right answer. A follow-up ("en een
  // koelkast?") whose aspect the model is less sure of keeps the aspect asked about before.
  float aspect_sure = 0.8f;
  // Beside any other answer about a product, "more about <product>": the likely aspects, then the product's common
  // ones, at most this many (0: none). A product's summary offers at most `aspect_buttons` (or all its common ones).
  std::size_t related_aspects = 4;
  std::size_t aspect_buttons = 5;
  // Beside an answer about an aspect, chosen right after the model's likely aspects and before the product's common
  // ones, shown as the last aspect button: the product's overview ("Wat is het?"), the aspect a wrongly answered
  // question most often turns out to be about ("" for none). On the training split's 3-fold held-out probabilities:
  // not helped 377 -> 363 of 4,727.
  std::string overview_aspect = "informatie";
  // A product question whose second product scores at least this (and the first at most `two_products_first`)
  // names two products ("paspoort en verhuizen"): ask which one first.
  float second_product = 0.5f;
  float two_products_first = 0.7f;
  // Beside an answer about the model's product, its next product at least this likely takes the last button, with
  // the same aspect ("Paspoort: kosten" beside the identity card's fee), so a wrong product is one press from right.
  float other_product = 0.15f;
  // A product the message names by one of the editors' terms ("frituurvet", "rioolheffing", "meertalig uittreksel")
  // wins over the model's product when the model is less sure of its own than this and the message does not name
  // that one; the model's product is then one press away. Below `unsure_below` the named product always wins.
  // Calibrated: on the training split's held-out probabilities 0.7 took right first time 4,038 -> 4,058 and not helped
  // 164 -> 158 of 4,727 (0.5: 4,042 / 163; 0.9: 4,058 / 160).
  float named_product_wins = 0.7f;
  // Offered when the assistant does not know what the resident wants.
  std::vector<std::string> popular_products = {"paspoort", "identiteitskaart", "verhuizing", "afval", "parkeervergunning"};

  // The numeric tunings from a JSON object named by field ({"unsure_below": 0.4}); the rest keep their defaults.
  // For calibration (scripts/gem calibrate-dialogue). Throws gem::Error on an unknown key or a value that is not
  // a number in range. to_json writes all of them.
  static DialogueOptions from_json(std::string_view json);
  std::string to_json() const;
};

struct Conversation {
  std::optional<std::string> product, aspect, municipality, person, country;
  std::optional<std::string> postcode, house_number;  // kept in the browser only, for a live look-up
  // The application reference while the status look-up waits for its address (awaiting status_address only).
  std::optional<std::string> reference;
  std::string lang = "nl";
  int turns = 0;
  int failures = 0;           // misunderstandings in a row
  Awaiting awaiting = Awaiting::none;
  std::vector<std::string> offered;  // button ids of the last did-you-mean question
  HandoverPhase handover = HandoverPhase::none;
  std::vector<std::string> privacy_noted;  // kinds of personal data the resident was already told about

  std::string to_json() const;
  static Conversation from_json(std::string_view json);  // throws gem::Error on malformed state
};

enum class ReplyKind {
  dialogue,  // the widget sends the id back through Dialogue::choose
  action     // the widget performs the id itself: "handover", "handover:consent_yes", "handover:cancel", …
};

struct QuickReply {
  std::string id;     // "product:paspoort", "aspect:kosten", "read:product_vraag:paspoort:kosten", "handover"
  std::string label;
  ReplyKind kind = ReplyKind::dialogue;
};

struct Link {
  std::string title, url;
};

struct Event {
  std::string type;  // handover_offer | live_request | feedback_request
  std::string kind;  // live_request: appointment_slots | opening_hours | waste_collection | application_status;
                     // handover_offer: asked | not_understood
  std::vector<std::pair<std::string, std::string>> params;  // live_request input (municipality, product, postcode, …)
};

struct Response {
  std::string lang;
  std::string text;                 // safe Markdown subset: paragraphs, lists, **bold**, [links](https://…)
  std::vector<std::string> items;   // plain list lines (live data), never Markdown
  bool plain = false;               // `text` carries server data (a name, a number): show it as text, not Markdown
  bool not_understood = false;      // the assistant said it cannot help with the message (not a "did you mean …?")
  std::vector<QuickReply> quick_replies;
  std::string quick_replies_label;  // accessible name of the button group
  std::vector<Link> links;
  std::vector<Event> events;
  Awaiting awaiting = Awaiting::none;
  // What the assistant took the message to mean and the topic afterwards (for tests and analytics labels).
  std::string intent;
  std::optional<std::string> product, aspect, municipality, person;
};

// A live look-up's outcome as the widget reports it: the server's JSON, or an error kind
// (not_found | unknown_municipality | invalid | busy | unreachable | offline | not_connected) with the field.
struct LiveResult {
  std::string data_json;
  std::string error, field;
  std::string reference;  // the application reference the look-up asked for (named in the not-found text)
};

// How the privacy note is asked for: the message went to a staff member, or an address was asked for.
struct PrivacyContext {
  bool to_agent = false;
  bool address_expected = false;
};

class Dialogue {
 public:
  // `municipality` names the site's municipality when the pack is the generic one.
  Dialogue(std::string_view pack_json, std::string_view municipalities_tsv, std::string_view municipality = "",
           DialogueOptions options = {});
  ~Dialogue();
  Dialogue(Dialogue&&) noexcept;
  Dialogue& operator=(Dialogue&&) noexcept;

  Response welcome(Conversation& state) const;
  Response respond(Conversation& state, const Understanding& understanding) const;
  Response choose(Conversation& state, std::string_view button_id) const;

  // The bubble for a live look-up of `kind` (dates, times and lists in the conversation's language).
  Response live(Conversation& state, std::string_view kind, const LiveResult& result) const;
  // A step of a human handover as JSON ({"type":"queued","position":2,"eta_seconds":120}, …): records the
  // phase and returns the words. Unknown types are a gem::Error.
  Response handover(Conversation& state, std::string_view event_json) const;
  // The polite note about personal data (counts per kind name, as gem::redact gives them), once per kind per
  // conversation; nullopt when there is nothing new to say.
  std::optional<Response> privacy_note(Conversation& state, const std::map<std::string, std::size_t>& counts,
                                       PrivacyContext context) const;
  // The offer to share one question with the municipality (a consented sample): `text` asks, `items[0]` says
  // what Gem understood in the resident's words. `understood_json` is {"reason": "not_understood" |
  // "thumbs_down", "intent", "product", "aspect"} (null for none); an unknown product or aspect is a gem::Error.
  Response sample_offer(const Conversation& state, std::string_view understood_json) const;
  // A bubble for a moment only the widget knows ("new_conversation", "offline", …; see say_keys()).
  Response say(const Conversation& state, std::string_view key, const std::map<std::string, std::string>& params = {}) const;
  static const std::vector<std::string>& say_keys();
  // The panel's own texts (labels, hints, status lines) in the conversation's language and the site's tone.
  // Placeholders such as {score} stay for the widget to fill.
  std::map<std::string, std::string> ui(const Conversation& state) const;

  // Checks a restored conversation against the pack: an unknown product, aspect, person, municipality,
  // country or offered button is a gem::Error naming the key and the value.
  void validate(const Conversation& state) const;

  const std::string& tone() const;  // "u" | "je"
  const DialogueOptions& options() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

std::string to_json(const Response& response);
std::string_view name(Awaiting awaiting);
std::string_view name(HandoverPhase phase);

}  // namespace gem
