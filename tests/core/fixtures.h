// Test resources read from the source tree (natively, and under Node through NODERAWFS).
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "gem/nlu.h"

namespace gem::test {

inline std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(GEM_SOURCE_DIR) + "/" + relative, std::ios::binary);
  if (!in) throw std::runtime_error("missing test resource " + relative);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline Resources source_resources() {
  Resources r;
  r.sentencepiece_model = read_source_file("models/gem.spm");
  r.metadata_json = read_source_file("models/gem-nlu.json");
  r.municipalities_tsv = read_source_file("content/gazetteer/gemeenten.tsv");
  r.municipality_aliases_tsv = read_source_file("content/gazetteer/gemeente-aliases.tsv");
  r.countries_tsv = read_source_file("content/gazetteer/landen.tsv");
  return r;
}

}  // namespace gem::test
