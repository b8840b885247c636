// RFC 8785 JSON Canonicalization Scheme.
#include "cachet/canonical_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

// Where the canonical bytes go: appended to a string, or compared with the
// bytes a receipt claims are canonical (plan_verification), so checking a
// payload needs no second copy of it and stops at the first difference.
class Sink {
 public:
  explicit Sink(std::string* out) : out_(out) {}
  explicit Sink(std::string_view expected) : expected_(expected) {}

  void put(const char* data, std::size_t size) {
    if (out_ != nullptr) {
      out_->append(data, size);
    } else if (!differs_) {
      if (expected_.size() - at_ < size || std::memcmp(expected_.data() + at_, data, size) != 0) {
        differs_ = true;
      } else {
        at_ += size;
      }
    }
  }
  void put(std::string_view text) { put(text.data(), text.size()); }
  void put(char c) { put(&c, 1); }

  // Comparing: true once a byte differed (the rest need not be produced).
  bool differs() const { return differs_; }
  // Comparing: every expected byte was produced, and no other.
  bool matched() const { return !differs_ && at_ == expected_.size(); }

 private:
  std::string* out_ = nullptr;
  std::string_view expected_;
  std::size_t at_ = 0;
  bool differs_ = false;
};

// RFC 8785 section 3.2.2.2: only '"', '\' and U+0000..U+001F are escaped;
// the five controls with a short form use it, the rest \u00xx in lowercase
// hex. Everything else, including U+007F and non-ASCII, is copied as UTF-8.
struct EscapedBytes {
  bool of[256];
  constexpr EscapedBytes() : of() {
    for (int c = 0; c < 0x20; ++c) of[c] = true;
    of[static_cast<unsigned char>('"')] = true;
    of[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr EscapedBytes kEscaped;

void write_string(std::string_view s, Sink& out) {
  static const char kHex[] = "0123456789abcdef";
  out.put('"');
  std::size_t run = 0;  // start of the bytes copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto byte = static_cast<unsigned char>(s[i]);
    if (!kEscaped.of[byte]) continue;
    out.put(s.data() + run, i - run);
    run = i + 1;
    switch (byte) {
      case '"':
        out.put("\\\"");
        break;
      case '\\':
        out.put("\\\\");
        break;
      case '\b':
        out.put("\\b");
        break;
      case '\t':
        out.put("\\t");
        break;
      case '\n':
        out.put("\\n");
        break;
      case '\f':
        out.put("\\f");
        break;
      case '\r':
        out.put("\\r");
        break;
      default: {
        const char escaped[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0x0F]};
        out.put(escaped, sizeof escaped);
      }
    }
  }
  out.put(s.data() + run, s.size() - run);
  out.put('"');
}

// The path to a value, built only when a problem needs it.
struct PathNode {
  const PathNode* parent;
  const std::string* name;  // member name, or nullptr for an array element
  std::size_t index;

  std::string pointer() const {
    const std::string base = parent != nullptr ? parent->pointer() : std::string();
    return name != nullptr ? pointer_append(base, *name) : pointer_append(base, index);
  }
};

std::string pointer_of(const PathNode* node) { return node != nullptr ? node->pointer() : std::string(); }

// True when UTF-8 byte order (that of the object's std::map) can differ from
// the UTF-16 code unit order RFC 8785 section 3.2.3 sorts by: only names
// holding characters from U+E000 up (lead bytes 0xEE and above) can.
bool may_sort_differently(std::string_view name) {
  for (const char c : name) {
    if (static_cast<unsigned char>(c) >= 0xEE) return true;
  }
  return false;
}

class Canonicalizer {
 public:
  explicit Canonicalizer(Sink& out) : out_(out) {}

