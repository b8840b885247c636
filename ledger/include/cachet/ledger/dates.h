// RFC 3339 times and calendar months, without the C library's time zone
// state (timegm is not standard; mktime reads TZ). Shared by the ledger
// (retention, R9) and the export (transfer time, the R8 deadline).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cachet::ledger {

// Seconds since the Unix epoch <-> RFC 3339 UTC ("2026-11-30T10:00:00Z").
std::int64_t now_unix();
std::string format_rfc3339(std::int64_t unix_seconds);
// Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)" and "YYYY-MM-DD".
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
// Calendar months later, the day clamped to the month's length (Jan 31 + 1 = Feb 28/29).
std::int64_t add_months(std::int64_t unix_seconds, int months);

}  // namespace cachet::ledger
