// `cachet partner verify`: a partner checks, with only the controller's
// PUBLIC key, that every contact value of the file it received was consented
// (email, SMS) or not objected to (postal, phone) for that channel, by that
// person, for that partner (docs/export.md, "For partners: checking what you
// received"). Input: partner-ID.csv and partner-ID.receipts.jsonl as `cachet
// export` writes them (export/src/partner_receipts.h).
//
// Per row: every receipt verifies (collector signature and a countersignature
// by the trusted controller key: the core's verify_receipt), they form one
// chain (each supersedes the one before), the partner is on the list they
// bind and each channel's decision allows the value (the core's
// consent_state and may_transfer, R1, R4, R7, R10), and the value is the one
// the latest receipt's subject binds (contact_matches_with_key: salted
// SHA-256, or HMAC-SHA256 under the digestKey given for that receipt).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/problem.h"

namespace cachet::exporter {

// Why a row fails (stable strings; the channel reasons are lifecycle.h's
// to_string(TransferReason)).
inline constexpr const char* kVerifyReceiptsMissing = "receipts-missing";      // no receipts line for the row
inline constexpr const char* kVerifyReceiptsMalformed = "receipts-malformed";  // the line is not the documented JSON
inline constexpr const char* kVerifyReceiptsExtra = "receipts-extra";          // more receipts lines than rows
inline constexpr const char* kVerifyReferenceMismatch = "reference-mismatch";  // the line is for another row
inline constexpr const char* kVerifyReceiptInvalid = "receipt-invalid";        // a receipt does not verify
inline constexpr const char* kVerifyNotCountersigned =
    "not-countersigned";                                           // no countersignature by the trusted controller key
inline constexpr const char* kVerifyChainBroken = "chain-broken";  // receipts that do not supersede one another
inline constexpr const char* kVerifyDigestMismatch = "digest-mismatch";       // the value is not the one bound
inline constexpr const char* kVerifyDigestKeyMissing = "digest-key-missing";  // keyed subject, no usable digestKey
inline constexpr const char* kVerifyNoDigest = "no-digest";                   // the receipt binds no value of that kind

struct PartnerVerifyOptions {
  std::string csv_path;       // partner-ID.csv
  std::string receipts_path;  // partner-ID.receipts.jsonl
  std::string partner_id;     // the partner's own id, as the controller's config names it
  Json controller_key;        // the controller's public JWK, obtained by the partner itself
};

struct PartnerRowProblem {
  std::int64_t line = 0;  // physical line of the row in the CSV (or of the receipts file, for receipts-extra)
  std::int64_t row = 0;   // 1-based data row
  std::string reference;
  std::string column;  // CSV column, empty for the whole row
  std::string code;
  std::string message;
};

struct PartnerVerifyReport {
  std::string partner_id;
  std::int64_t rows = 0;
  std::int64_t rows_ok = 0;
  std::int64_t values_checked = 0;
  std::vector<PartnerRowProblem> problems;
  bool ok() const { return problems.empty(); }
  Json to_json() const;
  std::string to_text() const;
};

// Problems (nothing judged; `cachet partner verify` exits 2): io_error (unreadable file), csv_* (malformed
// CSV), partner_verify_bad_header (first column not `reference`, or a column
// that is no channel), partner_verify_bad_key (not a public JWK).
Result<PartnerVerifyReport> verify_partner_file(const PartnerVerifyOptions& options, const CryptoProvider& crypto);

}  // namespace cachet::exporter
