// JavaScript bindings of the build-time tooling (gem-tools.js, Node only): the content checker and the
// pack compiler, for `scripts/gem content` and the tests. Residents never download this module.
//
//   const tools = await createGemTools({wasmBinary});
//   JSON.parse(tools.checkContent(sourceJson, {products, aspects, municipalities}));  // [{at, message}]
//   tools.compilePack(sourceJson, labels, 'GM0599', 'Rotterdam');                    // the pack's JSON
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <nlohmann/json.hpp>

#include "gem/content.h"
#include "js_error.h"

using emscripten::val;

namespace {

gem::LabelSet label_set(const val& labels) {
  return {emscripten::vecFromJSArray<std::string>(labels["products"]), emscripten::vecFromJSArray<std::string>(labels["aspects"]),
          emscripten::vecFromJSArray<std::string>(labels["municipalities"])};
}

// [{at, message}] as JSON.
std::string check_content(const std::string& source, const val& labels) {
  auto errors = nlohmann::json::array();
  for (const auto& e : gem::check_content(source, label_set(labels))) errors.push_back({{"at", e.at}, {"message", e.message}});
  return errors.dump();
}

std::string compile_pack(const std::string& source, const val& labels, const std::string& code, const std::string& name) {
  try {
    return gem::compile_pack(source, label_set(labels), code, name);
  } catch (const std::exception& e) {
    throw_js(e);
  }
}

// [{at, url, checked}] as JSON: sources whose check date is older than max_age_months before `today`.
std::string review_due(const std::string& source, const std::string& today, int max_age_months) {
  try {
    auto due = nlohmann::json::array();
    for (const auto& d : gem::review_due(source, today, max_age_months)) due.push_back({{"at", d.at}, {"url", d.url}, {"checked", d.checked}});
    return due.dump();
  } catch (const std::exception& e) {
    throw_js(e);
  }
}

}  // namespace

EMSCRIPTEN_BINDINGS(gem_tools) {
  emscripten::function("checkContent", &check_content);
  emscripten::function("compilePack", &compile_pack);
  emscripten::function("reviewDue", &review_due);
}
