// Dialogues over the small test content and hand-made readings, shared by the dialogue tests.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "content_fixture.h"
#include "gem/dialogue.h"

namespace gem::test::dialogue_fixture {

inline const char* kMunicipalities = "code\tname\nGM0599\tRotterdam\nGM0855\tTilburg\nGM0344\tUtrecht\n";

inline gem::Dialogue dialogue(const std::string& code = "GM0599", gem::DialogueOptions options = {}) {
  const auto source = gem::test::valid_source().dump();
  const auto pack = gem::compile_pack(source, gem::test::small_labels(), code == "GM0599" ? code : "generic", "");
  return gem::Dialogue(pack, kMunicipalities, code, std::move(options));
}

// Rotterdam's dialogue where the passport's "wanneer" section looks up an application's status.
inline gem::Dialogue status_dialogue() {
  auto source = gem::test::valid_source();
  auto status = gem::test::text("content/products/paspoort.yml", 17, "Het duurt even.", "It takes a while.");
  status["live"] = "application_status";
  source["products"][0]["sections"]["wanneer"] = status;
  source["products"][0]["sections"]["_lines"]["wanneer"] = 17;
  return gem::Dialogue(gem::compile_pack(source.dump(), gem::test::small_labels(), "GM0599", "Rotterdam"), kMunicipalities);
}

struct Reading {
  std::string intent = "product_vraag";
  std::optional<std::string> product, aspect;
  float confidence = 0.9f;
  float intent_confidence = 0.9f;
  float product_confidence = 0.9f;
  std::string lang = "nl";
  std::vector<gem::Entity> entities;
  std::string normalized = "een vraag";
  std::string text = "een vraag";
  std::size_t known_words = 2;
  std::vector<gem::Alternative> alternatives;
  std::vector<std::pair<std::string, float>> products, aspects;  // the heads' own ranking
  std::vector<gem::Correction> corrections;
};

inline gem::Understanding understood(const Reading& r) {
  gem::Understanding u;
  u.intent = r.intent;
  u.product = r.product;
  u.aspect = r.aspect;
  u.confidence = r.confidence;
  u.intent_confidence = r.intent_confidence;
  u.product_confidence = r.product_confidence;
  u.low_confidence = r.confidence < 0.5f;
  u.lang = r.lang;
  u.entities = r.entities;
  u.normalized = r.normalized;
  u.text = r.text;
  u.known_words = r.known_words;
  u.alternatives = r.alternatives;
  u.corrections = r.corrections;
  u.products = r.products;
  u.aspects = r.aspects;
  return u;
}

inline gem::Entity entity(std::string type, std::string value) { return {std::move(type), std::move(value), 0, 1}; }

inline std::vector<std::string> button_ids(const gem::Response& r) {
  std::vector<std::string> ids;
  for (const auto& q : r.quick_replies) ids.push_back(q.id);
  return ids;
}

inline bool has_event(const gem::Response& r, const std::string& type, const std::string& kind = "") {
  return std::any_of(r.events.begin(), r.events.end(), [&](const gem::Event& e) { return e.type == type && (kind.empty() || e.kind == kind); });
}

}  // namespace gem::test::dialogue_fixture
