#include "cachet/ledger/accept.h"

#include <utility>

#include "cachet/calendar.h"
#include "cachet/jws.h"
#include "cachet/publication.h"
#include "cachet/receipt.h"
#include "cachet/uuid.h"

namespace cachet::ledger {

std::string new_receipt_id(const CryptoProvider& crypto) { return new_uuid(crypto); }

Result<Accepted> accept_receipt(ConsentStore& store, const CryptoProvider& crypto, std::string_view jws_text,
                                const AcceptOptions& options) {
  Result<VerifiedReceipt> verified = verify_receipt(jws_text, crypto);
  if (!verified.ok()) return verified.problems();
  return accept_verified(store, crypto, verified.value(), options);
}

Result<Accepted> accept_verified(ConsentStore& store, const CryptoProvider& crypto, const VerifiedReceipt& receipt,
                                 const AcceptOptions& options) {
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

  const std::string accepted_at =
      options.accepted_at.empty() ? calendar::format_rfc3339(calendar::now_unix()) : options.accepted_at;

  // The controller countersigns only what it published (publication.h).
  std::optional<int> published_retention;
  if (options.accepted_versions != nullptr) {
    PublicationCheck check;
    check.now_unix = calendar::parse_utc_timestamp(accepted_at).value_or(calendar::now_unix());
    check.max_skew_seconds = options.max_skew_seconds;
    // A change after signup may carry the superseded receipt's notice block.
    Json superseded_notice;
    Json superseded_channels;
    const std::string supersedes = string_at(payload, {"supersedes"});
    if (!supersedes.empty()) {
      auto previous = store.find(supersedes);
      if (!previous.ok()) return previous.problems();
      const Json& before = previous.value() ? previous.value()->payload : Json();
      if (before.is_object() && before.contains("notice")) {
        superseded_notice = before["notice"];
        check.superseded_notice = &superseded_notice;
      }
      if (before.is_object() && before.contains("channels")) {
        superseded_channels = before["channels"];
        check.superseded_channels = &superseded_channels;
      }
    }
    Result<const PublishedVersion*> matched = check_against_published(payload, *options.accepted_versions, check);
    if (!matched.ok()) {
      Problems problems = matched.problems();
      for (Problem& p : problems) p.path = "/payload" + p.path;
      return problems;
    }
    published_retention = matched.value()->retention_months;
  }
  // The receipt was parsed and verified once, by the caller: countersign that.
  Result<Json> countersigned = countersign_verified(receipt, options.controller_key, accepted_at, crypto);
  if (!countersigned.ok()) return countersigned.problems();
  Result<Json> pub = public_jwk(options.controller_key);
  if (!pub.ok()) return pub.problems();
  Result<std::string> kid = jwk_thumbprint(pub.value(), crypto);
  if (!kid.ok()) return kid.problems();
  const Json& jws = countersigned.value();

  // What was checked, kept with the receipt (and covered by the hash chain).
  const Json verification = {{"ok", true},
                             {"verifiedAt", accepted_at},
                             {"collectorAlg", receipt.collector_alg},
                             {"countersignedBy", kid.value()}};

  NewReceipt in;
  in.receipt_id = receipt.receipt_id;
  in.jws = jws.dump(-1, ' ', false, Json::error_handler_t::replace);
  in.payload = receipt.payload_bytes;
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
  // R9: the retention is the published config's, never the receipt's own word.
  if (published_retention) in.retention_months = *published_retention;
  if (options.consume_challenge) in.challenge = string_at(payload, {"collection", "challenge"});

  Result<AppendOutcome> appended = store.append(in);
  if (!appended.ok()) return appended.problems();
  Accepted out;
  out.status = appended.value().status;
  out.stored = std::move(appended).value().stored;
  // Appended: the stored JWS is `in.jws`, the text of `jws` (not parsed
  // again). A duplicate appended meanwhile by another request: its own.
  out.jws = out.status == AppendStatus::kAppended ? std::move(countersigned).value()
                                                  : Json::parse(out.stored.jws, nullptr, false);
  return out;
}

}  // namespace cachet::ledger
