// libFuzzer target for gem::redact: any bytes in, and the redaction's invariants must hold.
// Built and run (bounded, with a fixed seed) by tests/fuzz/run; see there.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <utf8proc.h>

#include "gem/redact.h"

namespace {

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  for (std::size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp;
    const auto n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) return false;
    i += static_cast<std::size_t>(n);
  }
  return true;
}

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "redaction invariant violated: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const gem::Redaction r = gem::redact(input);
  std::string rebuilt;
  std::size_t at = 0;
  for (const auto& m : r.matches) {
    require(m.begin >= at && m.begin < m.end && m.end <= input.size(), "matches in bounds, in order, not overlapping");
    rebuilt.append(input.substr(at, m.begin - at)).append(gem::placeholder(m.kind));
    at = m.end;
  }
  rebuilt.append(input.substr(at));
  require(r.text == rebuilt, "text is the input with each match replaced by its placeholder");
  require(!valid_utf8(input) || valid_utf8(r.text), "valid UTF-8 stays valid");
  require(gem::redact(r.text).matches.empty(), "redacting the redacted text finds nothing new");
  return 0;
}
