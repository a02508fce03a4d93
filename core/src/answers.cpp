// The answers: texts from the content pack for the current topic, the questions that get the conversation
// there, and the buttons and events that go with them.
#include <algorithm>

#include "dialogue_impl.h"
#include "safety.h"
#include "dutch_patterns.h"
#include "entities.h"
#include "gem/redact.h"

namespace gem {
namespace {

// The aspect the model read, also when it did not read a product question: product alternatives carry it.
std::optional<std::string> aspect_read(const Understanding& u) {
  if (u.intent == "product_vraag") return u.aspect;
  for (const auto& a : u.alternatives)
    if (a.intent == "product_vraag") return a.aspect;
  return std::nullopt;
}

}  // namespace

Dialogue::Impl::Impl(std::string_view pack_json, std::string_view municipalities_tsv, std::string_view municipality,
                     DialogueOptions o)
    : options(std::move(o)) {
  pack_text = std::string(pack_json);
  const std::size_t first_end = std::min(pack_text.find('\n'), pack_text.size());
  try {
    pack = json::parse(std::string_view(pack_text).substr(0, first_end));
  } catch (const json::parse_error& e) {
    throw Error(std::string("content pack, line 1: ") + e.what());
  }
  for (const char* key : {"municipality", "tone", "products", "answers", "dialogue", "countries", "variables", "ui"})
    if (!pack.contains(key)) throw Error(std::string("content pack: missing '") + key + "' (build it with scripts/gem content build)");
  // Where each product's sections are: one line each, in the order of `answers`, parsed when first needed.
  std::size_t at = first_end, line = 1;
  for (const auto& product : pack["answers"]) {
    ++line;
    if (at >= pack_text.size())
      throw Error("content pack: line " + std::to_string(line) + " missing: expected the sections of '" + product.get<std::string>() + "'");
    const std::size_t end = std::min(pack_text.find('\n', at + 1), pack_text.size());
    section_lines[product.get<std::string>()] = {at + 1, end - at - 1};
    at = end;
  }
  if (pack_text.find_first_not_of(" \t\r\n", at) != std::string::npos)
    throw Error("content pack: line " + std::to_string(line + 1) + ": expected no more lines than 'answers' lists");
  tone = pack["tone"] == "je" ? Tone::informal : Tone::formal;
  for (const auto& row : parse_tsv(municipalities_tsv, "gemeenten.tsv", 2)) {
    auto name = row[1];
    if (auto paren = name.find(" ("); paren != std::string::npos) name = name.substr(0, paren);
    names[row[0]] = name;
  }
  for (const auto& [product, p] : pack["products"].items()) {
    for (const auto& term : p.value("terms", json::array()))
      if (auto words = normalize_words(term.get<std::string>()); !words.empty()) terms.emplace_back(std::move(words), product);
    const json asked = p.value("aspect_terms", json::object());  // named: items() refers to it
    for (const auto& [aspect, list] : asked.items())
      for (const auto& term : list)
        if (auto words = normalize_words(term.get<std::string>()); !words.empty())
          aspect_terms.push_back({std::move(words), product, aspect});
  }
  for (const auto& [aspect, set] : options.aspect_words) {
    aspect_words.push_back({aspect, {}});
    for (const auto& entry : set)
      if (auto words = normalize_words(entry); !words.empty()) aspect_words.back().second.push_back(std::move(words));
  }
  home = pack["municipality"].get<std::string>();
  if (home == "generic") {
    home = std::string(municipality);
    if (!names.count(home)) throw Error("content pack is generic: expected the site's municipality code, got '" + home + "'");
  } else if (!municipality.empty() && municipality != home) {
    throw Error("content pack is for " + home + ", not " + std::string(municipality));
  }
}

const json& Dialogue::Impl::sections(const std::string& product) const {
  const auto line = section_lines.find(product);
  if (line == section_lines.end()) return no_sections;
  const std::lock_guard<std::mutex> lock(sections_mutex);
  if (auto read = sections_read.find(product); read != sections_read.end()) return read->second;
  try {
    return sections_read.emplace(product, json::parse(std::string_view(pack_text).substr(line->second.first, line->second.second))).first->second;
  } catch (const json::parse_error& e) {
    throw Error("content pack: the sections of '" + product + "': " + e.what());
  }
}

// Variables for the municipality the answer is about: its own values when it is this site's
// municipality, otherwise the national fallbacks with its name.
std::optional<std::string> Dialogue::Impl::variable(const std::string& name, const std::string& lang,
                                                    const std::string& municipality) const {
  const auto& vars = pack["variables"];
  if (municipality == home && vars["home"].contains(name)) return vars["home"][name][lang].get<std::string>();
  if (name == "name") {
    auto it = names.find(municipality);
    if (it != names.end()) return (lang == "nl" ? "de gemeente " : "the municipality of ") + it->second;
  }
  if (vars["fallback"].contains(name)) return vars["fallback"][name][lang].get<std::string>();
  return std::nullopt;
}

std::string Dialogue::Impl::render(const json& text, const std::string& lang, const std::string& municipality,
                                   const Slots& slots) const {
  if (!text.is_object() || !text.contains(lang)) return {};
  return render_template(text[lang].get<std::string>(), tone, [&](std::string_view name) -> std::optional<std::string> {
    if (auto it = slots.find(std::string(name)); it != slots.end()) return it->second;
    return variable(std::string(name), lang, municipality);
  });
}

std::string Dialogue::Impl::say(const std::string& key, const Conversation& c, const Slots& slots) const {
  return render(pack["dialogue"].value(key, json()), c.lang, about(c), slots);
}

std::string Dialogue::Impl::ui_text(const std::string& key, const Conversation& c, const Slots& slots) const {
  return render(pack["ui"].value(key, json()), c.lang, about(c), slots);
}

std::string Dialogue::Impl::product_label(const std::string& product, const std::string& lang) const {
  const auto& p = pack["dialogue"]["products"];
  return p.contains(product) ? p[product][lang].get<std::string>() : product;
}
std::string Dialogue::Impl::aspect_label(const std::string& aspect, const std::string& lang) const {
  const auto& a = pack["dialogue"]["aspects"];
  return a.contains(aspect) ? a[aspect][lang].get<std::string>() : aspect;
}
std::string Dialogue::Impl::product_title(const std::string& product, const std::string& lang) const {
  const auto& p = pack["products"];
  return p.contains(product) ? p[product]["title"][lang].get<std::string>() : product;
}

std::string Dialogue::Impl::join_list(const std::vector<std::string>& items, const std::string& lang) const {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? (i + 1 == items.size() ? (lang == "nl" ? " en " : " and ") : ", ") : "") + items[i];
  return out;
}

