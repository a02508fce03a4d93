#include "entities.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "dutch_patterns.h"

namespace gem {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}
bool one_of(std::string_view s, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), s) != words.end();
}

// Names that are also everyday words ("houten" = wooden, "buren" = neighbours, "best"): only a name
// after a place cue ("in Houten", "gemeente Best") or when typed with a capital mid-sentence.
constexpr std::array<std::string_view, 19> kAmbiguousNames = {
    "best", "goes", "houten", "putten", "sluis", "beek", "hulst", "buren", "huizen", "duiven",
    "voorst", "weert", "hoorn", "assen", "stein", "laren", "turkey", "chad", "jordan"};
bool needs_cue(std::string_view joined) {
  return std::find(kAmbiguousNames.begin(), kAmbiguousNames.end(), joined) != kAmbiguousNames.end() ||
         joined == "china" || joined == "georgia" || joined == "guinea";
}
bool is_place_cue(std::string_view w) {
  return one_of(w, {"in", "te", "uit", "naar", "bij", "gemeente", "gem", "municipality", "from", "to",
                    "near", "visit", "travel", "reizen", "wonen", "woon", "live", "city", "stad"});
}

// "12", "12e", "12de", "12ste", "1st", "2nd", "3rd", "12th" → 12.
int day_number(std::string_view w) {
  std::size_t digits = 0;
  while (digits < w.size() && w[digits] >= '0' && w[digits] <= '9') ++digits;
  if (digits == 0 || digits > 2) return 0;
  const auto suffix = w.substr(digits);
  if (!suffix.empty() && !one_of(suffix, {"e", "de", "ste", "st", "nd", "rd", "th"})) return 0;
  const int d = to_int(w.substr(0, digits));
  return d >= 1 && d <= 31 ? d : 0;
}

bool valid_date(int y, int m, int d) {
  static constexpr std::array<int, 12> days = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > days[m - 1]) return false;
  if (m == 2 && d == 29 && y > 0) return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return true;
}

std::string iso_date(int y, int m, int d) {
  char buf[40];  // room for any int, silencing -Wformat-truncation
  if (y > 0) std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  else std::snprintf(buf, sizeof buf, "--%02d-%02d", m, d);  // ISO 8601 date without a year
  return buf;
}

// The matcher walks the words once; each recogniser claims the words it used.
class Scan {
 public:
  Scan(const NormalizedText& t, std::vector<bool>& used) : t_(t), used_(used) {}

  std::size_t size() const { return t_.tokens.size(); }
  std::string_view word(std::size_t i) const { return i < size() ? std::string_view(t_.tokens[i].text) : ""; }
  bool free(std::size_t i, std::size_t n = 1) const {
    if (i + n > size()) return false;
    for (std::size_t k = i; k < i + n; ++k)
      if (used_[k]) return false;
    return true;
  }
  // The original characters between word i and word i+1 ("-", "/", " ").
  std::string_view gap(std::size_t i) const {
    if (i + 1 >= size()) return "";
    const auto from = t_.bytes[i].second, to = t_.bytes[i + 1].first;
    return std::string_view(t_.text).substr(from, to - from);
  }
  bool capitalised(std::size_t i) const {
    const char c = t_.text[t_.bytes[i].first];
    return c >= 'A' && c <= 'Z';
  }
  void claim(std::vector<Entity>& out, std::string type, std::string value, std::size_t first, std::size_t n) {
    for (std::size_t k = first; k < first + n; ++k) used_[k] = true;
    out.push_back({std::move(type), std::move(value), t_.tokens[first].start, t_.tokens[first + n - 1].end});
  }

 private:
  const NormalizedText& t_;
  std::vector<bool>& used_;
};

bool date_separator(std::string_view gap) { return gap == "-" || gap == "/" || gap == "."; }

