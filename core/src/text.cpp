#include "text.h"

#include <utf8proc.h>

#include "ascii.h"

namespace gem {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at `i`, advancing it; invalid or overlong sequences and surrogates yield U+FFFD
// and consume one byte, so decoding always makes progress.
char32_t decode(std::string_view s, std::size_t& i, bool& repaired) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) { ++i; return c; }
  std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (len == 0 || c > 0xF4 || i + len > s.size()) { ++i; repaired = true; return kReplacement; }
  char32_t cp = c & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    unsigned char cc = byte(i + k);
    if ((cc & 0xC0) != 0x80) { ++i; repaired = true; return kReplacement; }
    cp = (cp << 6) | (cc & 0x3F);
  }
  const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { ++i; repaired = true; return kReplacement; }
  i += len;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
    return;
  }
  utf8proc_uint8_t buf[4];
  auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

bool is_apostrophe(char32_t cp) {
  return cp == U'\'' || cp == U'`' || cp == 0x2018 || cp == 0x2019 || cp == 0x02BC || cp == 0x00B4;
}

bool is_word_char(char32_t cp) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
      return true;
    default:
      return false;
  }
}

}  // namespace

NormalizedText normalize(std::string_view input, std::size_t max_chars) {
  NormalizedText out;
  out.text.reserve(std::min(input.size(), max_chars * 4));
  Token current;
  std::pair<std::size_t, std::size_t> current_bytes;
  bool in_word = false;
  auto finish_word = [&] {
    if (in_word && !current.text.empty()) {
      out.tokens.push_back(std::move(current));
      out.bytes.push_back(current_bytes);
    }
    current = Token{};
    in_word = false;
  };

  std::size_t chars = 0, utf16 = 0;
  for (std::size_t i = 0; i < input.size();) {
    if (chars == max_chars) { out.truncated = true; break; }
    const char32_t cp = decode(input, i, out.repaired);
    ++chars;
    const std::size_t byte_start = out.text.size();
    append_utf8(out.text, cp);
    const std::size_t start = utf16;
    utf16 += cp >= 0x10000 ? 2 : 1;

    // Apostrophes join ("'s-hertogenbosch" → "s hertogenbosch", "what's" → "whats") rather than split.
    if (is_apostrophe(cp)) continue;

    auto extend_word = [&](char32_t folded) {
      if (!in_word) { in_word = true; current.start = start; current_bytes.first = byte_start; }
      append_utf8(current.text, folded);
      current.end = utf16;
      current_bytes.second = out.text.size();
    };
    // ASCII, most of what is typed and of every name list read at start-up, folds to its lower case and is a
    // word character exactly when it is a letter or digit: what utf8proc's tables say, without looking them up.
    if (cp < 0x80) {
      const char c = static_cast<char>(cp);
      if (ascii::is_alpha(c) || ascii::is_digit(c)) extend_word(static_cast<unsigned char>(ascii::lower(c)));
      else finish_word();
      continue;
    }

    utf8proc_int32_t folded[16];
    const auto n = utf8proc_decompose_char(
        static_cast<utf8proc_int32_t>(cp), folded, 16,
        static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
                                       UTF8PROC_IGNORE | UTF8PROC_DECOMPOSE),
        nullptr);
    if (n < 0 || n > 16) { finish_word(); continue; }
    if (n == 0) continue;  // a combining mark or default-ignorable (soft hyphen, zero-width joiner)
    for (utf8proc_ssize_t k = 0; k < n; ++k) {
      const auto f = static_cast<char32_t>(folded[k]);
      if (is_word_char(f)) extend_word(f);
      else finish_word();
    }
  }
  finish_word();
  return out;
}

std::vector<std::string> normalize_words(std::string_view input) {
  std::vector<std::string> words;
  for (auto& t : normalize(input, input.size()).tokens) words.push_back(std::move(t.text));
  return words;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string w;
  for (char ch : text) {
    if (ch == ' ') {
      if (!w.empty()) words.push_back(w);
      w.clear();
    } else {
      w += ch;
    }
  }
  if (!w.empty()) words.push_back(w);
  return words;
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i) out += separator;
    out += words[i];
  }
  return out;
}

}  // namespace gem
