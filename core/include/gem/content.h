// Content: national texts with municipal overrides, checked and compiled into one pack per municipality.
//
// The source is the content/ YAML converted to JSON by `scripts/gem content` with positions kept:
// every mapping carries "_at" ("file:line") and "_lines" (key → line), so every error names the file
// and line. The core never reads files itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gem/error.h"

namespace gem {

// The fixed label sets content is written against.
struct LabelSet {
  std::vector<std::string> products;  // without the "none" label
  std::vector<std::string> aspects;
  std::vector<std::string> municipalities;  // CBS codes a municipality file may use
};

struct ContentError {
  std::string at;       // "content/products/paspoort.yml:12"
  std::string message;  // what was expected and what was found
};

// A source whose check date is older than the allowed age: an editor should look at the page again.
struct ReviewItem {
  std::string at;       // "content/municipalities/GM0599.yml:12" (the 'checked' line)
  std::string url;      // the source to look at
  std::string checked;  // YYYY-MM-DD
};

// Every `checked` date (with its `source` or `url`) older than `max_age_months` before `today`
// (YYYY-MM-DD), oldest first. The core has no clock: the caller says what day it is.
std::vector<ReviewItem> review_due(std::string_view source_json, std::string_view today, int max_age_months = 12);

// The dialogue texts every content set must provide (content/dialogue.yml).
const std::vector<std::string>& required_dialogue_texts();
// The chat panel's own texts every content set must provide (content/widget.yml).
const std::vector<std::string>& required_ui_texts();

// Checks schema, unknown and unused variables, missing sections (also those content/required-sections.yml
// asks for, given as "required_sections") and translations, links, tone
// variants and duplicate ids. An empty result means the content is sound.
std::vector<ContentError> check_content(std::string_view source_json, const LabelSet& labels);

// A compact pack for one municipality, or with municipality "generic" the fallback for every
// municipality without a file of its own (the dialogue is then told the municipality):
// national content with that municipality's replaced sections, its variable values and the national
// fallbacks. Templates stay unresolved so the dialogue can answer for another municipality too.
// JSON Lines: the first line is the pack without the products' sections, with `answers` listing the products;
// each further line is the sections of the next product of that list. Throws gem::Error when the content does
// not pass check_content.
std::string compile_pack(std::string_view source_json, const LabelSet& labels, std::string_view municipality,
                         std::string_view municipality_name);

}  // namespace gem
