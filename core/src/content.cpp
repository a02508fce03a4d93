#include "gem/content.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "templates.h"
#include "text.h"

namespace gem {
namespace {

using nlohmann::json;

const std::set<std::string> kLiveKinds = {"appointment_slots", "opening_hours", "waste_collection",
                                          "application_status"};
const std::set<std::string> kPersons = {"kind", "partner"};
// Filled by the dialogue at answer time, never declared as variables.
const std::set<std::string> kDialogueSlots = {"product", "aspect", "options", "country", "kinds", "number", "count",
                                              "minutes", "position", "agent", "address", "reference", "date", "understood"};
// Filled by the widget in the panel's own texts (content/widget.yml).
const std::set<std::string> kUiSlots = {"municipality", "score", "agent"};

const std::vector<std::string> kDialogueKeys = {
    "welcome", "begroeting", "afscheid", "bedankt", "hulp", "bot_vraag", "buiten_bereik", "klacht", "medewerker",
    "bevestigen", "ontkennen", "ask_product", "ask_document", "ask_aspect", "did_you_mean", "did_you_mean_topics",
    "which_one", "not_understood", "not_understood_guess", "not_understood_guess_topics", "not_understood_again",
    "handover_offer", "handover_closed", "aspect_missing", "ask_address",
    "ask_reference",
    "ask_status_address", "ask_status_postcode", "ask_status_house_number", "status_why",
    "live_unavailable", "feedback", "truncated", "pii_warning", "new_conversation", "id_card_country_yes",
    "id_card_country_passport", "id_card_country_unknown", "crisis_suicide", "crisis_emergency",
    // what the widget's moments sound like (core/src/moments.cpp, core/src/live_text.cpp)
    "pii_agent", "live_not_connected", "offline", "live_not_found_reference", "live_not_found_reference_unnamed", "live_unknown_municipality",
    "live_invalid", "live_invalid_postcode", "live_invalid_house_number", "live_invalid_reference", "live_busy",
    "live_open_now", "live_closed_now", "live_phone", "live_hours", "live_closed_day", "live_slots", "live_no_slots",
    "live_book_appointment", "live_waste", "live_no_collections", "live_application", "live_updated",
    "handover_button", "talk_to_staff", "handover_unavailable", "handover_no_agent", "handover_failed", "handover_call",
    "handover_contact_form", "handover_callback", "handover_available", "handover_queue_none", "handover_queue_one",
    "handover_queue_many", "handover_wait_one", "handover_wait_many", "handover_consent", "handover_consent_explain",
    "handover_consent_yes", "handover_consent_no", "handover_connecting", "handover_queued", "handover_left_one",
    "handover_left_many", "handover_agent_joined", "handover_agent", "handover_typing", "handover_agent_left",
    "handover_reconnecting", "handover_reconnected", "handover_ended_agent_ended", "handover_ended_resident_ended",
    "handover_ended_cancelled", "handover_ended_no_agent", "handover_ended_closed", "handover_ended_busy", "handover_ended_shutdown",
    "topics_label", "documents_label", "documents_or_more", "did_you_mean_label", "more_about", "more_about_or_other", "ask_aspect_or_other",
    // the offer to share one question (a consented sample)
    "sample_offer", "sample_understood", "sample_guessed", "sample_understood_nothing"};

// The panel's own texts every content set must provide (content/widget.yml).
const std::vector<std::string> kUiKeys = {
    "subtitle_of", "subtitle", "close", "new_conversation", "other_language", "transcript", "bot", "user", "notice", "agent",
    "agent_from", "input_label", "input_hint", "send", "privacy", "waiting", "thinking", "not_sent", "retry", "choices",
    "links", "external", "read_aloud", "stop_reading", "feedback_yes", "feedback_no", "feedback_thanks", "nps",
    "nps_scale", "nps_thanks", "live_loading", "handover_checking", "cancel_queue", "end_chat",
    "sample_text", "sample_explain", "sample_share", "sample_decline", "sample_sending", "sample_sent",
    "sample_declined", "sample_failed"};

const std::vector<std::string> kPiiKindNames = {"bsn", "iban", "phone", "email", "address", "birth_date",
                                                "document_number", "licence_plate"};

bool is_meta(const std::string& key) { return !key.empty() && key[0] == '_'; }

// Where a key of a mapping stands: "file:line", falling back to the mapping itself.
std::string at(const json& obj, const std::string& key = "") {
  const std::string base = obj.is_object() ? obj.value("_at", std::string("?")) : "?";
  if (key.empty() || !obj.is_object() || !obj.contains("_lines") || !obj["_lines"].contains(key)) return base;
  const auto colon = base.rfind(':');
  return base.substr(0, colon) + ":" + std::to_string(obj["_lines"][key].get<int>());
}

std::string kind_of(const json& v) {
  if (v.is_null()) return "nothing";
  if (v.is_string()) return "text";
  if (v.is_array()) return "a list";
  if (v.is_object()) return "a mapping";
  if (v.is_boolean()) return "true/false";
  return "a number";
}

std::string list(const std::vector<std::string>& items, std::size_t max = 6) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > max) out += ", …";
  return out;
}

// Lower case words of [a-z0-9_] separated by single dots: "fee.paspoort.adult".
bool variable_name(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.' || name.find("..") != std::string::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'; });
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

bool is_https(const json& v) { return v.is_string() && v.get<std::string>().rfind("https://", 0) == 0; }

