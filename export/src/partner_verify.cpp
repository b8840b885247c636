// `cachet partner verify` (partner_verify.h): the partner's side of the
// export. Every rule is the core's: verify_receipt for the signatures,
// consent_state and may_transfer for what the receipts allow, contact_kind_for
// for which contact serves a channel, contact_matches_with_key for the digest.
#include "cachet/export/partner_verify.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "cachet/config.h"
#include "cachet/export/csv.h"
#include "cachet/jws.h"
#include "cachet/lifecycle.h"
#include "cachet/receipt.h"
#include "output_files.h"

namespace cachet::exporter {

namespace {

// One message from its pieces (no temporaries per piece).
std::string words(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (const std::string_view p : pieces) out.append(p);
  return out;
}

std::optional<Channel> channel_of_column(std::string_view column) {
  for (const Channel c : all_channels()) {
    if (column == output_column(c)) return c;
  }
  return std::nullopt;
}

struct RowEvidence {
  std::vector<Json> payloads;  // verified, oldest first
  Json subject;                // the latest receipt's
  std::string digest_key;      // raw k, when given
};

class RowChecker {
 public:
  RowChecker(const PartnerVerifyOptions& options, const CryptoProvider& crypto, PartnerVerifyReport& report)
      : options_(options), crypto_(crypto), report_(report) {}

  // One CSV row (`fields` per `columns`) against its receipts line (nullopt: none).
  void check(std::int64_t line, std::int64_t row, const std::vector<std::string>& columns,
             const std::vector<std::string>& fields, const std::optional<std::string>& receipts_line) {
    line_ = line;
    row_ = row;
    reference_ = fields.empty() ? std::string() : fields[0];
    failed_ = false;
    if (!receipts_line) {
      fail("", kVerifyReceiptsMissing, "The receipts file has no line for this row.");
    } else if (std::optional<RowEvidence> evidence = read_evidence(*receipts_line)) {
      check_values(*evidence, columns, fields);
    }
    if (!failed_) ++report_.rows_ok;
  }

 private:
  void fail(std::string column, std::string_view code, std::string message) {
    failed_ = true;
    report_.problems.push_back({line_, row_, reference_, std::move(column), std::string(code), std::move(message)});
  }

  std::optional<RowEvidence> read_evidence(const std::string& text) {
    Result<Json> parsed = parse_json_strict(text, ParseLimits{std::size_t{16} << 20, 64});
    const Json* json = parsed.ok() ? &parsed.value() : nullptr;
    if (json == nullptr || !json->is_object() || !json->contains("reference") || !(*json)["reference"].is_string() ||
        !json->contains("receipts") || !(*json)["receipts"].is_array() || (*json)["receipts"].empty()) {
      fail("", kVerifyReceiptsMalformed,
           "The receipts line is not {\"reference\": ..., \"receipts\": [JWS, ...]}" +
               (parsed.ok() ? std::string() : " (" + parsed.problems().front().message + ")") + ".");
      return std::nullopt;
    }
    if ((*json)["reference"].get<std::string>() != reference_) {
      fail("", kVerifyReferenceMismatch,
           "The receipts line is for reference " + (*json)["reference"].get<std::string>() + ", not this row's.");
      return std::nullopt;
    }
    RowEvidence evidence;
    VerifyOptions verify_options;
    verify_options.trusted_controller_key = options_.controller_key;
    std::string previous_id;
    for (const Json& jws : (*json)["receipts"]) {
      Result<VerifiedReceipt> verified =
          verify_receipt(jws.is_string() ? jws.get<std::string>() : jws.dump(), crypto_, verify_options);
      if (!verified.ok()) {
        const Problem& p = verified.problems().front();
        const bool untrusted = p.code == "receipt_not_countersigned" || p.code == "receipt_untrusted_countersigner";
        fail("", untrusted ? kVerifyNotCountersigned : kVerifyReceiptInvalid,
             "A receipt does not verify against the controller key (" + p.code + ": " + p.message + ").");
        return std::nullopt;
      }
      Json payload = std::move(verified).value().payload;
      if (!previous_id.empty() && payload.value("supersedes", std::string()) != previous_id) {
        fail("", kVerifyChainBroken,
             "Receipt " + payload.value("receiptId", std::string()) + " does not supersede " + previous_id +
                 ", the one before it: the receipts are not one person's chain.");
        return std::nullopt;
      }
      previous_id = payload.value("receiptId", std::string());
      evidence.payloads.push_back(std::move(payload));
    }
    if (json->contains("digestKey")) {
      const Json& key = (*json)["digestKey"];
      const std::optional<std::string> raw = key.is_string() ? base64url_decode(key.get<std::string>()) : std::nullopt;
      if (!raw || raw->size() != 32) {
        fail("", kVerifyReceiptsMalformed, "digestKey must be 32 bytes, base64url.");
        return std::nullopt;
      }
      evidence.digest_key = *raw;
    }
    return evidence;
  }

