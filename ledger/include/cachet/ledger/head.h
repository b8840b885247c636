// Signed chain heads (docs/server.md, "Signed chain heads"): the controller's
// signature on "the log had N entries and entry N hashed to H". A head is not
// a log entry (that would move the head); the ledger keeps the heads it signs
// in a table of their own, and the operator ships copies elsewhere, where an
// attacker who rewrites the ledger file cannot reach them. Against such a
// copy, cutting entries off the end of the log (which the hash chain alone
// cannot see) is detected: `ledger_truncated`, `ledger_head_mismatch`.
//
// A head is a JWS in the general JSON serialisation, like receipts: alg
// Ed25519 (or ES256 for a P-256 controller key), protected header with typ
// `cachet-chain-head+jws`, the public `jwk` and `kid` (its RFC 7638
// thumbprint); payload the RFC 8785 canonical JSON
//   {"hash": "<hex hash of entry seq>", "seq": N,
//    "signedAt": "RFC 3339 UTC", "version": "cachet-chain-head/1"}
// The log has no gaps, so N is also the number of entries it covers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/ledger/store.h"
#include "cachet/problem.h"

namespace cachet::ledger {

inline constexpr const char* kHeadType = "cachet-chain-head+jws";
inline constexpr const char* kHeadVersion = "cachet-chain-head/1";

struct ChainHead {
  std::int64_t seq = 0;   // last entry covered (= number of entries)
  std::string hash;       // hex hash of entry `seq`
  std::string signed_at;  // RFC 3339 UTC
  std::string kid;        // RFC 7638 thumbprint of the signing key
  Json jws;               // the signed head (general JWS JSON)
};

// Signs {seq, hash} with the controller's private JWK at `signed_at` (now
// when empty). Problems: jws_* / crypto ones from the core.
[[nodiscard]] Result<ChainHead> sign_head(std::int64_t seq, std::string_view hash, const Json& private_jwk,
                                          const CryptoProvider& crypto, std::string_view signed_at = {});

// Parses and verifies a signed head: one signature, typ cachet-chain-head+jws,
// kid the thumbprint of the embedded jwk, payload canonical with the members
// above. `trusted_key` (a public or private JWK): the head must be signed by
// it. Problems (path into the head): head_malformed, head_bad_signature,
// head_untrusted_key.
[[nodiscard]] Result<ChainHead> verify_head(std::string_view jws_text, const CryptoProvider& crypto,
                                            const std::optional<Json>& trusted_key = std::nullopt);

// Signs the store's current tip (its last entry) and keeps the head in the
// store. Returns the head; ledger_empty when the log has no entry yet.
[[nodiscard]] Result<ChainHead> sign_and_store_head(ConsentStore& store, const Json& private_jwk,
                                                    const CryptoProvider& crypto);

// Checks a verified chain report against a head: the log must still reach
// head.seq (else ledger_truncated) and its entry there must hash to
// head.hash (else ledger_head_mismatch). Problems are added to `report`;
// `origin` names the head in messages ("stored chain head", "chain head in FILE").
// Returns a ledger_io problem when the store cannot be read.
[[nodiscard]] Problems check_against_head(ConsentStore& store, const ChainHead& head, std::string_view origin,
                                          ChainReport& report);

}  // namespace cachet::ledger
