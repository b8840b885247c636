// The one calendar (cachet/calendar.h).
#include "cachet/calendar.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace cachet::calendar {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct Civil {
  std::int64_t year = 1970;
  int month = 1;
  int day = 1;
};

// The inverse of days_since_epoch (H. Hinnant, "chrono-Compatible Low-Level
// Date Algorithms", civil_from_days).
Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  Civil out;
  out.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  out.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  out.year = static_cast<std::int64_t>(yoe) + era * 400 + (out.month <= 2);
  return out;
}

// Reads `count` ASCII digits at `at`; false when one is missing or not a digit.
bool digits(std::string_view s, std::size_t at, std::size_t count, int& out) {
  if (at + count > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// full-date = date-fullyear "-" date-month "-" date-mday (RFC 3339 section 5.6),
// date-mday bounded by the month and year (section 5.7). Reads s[0..10).
std::optional<std::int64_t> full_date_days(std::string_view s) {
  int year = 0, month = 0, day = 0;
  if (s.size() < 10 || !digits(s, 0, 4, year) || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
      !digits(s, 8, 2, day)) {
    return std::nullopt;
  }
  if (day < 1 || day > days_in_month(year, month)) return std::nullopt;
  return days_since_epoch(year, month, day);
}

// partial-time's "HH:MM:SS" at s[11..19) after a 'T': hour 00-23, minute
// 00-59, second 00-60 (section 5.7). Seconds into the day.
std::optional<std::int64_t> time_of_day(std::string_view s, bool lower_case_t) {
  int hour = 0, minute = 0, second = 0;
  if (s.size() < 19 || !(s[10] == 'T' || (lower_case_t && s[10] == 't')) || !digits(s, 11, 2, hour) || s[13] != ':' ||
      !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second) || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  return hour * 3600 + minute * 60 + second;
}

}  // namespace

bool is_leap_year(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(std::int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

// H. Hinnant, days_from_civil.
std::int64_t days_since_epoch(std::int64_t year, int month, int day) {
  const auto m = static_cast<unsigned>(month);
  const std::int64_t y = year - (m <= 2);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + static_cast<unsigned>(day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_date(std::string_view text) { return text.size() == 10 && full_date_days(text).has_value(); }

bool is_utc_timestamp(std::string_view text) { return parse_utc_timestamp(text).has_value(); }

std::optional<std::int64_t> parse_utc_timestamp(std::string_view text) {
  if (text.size() != 20 || text[19] != 'Z') return std::nullopt;
  const std::optional<std::int64_t> days = full_date_days(text);
  const std::optional<std::int64_t> seconds = time_of_day(text, false);
  if (!days || !seconds) return std::nullopt;
  return *days * kSecondsPerDay + *seconds;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  const std::optional<std::int64_t> days = full_date_days(s);
  if (!days) return std::nullopt;
  const std::int64_t midnight = *days * kSecondsPerDay;
  if (s.size() == 10) return midnight;
  const std::optional<std::int64_t> seconds = time_of_day(s, true);
  if (!seconds) return std::nullopt;
  const std::int64_t t = midnight + *seconds;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {  // time-secfrac: whole seconds are kept
    const std::size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) return t;
  // time-numoffset = ("+" / "-") time-hour ":" time-minute
  int offset_hours = 0, offset_minutes = 0;
  if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && digits(s, pos + 1, 2, offset_hours) &&
      s[pos + 3] == ':' && digits(s, pos + 4, 2, offset_minutes) && offset_hours < 24 && offset_minutes < 60) {
    const std::int64_t offset = (static_cast<std::int64_t>(offset_hours) * 60 + offset_minutes) * 60;
    return s[pos] == '+' ? t - offset : t + offset;
  }
  return std::nullopt;
}

std::string format_rfc3339(std::int64_t t) {
  const std::int64_t days = floor_div(t, kSecondsPerDay);
  const std::int64_t secs = t - days * kSecondsPerDay;
  const Civil c = civil_from_days(days);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02lld:%02lld:%02lldZ", static_cast<long long>(c.year), c.month,
                c.day, static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

std::string format_date(std::int64_t t) { return format_rfc3339(t).substr(0, 10); }

std::int64_t add_months(std::int64_t t, int months) {
  const std::int64_t days = floor_div(t, kSecondsPerDay);
  const std::int64_t secs = t - days * kSecondsPerDay;
  const Civil c = civil_from_days(days);
  const std::int64_t total = c.year * 12 + (c.month - 1) + months;
  const std::int64_t year = floor_div(total, 12);
  const int month = static_cast<int>(total - year * 12 + 1);
  const int day = std::min(c.day, days_in_month(year, month));
  return days_since_epoch(year, month, day) * kSecondsPerDay + secs;
}

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace cachet::calendar