  void check_values(const RowEvidence& evidence, const std::vector<std::string>& columns,
                    const std::vector<std::string>& fields) {
    std::vector<const Json*> chain;
    for (const Json& p : evidence.payloads) chain.push_back(&p);
    Result<ConsentState> state = consent_state(chain);
    if (!state.ok()) {
      fail("", kVerifyReceiptInvalid, state.problems().front().message);
      return;
    }
    const ConsentState& s = state.value();
    Partner partner;
    partner.id = options_.partner_id;
    const Json& digests = s.subject.value("digests", Json::object());
    const bool has_mobile = digests.is_object() && digests.contains("mobile");
    const bool keyed = subject_is_keyed(s.subject);
    bool listed = true;
    for (std::size_t i = 1; i < columns.size() && i < fields.size(); ++i) {
      const std::string& value = fields[i];
      if (value.find_first_not_of(" \t") == std::string::npos) continue;  // nothing sent on this channel
      const Channel channel = *channel_of_column(columns[i]);
      ++report_.values_checked;
      // R1, R4, R7, R10: the core's verdict, never re-spelled here.
      const TransferVerdict verdict = may_transfer(s, partner, channel, 0, std::nullopt);
      if (verdict.reason == TransferReason::kPartnerNotListed) {
        if (listed) {
          fail("", to_string(verdict.reason),
               words({"Partner ", options_.partner_id, " is not on the partner list these receipts bind (R7)."}));
        }
        listed = false;
        continue;
      }
      if (!verdict.allowed) {
        fail(columns[i], to_string(verdict.reason),
             words({"The receipts do not allow ", to_string(channel), " (", to_string(verdict.reason), ")."}));
        continue;
      }
      const std::string kind(contact_kind_for(channel, has_mobile));
      if (!digests.is_object() || !digests.contains(kind)) {
        fail(columns[i], kVerifyNoDigest, words({"The latest receipt binds no ", kind, " value."}));
      } else if (keyed && evidence.digest_key.empty()) {
        fail(columns[i], kVerifyDigestKeyMissing,
             "The latest receipt has keyed digests (hmac-sha256) and the line gives no digestKey.");
      } else if (!contact_matches_with_key(s.subject, kind, value, evidence.digest_key, crypto_)) {
        fail(columns[i], kVerifyDigestMismatch,
             words({"The value is not the ", kind, " the person's receipt binds (subject.digests.", kind, ")."}));
      }
    }
  }

