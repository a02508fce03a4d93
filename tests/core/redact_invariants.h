// What must hold for any redaction, whatever the input: shared by the Boost tests
// (tests/core/redact_test.cpp) and the libFuzzer target (tests/fuzz/redact_fuzz.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <utf8proc.h>

#include "gem/redact.h"

namespace gem::testing {

// The input with each match replaced by its placeholder, which the redacted text must equal (so nothing
// of a match survives); nullopt when a match is out of bounds, out of order or overlapping.
inline std::optional<std::string> rebuilt_text(std::string_view input, const gem::Redaction& r) {
  std::string rebuilt;
  std::size_t at = 0;
  for (const auto& m : r.matches) {
    if (m.begin < at || m.begin >= m.end || m.end > input.size()) return std::nullopt;
    rebuilt.append(input.substr(at, m.begin - at)).append(gem::placeholder(m.kind));
    at = m.end;
  }
  return rebuilt.append(input.substr(at));
}

inline bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  for (std::size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp;
    const auto n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) return false;
    i += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace gem::testing
