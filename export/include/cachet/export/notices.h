// First-contact notices partners owe (R8): a partner must inform each person
// it received at first contact and within one month at the latest. Every
// transfer row carries its due date (the person's first transfer to that
// partner + one calendar month); partners send back acknowledgements
// (reference, date sent), imported here and hash-chained in the ledger
// (store.h record_notice_acks); the overdue report lists what is still owed.
// docs/export.md, "First-contact notices: tracking".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cachet/json.h"
#include "cachet/ledger/store.h"
#include "cachet/problem.h"

namespace cachet::exporter {

struct AckOptions {
  std::string file_path;  // CSV with a header: reference, sent (YYYY-MM-DD or RFC 3339 UTC)
  std::string partner_id;
  std::string at;  // now when empty (RFC 3339 UTC or YYYY-MM-DD): a sent date after it is refused
};

// Outcomes per line (stable strings).
inline constexpr const char* kAckRecorded = "recorded";
inline constexpr const char* kAckAlready = "already-acknowledged";        // an earlier import holds one
inline constexpr const char* kAckUnknownReference = "unknown-reference";  // never sent to this partner
inline constexpr const char* kAckBadLine = "bad-line";

struct AckLine {
  std::int64_t line = 0;
  std::string reference, sent;
  std::string outcome, message;
};

struct AckReport {
  std::string partner_id;
  std::int64_t seq = 0;  // the 'notice-ack' log entry (0 when nothing was recorded)
  std::vector<AckLine> lines;
  bool all_recorded() const;  // every line recorded or already acknowledged
  Json to_json() const;
  std::string to_text() const;
};

// Problems (nothing recorded): csv_* for a malformed file (line-numbered),
// notices_unknown_partner (nothing was ever sent to it), notices_bad_time,
// export_io, ledger_*. Lines that are refused are reported, the others recorded.
Result<AckReport> import_notice_acks(ledger::ConsentStore& store, const AckOptions& options);

struct OverdueNotice {
  std::string partner_id, reference, due, first_transfer_at;
};
struct NoticeReport {
  std::string at;                      // YYYY-MM-DD the report is made for
  std::vector<OverdueNotice> overdue;  // partner then reference order
  struct Counts {
    std::int64_t owed = 0, acknowledged = 0, acknowledged_late = 0, pending = 0, overdue = 0;
  };
  std::map<std::string, Counts> partners;  // by partner id
  Json to_json() const;
  std::string to_text() const;
};

// Notices whose due date is before `at` (RFC 3339 UTC or YYYY-MM-DD; now when
// empty) and that no acknowledgement covers. notices_bad_time, ledger_*.
Result<NoticeReport> notice_report(ledger::ConsentStore& store, const std::string& at);

}  // namespace cachet::exporter