Response Dialogue::Impl::start(const Conversation& c, std::string intent) const {
  Response r;
  r.lang = c.lang;
  r.intent = std::move(intent);
  return r;
}

void Dialogue::Impl::finish(Response& r, const Conversation& c) const {
  r.lang = c.lang;
  r.product = c.product;
  r.aspect = c.aspect;
  r.municipality = c.municipality;
  r.person = c.person;
  r.awaiting = c.awaiting;
}

void Dialogue::Impl::offer_products(Response& r, const Conversation& c) const {
  r.quick_replies_label = say("topics_label", c);
  for (const auto& p : options.popular_products) r.quick_replies.push_back({"product:" + p, product_label(p, c.lang)});
}

void Dialogue::Impl::offer_handover(Response& r, Conversation& c, const std::string& why) const {
  r.events.push_back({"handover_offer", why, {{"municipality", about(c)}}});
  r.quick_replies.push_back({"handover", say("handover_button", c), ReplyKind::action});
  if (c.handover == HandoverPhase::none || c.handover == HandoverPhase::ended) c.handover = HandoverPhase::offered;
}

void Dialogue::Impl::add_links(Response& r, const Conversation& c, const json& product) const {
  for (const auto& l : product.value("links", json::array())) {
    const auto url = render({{c.lang, l["url"].get<std::string>()}}, c.lang, about(c));
    if (url.rfind("https://", 0) == 0) r.links.push_back({render(l["title"], c.lang, about(c)), url});
  }
}

// Its sections say what holds for both documents ("welk reisdocument heb ik nodig?", what to bring, how long it is
// valid) or name both where they differ, so one answers instead of asking which one first. A look-up (appointment
// slots, an application's status) needs the one document.
const json* Dialogue::Impl::travel_documents_section(const Conversation& c) const {
  if (c.product != "reisdocument" || !c.aspect) return nullptr;
  const json* section = section_for(sections(*c.product), *c.aspect, c);
  return section && !section->contains("live") ? section : nullptr;
}

