// Every format a config value must follow (https URL, email address,
// partner id, input name, country code, theme values), each a function that
// returns whether the value follows it: values, never exceptions. The grammar
// each one follows is quoted beside it in formats.cpp (dates: the calendar,
// cachet/calendar.h). Private to the core.
#pragma once

#include <string_view>

namespace cachet::formats {

bool is_ctl_or_space(unsigned char c);
char ascii_lower(char c);
bool is_alnum(char c);

bool is_host(std::string_view host);
enum class UrlCheck { kOk, kNotHttps, kMalformed };
UrlCheck check_https_url(std::string_view url);
bool is_same_site_path(std::string_view url);
bool is_email_address(std::string_view value);
bool is_partner_id(std::string_view id);
bool is_input_name(std::string_view name);
bool is_jurisdiction(std::string_view code);
bool is_hex_color(std::string_view s);
bool is_css_length(std::string_view s);
bool is_font_list(std::string_view s);

}  // namespace cachet::formats
