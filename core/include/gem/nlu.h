// Gem understanding core: text in, structured meaning out.
//
//   gem::Understander nlu(resources);               // once: model bytes and gazetteers, no I/O
//   gem::Analysis a = nlu.analyse("pasport kwijt");   // normalise, correct spelling, tokenise, find entities
//   gem::Scores s = my_model.run(a.token_ids);        // any inference engine (ONNX Runtime Web in the browser)
//   gem::Understanding u = nlu.interpret(a, s);       // labels, confidence, alternatives, entities
//   std::string json = gem::to_json(u);
//
// The two-step analyse/interpret split exists because the browser runs the classifier asynchronously.
// Character offsets are UTF-16 code units in the (repaired, truncated) input, as JavaScript's
// String.prototype.slice counts them, so the widget can use them directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gem/error.h"

namespace gem {

struct Limits {
  std::size_t max_chars = 1000;   // longer messages are truncated (flagged), never rejected
  std::size_t max_tokens = 64;    // classifier input length
};

// Everything the understander needs, as bytes the caller loaded (the core does no I/O).
struct Resources {
  std::string sentencepiece_model;       // models/gem.spm
  std::string metadata_json;             // models/gem-nlu.json: labels, lexicon, thresholds
  std::string municipalities_tsv;        // content/gazetteer/gemeenten.tsv (code, name)
  std::string municipality_aliases_tsv;  // content/gazetteer/gemeente-aliases.tsv (alias, code)
  std::string countries_tsv;             // content/gazetteer/landen.tsv (code, nl, en, aliases)
  Limits limits{};
};

// One word of the normalised text and where it came from.
struct Token {
  std::string text;         // normalised: lower case, accents folded
  std::size_t start = 0;    // UTF-16 offsets into the input
  std::size_t end = 0;
};

struct Entity {
  std::string type;    // gemeente | land | persoon | postcode | huisnummer | datum
  std::string value;   // canonical: GM0796, ZA, kind, 1234 AB, 12A, 2026-03-01
  std::size_t start = 0;
  std::size_t end = 0;
};

struct Correction {
  std::string from, to;
  std::size_t start = 0, end = 0;
  std::size_t word = 0;  // its position among the normalised words (Understanding::normalized)
};

struct Analysis {
  std::string text;                  // the input after UTF-8 repair and truncation
  std::vector<Token> tokens;         // normalised words
  std::string normalized;            // tokens after spelling correction, joined by spaces: what the classifier reads
  std::vector<Correction> corrections;
  std::vector<Entity> entities;
  std::vector<std::int32_t> token_ids;  // SentencePiece ids of `normalized`, never empty; of a longer message the last Limits::max_tokens
  std::size_t known_words = 0;       // words of `normalized` in the lexicon: none means gibberish or a foreign language
  bool truncated = false;
  bool repaired = false;             // invalid UTF-8 was replaced by U+FFFD
};

// Classifier output: one probability vector per head, in the label order of the metadata.
struct Scores {
  std::vector<float> intent, product, aspect, lang;
};

struct Alternative {
  std::string intent;
  std::optional<std::string> product, aspect;
  float confidence = 0;
};

struct Understanding {
  std::string text;
  std::string intent;
  std::optional<std::string> product;
  std::optional<std::string> aspect;
  std::string lang;              // nl | en
  float confidence = 0;          // of the whole reading: intent (× product for product questions)
  float intent_confidence = 0;   // of the intent alone
  float product_confidence = 0;  // of the product (or of "no product") alone, for product questions
  bool low_confidence = false;   // below the metadata threshold: the dialogue should ask, not answer
  std::vector<Alternative> alternatives;  // the next best readings, best first, at most 3
  // The product and aspect heads on their own, best first (at most 4 each, no "none" label): what the dialogue
  // offers as buttons when it is unsure, and how sure the aspect is.
  std::vector<std::pair<std::string, float>> products, aspects;
  std::vector<Entity> entities;
  std::vector<Correction> corrections;
  std::string normalized;
  std::size_t known_words = 0;
  bool truncated = false;
  bool repaired = false;
};

// The inference engine behind a small interface, so the core does not depend on one.
class Classifier {
 public:
  virtual ~Classifier() = default;
  virtual Scores classify(const std::vector<std::int32_t>& token_ids) = 0;
};

class CompactModel;  // gem/compact.h

class Understander {
 public:
  explicit Understander(const Resources& resources);
  ~Understander();
  Understander(Understander&&) noexcept;
  Understander& operator=(Understander&&) noexcept;

  Analysis analyse(std::string_view text) const;
  Understanding interpret(const Analysis& analysis, const Scores& scores) const;
  Understanding understand(std::string_view text, Classifier& classifier) const;

  const std::vector<std::string>& labels(std::string_view head) const;

  // The compact tier (gem/compact.h), from models/gem-compact.bin: throws gem::Error if the bytes are malformed
  // or do not fit this understander's labels and vocabulary. compact() is null until one is loaded.
  void load_compact(std::string_view bytes);
  const CompactModel* compact() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string to_json(const Understanding& understanding);

}  // namespace gem
