// gem-core: the native core on the command line, for training and for checking the wasm build.
//
//   gem-core normalize [--lexicon FILE] [--gazetteer DIR]   one normalised (+corrected) line per input line
//   gem-core analyse [--models DIR] [--gazetteer DIR]       one JSON analysis (tokens, ids, entities) per line
//
// Defaults point into the source tree this binary was built from.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "gem/nlu.h"
#include "pipeline.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw gem::Error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> words;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') words.push_back(line);
  return words;
}

int usage() {
  std::cerr << "usage: gem-core normalize [--lexicon FILE] [--gazetteer DIR]\n"
               "       gem-core analyse [--models DIR] [--gazetteer DIR]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string command = argv[1];
  std::string lexicon, gazetteer = GEM_SOURCE_DIR "/content/gazetteer", models = GEM_SOURCE_DIR "/models";
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    if (arg == "--lexicon") lexicon = argv[++i];
    else if (arg == "--gazetteer") gazetteer = argv[++i];
    else if (arg == "--models") models = argv[++i];
    else return usage();
  }
  try {
    gem::Resources r;
    r.municipalities_tsv = read_file(gazetteer + "/gemeenten.tsv");
    r.municipality_aliases_tsv = read_file(gazetteer + "/gemeente-aliases.tsv");
    r.countries_tsv = read_file(gazetteer + "/landen.tsv");
    std::ios::sync_with_stdio(false);
    std::string line;
    if (command == "normalize") {
      gem::Preprocessor pre(gem::EntityExtractor(gem::municipality_gazetteer(r.municipalities_tsv, r.municipality_aliases_tsv),
                                                 gem::country_gazetteer(r.countries_tsv)),
                            gem::SpellingCorrector(lexicon.empty() ? std::vector<std::string>{} : read_lines(lexicon)),
                            r.limits.max_chars);
      while (std::getline(std::cin, line)) std::cout << pre.run(line).model_text << '\n';
      return 0;
    }
    if (command == "analyse") {
      r.sentencepiece_model = read_file(models + "/gem.spm");
      r.metadata_json = read_file(models + "/gem-nlu.json");
      const gem::Understander nlu(r);
      while (std::getline(std::cin, line)) {
        const auto a = nlu.analyse(line);
        nlohmann::json entities = nlohmann::json::array();
        for (const auto& e : a.entities)
          entities.push_back({{"type", e.type}, {"value", e.value}, {"start", e.start}, {"end", e.end}});
        std::cout << nlohmann::json{{"normalized", a.normalized}, {"ids", a.token_ids}, {"entities", entities}}.dump(
                         -1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << '\n';
      }
      return 0;
    }
    return usage();
  } catch (const std::exception& e) {
    std::cerr << "gem-core: " << e.what() << '\n';
    return 1;
  }
}
