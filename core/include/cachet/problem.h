// Errors are values in the core: every public function returns a Result that
// holds either a value or the list of problems found (all of them, not the first).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
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

// What kind of failure a problem is. The CLI's exit code and the server's
// HTTP status both come from this one classification of stable codes, so the
// edges never match code strings of their own.
enum class ProblemKind {
  kInvalid,      // the input was judged bad (lint error, receipt refused, bad line)
  kConflict,     // it contradicts what the ledger holds (replay, fork, used challenge)
  kNotFound,     // it names something the ledger does not hold
  kUsage,        // the command or request was used wrongly (an option, an output folder)
  kUnavailable,  // storage or I/O failed: not the input's fault, try again
};
[[nodiscard]] ProblemKind problem_kind(std::string_view code);
// The kind of the first problem (kInvalid for none).
[[nodiscard]] ProblemKind problem_kind(const std::vector<Problem>& problems);
// DESIGN.md 3.3: 1 the input was judged bad, 2 usage or I/O errors.
[[nodiscard]] int exit_code_for(ProblemKind kind);
// 422, 409, 404, 400 or 503.
[[nodiscard]] int http_status_for(ProblemKind kind);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}                  // NOLINT: implicit on purpose
  Result(Problems problems) : problems_(std::move(problems)) {}  // NOLINT
  Result(Problem problem) : problems_{std::move(problem)} {}     // NOLINT

  bool ok() const { return value_.has_value(); }
  // Asking a failed result for its value is a bug in the caller: caught in
  // debug and sanitizer builds rather than read as garbage.
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T& value() & {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  const Problems& problems() const { return problems_; }

 private:
  std::optional<T> value_;
  Problems problems_;
};

}  // namespace cachet