void find_dates(Scan& s, std::vector<Entity>& out) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.free(i)) continue;
    const auto w = s.word(i);
    if (one_of(w, {"vandaag", "today"})) { s.claim(out, "datum", "+0d", i, 1); continue; }
    if (one_of(w, {"morgen", "tomorrow"})) { s.claim(out, "datum", "+1d", i, 1); continue; }
    if (w == "overmorgen") { s.claim(out, "datum", "+2d", i, 1); continue; }

    // 2026-03-12
    if (w.size() == 4 && all_digits(w) && s.free(i, 3) && s.gap(i) == "-" && s.gap(i + 1) == "-" &&
        all_digits(s.word(i + 1)) && all_digits(s.word(i + 2))) {
      const int y = to_int(w), m = to_int(s.word(i + 1)), d = to_int(s.word(i + 2));
      if (valid_date(y, m, d)) { s.claim(out, "datum", iso_date(y, m, d), i, 3); continue; }
    }
    // 12-03-2026, 12/3/26, 12.03.2026, 12-3
    if (all_digits(w) && w.size() <= 2 && s.free(i, 2) && date_separator(s.gap(i)) && all_digits(s.word(i + 1)) &&
        s.word(i + 1).size() <= 2) {
      const int d = to_int(w), m = to_int(s.word(i + 1));
      if (s.free(i + 2) && s.gap(i + 1) == s.gap(i) && all_digits(s.word(i + 2)) &&
          (s.word(i + 2).size() == 4 || s.word(i + 2).size() == 2)) {
        int y = to_int(s.word(i + 2));
        if (y < 100) y += 2000;
        if (valid_date(y, m, d)) { s.claim(out, "datum", iso_date(y, m, d), i, 3); continue; }
      } else if (s.gap(i) != "." && valid_date(0, m, d)) {
        s.claim(out, "datum", iso_date(0, m, d), i, 2);
        continue;
      }
    }
    // 12 maart (2026), 12th of March
    if (const int d = day_number(w); d && s.free(i, 2)) {
      std::size_t mi = i + 1;
      if (s.word(mi) == "of" && s.free(mi + 1)) ++mi;
      if (const int m = dutch::month_number(s.word(mi)); m && s.free(mi)) {
        const bool year = s.free(mi + 1) && all_digits(s.word(mi + 1)) && s.word(mi + 1).size() == 4;
        const int y = year ? to_int(s.word(mi + 1)) : 0;
        if (valid_date(y, m, d)) {
          s.claim(out, "datum", iso_date(y, m, d), i, mi - i + 1 + (year ? 1 : 0));
          continue;
        }
      }
    }
    // March 12 (2026)
    if (const int m = dutch::month_number(w); m && s.free(i, 2)) {
      if (const int d = day_number(s.word(i + 1))) {
        const bool year = s.free(i + 2) && all_digits(s.word(i + 2)) && s.word(i + 2).size() == 4;
        const int y = year ? to_int(s.word(i + 2)) : 0;
        if (valid_date(y, m, d)) s.claim(out, "datum", iso_date(y, m, d), i, year ? 3 : 2);
      }
    }
  }
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// A house number at word i ("12", "12a", "12-3"), claimed unless a unit or month makes it a quantity or date.
void find_house_number(Scan& s, std::vector<Entity>& out, std::size_t i) {
  if (!s.free(i) || !dutch::house_number(s.word(i)) || dutch::time_or_decimal(s.gap(i), s.word(i + 1))) return;
  const bool addition = s.free(i + 1) && s.gap(i) == "-" && dutch::house_number_addition(s.word(i + 1)) &&
                        !dutch::glued(s.gap(i + 1));
  if (!addition && i + 1 < s.size() && dutch::quantity_word(s.word(i + 1))) return;
  if (addition) s.claim(out, "huisnummer", upper(s.word(i)) + "-" + upper(s.word(i + 1)), i, 2);
  else s.claim(out, "huisnummer", upper(s.word(i)), i, 1);
}

// Runs before the dates: "Kerkstraat 12-3" is an address, not the 12th of March.
void find_addresses(Scan& s, std::vector<Entity>& out) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.free(i)) continue;
    const auto w = s.word(i);
    std::size_t n = 0;
    std::string value;
    if (w.size() == 6 && dutch::postcode_digits(w.substr(0, 4)) && dutch::postcode_letters(w.substr(4))) {
      n = 1;
      value = std::string(w.substr(0, 4)) + " " + upper(w.substr(4));
    } else if (dutch::postcode_digits(w) && s.free(i + 1) && dutch::postcode_letters(s.word(i + 1)) &&
               (!dutch::everyday_pair(s.word(i + 1)) || one_of(s.word(i > 0 ? i - 1 : i), {"postcode", "postal", "zip"}))) {
      n = 2;
      value = std::string(w) + " " + upper(s.word(i + 1));
    }
    if (n) {
      s.claim(out, "postcode", value, i, n);
      find_house_number(s, out, i + n);
      i += n - 1;
      continue;
    }
    // English street words typed apart ("baker street 5") announce a number too.
    if (dutch::house_number_cue(w) || one_of(w, {"street", "road", "lane", "avenue"}) || dutch::street_name(w, s.capitalised(i)))
      find_house_number(s, out, i + 1);
  }
}

void find_people(Scan& s, std::vector<Entity>& out) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.free(i)) continue;
    const auto w = s.word(i);
    const bool possessive = i > 0 && one_of(s.word(i - 1), {"mijn", "mn", "my", "onze", "our", "uw", "je", "jouw"});
    if (one_of(w, {"kind", "kinderen", "kindje", "kindjes", "zoon", "zoontje", "zonen", "dochter", "dochtertje",
                   "dochters", "baby", "babys", "minderjarige", "minderjarig", "child", "children", "kid", "kids",
                   "son", "sons", "daughter", "daughters", "minor", "toddler", "peuter", "kleuter", "tiener"})) {
      s.claim(out, "persoon", "kind", i, 1);
    } else if (one_of(w, {"onder", "under", "jonger"}) && s.free(i + 1) &&
               (s.word(i + 1) == "18" || (s.word(i + 1) == "dan" && s.word(i + 2) == "18"))) {
      s.claim(out, "persoon", "kind", i, s.word(i + 1) == "dan" ? 3 : 2);
    } else if (one_of(w, {"partner", "echtgenoot", "echtgenote", "husband", "wife", "spouse", "vrouwtje"}) ||
               (possessive && one_of(w, {"man", "vrouw", "vriend", "vriendin", "boyfriend", "girlfriend"}))) {
      s.claim(out, "persoon", "partner", i, 1);
    }
  }
}

