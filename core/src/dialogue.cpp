// The dialogue manager: context carry-over, clarification, fallbacks and answers from the content pack.
#include "gem/dialogue.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "entities.h"
#include "safety.h"
#include "templates.h"

namespace gem {
namespace {

using nlohmann::json;

constexpr int kMissesBeforeHandover = 2;
constexpr float kTooUnsureToGuess = 0.15f;  // below this, alternatives are noise: ask to rephrase

const std::vector<std::pair<Pending, std::string>> kPendingNames = {
    {Pending::none, "none"}, {Pending::document, "document"}, {Pending::product, "product"},
    {Pending::aspect, "aspect"}, {Pending::address, "address"}, {Pending::reference, "reference"},
    {Pending::did_you_mean, "did_you_mean"}};

std::string pending_name(Pending p) {
  for (const auto& [k, v] : kPendingNames)
    if (k == p) return v;
  return "none";
}

Pending pending_from(const std::string& s) {
  for (const auto& [k, v] : kPendingNames)
    if (v == s) return k;
  throw Error("conversation state: unknown pending question '" + s + "'");
}

json optional_json(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }
std::optional<std::string> optional_from(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<std::string>();
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string w;
  for (char ch : text + " ") {
    if (ch == ' ') {
      if (!w.empty()) words.push_back(w);
      w.clear();
    } else {
      w += ch;
    }
  }
  return words;
}

// Words taken by entities (a postcode is two): these say nothing about the language.
std::size_t entity_words(const Understanding& u) {
  std::size_t n = 0;
  for (const auto& e : u.entities) n += e.type == "postcode" ? 2 : 1;
  return n;
}

// Popular topics offered when the assistant does not know what the resident wants.
const std::vector<std::string> kPopular = {"paspoort", "identiteitskaart", "verhuizing", "afval", "parkeervergunning"};

}  // namespace

std::string Conversation::to_json() const {
  return json{{"product", optional_json(product)},
              {"aspect", optional_json(aspect)},
              {"municipality", optional_json(municipality)},
              {"person", optional_json(person)},
              {"country", optional_json(country)},
              {"postcode", optional_json(postcode)},
              {"house_number", optional_json(house_number)},
              {"lang", lang},
              {"turns", turns},
              {"failures", failures},
              {"pending", pending_name(pending)},
              {"offered", offered}}
      .dump();
}

Conversation Conversation::from_json(std::string_view text) {
  try {
    const auto j = json::parse(text);
    Conversation c;
    c.product = optional_from(j, "product");
    c.aspect = optional_from(j, "aspect");
    c.municipality = optional_from(j, "municipality");
    c.person = optional_from(j, "person");
    c.country = optional_from(j, "country");
    c.postcode = optional_from(j, "postcode");
    c.house_number = optional_from(j, "house_number");
    c.lang = j.value("lang", "nl") == "en" ? "en" : "nl";
    c.turns = j.value("turns", 0);
    c.failures = j.value("failures", 0);
    c.pending = pending_from(j.value("pending", "none"));
    c.offered = j.value("offered", std::vector<std::string>{});
    return c;
  } catch (const json::exception& e) {
    throw Error(std::string("conversation state: ") + e.what());
  }
}

struct Dialogue::Impl {
  json pack;
  std::string home;
  Tone tone;
  std::map<std::string, std::string> names;  // CBS code → official name

  Impl(std::string_view pack_json, std::string_view municipalities_tsv, std::string_view municipality) {
    try {
      pack = json::parse(pack_json);
    } catch (const json::parse_error& e) {
      throw Error(std::string("content pack: ") + e.what());
    }
    for (const char* key : {"municipality", "tone", "products", "dialogue", "countries", "variables"})
      if (!pack.contains(key)) throw Error(std::string("content pack: missing '") + key + "' (build it with scripts/gem content build)");
    tone = pack["tone"] == "je" ? Tone::informal : Tone::formal;
    for (const auto& row : parse_tsv(municipalities_tsv, "gemeenten.tsv", 2)) {
      auto name = row[1];
      if (auto paren = name.find(" ("); paren != std::string::npos) name = name.substr(0, paren);
      names[row[0]] = name;
    }
    home = pack["municipality"].get<std::string>();
    if (home == "generic") {
      home = std::string(municipality);
      if (!names.count(home)) throw Error("content pack is generic: expected the site's municipality code, got '" + home + "'");
    } else if (!municipality.empty() && municipality != home) {
      throw Error("content pack is for " + home + ", not " + std::string(municipality));
    }
  }

