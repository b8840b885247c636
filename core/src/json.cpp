#include "cachet/json.h"

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <vector>

#ifdef CACHET_JSON_FAST_READER
#include <rapidjson/reader.h>
#endif

namespace cachet {
namespace {

// nlohmann's message is "[json.exception.parse_error.101] parse error at line
// L, column C: <reason>; last read: '<raw token>'". The raw token is input:
// it may hold any bytes (invalid UTF-8 included) and any length, and words
// like "surrogate" inside a string would fool a search over the whole text.
// So keep only the part between the tag and "; last read".
std::string parse_error_reason(const std::string& what) {
  std::string reason = what;
  const std::size_t tag_end = reason.find("] ");
  if (!reason.empty() && reason[0] == '[' && tag_end != std::string::npos) reason.erase(0, tag_end + 2);
  const std::size_t last_read = reason.find("; last read:");
  if (last_read != std::string::npos) reason.erase(last_read);
  return reason;
}

// nlohmann reports a lone surrogate and ill-formed UTF-8 as syntax errors;
// name them precisely, since they are what I-JSON (RFC 7493 section 2.1) forbids.
Problem classify_parse_error(const std::string& what, std::size_t byte) {
  const std::string where = " (byte " + std::to_string(byte) + ")";
  const std::string reason = parse_error_reason(what);
  if (reason.find("invalid string: surrogate") != std::string::npos) {
    return {"json_lone_surrogate", "", "The JSON text contains a lone UTF-16 surrogate escape" + where + "."};
  }
  if (reason.find("invalid string: ill-formed UTF-8") != std::string::npos) {
    return {"json_invalid_utf8", "", "The JSON text is not valid UTF-8" + where + "."};
  }
  return {"json_syntax", "", "The JSON text is malformed" + where + ": " + reason + "."};
}

// Tracks member names per open object so duplicate keys are refused (I-JSON
// section 2.3) instead of silently keeping the last one.
class StrictSax : public nlohmann::json_sax<Json> {
 public:
  explicit StrictSax(int max_depth) : max_depth_(max_depth) {}

  bool null() override { return value(Json(nullptr)); }
  bool boolean(bool v) override { return value(Json(v)); }
  bool number_integer(number_integer_t v) override { return value(Json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return value(Json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return value(Json(v)); }
  bool string(string_t& v) override { return value(Json(std::move(v))); }
  bool binary(binary_t&) override { return fail({"json_syntax", "", "Binary values are not JSON."}); }

  bool start_object(std::size_t) override { return open(Json::object()); }
  bool key(string_t& k) override {
    Frame& frame = stack_.back();
    if (!frame.keys.insert(k).second) {
      return fail({"json_duplicate_key", path(),
                   "The object at " + display(path()) + " has the member \"" + k +
                       "\" twice; JSON names must be unique (I-JSON)."});
    }
    frame.pending_key = std::move(k);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(Json::array()); }
  bool end_array() override { return close(); }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    return fail(classify_parse_error(ex.what(), position));
  }

  Result<Json> result() && {
    if (problem_) return *problem_;
    return std::move(root_);
  }

 private:
  struct Frame {
    Json value;
    std::set<std::string> keys;
    std::string pending_key;
    std::string pointer;
  };

  static std::string display(const std::string& pointer) { return pointer.empty() ? "the top level" : pointer; }

  std::string path() const { return stack_.empty() ? "" : stack_.back().pointer; }

  std::string child_pointer() const {
    if (stack_.empty()) return "";
    const Frame& parent = stack_.back();
    return parent.value.is_object() ? pointer_append(parent.pointer, parent.pending_key)
                                    : pointer_append(parent.pointer, parent.value.size());
  }

  bool open(Json container) {
    if (static_cast<int>(stack_.size()) >= max_depth_) {
      return fail({"json_too_deep", child_pointer(),
                   "The JSON text nests deeper than " + std::to_string(max_depth_) + " levels."});
    }
    Frame frame;
    frame.pointer = child_pointer();
    frame.value = std::move(container);
    stack_.push_back(std::move(frame));
    return true;
  }

  bool close() {
    Json done = std::move(stack_.back().value);
    stack_.pop_back();
    return value(std::move(done));
  }

  bool value(Json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Frame& parent = stack_.back();
    if (parent.value.is_object()) {
      parent.value[parent.pending_key] = std::move(v);
    } else {
      parent.value.push_back(std::move(v));
    }
    return true;
  }

  bool fail(Problem problem) {
    if (!problem_) problem_ = std::move(problem);
    return false;
  }

  int max_depth_;
  std::vector<Frame> stack_;
  Json root_;
  std::optional<Problem> problem_;
};

#ifdef CACHET_JSON_FAST_READER
// The fast path: RapidJSON's SAX reader (UTF-8 validated, in situ, numbers
// handed over as text) building the nlohmann::json value directly. It only
// has to say "accepted, here is the value" or "refused"; every refusal is
// then described by the nlohmann parse above, so codes, paths and messages
// are exactly those of nlohmann's reading of the text. Where the two libraries
// disagree, nlohmann (what the core has always accepted) wins:
//  - RapidJSON refuses some numbers nlohmann takes (0e400, 400-digit
//    integers with a negative exponent: kParseErrorNumberTooBig): refusals
//    go to nlohmann, which accepts them;
//  - RapidJSON decodes a lone low surrogate escape (\uDC00) into CESU bytes
//    ED B0..BF, and nlohmann refuses it: refused here (string_ok);
//  - both take a NUL byte outside a string as the end of the text (nlohmann's
//    lexer::scan, RapidJSON's NUL-terminated streams), so parse_json_strict
//    refuses any raw NUL before either reads;
//  - nlohmann skips one UTF-8 byte order mark, RapidJSON does not: skipped first.
class FastHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, FastHandler> {
 public:
  explicit FastHandler(int max_depth) : max_depth_(static_cast<std::size_t>(std::max(max_depth, 0))) {}

