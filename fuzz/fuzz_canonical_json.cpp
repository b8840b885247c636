// Fuzz target: RFC 8785 canonicalisation of arbitrary text (`cachet
// canonicalize`, and the receipt verifier's "is this payload canonical" check).
// Properties: never crash or throw; the output is canonical, so canonicalising
// it again gives the same bytes (idempotence); the one-call and two-step paths
// agree. (Value equality is not a property: RFC 8785 section 3.2.2.3 maps
// integers beyond 2^53 to the nearest double, on purpose.)
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cachet/canonical_json.h"
#include "cachet/json.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const cachet::Result<std::string> canonical = cachet::canonicalize_text(text);
  if (!canonical.ok()) {
    CACHET_FUZZ_CHECK(!canonical.problems().empty(), "a refusal says why");
    return 0;
  }
  const std::string& once = canonical.value();
  const cachet::Result<std::string> twice = cachet::canonicalize_text(once);
  CACHET_FUZZ_CHECK(twice.ok(), "canonical output parses again");
  CACHET_FUZZ_CHECK(twice.value() == once, "canonicalisation is idempotent");

  const cachet::Result<cachet::Json> parsed = cachet::parse_json_strict(text);
  CACHET_FUZZ_CHECK(parsed.ok(), "what canonicalises parses");
  const cachet::Result<std::string> direct = cachet::canonicalize(parsed.value());
  CACHET_FUZZ_CHECK(direct.ok() && direct.value() == once, "canonicalize(parse(x)) == canonicalize_text(x)");
  return 0;
}
