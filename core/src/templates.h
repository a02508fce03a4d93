// Tone-aware templates: "{U kunt|Je kunt} een paspoort aanvragen. Het kost {fee.paspoort.adult}."
// A brace group with a '|' is a tone alternation (formal first, informal second); any other brace
// group is a variable or slot name. Content is written once and serves 'u' and 'je' municipalities.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gem {

enum class Tone { formal, informal };  // 'u' | 'je'

struct TemplatePart {
  enum Kind { literal, variable, alternation } kind;
  std::string text;                     // literal text or variable name
  std::string formal, informal;         // alternation
};

struct TemplateProblem {
  std::size_t offset;  // byte offset in the template
  std::string message;
};

// Splits a template; malformed groups (unclosed '{', empty name, nested braces, an alternation with
// other than two parts, a name with characters outside [a-z0-9_.]) are reported, not thrown.
std::vector<TemplatePart> parse_template(std::string_view text, std::vector<TemplateProblem>* problems = nullptr);

// Renders with a lookup for variables; an unknown variable renders as nothing (the validator has
// already rejected it) and is reported through `missing` when given.
using VariableLookup = std::function<std::optional<std::string>(std::string_view name)>;
std::string render_template(std::string_view text, Tone tone, const VariableLookup& lookup,
                            std::vector<std::string>* missing = nullptr);

// The template with every formal variant passed through `rewrite` (informal variants, variables and
// literals unchanged), e.g. "u heeft" → "u hebt" for a municipality that says so.
std::string rewrite_formal(std::string_view text, const std::function<std::string(std::string_view)>& rewrite);

// Names of the variables a template uses, in order of appearance.
std::vector<std::string> template_variables(std::string_view text);

}  // namespace gem
