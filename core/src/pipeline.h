// Everything before the classifier that does not need the SentencePiece model: normalise, find
// entities, correct spelling of the remaining words. `gem-core normalize` runs exactly this for
// training, so the model is trained on the text it will see in the browser.
#pragma once

#include "entities.h"
#include "spelling.h"
#include "text.h"

namespace gem {

struct Preprocessed {
  NormalizedText text;
  std::vector<Entity> entities;
  std::vector<Correction> corrections;
  std::string model_text;  // corrected words joined by spaces
  std::size_t known_words = 0;  // words (after correction) that the lexicon knows
};

class Preprocessor {
 public:
  Preprocessor(EntityExtractor entities, SpellingCorrector speller, std::size_t max_chars)
      : entities_(std::move(entities)), speller_(std::move(speller)), max_chars_(max_chars) {}

  Preprocessed run(std::string_view input) const;

 private:
  EntityExtractor entities_;
  SpellingCorrector speller_;
  std::size_t max_chars_;
};

}  // namespace gem
