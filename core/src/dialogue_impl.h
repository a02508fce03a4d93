// What the parts of the dialogue share: the content pack, the site's municipality and tone, and the
// texts and answers built from them. Dialogue::respond and ::choose (dialogue.cpp) decide what to do; the
// answers (answers.cpp), the conversation state (conversation.cpp), live data (live_text.cpp) and the
// widget's moments (moments.cpp) say it.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gem/dialogue.h"
#include "safety.h"
#include "templates.h"

namespace gem {

using nlohmann::json;

using Slots = std::map<std::string, std::string>;

// A message's words as the model read them (spelling corrected) and as the resident typed them, word for word.
// An editor's term matches either: a misspelt "pasport" still names the passport, and a term the corrector does
// not know stays itself (it turns "stapelbed" into "stapelen", "track" into "truck").
struct MessageWords {
  std::vector<std::string> read, typed;
  explicit MessageWords(const Understanding& u);
  // The words of `term` stand together, in order, at `at`.
  bool says_at(std::size_t at, const std::vector<std::string>& term) const;
  bool says(const std::vector<std::string>& term) const;
};

// The section of a product's sections that answers `aspect`: the version for the person the conversation is about
// where there is one, else the plain one; null where there is none.
const json* section_for(const json& sections, const std::string& aspect, const Conversation& c);
// Whether a product's sections answer `aspect` (section_for finds one).
bool answers(const json& sections, const std::string& aspect, const Conversation& c);

// How sure the model's aspect head is of `aspect`, if it ranked it (Understanding::aspects).
std::optional<float> aspect_certainty(const Understanding& u, const std::optional<std::string>& aspect);

struct Dialogue::Impl {
  json pack;  // the pack's first line: everything but the products' sections
  std::string pack_text;
  std::string home;
  Tone tone;
  DialogueOptions options;
  std::map<std::string, std::string> names;  // CBS code → official name
  // The products' `terms` (content/products/*.yml), normalised: the words of each, and the product it names.
  std::vector<std::pair<std::vector<std::string>, std::string>> terms;
  // The products' `aspect_terms`, normalised: the words of each, its product, and the aspect it asks about.
  struct AspectTerm {
    std::vector<std::string> words;
    std::string product, aspect;
  };
  std::vector<AspectTerm> aspect_terms;
  // DialogueOptions::aspect_words, normalised once: each aspect and the words of each of its entries.
  std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>> aspect_words;

  Impl(std::string_view pack_json, std::string_view municipalities_tsv, std::string_view municipality, DialogueOptions o);

  // A product's sections (aspect → text), read from its line of the pack when first asked for; an empty object for
  // a product the pack does not have.
  const json& sections(const std::string& product) const;
  std::map<std::string, std::pair<std::size_t, std::size_t>> section_lines;  // product → its line in pack_text
  mutable std::map<std::string, json> sections_read;
  const json no_sections = json::object();
  mutable std::mutex sections_mutex;  // a const Dialogue may answer on several threads

  // --- texts (answers.cpp) ---
  std::optional<std::string> variable(const std::string& name, const std::string& lang, const std::string& municipality) const;
  std::string render(const json& text, const std::string& lang, const std::string& municipality, const Slots& slots = {}) const;
  // A text of content/dialogue.yml (or the `ui` table of content/widget.yml) for this conversation.
  std::string say(const std::string& key, const Conversation& c, const Slots& slots = {}) const;
  std::string ui_text(const std::string& key, const Conversation& c, const Slots& slots = {}) const;
  std::string about(const Conversation& c) const { return c.municipality.value_or(home); }
  std::string product_label(const std::string& product, const std::string& lang) const;
  std::string aspect_label(const std::string& aspect, const std::string& lang) const;
  std::string product_title(const std::string& product, const std::string& lang) const;
  // "a, b en c" / "a, b and c"
  std::string join_list(const std::vector<std::string>& items, const std::string& lang) const;

