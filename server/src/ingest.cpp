// POST /api/receipts without HTTP (ingest.h).
#include "ingest.h"

#include <utility>

#include "cachet/receipt.h"
#include "tokens.h"
#include "util.h"

namespace cachet::server {

using ledger::accept_verified;
using ledger::Accepted;
using ledger::AcceptOptions;
using ledger::AppendStatus;

namespace {

IngestOutcome refused(Problems problems) {
  IngestOutcome out;
  out.problems = std::move(problems);
  return out;
}

IngestOutcome refused(int status, std::string code, std::string message) {
  IngestOutcome out;
  out.status = status;
  out.code = std::move(code);
  out.message = std::move(message);
  return out;
}

}  // namespace

IngestOutcome ingest_receipt(ledger::ConsentStore& store, const CryptoProvider& crypto, const IngestSettings& settings,
                             const IngestRequest& request) {
  Result<VerifiedReceipt> verified = verify_receipt(request.text, crypto);
  if (!verified.ok()) {
    return refused(verified.problems());
  }
  const VerifiedReceipt& receipt = verified.value();
  const bool admin = request.admin;

  // Receipts collected off the web (paper, phone, a partner's relay, a
  // preference centre elsewhere) carry no challenge a person's browser could
  // have fetched, so nothing binds them to this server: only the operator,
  // with the admin token, may submit them (`cachet ledger append` does the
  // same locally). Checked before the idempotent answer, which would
  // otherwise show an anonymous caller the countersigned copy.
  const std::string method = string_at(receipt.payload, {"collection", "method"});
  if (method != "web-form" && !admin) {
    return refused(settings.admin_configured ? 401 : 403, "offweb_admin_required",
                   "Receipts collected off the web (" + (method.empty() ? std::string("no method") : method) +
                       ") are accepted only with the admin token (Authorization: Bearer ...).");
  }

  // Same receipt again: idempotent, whatever it needed the first time.
  auto existing = store.find(receipt.receipt_id);
  if (!existing.ok()) {
    return refused(existing.problems());
  }
  if (existing.value() && existing.value()->payload_sha256 == receipt.payload_sha256) {
    Accepted accepted{AppendStatus::kDuplicate, *existing.value(), Json::parse(existing.value()->jws, nullptr, false)};
    return IngestOutcome{Ingested{200, std::move(accepted)}, 0, {}, {}, {}};
  }

  // Challenges (DESIGN.md 3.2): ours are single-use and expire.
  const std::string challenge = string_at(receipt.payload, {"collection", "challenge"});
  bool consume = false;
  if (!challenge.empty() && challenge.rfind("c1.", 0) == 0) {
    if (auto problem = check_challenge(settings.challenge_secret, challenge, now_unix())) {
      if (settings.require_challenge && !admin) {
        return refused(422, *problem,
                       *problem == "challenge_expired"
                           ? "The server challenge in this receipt has expired; reload the form."
                           : "The server challenge in this receipt was not issued by this server.");
      }
    } else {
      consume = true;
    }
  } else if (settings.require_challenge && !admin) {
    return refused(422, "challenge_required",
                   "This server only accepts receipts that carry a challenge from GET /api/challenge.");
  }

  // An update or withdrawal changes someone's state: only the person (their
  // preference token) or the admin may post one.
  const std::string supersedes = string_at(receipt.payload, {"supersedes"});
  if (!supersedes.empty() && !admin) {
    const auto token = check_preference_token(settings.link_secret, request.preference_token, now_unix());
    auto previous = store.find(supersedes);
    if (!previous.ok()) {
      return refused(previous.problems());
    }
    if (!token || !previous.value() || previous.value()->chain_root != token->chain_root) {
      return refused(403, "supersede_not_authorised",
                     "An update or withdrawal must come with the person's preference token "
                     "(X-Cachet-Preference-Token) or the admin token.");
    }
  }

  AcceptOptions accept;
  accept.controller_key = settings.controller_key;
  accept.consume_challenge = consume;
  // Published versions (publication.h): web and admin receipts alike match a
  // config this server published and still accepts, or are refused (422,
  // the code naming the field); checked in accept_verified before countersigning.
  static const std::vector<PublishedVersion> kNone;
  accept.accepted_versions = settings.accepted_versions != nullptr ? settings.accepted_versions : &kNone;
  accept.max_skew_seconds = settings.issued_at_skew_seconds;
  Result<Accepted> accepted = accept_verified(store, crypto, receipt, accept);
  if (!accepted.ok()) {
    return refused(accepted.problems());
  }
  const int status = accepted.value().status == AppendStatus::kDuplicate ? 200 : 201;
  return IngestOutcome{Ingested{status, std::move(accepted).value()}, 0, {}, {}, {}};
}

}  // namespace cachet::server
