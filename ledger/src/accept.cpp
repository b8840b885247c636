#include "cachet/ledger/accept.h"

#include "cachet/jws.h"
#include "cachet/receipt.h"
#include "cachet/ledger/digest.h"
#include "cachet/uuid.h"

namespace cachet::ledger {

std::string new_receipt_id(const CryptoProvider& crypto) { return new_uuid(crypto); }

Result<Accepted> accept_receipt(ConsentStore& store, const CryptoProvider& crypto, std::string_view jws_text,
                                const AcceptOptions& options) {
  Result<VerifiedReceipt> verified = verify_receipt(jws_text, crypto);
  if (!verified.ok()) return verified.problems();
  return accept_verified(store, crypto, jws_text, verified.value(), options);
}

Result<Accepted> accept_verified(ConsentStore& store, const CryptoProvider& crypto, std::string_view jws_text,
                                 const VerifiedReceipt& receipt, const AcceptOptions& options) {
  const Json& payload = receipt.payload;
  const std::string method = string_at(payload, {"collection", "method"});
  if (!options.expected_method.empty() && method != options.expected_method) {
    return Problem{"receipt_wrong_method", "/payload/collection/method",
                   "Only receipts collected by " + options.expected_method + " are accepted here."};
  }

  // Same receipt again: answer with what is stored, without countersigning twice.
  auto existing = store.find(receipt.receipt_id);
  if (!existing.ok()) return existing.problems();
  if (existing.value()) {
    if (existing.value()->payload_sha256 != receipt.payload_sha256) {
      return Problem{"ledger_replay", "/payload/receiptId",
                     "A different receipt with the id " + receipt.receipt_id +
                         " is already stored: a receipt id cannot be reused."};
    }
    Accepted out{AppendStatus::kDuplicate, *existing.value(), Json::parse(existing.value()->jws, nullptr, false)};
    return out;
  }

  const std::string accepted_at = options.accepted_at.empty() ? format_rfc3339(now_unix()) : options.accepted_at;
  Result<Json> countersigned = countersign_receipt(jws_text, options.controller_key, accepted_at, crypto);
  if (!countersigned.ok()) return countersigned.problems();
  Result<Json> pub = public_jwk(options.controller_key);
  if (!pub.ok()) return pub.problems();
  Result<std::string> kid = jwk_thumbprint(pub.value(), crypto);
  if (!kid.ok()) return kid.problems();

  const Json& jws = countersigned.value();
  const std::optional<std::string> payload_bytes = jws.contains("payload") && jws["payload"].is_string()
                                                       ? b64url_decode(jws["payload"].get<std::string>())
                                                       : std::nullopt;
  if (!payload_bytes) return Problem{"receipt_payload_not_json", "/payload", "The receipt payload cannot be decoded."};

  // What was checked, kept with the receipt (and covered by the hash chain).
  std::string collector_alg;
  if (receipt.jws.contains("signatures") && receipt.jws["signatures"].is_array() &&
      !receipt.jws["signatures"].empty()) {
    const auto header = b64url_decode(string_at(receipt.jws["signatures"][0], {"protected"}));
    if (header) collector_alg = string_at(Json::parse(*header, nullptr, false), {"alg"});
  }
  const Json verification = {
      {"ok", true}, {"verifiedAt", accepted_at}, {"collectorAlg", collector_alg}, {"countersignedBy", kid.value()}};

  NewReceipt in;
  in.receipt_id = receipt.receipt_id;
  in.jws = jws.dump(-1, ' ', false, Json::error_handler_t::replace);
  in.payload = *payload_bytes;
  in.payload_sha256 = receipt.payload_sha256;
  in.verification = verification.dump();
  in.countersigner_kid = kid.value();
  in.received_at = accepted_at;
  in.issued_at = string_at(payload, {"issuedAt"});
  in.collection_method = method;
  in.supersedes = string_at(payload, {"supersedes"});
  if (payload.contains("retention") && payload["retention"].is_object() && payload["retention"].contains("months") &&
      payload["retention"]["months"].is_number_integer()) {
    in.retention_months = payload["retention"]["months"].get<int>();
  }
  if (options.consume_challenge) in.challenge = string_at(payload, {"collection", "challenge"});

  Result<AppendOutcome> appended = store.append(in);
  if (!appended.ok()) return appended.problems();
  Accepted out;
  out.status = appended.value().status;
  out.stored = appended.value().stored;
  out.jws = Json::parse(out.stored.jws, nullptr, false);
  return out;
}

}  // namespace cachet::ledger
