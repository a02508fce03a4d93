#include "config/labels.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace gem {

Labels load_labels(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError("cannot read the label set " + file.string());
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("labels") || !j["labels"].contains("product") || !j["labels"].contains("aspect")) {
    throw ConfigError(file.string() + ": expected {\"labels\": {\"product\": [...], \"aspect\": [...]}}");
  }
  Labels labels;
  for (const auto& p : j["labels"]["product"]) {
    if (p.is_string()) labels.products.insert(p.get<std::string>());
  }
  for (const auto& a : j["labels"]["aspect"]) {
    if (a.is_string()) labels.aspects.insert(a.get<std::string>());
  }
  if (labels.products.empty() || labels.aspects.empty()) throw ConfigError(file.string() + ": empty label set");
  return labels;
}

}  // namespace gem