  bool Null() { return add(Json(nullptr)); }
  bool Bool(bool b) { return add(Json(b)); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) { return number(text, length); }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    return string_ok(text, length) && add(Json(std::string(text, length)));
  }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    if (!string_ok(text, length)) return false;
    key_.assign(text, length);
    return true;
  }
  bool StartObject() { return open(Json::value_t::object); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(Json::value_t::array); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  Json& root() { return root_; }

 private:
  // A lone surrogate escape, decoded by RapidJSON as ED A0..BF xx; raw bytes
  // like that were already refused as invalid UTF-8 (RFC 3629 section 4), so
  // these come from an escape (RFC 7493 section 2.1).
  static bool string_ok(const char* text, std::size_t length) {
    const char* const end = text + length;
    for (const char* p = text; (p = static_cast<const char*>(std::memchr(p, '\xED', end - p))) != nullptr; ++p) {
      if (p + 1 < end && static_cast<unsigned char>(p[1]) >= 0xA0) return false;
    }
    return true;
  }

  // nlohmann's typing (lexer::scan_number): a token without '.', 'e' or 'E'
  // is number_integer if negative and number_unsigned otherwise when it fits
  // strtoll/strtoull, else number_float via strtod; a float that overflows is
  // refused. RapidJSON has already checked the token's grammar.
  bool number(const char* text, std::size_t length) {
    char buffer[64];
    std::string long_token;
    char* token = buffer;
    if (length >= sizeof buffer) {
      long_token.assign(text, length);
      token = long_token.data();
    } else {
      std::memcpy(buffer, text, length);
      buffer[length] = '\0';
    }
    char* const token_end = token + length;
    bool is_float = false;
    for (char* p = token; p != token_end; ++p) {
      if (*p == '.') {
        *p = decimal_point_;  // strtod reads the C library's locale, as nlohmann's lexer knows
        is_float = true;
      } else if (*p == 'e' || *p == 'E') {
        is_float = true;
      }
    }
    char* end = nullptr;
    if (!is_float) {
      errno = 0;
      if (token[0] == '-') {
        const long long v = std::strtoll(token, &end, 10);
        if (errno == 0 && end == token_end) return add(Json(static_cast<Json::number_integer_t>(v)));
      } else {
        const unsigned long long v = std::strtoull(token, &end, 10);
        if (errno == 0 && end == token_end) return add(Json(static_cast<Json::number_unsigned_t>(v)));
      }
    }
    const double v = std::strtod(token, &end);
    if (end != token_end || !std::isfinite(v)) return false;
    return add(Json(v));
  }

  bool open(Json::value_t type) {
    if (stack_.size() >= max_depth_) return false;
    Json* const container = place(Json(type));
    if (container == nullptr) return false;
    stack_.push_back(container);
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  bool add(Json&& v) { return place(std::move(v)) != nullptr; }

  // Puts `v` where the document is at, and returns where it now lives (or
  // nullptr for a duplicate member name, I-JSON section 2.3). A container's
  // address stays valid while it is open: nothing else is added to its
  // parent until it closes (std::map nodes never move; the vector only grows
  // after the child is closed).
  Json* place(Json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Json& parent = *stack_.back();
    if (parent.is_array()) {
      Json::array_t& elements = parent.get_ref<Json::array_t&>();
      elements.push_back(std::move(v));
      return &elements.back();
    }
    Json::object_t& members = parent.get_ref<Json::object_t&>();
    // Canonical texts (receipts, RFC 8785) list names in order: append at the end.
    if (members.empty() || members.rbegin()->first < key_) {
      return &members.emplace_hint(members.end(), std::move(key_), std::move(v))->second;
    }
    auto [member, inserted] = members.emplace(std::move(key_), std::move(v));
    return inserted ? &member->second : nullptr;
  }

  std::size_t max_depth_;
  char decimal_point_ = [] {
    const std::lconv* const conventions = std::localeconv();
    return conventions->decimal_point == nullptr ? '.' : *conventions->decimal_point;
  }();
  std::vector<Json*> stack_;
  std::string key_;
  Json root_;
};

// Deepest nesting the recursive fast path is given (the CLI's canonicalize
// allows 512; the default is 64).
constexpr int kFastPathMaxDepth = 1024;

#endif  // CACHET_JSON_FAST_READER

// The reference reading, and the one that describes every refusal.
Result<Json> parse_with_nlohmann(std::string_view text, const ParseLimits& limits) {
  StrictSax sax(limits.max_depth);
  const bool parsed = Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json,
                                      /*strict=*/true, /*ignore_comments=*/false);
  Result<Json> result = std::move(sax).result();
  if (!parsed && result.ok()) {
    return Problem{"json_syntax", "", "The JSON text is malformed."};
  }
  return result;
}

}  // namespace

Result<Json> parse_json_strict(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Problem{"json_too_large", "",
                   "The JSON text is " + std::to_string(text.size()) + " bytes; the limit is " +
                       std::to_string(limits.max_bytes) + " bytes."};
  }
  // A raw NUL byte is never JSON (RFC 8259 section 7: control characters
  // appear only escaped, inside strings). Both parsers stop reading at one
  // outside a string, so "{}\0{...}" would read as {}: refuse it here.
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Problem{"json_syntax", "",
                   "The JSON text is malformed (byte " + std::to_string(nul + 1) +
                       "): it contains a NUL byte, which JSON allows only escaped, as \\u0000, inside a string."};
  }
