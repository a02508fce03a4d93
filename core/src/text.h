// Normalisation: the first step of understanding, shared by the classifier input and entity matching.
#pragma once

#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "gem/nlu.h"

namespace gem {

struct NormalizedText {
  std::string text;            // input after UTF-8 repair and truncation
  std::vector<Token> tokens;   // normalised words with their source spans
  // Byte range of each token in `text`, so patterns can look at the separators between words ("12-03").
  std::vector<std::pair<std::size_t, std::size_t>> bytes;
  bool truncated = false;
  bool repaired = false;
};

// Splits into words and folds them: Unicode lower case (case folding), compatibility forms (fullwidth,
// ligatures, ĳ → ij), accents stripped (é → e), apostrophes dropped inside words ('s → s), every other
// non-letter non-digit (punctuation, symbols, emoji, controls) separates words. Never throws.
NormalizedText normalize(std::string_view input, std::size_t max_chars);

// Normalises a gazetteer name or lexicon entry the same way, returning just the words.
std::vector<std::string> normalize_words(std::string_view input);

std::string join(const std::vector<std::string>& words, std::string_view separator = " ");

// The words of text that is normalised already (Understanding::normalized): split at spaces, join's inverse.
std::vector<std::string> split_words(std::string_view text);

}  // namespace gem
