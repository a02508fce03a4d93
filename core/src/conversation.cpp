// The conversation as data: its state saved and restored (and checked against the content pack), and the
// response as the JSON the widget reads.
#include <algorithm>
#include <array>
#include <cmath>

#include "dialogue_impl.h"
#include "gem/redact.h"

namespace gem {
namespace {

constexpr std::array<std::pair<Awaiting, std::string_view>, 9> kAwaitingNames = {{
    {Awaiting::none, "none"}, {Awaiting::document, "document"}, {Awaiting::product, "product"},
    {Awaiting::aspect, "aspect"}, {Awaiting::address, "address"}, {Awaiting::reference, "reference"},
    {Awaiting::did_you_mean, "did_you_mean"}, {Awaiting::consent, "consent"}, {Awaiting::status_address, "status_address"}}};

constexpr std::array<std::pair<HandoverPhase, std::string_view>, 6> kPhaseNames = {{
    {HandoverPhase::none, "none"}, {HandoverPhase::offered, "offered"}, {HandoverPhase::consent, "consent"},
    {HandoverPhase::waiting, "waiting"}, {HandoverPhase::connected, "connected"}, {HandoverPhase::ended, "ended"}}};

template <typename Enum, std::size_t N>
Enum from_name(const std::array<std::pair<Enum, std::string_view>, N>& names, const std::string& s, const char* key) {
  for (const auto& [k, v] : names)
    if (v == s) return k;
  throw Error(std::string("conversation state: unknown ") + key + " '" + s + "'");
}

json optional_json(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }
std::optional<std::string> optional_from(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<std::string>();
}

bool all_of(const std::string& s, bool (*ok)(char)) { return std::all_of(s.begin(), s.end(), ok); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_house_number_char(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == ' '; }

}  // namespace

std::string_view name(Awaiting awaiting) {
  for (const auto& [k, v] : kAwaitingNames)
    if (k == awaiting) return v;
  return "none";
}

std::string_view name(HandoverPhase phase) {
  for (const auto& [k, v] : kPhaseNames)
    if (k == phase) return v;
  return "none";
}

std::string Conversation::to_json() const {
  return json{{"product", optional_json(product)},
              {"aspect", optional_json(aspect)},
              {"municipality", optional_json(municipality)},
              {"person", optional_json(person)},
              {"country", optional_json(country)},
              {"postcode", optional_json(postcode)},
              {"house_number", optional_json(house_number)},
              {"reference", optional_json(reference)},
              {"lang", lang},
              {"turns", turns},
              {"failures", failures},
              {"awaiting", name(awaiting)},
              {"offered", offered},
              {"handover", name(handover)},
              {"privacy_noted", privacy_noted}}
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
    c.reference = optional_from(j, "reference");
    c.lang = j.value("lang", "nl") == "en" ? "en" : "nl";
    c.turns = j.value("turns", 0);
    c.failures = j.value("failures", 0);
    // "pending": the name in conversations saved before the state said what the assistant awaits.
    c.awaiting = from_name(kAwaitingNames, j.value("awaiting", j.value("pending", "none")), "awaiting");
    c.offered = j.value("offered", std::vector<std::string>{});
    c.handover = from_name(kPhaseNames, j.value("handover", "none"), "handover phase");
    c.privacy_noted = j.value("privacy_noted", std::vector<std::string>{});
    return c;
  } catch (const json::exception& e) {
    throw Error(std::string("conversation state: ") + e.what());
  }
}

void Dialogue::validate(const Conversation& c) const {
  const auto& pack = impl_->pack;
  const auto fail = [](const char* key, const std::string& value, const std::string& expected) {
    throw Error(std::string("conversation state: '") + key + "' is '" + value + "', expected " + expected);
  };
  const auto check_product = [&](const char* key, const std::string& p) {
    if (!pack["products"].contains(p)) fail(key, p, "a product of the content pack");
  };
  const auto check_aspect = [&](const char* key, const std::string& a) {
    if (!pack["dialogue"]["aspects"].contains(a)) fail(key, a, "an aspect of the content pack");
  };
  if (c.product) check_product("product", *c.product);
  if (c.aspect) check_aspect("aspect", *c.aspect);
  if (c.person && *c.person != "kind" && *c.person != "partner") fail("person", *c.person, "kind or partner");
  if (c.municipality && !impl_->names.count(*c.municipality)) fail("municipality", *c.municipality, "a CBS code (GM0599)");
  if (c.country && (c.country->size() != 2 || !all_of(*c.country, is_upper))) fail("country", *c.country, "an ISO code (DE)");
  if (c.postcode && (c.postcode->size() != 7 || !all_of(c.postcode->substr(0, 4), is_digit) || (*c.postcode)[4] != ' ' ||
                     !all_of(c.postcode->substr(5), is_upper)))
    fail("postcode", *c.postcode, "a postcode (1234 AB)");
  if (c.house_number && (c.house_number->empty() || c.house_number->size() > 12 || !all_of(*c.house_number, is_house_number_char)))
    fail("house_number", *c.house_number, "a house number (12A)");
  // The reference is kept only while the status look-up waits for the address that goes with it.
  if (c.reference && !is_reference(*c.reference)) fail("reference", *c.reference, "an application reference (Z-2026-0042)");
  if (c.reference && c.awaiting != Awaiting::status_address)
    fail("reference", *c.reference, "no reference unless awaiting status_address");
  if (!c.reference && c.awaiting == Awaiting::status_address)
    fail("awaiting", "status_address", "a reference with it");
  for (const auto& id : c.offered) {
    const auto parts = id_fields(id);  // "read:<intent>:<product>:<aspect>"
    if (parts.size() != 4 || parts[0] != "read" || (parts[1] != "product_vraag" && parts[1] != "medewerker"))
      fail("offered", id, "read:<product_vraag|medewerker>:<product>:<aspect>");
    if (!parts[2].empty()) check_product("offered", parts[2]);
    if (!parts[3].empty()) check_aspect("offered", parts[3]);
    if (parts[1] == "product_vraag" && parts[2].empty()) fail("offered", id, "a product for a product question");
  }
  for (const auto& kind : c.privacy_noted)
    if (std::none_of(std::begin(kAllPiiKinds), std::end(kAllPiiKinds), [&](PiiKind k) { return name(k) == kind; }))
      fail("privacy_noted", kind, "a kind of personal data (bsn, phone, …)");
}

namespace {
// The numeric options by name: fractions (0 to 1) and counts, as from_json reads and to_json writes them.
template <typename Options, typename Float, typename Count>
void each_numeric_option(Options& o, Float&& fraction, Count&& count) {
  fraction("too_unsure_to_guess", o.too_unsure_to_guess);
  fraction("topic_intent", o.topic_intent);
  fraction("switch_product", o.switch_product);
  fraction("switch_product_pointing_back", o.switch_product_pointing_back);
  fraction("switch_product_current_plausible", o.switch_product_current_plausible);
  fraction("plausible", o.plausible);
  fraction("asked_about", o.asked_about);
  fraction("asked_about_unsure", o.asked_about_unsure);
  fraction("unsure_below", o.unsure_below);
  fraction("worth_offering", o.worth_offering);
  fraction("aspect_sure", o.aspect_sure);
  fraction("second_product", o.second_product);
  fraction("two_products_first", o.two_products_first);
  fraction("other_product", o.other_product);
  fraction("named_product_wins", o.named_product_wins);
  count("max_guesses", o.max_guesses);
  count("short_question_words", o.short_question_words);
  count("context_only_extra_words", o.context_only_extra_words);
  count("language_switch_extra_words", o.language_switch_extra_words);
  count("related_aspects", o.related_aspects);
  count("aspect_buttons", o.aspect_buttons);
}
}  // namespace

DialogueOptions DialogueOptions::from_json(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(std::string("dialogue options: ") + e.what());
  }
  if (!j.is_object()) throw Error("dialogue options: expected a JSON object of numbers");
  DialogueOptions o;
  for (const auto& item : j.items()) {
    const std::string& key = item.key();  // (not a structured binding: the lambdas below capture it)
    const json& value = item.value();
    const auto where = "dialogue options: '" + key + "': ";
    if (key == "misses_before_handover") {
      if (!value.is_number_integer() || value.get<int>() < 1) throw Error(where + "expected a whole number of at least 1");
      o.misses_before_handover = value.get<int>();
      continue;
    }
    bool known = false;
    each_numeric_option(
        o,
        [&](std::string_view name, float& field) {
          if (name != key) return;
          if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1)
            throw Error(where + "expected a number from 0 to 1");
          field = value.get<float>();
          known = true;
        },
        [&](std::string_view name, std::size_t& field) {
          if (name != key) return;
          if (!value.is_number_unsigned()) throw Error(where + "expected a whole number of at least 0");
          field = value.get<std::size_t>();
          known = true;
        });
    if (!known) throw Error(where + "not a numeric option of DialogueOptions");
  }
  return o;
}

std::string DialogueOptions::to_json() const {
  json j = {{"misses_before_handover", misses_before_handover}};
  // Rounded to six decimals, so that 0.4f is written 0.4 (not 0.4000000059604645).
  each_numeric_option(
      *this, [&](std::string_view name, const float& field) { j[std::string(name)] = std::round(field * 1e6) / 1e6; },
      [&](std::string_view name, const std::size_t& field) { j[std::string(name)] = field; });
  return j.dump();
}

std::string to_json(const Response& r) {
  json replies = json::array();
  for (const auto& q : r.quick_replies)
    replies.push_back({{"id", q.id}, {"label", q.label}, {"kind", q.kind == ReplyKind::action ? "action" : "dialogue"}});
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
              {"awaiting", name(r.awaiting)},
              {"topic", {{"product", optional_json(r.product)},
                         {"aspect", optional_json(r.aspect)},
                         {"municipality", optional_json(r.municipality)},
                         {"person", optional_json(r.person)}}}};
  if (!r.items.empty()) out["items"] = r.items;
  if (r.plain) out["plain"] = true;
  if (r.not_understood) out["not_understood"] = true;
  if (!r.quick_replies_label.empty()) out["quick_replies_label"] = r.quick_replies_label;
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace gem
