// PII redaction (see gem/redact.h). The text is split once into words (maximal runs of letters, marks
// and digits) and every detector looks at a bounded window of words and the separators between them,
// so the whole scan stays linear however hostile the input.
#include "gem/redact.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include <utf8proc.h>

#include "ascii.h"
#include "dutch_patterns.h"

namespace gem {
namespace {

using namespace ascii;

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

int number(std::string_view digits) {
  int n = 0;
  for (char c : digits.substr(0, 6)) n = n * 10 + (c - '0');
  return n;
}

// Words that make an otherwise ambiguous pattern personal data when they come just before it.
enum Context : std::uint8_t { kBirth = 1, kPlate = 2, kDocument = 4, kAppointment = 8 };

// A date of birth, plate or document number already found is context for the next one ("geboren op
// 3 juni 1979 en ik op 14-11-1977").
std::uint8_t context_of(PiiKind kind) {
  return kind == PiiKind::birth_date ? kBirth : kind == PiiKind::licence_plate ? kPlate : kind == PiiKind::document_number ? kDocument : 0;
}

struct ContextWord {
  std::string_view prefix;
  std::uint8_t context;
};
constexpr ContextWord kContextWords[] = {
    {"geboren", kBirth}, {"geboorted", kBirth}, {"geb", kBirth}, {"born", kBirth}, {"birth", kBirth}, {"dob", kBirth},
    {"afspraak", kAppointment}, {"appointment", kAppointment},
    {"kenteken", kPlate}, {"nummerbord", kPlate}, {"plate", kPlate}, {"registration", kPlate},
    {"paspoort", kDocument}, {"passport", kDocument}, {"identiteitskaart", kDocument}, {"idkaart", kDocument},
    {"kaart", kDocument}, {"card", kDocument}, {"document", kDocument}, {"id", kDocument}};

struct Word {
  std::size_t begin, end;
  bool digits;   // ASCII digits only
  bool letters;  // letters only (any script)
  bool ascii;    // ASCII letters and digits only
  std::uint8_t context;
  bool placeholder;  // "[BSN]" in text redacted before: one word, never part of a pattern
};

// Length of the word character (ASCII letter or digit; any Unicode letter, mark or number) at `i`, or 0.
std::size_t word_char(std::string_view s, std::size_t i, bool& letter) {
  const char c = s[i];
  if (static_cast<unsigned char>(c) < 0x80) {
    letter = is_alpha(c);
    return letter || is_digit(c) ? 1 : 0;
  }
  utf8proc_int32_t cp = 0;
  const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                  static_cast<utf8proc_ssize_t>(std::min<std::size_t>(4, s.size() - i)), &cp);
  if (n <= 0) return 0;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
      letter = true;
      return static_cast<std::size_t>(n);
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      letter = false;
      return static_cast<std::size_t>(n);
    default:
      return 0;
  }
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) { split(); }

  std::vector<PiiMatch> scan() {
    for (std::size_t k = 0; k < w_.size(); ++k) {
      if (w_[k].placeholder) continue;
      email(k);
      iban(k);
      bsn(k);
      phone(k);
      postcode_address(k);
      street_address(k);
      birth_date(k);
      document_number(k);
      licence_plate(k);
    }
    // Earliest first, then longest; overlapping later candidates lose.
    std::sort(found_.begin(), found_.end(), [](const Candidate& a, const Candidate& b) {
      return a.match.begin != b.match.begin ? a.match.begin < b.match.begin : a.match.end > b.match.end;
    });
    std::vector<PiiMatch> out;
    for (const auto& c : found_) {
      if (!out.empty() && c.match.begin < out.back().end) continue;
      if (c.attached && !(!out.empty() && out.back().begin <= w_[c.attached - 1].begin && out.back().end >= w_[c.attached - 1].end))
        continue;
      if (c.context && !context_before(c.first, c.context, out)) continue;
      out.push_back(c.match);
    }
    return out;
  }

 private:
  std::string_view s_;
  std::vector<Word> w_;
  // What a candidate depends on before it is decided in text order, once the matches before it are
  // known, exactly as a second scan of the redacted text would see it: so one scan is enough.
  struct Candidate {
    PiiMatch match;
    std::size_t first;     // its first word
    // Glued to the word before ("Z-2026…", "5+31…"): part of something longer, unless that word was redacted.
    std::size_t attached;  // 1 + the index of that word, or 0
    std::uint8_t context;  // a context word it needs shortly before it ("kenteken 12ABC3"), or 0
  };
  std::vector<Candidate> found_;

  void split() {
    std::size_t i = 0;
    while (i < s_.size()) {
      if (const auto kind = placeholder_at(i)) {
        const std::size_t n = placeholder(*kind).size();
        w_.push_back({i, i + n, false, false, false, context_of(*kind), true});
        i += n;
        continue;
      }
      bool letter = false;
      std::size_t n = word_char(s_, i, letter);
      if (n == 0) {
        ++i;
        continue;
      }
      Word w{i, i, true, true, true, 0, false};
      while (n > 0) {
        w.digits = w.digits && n == 1 && !letter;
        w.letters = w.letters && letter;
        w.ascii = w.ascii && n == 1;
        i += n;
        n = i < s_.size() ? word_char(s_, i, letter) : 0;
      }
      w.end = i;
      if (w.ascii && w.letters && w.end - w.begin <= 20) {
        const auto text = s_.substr(w.begin, w.end - w.begin);
        for (const auto& c : kContextWords)
          if (istarts_with(text, c.prefix) && (c.prefix.size() > 3 || text.size() == c.prefix.size())) w.context |= c.context;
      }
      w_.push_back(w);
    }
  }

  std::optional<PiiKind> placeholder_at(std::size_t i) const {
    if (s_[i] == '[')
      for (const auto kind : kAllPiiKinds)
        if (s_.substr(i, placeholder(kind).size()) == placeholder(kind)) return kind;
    return std::nullopt;
  }

  std::size_t size(std::size_t k) const { return w_[k].end - w_[k].begin; }
  std::string_view text(std::size_t k) const { return s_.substr(w_[k].begin, size(k)); }
  // The separator after word k (up to the next word, or the end of the text).
  std::string_view after(std::size_t k) const {
    const std::size_t to = k + 1 < w_.size() ? w_[k + 1].begin : s_.size();
    return s_.substr(w_[k].end, to - w_[k].end);
  }
  // The separator before word k.
  std::string_view before(std::size_t k) const {
    const std::size_t from = k > 0 ? w_[k - 1].end : 0;
    return s_.substr(from, w_[k].begin - from);
  }
  bool has(std::size_t k) const { return k < w_.size(); }
  bool digits(std::size_t k, std::size_t min, std::size_t max) const {
    return has(k) && w_[k].digits && size(k) >= min && size(k) <= max;
  }
  // Whether a context word `c` is among the few words before word k, within the sentence and with no
  // word for an appointment in between ("geboren, afspraak op 12-03-2026" is not a date of birth).
  // A match already redacted counts as one word, as its placeholder will.
  bool context_before(std::size_t k, std::uint8_t c, const std::vector<PiiMatch>& redacted) const {
    std::size_t p = redacted.size();
    for (std::size_t units = 0, j = k; units < 4 && j > 0 && !sentence_end(before(j)); ++units) {
      --j;
      while (p > 0 && redacted[p - 1].begin > w_[j].begin) --p;
      if (p > 0 && redacted[p - 1].end >= w_[j].end) {
        if (context_of(redacted[p - 1].kind) & c) return true;
        while (j > 0 && w_[j - 1].begin >= redacted[p - 1].begin) --j;
        continue;
      }
      if (w_[j].context & c) return true;
      if (w_[j].context & kAppointment) return false;
    }
    return false;
  }
  // Whether a context word follows word k closely ("12-03-1985 is mijn geboortedatum"), past plain words only.
  bool context_after(std::size_t k, std::uint8_t c) const {
    for (std::size_t j = k + 1; j < w_.size() && j <= k + 3; ++j) {
      const auto sep = before(j);
      if (!w_[j].letters || (sep != " " && sep != ", " && sep != ": ")) return false;
      if (w_[j].context & c) return true;
    }
    return false;
  }
  static bool sentence_end(std::string_view sep) { return sep.find_first_of("!?\n") != std::string_view::npos; }
  void add(PiiKind kind, std::size_t first, std::size_t last, bool attached = false, std::uint8_t context = 0) {
    found_.push_back({{kind, w_[first].begin, w_[last].end}, first, attached ? first : 0, context});
  }

  // A number glued to other words by code punctuation ("Z-2026-0042", "v1.2.3") is a reference, not PII.
  bool glued_before(std::size_t k) const { return k > 0 && dutch::glued(before(k)); }
  bool glued_after(std::size_t k) const { return has(k + 1) && dutch::glued(after(k)); }
  // "€ 1.234", "1.234,56", "123456782 euro": amounts of money.
  bool price_around(std::size_t first, std::size_t last) const {
    const auto sep = before(first);
    if (sep.find("\xE2\x82\xAC") != std::string_view::npos || (first > 0 && iequals(text(first - 1), "eur"))) return true;
    const auto next = after(last);
    if (next == "," && digits(last + 1, 1, 2)) return true;
    return has(last + 1) && (iequals(text(last + 1), "euro") || iequals(text(last + 1), "eur")) && next == " ";
  }

  // --- e-mail: local@domain.tld ---------------------------------------------------------------
  void email(std::size_t k) {
    if (after(k) != "@" || !has(k + 1)) return;
    std::size_t first = k;
    while (first > 0 && !w_[first - 1].placeholder && w_[k].end - w_[first - 1].begin <= 64) {
      const auto sep = before(first);
      if (sep.size() != 1 || std::string_view("._%+-").find(sep[0]) == std::string_view::npos) break;
      --first;
    }
    std::size_t last = 0;
    for (std::size_t j = k + 1; has(j) && !w_[j].placeholder && w_[j].end - w_[k + 1].begin <= 253; ++j) {
      const auto sep = before(j);
      if (j > k + 1 && sep != "." && sep != "-") break;
      if (sep == "." && w_[j].ascii && w_[j].letters && size(j) >= 2) last = j;
    }
    // Every possible start: where an earlier match takes the first words, the rest can still be one.
    for (std::size_t j = first; last && j <= k; ++j) add(PiiKind::email, j, last);
  }

  // --- IBAN: country, check digits, BBAN of the country's length; mod 97 == 1 -------------------
  static int iban_length(char a, char b) {
    static constexpr std::pair<std::string_view, int> kLengths[] = {
        {"AD", 24}, {"AL", 28}, {"AT", 20}, {"BA", 20}, {"BE", 16}, {"BG", 22}, {"CH", 21}, {"CY", 28},
        {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"EE", 20}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27},
        {"GB", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IS", 26},
        {"IT", 27}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"ME", 22}, {"MK", 19},
        {"MT", 31}, {"NL", 18}, {"NO", 15}, {"PL", 28}, {"PT", 25}, {"RO", 24}, {"RS", 22}, {"SE", 24},
        {"SI", 19}, {"SK", 24}, {"SM", 27}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"XK", 20}};
    for (const auto& [code, length] : kLengths)
      if (code[0] == upper(a) && code[1] == upper(b)) return length;
    return 0;
  }
  static bool mod97(std::string_view iban) {
    int rest = 0;
    for (std::size_t i = 0; i < iban.size(); ++i) {
      const char c = upper(iban[(i + 4) % iban.size()]);
      rest = is_digit(c) ? (rest * 10 + (c - '0')) % 97 : (rest * 100 + (c - 'A' + 10)) % 97;
    }
    return rest == 1;
  }
  void iban(std::size_t k) {
    const auto t = text(k);
    if (!w_[k].ascii || t.size() < 4 || !is_alpha(t[0]) || !is_alpha(t[1]) || !is_digit(t[2]) || !is_digit(t[3])) return;
    const std::size_t length = static_cast<std::size_t>(iban_length(t[0], t[1]));
    if (length == 0) return;
    std::string compact;
    for (std::size_t j = k; has(j) && w_[j].ascii && compact.size() < length; ++j) {
      if (j > k && before(j) != " ") return;
      compact += text(j);
      if (compact.size() == length && mod97(compact)) add(PiiKind::iban, k, j);
    }
  }

  // --- BSN: nine digits, possibly grouped ("1234.56.782", "123 456 782"), passing the 11-check ----
  static bool elfproef(std::string_view d) {
    int sum = 0;
    for (int i = 0; i < 8; ++i) sum += (9 - i) * (d[i] - '0');
    sum -= d[8] - '0';
    return sum % 11 == 0 && d != "000000000";
  }
  void bsn(std::size_t k) {
    if (!digits(k, 1, 9)) return;
    std::string d(text(k));
    std::size_t last = k;
    std::string_view sep;
    bool attached = false;
    if (size(k) < 9) {
      sep = after(k);
      if (size(k) > 4 || (sep != " " && sep != "." && sep != "-")) return;
      // The group before belongs to the same number.
      attached = k > 0 && before(k) == sep && w_[k - 1].digits;
      while (d.size() < 9 && digits(last + 1, 2, 4) && after(last) == sep) d += text(++last);
      // More digits after nine make it a longer number, unless a new one starts ("123 456 782 0612345678").
      const bool longer = has(last + 1) && after(last) == sep && w_[last + 1].digits && !(sep == " " && text(last + 1)[0] == '0');
      if (d.size() != 9 || longer) return;
    } else if (glued_after(k)) {
      return;
    } else {
      attached = glued_before(k);
    }
    if (elfproef(d) && !price_around(k, last)) add(PiiKind::bsn, k, last, attached);
  }

  // --- phone numbers: Dutch (06-…, 010-…, 0800/0900) and international (+32 …, 0049 …) -----------
  static bool phone_separator(std::string_view sep) {
    return !sep.empty() && sep.size() <= 3 &&
           std::all_of(sep.begin(), sep.end(), [](char c) { return std::string_view(" -./()").find(c) != std::string_view::npos; });
  }
  // "12-03", "12/03/": the separators of a date written in digits, the same twice.
  bool numeric_date_separators(std::size_t k) const {
    const auto s1 = after(k), s2 = after(k + 1);
    return s1 == s2 && (s1 == "-" || s1 == "/" || s1 == ".");
  }
  static bool date_like(std::string_view a, std::string_view b, std::string_view c) {
    return a.size() <= 2 && b.size() <= 2 && (c.size() == 4 || c.size() == 2) && number(b) >= 1 && number(b) <= 12 &&
           number(a) >= 1 && number(a) <= 31;
  }
  void phone(std::size_t k) {
    if (!w_[k].digits) return;
    const auto sep = before(k);
    const bool plus = !sep.empty() && sep.back() == '+';
    const auto first = text(k);
    if (!plus && first[0] != '0') return;
    const bool international = plus || (first.size() >= 2 && first[1] == '0');
    if (!international && size(k) > 4 && size(k) != 10 && size(k) != 8 && size(k) != 11) return;
    if (!international && size(k) == 2 && first != "06") return;
    std::string d;
    std::size_t best = w_.size();
    for (std::size_t j = k; has(j) && d.size() <= 15; ++j) {
      if (j > k && (!w_[j].digits || !phone_separator(before(j)))) break;
      if (after(j).substr(0, 1) == ":") break;  // a time: "06-03 10:30"
      // "+31 (0)6 …": the trunk zero in brackets is not dialled.
      const bool trunk = plus && j == k + 1 && text(j) == "0" && before(j).find('(') != std::string_view::npos;
      if (!trunk) d += text(j);
      if (j == k + 2 && !international && numeric_date_separators(k) && date_like(text(k), text(k + 1), text(k + 2))) return;
      if (valid_phone(d, plus)) best = j;
    }
    if (best == w_.size()) return;
    // Not the middle of a longer number; the "+" and an opening bracket belong to the number.
    const bool attached = k > 0 && w_[k - 1].digits && (plus ? sep.size() == 1 : phone_separator(sep));
    found_.push_back({{PiiKind::phone, w_[k].begin - (plus || (!sep.empty() && sep.back() == '(') ? 1 : 0), w_[best].end},
                     k, attached ? k : 0, 0});
  }
  static bool valid_phone(std::string_view d, bool plus) {
    if (plus || d.substr(0, 2) == "00") {
      const auto n = plus ? d : d.substr(2);
      if (n.empty() || n[0] == '0') return false;
      if (n.substr(0, 2) == "31") return n.size() == 11;
      return n.size() >= 9 && n.size() <= 15;
    }
    if (d.size() < 2 || d[0] != '0') return false;
    if (d.size() == 10) return true;
    const auto service = d.substr(0, 4);
    return (service == "0800" || service == "0900" || service == "0906" || service == "0909") && (d.size() == 8 || d.size() == 11);
  }

  // --- addresses --------------------------------------------------------------------------------
  // Postcode "3011 AB" / "3011AB" at word k: the index of its last word, or 0 when there is none.
  std::size_t postcode(std::size_t k) const {
    const auto t = text(k);
    if (t.size() == 6 && dutch::postcode_digits(t.substr(0, 4)) && dutch::postcode_letters(t.substr(4))) return k;
    if (dutch::postcode_digits(t) && has(k + 1) && after(k) == " " && dutch::postcode_letters(text(k + 1)) &&
        (is_upper(text(k + 1)[0]) || !dutch::everyday_pair(text(k + 1))))
      return k + 1;
    return 0;
  }
  // House number "12", "12a", "12-3", "5bis" at word k: the index of its last word, or 0.
  std::size_t house_number(std::size_t k) const {
    if (!has(k) || !dutch::house_number(text(k))) return 0;
    const auto next = after(k);
    if (dutch::time_or_decimal(next, has(k + 1) ? text(k + 1) : "")) return 0;
    if (next == "-" && has(k + 1) && dutch::house_number_addition(text(k + 1)) && !glued_after(k + 1)) return k + 1;
    return k;
  }
  // "3011 AB 5", "3011AB, nr. 12a", "postcode 3011 AB en huisnummer 5"; and "nr 14, 8011 AB".
  void postcode_address(std::size_t k) {
    if (dutch::house_number_cue(text(k)) && number_gap(after(k))) {
      const std::size_t number = house_number(k + 1);
      if (number && (after(number) == ", " || after(number) == " ") && has(number + 1))
        if (const std::size_t code = postcode(number + 1)) add(PiiKind::address, k + 1, code);
      return;
    }
    const std::size_t code = postcode(k);
    if (!code) return;
    std::size_t j = code + 1;
    const auto sep = after(code);
    if (sep != " " && sep != ", " && sep != ",") return;
    if (has(j + 1) && (iequals(text(j), "en") || iequals(text(j), "and")) && after(j) == " " && dutch::house_number_cue(text(j + 1))) ++j;
    if (has(j) && dutch::house_number_cue(text(j))) {
      if (!number_gap(after(j))) return;
      ++j;
    }
    if (const std::size_t number = house_number(j)) add(PiiKind::address, k, number, glued_before(k));
  }
  static bool number_gap(std::string_view sep) { return sep == " " || sep == ". " || sep == ": " || sep == "."; }
  void street_address(std::size_t k) {
    const auto t = text(k);
    if (!w_[k].letters || t.size() > 40 || !dutch::street_name(t, is_upper(t[0])) || after(k) != " ") return;
    const std::size_t number = house_number(k + 1);
    if (!number || (has(number + 1) && after(number) == " " && dutch::quantity_word(text(number + 1)))) return;
    // Multi-word names: "Burgemeester de Vlugtlaan 12", "Prins Hendrikkade 5".
    static constexpr std::string_view kParticles[] = {"de", "der", "den", "van", "het", "ten", "ter", "t"};
    auto particle = [&](std::size_t j) {
      return std::any_of(std::begin(kParticles), std::end(kParticles), [&](auto p) { return text(j) == p; });
    };
    std::size_t first = k;
    for (std::size_t j = k; j > 0 && k - j < 3 && before(j) == " " && w_[j - 1].letters; --j) {
      const auto word = text(j - 1);
      if (!particle(j - 1) && !(is_upper(word[0]) && word.size() > 2)) break;
      first = j - 1;
    }
    std::size_t last = number;
    // "Coolsingel 40, 3011 AD": the postcode belongs to the address.
    const auto sep = after(number);
    if ((sep == ", " || sep == " ") && has(number + 1))
      if (const std::size_t code = postcode(number + 1)) last = code;
    for (std::size_t j = first; j <= k; ++j)
      if (!particle(j)) add(PiiKind::address, j, last);  // every start, as for e-mail
  }

  // --- dates of birth: a date next to "geboren", "geboortedatum", "born", "date of birth" --------
  // A date starting at word k ("12-03-1985", "1985-03-12", "12 maart 1985", "March 3, 1990"): its last word, or 0.
  std::size_t date(std::size_t k) const {
    if (!has(k + 2)) return 0;
    const auto s1 = after(k), s2 = after(k + 1);
    const bool numeric_sep = numeric_date_separators(k);
    if (numeric_sep && digits(k, 1, 2) && digits(k + 1, 1, 2) && (digits(k + 2, 4, 4) || digits(k + 2, 2, 2)) &&
        date_like(text(k), text(k + 1), text(k + 2)))
      return k + 2;
    if (numeric_sep && s1 == "-" && digits(k, 4, 4) && digits(k + 1, 1, 2) && digits(k + 2, 1, 2) &&
        date_like(text(k + 2), text(k + 1), "yyyy"))
      return k + 2;
    auto space = [](std::string_view s) { return s == " " || s == ". " || s == ", "; };
    if (digits(k, 1, 2) && space(s1) && dutch::month_number(text(k + 1)) && space(s2) && digits(k + 2, 4, 4) && number(text(k)) >= 1 &&
        number(text(k)) <= 31)
      return k + 2;
    if (dutch::month_number(text(k)) && space(s1) && digits(k + 1, 1, 2) && space(s2) && digits(k + 2, 4, 4) && number(text(k + 1)) >= 1 &&
        number(text(k + 1)) <= 31)
      return k + 2;
    return 0;
  }
  void birth_date(std::size_t k) {
    const std::size_t last = date(k);
    if (last && !glued_after(last)) add(PiiKind::birth_date, k, last, glued_before(k), context_after(last, kBirth) ? 0 : kBirth);
  }

  // --- Dutch passport / ID-card numbers: 2 letters, 6 letters or digits, 1 digit; never the letter O
  void document_number(std::size_t k) {
    const auto t = text(k);
    if (t.size() != 9 || !w_[k].ascii || !is_alpha(t[0]) || !is_alpha(t[1]) || !is_digit(t[8])) return;
    if (t.find_first_of("Oo") != std::string_view::npos || glued_after(k)) return;
    const auto middle = t.substr(2, 6);
    const bool mixed = std::any_of(middle.begin(), middle.end(), is_digit) && std::any_of(middle.begin(), middle.end(), is_alpha);
    const bool upper_case = std::none_of(t.begin(), t.end(), is_lower);
    add(PiiKind::document_number, k, k, glued_before(k), upper_case && mixed ? 0 : kDocument);
  }

  // --- Dutch licence plates (sidecodes 1–14); without dashes only after "kenteken" ---------------
  static bool sidecode(std::string_view shape, bool dashed) {
    static constexpr std::string_view kSidecodes[] = {
        "LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL", "DD-LLL-D",
        "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD", "DDD-LL-D"};
    return std::any_of(std::begin(kSidecodes), std::end(kSidecodes), [&](std::string_view code) {
      if (dashed) return shape == code;
      std::size_t i = 0;  // the code without its dashes
      for (char c : code)
        if (c != '-' && (i >= shape.size() || shape[i++] != c)) return false;
      return i == shape.size();
    });
  }

  static std::string shape(std::string_view t) {
    std::string out;
    for (char c : t) out += is_digit(c) ? 'D' : 'L';
    return out;
  }
  void licence_plate(std::size_t k) {
    const auto lower_case = [&](std::size_t j) { return std::any_of(text(j).begin(), text(j).end(), is_lower); };
    const auto plate = [&](std::string_view separator) {
      return has(k + 2) && after(k) == separator && after(k + 1) == separator && w_[k].ascii && w_[k + 1].ascii &&
             w_[k + 2].ascii && !glued_after(k + 2) &&
             sidecode(shape(text(k)) + '-' + shape(text(k + 1)) + '-' + shape(text(k + 2)), true);
    };
    if (plate("-")) {
      const bool upper_case = !(lower_case(k) || lower_case(k + 1) || lower_case(k + 2));
      add(PiiKind::licence_plate, k, k + 2, glued_before(k), upper_case ? 0 : kPlate);
      return;
    }
    // After "kenteken" also unhyphenated ("12ABC3") and with spaces ("12 ABC 3").
    if (w_[k].ascii && size(k) == 6 && !glued_after(k) && sidecode(shape(text(k)), false))
      add(PiiKind::licence_plate, k, k, glued_before(k), kPlate);
    if (plate(" ")) add(PiiKind::licence_plate, k, k + 2, glued_before(k), kPlate);
  }

};

}  // namespace

