// Where entities.cpp and redact.cpp used to disagree, the choice made here and why:
// - months: Taalunie's abbreviation "febr" was missing in both.
// - postcodes: PostNL never issues SA, SD or SS (both agreed); letters typed apart and in lower case
//   ("3011 ab 5") are a postcode unless an everyday word: redaction used to let them through.
// - house numbers: the BAG allows an addition of up to four letters or digits ("12-1hg"); entities read
//   "Kerkstraat 12-3" as the 12th of March, redaction allowed three characters.
// - street names: "-ring" ends far more words than streets ("vergadering"), as "-dam" does ("Amsterdam");
//   "-baan", "-park", "-markt" … end everyday words ("loopbaan") and count only when capitalised.
#include "dutch_patterns.h"

#include <algorithm>
#include <iterator>

#include "ascii.h"

namespace gem::dutch {
namespace {

using namespace ascii;

template <std::size_t N>
bool any_iequals(std::string_view word, const std::string_view (&words)[N]) {
  return std::any_of(std::begin(words), std::end(words), [&](std::string_view w) { return iequals(word, w); });
}

// Whether `word` is longer than `ending` and ends with it: a bare "straat" or "weg" is no name.
bool named_with(std::string_view word, std::string_view ending) {
  return word.size() > ending.size() && iequals(word.substr(word.size() - ending.size()), ending);
}

}  // namespace

int month_number(std::string_view word) {
  struct Month { std::string_view name; int number; };
  static constexpr Month kMonths[] = {
      {"januari", 1}, {"january", 1}, {"jan", 1}, {"februari", 2}, {"february", 2}, {"feb", 2}, {"febr", 2},
      {"maart", 3}, {"march", 3}, {"mrt", 3}, {"mar", 3}, {"april", 4}, {"apr", 4}, {"mei", 5}, {"may", 5},
      {"juni", 6}, {"june", 6}, {"jun", 6}, {"juli", 7}, {"july", 7}, {"jul", 7}, {"augustus", 8},
      {"august", 8}, {"aug", 8}, {"september", 9}, {"sep", 9}, {"sept", 9}, {"oktober", 10},
      {"october", 10}, {"okt", 10}, {"oct", 10}, {"november", 11}, {"nov", 11}, {"december", 12}, {"dec", 12}};
  for (const auto& m : kMonths)
    if (iequals(word, m.name)) return m.number;
  return 0;
}

bool postcode_digits(std::string_view word) {
  return word.size() == 4 && word[0] != '0' && std::all_of(word.begin(), word.end(), is_digit);
}

bool postcode_letters(std::string_view word) {
  if (word.size() != 2 || !is_alpha(word[0]) || !is_alpha(word[1]) || is_upper(word[0]) != is_upper(word[1])) return false;
  static constexpr std::string_view kNeverIssued[] = {"sa", "sd", "ss"};
  return !any_iequals(word, kNeverIssued);
}

bool everyday_pair(std::string_view word) {
  static constexpr std::string_view kPairs[] = {
      "en", "in", "op", "is", "te", "of", "at", "on", "to", "an", "as", "be", "by", "do", "go", "he", "if",
      "it", "me", "my", "no", "so", "up", "us", "we", "ik", "je", "ze", "nu", "er", "al", "de", "na", "om",
      "ja", "am", "or", "mn", "zo", "uw", "eu", "pm", "km", "kg", "cm", "mm", "ml"};
  return any_iequals(word, kPairs);
}

bool house_number(std::string_view word) {
  std::size_t digits = 0;
  while (digits < word.size() && is_digit(word[digits])) ++digits;
  const auto letters = word.substr(digits);
  return digits >= 1 && digits <= 5 && word[0] != '0' && letters.size() <= 3 &&
         std::all_of(letters.begin(), letters.end(), is_alpha);
}

bool house_number_addition(std::string_view word) {
  return !word.empty() && word.size() <= 4 &&
         std::all_of(word.begin(), word.end(), [](char c) { return is_alpha(c) || is_digit(c); });
}

bool house_number_cue(std::string_view word) {
  static constexpr std::string_view kCues[] = {"huisnummer", "huisnr", "nummer", "nr", "number", "no"};
  return any_iequals(word, kCues);
}

bool time_or_decimal(std::string_view separator, std::string_view next) {
  const bool decimals = !next.empty() && next.size() <= 2 && std::all_of(next.begin(), next.end(), is_digit);
  return separator.substr(0, 1) == ":" || (separator == "," && decimals);
}

bool glued(std::string_view separator) {
  return separator == "-" || separator == "/" || separator == "." || separator == "_";
}

bool quantity_word(std::string_view word) {
  static constexpr std::string_view kUnits[] = {
      "km", "m", "meter", "kilometer", "minuten", "min", "uur", "keer", "euro", "jaar", "dag", "dagen", "weken",
      "maanden", "procent", "minutes", "miles", "hours", "days", "weeks", "months", "years", "times"};
  return month_number(word) != 0 || any_iequals(word, kUnits);
}

bool street_name(std::string_view word, bool capitalised) {
  static constexpr std::string_view kStreets[] = {"straat", "laan", "weg", "plein", "gracht", "kade", "singel",
                                                  "dijk", "steeg", "dreef", "plantsoen", "boulevard", "allee",
                                                  "street", "road", "avenue"};
  static constexpr std::string_view kCapitalisedStreets[] = {"hof", "park", "markt", "pad", "wal", "haven", "veld",
                                                             "erf", "baan", "kwartier", "burcht", "poort", "lane"};
  const auto named = [&](std::string_view ending) { return named_with(word, ending); };
  return std::any_of(std::begin(kStreets), std::end(kStreets), named) ||
         (capitalised && std::any_of(std::begin(kCapitalisedStreets), std::end(kCapitalisedStreets), named));
}

}  // namespace gem::dutch
