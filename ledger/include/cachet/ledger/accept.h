// Accepting a receipt into the ledger: verify (the core's verify_receipt),
// countersign with the controller key, append. `cachet serve` and the
// exporter's `import-relayed` both go through here, so the rules live once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/ledger/store.h"
#include "cachet/problem.h"
#include "cachet/publication.h"
#include "cachet/receipt.h"

namespace cachet::ledger {

struct AcceptOptions {
  Json controller_key;             // private JWK that countersigns (required)
  std::string accepted_at;         // RFC 3339 UTC; now when empty
  std::string expected_method;     // when set, collection.method must equal it (e.g. "relayed-by-partner")
  bool consume_challenge = false;  // record collection.challenge as used (atomically with the append)
  // The published config versions this acceptance honours
  // (cachet/publication.h accepted_versions): when set, the receipt must
  // match one of them (check_against_published: controller, notice, partner
  // list, boxes, retention, issuedAt within `max_skew_seconds` of the
  // acceptance time), and the retention stored is the matched version's.
  // Every path that takes receipts from outside sets it (cachet serve, the
  // preference centre, cachet ledger append); null only for callers that
  // build their own receipts in tests and benchmarks.
  const std::vector<PublishedVersion>* accepted_versions = nullptr;
  std::int64_t max_skew_seconds = 600;
};

struct Accepted {
  AppendStatus status = AppendStatus::kAppended;  // kDuplicate: the same receipt was stored before
  StoredReceipt stored;                           // as stored, with chain root and log position
  Json jws;                                       // the countersigned receipt (general JWS JSON)
};

// Problems: the core's receipt_* / jws_* codes when the receipt does not
// verify; receipt_wrong_method; with accepted_versions, the publication
// check's receipt_*_mismatch, receipt_unknown_config_version and
// receipt_issued_at_skew (paths under /payload); the store's ledger_* codes (ledger_replay,
// ledger_unknown_supersedes, ledger_already_superseded, ledger_challenge_used).
Result<Accepted> accept_receipt(ConsentStore& store, const CryptoProvider& crypto, std::string_view jws_text,
                                const AcceptOptions& options);

// The same, for a receipt the caller already verified with verify_receipt():
// its parsed JWS and payload are used as they are (countersign_verified), so
// the receipt is parsed and verified once on the way in.
Result<Accepted> accept_verified(ConsentStore& store, const CryptoProvider& crypto, const VerifiedReceipt& receipt,
                                 const AcceptOptions& options);

// A random (version 4) UUID in lower case.
std::string new_receipt_id(const CryptoProvider& crypto);

}  // namespace cachet::ledger