// "2026-11-30": a calendar date as YYYY-MM-DD.
bool is_date(const json& v) {
  if (!v.is_string()) return false;
  const auto d = v.get<std::string>();
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (d[i] < '0' || d[i] > '9') return false;
  const int month = std::stoi(d.substr(5, 2)), day = std::stoi(d.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// A value as written: text, {nl, en}, or either with its source: {value: …, source, checked} or {nl, en, source, checked}.
json value_of(const json& v) {
  if (v.is_object() && v.contains("value")) return v["value"];
  if (v.is_object() && v.contains("nl") && v.contains("en")) return json{{"nl", v["nl"]}, {"en", v["en"]}};
  return v;
}
bool is_value(const json& v) { return v.is_string() || (v.is_object() && v.contains("nl") && v.contains("en")); }

// Verb forms that agree with only one of 'u' and inverted 'je': "Wilt u" but "Wil je". A shared verb
// in front of {u|je} is wrong in one of the two tones. Stems ending in t ("moet je", "weet je") agree with both.
const std::set<std::string> kFormalOnlyVerbs = {"wilt", "kunt", "bent", "hebt", "heeft", "zult", "gaat", "doet", "komt", "vindt",
                                                "krijgt", "wordt", "staat", "ziet", "woont", "betaalt", "vraagt", "maakt",
                                                "neemt", "geeft", "houdt", "blijft", "zoekt", "meldt", "regelt", "trouwt"};
const std::set<std::string> kInformalOnlyVerbs = {"wil", "kun", "ben", "heb", "zul", "ga", "doe", "kom", "vind", "krijg",
                                                  "word", "sta", "zie", "woon", "betaal", "maak", "neem", "geef",
                                                  "houd", "blijf", "zoek", "meld", "trouw"};  // not "vraag", "regel": also nouns

std::string lower(std::string w) {
  for (auto& c : w) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return w;
}

// The words of a text: letters, apostrophes and UTF-8 bytes ("z'n", "één").
std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text + " ") {
    const auto b = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'' || b >= 0x80) {
      word += c;
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  return words;
}

bool is_pronoun_alternation(const TemplatePart& p) {
  const auto f = lower(p.formal), i = lower(p.informal);
  return p.kind == TemplatePart::alternation && f == "u" && (i == "je" || i == "jij");
}

// Does a literal end with a word (only spaces between it and what follows)? Returns the word or "".
std::string last_word(const std::string& literal) {
  if (literal.empty() || literal.back() != ' ') return {};
  const auto w = words_of(literal);
  if (w.empty()) return {};
  const auto end = literal.find_last_not_of(' ');
  return literal.compare(end + 1 - w.back().size(), w.back().size(), w.back()) == 0 ? w.back() : std::string();
}
std::string first_word(const std::string& literal) {
  if (literal.empty() || literal.front() != ' ') return {};
  const auto w = words_of(literal);
  if (w.empty()) return {};
  const auto start = literal.find_first_not_of(' ');
  return literal.compare(start, w.front().size(), w.front()) == 0 ? w.front() : std::string();
}

class Checker {
 public:
  Checker(const json& source, const LabelSet& labels) : src_(source), labels_(labels) {}

  std::vector<ContentError> run() {
    if (!src_.is_object()) {
      error("content", "expected the content source as a mapping, found " + kind_of(src_));
      return errors_;
    }
    declare_shared_variables();
    for (const auto& p : src_.value("products", json::array())) declare_product_variables(p);
    for (const auto& p : src_.value("products", json::array())) check_product(p);
    check_missing_products();
    check_required_sections();
    check_dialogue();
    check_widget();
    check_countries();
    for (const auto& m : src_.value("municipalities", json::array())) check_municipality(m);
    check_unused_variables();
    check_sources(src_);
    return errors_;
  }

 private:
  struct Declared {
    std::string at;
    json value;              // text or {nl, en}
    std::string product;     // "" for shared
    bool used = false;
  };

  void error(std::string where, std::string message) { errors_.push_back({std::move(where), std::move(message)}); }

  // --- variables ------------------------------------------------------------------------------
  void declare(const json& table, const std::string& product) {
    if (!table.is_object()) return;
    for (const auto& [name, decl] : table.items()) {
      if (is_meta(name)) continue;
      const auto where = at(table, name);
      if (!variable_name(name)) {
        error(where, "variable name '" + name + "': expected lower case words separated by dots");
        continue;
      }
      if (auto it = vars_.find(name); it != vars_.end()) {
        error(where, "variable '" + name + "' is declared twice (also at " + it->second.at + ")");
        continue;
      }
      if (!decl.is_object() || !decl.contains("value")) {
        error(where, "variable '" + name + "': expected {value: ..., note: ...}, found " + kind_of(decl));
        continue;
      }
      const auto& value = decl["value"];
      if (!is_value(value)) {
        error(at(decl, "value"), "variable '" + name + "': expected a text value or {nl, en}, found " + kind_of(value));
        continue;
      }
      // National facts residents act on (an amount, a number of days) name the public page they come from.
      const auto digits = [](const json& v) { return v.dump().find_first_of("0123456789") != std::string::npos; };
      if ((name.rfind("fee.", 0) == 0 || name.rfind("days.", 0) == 0) && digits(value_of(value)) && !decl.contains("source"))
        error(where, "variable '" + name + "' is a national fact without a source: add source: https://… and checked: YYYY-MM-DD");
      vars_[name] = {where, value, product, false};
    }
  }

  void declare_shared_variables() { declare(src_.value("variables", json::object()), ""); }

  void declare_product_variables(const json& p) {
    if (p.is_object() && p.contains("variables")) declare(p["variables"], p.value("product", std::string()));
  }

  void check_unused_variables() {
    for (const auto& [name, d] : vars_)
      if (!d.used) error(d.at, "variable '" + name + "' is declared but never used");
  }

  // --- texts ----------------------------------------------------------------------------------
  // A text is {nl, en}; Dutch must use tone alternations when it addresses the resident.
  // Municipality files have one fixed tone, so they may address the resident directly.
  void check_text(const json& parent, const std::string& key, const std::set<std::string>& slots = {},
                  bool national = true) {
    const std::string where = at(parent, key);
    if (!parent.contains(key)) {
      error(at(parent), "missing '" + key + "': expected a text {nl, en}");
      return;
    }
    const json& t = parent[key];
    if (!t.is_object()) {
      error(where, "'" + key + "': expected a text {nl, en}, found " + kind_of(t));
      return;
    }
    for (const char* lang : {"nl", "en"}) {
      if (!t.contains(lang) || !t[lang].is_string() || t[lang].get<std::string>().find_first_not_of(" \n\t") == std::string::npos) {
        error(at(t), "'" + key + "' has no " + (std::string(lang) == "nl" ? "Dutch (nl)" : "English (en)") +
                         " translation");
        continue;
      }
      const bool tone_checked = national || std::string(lang) == "en";
      check_template(t[lang].get<std::string>(), at(t, lang), tone_checked ? lang : "", slots);
    }
    for (const auto& [k, v] : t.items())
      if (!is_meta(k) && k != "nl" && k != "en" && k != "live" && k != "source" && k != "checked")
        error(at(t, k), "'" + key + "': unexpected key '" + k + "' (expected nl, en)");
  }

  void check_template(const std::string& text, const std::string& where, const std::string& lang,
                      const std::set<std::string>& slots) {
    std::vector<TemplateProblem> problems;
    const auto parts = parse_template(text, &problems);
    for (const auto& p : problems) error(where, p.message);
    check_markdown_links(text, where);
    for (const auto& part : parts) {
      if (part.kind == TemplatePart::variable) use_variable(part.text, where, slots);
      if (part.kind == TemplatePart::literal) {
        if (lang == "nl") check_tone(part.text, where);
      }
      if (part.kind == TemplatePart::alternation && lang == "en")
        error(where, "English text has a tone alternation {" + part.formal + "|" + part.informal +
                         "}: English needs none");
    }
    if (lang == "nl") check_agreement(parts, where);
  }

  // Verb and pronoun must agree in both tones. Caught where the checker can see it: a verb shared by both
  // variants next to {u|je}, a verb inside a variant that belongs to the other tone, and 'heeft' that the
  // municipality's choice 'u hebt' must be able to replace.
  void check_agreement(const std::vector<TemplatePart>& parts, const std::string& where) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto& p = parts[i];
      if (p.kind != TemplatePart::alternation) continue;
      if (is_pronoun_alternation(p)) {
        const auto before = i > 0 && parts[i - 1].kind == TemplatePart::literal ? last_word(parts[i - 1].text) : "";
        if (kFormalOnlyVerbs.count(lower(before)) || kInformalOnlyVerbs.count(lower(before)))
          error(where, "'" + before + " {" + p.formal + "|" + p.informal + "}' shares the verb between both tones, which is wrong in one of them: "
                       "put the verb inside the alternation, e.g. {Wilt u|Wil je}");
        const auto after = i + 1 < parts.size() && parts[i + 1].kind == TemplatePart::literal ? first_word(parts[i + 1].text) : "";
        // "van {u|je} heeft": after a preposition the pronoun is no subject.
        static const std::set<std::string> prepositions = {"van", "voor", "met", "aan", "bij", "over", "naar", "op", "om",
                                                           "door", "zonder", "tegen", "dan"};
        if (lower(after) == "heeft" && !prepositions.count(lower(before)))
          error(where, "'{" + p.formal + "|" + p.informal + "} " + after + "' renders 'je heeft': write {u heeft|je hebt}");
      }
      check_variant(p.formal, "u", kInformalOnlyVerbs, where);
      check_variant(p.informal, "je", kFormalOnlyVerbs, where);
      check_variant(p.informal, "jij", kFormalOnlyVerbs, where);
      const auto formal = words_of(p.formal);
      const bool has_u = std::any_of(formal.begin(), formal.end(), [](const std::string& w) { return lower(w) == "u"; });
      for (const auto& w : formal) {
        if (lower(w) == "hebt")
          error(where, "{" + p.formal + "|" + p.informal + "}: write 'heeft' in the u-form; a municipality that says "
                       "'u hebt' sets 'hebben: hebt' and gets it everywhere");
        if (lower(w) == "heeft" && !has_u && formal.size() > 1)
          error(where, "{" + p.formal + "|" + p.informal + "}: 'heeft' in the u-form must go with 'u' in the same variant "
                       "(a municipality may choose 'u hebt'); write e.g. {u het heeft|je het hebt}");
      }
    }
  }

  // "Heeft je", "Wil u": a verb form of the other tone right before the pronoun inside one variant.
  void check_variant(const std::string& variant, const std::string& pronoun, const std::set<std::string>& wrong,
                     const std::string& where) {
    const auto w = words_of(variant);
    for (std::size_t k = 1; k < w.size(); ++k)
      if (lower(w[k]) == pronoun && wrong.count(lower(w[k - 1])))
        error(where, "'" + w[k - 1] + " " + w[k] + "' in {" + variant + "}: the verb does not agree with '" + pronoun + "'");
  }

  void use_variable(const std::string& name, const std::string& where, const std::set<std::string>& slots) {
    if (slots.count(name)) return;
    auto it = vars_.find(name);
    if (it == vars_.end()) {
      error(where, "unknown variable {" + name + "}: declare it in content/variables.yml or the product's variables");
      return;
    }
    it->second.used = true;
  }

  // The resident must be addressed through {u-form|je-form}, so one text serves both tones.
  void check_tone(const std::string& literal, const std::string& where) {
    static const std::set<std::string> address = {"u", "uw", "je", "jij", "jou", "jouw"};
    std::string word;
    auto flush = [&] {
      std::string lower = word;
      for (auto& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      if (address.count(lower))
        error(where, "Dutch text addresses the resident with '" + word +
                         "' outside a tone alternation: write {u|je}, {uw|je}, {U kunt|Je kunt}, …");
      word.clear();
    };
    for (char c : literal) {
      // Letters, apostrophes and UTF-8 continuation bytes make words ("z'n", "één").
      const auto b = static_cast<unsigned char>(c);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'' || b >= 0x80) word += c;
      else flush();
    }
    flush();
  }

  void check_markdown_links(const std::string& literal, const std::string& where) {
    for (auto open = literal.find("]("); open != std::string::npos; open = literal.find("](", open + 2)) {
      const auto close = literal.find(')', open);
      const auto url = literal.substr(open + 2, close == std::string::npos ? std::string::npos : close - open - 2);
      const bool variable = url.size() > 2 && url.front() == '{' && url.back() == '}' && url.find('|') == std::string::npos;
      if (!variable && url.rfind("https://", 0) != 0)
        error(where, "link (" + url + "): expected an https:// address or a {url.…} variable");
    }
  }

  void check_url(const json& parent, const std::string& key) {
    const auto where = at(parent, key);
    if (!parent.contains(key) || !parent[key].is_string()) {
      error(at(parent), "link: expected 'url' with an https:// address or a {url.…} variable");
      return;
    }
    const auto url = parent[key].get<std::string>();
    std::vector<TemplateProblem> problems;
    const auto parts = parse_template(url, &problems);
    for (const auto& p : problems) error(where, p.message);
    if (parts.size() == 1 && parts[0].kind == TemplatePart::variable) {
      use_variable(parts[0].text, where, {});
      auto it = vars_.find(parts[0].text);
      if (it != vars_.end() && !(it->second.value.is_string() && it->second.value.get<std::string>().rfind("https://", 0) == 0))
        error(where, "link {" + parts[0].text + "}: the variable's value must be an https:// address");
      return;
    }
    if (url.rfind("https://", 0) != 0) error(where, "link '" + url + "': expected an https:// address or a {url.…} variable");
  }

  // --- products ---------------------------------------------------------------------------------
  void check_product(const json& p) {
    if (!p.is_object()) return;
    const std::string file = p.value("_file", std::string("?"));
    if (!p.contains("product") || !p["product"].is_string()) {
      error(at(p), "missing 'product': expected one of the product labels");
      return;
    }
    const auto id = p["product"].get<std::string>();
    if (!contains(labels_.products, id)) {
      error(at(p, "product"), "unknown product '" + id + "': expected one of " + list(labels_.products));
      return;
    }
    if (auto it = seen_products_.find(id); it != seen_products_.end()) {
      error(at(p, "product"), "duplicate product '" + id + "' (also in " + it->second + ")");
      return;
    }
    seen_products_[id] = at(p, "product");
    check_text(p, "title");
    check_text(p, "summary");
    if (!p.contains("sections") || !p["sections"].is_object()) {
      error(at(p), "missing 'sections': expected a mapping of aspects to texts");
      return;
    }
    const json& sections = p["sections"];
    std::set<std::string> aspects;
    for (const auto& [key, text] : sections.items()) {
      if (is_meta(key)) continue;
      if (!check_section_key(key, at(sections, key), &aspects)) continue;
      check_text(sections, key);
      if (text.is_object() && text.contains("live")) {
        const auto live = text["live"].is_string() ? text["live"].get<std::string>() : "";
        if (!kLiveKinds.count(live))
          error(at(text, "live"), "live '" + live + "': expected one of appointment_slots, opening_hours, "
                                  "waste_collection, application_status");
      }
    }
    if (!aspects.count("informatie")) error(at(p, "sections"), "product '" + id + "' has no 'informatie' section");
    product_aspects_[id] = {at(p, "sections"), aspects};
    if (p.contains("common_aspects")) {
      if (!p["common_aspects"].is_array()) error(at(p, "common_aspects"), "common_aspects: expected a list of aspects");
      else
        for (const auto& a : p["common_aspects"])
          if (!a.is_string() || !aspects.count(a.get<std::string>()))
            error(at(p, "common_aspects"), "common_aspects: '" + (a.is_string() ? a.get<std::string>() : a.dump()) +
                                               "' has no section in this product");
    } else {
      error(at(p), "missing 'common_aspects': expected the aspects offered as buttons under the summary");
    }
    if (p.contains("terms")) check_terms(p["terms"], at(p, "terms"), id);
    if (p.contains("aspect_terms")) check_aspect_terms(p["aspect_terms"], at(p, "aspect_terms"), aspects);
    if (p.contains("links")) {
      if (!p["links"].is_array()) error(at(p, "links"), "links: expected a list of {title, url}");
      else
        for (const auto& l : p["links"]) {
          if (!l.is_object()) { error(at(p, "links"), "links: expected {title, url}, found " + kind_of(l)); continue; }
          check_text(l, "title");
          check_url(l, "url");
        }
    }
    if (!p.contains("sources") || !p["sources"].is_array() || p["sources"].empty())
      error(at(p), "product '" + id + "' cites no sources: expected a list of {url: https://…, checked: YYYY-MM-DD}");
    else
      check_source_list(p["sources"], at(p, "sources"));
    (void)file;
  }

  // Words residents use for a product or for the things it covers ("bankstel" → grofvuil): each names one
  // product only, or the dialogue could not tell which one it names.
  void check_terms(const json& terms, const std::string& where, const std::string& product) {
    for (const auto& [written, key] : term_list(terms, where, "terms")) {
      if (auto it = seen_terms_.find(key); it != seen_terms_.end() && it->second != product)
        error(where, "terms: '" + written + "' is also a term of '" + it->second + "': a term names one product");
      else
        seen_terms_[key] = product;
    }
  }

  // Words that, in a conversation about this product, ask about one of its sections ("aangifte" after a stolen
  // passport: kwijt): each under an aspect the product has a section for, and under one aspect only.
  void check_aspect_terms(const json& table, const std::string& where, const std::set<std::string>& aspects) {
    if (!table.is_object()) {
      error(where, "aspect_terms: expected a mapping of aspects to lists of words or phrases, found " + kind_of(table));
      return;
    }
    std::map<std::string, std::string> seen;  // normalised term → aspect
    for (const auto& [aspect, entries] : table.items()) {
      if (is_meta(aspect)) continue;
      const auto here = at(table, aspect);
      if (!aspects.count(aspect)) {
        error(here, "aspect_terms: '" + aspect + "' has no section in this product: expected one of " + list({aspects.begin(), aspects.end()}, aspects.size()));
        continue;
      }
      for (const auto& [written, key] : term_list(entries, here, "aspect_terms: " + aspect)) {
        const auto [it, fresh] = seen.emplace(key, aspect);
        if (!fresh && it->second != aspect)
          error(here, "aspect_terms: '" + written + "' is also listed under '" + it->second + "': a term asks about one section");
      }
    }
  }

  // A list of words or phrases (`terms`, or one aspect's `aspect_terms`): each entry as written and as the dialogue
  // matches it (normalised words, joined). An entry that is no word or phrase is an error under `label`, left out.
  std::vector<std::pair<std::string, std::string>> term_list(const json& list, const std::string& where, const std::string& label) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!list.is_array()) {
      error(where, label + ": expected a list of words or phrases, found " + kind_of(list));
      return out;
    }
    for (const auto& t : list) {
      const auto words = t.is_string() ? normalize_words(t.get<std::string>()) : std::vector<std::string>{};
      if (words.empty() || t.get<std::string>().size() > 80) {
        const auto found = t.is_string() ? "'" + t.get<std::string>() + "'" : kind_of(t);
        error(where, label + ": expected a word or phrase (letters, at most 80 characters), found " + found);
        continue;
      }
      out.emplace_back(t.get<std::string>(), join(words));
    }
    return out;
  }

  void check_source_list(const json& sources, const std::string& where) {
    for (const auto& s : sources)
      if (!s.is_object() || !s.contains("url") || !s.contains("checked"))
        error(s.is_object() ? at(s) : where, "source " + (s.is_string() ? "'" + s.get<std::string>() + "'" : kind_of(s)) +
                                                 ": expected {url: https://…, checked: YYYY-MM-DD}");
  }

  // Wherever a 'checked' date or a 'source' stands, both are there and well-formed; this covers every file.
  void check_sources(const json& v) {
    if (v.is_array()) {
      for (const auto& x : v) check_sources(x);
      return;
    }
    if (!v.is_object()) return;
    if (v.contains("checked") || v.contains("source")) {
      const char* link = v.contains("url") && !v.contains("source") ? "url" : "source";
      if (!v.contains(link) || !is_https(v[link]))
        error(at(v, link), std::string("'") + link + "': expected a public https:// address");
      if (!v.contains("checked") || !is_date(v["checked"]))
        error(at(v, "checked"), "'checked': expected the date the source was last checked, as YYYY-MM-DD (e.g. 2026-11-30)");
    }
    for (const auto& [k, x] : v.items())
      if (!is_meta(k)) check_sources(x);
  }

  // "kosten", "kosten@kind": an aspect of the label set, optionally for a person.
  bool check_section_key(const std::string& key, const std::string& where, std::set<std::string>* aspects) {
    const auto atpos = key.find('@');
    const auto aspect = key.substr(0, atpos);
    if (!contains(labels_.aspects, aspect)) {
      error(where, "section '" + key + "': unknown aspect '" + aspect + "', expected one of " + list(labels_.aspects, 11));
      return false;
    }
    if (atpos != std::string::npos && !kPersons.count(key.substr(atpos + 1))) {
      error(where, "section '" + key + "': expected @kind or @partner after the aspect");
      return false;
    }
    if (aspects && atpos == std::string::npos) aspects->insert(aspect);
    return true;
  }

  // content/required-sections.yml: the aspects residents ask about, for every product ('all') and per product
  // ('products'). A product file without one of its required sections fails, naming the file and the key.
  void check_required_sections() {
    if (!src_.contains("required_sections") || src_["required_sections"].is_null()) return;
    const json& r = src_["required_sections"];
    if (!r.is_object()) {
      error("content/required-sections.yml", "expected a mapping with 'all' and 'products', found " + kind_of(r));
      return;
    }
    // aspect -> where it is required ("content/required-sections.yml:4")
    auto aspects_of = [&](const json& parent, const std::string& key, const std::string& what) {
      std::vector<std::pair<std::string, std::string>> out;
      if (!parent[key].is_array()) {
        error(at(parent, key), what + ": expected a list of aspects, found " + kind_of(parent[key]));
        return out;
      }
      for (const auto& a : parent[key]) {
        const auto aspect = a.is_string() ? a.get<std::string>() : a.dump();
        if (!contains(labels_.aspects, aspect))
          error(at(parent, key), what + ": unknown aspect '" + aspect + "', expected one of " + list(labels_.aspects, 11));
        else
          out.emplace_back(aspect, at(parent, key));
      }
      return out;
    };
    std::vector<std::pair<std::string, std::string>> all;
    if (r.contains("all")) all = aspects_of(r, "all", "all");
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> own;
    if (r.contains("products")) {
      if (!r["products"].is_object()) {
        error(at(r, "products"), "products: expected a mapping of product to aspects, found " + kind_of(r["products"]));
      } else {
        for (const auto& [id, list_] : r["products"].items()) {
          if (is_meta(id)) continue;
          if (!contains(labels_.products, id)) {
            error(at(r["products"], id), "unknown product '" + id + "': expected one of " + list(labels_.products));
            continue;
          }
          own[id] = aspects_of(r["products"], id, id);
        }
      }
    }
    for (const auto& [id, has] : product_aspects_) {
      auto required = all;
      if (auto it = own.find(id); it != own.end()) required.insert(required.end(), it->second.begin(), it->second.end());
      std::set<std::string> reported;
      for (const auto& [aspect, where] : required)
        if (!has.second.count(aspect) && reported.insert(aspect).second)
          error(has.first, "product '" + id + "' has no section '" + aspect + "', which residents ask about (required by " + where +
                               "): add sections." + aspect + " with nl and en");
    }
  }

  void check_missing_products() {
    for (const auto& p : labels_.products)
      if (!seen_products_.count(p)) error("content/products", "missing content for product '" + p + "' (expected content/products/" + p + ".yml)");
  }

  // --- dialogue ---------------------------------------------------------------------------------
  void check_dialogue() {
    if (!src_.contains("dialogue") || !src_["dialogue"].is_object()) {
      error("content/dialogue.yml", "missing: expected the assistant's texts");
      return;
    }
    const json& d = src_["dialogue"];
    for (const auto& key : kDialogueKeys) check_text(d, key, kDialogueSlots);
    for (const char* table : {"aspects", "products", "pii_kinds"}) {
      if (!d.contains(table) || !d[table].is_object()) {
        error(at(d), std::string("missing '") + table + "': expected a label per " + table);
        continue;
      }
      const std::string t = table;
      for (const auto& label : t == "aspects" ? labels_.aspects : t == "products" ? labels_.products : kPiiKindNames)
        check_text(d[table], label);
    }
  }

  // --- the panel's own texts ----------------------------------------------------------------------
  void check_widget() {
    if (!src_.contains("widget") || !src_["widget"].is_object()) {
      error("content/widget.yml", "missing: expected the chat panel's texts");
      return;
    }
    const json& w = src_["widget"];
    for (const auto& key : kUiKeys) check_text(w, key, kUiSlots);
    for (const auto& [key, value] : w.items())
      if (!is_meta(key) && !contains(kUiKeys, key)) error(at(w, key), "unknown text '" + key + "': the widget does not use it");
  }

  // --- countries --------------------------------------------------------------------------------
  void check_countries() {
    if (!src_.contains("countries") || !src_["countries"].is_object()) {
      error("content/countries.yml", "missing: expected id_card_accepted, passport_required, other_countries");
      return;
    }
    const json& c = src_["countries"];
    std::map<std::string, std::string> seen;
    for (const char* table : {"id_card_accepted", "passport_required"}) {
      if (!c.contains(table) || !c[table].is_array() || c[table].empty()) {
        error(at(c), std::string("missing '") + table + "': expected a list of countries");
        continue;
      }
      for (const auto& entry : c[table]) {
        const auto code = entry.is_object() && entry.contains("code") && entry["code"].is_string() ? entry["code"].get<std::string>() : "";
        if (!(code.size() == 2 && std::isupper(static_cast<unsigned char>(code[0])) && std::isupper(static_cast<unsigned char>(code[1])))) {
          error(at(entry), std::string(table) + ": expected an ISO 3166-1 alpha-2 'code' such as DE, found '" + code + "'");
          continue;
        }
        if (auto it = seen.find(code); it != seen.end()) error(at(entry, "code"), "duplicate country " + code + " (also at " + it->second + ")");
        seen[code] = at(entry, "code");
        if (std::string(table) == "passport_required") check_text(entry, "reason", kDialogueSlots);
      }
    }
    check_text(c, "other_countries", kDialogueSlots);
    if (!c.contains("sources") || !c["sources"].is_array() || c["sources"].empty())
      error(at(c), "countries cite no sources: expected a list of {url: https://…, checked: YYYY-MM-DD}");
    else
      check_source_list(c["sources"], at(c, "sources"));
  }

  // --- municipalities ---------------------------------------------------------------------------
  void check_municipality(const json& m) {
    if (!m.is_object()) return;
    const auto code = m.contains("municipality") && m["municipality"].is_string() ? m["municipality"].get<std::string>() : "";
    if (!contains(labels_.municipalities, code)) {
      error(at(m, "municipality"), "municipality '" + code + "': expected a CBS code from gemeenten.tsv such as GM0599");
      return;
    }
    if (auto it = seen_municipalities_.find(code); it != seen_municipalities_.end()) {
      error(at(m, "municipality"), "duplicate municipality " + code + " (also in " + it->second + ")");
      return;
    }
    seen_municipalities_[code] = at(m, "municipality");
    if (!m.contains("name") || !m["name"].is_string()) error(at(m), "missing 'name': expected the municipality's name");
    const auto tone = m.contains("tone") && m["tone"].is_string() ? m["tone"].get<std::string>() : "";
    if (tone != "u" && tone != "je") error(at(m, "tone"), "tone '" + tone + "': expected u or je");
    if (m.contains("hebben")) {
      const auto hebben = m["hebben"].is_string() ? m["hebben"].get<std::string>() : "";
      if (hebben != "heeft" && hebben != "hebt") error(at(m, "hebben"), "hebben '" + hebben + "': expected heeft (u heeft) or hebt (u hebt)");
      else if (tone == "je") error(at(m, "hebben"), "hebben: only for the u-form, but this municipality says je");
    }
    if (m.contains("variables")) {
      const json& vars = m["variables"];
      for (const auto& [name, value] : vars.items()) {
        if (is_meta(name)) continue;
        auto it = vars_.find(name);
        if (it == vars_.end()) {
          error(at(vars, name), "unknown variable '" + name + "': only variables declared in content/variables.yml or a product file can be set");
          continue;
        }
        if (!is_value(value_of(value))) {
          error(at(vars, name), "variable '" + name + "': expected a text value or {nl, en}, found " + kind_of(value_of(value)));
          continue;
        }
        if (!value.is_object() || !value.contains("source"))
          error(at(vars, name), "variable '" + name + "' has no source: write {value: …, source: https://…, checked: YYYY-MM-DD}, "
                                "or remove it so the national value applies");
        const bool url = is_https(it->second.value);
        if (url && !is_https(value_of(value)))
          error(at(vars, name), "variable '" + name + "' is a link: expected an https:// address");
      }
    }
    if (m.contains("sections")) {
      const json& sections = m["sections"];
      for (const auto& [key, text] : sections.items()) {
        if (is_meta(key)) continue;
        const auto dot = key.find('.');
        const auto product = key.substr(0, dot);
        if (dot == std::string::npos || !seen_products_.count(product)) {
          error(at(sections, key), "section '" + key + "': expected <product>.<aspect> of an existing product");
          continue;
        }
        if (!check_section_key(key.substr(dot + 1), at(sections, key), nullptr)) continue;
        check_text(sections, key, {}, false);
        if (text.is_object() && !text.contains("source"))
          error(at(sections, key), "section '" + key + "' has no source: add source: https://… and checked: YYYY-MM-DD");
      }
    }
  }

  const json& src_;
  const LabelSet& labels_;
  std::vector<ContentError> errors_;
  std::map<std::string, Declared> vars_;
  std::map<std::string, std::string> seen_products_, seen_municipalities_;
  std::map<std::string, std::string> seen_terms_;  // normalised term → product
  std::map<std::string, std::pair<std::string, std::set<std::string>>> product_aspects_;  // id -> (where, aspects)
};

