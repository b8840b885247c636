// Transfer times and the R8 deadline, on the ledger's calendar arithmetic
// (cachet/ledger/dates.h).
#include "cachet/export/export.h"
#include "cachet/ledger/dates.h"

namespace cachet::exporter {

std::optional<std::int64_t> parse_time(std::string_view s) {
  // UTC only: the transfer time is written into every notice as given.
  if (s.size() > 10 && s.back() != 'Z' && s.back() != 'z') return std::nullopt;
  return ledger::parse_rfc3339(s);
}

std::string format_time(std::int64_t t) { return ledger::format_rfc3339(t); }

std::string one_month_after(std::string_view date) {
  const std::optional<std::int64_t> t = parse_time(date);
  if (!t) return "";
  return ledger::format_rfc3339(ledger::add_months(*t, 1)).substr(0, 10);  // the date: 31 January -> 28/29 February
}

}  // namespace cachet::exporter
