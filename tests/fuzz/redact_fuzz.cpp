// libFuzzer target for gem::redact: any bytes in, and the redaction's invariants must hold.
// Built and run (bounded, with a fixed seed) by tests/fuzz/run; see there.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../core/redact_invariants.h"
#include "gem/redact.h"

namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "redaction invariant violated: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const gem::Redaction r = gem::redact(input);
  const auto rebuilt = gem::testing::rebuilt_text(input, r);
  require(rebuilt.has_value(), "matches in bounds, in order, not overlapping");
  require(r.text == *rebuilt, "text is the input with each match replaced by its placeholder");
  require(!gem::testing::valid_utf8(input) || gem::testing::valid_utf8(r.text), "valid UTF-8 stays valid");
  require(gem::redact(r.text).matches.empty(), "redacting the redacted text finds nothing new");
  return 0;
}