// Drops positions and editor-only fields from a compiled pack.
json strip(const json& v) {
  if (v.is_object()) {
    json out = json::object();
    for (const auto& [k, x] : v.items())
      if (!is_meta(k) && k != "sources" && k != "note" && k != "source" && k != "checked") out[k] = strip(x);
    return out;
  }
  if (v.is_array()) {
    json out = json::array();
    for (const auto& x : v) out.push_back(strip(x));
    return out;
  }
  return v;
}

json per_language(const json& written) {
  const json value = value_of(written);
  if (value.is_string()) return {{"nl", value}, {"en", value}};
  return {{"nl", value["nl"]}, {"en", value["en"]}};
}

// A municipality that says "u hebt" gets it in every u-form: content is written once with "heeft".
json with_hebt(const json& v) {
  if (v.is_array()) {
    json out = json::array();
    for (const auto& x : v) out.push_back(with_hebt(x));
    return out;
  }
  if (!v.is_object()) return v;
  json out = json::object();
  for (const auto& [k, x] : v.items())
    out[k] = k == "nl" && x.is_string() ? json(rewrite_formal(x.get<std::string>(), [](std::string_view formal) {
      std::string result;
      for (std::size_t i = 0; i < formal.size();) {
        const bool start = i == 0 || !std::isalpha(static_cast<unsigned char>(formal[i - 1]));
        const auto word = formal.substr(i, 5);
        if (start && (word == "heeft" || word == "Heeft") && (i + 5 == formal.size() || !std::isalpha(static_cast<unsigned char>(formal[i + 5])))) {
          result += word[0] == 'H' ? "Hebt" : "hebt";
          i += 5;
        } else {
          result += formal[i++];
        }
      }
      return result;
    }))
                                          : with_hebt(x);
  return out;
}

}  // namespace