  // --- answers (answers.cpp) ---
  Response start(const Conversation& c, std::string intent) const;
  void finish(Response& r, const Conversation& c) const;
  void offer_products(Response& r, const Conversation& c) const;
  void offer_handover(Response& r, Conversation& c, const std::string& why) const;
  void add_links(Response& r, const Conversation& c, const json& product) const;
  Response answer(Conversation& c, const std::string& intent) const;
  // For "reisdocument" (passport or ID card, not said which): the section that answers the conversation's aspect for
  // both documents, or null where the resident must choose one first (no such section, or a look-up).
  const json* travel_documents_section(const Conversation& c) const;
  // Thoughts of suicide or an emergency: the crisis numbers first and nothing else; the topic stays.
  Response crisis(Conversation& c, const Crisis& crisis) const;
  void aspect_buttons(Response& r, const Conversation& c, const json& product, const std::string& title) const;
  // The products the message names by one of their terms, in the order of `terms`.
  std::vector<std::string> products_named(const MessageWords& said) const;
  // The one product the message names by one of its terms, if exactly one is named.
  std::optional<std::string> named_by_terms(const MessageWords& said) const;
  // The aspect of `product` that the message asks about by one of the product's `aspect_terms`, if any.
  std::optional<std::string> aspect_named(const std::string& product, const MessageWords& said) const;
  // Beside an answer about a product: the aspects to ask about next, as buttons (`options.related_aspects`, …),
  // the last of them another product when the message names one or the model found one likely.
  void offer_next_aspects(Response& r, const Conversation& c, const Understanding& u) const;
  void offer_other_product(Response& r, const Conversation& c, const Understanding& u, std::size_t at_most,
                           const char* label) const;
  void live_request(Response& r, Conversation& c, const std::string& kind) const;
  // A reply while the status look-up waits for its reference or address: the look-up once all three are
  // known, else the question for what is still missing.
  Response status_details_given(Conversation& c, const Understanding& u) const;
  // The status look-up when reference, postcode and house number are known, else the question for the rest.
  void status_look_up(Response& r, Conversation& c, const std::string& reference) const;
  std::string country_answer(const Conversation& c) const;
  void take_entities(Conversation& c, const std::vector<Entity>& entities) const;
  Response general(Conversation& c, const std::string& intent) const;
  Response not_understood(Conversation& c, const Understanding& u) const;
  // "Bedoelt u: a of b?" with the guesses as buttons ("read:…" ids), awaiting the choice; `question` is the
  // dialogue text that asks it, and `question`_topics the one for more than two guesses, which names none.
  Response ask_which(Conversation& c, const std::string& intent, const std::vector<QuickReply>& guesses,
                     const std::string& question = "did_you_mean") const;
  // A guess's button label: "Paspoort: Kosten", or "talk to a staff member" for a reading without a product.
  std::string reading_label(const std::optional<std::string>& product, const std::optional<std::string>& aspect,
                            const Conversation& c) const;
  Response which_one(Conversation& c, const std::string& intent) const;
  Response apply_reading(Conversation& c, const std::string& intent, const std::optional<std::string>& product,
                         const std::optional<std::string>& aspect) const;
};

// A button id's ':'-separated fields, empty ones kept: "read:product_vraag:paspoort:" → read, product_vraag,
// paspoort, "".
inline std::vector<std::string> id_fields(std::string_view id) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t colon; (colon = id.find(':', start)) != std::string_view::npos; start = colon + 1)
    fields.emplace_back(id.substr(start, colon - start));
  fields.emplace_back(id.substr(start));
  return fields;
}

// The application reference is kept only while the status look-up waits for its address: whatever the turn
// (another topic, a handover step, a live result), it is dropped when that is no longer awaited.
inline void keep_reference_only_while_awaited(Conversation& c) {
  if (c.awaiting != Awaiting::status_address) c.reference.reset();
}

// An application reference as the protocol allows it: letters, digits and '-', 4 to 32 characters.
bool is_reference(std::string_view word);

// Dates of the live data for people (live_text.cpp): "maandag 23 november", "dinsdag 24 november, 09:30"
// (in Amsterdam time); text that is not a date comes back unchanged.
std::string format_day(const std::string& date, const std::string& lang);
std::string format_date_time(const std::string& value, const std::string& lang);

}  // namespace gem
