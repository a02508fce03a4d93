// Entity extraction: gazetteers (municipalities, countries) and patterns (postcode, house number,
// dates, the person a question is about) over the normalised words.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gem/nlu.h"
#include "text.h"

namespace gem {

// Multi-word names to codes, matched longest first over normalised words.
class Gazetteer {
 public:
  // Adds a name under a code. A name claimed by two codes is ambiguous and matches neither
  // (plain "bergen": Bergen NH or Bergen L).
  void add(std::string_view name, const std::string& code);

  // Length in words and code of the longest name starting at `first`, or {0, ""}.
  std::pair<std::size_t, std::string> match(const std::vector<Token>& tokens, std::size_t first) const;

  std::size_t size() const { return names_.size(); }

 private:
  std::unordered_map<std::string, std::string> names_;  // joined words → code ("" when ambiguous)
  std::size_t longest_ = 0;
};

// Builds the municipality gazetteer from the CBS list and the alias list (TSV with a header row).
// Qualifiers in official names are optional when typed: "Bergen (NH.)" is found as "bergen nh".
Gazetteer municipality_gazetteer(std::string_view municipalities_tsv, std::string_view aliases_tsv);

// Countries: TSV with columns code, Dutch name, English name, further aliases separated by ';'.
Gazetteer country_gazetteer(std::string_view countries_tsv);

class EntityExtractor {
 public:
  EntityExtractor(Gazetteer municipalities, Gazetteer countries);

  // Entities in order of appearance. `used[i]` is set for every token that is part of an entity,
  // so the spelling corrector leaves names and numbers alone.
  std::vector<Entity> extract(const NormalizedText& text, std::vector<bool>& used) const;

 private:
  Gazetteer municipalities_, countries_;
};

// Splits TSV text into rows of fields; `#` comment lines and blank lines are skipped. A malformed row
// throws gem::Error naming the source and line.
std::vector<std::vector<std::string>> parse_tsv(std::string_view tsv, std::string_view source,
                                                std::size_t min_fields);

}  // namespace gem