const std::vector<std::string>& required_dialogue_texts() { return kDialogueKeys; }
const std::vector<std::string>& required_ui_texts() { return kUiKeys; }

std::vector<ReviewItem> review_due(std::string_view source_json, std::string_view today, int max_age_months) {
  if (!is_date(json(std::string(today)))) throw Error("review_due: today must be YYYY-MM-DD, got '" + std::string(today) + "'");
  if (max_age_months < 0) throw Error("review_due: the maximum age must be 0 months or more");
  json source;
  try {
    source = json::parse(source_json);
  } catch (const json::parse_error& e) {
    throw Error(std::string("review_due: content is not valid JSON: ") + e.what());
  }
  // Due when checked before today minus the maximum age (same day of the month).
  int year = std::stoi(std::string(today.substr(0, 4))), month = std::stoi(std::string(today.substr(5, 2))) - max_age_months;
  while (month < 1) month += 12, --year;
  char cutoff[11];
  std::snprintf(cutoff, sizeof cutoff, "%04d-%02d-%s", year, month, std::string(today.substr(8, 2)).c_str());
  std::vector<ReviewItem> due;
  std::function<void(const json&)> walk = [&](const json& v) {
    if (v.is_array())
      for (const auto& x : v) walk(x);
    if (!v.is_object()) return;
    if (is_date(v.value("checked", json())) && v["checked"].get<std::string>() < cutoff) {
      const char* link = v.contains("source") ? "source" : "url";
      due.push_back({at(v, "checked"), v.value(link, std::string()), v["checked"].get<std::string>()});
    }
    for (const auto& [k, x] : v.items())
      if (!is_meta(k)) walk(x);
  };
  walk(source);
  std::stable_sort(due.begin(), due.end(), [](const ReviewItem& a, const ReviewItem& b) { return a.checked < b.checked; });
  return due;
}