  // Variables for the municipality the answer is about: its own values when it is this site's
  // municipality, otherwise the national fallbacks with its name.
  std::optional<std::string> variable(const std::string& name, const std::string& lang, const std::string& municipality) const {
    const auto& vars = pack["variables"];
    if (municipality == home && vars["home"].contains(name)) return vars["home"][name][lang].get<std::string>();
    if (name == "name") {
      auto it = names.find(municipality);
      if (it != names.end()) return (lang == "nl" ? "de gemeente " : "the municipality of ") + it->second;
    }
    if (vars["fallback"].contains(name)) return vars["fallback"][name][lang].get<std::string>();
    return std::nullopt;
  }

  std::string render(const json& text, const std::string& lang, const std::string& municipality,
                     const std::map<std::string, std::string>& slots = {}) const {
    if (!text.is_object() || !text.contains(lang)) return {};
    return render_template(text[lang].get<std::string>(), tone, [&](std::string_view name) -> std::optional<std::string> {
      if (auto it = slots.find(std::string(name)); it != slots.end()) return it->second;
      return variable(std::string(name), lang, municipality);
    });
  }

  std::string say(const std::string& key, const Conversation& c, const std::map<std::string, std::string>& slots = {}) const {
    return render(pack["dialogue"][key], c.lang, about(c), slots);
  }

  std::string about(const Conversation& c) const { return c.municipality.value_or(home); }

  std::string product_label(const std::string& product, const std::string& lang) const {
    const auto& p = pack["dialogue"]["products"];
    return p.contains(product) ? p[product][lang].get<std::string>() : product;
  }
  std::string aspect_label(const std::string& aspect, const std::string& lang) const {
    const auto& a = pack["dialogue"]["aspects"];
    return a.contains(aspect) ? a[aspect][lang].get<std::string>() : aspect;
  }
  std::string product_title(const std::string& product, const std::string& lang) const {
    const auto& p = pack["products"];
    return p.contains(product) ? p[product]["title"][lang].get<std::string>() : product;
  }

  Response start(Conversation& c, std::string intent) const {
    Response r;
    r.lang = c.lang;
    r.intent = std::move(intent);
    return r;
  }

  void finish(Response& r, const Conversation& c) const {
    r.product = c.product;
    r.aspect = c.aspect;
    r.municipality = c.municipality;
    r.person = c.person;
  }

  void offer_products(Response& r, const Conversation& c) const {
    r.quick_replies_label = c.lang == "nl" ? "Onderwerpen" : "Topics";
    for (const auto& p : kPopular) r.quick_replies.push_back({"product:" + p, product_label(p, c.lang)});
  }

  void offer_handover(Response& r, const Conversation& c, const std::string& why) const {
    r.events.push_back({"handover_offer", why, {{"municipality", about(c)}}});
    r.quick_replies.push_back({"handover", c.lang == "nl" ? "Chat met een medewerker" : "Chat with a staff member"});
  }

  void add_links(Response& r, const Conversation& c, const json& product) const {
    for (const auto& l : product.value("links", json::array())) {
      const auto url = render({{c.lang, l["url"].get<std::string>()}}, c.lang, about(c));
      if (url.rfind("https://", 0) == 0) r.links.push_back({render(l["title"], c.lang, about(c)), url});
    }
  }

