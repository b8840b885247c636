// The partner export (DESIGN.md section 2, R1-R10): the organisation's contact
// file + the consent ledger -> one file per partner holding only what each
// person allowed, the first-contact notices partners owe (R8), and a report
// of every row and value left out, and why. docs/export.md is the user guide.
//
// Functions here return Results and do not throw. Problem codes:
//   csv_*             the contact file or mapping is malformed (input judged bad)
//   export_*          options, output directory, I/O
//   ledger_*          the ledger (from cachet_server)
//   export_ledger_broken  the ledger's hash chain does not verify: nothing is exported
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cachet/config.h"
#include "cachet/json.h"
#include "cachet/ledger/store.h"
#include "cachet/problem.h"

namespace cachet::exporter {

// Which contact-file column holds what.
struct ColumnMapping {
  std::string receipt = "cachet_receipt_id";  // any receipt id of the person's chain
  std::string email = "email";
  std::string phone = "phone";
  std::string mobile = "mobile";
  std::string postal = "address";
};
// {"receipt": "...", "email": "...", "phone": "...", "mobile": "...", "postal": "..."};
// every member optional, unknown members refused (mapping_* codes).
Result<ColumnMapping> parse_mapping(std::string_view json_text);

// Why a row or a value did not go to a partner. Stable strings (report.json).
inline constexpr const char* kNoReceipt = "no-receipt";  // no id in the row, or the ledger lacks it
inline constexpr const char* kReceiptInvalid =
    "receipt-invalid";  // not verified/countersigned (by --key) at acceptance, or fails --reverify
inline constexpr const char* kRetentionExpired = "retention-expired";   // R9: past the receipt's retention
inline constexpr const char* kDuplicatePerson = "duplicate-person";     // an earlier row already covered this chain
inline constexpr const char* kPartnerNotListed = "partner-not-listed";  // R6/R7: not in notice.partnerIds
inline constexpr const char* kWithdrawn = "withdrawn";                  // R10
inline constexpr const char* kObjected = "objected";                    // R1
inline constexpr const char* kNoConsent = "no-consent";                 // R4
inline constexpr const char* kNotInformed = "not-informed";             // the receipt has no decision for the channel
inline constexpr const char* kDigestMismatch = "digest-mismatch";       // value not the one the receipt binds
inline constexpr const char* kFormulaLike =
    "formula-like";                                  // email/postal value a spreadsheet would run (CSV injection)
inline constexpr const char* kNoValue = "no-value";  // empty cell (rows only)
const std::vector<std::string>& all_reasons();

struct ExportOptions {
  std::string contacts_path;
  std::string out_dir;
  ColumnMapping columns;
  std::string at;                      // transfer time, RFC 3339 UTC or YYYY-MM-DD; now when empty
  std::optional<Json> controller_key;  // public JWK: receipts must carry its countersignature
  // Private controller JWK: once the export is recorded, the chain head is
  // signed with it and kept in the ledger (ledger/head.h), and report.json
  // names it (ledger.head).
  std::optional<Json> head_key;
  // contact_digest_secret() of the controller's private key (receipt.h): checks
  // the contacts of keyed (version 2) receipts. Empty: their values are left
  // out as digest-mismatch, and the report says why.
  std::string digest_secret;
  bool force = false;  // replace an existing non-empty --out
  // Beside each partner file, the receipts that justify each row and each
  // person's notice language (docs/export.md, "For partners"): one ledger
  // lookup per row written. --no-receipts leaves them out (bulk runs).
  bool receipts = true;
  // Trust model (docs/export.md): by default the export verifies the ledger's
  // hash chain and relies on the verification each receipt passed when the
  // ledger accepted it. `reverify` re-verifies every receipt's signatures
  // instead (the core's verify_receipt; slow: two Ed25519 checks a person).
  bool reverify = false;
  int jobs = 0;  // threads checking the chain (and, with --reverify, verifying signatures); 0 = one per core
  // Check the chain only after the latest signed chain head stored in the
  // ledger (docs/export.md, "From a signed chain head"): its signature must
  // verify against `controller_key` (required) and entry seq must still hash
  // to what it states; the entries up to it are not rehashed.
  bool from_signed_head = false;
  std::string agent = "cachet-export";  // written into the ledger entry
};

struct ExportOutcome {
  Json report;          // also written as DIR/report.json
  std::string summary;  // also written as DIR/report.txt
  bool ledger_recorded = false;
  // Phase timings and index size (verifyChainSeconds, indexSeconds,
  // indexPeople, indexReceiptIds, indexBytes, rowsSeconds): measurements,
  // not part of the report.
  Json timings = Json::object();
};

// Runs the export. On any failure nothing is left in `out_dir` or beside it.
Result<ExportOutcome> run_export(const Config& config, ledger::ConsentStore& store, const ExportOptions& options);

// Records the export as an "export" event in the ledger's hash-chained log.
Result<std::int64_t> record_export_event(ledger::ConsentStore& store, const Json& details);

// --- first-contact notice (R8) ---------------------------------------------

// YYYY-MM-DD one calendar month after `date` (day clamped to the month's end).
std::string one_month_after(std::string_view date);
// The notice in every locale of the core's message table, in the table's
// order: the mail-merge list (partner-notice-ID.csv) names, per person, the
// file in the language of their own notice, whichever it is.
struct PartnerNoticeText {
  std::vector<std::pair<std::string, std::string>> by_locale;  // {locale, text}
};
PartnerNoticeText partner_notice(const Config& config, const Partner& partner, std::string_view transfer_date,
                                 std::string_view deadline);

// --- dates ------------------------------------------------------------------
// Seconds since the epoch of "YYYY-MM-DD" (midnight UTC) or RFC 3339 UTC
// "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt when not one of those or not a real date.
std::optional<std::int64_t> parse_time(std::string_view text);
std::string format_time(std::int64_t unix_seconds);  // RFC 3339 UTC, whole seconds

}  // namespace cachet::exporter
