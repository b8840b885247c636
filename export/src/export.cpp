// `cachet export`: contacts file + ledger -> per-partner files (R1-R10).
//
// First one pass over the ledger's log and compact records, in one read
// transaction, verifies the hash chain over them and builds the state index
// (state_index.h: any receipt id -> the person's latest state, R10); a broken
// chain stops the export (docs/export.md, "Trust model"). Then the contact
// file is streamed row by row: one lookup and one SHA-256 per contact value,
// in file order. Memory: the index (about 300 bytes a person) plus one batch
// of rows. With --reverify, the full chain check (every stored receipt's
// bytes) runs first, and each batch of rows instead looks its people up in
// the ledger (state_of) and re-verifies the stored receipts' signatures on
// several threads, as the export did first.
//
// This file runs the export (Exporter::run); the jobs live beside it:
// output_files.cpp (temporary directory, partner-file writers, the atomic
// commit), rows.cpp (per-row lookup, verdicts and writing), report.cpp
// (counts, report.json / report.txt, notices, the ledger event).
#include "cachet/export/export.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>
#include <utility>

#include "cachet/export/csv.h"
#include "cachet/jws.h"
#include "cachet/ledger/head.h"
#include "cachet/lifecycle.h"
#include "cachet/openssl_crypto.h"
#include "exporter.h"

