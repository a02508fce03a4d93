// A small but complete content source, in the form `scripts/gem content` hands to the core
// (mappings carry "_at" and "_lines"), for the checker, pack and dialogue tests.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gem/content.h"

namespace gem::test {

using nlohmann::json;

inline LabelSet small_labels() {
  return {{"paspoort", "identiteitskaart", "reisdocument", "afval"},
          {"informatie", "kosten", "wanneer", "aanvragen"},
          {"GM0599", "GM0855", "GM0344"}};
}

// The lines of a compiled pack (JSON Lines): the pack without the products' sections, then one line per product.
inline std::vector<std::string> pack_lines(const std::string& pack) {
  std::vector<std::string> lines;
  for (std::size_t start = 0, end = 0; end != std::string::npos; start = end + 1) {
    end = pack.find('\n', start);
    lines.push_back(pack.substr(start, end == std::string::npos ? std::string::npos : end - start));
  }
  return lines;
}

// A compiled pack as one document: the first line with each product's sections put back.
inline json read_pack(const std::string& pack) {
  const auto lines = pack_lines(pack);
  json whole = json::parse(lines.at(0));
  std::size_t next = 1;
  for (const auto& product : whole["answers"]) whole["products"][product.get<std::string>()]["sections"] = json::parse(lines.at(next++));
  return whole;
}

// A mapping positioned in `file` starting at `line`, each key one line further in the order given.
inline json at(const std::string& file, int line, std::initializer_list<std::pair<std::string, json>> pairs) {
  json body = json::object(), lines = json::object();
  int n = line;
  for (const auto& [k, v] : pairs) {
    body[k] = v;
    lines[k] = n++;
  }
  body["_at"] = file + ":" + std::to_string(line);
  body["_lines"] = lines;
  return body;
}

// The same for a mapping built key by key.
inline json at(const std::string& file, int line, json body) {
  json lines = json::object();
  int n = line;
  for (const auto& [k, v] : body.items()) lines[k] = n++;
  body["_at"] = file + ":" + std::to_string(line);
  body["_lines"] = lines;
  return body;
}

inline json text(const std::string& file, int line, const std::string& nl, const std::string& en) {
  return at(file, line, {{"nl", nl}, {"en", en}});
}

// A municipal value with its source and check date, as content/README.md asks.
inline json sourced(const std::string& file, int line, json value, const std::string& checked = "2026-11-30") {
  return at(file, line, {{"value", std::move(value)}, {"source", "https://www.rotterdam.nl/contact"}, {"checked", checked}});
}

inline json product(const std::string& id, int extra_sections = 0) {
  const std::string f = "content/products/" + id + ".yml";
  json sections = at(f, 10, {{"informatie", text(f, 11, "Over " + id + ": {U kunt|Je kunt} het aanvragen.", "About " + id + ".")},
                             {"kosten", text(f, 13, "Het kost {fee." + id + "}.", "It costs {fee." + id + "}.")},
                             {"kosten@kind", text(f, 15, "Voor een kind kost het minder.", "For a child it costs less.")}});
  if (extra_sections) {
    json w = text(f, 17, "Op maandag.", "On Monday.");
    w["live"] = "waste_collection";
    sections["wanneer"] = w;
    sections["_lines"]["wanneer"] = 17;
  }
  return at(f, 1, {{"product", id},
                   {"title", text(f, 2, id, id)},
                   {"sources", json::array({at(f, 3, {{"url", "https://www.rijksoverheid.nl/"}, {"checked", "2026-11-23"}})})},
                   {"summary", text(f, 5, "Samenvatting van " + id + " voor {uw|je} gemeente {name}.", "Summary of " + id + " in {name}.")},
                   {"common_aspects", json::array({"kosten"})},
                   {"sections", sections},
                   {"links", json::array({at(f, 30, {{"title", text(f, 30, "Meer", "More")}, {"url", "{url." + id + "}"}})})},
                   {"variables", at(f, 40, {{"fee." + id, at(f, 40, {{"value", {{"nl", "maximaal € 10,00"}, {"en", "at most € 10.00"}}},
                                                                   {"source", "https://www.rijksoverheid.nl/kosten"}, {"checked", "2025-06-01"}})},
                                            {"url." + id, at(f, 41, {{"value", "https://www.rijksoverheid.nl/" + id}})}})}});
}

inline json valid_source() {
  json dialogue = json::object();
  int line = 1;
  for (const auto& key : required_dialogue_texts()) dialogue[key] = text("content/dialogue.yml", line++, "Tekst " + key + " {u|je}.", "Text " + key + ".");
  dialogue["klacht"] = text("content/dialogue.yml", 8, "Bel {phone}.", "Call {phone}.");
  dialogue["did_you_mean"] = text("content/dialogue.yml", 9, "{Bedoelt u|Bedoel je}: {options}?", "Do you mean: {options}?");
  dialogue["id_card_country_yes"] = text("content/dialogue.yml", 10, "Ja, naar {country} kan dat.", "Yes, to {country} you can.");
  json aspects = json::object(), products = json::object();
  for (const auto& a : small_labels().aspects) aspects[a] = text("content/dialogue.yml", 50, a, a);
  for (const auto& p : small_labels().products) products[p] = text("content/dialogue.yml", 60, p, p);
  json pii_kinds = json::object();
  for (const char* k : {"bsn", "iban", "phone", "email", "address", "birth_date", "document_number", "licence_plate"})
    pii_kinds[k] = text("content/dialogue.yml", 70, std::string("nl-") + k, std::string("en-") + k);
  dialogue["pii_kinds"] = at("content/dialogue.yml", 70, pii_kinds);
  dialogue["aspects"] = at("content/dialogue.yml", 50, aspects);
  dialogue["products"] = at("content/dialogue.yml", 60, products);
  dialogue = at("content/dialogue.yml", 1, dialogue);

  json widget = json::object();
  line = 1;
  for (const auto& key : required_ui_texts()) widget[key] = text("content/widget.yml", line++, "Knop " + key + " {u|je}.", "Button " + key + ".");
  widget = at("content/widget.yml", 1, widget);

  const std::string c = "content/countries.yml";
  json countries = at(c, 1, {{"id_card_accepted", json::array({at(c, 2, {{"code", "DE"}, {"nl", "Duitsland"}, {"en", "Germany"}})})},
                             {"passport_required", json::array({at(c, 5, {{"code", "GB"}, {"nl", "Verenigd Koninkrijk"}, {"en", "United Kingdom"},
                                                                       {"reason", text(c, 6, "Sinds 2021.", "Since 2021.")}})})},
                             {"other_countries", text(c, 9, "Vraag het de ambassade.", "Ask the embassy.")},
                             {"sources", json::array({at(c, 12, {{"url", "https://www.rijksoverheid.nl/landen"}, {"checked", "2026-11-23"}})})}});
  const std::string v = "content/variables.yml";
  json variables = at(v, 1, {{"name", at(v, 1, {{"value", {{"nl", "de gemeente"}, {"en", "the municipality"}}}})},
                             {"phone", at(v, 2, {{"value", "14 + netnummer"}})}});
  const std::string m = "content/municipalities/GM0599.yml";
  json rotterdam = at(m, 2, {{"municipality", "GM0599"}, {"name", "Rotterdam"}, {"tone", "je"},
                             {"variables", at(m, 5, {{"phone", sourced(m, 5, "14 010")}, {"fee.paspoort", sourced(m, 6, {{"nl", "€ 8,00"}, {"en", "€ 8.00"}})},
                                                     {"name", sourced(m, 7, {{"nl", "de gemeente Rotterdam"}, {"en", "the municipality of Rotterdam"}})}})},
                             {"sections", at(m, 9, {{"afval.wanneer", at(m, 10, {{"nl", "In Rotterdam kijk je in de app."}, {"en", "In Rotterdam, check the app."},
                                                                                  {"source", "https://www.rotterdam.nl/afval"}, {"checked", "2026-11-30"}})}})}});
  return {{"variables", variables},
          {"products", json::array({product("paspoort"), product("identiteitskaart"), product("reisdocument"), product("afval", 1)})},
          {"dialogue", dialogue},
          {"widget", widget},
          {"countries", countries},
          {"municipalities", json::array({rotterdam})}};
}

}  // namespace gem::test