std::size_t Redaction::count(PiiKind kind) const {
  return static_cast<std::size_t>(std::count_if(matches.begin(), matches.end(), [&](const PiiMatch& m) { return m.kind == kind; }));
}

std::string_view placeholder(PiiKind kind) {
  switch (kind) {
    case PiiKind::bsn: return "[BSN]";
    case PiiKind::iban: return "[IBAN]";
    case PiiKind::phone: return "[TELEFOON]";
    case PiiKind::email: return "[E-MAIL]";
    case PiiKind::address: return "[ADRES]";
    case PiiKind::birth_date: return "[GEBOORTEDATUM]";
    case PiiKind::document_number: return "[DOCUMENTNUMMER]";
    case PiiKind::licence_plate: return "[KENTEKEN]";
  }
  return "[PII]";
}

std::string_view name(PiiKind kind) {
  switch (kind) {
    case PiiKind::bsn: return "bsn";
    case PiiKind::iban: return "iban";
    case PiiKind::phone: return "phone";
    case PiiKind::email: return "email";
    case PiiKind::address: return "address";
    case PiiKind::birth_date: return "birth_date";
    case PiiKind::document_number: return "document_number";
    case PiiKind::licence_plate: return "licence_plate";
  }
  return "pii";
}

namespace {

std::string replace_matches(std::string_view input, const std::vector<PiiMatch>& matches) {
  std::string out;
  std::size_t at = 0;
  for (const auto& m : matches) {
    out.append(input.substr(at, m.begin - at));
    out.append(placeholder(m.kind));
    at = m.end;
  }
  out.append(input.substr(at));
  return out;
}

// Matches found in the redacted text, moved to input offsets (a range touching a placeholder takes in
// the whole original match) and merged with the earlier ones.
std::vector<PiiMatch> merge(const std::vector<PiiMatch>& earlier, const std::vector<PiiMatch>& found) {
  std::vector<std::size_t> starts;  // where each earlier match's placeholder starts in the redacted text
  std::size_t shift = 0;            // input offset minus redacted offset, after the current placeholder
  for (const auto& m : earlier) {
    starts.push_back(m.begin - shift);
    shift += (m.end - m.begin) - placeholder(m.kind).size();
  }
  const auto to_input = [&](std::size_t at, bool end) {
    const auto after = end ? std::lower_bound(starts.begin(), starts.end(), at) : std::upper_bound(starts.begin(), starts.end(), at);
    if (after == starts.begin()) return at;
    const std::size_t j = static_cast<std::size_t>(after - starts.begin()) - 1;
    const std::size_t placeholder_end = starts[j] + placeholder(earlier[j].kind).size();
    if (at < placeholder_end) return end ? earlier[j].end : earlier[j].begin;
    return earlier[j].end + (at - placeholder_end);
  };
  std::vector<PiiMatch> all = earlier;
  for (const auto& m : found) all.push_back({m.kind, to_input(m.begin, false), to_input(m.end, true)});
  std::sort(all.begin(), all.end(), [](const PiiMatch& a, const PiiMatch& b) { return a.begin < b.begin; });
  std::vector<PiiMatch> out;
  for (const auto& m : all) {
    if (!out.empty() && m.begin < out.back().end) out.back().end = std::max(out.back().end, m.end);
    else out.push_back(m);
  }
  return out;
}

}  // namespace

Redaction redact(std::string_view utf8_text) {
  Redaction r{std::string(utf8_text), {}};
  // A match can hide its neighbour ("Kerkstraat 5+31612345678" reads as a sum until the address is a
  // placeholder), so scan the redacted text again until nothing new turns up: redacting is idempotent.
  for (int pass = 0; pass < 4; ++pass) {
    const auto found = Scanner(r.text).scan();
    if (found.empty()) break;
    r.matches = merge(r.matches, found);
    r.text = replace_matches(utf8_text, r.matches);
  }
  return r;
}

}  // namespace gem