// The answer for the current topic, or the question that gets the conversation there.
Response Dialogue::Impl::answer(Conversation& c, const std::string& intent) const {
  Response r = start(c, intent);
  if (!c.product) {
    c.awaiting = Awaiting::product;
    r.text = say("ask_product", c);
    offer_products(r, c);
    return r;
  }
  if (*c.product == "reisdocument") {
    c.awaiting = Awaiting::document;
    r.quick_replies_label = say("documents_label", c);
    r.quick_replies = {{"product:paspoort", product_label("paspoort", c.lang)},
                       {"product:identiteitskaart", product_label("identiteitskaart", c.lang)}};
    // Answered for both where its content can (the two stay one press or word away), else it asks which one.
    if (const json* section = travel_documents_section(c)) {
      r.text = render(*section, c.lang, about(c));
      add_links(r, c, pack["products"][*c.product]);
      r.events.push_back({"feedback_request", "", {}});
    } else {
      r.text = say("ask_document", c);
    }
    return r;
  }
  if (!pack["products"].contains(*c.product)) throw Error("conversation: unknown product '" + *c.product + "'");
  const json& product = pack["products"][*c.product];
  const std::string title = product_title(*c.product, c.lang);
  if (*c.product == "identiteitskaart" && c.country) {
    r.text = country_answer(c);
    c.awaiting = Awaiting::none;
    add_links(r, c, product);
    r.events.push_back({"feedback_request", "", {}});
    return r;
  }
  if (!c.aspect) {
    c.awaiting = Awaiting::aspect;
    r.text = render(product["summary"], c.lang, about(c));
    aspect_buttons(r, c, product, title);
    add_links(r, c, product);
    return r;
  }
  const json* found = section_for(this->sections(*c.product), *c.aspect, c);
  if (!found) {
    c.awaiting = Awaiting::aspect;
    r.text = say("aspect_missing", c, {{"aspect", aspect_label(*c.aspect, c.lang)}, {"product", title}}) + "\n\n" +
             render(product["summary"], c.lang, about(c));
    aspect_buttons(r, c, product, title);
    add_links(r, c, product);
    return r;
  }
  const json& section = *found;
  r.text = render(section, c.lang, about(c));
  c.awaiting = Awaiting::none;
  if (section.contains("live")) live_request(r, c, section["live"].get<std::string>());
  add_links(r, c, product);
  r.events.push_back({"feedback_request", "", {}});
  return r;
}

void Dialogue::Impl::aspect_buttons(Response& r, const Conversation& c, const json& product, const std::string& title) const {
  r.quick_replies_label = say("ask_aspect", c, {{"product", title}});
  for (const auto& a : product.value("common_aspects", json::array()))
    r.quick_replies.push_back({"aspect:" + a.get<std::string>(), aspect_label(a.get<std::string>(), c.lang)});
}

