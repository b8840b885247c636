// `cachet serve`: the controller's consent endpoint (cpp-httplib). Endpoints,
// status codes and the security model are documented in docs/server.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "cachet/config.h"
#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/ledger/store.h"

namespace cachet::server {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                       // 0: any free port (printed on startup)
  Json controller_key;                   // private JWK that countersigns
  std::vector<std::string> static_dirs;  // served at "/", first match wins (demo, then dist)
  // Web-form receipts need a valid, unused challenge from GET /api/challenge
  // unless the admin token comes with them; false only with --allow-unchallenged.
  bool require_challenge = true;
  std::string admin_token;                        // Bearer token for admin endpoints; empty = none
  bool show_preference_links = false;             // demo: hand preference-centre links out on screen
  std::string public_url;                         // https://x.example: base of links and preference-centre page URLs
  std::size_t max_body = std::size_t{64} * 1024;  // larger requests get 413
  // Files in multipart form posts (/signup, /preferences) are read and
  // dropped, never kept; this bounds their bytes (413 over it).
  std::size_t max_upload = std::size_t{8} * 1024 * 1024;
  // Connection limits and deadlines (server/src/connection_limits.h, docs/server.md).
  int header_timeout_seconds = 10;
  int body_timeout_seconds = 30;
  std::size_t max_connections = 128;
  int challenge_ttl_seconds = 600;
  int link_ttl_seconds = 7 * 24 * 3600;  // preference links (--preference-link-ttl)
  // "Send me my preference link" (docs/rights.md): POST
  // /api/preference-link/request hands fresh links to this command (the
  // message as JSON on its stdin) or POSTs them to this webhook; with
  // neither, the endpoint answers 503. Requests per address and per client
  // IP, per hour, beyond which it answers 429.
  std::string mail_command;
  std::string mail_webhook;
  int mail_timeout_seconds = 30;
  std::size_t link_requests_per_address = 3;
  std::size_t link_requests_per_ip = 30;
  // Published config versions (docs/server.md): receipts of an earlier
  // version are still accepted this long after it stopped being current
  // (forms loaded before a config switch still submit).
  std::int64_t previous_config_grace_seconds = std::int64_t{24} * 3600;
  // issuedAt may be this far ahead of arrival (and, for a web form, behind it).
  std::int64_t issued_at_skew_seconds = 600;
  // Signed chain heads (docs/server.md): every this many seconds when the log
  // moved, and at shutdown; 0 = never.
  int head_interval_seconds = 600;
};

// Publishes `config` in the ledger first (a 'publication' entry the first
// time this version is served), then accepts receipts of it and of earlier
// versions within the grace period. Runs until SIGINT or SIGTERM. Writes "Listening on http://HOST:PORT" to
// `out` (flushed) once the socket is bound; access log lines (method, path,
// status: never query strings, which may hold tokens) go to `log`.
// Signs the chain head with the controller key every head_interval_seconds
// when the log moved, and once more at shutdown (errors go to `log`).
// Returns 0 after a clean stop, 2 when the address cannot be bound.
int serve(const ServeOptions& options, const Config& config, ledger::ConsentStore& store, const CryptoProvider& crypto,
          std::ostream& out, std::ostream& log);

}  // namespace cachet::server
