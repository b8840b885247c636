// Errors are values in the core: every public function returns a Result that
// holds either a value or the list of problems found (all of them, not the first).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cachet {

// One problem found in an input. `code` is a stable identifier users and tests
// match on; `path` is an RFC 6901 JSON Pointer to the offending value (or to
// the object missing a member); `message` is a sentence in the input's locale.
struct Problem {
  std::string code;
  std::string path;
  std::string message;
};

using Problems = std::vector<Problem>;

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Problems problems) : problems_(std::move(problems)) {}  // NOLINT
  Result(Problem problem) : problems_{std::move(problem)} {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const Problems& problems() const { return problems_; }

 private:
  std::optional<T> value_;
  Problems problems_;
};

}  // namespace cachet
