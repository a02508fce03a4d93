#include "spelling.h"

#include <algorithm>
#include <numeric>

#include <utf8proc.h>

namespace gem {

std::u32string to_u32(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(utf8.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    auto n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) { cp = 0xFFFD; n = 1; }
    out.push_back(static_cast<char32_t>(cp));
    p += n;
    left -= n;
  }
  return out;
}

std::u32string fold_ij(std::u32string s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == U'i' && i + 1 < s.size() && s[i + 1] == U'j') { out.push_back(U'y'); ++i; continue; }
    out.push_back(s[i]);
  }
  return out;
}

std::size_t edit_distance(std::u32string_view a, std::u32string_view b, std::size_t max_distance) {
  const std::size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > max_distance) return max_distance + 1;
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  std::iota(prev.begin(), prev.end(), 0);
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    std::size_t row_min = cur[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > max_distance) return max_distance + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[m], max_distance + 1);
}

// No sorting: `correct` breaks ties by the word itself, so the order of the lexicon never matters (and sorting
// its few thousand words was a fifth of the understanding's start-up).
SpellingCorrector::SpellingCorrector(const std::vector<std::string>& lexicon) {
  words_.reserve(lexicon.size());
  for (const auto& w : lexicon) {
    if (!words_.insert(w).second) continue;
    auto folded = fold_ij(to_u32(w));
    if (by_length_.size() <= folded.size()) by_length_.resize(folded.size() + 1);
    by_length_[folded.size()].push_back({w, std::move(folded)});
  }
}

std::size_t SpellingCorrector::allowed_distance(std::size_t letters) {
  if (letters < 5) return 0;
  if (letters < 9) return 1;
  return 2;
}

std::optional<std::string> SpellingCorrector::correct(std::string_view word) const {
  if (known(word)) return std::nullopt;
  const auto letters = to_u32(word);
  for (char32_t c : letters)
    if (c >= U'0' && c <= U'9') return std::nullopt;
  const std::size_t max = allowed_distance(letters.size());
  if (max == 0) return std::nullopt;
  const auto folded = fold_ij(letters);

  const Entry* best = nullptr;
  std::size_t best_distance = max + 1;
  const std::size_t lo = folded.size() > max ? folded.size() - max : 0;
  const std::size_t hi = std::min(folded.size() + max, by_length_.empty() ? 0 : by_length_.size() - 1);
  for (std::size_t len = lo; len <= hi && len < by_length_.size(); ++len) {
    for (const auto& e : by_length_[len]) {
      // A different first letter is a different word far more often than a typo.
      if (e.folded.empty() || e.folded[0] != folded[0]) continue;
      const auto d = edit_distance(folded, e.folded, std::min(max, best_distance));
      if (d < best_distance || (d == best_distance && best && e.word < best->word)) {
        best = &e;
        best_distance = d;
      }
    }
  }
  if (!best || best_distance > max) return std::nullopt;
  return best->word;
}

}  // namespace gem
