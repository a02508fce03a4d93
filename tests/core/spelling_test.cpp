#include <boost/test/unit_test.hpp>

#include "spelling.h"

using gem::SpellingCorrector;

namespace {
std::size_t distance(std::string_view a, std::string_view b, std::size_t max = 5) {
  return gem::edit_distance(gem::to_u32(a), gem::to_u32(b), max);
}
const SpellingCorrector& speller() {
  static const SpellingCorrector s({"paspoort", "passport", "rijbewijs", "parkeervergunning", "identiteitskaart",
                                    "grofvuil", "kosten", "aanvragen", "gehandicaptenparkeerkaart", "verhuizen",
                                    "kwijt", "kind"});
  return s;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(spelling)

BOOST_AUTO_TEST_CASE(edit_distance_counts_insertions_deletions_substitutions_transpositions) {
  BOOST_TEST(distance("paspoort", "paspoort") == 0u);
  BOOST_TEST(distance("pasport", "paspoort") == 1u);
  BOOST_TEST(distance("paspooort", "paspoort") == 1u);
  BOOST_TEST(distance("paspiort", "paspoort") == 1u);
  BOOST_TEST(distance("psapoort", "paspoort") == 1u);
  BOOST_TEST(distance("", "abc") == 3u);
  BOOST_TEST(distance("één", "een") == 2u);  // code points, not bytes
}

BOOST_AUTO_TEST_CASE(edit_distance_stops_early_beyond_the_limit) {
  BOOST_TEST(distance("paspoort", "grofvuil", 2) == 3u);
  BOOST_TEST(distance("a", "abcdefgh", 2) == 3u);
}

BOOST_AUTO_TEST_CASE(corrects_typical_typos_of_domain_terms) {
  BOOST_TEST(speller().correct("pasport").value_or("") == "paspoort");
  BOOST_TEST(speller().correct("rijbewys").value_or("") == "rijbewijs");
  BOOST_TEST(speller().correct("rybewijs").value_or("") == "rijbewijs");
  BOOST_TEST(speller().correct("parkeerverguning").value_or("") == "parkeervergunning");
  BOOST_TEST(speller().correct("identitietskaart").value_or("") == "identiteitskaart");
  BOOST_TEST(speller().correct("gehandicaptenparkeerkart").value_or("") == "gehandicaptenparkeerkaart");
  BOOST_TEST(speller().correct("grofvul").value_or("") == "grofvuil");
}

BOOST_AUTO_TEST_CASE(leaves_known_short_numeric_and_distant_words_alone) {
  BOOST_TEST(!speller().correct("paspoort"));
  BOOST_TEST(!speller().correct("kwyt"));     // too short to correct safely
  BOOST_TEST(!speller().correct("1234ab"));
  BOOST_TEST(!speller().correct("vakantie"));
  BOOST_TEST(!speller().correct("gaspoort"));  // a different first letter is a different word
}

BOOST_AUTO_TEST_CASE(ties_are_broken_alphabetically) {
  // "pasport" is one edit from both "paspoort" and "passport".
  BOOST_TEST(speller().correct("pasport").value_or("") == "paspoort");
  // Whatever the lexicon's order, and with a word twice.
  const SpellingCorrector reversed({"passport", "paspoort", "passport"});
  BOOST_TEST(reversed.correct("pasport").value_or("") == "paspoort");
  BOOST_TEST(reversed.known("passport"));
}

BOOST_AUTO_TEST_CASE(allowed_distance_grows_with_length) {
  BOOST_TEST(SpellingCorrector::allowed_distance(4) == 0u);
  BOOST_TEST(SpellingCorrector::allowed_distance(6) == 1u);
  BOOST_TEST(SpellingCorrector::allowed_distance(12) == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
