// Strict parsing of untrusted JSON (RFC 8259 + I-JSON, RFC 7493) and
// RFC 6901 JSON Pointer helpers shared by every module of the core.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cachet/problem.h"

namespace cachet {

using Json = nlohmann::json;

struct ParseLimits {
  std::size_t max_bytes = 1 << 20;  // 1 MiB: configs and receipts are small
  int max_depth = 64;
};

// Parses `text` as one JSON document. Refuses, with a specific code:
//   json_too_large, json_too_deep, json_syntax (with line/column),
//   json_duplicate_key (path of the object), json_invalid_utf8,
//   json_lone_surrogate.
// Never throws.
// Problems as every edge reports them (CLI --format json, HTTP bodies, the
// wasm module): [{"code", "path", "message"}], in order.
Json problems_to_json(const Problems& problems);

Result<Json> parse_json_strict(std::string_view text, const ParseLimits& limits = {});

// The string at a path of member names, e.g. {"channels", "email", "decision"},
// or "" when a member is missing or a value is not of the expected type. For
// reading documents whose shape the core has already checked (stored receipts).
std::string string_at(const Json& value, std::initializer_list<std::string_view> path);

// Escapes one reference token for a JSON Pointer (RFC 6901 section 3: ~ -> ~0, / -> ~1).
std::string pointer_escape(std::string_view token);
// `base` + "/" + escaped token.
std::string pointer_append(std::string_view base, std::string_view token);
std::string pointer_append(std::string_view base, std::size_t index);

}  // namespace cachet