std::vector<ContentError> check_content(std::string_view source_json, const LabelSet& labels) {
  json source;
  try {
    source = json::parse(source_json);
  } catch (const json::parse_error& e) {
    return {{"content", std::string("not valid JSON: ") + e.what()}};
  }
  return Checker(source, labels).run();
}

std::string compile_pack(std::string_view source_json, const LabelSet& labels, std::string_view municipality,
                         std::string_view municipality_name) {
  const auto errors = check_content(source_json, labels);
  if (!errors.empty())
    throw Error("content has " + std::to_string(errors.size()) + " error(s); first: " + errors[0].at + ": " + errors[0].message);
  const json source = json::parse(source_json);

  json fallback = json::object();
  auto add_fallbacks = [&](const json& table) {
    for (const auto& [name, decl] : table.items())
      if (!is_meta(name)) fallback[name] = per_language(decl["value"]);
  };
  add_fallbacks(source.value("variables", json::object()));
  for (const auto& p : source["products"])
    if (p.contains("variables")) add_fallbacks(p["variables"]);

  // "generic" serves every municipality without a file of its own: the dialogue is told which one.
  const json* home = nullptr;
  if (source.contains("municipalities"))
    for (const auto& m : source["municipalities"])
      if (m.value("municipality", "") == municipality) home = &m;

  json pack = {{"format", 2},
               {"municipality", municipality},
               {"name", home ? (*home)["name"].get<std::string>() : std::string(municipality_name)},
               {"tone", home ? (*home)["tone"].get<std::string>() : "u"},
               {"overrides", home != nullptr}};
  json home_vars = json::object();
  if (home && home->contains("variables"))
    for (const auto& [name, value] : (*home)["variables"].items())
      if (!is_meta(name)) home_vars[name] = per_language(value);
  pack["variables"] = {{"home", home_vars}, {"fallback", fallback}};

  json products = json::object();
  for (const auto& p : source["products"]) {
    json product = strip(p);
    product.erase("variables");
    product.erase("product");
    products[p["product"].get<std::string>()] = product;
  }
  if (home && home->contains("sections"))
    for (const auto& [key, text] : (*home)["sections"].items()) {
      if (is_meta(key)) continue;
      const auto dot = key.find('.');
      products[key.substr(0, dot)]["sections"][key.substr(dot + 1)] = strip(text);
    }
  pack["products"] = products;
  pack["dialogue"] = strip(source["dialogue"]);
  pack["ui"] = strip(source["widget"]);
  pack["countries"] = strip(source["countries"]);
  if (home && home->value("hebben", "heeft") == "hebt")
    for (const char* part : {"products", "dialogue", "countries"}) pack[part] = with_hebt(pack[part]);
  // The products' sections, two thirds of a pack, follow on lines of their own (JSON Lines) in the order of
  // `answers`: the dialogue parses a product's line when a conversation first needs it, not all at start-up.
  json answers = json::array();
  std::string lines;
  for (auto& [id, product] : pack["products"].items()) {
    answers.push_back(id);
    lines += '\n' + product["sections"].dump();  // dump() escapes every newline inside a text
    product.erase("sections");
  }
  pack["answers"] = answers;
  return pack.dump() + lines;
}

}  // namespace gem
