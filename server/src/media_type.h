// Content-Type, parsed as RFC 9110 section 8.3.1 says: `type "/" subtype
// *( OWS ";" OWS parameter )`, type, subtype and parameter names
// case-insensitive. Endpoints compare the parsed type and parameters, never
// substrings of the header (a `text/plain; x=application/json` is text/plain).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cachet::server {

struct MediaType {
  std::string type;                                             // lower case
  std::string subtype;                                          // lower case
  std::vector<std::pair<std::string, std::string>> parameters;  // names lower case, values unquoted as sent

  bool is(std::string_view type_name, std::string_view subtype_name) const;
  // The value of the first parameter named `name` (lower case), if any.
  std::optional<std::string> parameter(std::string_view name) const;
};

// nullopt when the header is not one media type (empty, no subtype, a bad
// token or quoted string, trailing garbage).
std::optional<MediaType> parse_media_type(std::string_view header);

// What a POST body may be, per endpoint.
enum BodyKind : unsigned {
  kBodyJson = 1U,       // application/json, with no parameter but charset=utf-8
  kBodyForm = 2U,       // application/x-www-form-urlencoded (charset=utf-8 allowed)
  kBodyMultipart = 4U,  // multipart/form-data with a boundary
};

// The kind of a Content-Type header, or 0 for anything else (missing,
// malformed, another type, an unknown parameter or another charset on JSON).
unsigned body_kind(std::string_view content_type);

// "application/json or application/x-www-form-urlencoded": the kinds in
// `accepted`, for error messages.
std::string describe_body_kinds(unsigned accepted);

}  // namespace cachet::server