  // The answer for the current topic, or the question that gets the conversation there.
  Response answer(Conversation& c, const std::string& intent) const {
    Response r = start(c, intent);
    if (!c.product) {
      c.pending = Pending::product;
      r.text = say("ask_product", c);
      offer_products(r, c);
      return r;
    }
    if (*c.product == "reisdocument") {
      c.pending = Pending::document;
      r.text = say("ask_document", c);
      r.quick_replies_label = c.lang == "nl" ? "Documenten" : "Documents";
      r.quick_replies = {{"product:paspoort", product_label("paspoort", c.lang)},
                         {"product:identiteitskaart", product_label("identiteitskaart", c.lang)}};
      return r;
    }
    const json& product = pack["products"][*c.product];
    const std::string title = product_title(*c.product, c.lang);
    if (*c.product == "identiteitskaart" && c.country) {
      r.text = country_answer(c);
      c.pending = Pending::none;
      add_links(r, c, product);
      r.events.push_back({"feedback_request", "", {}});
      return r;
    }
    if (!c.aspect) {
      c.pending = Pending::aspect;
      r.text = render(product["summary"], c.lang, about(c));
      aspect_buttons(r, c, product, title);
      add_links(r, c, product);
      return r;
    }
    const json& sections = product["sections"];
    const std::string key = c.person && sections.contains(*c.aspect + "@" + *c.person) ? *c.aspect + "@" + *c.person : *c.aspect;
    if (!sections.contains(key)) {
      c.pending = Pending::aspect;
      r.text = say("aspect_missing", c, {{"aspect", aspect_label(*c.aspect, c.lang)}, {"product", title}}) + "\n\n" +
               render(product["summary"], c.lang, about(c));
      aspect_buttons(r, c, product, title);
      add_links(r, c, product);
      return r;
    }
    const json& section = sections[key];
    r.text = render(section, c.lang, about(c));
    c.pending = Pending::none;
    if (section.contains("live")) live_request(r, c, section["live"].get<std::string>());
    add_links(r, c, product);
    r.events.push_back({"feedback_request", "", {}});
    return r;
  }

  void aspect_buttons(Response& r, const Conversation& c, const json& product, const std::string& title) const {
    r.quick_replies_label = say("ask_aspect", c, {{"product", title}});
    for (const auto& a : product.value("common_aspects", json::array()))
      r.quick_replies.push_back({"aspect:" + a.get<std::string>(), aspect_label(a.get<std::string>(), c.lang)});
  }

  // Live data the browser cannot know: ask for the missing input first, then request it.
  void live_request(Response& r, Conversation& c, const std::string& kind) const {
    Event e{"live_request", kind, {{"municipality", about(c)}}};
    if (c.product) e.params.push_back({"product", *c.product});
    if (kind == "waste_collection") {
      if (!c.postcode || !c.house_number) {
        c.pending = Pending::address;
        r.text += "\n\n" + say("ask_address", c);
        return;
      }
      e.params.push_back({"postcode", *c.postcode});
      e.params.push_back({"huisnummer", *c.house_number});
    }
    if (kind == "application_status") {
      c.pending = Pending::reference;
      r.text += "\n\n" + say("ask_reference", c);
      return;
    }
    r.events.push_back(std::move(e));
  }