#ifdef CACHET_JSON_FAST_READER
  // RapidJSON counts in 32 bits (SizeType) and its reader recurses once per
  // nesting level (nlohmann's parser does not recurse): limits past those go
  // to nlohmann, so no caller's limit can overflow the stack.
  if (text.size() >= std::numeric_limits<rapidjson::SizeType>::max() / 2 || limits.max_depth > kFastPathMaxDepth) {
    return parse_with_nlohmann(text, limits);
  }

  std::string_view body = text;
  if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);  // RFC 8259 section 8.1
  // In situ: RapidJSON decodes strings into this copy (NUL-terminated, as its
  // stream needs), so nothing is buffered twice. RapidJSON 1.1.0's UTF-8 check
  // (encodings.h, UTF8::Validate) takes all of a sequence's continuation bytes
  // before judging them, so a lead byte that ends the text makes it read up to
  // 3 bytes on: pad with NULs to keep those reads inside the buffer (heap
  // over-read found by fuzz_json_differential; fuzz/regressions/).
  std::string buffer;
  buffer.reserve(body.size() + 3);
  buffer.append(body);
  buffer.append(3, '\0');
  rapidjson::InsituStringStream stream(buffer.data());
  FastHandler handler(limits.max_depth);
  rapidjson::Reader reader;
  constexpr unsigned kFlags =
      rapidjson::kParseInsituFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;
  if (!reader.Parse<kFlags>(stream, handler).IsError()) return std::move(handler.root());
#endif
  return parse_with_nlohmann(text, limits);
}

std::string string_at(const Json& value, std::initializer_list<std::string_view> path) {
  const Json* at = &value;
  for (const std::string_view key : path) {
    if (!at->is_object()) return "";
    const auto it = at->find(key);
    if (it == at->end()) return "";
    at = &*it;
  }
  return at->is_string() ? at->get<std::string>() : "";
}

std::string pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_append(std::string_view base, std::string_view token) {
  std::string out(base);
  out += '/';
  out += pointer_escape(token);
  return out;
}

std::string pointer_append(std::string_view base, std::size_t index) {
  return pointer_append(base, std::to_string(index));
}

}  // namespace cachet

namespace cachet {

Json problems_to_json(const Problems& problems) {
  Json out = Json::array();
  for (const Problem& p : problems) out.push_back({{"code", p.code}, {"path", p.path}, {"message", p.message}});
  return out;
}

}  // namespace cachet
