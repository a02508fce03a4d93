#include "pipeline.h"

namespace gem {

Preprocessed Preprocessor::run(std::string_view input) const {
  Preprocessed out;
  out.text = normalize(input, max_chars_);
  std::vector<bool> used;
  out.entities = entities_.extract(out.text, used);
  std::vector<std::string> words;
  words.reserve(out.text.tokens.size());
  for (std::size_t i = 0; i < out.text.tokens.size(); ++i) {
    const auto& tok = out.text.tokens[i];
    // Names and numbers claimed by an entity are never "corrected" into ordinary words.
    auto fixed = used[i] ? std::nullopt : speller_.correct(tok.text);
    if (fixed) out.corrections.push_back({tok.text, *fixed, tok.start, tok.end, i});
    words.push_back(fixed ? *fixed : tok.text);
    if (speller_.known(words.back())) ++out.known_words;
  }
  out.model_text = join(words);
  return out;
}

}  // namespace gem
