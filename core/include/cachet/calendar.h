// The one calendar: RFC 3339 times and dates in UTC, counted in seconds since
// the Unix epoch, in the proleptic Gregorian calendar. Plain arithmetic: no
// time zone state (timegm is not standard; mktime reads TZ), no locale, no OS
// call except now_unix(). Cachet writes times as "2026-11-30T10:00:00Z"
// (RFC 3339 section 5.6, UTC, whole seconds) and dates as "2026-11-30".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cachet::calendar {

// Gregorian leap years (RFC 3339 appendix C): 2000 and 2024 are, 1900 is not.
bool is_leap_year(std::int64_t year);
// 28 to 31; 0 for a month outside 1..12.
int days_in_month(std::int64_t year, int month);

// "YYYY-MM-DD" (RFC 3339 full-date) naming a day that exists: 2024-02-29 is
// one, 2026-02-29 and 2026-04-31 are not.
bool is_date(std::string_view text);
// "YYYY-MM-DDTHH:MM:SSZ" naming a real day and time: what Cachet writes, and
// so what a receipt may hold. No fraction, no offset, no lower-case t or z;
// second 60 is allowed (a leap second, RFC 3339 section 5.7).
bool is_utc_timestamp(std::string_view text);

// Seconds since the epoch of a timestamp is_utc_timestamp accepts; nullopt otherwise.
std::optional<std::int64_t> parse_utc_timestamp(std::string_view text);
// Seconds since the epoch of any RFC 3339 date-time (a fraction is dropped,
// an offset applied, "t"/"z" in either case) or of a full-date (its midnight
// UTC). For times read from stores and options, which may come from elsewhere.
std::optional<std::int64_t> parse_rfc3339(std::string_view s);

// Seconds since the epoch `t` -> "YYYY-MM-DDTHH:MM:SSZ".
std::string format_rfc3339(std::int64_t t);
// Seconds since the epoch `t` -> "YYYY-MM-DD" (the UTC day).
std::string format_date(std::int64_t t);

// Days from 1970-01-01 to year-month-day (negative before it; month 1..12,
// day not checked).
std::int64_t days_since_epoch(std::int64_t year, int month, int day);
// `months` calendar months later (earlier when negative), same time of day,
// the day clamped to the month's length: Jan 31 + 1 month = Feb 28 (Feb 29 in
// a leap year).
std::int64_t add_months(std::int64_t t, int months);

// The system clock, in whole seconds since the epoch: the only call here
// that reads the world. The wasm module never calls it (the page's clock
// comes in from JavaScript).
std::int64_t now_unix();

}  // namespace cachet::calendar