  const PartnerVerifyOptions& options_;
  const CryptoProvider& crypto_;
  PartnerVerifyReport& report_;
  std::int64_t line_ = 0, row_ = 0;
  std::string reference_;
  bool failed_ = false;
};

}  // namespace

Result<PartnerVerifyReport> verify_partner_file(const PartnerVerifyOptions& options, const CryptoProvider& crypto) {
  Result<std::string> kid = jwk_thumbprint(options.controller_key, crypto);
  if (!kid.ok() || options.controller_key.contains("d")) {
    return Problem{"partner_verify_bad_key", "--trust",
                   "The controller key must be a public JWK (Ed25519 or P-256), as the controller publishes it."};
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> csv(std::fopen(options.csv_path.c_str(), "rb"), &std::fclose);
  if (!csv) return Problem{"io_error", "--file", "Cannot read " + options.csv_path + "."};
  std::ifstream receipts(options.receipts_path, std::ios::binary);
  if (!receipts) return Problem{"io_error", "--receipts", "Cannot read " + options.receipts_path + "."};

  CsvTable table(std::make_unique<CsvReader>(csv.get()));
  Problems problems = table.read_header({"reference"});
  if (!problems.empty()) return problems;
  const std::vector<std::string> columns = table.header();
  if (columns.front() != "reference") {
    return Problem{"partner_verify_bad_header", "line 1", "The first column must be reference."};
  }
  for (std::size_t i = 1; i < columns.size(); ++i) {
    if (!channel_of_column(columns[i])) {
      return Problem{"partner_verify_bad_header", "line 1",
                     "Column " + columns[i] + " is no channel (postal_address, phone, email, mobile)."};
    }
  }

  PartnerVerifyReport report;
  report.partner_id = options.partner_id;
  RowChecker checker(options, crypto, report);
  std::vector<std::string> fields;
  std::string receipts_line;
  std::int64_t receipts_lines = 0;
  for (;;) {
    const CsvReader::Status status = table.next(fields);
    if (status == CsvReader::Status::kEnd) break;
    if (status == CsvReader::Status::kError) {
      Problem p = table.error();
      p.message = options.csv_path + ": " + p.message;
      return p;
    }
    ++report.rows;
    std::optional<std::string> line;
    if (std::getline(receipts, receipts_line)) {
      ++receipts_lines;
      line = receipts_line;
    }
    checker.check(table.line(), report.rows, columns, fields, line);
  }
  while (std::getline(receipts, receipts_line)) {
    if (++receipts_lines, receipts_line.empty()) continue;
    report.problems.push_back({receipts_lines, 0, "", "", kVerifyReceiptsExtra,
                               "Line " + std::to_string(receipts_lines) + " of " + options.receipts_path +
                                   " has no row in " + options.csv_path + "."});
  }
  if (receipts.bad()) return Problem{"io_error", "--receipts", "Cannot read " + options.receipts_path + "."};
  return report;
}

Json PartnerVerifyReport::to_json() const {
  Json failures = Json::array();
  std::int64_t failed_rows = rows - rows_ok;
  for (const PartnerRowProblem& p : problems) {
    Json entry = {{"line", p.line}, {"code", p.code}, {"message", p.message}};
    if (p.row > 0) entry["row"] = p.row;
    if (!p.reference.empty()) entry["reference"] = p.reference;
    if (!p.column.empty()) entry["column"] = p.column;
    failures.push_back(entry);
  }
  return {{"ok", ok()},          {"partner", partner_id},     {"rows", rows},
          {"rowsOk", rows_ok},   {"rowsFailed", failed_rows}, {"valuesChecked", values_checked},
          {"problems", failures}};
}

std::string PartnerVerifyReport::to_text() const {
  std::string out;
  for (const PartnerRowProblem& p : problems) {
    out += (p.row > 0 ? "line " + std::to_string(p.line) : "receipts line " + std::to_string(p.line)) + ": " + p.code;
    if (!p.column.empty()) out += " (" + p.column + ")";
    if (!p.reference.empty()) out += ", reference " + p.reference;
    out += ": " + p.message + "\n";
  }
  out += "Partner " + partner_id + ": " + std::to_string(rows) + " row(s), " + std::to_string(rows_ok) + " verified, " +
         std::to_string(rows - rows_ok) + " failing; " + std::to_string(values_checked) + " value(s) checked" +
         (ok() ? ". Every value is covered by a receipt the controller countersigned.\n" : ".\n");
  return out;
}

}  // namespace cachet::exporter
