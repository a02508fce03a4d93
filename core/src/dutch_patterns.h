// Dutch patterns shared by entity extraction (entities.cpp, over normalised lower-case words) and PII
// redaction (redact.cpp, over the original text): one answer to "is this a month, a postcode, a house
// number, a street name". Each takes one word; the caller looks at separators and context. ASCII
// letters compare case-insensitively unless a function says otherwise.
#pragma once

#include <string_view>

namespace gem::dutch {

// 1–12 for a month in Dutch or English, written out or abbreviated ("maart", "mrt", "febr", "March",
// "sept"), else 0.
int month_number(std::string_view word);

// The digits of a postcode: four, the first not 0 (postcodes run from 1000 to 9999).
bool postcode_digits(std::string_view word);

// The letters of a postcode: two ASCII letters of one case ("AB", "ab"; not "Ab"), never SA, SD or SS.
bool postcode_letters(std::string_view word);

// Two-letter words that follow numbers in ordinary sentences ("1990 en 2000", "2 is", "1500 km"):
// typed apart from the digits and without a "postcode" cue, these are no postcode letters.
bool everyday_pair(std::string_view word);

// A house number with its letters glued on: "12", "12a", "12bis", "12hs". 1 to 99999 (no leading 0),
// then at most three letters.
bool house_number(std::string_view word);

// An addition after a dash ("12-3", "12-II", "12-1hg"): one to four ASCII letters or digits.
bool house_number_addition(std::string_view word);

// Words announcing a house number: "huisnummer", "huisnr", "nummer", "nr", "number", "no".
bool house_number_cue(std::string_view word);

// The separator and word after a number make it a time or a decimal, not a house number ("12:30", "12,5").
bool time_or_decimal(std::string_view separator, std::string_view next);

// A separator that glues words into one code ("Z-2026-0042", "v1.2.3", "12-03"): "-", "/", "." or "_".
bool glued(std::string_view separator);

// A word after a number that makes it a date or a quantity, not a house number ("12 maart",
// "10 minuten", "5 jaar").
bool quantity_word(std::string_view word);

// A street name ending in a street word: "Kerkstraat", "Vlugtlaan", "Binnenhof". Endings that also
// end everyday words ("loopbaan", "stadspark") count only when the word is `capitalised`.
bool street_name(std::string_view word, bool capitalised);

}  // namespace gem::dutch
