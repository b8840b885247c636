// Proof bundles (docs/proof.md): everything an inspector needs to check, with
// nothing but the controller's public key, that a person made a choice, what
// they were shown when they made it, and that the organisation's ledger holds
// it under a signed chain head. One self-contained JSON file:
//
//   {"version": "cachet-proof/1", "createdAt", "receiptId", "chainRoot",
//    "receipts": ["<stored countersigned JWS text>", ...],   the receipt, then each successor
//    "publications": [{"digest", "configVersion", "firstServedAt", "config": "<canonical config>",
//                      "notices": {"fr": "<canonical notice>", ...}, "partnerList": "<canonical list>"}],
//    "segments": [{"previousHash": "<hex>", "entries": ["<canonical log entry>", ...],
//                  "head": <signed chain head JWS>}]}
//
// A segment is a run of consecutive log entries ending at a signed head: from
// `previousHash`, hashing each entry in turn (SHA-256(previous || entry))
// must give the head's hash at the head's seq, so every entry in it is bound
// by the controller's signature on the head. Entries name receipts by id and
// hashes only (no decision, no contact digest: those are in the records).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/ledger/store.h"
#include "cachet/problem.h"

namespace cachet::ledger {

inline constexpr const char* kProofVersion = "cachet-proof/1";

struct ProofOptions {
  // When no kept head covers an entry the bundle needs, sign one now with
  // this private JWK (and keep it); without it such a bundle cannot be made.
  std::optional<Json> controller_private_key;
  std::string created_at;  // RFC 3339 UTC; now when empty
};

// The bundle for the person's receipt `receipt_id` and its successors.
// Problems: ledger_unknown_receipt, ledger_tampered (reads verify),
// proof_no_head (no signed head covers an entry and no key to sign one),
// ledger_io.
[[nodiscard]] Result<Json> make_proof(ConsentStore& store, const CryptoProvider& crypto, std::string_view receipt_id,
                                      const ProofOptions& options);

// What an offline check of a bundle established.
struct ProofReport {
  std::string receipt_id;
  std::string chain_root;
  std::string latest_receipt_id;  // the last receipt of the bundle: in force as of the newest head
  std::int64_t head_seq = 0;      // the newest head in the bundle
  std::string head_signed_at;
  std::vector<std::string> receipts;  // ids, in order
  // Per receipt: the config version and locale of the notice it binds, whose
  // exact text the bundle holds.
  struct Notice {
    std::string receipt_id, config_version, locale, sha256;
  };
  std::vector<Notice> notices;
  Json to_json() const;
};

// Checks a bundle with the controller's key alone (public or private JWK):
// every head is signed by it and binds its segment; every receipt verifies
// with the controller's countersignature, is the one its log entry names
// (jwsSha256, payloadSha256) and supersedes the one before; every notice a
// receipt binds is in the bundle, hashes as the receipt says and was logged
// as published; no entry in the bundle supersedes its last receipt.
// Problems: proof_malformed, proof_head_invalid (head_* from verify_head),
// proof_segment_broken, proof_receipt_invalid (with the core's reason),
// proof_entry_missing, proof_entry_mismatch, proof_chain_broken,
// proof_notice_missing, proof_notice_mismatch, proof_successor_missing.
[[nodiscard]] Result<ProofReport> verify_proof(std::string_view bundle_text, const Json& controller_key,
                                               const CryptoProvider& crypto);

}  // namespace cachet::ledger
