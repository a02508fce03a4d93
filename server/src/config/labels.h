// The label set the widget's model uses (models/gem-nlu.json): the only intent, product and aspect
// values the server accepts from browsers and staff.
#pragma once

#include <filesystem>
#include <set>
#include <string>

namespace gem {

struct Labels {
  std::set<std::string> intents, products, aspects;
};

// Throws ConfigError when the file is missing or has no intent/product/aspect labels.
Labels load_labels(const std::filesystem::path& file);

}  // namespace gem
