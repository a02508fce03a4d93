#include <boost/test/unit_test.hpp>

#include "text.h"

using gem::normalize;
using gem::normalize_words;

namespace {
std::string joined(std::string_view s) { return gem::join(normalize_words(s)); }
}  // namespace

BOOST_AUTO_TEST_SUITE(normalisation)

BOOST_AUTO_TEST_CASE(lower_cases_and_folds_accents) {
  BOOST_TEST(joined("Één Paspoort AANVRAGEN") == "een paspoort aanvragen");
  BOOST_TEST(joined("België, Curaçao, Noord-Macedonië") == "belgie curacao noord macedonie");
  BOOST_TEST(joined("café crème naïef") == "cafe creme naief");
  BOOST_TEST(joined("Straße") == "strasse");
}

BOOST_AUTO_TEST_CASE(folds_the_dutch_ij_ligature_and_fullwidth_forms) {
  BOOST_TEST(joined("\u0133s \u0132sselstein") == "ijs ijsselstein");
  BOOST_TEST(joined("\uFF30\uFF41\uFF53\uFF50\uFF4F\uFF4F\uFF52\uFF54") == "paspoort");
}

// ASCII takes a short cut past utf8proc's tables. A fullwidth form still goes through them and folds to the
// same ASCII character first, so each printable ASCII character must read exactly like its fullwidth form.
BOOST_AUTO_TEST_CASE(ascii_reads_like_its_fullwidth_form) {
  for (char32_t c = 0x21; c <= 0x7E; ++c) {
    if (c == U'\'' || c == U'`') continue;  // apostrophes join words; their fullwidth forms are not apostrophes
    std::string ascii = "Ab";
    ascii += static_cast<char>(c);
    ascii += "Cd";
    std::string fullwidth = "Ab";
    const char32_t wide = c + 0xFEE0;
    fullwidth += static_cast<char>(0xE0 | (wide >> 12));
    fullwidth += static_cast<char>(0x80 | ((wide >> 6) & 0x3F));
    fullwidth += static_cast<char>(0x80 | (wide & 0x3F));
    fullwidth += "Cd";
    BOOST_TEST(joined(ascii) == joined(fullwidth), "character " << static_cast<int>(c));
  }
  for (char c : std::string("\t\n\r\x01\x1F\x7F ")) BOOST_TEST(joined(std::string("ab") + c + "cd") == "ab cd");
}

BOOST_AUTO_TEST_CASE(handles_decomposed_accents_like_precomposed_ones) {
  BOOST_TEST(joined("Belgie\u0308") == joined("België"));
}

BOOST_AUTO_TEST_CASE(apostrophes_join_and_punctuation_separates) {
  BOOST_TEST(joined("'s-Hertogenbosch") == "s hertogenbosch");
  BOOST_TEST(joined("\u2019s-Gravenhage") == "s gravenhage");
  BOOST_TEST(joined("what's my ID-card?!") == "whats my id card");
  BOOST_TEST(joined("  paspoort\t\n kwijt...  ") == "paspoort kwijt");
}

BOOST_AUTO_TEST_CASE(emoji_and_symbols_separate_words_without_crashing) {
  BOOST_TEST(joined("paspoort\U0001F600kwijt \U0001F44D\U0001F3FD") == "paspoort kwijt");
  BOOST_TEST(joined("\U0001F1F3\U0001F1F1 \u20AC 88,65") == "88 65");
  BOOST_TEST(normalize_words("\U0001F600\U0001F600").empty());
  BOOST_TEST(normalize_words("").empty());
}

BOOST_AUTO_TEST_CASE(drops_invisible_characters_inside_words) {
  BOOST_TEST(joined("pas\u00ADpoort") == "paspoort");   // soft hyphen
  BOOST_TEST(joined("pas\u200Bpoort") == "paspoort");   // zero width space is invisible too
}

BOOST_AUTO_TEST_CASE(spans_are_utf16_offsets_into_the_input) {
  const auto t = normalize("Wat kost \U0001F600 een pas in Tilburg?", 1000);
  BOOST_REQUIRE_EQUAL(t.tokens.size(), 6u);
  BOOST_TEST(t.tokens[2].text == "een");
  BOOST_TEST(t.tokens[2].start == 12u);  // the emoji counts two UTF-16 units
  BOOST_TEST(t.tokens[5].text == "tilburg");
  BOOST_TEST(t.tokens[5].start == 23u);
  BOOST_TEST(t.tokens[5].end == 30u);
}

BOOST_AUTO_TEST_CASE(repairs_invalid_utf8_and_says_so) {
  const auto t = normalize(std::string("pas\xFF\xFEpoort \xC3"), 1000);
  BOOST_TEST(t.repaired);
  BOOST_TEST(t.text == "pas\uFFFD\uFFFDpoort \uFFFD");
  BOOST_REQUIRE_EQUAL(t.tokens.size(), 2u);
  BOOST_TEST(t.tokens[0].text == "pas");
  // overlong encoding of '/' and an encoded surrogate are invalid too
  BOOST_TEST(normalize(std::string("a\xC0\xAF b"), 1000).repaired);
  BOOST_TEST(normalize(std::string("a\xED\xA0\x80 b"), 1000).repaired);
  BOOST_TEST(!normalize("gewoon geldig €", 1000).repaired);
}

BOOST_AUTO_TEST_CASE(truncates_long_messages_with_a_flag) {
  std::string long_text;
  for (int i = 0; i < 500; ++i) long_text += "paspoort ";
  const auto t = normalize(long_text, 1000);
  BOOST_TEST(t.truncated);
  BOOST_TEST(t.text.size() == 1000u);
  BOOST_TEST(!normalize("kort", 1000).truncated);
}

BOOST_AUTO_TEST_CASE(survives_hostile_input) {
  std::string hostile;
  for (int i = 0; i < 256; ++i) hostile += static_cast<char>(i);
  hostile += std::string(5000, '\x80');
  const auto t = normalize(hostile, 1000);
  BOOST_TEST(t.truncated);
  BOOST_TEST(t.repaired);
  std::string combining = "e";
  for (int i = 0; i < 2000; ++i) combining += "\u0301";
  BOOST_TEST(gem::join(normalize_words(combining)) == "e");
}

BOOST_AUTO_TEST_SUITE_END()