void find_names(Scan& s, const Gazetteer& g, const char* type, std::vector<Entity>& out,
                const std::vector<Token>& tokens) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s.free(i)) continue;
    auto [n, code] = g.match(tokens, i);
    if (n == 0 || !s.free(i, n)) continue;
    if (n == 1 && needs_cue(s.word(i)) && !(i > 0 && is_place_cue(s.word(i - 1))) && !(i > 0 && s.capitalised(i)))
      continue;
    s.claim(out, type, code, i, n);
    i += n - 1;
  }
}

}  // namespace

std::vector<std::vector<std::string>> parse_tsv(std::string_view tsv, std::string_view source, std::size_t min_fields) {
  std::vector<std::vector<std::string>> rows;
  std::size_t line_no = 0;
  bool header = true;
  while (!tsv.empty()) {
    const auto nl = tsv.find('\n');
    std::string_view line = tsv.substr(0, nl);
    tsv = nl == std::string_view::npos ? std::string_view() : tsv.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    if (header) { header = false; continue; }
    std::vector<std::string> fields;
    for (std::size_t start = 0;;) {
      const auto tab = line.find('\t', start);
      fields.emplace_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (fields.size() < min_fields || fields[0].empty())
      throw Error(std::string(source) + ":" + std::to_string(line_no) + ": expected " + std::to_string(min_fields) +
                  " tab-separated fields, found " + std::to_string(fields.size()));
    rows.push_back(std::move(fields));
  }
  return rows;
}

void Gazetteer::add(std::string_view name, const std::string& code) {
  const auto words = normalize_words(name);
  if (words.empty()) return;
  const auto key = join(words);
  auto [it, inserted] = names_.emplace(key, code);
  if (!inserted && it->second != code) it->second.clear();
  longest_ = std::max(longest_, words.size());
}

std::pair<std::size_t, std::string> Gazetteer::match(const std::vector<Token>& tokens, std::size_t first) const {
  for (std::size_t n = std::min(longest_, tokens.size() - first); n > 0; --n) {
    std::string key = tokens[first].text;
    for (std::size_t k = 1; k < n; ++k) key += ' ' + tokens[first + k].text;
    auto it = names_.find(key);
    if (it != names_.end() && !it->second.empty()) return {n, it->second};
  }
  return {0, {}};
}

Gazetteer municipality_gazetteer(std::string_view municipalities_tsv, std::string_view aliases_tsv) {
  Gazetteer g;
  for (const auto& row : parse_tsv(municipalities_tsv, "gemeenten.tsv", 2)) {
    const auto& name = row[1];
    g.add(name, row[0]);
    // "Bergen (NH.)" is also typed "bergen" (ambiguous, so unmatched) and "bergen nh".
    if (auto paren = name.find(" ("); paren != std::string::npos) g.add(name.substr(0, paren), row[0]);
  }
  for (const auto& row : parse_tsv(aliases_tsv, "gemeente-aliases.tsv", 2)) g.add(row[0], row[1]);
  return g;
}

Gazetteer country_gazetteer(std::string_view countries_tsv) {
  Gazetteer g;
  for (const auto& row : parse_tsv(countries_tsv, "landen.tsv", 3)) {
    g.add(row[1], row[0]);
    g.add(row[2], row[0]);
    if (row.size() > 3) {
      std::string_view aliases = row[3];
      while (!aliases.empty()) {
        const auto semi = aliases.find(';');
        g.add(aliases.substr(0, semi), row[0]);
        aliases = semi == std::string_view::npos ? std::string_view() : aliases.substr(semi + 1);
      }
    }
  }
  return g;
}

EntityExtractor::EntityExtractor(Gazetteer municipalities, Gazetteer countries)
    : municipalities_(std::move(municipalities)), countries_(std::move(countries)) {}

std::vector<Entity> EntityExtractor::extract(const NormalizedText& text, std::vector<bool>& used) const {
  used.assign(text.tokens.size(), false);
  std::vector<Entity> out;
  Scan scan(text, used);
  find_addresses(scan, out);
  find_dates(scan, out);
  find_names(scan, municipalities_, "gemeente", out, text.tokens);
  find_names(scan, countries_, "land", out, text.tokens);
  find_people(scan, out);
  std::sort(out.begin(), out.end(), [](const Entity& a, const Entity& b) { return a.start < b.start; });
  return out;
}

}  // namespace gem
