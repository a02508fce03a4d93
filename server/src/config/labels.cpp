#include "config/labels.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace gem {

Labels load_labels(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError("cannot read the label set " + file.string());
  auto j = nlohmann::json::parse(in, nullptr, false);
  auto expected = [&] {
    return ConfigError(file.string() + ": expected {\"labels\": {\"intent\": [...], \"product\": [...], \"aspect\": [...]}}");
  };
  if (j.is_discarded() || !j.contains("labels") || !j["labels"].is_object()) throw expected();
  Labels labels;
  using Head = std::pair<const char*, std::set<std::string>*>;
  for (auto [head, set] : {Head{"intent", &labels.intents}, Head{"product", &labels.products}, Head{"aspect", &labels.aspects}}) {
    if (!j["labels"].contains(head) || !j["labels"][head].is_array()) throw expected();
    for (const auto& label : j["labels"][head]) {
      if (label.is_string()) set->insert(label.get<std::string>());
    }
    if (set->empty()) throw ConfigError(file.string() + ": no " + head + " labels");
  }
  return labels;
}

}  // namespace gem
