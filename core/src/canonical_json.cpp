// RFC 8785 JSON Canonicalization Scheme.
#include "cachet/canonical_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace cachet {
namespace {

// Decodes UTF-8 into UTF-16 code units (RFC 3629, RFC 2781). Returns false on
// ill-formed input: overlong forms, surrogate code points, values above
// U+10FFFF, truncated sequences. Text from parse_json_strict is always valid,
// but a Json built in code may hold any bytes, and RFC 8785 section 3.2.2.2
// is defined on Unicode strings only.
bool utf8_to_utf16(std::string_view in, std::u16string* out) {
  std::size_t i = 0;
  while (i < in.size()) {
    const auto lead = static_cast<unsigned char>(in[i]);
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (lead < 0x80) {
      length = 1;
      cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      cp = lead & 0x1Fu;
      min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      cp = lead & 0x0Fu;
      min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      cp = lead & 0x07u;
      min = 0x10000;
    } else {
      return false;
    }
    if (in.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto cont = static_cast<unsigned char>(in[i + k]);
      if ((cont & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cont & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (out != nullptr) {
      if (cp < 0x10000) {
        out->push_back(static_cast<char16_t>(cp));
      } else {
        const char32_t v = cp - 0x10000;
        out->push_back(static_cast<char16_t>(0xD800 + (v >> 10)));
        out->push_back(static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
      }
    }
    i += length;
  }
  return true;
}

// RFC 8785 section 3.2.2.2: only '"', '\' and U+0000..U+001F are escaped;
// the five controls with a short form use it, the rest \u00xx in lowercase
// hex. Everything else, including U+007F and non-ASCII, is copied as UTF-8.
void write_string(std::string_view s, std::string& out) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out += kHex[byte >> 4];
          out += kHex[byte & 0x0F];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

class Canonicalizer {
 public:
  void write(const Json& value, const std::string& path) {
    switch (value.type()) {
      case Json::value_t::null: out_ += "null"; break;
      case Json::value_t::boolean: out_ += value.get<bool>() ? "true" : "false"; break;
      // Section 3.2.2.3: every number is an IEEE-754 double, whatever the
      // parser stored it as; integers beyond 2^53 round as ECMAScript would.
      case Json::value_t::number_integer:
        write_number(static_cast<double>(value.get<std::int64_t>()), path);
        break;
      case Json::value_t::number_unsigned:
        write_number(static_cast<double>(value.get<std::uint64_t>()), path);
        break;
      case Json::value_t::number_float: write_number(value.get<double>(), path); break;
      case Json::value_t::string: write_checked_string(value.get_ref<const std::string&>(), path); break;
      case Json::value_t::array: write_array(value, path); break;
      case Json::value_t::object: write_object(value, path); break;
      case Json::value_t::binary:
      case Json::value_t::discarded:
        problems_.push_back({"jcs_unsupported_value", path, "This value is not JSON data and has no canonical form."});
        break;
    }
  }

  Result<std::string> result() && {
    if (!problems_.empty()) return std::move(problems_);
    return std::move(out_);
  }

 private:
  void write_number(double x, const std::string& path) {
    if (!std::isfinite(x)) {
      problems_.push_back({"jcs_non_finite_number", path,
                           "NaN and Infinity are not JSON numbers (RFC 8785 section 3.2.2.3)."});
      return;
    }
    out_ += format_es_number(x);
  }

  void write_checked_string(const std::string& s, const std::string& path) {
    if (!utf8_to_utf16(s, nullptr)) {
      problems_.push_back({"jcs_invalid_utf8", path, "This string is not valid UTF-8."});
      return;
    }
    write_string(s, out_);
  }

  void write_array(const Json& array, const std::string& path) {
    out_ += '[';
    std::size_t index = 0;
    for (const Json& element : array) {
      if (index != 0) out_ += ',';
      write(element, pointer_append(path, index));
      ++index;
    }
    out_ += ']';
  }

  // Section 3.2.3: members sorted by the UTF-16 code units of their names,
  // compared as unsigned integers; UTF-8 byte order would differ for
  // characters above U+FFFF versus U+E000..U+FFFF.
  void write_object(const Json& object, const std::string& path) {
    struct Member {
      std::u16string sort_key;
      const std::string* name;
      const Json* value;
    };
    std::vector<Member> members;
    members.reserve(object.size());
    for (auto it = object.begin(); it != object.end(); ++it) {
      Member member{{}, &it.key(), &it.value()};
      if (!utf8_to_utf16(it.key(), &member.sort_key)) {
        // The path stops at the object: the name itself cannot go into a
        // pointer or a message, which must stay valid UTF-8.
        problems_.push_back({"jcs_invalid_utf8", path, "A member name in this object is not valid UTF-8."});
        continue;
      }
      members.push_back(std::move(member));
    }
    std::sort(members.begin(), members.end(),
              [](const Member& a, const Member& b) { return a.sort_key < b.sort_key; });
    out_ += '{';
    bool first = true;
    for (const Member& member : members) {
      if (!first) out_ += ',';
      first = false;
      write_string(*member.name, out_);
      out_ += ':';
      write(*member.value, pointer_append(path, *member.name));
    }
    out_ += '}';
  }

  std::string out_;
  Problems problems_;
};

// The shortest digit string that reads back as x, and the decimal exponent
// of its first digit: x == 0.d1d2...dk * 10^point (ECMAScript's n).
struct Digits {
  std::string digits;
  int point = 0;
};

// True when "<digits>e<exponent>" reads back as x. The candidate has no
// decimal point, so a process locale with ',' as separator cannot change it.
bool reads_back(const std::string& digits, int point, double x) {
  const std::string text = digits + "e" + std::to_string(point - static_cast<int>(digits.size()));
  return std::strtod(text.c_str(), nullptr) == x;
}

// ECMAScript Number::toString step 5 asks for the smallest k such that some
// k-digit n reads back as x, preferring the n closest to x. "%.*e" rounds
// correctly, so for each k it yields that closest candidate. Next to a power
// of two the interval of doubles that read back is narrower below x than
// above, so the closest candidate may miss while its neighbour above hits;
// trying that neighbour keeps k minimal, as Ryu and V8 do.
Digits shortest_digits(double x) {
  for (int precision = 0; precision <= 16; ++precision) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.*e", precision, x);
    Digits d;
    const char* p = buffer;
    for (; *p != 'e' && *p != '\0'; ++p) {
      if (*p >= '0' && *p <= '9') d.digits += *p;  // skips the locale's decimal point
    }
    d.point = (*p == 'e' ? std::atoi(p + 1) : 0) + 1;
    if (reads_back(d.digits, d.point, x)) return d;

    // The candidate one unit higher in the last place (x is positive, so
    // the closest one may lie below x and its upper neighbour still hit).
    Digits up = d;
    int i = static_cast<int>(up.digits.size()) - 1;
    while (i >= 0 && up.digits[static_cast<std::size_t>(i)] == '9') up.digits[static_cast<std::size_t>(i--)] = '0';
    if (i >= 0) {
      ++up.digits[static_cast<std::size_t>(i)];
    } else {
      up.digits.insert(up.digits.begin(), '1');
      up.digits.pop_back();
      ++up.point;
    }
    if (reads_back(up.digits, up.point, x)) return up;
  }
  // Unreachable: 17 significant digits always identify a double.
  return {"0", 1};
}

}  // namespace

std::string format_es_number(double x) {
  if (std::isnan(x)) return "NaN";
  if (x == 0) return "0";  // both +0 and -0 (ECMAScript Number::toString step 2)
  if (x < 0) return "-" + format_es_number(-x);
  if (std::isinf(x)) return "Infinity";

  Digits d = shortest_digits(x);
  while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
  const std::string& s = d.digits;
  const int k = static_cast<int>(s.size());
  const int n = d.point;

  // ECMAScript Number::toString steps 6-10, as RFC 8785 section 3.2.2.3 requires.
  if (k <= n && n <= 21) return s + std::string(static_cast<std::size_t>(n - k), '0');
  if (0 < n && n <= 21) return s.substr(0, static_cast<std::size_t>(n)) + "." + s.substr(static_cast<std::size_t>(n));
  if (-6 < n && n <= 0) return "0." + std::string(static_cast<std::size_t>(-n), '0') + s;
  const int e = n - 1;
  std::string out = s.substr(0, 1);
  if (k > 1) out += "." + s.substr(1);
  out += e < 0 ? "e-" : "e+";
  out += std::to_string(e < 0 ? -e : e);
  return out;
}

Result<std::string> canonicalize(const Json& value) {
  Canonicalizer canonicalizer;
  canonicalizer.write(value, "");
  return std::move(canonicalizer).result();
}

Result<std::string> canonicalize_text(std::string_view text, const ParseLimits& limits) {
  Result<Json> parsed = parse_json_strict(text, limits);
  if (!parsed.ok()) return parsed.problems();
  return canonicalize(parsed.value());
}

}  // namespace cachet