  void write(const Json& value, const PathNode* path) {
    if (out_.differs()) return;  // comparing, and already known not canonical
    switch (value.type()) {
      case Json::value_t::null:
        out_.put("null");
        break;
      case Json::value_t::boolean:
        out_.put(value.get<bool>() ? "true" : "false");
        break;
      // Section 3.2.2.3: every number is an IEEE-754 double, whatever the
      // parser stored it as; integers beyond 2^53 round as ECMAScript would.
      // Up to 2^53 an integer is exactly a double, and ECMAScript prints it
      // as its decimal digits: no need for the shortest-digits search.
      case Json::value_t::number_integer: {
        const std::int64_t v = value.get<std::int64_t>();
        if (v >= -kExactInteger && v <= kExactInteger) {
          out_.put(std::to_string(v));
        } else {
          write_number(static_cast<double>(v), path);
        }
        break;
      }
      case Json::value_t::number_unsigned: {
        const std::uint64_t v = value.get<std::uint64_t>();
        if (v <= static_cast<std::uint64_t>(kExactInteger)) {
          out_.put(std::to_string(v));
        } else {
          write_number(static_cast<double>(v), path);
        }
        break;
      }
      case Json::value_t::number_float:
        write_number(value.get<double>(), path);
        break;
      case Json::value_t::string:
        write_checked_string(value.get_ref<const std::string&>(), path);
        break;
      case Json::value_t::array:
        write_array(value, path);
        break;
      case Json::value_t::object:
        write_object(value, path);
        break;
      case Json::value_t::binary:
      case Json::value_t::discarded:
        problems_.push_back(
            {"jcs_unsupported_value", pointer_of(path), "This value is not JSON data and has no canonical form."});
        break;
    }
  }

  Problems take_problems() && { return std::move(problems_); }

 private:
  static constexpr std::int64_t kExactInteger = std::int64_t{1} << 53;

  void write_number(double x, const PathNode* path) {
    if (!std::isfinite(x)) {
      problems_.push_back({"jcs_non_finite_number", pointer_of(path),
                           "NaN and Infinity are not JSON numbers (RFC 8785 section 3.2.2.3)."});
      return;
    }
    out_.put(format_es_number(x));
  }

  void write_checked_string(const std::string& s, const PathNode* path) {
    if (!utf8_to_utf16(s, nullptr)) {
      problems_.push_back({"jcs_invalid_utf8", pointer_of(path), "This string is not valid UTF-8."});
      return;
    }
    write_string(s, out_);
  }

  void write_array(const Json& array, const PathNode* path) {
    out_.put('[');
    std::size_t index = 0;
    for (const Json& element : array) {
      if (index != 0) out_.put(',');
      const PathNode child{path, nullptr, index};
      write(element, &child);
      ++index;
    }
    out_.put(']');
  }

  void write_member(const std::string& name, const Json& value, bool first, const PathNode* path) {
    if (!first) out_.put(',');
    write_string(name, out_);
    out_.put(':');
    const PathNode child{path, &name, 0};
    write(value, &child);
  }

  // Section 3.2.3: members sorted by the UTF-16 code units of their names,
  // compared as unsigned integers; UTF-8 byte order would differ for
  // characters above U+FFFF versus U+E000..U+FFFF.
  void write_object(const Json& object, const PathNode* path) {
    bool in_map_order = true;
    for (auto it = object.begin(); it != object.end() && in_map_order; ++it) {
      in_map_order = utf8_to_utf16(it.key(), nullptr) && !may_sort_differently(it.key());
    }
    out_.put('{');
    if (in_map_order) {
      // The usual case (every name valid and below U+E000): the map's byte
      // order is the UTF-16 order, no sort keys needed.
      bool first = true;
      for (auto it = object.begin(); it != object.end(); ++it) {
        write_member(it.key(), it.value(), first, path);
        first = false;
      }
      out_.put('}');
      return;
    }
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
        problems_.push_back({"jcs_invalid_utf8", pointer_of(path), "A member name in this object is not valid UTF-8."});
        continue;
      }
      members.push_back(std::move(member));
    }
    std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.sort_key < b.sort_key; });
    bool first = true;
    for (const Member& member : members) {
      write_member(*member.name, *member.value, first, path);
      first = false;
    }
    out_.put('}');
  }

  Sink& out_;
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
  std::string out;
  Sink sink(&out);
  Canonicalizer canonicalizer(sink);
  canonicalizer.write(value, nullptr);
  Problems problems = std::move(canonicalizer).take_problems();
  if (!problems.empty()) return problems;
  return out;
}

bool is_canonical(const Json& value, std::string_view text) {
  Sink sink(text);
  Canonicalizer canonicalizer(sink);
  canonicalizer.write(value, nullptr);
  return std::move(canonicalizer).take_problems().empty() && sink.matched();
}

Result<std::string> canonicalize_text(std::string_view text, const ParseLimits& limits) {
  Result<Json> parsed = parse_json_strict(text, limits);
  if (!parsed.ok()) return parsed.problems();
  return canonicalize(parsed.value());
}

}  // namespace cachet
