// The understanding pipeline: normalise → entities → spelling correction → SentencePiece ids, and
// after the classifier ran: labels, confidence and alternatives.
#include <algorithm>
#include <numeric>

#include <nlohmann/json.hpp>
#include <sentencepiece_processor.h>

#include "gem/compact.h"
#include "gem/nlu.h"
#include "pipeline.h"

namespace gem {
namespace {

using nlohmann::json;

const std::vector<std::string> kHeads = {"intent", "product", "aspect", "lang"};

std::vector<std::string> read_labels(const json& labels, const std::string& head) {
  if (!labels.contains(head) || !labels[head].is_array() || labels[head].empty())
    throw Error("gem-nlu.json: labels." + head + ": expected a non-empty array of label names");
  std::vector<std::string> out;
  for (const auto& l : labels[head]) {
    if (l.is_null()) out.emplace_back();  // "no product" / "no aspect"
    else if (l.is_string()) out.push_back(l.get<std::string>());
    else throw Error("gem-nlu.json: labels." + head + ": expected strings or null, found " + l.dump());
  }
  return out;
}

std::optional<std::string> label_or_null(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::size_t argmax(const std::vector<float>& v) {
  return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

json entity_json(const Entity& e) {
  return {{"type", e.type}, {"value", e.value}, {"start", e.start}, {"end", e.end}};
}

json optional_json(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

}  // namespace

struct Understander::Impl {
  sentencepiece::SentencePieceProcessor spm;
  std::vector<std::vector<std::string>> labels;  // per head, in kHeads order
  Preprocessor pre;
  std::size_t max_tokens;
  float low_confidence = 0.5f;
  std::size_t product_question = 0;  // index of product_vraag in the intent labels
  std::unique_ptr<CompactModel> compact;

  Impl(const Resources& r, const json& meta)
      : labels(read_all_labels(meta)),
        pre(EntityExtractor(municipality_gazetteer(r.municipalities_tsv, r.municipality_aliases_tsv),
                            country_gazetteer(r.countries_tsv)),
            SpellingCorrector(meta.value("lexicon", std::vector<std::string>{})), r.limits.max_chars),
        max_tokens(std::min(r.limits.max_tokens, meta.value("max_tokens", r.limits.max_tokens))) {
    if (auto status = spm.LoadFromSerializedProto(r.sentencepiece_model); !status.ok())
      throw Error("gem.spm: not a SentencePiece model: " + status.ToString());
    const auto& intents = labels[0];
    const auto pv = std::find(intents.begin(), intents.end(), "product_vraag");
    if (pv == intents.end()) throw Error("gem-nlu.json: labels.intent must contain product_vraag");
    product_question = static_cast<std::size_t>(pv - intents.begin());
    if (meta.contains("thresholds")) low_confidence = meta["thresholds"].value("low_confidence", low_confidence);
  }

  static std::vector<std::vector<std::string>> read_all_labels(const json& meta) {
    std::vector<std::vector<std::string>> out;
    for (const auto& head : kHeads) out.push_back(read_labels(meta["labels"], head));
    return out;
  }
};

namespace {
json parse_metadata(const std::string& text) {
  json meta;
  try {
    meta = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(std::string("gem-nlu.json: ") + e.what());
  }
  if (!meta.is_object() || !meta.contains("labels") || !meta["labels"].is_object())
    throw Error("gem-nlu.json: expected an object with a \"labels\" object");
  if (meta.contains("lexicon") && !meta["lexicon"].is_array())
    throw Error("gem-nlu.json: lexicon: expected an array of words");
  return meta;
}
}  // namespace

Understander::Understander(const Resources& resources)
    : impl_(std::make_unique<Impl>(resources, parse_metadata(resources.metadata_json))) {}
Understander::~Understander() = default;
Understander::Understander(Understander&&) noexcept = default;
Understander& Understander::operator=(Understander&&) noexcept = default;

const std::vector<std::string>& Understander::labels(std::string_view head) const {
  for (std::size_t i = 0; i < kHeads.size(); ++i)
    if (kHeads[i] == head) return impl_->labels[i];
  throw Error("unknown classifier head: " + std::string(head));
}

void Understander::load_compact(std::string_view bytes) {
  auto model = std::make_unique<CompactModel>(bytes);
  if (model->vocab_size() != static_cast<std::size_t>(impl_->spm.GetPieceSize()))
    throw Error("gem-compact.bin: made for " + std::to_string(model->vocab_size()) + " pieces, gem.spm has " +
                std::to_string(impl_->spm.GetPieceSize()) + " (not from the same training run)");
  for (std::size_t h = 0; h < kHeads.size(); ++h)
    if (model->label_count(h) != impl_->labels[h].size())
      throw Error("gem-compact.bin: " + std::to_string(model->label_count(h)) + " " + kHeads[h] + " labels, gem-nlu.json has " +
                  std::to_string(impl_->labels[h].size()));
  impl_->compact = std::move(model);
}

const CompactModel* Understander::compact() const { return impl_->compact.get(); }

Analysis Understander::analyse(std::string_view text) const {
  auto p = impl_->pre.run(text);
  Analysis a;
  impl_->spm.Encode(p.model_text, &a.token_ids).IgnoreError();
  // A longer message keeps its end: residents tell their situation first and ask their question last.
  if (a.token_ids.size() > impl_->max_tokens)
    a.token_ids.erase(a.token_ids.begin(), a.token_ids.end() - static_cast<std::ptrdiff_t>(impl_->max_tokens));
  // The classifier needs at least one id: a message of only emoji or punctuation reads as unknown.
  if (a.token_ids.empty()) a.token_ids.push_back(impl_->spm.unk_id());
  a.text = std::move(p.text.text);
  a.tokens = std::move(p.text.tokens);
  a.normalized = std::move(p.model_text);
  a.entities = std::move(p.entities);
  a.corrections = std::move(p.corrections);
  a.known_words = p.known_words;
  a.truncated = p.text.truncated;
  a.repaired = p.text.repaired;
  return a;
}

Understanding Understander::interpret(const Analysis& a, const Scores& s) const {
  const auto& L = impl_->labels;
  const std::vector<const std::vector<float>*> heads = {&s.intent, &s.product, &s.aspect, &s.lang};
  for (std::size_t h = 0; h < heads.size(); ++h)
    if (heads[h]->size() != L[h].size())
      throw Error("classifier head " + kHeads[h] + ": expected " + std::to_string(L[h].size()) + " scores, got " +
                  std::to_string(heads[h]->size()));

  Understanding u;
  u.text = a.text;
  u.entities = a.entities;
  u.corrections = a.corrections;
  u.normalized = a.normalized;
  u.known_words = a.known_words;
  u.truncated = a.truncated;
  u.repaired = a.repaired;
  u.lang = L[3][argmax(s.lang)];

  // Candidate readings: each non-product intent, and product questions per product with the best aspect.
  const std::size_t pv = impl_->product_question;
  const auto aspect_index = argmax(s.aspect);
  std::vector<Alternative> readings;
  for (std::size_t i = 0; i < L[0].size(); ++i) {
    if (i == pv) continue;
    readings.push_back({L[0][i], std::nullopt, std::nullopt, s.intent[i]});
  }
  for (std::size_t p = 0; p < L[1].size(); ++p)
    readings.push_back({L[0][pv], label_or_null(L[1][p]), label_or_null(L[2][aspect_index]), s.intent[pv] * s.product[p]});
  std::stable_sort(readings.begin(), readings.end(),
                   [](const Alternative& x, const Alternative& y) { return x.confidence > y.confidence; });

  // The reading itself follows the intent head, so a spread-out product distribution lowers the
  // confidence of a product question without turning it into another intent.
  const auto best_intent = argmax(s.intent);
  if (best_intent == pv) {
    const auto best_product = argmax(s.product);
    u.intent = L[0][pv];
    u.product = label_or_null(L[1][best_product]);
    u.aspect = label_or_null(L[2][aspect_index]);
    u.confidence = s.intent[pv] * s.product[best_product];
    u.product_confidence = s.product[best_product];
  } else {
    u.intent = L[0][best_intent];
    u.confidence = s.intent[best_intent];
  }
  u.intent_confidence = s.intent[best_intent];
  u.low_confidence = u.confidence < impl_->low_confidence;
  const auto ranked = [](const std::vector<std::string>& labels, const std::vector<float>& scores) {
    std::vector<std::pair<std::string, float>> out;
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (label_or_null(labels[i])) out.emplace_back(labels[i], scores[i]);
    std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
    if (out.size() > 4) out.resize(4);
    return out;
  };
  u.products = ranked(L[1], s.product);
  u.aspects = ranked(L[2], s.aspect);
  for (const auto& r : readings) {
    if (u.alternatives.size() == 3) break;
    if (r.intent == u.intent && r.product == u.product) continue;
    u.alternatives.push_back(r);
  }
  return u;
}

Understanding Understander::understand(std::string_view text, Classifier& classifier) const {
  const auto a = analyse(text);
  return interpret(a, classifier.classify(a.token_ids));
}

std::string to_json(const Understanding& u) {
  json alternatives = json::array();
  for (const auto& a : u.alternatives)
    alternatives.push_back({{"intent", a.intent}, {"product", optional_json(a.product)},
                            {"aspect", optional_json(a.aspect)}, {"confidence", a.confidence}});
  json entities = json::array();
  for (const auto& e : u.entities) entities.push_back(entity_json(e));
  json corrections = json::array();
  for (const auto& c : u.corrections)
    corrections.push_back({{"from", c.from}, {"to", c.to}, {"start", c.start}, {"end", c.end}});
  json out = {{"text", u.text},
              {"intent", u.intent},
              {"product", optional_json(u.product)},
              {"aspect", optional_json(u.aspect)},
              {"confidence", u.confidence},
              {"low_confidence", u.low_confidence},
              {"alternatives", alternatives},
              {"entities", entities},
              {"lang", u.lang},
              {"normalized", u.normalized},
              {"corrections", corrections}};
  if (u.truncated) out["truncated"] = true;
  if (u.repaired) out["repaired"] = true;
  // Invalid UTF-8 never reaches here (repaired on input), but never let a dump throw either.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace gem
