// The compact understanding tier: a small linear model the core runs itself, so Gem can answer while ONNX
// Runtime and the full model are still loading.
//
//   gem::CompactModel compact(bytes);                    // models/gem-compact.bin (scripts/train-compact)
//   gem::Scores s = compact.score(analysis.token_ids);    // the ids of gem::Understander::analyse
//   if (compact.sure(s)) u = nlu.interpret(analysis, s);   // otherwise wait for the full model
//
// One multinomial logistic regression per head over the SentencePiece ids and hashed pairs of neighbouring
// ids, int8 weights with a scale per label. Scores come in the heads and label order of gem-nlu.json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "gem/error.h"
#include "gem/nlu.h"

namespace gem {

// The lowest highest-probability per head at which the compact tier answers on its own; chosen by k-fold on
// the training split and stored in the file.
struct CompactThresholds {
  float intent = 1, product = 1, aspect = 1, lang = 1;
};

class CompactModel : public Classifier {
 public:
  // Throws gem::Error naming what was expected at which offset (magic, version, sizes, truncation).
  explicit CompactModel(std::string_view bytes);

  Scores score(const std::vector<std::int32_t>& token_ids) const;
  Scores classify(const std::vector<std::int32_t>& token_ids) override { return score(token_ids); }

  // Sure enough to answer without the full model: intent and language at or above their thresholds and, when
  // the intent is a product question, product and aspect too.
  bool sure(const Scores& scores) const;

  const CompactThresholds& thresholds() const { return thresholds_; }
  std::size_t vocab_size() const { return vocab_size_; }
  // Labels per head (intent, product, aspect, lang).
  std::size_t label_count(std::size_t head) const { return heads_.at(head).labels; }

 private:
  struct Head {
    std::size_t labels = 0;
    std::vector<float> bias, scale;
    std::vector<std::int8_t> weights;  // [feature][label]
  };
  std::uint32_t vocab_size_ = 0, pair_buckets_ = 0, hash_seed_ = 0, product_question_ = 0;
  CompactThresholds thresholds_;
  std::vector<Head> heads_;
};

}  // namespace gem
