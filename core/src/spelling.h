// Spelling-tolerant matching of words against a lexicon, so "pasport", "rijbewys" and
// "parkeerverguning" reach the classifier as the words it was trained on.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace gem {

// Optimal string alignment distance (Levenshtein plus adjacent transposition) over code points,
// giving up early: returns max_distance + 1 as soon as the distance must exceed max_distance.
std::size_t edit_distance(std::u32string_view a, std::u32string_view b, std::size_t max_distance);

class SpellingCorrector {
 public:
  SpellingCorrector() = default;
  explicit SpellingCorrector(const std::vector<std::string>& lexicon);

  bool known(std::string_view word) const { return words_.count(std::string(word)) > 0; }

  // The closest lexicon word within the allowed distance for the word's length, or nothing when the
  // word is known, too short, contains digits, or no candidate is close enough. Ties go to the
  // alphabetically first candidate, so results never depend on hash order.
  std::optional<std::string> correct(std::string_view word) const;

  // How many edits a word of this many letters may need: short words are too easily confused.
  static std::size_t allowed_distance(std::size_t letters);

 private:
  struct Entry {
    std::string word;
    std::u32string folded;  // "ij" folded to "y", so rijbewys ≈ rijbewijs costs nothing
  };
  std::unordered_set<std::string> words_;
  std::vector<std::vector<Entry>> by_length_;  // indexed by folded length
};

std::u32string to_u32(std::string_view utf8);
std::u32string fold_ij(std::u32string s);

}  // namespace gem
