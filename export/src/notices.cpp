// First-contact notice tracking (R8; notices.h): partners' acknowledgements
// imported into the ledger, and the report of notices still owed.
#include "cachet/export/notices.h"

#include <cstdio>
#include <ctime>
#include <memory>
#include <utility>

#include "cachet/export/csv.h"
#include "cachet/export/export.h"
#include "cachet/ledger/digest.h"

namespace cachet::exporter {

namespace {

std::string trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
}

std::string date_of(std::int64_t unix_seconds) { return format_time(unix_seconds).substr(0, 10); }

// `at` (RFC 3339 UTC or a date; now when empty) as seconds.
std::optional<std::int64_t> time_or_now(const std::string& at) {
  return at.empty() ? std::optional<std::int64_t>(std::time(nullptr)) : parse_time(at);
}

}  // namespace

bool AckReport::all_recorded() const {
  for (const AckLine& l : lines) {
    if (l.outcome != kAckRecorded && l.outcome != kAckAlready) return false;
  }
  return true;
}

Json AckReport::to_json() const {
  Json counts = Json::object();
  for (const char* o : {kAckRecorded, kAckAlready, kAckUnknownReference, kAckBadLine}) counts[o] = 0;
  Json list = Json::array();
  for (const AckLine& l : lines) {
    counts[l.outcome] = counts[l.outcome].get<std::int64_t>() + 1;
    Json item = {{"line", l.line}, {"reference", l.reference}, {"sent", l.sent}, {"outcome", l.outcome}};
    if (!l.message.empty()) item["message"] = l.message;
    list.push_back(item);
  }
  return {{"partner", partner_id}, {"seq", seq}, {"counts", counts}, {"lines", list}};
}

std::string AckReport::to_text() const {
  std::string out;
  for (const AckLine& l : lines) {
    if (l.outcome == kAckRecorded) continue;
    out += "line " + std::to_string(l.line) + ": " + l.outcome;
    if (!l.message.empty()) out += ": " + l.message;
    out += "\n";
  }
  out += "Notice acknowledgements from " + partner_id + ":";
  for (const auto& [outcome, n] : to_json()["counts"].items()) {
    if (n.get<std::int64_t>() > 0) out += " " + outcome + " " + std::to_string(n.get<std::int64_t>());
  }
  if (lines.empty()) out += " no lines";
  out += seq > 0 ? " (ledger entry " + std::to_string(seq) + ").\n" : ".\n";
  return out;
}

Result<AckReport> import_notice_acks(ledger::ConsentStore& store, const AckOptions& options) {
  const std::optional<std::int64_t> at = time_or_now(options.at);
  if (!at) return Problem{"notices_bad_time", "--at", "The time must be RFC 3339 UTC or YYYY-MM-DD."};
  Result<std::vector<ledger::Transfer>> status = store.notice_status();
  if (!status.ok()) return status.problems();
  // (reference) -> the first transfer to this partner, with any acknowledgement.
  std::map<std::string, ledger::Transfer> owed;
  for (ledger::Transfer& t : status.value()) {
    if (t.partner_id == options.partner_id) owed.emplace(t.reference, std::move(t));
  }
  if (owed.empty()) {
    return Problem{"notices_unknown_partner", "--partner",
                   "Nothing was ever sent to \"" + options.partner_id + "\": it owes no notice."};
  }

  // The whole file first: a malformed file records nothing.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(options.file_path.c_str(), "rb"), &std::fclose);
  if (!file) return Problem{"export_io", "--file", "Cannot read " + options.file_path + "."};
  CsvTable table(std::make_unique<CsvReader>(file.get()));
  Problems problems = table.read_header({"reference", "sent"});
  if (!problems.empty()) {
    for (Problem& p : problems) p.message = options.file_path + ": " + p.message;
    return problems;
  }
  const auto c_ref = static_cast<std::size_t>(table.column("reference"));
  const auto c_sent = static_cast<std::size_t>(table.column("sent"));
  AckReport report;
  report.partner_id = options.partner_id;
  std::vector<std::string> fields;
  for (;;) {
    const CsvReader::Status st = table.next(fields);
    if (st == CsvReader::Status::kEnd) break;
    if (st == CsvReader::Status::kError) {
      problems.push_back(table.error());
      continue;
    }
    report.lines.push_back(AckLine{table.line(), trim(fields[c_ref]), trim(fields[c_sent]), "", ""});
  }
  if (std::ferror(file.get()) != 0) return Problem{"export_io", "--file", "Cannot read " + options.file_path + "."};
  if (!problems.empty()) {
    for (Problem& p : problems) p.message = options.file_path + ": " + p.message;
    return problems;
  }

  std::vector<ledger::NoticeAck> acks;
  for (AckLine& l : report.lines) {
    const std::optional<std::int64_t> sent = parse_time(l.sent);
    const auto it = owed.find(l.reference);
    if (l.reference.empty()) {
      l.outcome = kAckBadLine, l.message = "The reference is empty.";
    } else if (!sent) {
      l.outcome = kAckBadLine, l.message = "The sent date \"" + l.sent + "\" is not YYYY-MM-DD or RFC 3339 UTC.";
    } else if (*sent > *at) {
      l.outcome = kAckBadLine, l.message = "The sent date is in the future.";
    } else if (it == owed.end()) {
      l.outcome = kAckUnknownReference,
      l.message = "No person was ever sent to " + options.partner_id + " under this reference.";
    } else if (date_of(*sent) < it->second.at.substr(0, 10)) {
      l.outcome = kAckBadLine, l.message = "The sent date is before the person was first sent to " +
                                           options.partner_id + " (" + it->second.at.substr(0, 10) + ").";
    } else if (!it->second.notice_acknowledged_at.empty()) {
      l.outcome = kAckAlready, l.message = "Already acknowledged as sent on " + it->second.notice_acknowledged_at + ".";
    } else {
      l.outcome = kAckRecorded;
      ledger::NoticeAck ack;
      ack.line = l.line;
      ack.partner_id = options.partner_id;
      ack.reference = l.reference;
      ack.sent_at = date_of(*sent);
      it->second.notice_acknowledged_at = ack.sent_at;  // a second line for it is already acknowledged
      acks.push_back(std::move(ack));
    }
  }
  if (!acks.empty()) {
    std::string content;
    std::rewind(file.get());
    char buffer[65536];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) content.append(buffer, n);
    Result<std::int64_t> seq = store.record_notice_acks(options.partner_id, ledger::sha256_hex(content), acks);
    if (!seq.ok()) return seq.problems();
    report.seq = seq.value();
  }
  return report;
}

