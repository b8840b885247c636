// What POST /api/receipts does with a receipt, without HTTP: verify it, check
// the server challenge, authorise a supersede, check it against the published
// config versions, countersign and append
// (through the ledger's accept_verified). http_server.cpp routes requests here
// and turns the outcome into a response; no httplib in this unit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/ledger/accept.h"
#include "cachet/ledger/store.h"
#include "cachet/problem.h"
#include "cachet/publication.h"

namespace cachet::server {

struct IngestSettings {
  const Json& controller_key;  // private JWK that countersigns
  std::string_view challenge_secret;
  std::string_view link_secret;
  bool require_challenge = true;  // web-form receipts without the admin token need one of ours
  bool admin_configured = false;  // an admin token exists (401 asks for it; without one, 403)
  // The published config versions still accepted (publication.h); every
  // receipt must match one. Null: none is accepted.
  const std::vector<PublishedVersion>* accepted_versions = nullptr;
  std::int64_t issued_at_skew_seconds = 600;
};

struct IngestRequest {
  std::string_view text;         // the receipt, JWS JSON text
  bool admin = false;            // the request carried the admin token
  std::string preference_token;  // X-Cachet-Preference-Token, may be empty
};

struct Ingested {
  int status = 0;  // 200 (already stored) or 201
  ledger::Accepted accepted;
};

// Either `ingested`, or a refusal: `status` non-zero with one `code` and
// `message` (challenge and authorisation refusals), or `problems` from the
// core or the ledger (the HTTP layer picks their status).
struct IngestOutcome {
  std::optional<Ingested> ingested;
  int status = 0;
  std::string code, message;
  Problems problems;
};

IngestOutcome ingest_receipt(ledger::ConsentStore& store, const CryptoProvider& crypto, const IngestSettings& settings,
                             const IngestRequest& request);

}  // namespace cachet::server
