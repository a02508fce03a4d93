#include <boost/test/unit_test.hpp>

#include <map>

#include "templates.h"

using gem::Tone;

namespace {
std::string render(std::string_view text, Tone tone, std::vector<std::string>* missing = nullptr) {
  const std::map<std::string, std::string, std::less<>> vars = {{"fee.paspoort.adult", "€ 84,70"}, {"name", "Rotterdam"}};
  return gem::render_template(text, tone, [&](std::string_view n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  }, missing);
}
std::vector<std::string> problems(std::string_view text) {
  std::vector<gem::TemplateProblem> p;
  gem::parse_template(text, &p);
  std::vector<std::string> out;
  for (const auto& x : p) out.push_back(std::to_string(x.offset) + ": " + x.message);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(templates)

BOOST_AUTO_TEST_CASE(one_text_serves_both_tones) {
  const std::string t = "{U kunt|Je kunt} een paspoort aanvragen bij {uw|je} gemeente.";
  BOOST_TEST(render(t, Tone::formal) == "U kunt een paspoort aanvragen bij uw gemeente.");
  BOOST_TEST(render(t, Tone::informal) == "Je kunt een paspoort aanvragen bij je gemeente.");
}

BOOST_AUTO_TEST_CASE(variables_are_filled_in) {
  BOOST_TEST(render("Een paspoort kost {fee.paspoort.adult} in {name}.", Tone::formal) ==
             "Een paspoort kost € 84,70 in Rotterdam.");
}

BOOST_AUTO_TEST_CASE(unknown_variables_render_empty_and_are_reported) {
  std::vector<std::string> missing;
  BOOST_TEST(render("Bel {phone}.", Tone::formal, &missing) == "Bel .");
  BOOST_TEST((missing == std::vector<std::string>{"phone"}));
}

BOOST_AUTO_TEST_CASE(lists_variables_in_order) {
  BOOST_TEST((gem::template_variables("{a.b} en {u|je} en {c}") == std::vector<std::string>{"a.b", "c"}));
}

BOOST_AUTO_TEST_CASE(malformed_groups_are_reported_with_their_offset) {
  BOOST_TEST((problems("Bel {phone") == std::vector<std::string>{"4: '{' is not closed by '}'"}));
  BOOST_TEST((problems("a } b") == std::vector<std::string>{"2: '}' without a matching '{'"}));
  BOOST_TEST((problems("{a|b|c}") ==
              std::vector<std::string>{"0: tone alternation {a|b|c} must have exactly two parts: {formal|informal}"}));
  BOOST_TEST((problems("{Fee}") == std::vector<std::string>{
      "0: {Fee} is not a variable name (lower case letters, digits, '_' and '.') nor a tone alternation {formal|informal}"}));
  BOOST_TEST((problems("{a {b}}").size() == 2u));
  BOOST_TEST(problems("plain text, {u|je}, {x.y}").empty());
}

BOOST_AUTO_TEST_SUITE_END()