// One press to the rest of the topic, beside an answer about a product (nothing while the dialogue waits for
// anything but an aspect, or a look-up's details after an unsure aspect). Always the aspects the model found likely
// first, then (beside an answer about an aspect) the product's overview, then its common ones, the overview shown
// last: beside the product's summary; beside an answer whose aspect was a guess, as the question "what would you
// like to know?" (one likely aspect alone would leave a wrong guess with a single way on); beside any other answer,
// as "more about <product>". The model's ranking counts only when the aspect answered is its own reading.
void Dialogue::Impl::offer_next_aspects(Response& r, const Conversation& c, const Understanding& u) const {
  // An answer that asks for a look-up's details (an address, an application's reference) leads on only when its
  // aspect was an unsure guess ("melding intrekken" read as its status): one press then reaches what was meant.
  const bool asks_details = c.awaiting == Awaiting::address || c.awaiting == Awaiting::reference || c.awaiting == Awaiting::status_address;
  // "reisdocument" answered about an aspect (answer(): passport and ID card are its first buttons): the next likely
  // aspects follow them, as beside any answer, so that a wrongly read aspect is one press from right here too.
  const bool documents_answered = c.awaiting == Awaiting::document && travel_documents_section(c);
  if (r.intent != "product_vraag" || !c.product ||
      (c.awaiting != Awaiting::none && c.awaiting != Awaiting::aspect && !asks_details && !documents_answered))
    return;
  if (!pack["products"].contains(*c.product)) return;  // a product this pack does not have: nothing to lead on to
  const json& product = pack["products"][*c.product];
  const json& sections = this->sections(*c.product);
  std::vector<std::string> next;
  const auto add = [&](const std::string& aspect) {
    if (aspect != c.aspect && answers(sections, aspect, c) && std::find(next.begin(), next.end(), aspect) == next.end())
      next.push_back(aspect);
  };
  const json common = product.value("common_aspects", json::array());
  const auto add_common = [&](bool overview) {
    if (overview && !options.overview_aspect.empty()) add(options.overview_aspect);
    for (const auto& a : common) add(a.get<std::string>());
  };
  const bool models_reading = c.aspect == u.aspect;
  if (models_reading)
    for (const auto& [aspect, score] : u.aspects)
      if (score >= options.worth_offering && next.size() < options.max_guesses) add(aspect);
  const auto buttons = [&](std::size_t at_most) {
    std::vector<QuickReply> out;
    for (const auto& a : next)
      if (out.size() < at_most) out.push_back({"aspect:" + a, aspect_label(a, c.lang)});
    return out;
  };
  // The overview is chosen before the common aspects but shown after them, as the catch-all: the last aspect button
  // (before another product's).
  const auto overview_last = [&] {
    auto& shown = r.quick_replies;
    const auto overview = std::find_if(shown.begin(), shown.end(),
                                       [&](const QuickReply& b) { return b.id == "aspect:" + options.overview_aspect; });
    const auto aspects_end = std::find_if(overview, shown.end(), [](const QuickReply& b) { return b.id.rfind("aspect:", 0) != 0; });
    if (overview != shown.end()) std::rotate(overview, overview + 1, aspects_end);
  };
  const std::string title = product_title(*c.product, c.lang);
  if (documents_answered) {
    add_common(true);
    const auto aspects = buttons(options.max_guesses);
    r.quick_replies.insert(r.quick_replies.end(), aspects.begin(), aspects.end());
    overview_last();
    r.quick_replies_label = say("documents_or_more", c);
    return;
  }
  if (c.awaiting == Awaiting::aspect) {  // the summary (aspect_buttons named the group already)
    add_common(false);
    const std::size_t at_most = std::max(options.aspect_buttons, common.size());
    r.quick_replies = buttons(at_most);
    offer_other_product(r, c, u, at_most, "ask_aspect_or_other");
    return;
  }
  if (!r.quick_replies.empty() || !c.aspect) return;
  const auto certainty = aspect_certainty(u, c.aspect);
  if (models_reading && (!certainty || *certainty < options.aspect_sure) && !next.empty()) {
    r.quick_replies_label = say("ask_aspect", c, {{"product", title}});
    add_common(true);
    r.quick_replies = buttons(options.max_guesses);
    offer_other_product(r, c, u, options.max_guesses, "ask_aspect_or_other");
    overview_last();
    return;
  }
  if (asks_details) return;
  add_common(true);
  r.quick_replies = buttons(options.related_aspects);
  if (!r.quick_replies.empty()) r.quick_replies_label = say("more_about", c, {{"product", title}});
  offer_other_product(r, c, u, std::max<std::size_t>(options.related_aspects, 1), "more_about_or_other");
  overview_last();
}

const json* section_for(const json& sections, const std::string& aspect, const Conversation& c) {
  if (c.person) {
    if (const auto own = sections.find(aspect + "@" + *c.person); own != sections.end()) return &*own;
  }
  const auto plain = sections.find(aspect);
  return plain == sections.end() ? nullptr : &*plain;
}

bool answers(const json& sections, const std::string& aspect, const Conversation& c) {
  return section_for(sections, aspect, c) != nullptr;
}

std::optional<float> aspect_certainty(const Understanding& u, const std::optional<std::string>& aspect) {
  const auto ranked = std::find_if(u.aspects.begin(), u.aspects.end(), [&](const auto& a) { return a.first == aspect; });
  return ranked == u.aspects.end() ? std::nullopt : std::optional(ranked->second);
}

MessageWords::MessageWords(const Understanding& u) : read(split_words(u.normalized)), typed(read) {
  for (const auto& fix : u.corrections)
    if (fix.word < typed.size()) typed[fix.word] = fix.from;
}

bool MessageWords::says_at(std::size_t at, const std::vector<std::string>& term) const {
  if (at + term.size() > read.size()) return false;
  for (std::size_t i = 0; i < term.size(); ++i)
    if (read[at + i] != term[i] && typed[at + i] != term[i]) return false;
  return true;
}

