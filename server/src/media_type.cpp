// Content-Type parsing (media_type.h).
#include "media_type.h"

#include <algorithm>

namespace cachet::server {

namespace {

// RFC 9110 5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return lower(c); });
  return out;
}

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return at_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[at_]; }
  void skip_ows() {
    while (!done() && (text_[at_] == ' ' || text_[at_] == '\t')) ++at_;
  }
  bool take(char c) {
    if (peek() != c) return false;
    ++at_;
    return true;
  }
  std::string_view token() {
    const std::size_t start = at_;
    while (!done() && is_tchar(text_[at_])) ++at_;
    return text_.substr(start, at_ - start);
  }
  // RFC 9110 5.6.4 quoted-string, unescaped; nullopt when unterminated or holding a control character.
  std::optional<std::string> quoted() {
    if (!take('"')) return std::nullopt;
    std::string out;
    while (!done()) {
      char c = text_[at_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (done()) return std::nullopt;
        c = text_[at_++];
      }
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return std::nullopt;
      out.push_back(c);
    }
    return std::nullopt;
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

bool MediaType::is(std::string_view type_name, std::string_view subtype_name) const {
  return type == type_name && subtype == subtype_name;
}

std::optional<std::string> MediaType::parameter(std::string_view name) const {
  for (const auto& parameter : parameters) {
    if (parameter.first == name) return parameter.second;
  }
  return std::nullopt;
}

std::optional<MediaType> parse_media_type(std::string_view header) {
  Cursor in(header);
  in.skip_ows();
  MediaType out;
  out.type = lower(in.token());
  if (out.type.empty() || !in.take('/')) return std::nullopt;
  out.subtype = lower(in.token());
  if (out.subtype.empty()) return std::nullopt;
  in.skip_ows();
  while (in.take(';')) {
    in.skip_ows();
    if (in.done()) break;  // a trailing ';' is allowed
    const std::string name = lower(in.token());
    if (name.empty() || !in.take('=')) return std::nullopt;
    std::string value;
    if (in.peek() == '"') {
      auto quoted = in.quoted();
      if (!quoted) return std::nullopt;
      value = std::move(*quoted);
    } else {
      value = std::string(in.token());
      if (value.empty()) return std::nullopt;
    }
    out.parameters.emplace_back(name, std::move(value));
    in.skip_ows();
  }
  if (!in.done()) return std::nullopt;
  return out;
}

unsigned body_kind(std::string_view content_type) {
  const std::optional<MediaType> type = parse_media_type(content_type);
  if (!type) return 0;
  // The only parameter text types take here is charset, and only UTF-8: any
  // other would be read as UTF-8 anyway, so it is refused rather than misread.
  const auto utf8_only = [&type] {
    return std::all_of(type->parameters.begin(), type->parameters.end(),
                       [](const auto& p) { return p.first == "charset" && lower(p.second) == "utf-8"; });
  };
  if (type->is("application", "json")) return utf8_only() ? kBodyJson : 0U;
  if (type->is("application", "x-www-form-urlencoded")) return utf8_only() ? kBodyForm : 0U;
  if (type->is("multipart", "form-data")) {
    const auto boundary = type->parameter("boundary");
    return boundary && !boundary->empty() ? kBodyMultipart : 0U;
  }
  return 0;
}

std::string describe_body_kinds(unsigned accepted) {
  std::vector<std::string> names;
  if ((accepted & kBodyJson) != 0U) names.emplace_back("application/json");
  if ((accepted & kBodyForm) != 0U) names.emplace_back("application/x-www-form-urlencoded");
  if ((accepted & kBodyMultipart) != 0U) names.emplace_back("multipart/form-data");
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace cachet::server
