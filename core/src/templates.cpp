#include "templates.h"

namespace gem {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace

std::vector<TemplatePart> parse_template(std::string_view text, std::vector<TemplateProblem>* problems) {
  std::vector<TemplatePart> parts;
  auto problem = [&](std::size_t at, std::string message) {
    if (problems) problems->push_back({at, std::move(message)});
  };
  std::string literal;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '}') {
      problem(i, "'}' without a matching '{'");
      literal += c;
      ++i;
      continue;
    }
    if (c != '{') {
      literal += c;
      ++i;
      continue;
    }
    const auto close = text.find('}', i + 1);
    const auto nested = text.find('{', i + 1);
    if (close == std::string_view::npos || (nested != std::string_view::npos && nested < close)) {
      problem(i, "'{' is not closed by '}'");
      literal += c;
      ++i;
      continue;
    }
    const auto inner = text.substr(i + 1, close - i - 1);
    if (!literal.empty()) parts.push_back({TemplatePart::literal, std::move(literal), {}, {}});
    literal.clear();
    if (const auto bar = inner.find('|'); bar != std::string_view::npos) {
      if (inner.find('|', bar + 1) != std::string_view::npos)
        problem(i, "tone alternation {" + std::string(inner) + "} must have exactly two parts: {formal|informal}");
      parts.push_back({TemplatePart::alternation, {}, std::string(inner.substr(0, bar)),
                       std::string(inner.substr(bar + 1, inner.find('|', bar + 1) - bar - 1))});
    } else if (!valid_name(inner)) {
      problem(i, "{" + std::string(inner) + "} is not a variable name (lower case letters, digits, '_' and '.') "
                 "nor a tone alternation {formal|informal}");
      parts.push_back({TemplatePart::literal, "{" + std::string(inner) + "}", {}, {}});
    } else {
      parts.push_back({TemplatePart::variable, std::string(inner), {}, {}});
    }
    i = close + 1;
  }
  if (!literal.empty()) parts.push_back({TemplatePart::literal, std::move(literal), {}, {}});
  return parts;
}

std::string render_template(std::string_view text, Tone tone, const VariableLookup& lookup,
                            std::vector<std::string>* missing) {
  std::string out;
  for (const auto& part : parse_template(text)) {
    switch (part.kind) {
      case TemplatePart::literal: out += part.text; break;
      case TemplatePart::alternation: out += tone == Tone::formal ? part.formal : part.informal; break;
      case TemplatePart::variable:
        if (auto value = lookup(part.text)) out += *value;
        else if (missing) missing->push_back(part.text);
        break;
    }
  }
  return out;
}

std::string rewrite_formal(std::string_view text, const std::function<std::string(std::string_view)>& rewrite) {
  std::string out;
  for (const auto& part : parse_template(text)) {
    switch (part.kind) {
      case TemplatePart::literal: out += part.text; break;
      case TemplatePart::variable: out += "{" + part.text + "}"; break;
      case TemplatePart::alternation: out += "{" + rewrite(part.formal) + "|" + part.informal + "}"; break;
    }
  }
  return out;
}

std::vector<std::string> template_variables(std::string_view text) {
  std::vector<std::string> names;
  for (const auto& part : parse_template(text))
    if (part.kind == TemplatePart::variable) names.push_back(part.text);
  return names;
}

}  // namespace gem