  std::string country_answer(const Conversation& c) const {
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

  // Thoughts of suicide or an emergency: the crisis numbers first and nothing else; the topic stays.
  Response crisis(Conversation& c, const Crisis& crisis) const {
    if (!crisis.lang.empty()) c.lang = crisis.lang;
    Response r = start(c, "crisis");
    r.text = say(crisis.kind == CrisisKind::suicide ? "crisis_suicide" : "crisis_emergency", c);
    return r;
  }

  // Fills the conversation from what the message said; only what changed is replaced.
  void take_entities(Conversation& c, const std::vector<Entity>& entities) const {
    for (const auto& e : entities) {
      if (e.type == "gemeente") c.municipality = e.value;
      else if (e.type == "persoon") c.person = e.value;
      else if (e.type == "land") c.country = e.value;
      else if (e.type == "postcode") c.postcode = e.value;
      else if (e.type == "huisnummer") c.house_number = e.value;
    }
  }

  Response general(Conversation& c, const std::string& intent) const {
    Response r = start(c, intent);
    c.pending = Pending::none;
    r.text = say(intent, c);
    if (intent == "medewerker") offer_handover(r, c, "asked");
    if (intent == "buiten_bereik" || intent == "hulp") offer_products(r, c);
    if (intent == "afscheid") r.events.push_back({"feedback_request", "nps", {}});
    return r;
  }

  Response not_understood(Conversation& c, const Understanding& u) const {
    ++c.failures;
    Response r = start(c, u.intent);
    if (c.failures >= kMissesBeforeHandover) {
      c.pending = Pending::none;
      r.text = say("not_understood_again", c);
      offer_handover(r, c, "not_understood");
      return r;
    }
    // Offer the likely readings as buttons ("Bedoelt u …?") when they are worth a guess.
    std::vector<QuickReply> options;
    // Only readings the resident can act on: a product (with its aspect) or a staff member.
    auto add = [&](const std::string& intent, const std::optional<std::string>& product, const std::optional<std::string>& aspect) {
      if (intent == "product_vraag" ? !product : intent != "medewerker") return;
      const std::string id = "read:" + intent + ":" + product.value_or("") + ":" + aspect.value_or("");
      for (const auto& o : options)
        if (o.id == id) return;
      std::string label = product ? product_label(*product, c.lang)
                                  : (c.lang == "nl" ? "Een medewerker spreken" : "Talk to a staff member");
      if (product && aspect) label += ": " + aspect_label(*aspect, c.lang);
      options.push_back({id, label});
    };
    if (u.confidence >= kTooUnsureToGuess) add(u.intent, u.product, u.aspect);
    for (const auto& a : u.alternatives)
      if (a.confidence >= kTooUnsureToGuess / 2) add(a.intent, a.product, a.aspect);
    if (options.size() > 3) options.resize(3);
    if (options.empty()) {
      c.pending = Pending::none;
      r.text = say("not_understood", c);
      offer_products(r, c);
      return r;
    }
    std::string list;
    for (std::size_t i = 0; i < options.size(); ++i)
      list += (i ? (i + 1 == options.size() ? (c.lang == "nl" ? " of " : " or ") : ", ") : "") + options[i].label;
    c.pending = Pending::did_you_mean;
    c.offered.clear();
    for (const auto& o : options) c.offered.push_back(o.id);
    r.text = say("did_you_mean", c, {{"options", list}});
    r.quick_replies = options;
    r.quick_replies_label = c.lang == "en" ? "Do you mean" : tone == Tone::formal ? "Bedoelt u" : "Bedoel je";
    return r;
  }

  // A reading chosen or confirmed: continue as if the message had said it clearly.
  Response apply_reading(Conversation& c, const std::string& intent, const std::optional<std::string>& product,
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
};

Dialogue::Dialogue(std::string_view pack_json, std::string_view municipalities_tsv, std::string_view municipality)
    : impl_(std::make_unique<Impl>(pack_json, municipalities_tsv, municipality)) {}
Dialogue::~Dialogue() = default;
Dialogue::Dialogue(Dialogue&&) noexcept = default;
Dialogue& Dialogue::operator=(Dialogue&&) noexcept = default;

const std::string& Dialogue::home_municipality() const { return impl_->home; }

Response Dialogue::welcome(Conversation& c) const {
  Response r = impl_->start(c, "welcome");
  r.text = impl_->say("welcome", c);
  impl_->offer_products(r, c);
  impl_->finish(r, c);
  return r;
}

Response Dialogue::respond(Conversation& c, const Understanding& u) const {
  const auto& I = *impl_;
  ++c.turns;
  if (const auto danger = detect_crisis(u.text); danger.kind != CrisisKind::none) {
    Response r = I.crisis(c, danger);
    I.finish(r, c);
    return r;
  }
  const auto words = split_words(u.normalized);
  // Short replies ("ok", "paspoort", "3012 CL 40"), unsure readings and gibberish (no word the lexicon
  // knows) say little about the language: keep the conversation's unless this is its first message.
  if (!u.low_confidence && u.known_words > 0 && (c.turns == 1 || words.size() >= entity_words(u) + 3)) c.lang = u.lang;
  I.take_entities(c, u.entities);
  // "en een id-kaart?", "and for a child?": a follow-up that names a new product keeps the aspect.
  const auto in = [](const std::string& w, std::initializer_list<std::string_view> set) {
    return std::find(set.begin(), set.end(), w) != set.end();
  };
  const bool follow_up = !words.empty() && in(words[0], {"en", "and", "ook", "what"});
  // A question about an aspect without a (sure) product continues the current topic: "hoe lang duurt dat?".
  // So does a short question that points back ("kost dat iets?") or that the model also read as being
  // about the current product: a new product must be named clearly to switch the topic.
  const auto has = [&](std::initializer_list<std::string_view> set) {
    return std::any_of(words.begin(), words.end(), [&](const std::string& w) { return in(w, set); });
  };
  // "zo'n kaart", "daarvoor": refers to what was discussed, whatever else the words suggest.
  const bool refers_back = has({"zon", "zulke", "zulk", "daarvoor", "ervoor", "hiervoor", "such"});
  const bool points_back = refers_back || has({"dat", "die", "deze", "dit", "daar", "it", "that", "this", "one"});
  const bool current_plausible = std::any_of(u.alternatives.begin(), u.alternatives.end(), [&](const Alternative& a) {
    return a.product == c.product && a.confidence >= 0.01f;
  });
  const bool short_question = words.size() <= 8;
  const bool continues_topic =
      c.product && u.intent == "product_vraag" && u.aspect && u.intent_confidence >= 0.5f &&
      (!u.product || u.product == c.product || u.product_confidence < 0.6f ||
       (short_question && (refers_back || (points_back && u.product_confidence < 0.995f) ||
                           (current_plausible && u.product_confidence < 0.9f))));
  // "kost dat iets?" read as "yes" first and a product question second: the question about the topic wins.
  const auto asked_about = std::find_if(u.alternatives.begin(), u.alternatives.end(), [](const Alternative& a) {
    return a.intent == "product_vraag" && !a.product && a.aspect;
  });
  const bool question_about_topic =
      c.product && u.intent != "product_vraag" && points_back && short_question && asked_about != u.alternatives.end() &&
      (asked_about->confidence >= 0.25f || (u.low_confidence && asked_about->confidence >= 0.1f));
  // "en in Utrecht?", "and the UK?", "en naar Spanje?": only the context changes, whatever the classifier made
  // of so few words.
  const bool context_only = c.product && follow_up && !u.entities.empty() && words.size() <= entity_words(u) + 3;

  Response r;
  const bool has_address = c.postcode && c.house_number;
  if (c.pending == Pending::address && has_address && c.product) {
    r = I.answer(c, "product_vraag");
  } else if (c.pending == Pending::reference && !u.normalized.empty() && u.intent != "ontkennen" &&
             std::any_of(u.normalized.begin(), u.normalized.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    // The reference number is used for this one look-up and not kept in the conversation.
    r = I.start(c, "product_vraag");
    Event e{"live_request", "application_status", {{"municipality", I.about(c)}, {"product", c.product.value_or("")}}};
    std::string reference;  // the words with digits: "mijn nummer is Z-2026-0042" → "2026 0042"
    for (const auto& w : words)
      if (std::any_of(w.begin(), w.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        reference += (reference.empty() ? "" : " ") + w;
    e.params.push_back({"reference", reference});
    r.events.push_back(std::move(e));
    c.pending = Pending::none;
  } else if (c.pending == Pending::did_you_mean && u.intent == "bevestigen" && !c.offered.empty()) {
    const std::string id = c.offered.front();
    c.offered.clear();
    r = choose(c, id);
    --c.turns;  // choose() does not count a turn; this message already did
    return r;
  } else if (context_only) {
    c.failures = 0;
    r = I.answer(c, "product_vraag");
  } else if (question_about_topic) {
    c.failures = 0;
    c.aspect = asked_about->aspect;
    r = I.answer(c, "product_vraag");
  } else if (continues_topic && (u.low_confidence || u.product != c.product)) {
    c.failures = 0;
    c.aspect = u.aspect;
    r = I.answer(c, u.intent);
  } else if (u.intent == "product_vraag" && !u.low_confidence) {
    c.failures = 0;
    if (u.product && u.product != c.product) {
      // A new product switches the topic, unless it answers "which product?" or "passport or ID card?", or
      // is a follow-up ("en een id-kaart?"): then the aspect asked about stays.
      const bool completes = c.pending == Pending::product || c.pending == Pending::document || follow_up;
      c.product = u.product;
      c.aspect = u.aspect ? u.aspect : completes ? c.aspect : std::nullopt;
      if (std::none_of(u.entities.begin(), u.entities.end(), [](const Entity& e) { return e.type == "land"; })) c.country.reset();
    } else if (u.aspect) {
      c.aspect = u.aspect;
    }
    r = I.answer(c, u.intent);
  } else if (u.intent == "buiten_bereik" || u.low_confidence) {
    r = I.not_understood(c, u);
  } else {
    c.failures = 0;
    r = I.general(c, u.intent);
  }
  if (u.truncated) r.text = I.say("truncated", c) + "\n\n" + r.text;
  r.lang = c.lang;
  I.finish(r, c);
  return r;
}

Response Dialogue::choose(Conversation& c, std::string_view id) const {
  const auto& I = *impl_;
  const std::string button(id);
  Response r;
  auto field = [&](std::size_t n) {  // n-th ':'-separated field
    std::size_t start = 0;
    for (std::size_t i = 0; i < n; ++i) start = button.find(':', start) + 1;
    const auto end = button.find(':', start);
    return button.substr(start, end == std::string::npos ? std::string::npos : end - start);
  };
  const auto optional = [](std::string s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); };
  const auto& products = I.pack["products"];
  if (button.rfind("product:", 0) == 0 && (products.contains(field(1)) || field(1) == "reisdocument")) {
    const auto product = field(1);
    // Answering "which product?" or "passport or ID card?" keeps the aspect that was asked about.
    const auto aspect = c.pending == Pending::document || c.pending == Pending::product ? c.aspect : std::nullopt;
    c.product.reset();
    r = I.apply_reading(c, "product_vraag", product, aspect);
  } else if (button.rfind("aspect:", 0) == 0) {
    r = I.apply_reading(c, "product_vraag", c.product, field(1));
  } else if (button.rfind("read:", 0) == 0) {
    c.offered.clear();
    r = I.apply_reading(c, field(1), optional(field(2)), optional(field(3)));
  } else if (button == "handover") {
    r = I.general(c, "medewerker");
  } else {
    r = I.start(c, "unknown_button");
    r.text = I.say("not_understood", c);
    I.offer_products(r, c);
  }
  I.finish(r, c);
  return r;
}

std::string to_json(const Response& r) {
  json replies = json::array();
  for (const auto& q : r.quick_replies) replies.push_back({{"id", q.id}, {"label", q.label}});
  json links = json::array();
  for (const auto& l : r.links) links.push_back({{"title", l.title}, {"url", l.url}});
  json events = json::array();
  for (const auto& e : r.events) {
    json ev = {{"type", e.type}};
    if (!e.kind.empty()) ev["kind"] = e.kind;
    if (!e.params.empty()) {
      ev["params"] = json::object();
      for (const auto& [k, v] : e.params) ev["params"][k] = v;
    }
    events.push_back(ev);
  }
  json out = {{"lang", r.lang},
              {"text", r.text},
              {"quick_replies", replies},
              {"links", links},
              {"events", events},
              {"intent", r.intent},
              {"topic", {{"product", optional_json(r.product)},
                         {"aspect", optional_json(r.aspect)},
                         {"municipality", optional_json(r.municipality)},
                         {"person", optional_json(r.person)}}}};
  if (!r.quick_replies_label.empty()) out["quick_replies_label"] = r.quick_replies_label;
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace gem
