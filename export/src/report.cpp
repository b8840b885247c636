// The report: what left for each partner and what was left out, and why
// (report.json and report.txt), the first-contact notices (R8), and the
// export's entry in the ledger (R9); then the finished directory is moved
// into place (output_files.h).
#include <string>
#include <utility>

#include "cachet/ledger/head.h"
#include "cachet/messages.h"
#include "exporter.h"

namespace cachet::exporter {

namespace {

Json counts_json(const RowCounts& counts) {
  Json out = Json::object();
  for (std::size_t r = 0; r < kWhyCount; ++r) out[all_reasons()[r]] = counts[r];
  return out;
}

}  // namespace

// What the chain check covered (report.json trust.chain.checked): the full
// chain, or the entries after a signed chain head (--from-signed-head).
Json Exporter::checked_json() const {
  const std::int64_t first = chain_.after_seq + 1;
  const std::int64_t last = chain_.after_seq + chain_.entries;
  Json checked = {{"from", start_head_ ? "signed-head" : "genesis"}, {"firstEntry", first}, {"lastEntry", last}};
  if (start_head_) {
    checked["signedHead"] = {{"seq", start_head_->seq},
                             {"hash", start_head_->hash},
                             {"signedAt", start_head_->signed_at},
                             {"kid", start_head_->kid}};
  }
  return checked;
}

std::string Exporter::checked_text() const {
  const std::int64_t last = chain_.after_seq + chain_.entries;
  if (!start_head_) {
    return "Hash chain: checked in full, entries 1.." + std::to_string(last) + " (head " + chain_.head + ").\n";
  }
  std::string text = "Hash chain: checked from the signed chain head at entry " + std::to_string(start_head_->seq) +
                     " (hash " + start_head_->hash + ", signed " + start_head_->signed_at + " by key " +
                     start_head_->kid + "), ";
  text += chain_.entries == 0 ? "no entry after it"
                              : "entries " + std::to_string(start_head_->seq + 1) + ".." + std::to_string(last);
  return text + "; entries 1.." + std::to_string(start_head_->seq) +
         " were not rehashed (the head vouches for them).\n";
}

Result<ExportOutcome> Exporter::finish() {
  Json report = Json::object();
  report["version"] = "cachet-export-report/1";
  report["transferDate"] = at_text_;
  report["noticeDeadline"] = deadline_;
  report["contacts"] = {{"file", options_.contacts_path}, {"sha256", input_hash_.hex()}, {"rows", rows_read_}};
  // What the export relied on (docs/export.md, "Trust model").
  report["signaturesVerified"] = options_.reverify;  // re-verified during this export
  report["trust"] = {
      {"signatures", options_.reverify ? "re-verified" : "verified-at-acceptance"},
      {"statement",
       options_.reverify
           ? "Every receipt used was re-verified now (collector signature and controller countersignature" +
                 std::string(options_.controller_key ? ", which must be the --key controller's" : "") +
                 "); its decisions were read from the verified payload. The ledger's hash chain was verified "
                 "first, in full: every entry, every stored receipt's bytes, and every compact record against the "
                 "receipt it was made from."
           : "Every receipt's signatures were verified, and the controller countersigned it, when the ledger "
             "accepted it; the ledger then stored a compact record of it (decisions, partner list, salted "
             "digests, that verification) bound to its hash chain. The chain over the compact records was "
             "verified (every entry rehashed, every record checked against its entry), and decisions were read "
             "from those records" +
                 std::string(options_.controller_key ? "; each receipt must be countersigned by --key" : "") +
                 ". The full receipts were not re-read: 'cachet ledger verify' (or --reverify) also checks every "
                 "stored receipt's bytes and that each compact record matches its receipt. Compare chain.head with "
                 "a copy kept outside the ledger to rule out a rewritten log; --reverify re-verifies every "
                 "signature instead."},
      {"chain",
       {{"ok", chain_.ok()},
        {"verified", options_.reverify ? "entries-receipts-and-records" : "entries-and-records"},
        {"entries", chain_.entries},
        {"receipts", chain_.receipts},
        {"head", chain_.head},
        {"checked", checked_json()}}}};
  report["rowsWrittenToSomePartner"] = rows_written_anywhere_;
  report["rowsLeftOutForEveryPartner"] = counts_json(row_level_);
  Json examples = Json::object();
  for (const auto& [reason, lines] : examples_) examples[reason] = lines;
  report["exampleLines"] = examples;

  if (!excluded_problems_.empty()) return excluded_problems_;
  Result<std::string> excluded_sha = excluded_->close();
  if (!excluded_sha.ok()) return excluded_sha.problems();
  report["excluded"] = {{"file", "excluded.csv"}, {"lines", excluded_lines_}, {"sha256", excluded_sha.value()}};

  std::vector<Json> evidence;  // partner_receipts.h, per partner
  if (evidence_) {
    Result<std::vector<Json>> closed = evidence_->close();
    if (!closed.ok()) return closed.problems();
    evidence = std::move(closed).value();
  }
  for (PartnerOutput& p : partners_) {
    Result<std::string> sha = p.file->close();
    if (!sha.ok()) return sha.problems();
    p.sha256 = sha.value();
  }
  // What each partner must stop or delete since its previous transfer.
  const auto changes_start = std::chrono::steady_clock::now();
  Problems changes = write_changes();
  timings_["changesSeconds"] = seconds_since(changes_start);
  if (!changes.empty()) return changes;
  // Every transfer on the record (store.h, "transfers"), before the files leave.
  std::vector<ledger::TransferBatch> batches;
  for (PartnerOutput& p : partners_) {
    ledger::TransferBatch b;
    b.partner_id = p.partner->id;
    b.file = p.file_name;
    b.file_sha256 = p.sha256;
    b.at = at_text_;
    b.changes_file = p.changes_file;
    b.changes_sha256 = p.changes_sha256;
    b.rows = std::move(p.sent);
    b.file_rows = p.rows_written;
    batches.push_back(std::move(b));
  }
  const auto record_start = std::chrono::steady_clock::now();
  Result<std::vector<std::int64_t>> transfer_seqs = store_.record_transfers(batches);
  timings_["recordTransfersSeconds"] = seconds_since(record_start);
  if (!transfer_seqs.ok()) return transfer_seqs.problems();

  Json partners = Json::array();
  Json ledger_partners = Json::array();
  Json change_totals = {{"stop", Json::object()}, {"delete", Json::object()}};
  for (std::size_t i = 0; i < partners_.size(); ++i) {
    PartnerOutput& p = partners_[i];
    const PartnerNoticeText notice = partner_notice(config_, *p.partner, at_text_, deadline_);
    const std::string base = "partner-notice-" + file_part(p.partner->id);
    Json notice_files = Json::object();
    for (const auto& [lang, text] : notice.by_locale) {
      std::string name = base;
      name.append(".").append(lang).append(".txt");
      Result<std::string> written = write_whole(temp_.file(name), text);
      if (!written.ok()) return written.problems();
      notice_files[lang] = name;
    }
    Json columns = Json::array({"reference"});
    for (const Channel c : p.channels) columns.push_back(output_column(c));
    Json values_written = Json::object();
    for (const Channel c : p.channels) values_written[output_column(c)] = p.values_written[static_cast<std::size_t>(c)];
    Json values_left_out = Json::object();
    for (std::size_t r = 0; r < kWhyCount; ++r) {
      for (std::size_t c = 0; c < 4; ++c) {
        const std::int64_t n = p.values_left_out[r][c];
        if (n > 0) values_left_out[all_reasons()[r]][output_column(static_cast<Channel>(c))] = n;
      }
    }
    Json entry = Json::object();
    entry["id"] = p.partner->id;
    entry["name"] = p.partner->name;
    entry["file"] = p.file_name;
    entry["sha256"] = p.sha256;
    entry["columns"] = columns;
    entry["rowsWritten"] = p.rows_written;
    entry["valuesWritten"] = values_written;
    entry["rowsLeftOut"] = counts_json(p.rows_left_out);
    entry["valuesLeftOut"] = values_left_out;
    entry["transfer"] = {{"seq", transfer_seqs.value()[i]},
                         {"rows", static_cast<std::int64_t>(batches[i].rows.size())},
                         {"previousSeq", p.previous_seq}};
    Json stops(p.stops);
    Json deletes(p.deletes);
    for (const auto& [reason, n] : p.stops) {
      change_totals["stop"][reason] = change_totals["stop"].value(reason, std::int64_t{0}) + n;
    }
    for (const auto& [reason, n] : p.deletes) {
      change_totals["delete"][reason] = change_totals["delete"].value(reason, std::int64_t{0}) + n;
    }
    entry["changes"] = {{"file", p.changes_file},
                        {"sha256", p.changes_sha256},
                        {"since", p.previous_at},
                        {"stop", stops.is_null() ? Json::object() : stops},
                        {"delete", deletes.is_null() ? Json::object() : deletes}};
    entry["notice"] = {{"deadline", deadline_}, {"files", notice_files}};
    for (const auto& [lang, text] : notice.by_locale) entry["notice"][lang] = text;
    if (!evidence.empty()) entry.update(evidence[p.index]);
    partners.push_back(entry);
    ledger_partners.push_back({{"id", p.partner->id},
                               {"file", p.file_name},
                               {"sha256", p.sha256},
                               {"rows", p.rows_written},
                               {"transferSeq", transfer_seqs.value()[i]}});
    if (!evidence.empty()) ledger_partners.back()["receiptsSha256"] = evidence[p.index]["receipts"]["sha256"];
  }
  report["partners"] = partners;
  report["changes"] = change_totals;

  // The export goes on the record (R9: prove what left, when, to whom).
  const Json details = {{"at", at_text_},
                        {"agent", options_.agent},
                        {"out", out_.string()},
                        {"contactsSha256", report["contacts"]["sha256"]},
                        {"rows", rows_read_},
                        {"noticeDeadline", deadline_},
                        {"partners", ledger_partners}};
  ExportOutcome outcome;
  Result<std::int64_t> recorded = record_export_event(store_, details);
  if (!recorded.ok()) return recorded.problems();  // a ledger that fails must not see files leave
  outcome.ledger_recorded = true;
  report["ledger"] = {{"recorded", true}, {"seq", recorded.value()}};
  report["keyedDigestsUnchecked"] = keyed_unchecked_;
  if (options_.head_key) {
    // A signed head that covers this export's entry (docs/server.md, "Signed chain heads").
    const auto crypto = make_openssl_crypto();
    Result<ledger::ChainHead> head = ledger::sign_and_store_head(store_, *options_.head_key, *crypto);
    if (!head.ok()) return head.problems();
    report["ledger"]["head"] = {{"seq", head.value().seq},
                                {"hash", head.value().hash},
                                {"signedAt", head.value().signed_at},
                                {"kid", head.value().kid},
                                {"jws", head.value().jws}};
  }

  // Readable summary.
  std::string text = "Cachet export of " + options_.contacts_path + " at " + at_text_ + ": " +
                     std::to_string(rows_read_) + " row(s) read, " + std::to_string(rows_written_anywhere_) +
                     " written to at least one partner.\n" + checked_text();
  std::string everywhere;
  // Reasons in alphabetical order, as report.json lists them.
  for (const auto& [reason, n] : report["rowsLeftOutForEveryPartner"].items()) {
    if (n.get<std::int64_t>() > 0) everywhere += " " + reason + " " + std::to_string(n.get<std::int64_t>()) + ",";
  }
  if (!everywhere.empty()) {
    everywhere.pop_back();
    text += "Left out for every partner:" + everywhere + ".\n";
  }
  if (keyed_unchecked_ > 0) {
    text += std::to_string(keyed_unchecked_) +
            " value(s) of receipts with keyed contact digests could not be checked: give the controller's private key "
            "with --key (docs/receipt.md).\n";
  }
  for (const Json& p : partners) {
    text += "\nPartner " + p["id"].get<std::string>() + " (" + p["name"].get<std::string>() +
            "): " + std::to_string(p["rowsWritten"].get<std::int64_t>()) + " row(s) in " +
            p["file"].get<std::string>() + "; columns";
    for (const Json& c : p["columns"]) text += " " + c.get<std::string>();
    text += ".\n";
    std::string rows;
    for (const auto& [reason, n] : p["rowsLeftOut"].items()) {
      if (n.get<std::int64_t>() > 0) rows += " " + reason + " " + std::to_string(n.get<std::int64_t>()) + ",";
    }
    if (!rows.empty()) {
      rows.pop_back();
      text += "  rows left out:" + rows + "\n";
    }
    for (const auto& [reason, by_column] : p["valuesLeftOut"].items()) {
      text += "  values left out (" + reason + "):";
      for (const auto& [column, n] : by_column.items()) {
        text += " " + column + " " + std::to_string(n.get<std::int64_t>());
      }
      text += "\n";
    }
    std::string notice_files;
    for (const std::string& lang : supported_locales()) {
      const auto file = p["notice"]["files"].find(lang);
      if (file == p["notice"]["files"].end()) continue;
      notice_files += (notice_files.empty() ? "" : ", ") + file->get<std::string>();
    }
    text += "  first-contact notice due by " + deadline_ + ": " + notice_files + "\n";
    std::string changed;
    for (const char* action : {"stop", "delete"}) {
      for (const auto& [reason, n] : p["changes"][action].items()) {
        changed += std::string(" ") + action + " (" + reason + ") " + std::to_string(n.get<std::int64_t>()) + ",";
      }
    }
    if (changed.empty()) {
      changed = " none,";
    }
    changed.pop_back();
    text +=
        "  changes since its previous transfer in " + p["changes"]["file"].get<std::string>() + ":" + changed + "\n";
  }
  text += "\nEvery row and value left out, with its line and reason: excluded.csv (" + std::to_string(excluded_lines_) +
          " line(s)).\n";
  text += "\nLedger: " + (outcome.ledger_recorded
                              ? "export recorded as log entry " + std::to_string(recorded.value()) + ".\n"
                              : "export NOT recorded: " + report["ledger"]["message"].get<std::string>() + "\n");

  Result<std::string> written = write_whole(temp_.file("report.json"), report.dump(2) + "\n");
  if (written.ok()) written = write_whole(temp_.file("report.txt"), text);
  if (!written.ok()) return written.problems();
  Problems problems = move_into_place(temp_, out_);
  if (!problems.empty()) return problems;
  outcome.report = std::move(report);
  outcome.summary = std::move(text);
  outcome.timings = std::move(timings_);
  return outcome;
}

}  // namespace cachet::exporter
