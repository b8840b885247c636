// RFC 8785 JSON Canonicalization Scheme (JCS).
#pragma once

#include <string>
#include <string_view>

#include "cachet/json.h"

namespace cachet {

// Canonical form of an already-parsed value: members sorted by UTF-16 code
// units (RFC 8785 section 3.2.3), strings escaped as section 3.2.2.2 says,
// numbers formatted as ECMAScript Number.prototype.toString (section 3.2.2.3).
// Problems: jcs_non_finite_number (NaN/Infinity cannot occur from parsing but
// can from code).
Result<std::string> canonicalize(const Json& value);

// Strict parse (see parse_json_strict) then canonicalize.
Result<std::string> canonicalize_text(std::string_view text, const ParseLimits& limits = {});

// ECMAScript Number::toString(x) for a finite double (exposed for tests).
std::string format_es_number(double x);

}  // namespace cachet
