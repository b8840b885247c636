#include "cachet/json.h"

#include <set>
#include <vector>

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
      return fail({"json_duplicate_key", path(), "The object at " + display(path()) + " has the member \"" + k +
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

}  // namespace

Result<Json> parse_json_strict(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Problem{"json_too_large", "",
                   "The JSON text is " + std::to_string(text.size()) + " bytes; the limit is " +
                       std::to_string(limits.max_bytes) + " bytes."};
  }
  StrictSax sax(limits.max_depth);
  const bool parsed = Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json,
                                      /*strict=*/true, /*ignore_comments=*/false);
  Result<Json> result = std::move(sax).result();
  if (!parsed && result.ok()) {
    return Problem{"json_syntax", "", "The JSON text is malformed."};
  }
  return result;
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