bool MessageWords::says(const std::vector<std::string>& term) const {
  for (std::size_t at = 0; at < read.size(); ++at)
    if (says_at(at, term)) return true;
  return false;
}

std::vector<std::string> Dialogue::Impl::products_named(const MessageWords& said) const {
  struct Match {
    std::size_t at, size;
    const std::string* product;
  };
  std::vector<Match> matches;  // in the order of `terms`
  for (const auto& [term, product] : terms)
    for (std::size_t at = 0; at < said.read.size(); ++at)
      if (said.says_at(at, term)) matches.push_back({at, term.size(), &product});
  // A term within a longer term of another product names nothing: "uittreksel" in "internationaal uittreksel".
  const auto within_longer = [&](const Match& m) {
    return std::any_of(matches.begin(), matches.end(), [&](const Match& o) {
      return o.size > m.size && o.at <= m.at && m.at + m.size <= o.at + o.size && *o.product != *m.product;
    });
  };
  std::vector<std::string> named;
  for (const auto& m : matches)
    if (!within_longer(m) && std::find(named.begin(), named.end(), *m.product) == named.end()) named.push_back(*m.product);
  return named;
}

std::optional<std::string> Dialogue::Impl::aspect_named(const std::string& product, const MessageWords& said) const {
  for (const auto& t : aspect_terms)
    if (t.product == product && said.says(t.words)) return t.aspect;
  return std::nullopt;
}

std::optional<std::string> Dialogue::Impl::named_by_terms(const MessageWords& said) const {
  auto named = products_named(said);
  if (named.size() != 1) return std::nullopt;  // two products named: the model's reading decides
  return std::move(named.front());
}

// Another product takes the last of at most `at_most` buttons, with the aspect asked about, so that a wrong
// product is one press from the right answer too: one the message names by a term (also beside an answer about
// the topic so far), else one the model found nearly as likely as the one answered ("pasje": identity card, or
// passport?), beside the model's own reading only.
void Dialogue::Impl::offer_other_product(Response& r, const Conversation& c, const Understanding& u, std::size_t at_most,
                                         const char* label) const {
  if (!c.product || at_most == 0) return;
  // "reisdocument" only asks "passport or ID card?": no other product beside an answer about one of the two.
  const bool travel_document = *c.product == "paspoort" || *c.product == "identiteitskaart";
  const auto another = [&](const std::string& p) { return p != *c.product && !(travel_document && p == "reisdocument"); };
  // A product the message names by one of its terms ("vaatwasser": grofvuil) comes first, however unlikely the
  // model found it: the words are the editors', the model may never have seen them.
  const std::optional<std::string> named = named_by_terms(MessageWords(u));  // empty for a pressed button
  std::optional<std::string> other = named;
  if (other && !another(*other)) other.reset();
  // The product a term named won over the model's own: that one is one press away, with the aspect the model read.
  std::optional<std::string> aspect = c.aspect;
  if (!other && named && named == c.product && u.product && another(*u.product)) {
    other = u.product;
    aspect = u.aspect;
  }
  if (!other) {
    // The model's ranking counts beside its own reading only, or beside the product a term named where the model
    // read none ("wat kost een pasje": the ID card, and the passport beside it).
    const bool named_for_the_model = !u.product && named == c.product;
    if (u.product != c.product && !named_for_the_model) return;
    const auto next = std::find_if(u.products.begin(), u.products.end(), [&](const auto& p) { return another(p.first); });
    if (next == u.products.end() || next->second < options.other_product) return;
    other = next->first;
  }
  if (!pack["products"].contains(*other)) return;
  if (r.quick_replies.size() >= at_most) r.quick_replies.resize(at_most - 1);
  std::string text = product_label(*other, c.lang);
  if (aspect) text += ": " + aspect_label(*aspect, c.lang);
  r.quick_replies.push_back({"read:product_vraag:" + *other + ":" + aspect.value_or(""), text});
  r.quick_replies_label = say(label, c, {{"product", product_title(*c.product, c.lang)}});
}

// Live data the browser cannot know: ask for the missing input first, then request it.
void Dialogue::Impl::live_request(Response& r, Conversation& c, const std::string& kind) const {
  Event e{"live_request", kind, {{"municipality", about(c)}}};
  if (c.product) e.params.push_back({"product", *c.product});
  if (kind == "waste_collection") {
    if (!c.postcode || !c.house_number) {
      c.awaiting = Awaiting::address;
      r.text += "\n\n" + say("ask_address", c);
      return;
    }
    e.params.push_back({"postcode", *c.postcode});
    e.params.push_back({"house_number", *c.house_number});
  }
  if (kind == "application_status") {
    status_look_up(r, c, "");
    return;
  }
  r.events.push_back(std::move(e));
}

