// Every format check of the config (core/src/formats.h), one place, each with
// the grammar it follows (ABNF from the RFC named). They return whether a
// value follows the format; the lint (config.cpp) turns a "no" into a problem.
// Model: pboettch/json-schema-validator src/string-format-check.cpp, with
// values instead of exceptions.
#include "formats.h"

#include <algorithm>

namespace cachet::formats {

bool is_ctl_or_space(unsigned char c) { return c <= 0x20 || c == 0x7f; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// RFC 3986 3.2.2 host, narrowed: reg-name = letters, digits, "-", "." (not
// leading), or non-ASCII bytes (an IDN before punycode); or IP-literal = "[" IPv6 "]".
bool is_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    return std::all_of(host.begin() + 1, host.end() - 1, [](char c) {
      return (c >= '0' && c <= '9') || (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f') || c == ':' || c == '.';
    });
  }
  if (host.front() == '.' || host.front() == '-') return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return is_alnum(c) || c == '-' || c == '.' || static_cast<unsigned char>(c) >= 0x80;
  });
}

// https-URI = "https://" authority path-abempty [ "?" query ] [ "#" fragment ]
// (RFC 9110 4.2.2, RFC 3986 3), scheme case-insensitive, authority without
// userinfo, port = 1*5DIGIT. Enough of RFC 3986 to refuse what must never be a link in a consent notice:
// other schemes (javascript:, data:, http:), relative URLs, spaces and control
// characters, userinfo (a classic disguise), an empty host.
UrlCheck check_https_url(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.size() < kScheme.size()) return UrlCheck::kNotHttps;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (ascii_lower(url[i]) != kScheme[i]) return UrlCheck::kNotHttps;
  }
  for (const char c : url) {
    if (is_ctl_or_space(static_cast<unsigned char>(c)) || c == '\\') return UrlCheck::kMalformed;
  }
  const std::string_view rest = url.substr(kScheme.size());
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return UrlCheck::kMalformed;
  std::string_view host = authority;
  const std::size_t bracket = authority.rfind(']');
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return UrlCheck::kMalformed;
    }
    host = authority.substr(0, colon);
  }
  return is_host(host) ? UrlCheck::kOk : UrlCheck::kMalformed;
}

// path-absolute (RFC 3986 3.3): "/" not followed by "/" (that would name
// another host), no spaces, controls or backslashes. A link to a page of the
// signup site itself (the partner page cachet serve generates, /partenaires).
bool is_same_site_path(std::string_view url) {
  if (url.empty() || url.front() != '/' || (url.size() > 1 && (url[1] == '/' || url[1] == '\\'))) return false;
  return std::none_of(url.begin(), url.end(),
                      [](char c) { return is_ctl_or_space(static_cast<unsigned char>(c)) || c == '\\'; });
}

// addr-spec = local-part "@" domain (RFC 5322 3.4.1), loosely: a plausible address: one '@', a local part without
// spaces, a dotted host.
bool is_email_address(std::string_view value) {
  const std::size_t at = value.find('@');
  if (at == std::string_view::npos || at == 0 || value.find('@', at + 1) != std::string_view::npos) return false;
  for (const char c : value) {
    if (is_ctl_or_space(static_cast<unsigned char>(c)) || c == '<' || c == '>' || c == '"' || c == '\\' || c == ',' ||
        c == ';') {
      return false;
    }
  }
  const std::string_view domain = value.substr(at + 1);
  const std::size_t dot = domain.rfind('.');
  return is_host(domain) && domain.front() != '[' && dot != std::string_view::npos && dot + 1 < domain.size() &&
         domain.find("..") == std::string_view::npos;
}

// partner id = 1*64( ALPHA / DIGIT / "." / "_" / "-" ), not starting with ".".
bool is_partner_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && id.front() != '.' &&
         std::all_of(id.begin(), id.end(), [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

// input name = 1*64( ALPHA / DIGIT / "_" / "-" ).
bool is_input_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '_' || c == '-'; });
}

// CSS Color 4 hex-color = "#" 3, 4, 6 or 8 HEXDIG.
bool is_hex_color(std::string_view s) {
  if (s.empty() || s.front() != '#') return false;
  const std::size_t n = s.size() - 1;
  if (n != 3 && n != 4 && n != 6 && n != 8) return false;
  return std::all_of(s.begin() + 1, s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f'); });
}

// length = "0" / 1*8( DIGIT / one "." ) ( "px" / "rem" / "em" / "%" ).
bool is_css_length(std::string_view s) {
  if (s == "0") return true;
  std::size_t i = 0;
  bool digits = false, dot = false;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || (s[i] == '.' && !dot))) {
    if (s[i] == '.') {
      dot = true;
    } else {
      digits = true;
    }
    ++i;
  }
  if (!digits || i > 8) return false;
  const std::string_view unit = s.substr(i);
  return unit == "px" || unit == "rem" || unit == "em" || unit == "%";
}

// font list = 1*200( ALPHA / DIGIT / SP / "," / "-" / DQUOTE / "'" / "_" ).
bool is_font_list(std::string_view s) {
  return !s.empty() && s.size() <= 200 && std::all_of(s.begin(), s.end(), [](char c) {
    return is_alnum(c) || c == ' ' || c == ',' || c == '-' || c == '"' || c == '\'' || c == '_';
  });
}

// ISO 3166-1 alpha-2 = 2( %x41-5A ): two capital letters.
bool is_jurisdiction(std::string_view code) {
  return code.size() == 2 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace cachet::formats
