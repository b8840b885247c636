// RFC 8785 JSON Canonicalization Scheme (JCS).
#pragma once

#include <string>
#include <string_view>

#include "cachet/json.h"

namespace cachet {

// Canonical form of an already-parsed value: members sorted by UTF-16 code
// units (RFC 8785 section 3.2.3), strings escaped as section 3.2.2.2 says,
// numbers formatted as ECMAScript Number.prototype.toString (section 3.2.2.3).
// Problems, each with the JSON Pointer of the value, all of them reported:
// jcs_non_finite_number (NaN/Infinity cannot come from parsing but can from
// code), jcs_invalid_utf8 (a string or member name that is not UTF-8, again
// only from code), jcs_unsupported_value (binary or discarded values).
// Recursion follows the value's nesting: values built in code should be
// as shallow as parsed ones (ParseLimits::max_depth).
Result<std::string> canonicalize(const Json& value);

// True when `text` is exactly the bytes canonicalize(value) gives (and it
// gives no problem). Compares while serialising: no second copy of the text
// is built, and the walk stops at the first byte that differs.
bool is_canonical(const Json& value, std::string_view text);

// Strict parse (see parse_json_strict) then canonicalize.
Result<std::string> canonicalize_text(std::string_view text, const ParseLimits& limits = {});

// ECMAScript Number::toString(x) (exposed for tests): shortest round-trip
// digits, "0" for -0, "NaN"/"Infinity" for non-finite values, which
// canonicalize() refuses instead.
std::string format_es_number(double x);

}  // namespace cachet
