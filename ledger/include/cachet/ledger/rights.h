// The person's rights over what the ledger holds about them (GDPR art. 15
// and 17; issue 13; docs/rights.md): finding a person by a contact value,
// the access report, and (store.h erase) erasure. The ledger holds no
// contact values, only the receipts' digests of them: a person is found by
// recomputing, for each compact record, the digest of the value they give
// under that receipt's salt (and, for keyed digests, the controller's key),
// with the core's normalisation and digest functions (receipt.h
// contact_digest_hex). Nothing here throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/ledger/store.h"
#include "cachet/problem.h"

namespace cachet::ledger {

// A contact value a person gives to be found: "email", "phone" (a landline
// or a mobile) or "address" (postal).
struct ContactQuery {
  std::string contact;
  std::string value;
};

// One person whose receipts bind the value.
struct PersonMatch {
  std::string chain_root;
  std::string latest_receipt_id;
  std::vector<std::string> receipt_ids;  // the receipts whose digests matched, in log order
  std::vector<std::string> matched;      // the digest kinds that matched ("email", "phone", "mobile", "postal")
};

// Every person (chain) with a receipt whose digests bind `query`, in the
// order of their first matching receipt. Reads the compact records through
// verify_records (the chain is checked in the same pass: nothing is answered
// from a ledger that does not verify). `digest_secret`: the controller's
// (receipt.h contact_digest_secret); without it, only version-1 receipts can
// match. Problems: rights_bad_contact (unknown contact kind, or a value that
// is not a valid contact of that kind), ledger_tampered (the ledger does not
// verify), ledger_io.
Result<std::vector<PersonMatch>> find_people(ConsentStore& store, const ContactQuery& query,
                                             std::string_view digest_secret, const CryptoProvider& crypto);

// The access report of the person `receipt_id` belongs to, as data: what is
// held (each receipt: id, dates, method, digests and their scheme, ledger
// position), the retention end, each choice over time with the exact notice
// shown (from the published config versions the ledger keeps, matched by the
// receipt's notice digest), and the partners who received their data (the
// transfers the ledger records; an empty list while none are). `locale`
// ("fr" | "en", resolved by the core's text_locale; empty: the locale of the
// person's latest receipt) words the texts.
// Layout in docs/rights.md. Problems: ledger_unknown_receipt,
// ledger_tampered, ledger_io.
Result<Json> access_report(ConsentStore& store, std::string_view receipt_id, std::string_view locale,
                           std::int64_t now_unix);

// Reports as the person reads them, in their locale: plain text, or one
// whole HTML page (every value escaped; no script, no inline style). Several
// reports when a contact value matched several people (signed up twice);
// none: the sentence saying nothing is held, in `locale`.
std::string render_access_text(const std::vector<Json>& reports, std::string_view locale);
std::string render_access_html(const std::vector<Json>& reports, std::string_view locale);

}  // namespace cachet::ledger
