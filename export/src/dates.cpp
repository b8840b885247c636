// Transfer times and the R8 deadline, on the core's calendar (cachet/calendar.h).
#include "cachet/calendar.h"
#include "cachet/export/export.h"

namespace cachet::exporter {

std::optional<std::int64_t> parse_time(std::string_view text) {
  // UTC only: the transfer time is written into every notice as given.
  if (text.size() > 10 && text.back() != 'Z' && text.back() != 'z') return std::nullopt;
  return calendar::parse_rfc3339(text);
}

std::string format_time(std::int64_t unix_seconds) { return calendar::format_rfc3339(unix_seconds); }

std::string one_month_after(std::string_view date) {
  const std::optional<std::int64_t> t = parse_time(date);
  if (!t) return "";
  return calendar::format_date(calendar::add_months(*t, 1));  // 31 January -> 28/29 February
}

}  // namespace cachet::exporter