bool is_reference(std::string_view word) {
  return word.size() >= 4 && word.size() <= 32 && std::all_of(word.begin(), word.end(), [](char x) {
    return (x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || (x >= '0' && x <= '9') || x == '-';
  });
}

namespace {

// The application's reference as the resident typed it ("Z-2026-0042"): the first word with a digit that fits
// the protocol, read from the redacted text so that a BSN or phone number typed beside it is a placeholder and
// never taken. A postcode typed with it ("3011AB", "3011 AB") is the address, not the reference. Empty when there
// is none.
std::string reference_in(std::string_view text, const std::vector<Entity>& entities) {
  std::vector<std::string> postcode_words;  // "3011" and "3011AB" of "3011 AB"
  for (const auto& e : entities)
    if (e.type == "postcode" && e.value.size() == 7) postcode_words.insert(postcode_words.end(), {e.value.substr(0, 4), e.value.substr(0, 4) + e.value.substr(5)});
  const std::string redacted = redact(text).text;
  std::string word;
  for (std::size_t i = 0; i <= redacted.size(); ++i) {
    const char ch = i < redacted.size() ? redacted[i] : ' ';
    if (std::string_view(" \t\n\r,.;:!?()\"'").find(ch) == std::string_view::npos) {
      word += ch;
      continue;
    }
    std::string upper = word;
    for (auto& x : upper) x = static_cast<char>(x >= 'a' && x <= 'z' ? x - 'a' + 'A' : x);
    const bool postcode = std::find(postcode_words.begin(), postcode_words.end(), upper) != postcode_words.end();
    if (!postcode && is_reference(word) && std::any_of(word.begin(), word.end(), [](char x) { return x >= '0' && x <= '9'; }))
      return word;
    word.clear();
  }
  return {};
}

// A house number typed on its own ("12", "12a") when only the house number is missing: the entities take a
// number as a house number only after a postcode or a cue word.
std::optional<std::string> bare_house_number(const std::string& normalized) {
  std::optional<std::string> found;
  std::size_t start = 0;
  while (start <= normalized.size()) {
    auto end = normalized.find(' ', start);
    if (end == std::string::npos) end = normalized.size();
    const auto word = std::string_view(normalized).substr(start, end - start);
    if (dutch::house_number(word)) {
      if (found) return std::nullopt;  // two numbers: which one is meant?
      found = std::string(word);
      for (auto& x : *found) x = static_cast<char>(x >= 'a' && x <= 'z' ? x - 'a' + 'A' : x);
    }
    start = end + 1;
  }
  return found;
}

}  // namespace

// The status look-up needs the reference and, as its second factor, the postcode and house number the
// application was made for. With all three the look-up goes (all three are used for this one request and not
// kept); otherwise the question asks only for what is missing and says why the address is asked.
void Dialogue::Impl::status_look_up(Response& r, Conversation& c, const std::string& reference) const {
  const auto add = [&](const std::string& text) { r.text += (r.text.empty() ? "" : "\n\n") + text; };
  c.reference.reset();
  if (reference.empty()) {
    c.awaiting = Awaiting::reference;
    add(say("ask_reference", c));
    return;
  }
  if (!c.postcode || !c.house_number) {
    c.reference = reference;
    c.awaiting = Awaiting::status_address;
    const char* ask = !c.postcode && !c.house_number ? "ask_status_address" : !c.postcode ? "ask_status_postcode" : "ask_status_house_number";
    add(say(ask, c) + " " + say("status_why", c));
    return;
  }
  c.awaiting = Awaiting::none;
  r.events.push_back({"live_request", "application_status",
                      {{"municipality", about(c)}, {"product", c.product.value_or("")}, {"reference", reference},
                       {"postcode", *c.postcode}, {"house_number", *c.house_number}}});
  // Given for this look-up only (a later waste look-up asks for its own).
  c.postcode.reset();
  c.house_number.reset();
}

// The reply to "what is the number of your application?" or "what are your postcode and house number?"
// (take_entities already kept a postcode and house number it gave). A reference is read only when it was
// asked for; a reply without one says what a reference looks like and keeps waiting for it.
Response Dialogue::Impl::status_details_given(Conversation& c, const Understanding& u) const {
  Response r = start(c, "product_vraag");
  std::string reference = c.reference.value_or("");
  if (c.awaiting == Awaiting::reference) {
    reference = reference_in(u.text, u.entities);
    // "nummer 12" is a wrong reference, not an address; "3011 AB 12" is the address before the reference.
    const bool gave_postcode = std::any_of(u.entities.begin(), u.entities.end(), [](const Entity& e) { return e.type == "postcode"; });
    if (reference.empty() && !gave_postcode) {
      r.text = say("live_invalid_reference", c);
      return r;
    }
  } else if (c.postcode && !c.house_number) {
    c.house_number = bare_house_number(u.normalized);
  }
  status_look_up(r, c, reference);
  return r;
}

std::string Dialogue::Impl::country_answer(const Conversation& c) const {
  const auto& countries = pack["countries"];
  const std::string code = *c.country;
  auto find = [&](const char* table) -> const json* {
    for (const auto& entry : countries[table])
      if (entry["code"] == code) return &entry;
    return nullptr;
  };
  if (const json* e = find("id_card_accepted"))
    return say("id_card_country_yes", c, {{"country", (*e)[c.lang].get<std::string>()}});
  if (const json* e = find("passport_required"))
    return say("id_card_country_passport", c, {{"country", e->contains(c.lang) ? (*e)[c.lang].get<std::string>() : code}}) +
           " " + render((*e)["reason"], c.lang, about(c));
  return say("id_card_country_unknown", c) + " " + render(countries["other_countries"], c.lang, about(c));
}

// Fills the conversation from what the message said; only what changed is replaced.
void Dialogue::Impl::take_entities(Conversation& c, const std::vector<Entity>& entities) const {
  for (const auto& e : entities) {
    if (e.type == "gemeente") c.municipality = e.value;
    else if (e.type == "persoon") c.person = e.value;
    // "terug naar Nederland" is home, not a country abroad: the ID card's country answer would call it one that is
    // not on the list.
    else if (e.type == "land") c.country = e.value == "NL" ? std::nullopt : std::optional(e.value);
    else if (e.type == "postcode") c.postcode = e.value;
    else if (e.type == "huisnummer") c.house_number = e.value;
  }
}

Response Dialogue::Impl::general(Conversation& c, const std::string& intent) const {
  Response r = start(c, intent);
  c.awaiting = Awaiting::none;
  r.text = say(intent, c);
  if (intent == "medewerker") offer_handover(r, c, "asked");
  if (intent == "buiten_bereik" || intent == "hulp") offer_products(r, c);
  r.not_understood = intent == "buiten_bereik";
  if (intent == "afscheid") r.events.push_back({"feedback_request", "nps", {}});
  return r;
}

Response Dialogue::Impl::not_understood(Conversation& c, const Understanding& u) const {
  ++c.failures;
  Response r = start(c, u.intent);
  if (c.failures >= options.misses_before_handover) {
    c.awaiting = Awaiting::none;
    r.text = say("not_understood_again", c);
    r.not_understood = true;
    offer_handover(r, c, "not_understood");
    return r;
  }
  // Offer the likely readings as buttons ("Bedoelt u …?") when they are worth a guess.
  std::vector<QuickReply> guesses;
  std::optional<std::string> first_product;  // of the first guess, when it is a product question
  // Only readings the resident can act on: a product (with its aspect) or a staff member.
  auto add = [&](const std::string& intent, const std::optional<std::string>& product, const std::optional<std::string>& aspect) {
    if (intent == "product_vraag" ? !product : intent != "medewerker") return;
    const std::string id = "read:" + intent + ":" + product.value_or("") + ":" + aspect.value_or("");
    for (const auto& o : guesses)
      if (o.id == id) return;
    if (guesses.empty()) first_product = product;
    guesses.push_back({id, reading_label(product, aspect, c)});
  };
  // A product the message names by one of its terms (always one of this pack's) goes first: the model may never
  // have seen the word.
  if (const auto named = named_by_terms(MessageWords(u))) add("product_vraag", named, aspect_read(u));
  if (u.confidence >= options.too_unsure_to_guess) add(u.intent, u.product, u.aspect);
  for (const auto& a : u.alternatives)
    if (a.confidence >= options.too_unsure_to_guess / 2) add(a.intent, a.product, a.aspect);
  // Unsure but not out of scope: the likeliest products, even when no whole reading is worth a guess.
  if (guesses.empty() && u.known_words > 0 && (u.intent != "buiten_bereik" || u.confidence < options.unsure_below))
    for (const auto& [product, score] : u.products)
      if (score >= options.worth_offering) add("product_vraag", product, aspect_read(u));
  // Room left: the first guess's product with the next aspects the model found likely that its content answers, so
  // a right product with a wrong aspect is one press from the answer too.
  if (first_product && pack["products"].contains(*first_product)) {
    const json& sections = this->sections(*first_product);
    for (const auto& [aspect, score] : u.aspects)
      if (score >= options.worth_offering && guesses.size() < options.max_guesses && answers(sections, aspect, c))
        add("product_vraag", first_product, aspect);
  }
  if (guesses.size() > options.max_guesses) guesses.resize(options.max_guesses);
  if (guesses.empty()) {
    c.awaiting = Awaiting::none;
    r.text = say("not_understood", c);
    r.not_understood = true;
    offer_products(r, c);
    return r;
  }
  // Read as out of scope: it says so first, and the guesses stay for when the model is wrong.
  const bool out_of_scope = u.intent == "buiten_bereik";
  r = ask_which(c, u.intent, guesses, out_of_scope ? "not_understood_guess" : "did_you_mean");
  r.not_understood = out_of_scope;
  return r;
}

Response Dialogue::Impl::ask_which(Conversation& c, const std::string& intent, const std::vector<QuickReply>& guesses,
                                   const std::string& question) const {
  Response r = start(c, intent);
  c.awaiting = Awaiting::did_you_mean;
  c.offered.clear();
  for (const auto& o : guesses) c.offered.push_back(o.id);
  // Two options read well in one question; more make a long sentence of labels (B1), so it names none and the
  // buttons carry them.
  if (guesses.size() > 2) {
    r.text = say(question + "_topics", c);
  } else {
    std::string list;
    for (std::size_t i = 0; i < guesses.size(); ++i) list += (i ? (c.lang == "nl" ? " of " : " or ") : "") + guesses[i].label;
    r.text = say(question, c, {{"options", list}});
  }
  r.quick_replies = guesses;
  r.quick_replies_label = say("did_you_mean_label", c);
  return r;
}

std::string Dialogue::Impl::reading_label(const std::optional<std::string>& product, const std::optional<std::string>& aspect,
                                          const Conversation& c) const {
  std::string label = product ? product_label(*product, c.lang) : say("talk_to_staff", c);
  if (product && aspect) label += ": " + aspect_label(*aspect, c.lang);
  return label;
}

// "ja" to a question with several options ("paspoort of ID-kaart?", "one of these topics?") chooses none of them:
// ask which, with the same buttons, still awaiting the choice.
Response Dialogue::Impl::which_one(Conversation& c, const std::string& intent) const {
  Response r;
  if (c.awaiting == Awaiting::did_you_mean) {
    r = start(c, intent);
    const auto optional = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); };
    for (const auto& id : c.offered) {  // "read:<intent>:<product>:<aspect>", checked when the conversation was loaded
      const auto fields = id_fields(id);
      r.quick_replies.push_back({id, reading_label(optional(fields[2]), optional(fields[3]), c)});
    }
    r.quick_replies_label = say("did_you_mean_label", c);
  } else {
    r = answer(c, intent);  // the product or document question again, with its buttons
  }
  r.text = say("which_one", c);
  return r;
}

// A reading chosen or confirmed: continue as if the message had said it clearly.
Response Dialogue::Impl::apply_reading(Conversation& c, const std::string& intent, const std::optional<std::string>& product,
                                       const std::optional<std::string>& aspect) const {
  c.failures = 0;
  if (intent != "product_vraag") return general(c, intent);
  if (product && product != c.product) {
    c.product = product;
    c.aspect = aspect;
    c.country.reset();
  } else if (aspect) {
    c.aspect = aspect;
  }
  return answer(c, intent);
}

Response Dialogue::Impl::crisis(Conversation& c, const Crisis& crisis) const {
  if (!crisis.lang.empty()) c.lang = crisis.lang;
  Response r = start(c, "crisis");
  r.text = say(crisis.kind == CrisisKind::suicide ? "crisis_suicide" : "crisis_emergency", c);
  return r;
}

}  // namespace gem