Json NoticeReport::to_json() const {
  Json list = Json::array();
  for (const OverdueNotice& o : overdue) {
    list.push_back({{"partner", o.partner_id},
                    {"reference", o.reference},
                    {"due", o.due},
                    {"firstTransfer", o.first_transfer_at}});
  }
  Json by_partner = Json::object();
  std::int64_t total = 0;
  for (const auto& [id, c] : partners) {
    by_partner[id] = {{"owed", c.owed},
                      {"acknowledged", c.acknowledged},
                      {"acknowledgedLate", c.acknowledged_late},
                      {"pending", c.pending},
                      {"overdue", c.overdue}};
    total += c.overdue;
  }
  return {{"at", at}, {"overdue", total}, {"partners", by_partner}, {"notices", list}};
}

std::string NoticeReport::to_text() const {
  std::string out;
  for (const OverdueNotice& o : overdue) {
    out += o.partner_id + " " + o.reference + " due " + o.due + " (first sent " + o.first_transfer_at + ")\n";
  }
  std::int64_t total = 0;
  for (const auto& [id, c] : partners) {
    out += "Partner " + id + ": " + std::to_string(c.owed) + " notice(s) owed, " + std::to_string(c.acknowledged) +
           " acknowledged (" + std::to_string(c.acknowledged_late) + " late), " + std::to_string(c.pending) +
           " not yet due, " + std::to_string(c.overdue) + " overdue.\n";
    total += c.overdue;
  }
  out += std::to_string(total) + " notice(s) overdue on " + at + ".\n";
  return out;
}

Result<NoticeReport> notice_report(ledger::ConsentStore& store, const std::string& at) {
  const std::optional<std::int64_t> when = time_or_now(at);
  if (!when) return Problem{"notices_bad_time", "--at", "The time must be RFC 3339 UTC or YYYY-MM-DD."};
  Result<std::vector<ledger::Transfer>> status = store.notice_status();
  if (!status.ok()) return status.problems();
  NoticeReport report;
  report.at = date_of(*when);
  for (const ledger::Transfer& t : status.value()) {
    NoticeReport::Counts& c = report.partners[t.partner_id];
    ++c.owed;
    if (!t.notice_acknowledged_at.empty()) {
      ++c.acknowledged;
      if (t.notice_acknowledged_at > t.notice_due) ++c.acknowledged_late;
    } else if (t.notice_due < report.at) {  // due by that day: overdue the day after
      ++c.overdue;
      report.overdue.push_back(OverdueNotice{t.partner_id, t.reference, t.notice_due, t.at});
    } else {
      ++c.pending;
    }
  }
  return report;
}

}  // namespace cachet::exporter
