// Fuzz target: parse_json_strict (RapidJSON's reader building nlohmann::json,
// with nlohmann describing every refusal) against the plain reading of the same
// text by nlohmann::json::parse, the library the core always parsed with.
// Property: both accept with the same value (same ==, same dump(), same node
// types, so 1, 1.0 and -1 keep their number types), or both refuse, where the
// reference also refuses duplicate member names (I-JSON, RFC 7493 section 2.3)
// and nesting deeper than the limit. A refusal carries one of the known codes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/json.h"
#include "fuzz_check.h"

namespace {

using cachet::Json;

// Containers around the deepest value: 0 for a scalar.
std::size_t depth(const Json& value) {
  std::size_t deepest = 0;
  if (value.is_structured()) {
    for (const Json& child : value) deepest = std::max(deepest, depth(child));
    return deepest + 1;
  }
  return 0;
}

bool same(const Json& a, const Json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_number_float()) {
    const double x = a.get<double>(), y = b.get<double>();
    return std::memcmp(&x, &y, sizeof x) == 0;  // -0.0 is not 0.0
  }
  if (a.is_object()) {
    for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
      if (i.key() != j.key() || !same(i.value(), j.value())) return false;
    }
    return true;
  }
  if (a.is_array()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const cachet::ParseLimits limits;
  const cachet::Result<Json> strict = cachet::parse_json_strict(text, limits);

  bool duplicate = false;
  std::vector<std::set<std::string>> names;
  const Json::parser_callback_t find_duplicates = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) names.emplace_back();
    if (event == Json::parse_event_t::object_end && !names.empty()) names.pop_back();
    if (event == Json::parse_event_t::key && !names.back().insert(parsed.get<std::string>()).second) duplicate = true;
    return true;
  };
  const Json reference = Json::parse(text, find_duplicates, /*allow_exceptions=*/false);
  // nlohmann stops reading at a NUL outside a string ("{}\0x" is {}); the
  // core refuses every raw NUL, which JSON never contains.
  const bool has_nul = text.find('\0') != std::string_view::npos;
  const bool reference_accepts = !reference.is_discarded() && !duplicate && !has_nul && size <= limits.max_bytes &&
                                 depth(reference) <= static_cast<std::size_t>(limits.max_depth);

  if (!strict.ok()) {
    CACHET_FUZZ_CHECK(!reference_accepts, "parse_json_strict refuses a text nlohmann::json::parse accepts");
    static const std::set<std::string> codes = {"json_too_large",     "json_too_deep",     "json_syntax",
                                                "json_duplicate_key", "json_invalid_utf8", "json_lone_surrogate"};
    CACHET_FUZZ_CHECK(strict.problems().size() == 1 && codes.count(strict.problems()[0].code) == 1,
                      "a refusal has one known code");
    return 0;
  }
  CACHET_FUZZ_CHECK(reference_accepts, "parse_json_strict accepts a text nlohmann::json::parse refuses");
  CACHET_FUZZ_CHECK(same(strict.value(), reference), "both parsers give the same value and types");
  CACHET_FUZZ_CHECK(strict.value().dump() == reference.dump(), "both values serialise alike");
  return 0;
}