namespace cachet::exporter {

namespace fs = std::filesystem;

const std::vector<std::string>& all_reasons() {
  static const std::vector<std::string> kReasons = {
      kNoReceipt, kReceiptInvalid, kRetentionExpired, kDuplicatePerson, kPartnerNotListed, kWithdrawn,
      kObjected,  kNoConsent,      kNotInformed,      kDigestMismatch,  kFormulaLike,      kNoValue};
  return kReasons;
}

Result<ColumnMapping> parse_mapping(std::string_view json_text) {
  Result<Json> parsed = parse_json_strict(json_text);
  if (!parsed.ok()) return parsed.problems();
  const Json& json = parsed.value();
  if (!json.is_object()) return Problem{"mapping_wrong_type", "", "The column mapping must be a JSON object."};
  ColumnMapping mapping;
  Problems problems;
  const std::map<std::string, std::string*> members = {{"receipt", &mapping.receipt},
                                                       {"email", &mapping.email},
                                                       {"phone", &mapping.phone},
                                                       {"mobile", &mapping.mobile},
                                                       {"postal", &mapping.postal}};
  for (const auto& [key, value] : json.items()) {
    const auto it = members.find(key);
    if (it == members.end()) {
      problems.push_back({"mapping_unknown_key", pointer_append("", key),
                          "Unknown member \"" + key + "\" (receipt, email, phone, mobile, postal)."});
    } else if (!value.is_string() || value.get<std::string>().empty()) {
      problems.push_back({"mapping_wrong_type", pointer_append("", key), "A column name must be a non-empty string."});
    } else {
      *it->second = value.get<std::string>();
    }
  }
  if (!problems.empty()) return problems;
  return mapping;
}

namespace {

constexpr std::size_t kBatch = 512;

}  // namespace

Problems Exporter::open_input() {
  input_ =
      std::unique_ptr<std::FILE, int (*)(std::FILE*)>(std::fopen(options_.contacts_path.c_str(), "rb"), &std::fclose);
  if (!input_) return {io_problem("Cannot read " + options_.contacts_path)};
  auto reader = std::make_unique<CsvReader>(input_.get());
  reader->on_chunk([this](std::string_view chunk) { input_hash_.update(chunk); });
  table_ = std::make_unique<CsvTable>(std::move(reader));
  // The columns the configured channels need (missing ones are csv_missing_column).
  std::vector<std::string> required = {options_.columns.receipt};
  for (const ChannelConfig& c : config_.channels) {
    switch (c.channel) {
      case Channel::kPostal:
        required.push_back(options_.columns.postal);
        break;
      case Channel::kPhone:
        required.push_back(options_.columns.phone);
        break;
      case Channel::kEmail:
        required.push_back(options_.columns.email);
        break;
      case Channel::kSms:
        required.push_back(contact_kind_for(Channel::kSms, config_.fields.count("mobile") != 0) == "mobile"
                               ? options_.columns.mobile
                               : options_.columns.phone);
        break;
    }
  }
  std::sort(required.begin(), required.end());
  required.erase(std::unique(required.begin(), required.end()), required.end());
  Problems problems = table_->read_header(required);
  if (!problems.empty()) return problems;
  col_receipt_ = table_->column(options_.columns.receipt);
  col_email_ = table_->column(options_.columns.email);
  col_phone_ = table_->column(options_.columns.phone);
  col_mobile_ = table_->column(options_.columns.mobile);
  col_postal_ = table_->column(options_.columns.postal);
  return {};
}

Problems Exporter::prepare_outputs() {
  Problems problems = temp_.create(out_);
  if (!problems.empty()) return problems;
  for (std::size_t i = 0; i < config_.partners.entries.size(); ++i) {
    const Partner& partner = config_.partners.entries[i];
    PartnerOutput output;
    output.partner = &partner;
    output.index = i;
    for (const ChannelConfig& c : config_.channels) {
      for (const Partner* p : config_.partners_for(c.channel)) {
        if (p->id == partner.id) output.channels.push_back(c.channel);
      }
    }
    output.file_name = "partner-" + file_part(partner.id) + ".csv";
    problems = output.file->open(temp_.file(output.file_name));
    if (!problems.empty()) return problems;
    std::vector<std::string> header = {"reference"};
    for (const Channel c : output.channels) header.emplace_back(output_column(c));
    std::string line;
    append_csv_record(line, header);
    problems = output.file->write(line);
    if (!problems.empty()) return problems;
    partners_.push_back(std::move(output));
  }
  // Every row and value left out, with its line and reason (exclude()).
  problems = excluded_->open(temp_.file("excluded.csv"));
  if (problems.empty()) problems = excluded_->write("line,partner,channel,reason\r\n");
  if (!problems.empty()) return problems;
  const auto holdings_start = std::chrono::steady_clock::now();
  problems = load_transfers();
  timings_["holdingsSeconds"] = seconds_since(holdings_start);  // what partners hold, and the log since
  if (!problems.empty()) return problems;
  if (!options_.receipts) return {};
  std::vector<PartnerEvidence::Target> targets;
  for (const PartnerOutput& p : partners_) targets.push_back({p.partner->id, p.file_name});
  evidence_ = std::make_unique<PartnerEvidence>(store_, options_.digest_secret, config_.locale);
  return evidence_->open(temp_, targets);
}

std::vector<std::string> config_partner_ids(const Config& config) {
  std::vector<std::string> ids;
  for (const Partner& p : config.partners.entries) ids.push_back(p.id);
  return ids;
}

// The trust model (docs/export.md): every receipt's signatures were verified,
// and the controller countersigned it, when the ledger accepted it; the
// ledger stores that verification, and its hash chain proves the stored bytes
// are still the ones accepted. So the chain is checked first, and a broken
// chain stops the export: nothing about the ledger can be relied on then.
Problems Exporter::check_chain() {
  const auto start = std::chrono::steady_clock::now();
  ledger::ChainCheckOptions check;
  check.jobs = jobs_;
  Result<ledger::ChainReport> report = store_.verify_chain_with(check);
  timings_["verifyChainSeconds"] = seconds_since(start);
  if (!report.ok()) return report.problems();
  chain_ = std::move(report).value();
  Problems head = check_stored_head();
  if (!head.empty()) return head;
  return chain_problems();
}

Problems Exporter::check_stored_head() {
  Result<std::optional<std::string>> stored = store_.latest_head();
  if (!stored.ok()) return stored.problems();
  if (!stored.value()) return {};
  const auto crypto = make_openssl_crypto();
  Result<ledger::ChainHead> head = ledger::verify_head(*stored.value(), *crypto, options_.controller_key);
  if (!head.ok()) {
    const Problem& p = head.problems().front();
    chain_.problems.push_back(ledger::ChainProblem{0, "", p.code, "The stored chain head: " + p.message});
    return {};
  }
  return ledger::check_against_head(store_, head.value(), "stored chain head", chain_);
}

// --from-signed-head: the latest head stored in the ledger, signed by the
// controller key. The store then checks, in the snapshot it walks, that its
// entry still hashes to what it states (ledger_head_mismatch otherwise).
Problems Exporter::start_head() {
  if (!options_.controller_key) {
    return {Problem{"export_head_needs_key", "--from-signed-head",
                    "Starting from a signed chain head needs the controller key (--key) to check its signature."}};
  }
  Result<std::optional<std::string>> stored = store_.latest_head();
  if (!stored.ok()) return stored.problems();
  if (!stored.value()) {
    return {Problem{"export_no_signed_head", "--from-signed-head",
                    "The ledger keeps no signed chain head to start from: run a full export (without "
                    "--from-signed-head) with the private --key, or 'cachet ledger head --key', first."}};
  }
  const auto crypto = make_openssl_crypto();
  Result<ledger::ChainHead> head = ledger::verify_head(*stored.value(), *crypto, options_.controller_key);
  if (!head.ok()) {
    const Problem& p = head.problems().front();
    return {Problem{"export_ledger_broken", "--from-signed-head",
                    "The stored chain head to start from does not verify (" + p.code + ": " + p.message +
                        "). Nothing was exported; run 'cachet ledger verify' and restore the ledger."}};
  }
  start_head_ = std::move(head).value();
  return {};
}

Problems Exporter::chain_problems() const {
  if (chain_.ok()) return {};
  const ledger::ChainProblem& first = chain_.problems.front();
  return {Problem{"export_ledger_broken", "--db",
                  "The ledger's hash chain does not verify (" + std::to_string(chain_.problems.size()) +
                      " problem(s); first: entry #" + std::to_string(first.seq) + ", " + first.code + ": " +
                      first.message + "). Nothing was exported; run 'cachet ledger verify' and restore the ledger."}};
}

// One pass over the ledger's log and compact records: the hash chain is
// checked and the index built from the same snapshot (verify_records). Per
// receipt, what may be relied on is the compact record the ledger derived
// when it accepted (and verified) the receipt, which the chain binds; the
// index is only used once the whole chain verified.
Problems Exporter::build_index() {
  const auto start = std::chrono::steady_clock::now();
  ledger::ChainCheckOptions check;
  check.jobs = jobs_;
  if (options_.from_signed_head) {
    Problems head = start_head();
    if (!head.empty()) return head;
    check.after_seq = start_head_->seq;
    check.after_hash = start_head_->hash;
  }
  index_ = std::make_unique<StateIndex>(config_partner_ids(config_));
  Result<ledger::ChainReport> report = store_.verify_records_with(
      [this](const ledger::ReceiptRecord& r) {
        const bool invalid = !r.verified || (!key_kid_.empty() && r.countersigner_kid != key_kid_);
        index_->add(r, invalid);
      },
      check);
  timings_["verifyChainSeconds"] = seconds_since(start);  // chain over the records, and the index pass
  if (!report.ok()) return report.problems();
  chain_ = std::move(report).value();
  Problems problems = check_stored_head();
  if (problems.empty()) problems = chain_problems();
  if (!problems.empty()) {
    index_.reset();
    return problems;
  }
  const auto finish_start = std::chrono::steady_clock::now();
  index_->finish();
  timings_["indexSeconds"] = seconds_since(finish_start);
  timings_["indexPeople"] = index_->people();
  timings_["indexReceiptIds"] = index_->receipt_ids();
  timings_["indexBytes"] = index_->memory_bytes();
  return {};
}

Result<ExportOutcome> Exporter::run() {
  // Options first: fail before reading anything.
  at_text_ = options_.at.empty() ? format_time(static_cast<std::int64_t>(std::time(nullptr))) : options_.at;
  const std::optional<std::int64_t> at = parse_time(at_text_);
  if (!at) {
    return Problem{"export_bad_time", "--at",
                   "The transfer time must be RFC 3339 UTC (2026-11-30T10:00:00Z) or a date."};
  }
  at_ = *at;
  at_text_ = format_time(at_);
  deadline_ = one_month_after(at_text_);
  std::error_code ec;
  out_ = fs::absolute(fs::path(options_.out_dir), ec);
  if (ec || options_.out_dir.empty()) return Problem{"export_bad_out", "--out", "The output directory is not usable."};
  if (out_.filename().empty()) out_ = out_.parent_path();  // "dir/"
  if (fs::exists(out_, ec)) {
    if (!fs::is_directory(out_, ec)) {
      return Problem{"export_out_exists", "--out", out_.string() + " exists and is not a directory."};
    }
    if (!fs::is_empty(out_, ec) && !options_.force) {
      return Problem{"export_out_exists", "--out",
                     out_.string() + " is not empty; pass --force to replace it, or choose another directory."};
    }
  }
  jobs_ = options_.jobs > 0 ? static_cast<unsigned>(options_.jobs) : std::max(1u, std::thread::hardware_concurrency());

  if (options_.controller_key) {
    const auto crypto = make_openssl_crypto();
    Result<std::string> kid = jwk_thumbprint(*options_.controller_key, *crypto);
    if (!kid.ok()) return kid.problems();
    key_kid_ = kid.value();
  }

  Problems problems = open_input();
  if (!problems.empty()) return problems;
  // --reverify: the full chain check (every stored receipt's bytes), then
  // the receipts themselves per row. Default: one pass over the log and the
  // compact records, checking the chain and building the index together.
  problems = options_.reverify ? check_chain() : build_index();
  if (!problems.empty()) return problems;
  problems = prepare_outputs();
  if (!problems.empty()) return problems;
  const auto rows_start = std::chrono::steady_clock::now();

  // Stream the rows. A malformed row stops the work but not the reading, so
  // that every problem is reported at once (capped).
  Problems csv_problems;
  std::vector<Row> batch(kBatch);  // reused: rows keep their field strings
  std::size_t used = 0;
  for (;;) {
    Row& row = batch[used];
    row.reset();
    const CsvReader::Status status = table_->next(row.fields);
    if (status == CsvReader::Status::kEnd) break;
    if (status == CsvReader::Status::kError) {
      csv_problems.push_back(table_->error());
      if (csv_problems.size() >= CsvLimits{}.max_errors) {
        csv_problems.push_back(
            {"csv_too_many_errors", "", "Stopped after " + std::to_string(csv_problems.size()) + " errors."});
        break;
      }
      continue;
    }
    ++rows_read_;
    if (!csv_problems.empty()) continue;
    row.line = table_->line();
    if (++used == kBatch) {
      problems = process_batch(batch.data(), used);
      if (!problems.empty()) return problems;
      used = 0;
    }
  }
  if (std::ferror(input_.get()) != 0) return io_problem("Cannot read " + options_.contacts_path);
  if (!csv_problems.empty()) {
    for (Problem& p : csv_problems) p.message = options_.contacts_path + ": " + p.message;
    return csv_problems;
  }
  problems = process_batch(batch.data(), used);
  if (!problems.empty()) return problems;
  timings_["rowsSeconds"] = seconds_since(rows_start);
  return finish();
}

Result<ExportOutcome> run_export(const Config& config, ledger::ConsentStore& store, const ExportOptions& options) {
  Exporter exporter(config, store, options);
  return exporter.run();
}

}  // namespace cachet::exporter
