// Signed consent webhooks (docs/webhooks.md): the events of the ledger's
// outbox (cachet/ledger/webhooks.h) POSTed to the operator's endpoints,
// signed as the Standard Webhooks specification says
// (https://www.standardwebhooks.com, "Signature scheme"):
//   webhook-id         the event's id, the same on every retry (deduplicate on it)
//   webhook-timestamp  the attempt's time, integer unix seconds
//   webhook-signature  "v1,<base64 HMAC-SHA256(secret, id "." timestamp "." body)>",
//                      one per secret, space-separated (rotation)
// A secret is "whsec_" + base64 of 24 to 64 random bytes; the HMAC key is the
// decoded bytes. HMAC comes from the CryptoProvider (OpenSSL), never from
// code of ours.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cachet/crypto.h"
#include "cachet/ledger/webhooks.h"
#include "cachet/problem.h"

namespace cachet::server {

// One endpoint and how to sign for it.
struct WebhookEndpoint {
  std::string url;
  std::vector<std::string> secrets;  // decoded key bytes, current first
  std::vector<std::string> events;   // event types it wants; empty = every type
};

struct WebhookOptions {
  std::vector<WebhookEndpoint> endpoints;
  ledger::RetryPolicy policy;
  int timeout_seconds = 15;     // per request (the specification suggests 15 to 30 s)
  int batch = 100;              // deliveries claimed per endpoint and pass
  std::int64_t poll_ms = 1000;  // `cachet serve`: how often the outbox is looked at
};

// The event types Cachet sends (docs/webhooks.md, "Events").
const std::vector<std::string>& webhook_event_types();

// Secrets, one per non-empty line ("whsec_..."; lines starting with # are
// comments). Problems: webhook_bad_secret (naming the line).
Result<std::vector<std::string>> parse_webhook_secrets(std::string_view text, std::string_view source);
// A new secret: "whsec_" + base64 of 32 random bytes.
std::string new_webhook_secret(const CryptoProvider& crypto);
// The webhook-signature header for `secrets` (decoded keys).
std::string webhook_signature(const CryptoProvider& crypto, const std::vector<std::string>& secrets,
                              std::string_view id, std::string_view timestamp, std::string_view body);
// An http:// or https:// URL with a host. Problem webhook_bad_url.
std::optional<Problem> check_webhook_url(std::string_view url, std::string_view where);
// Endpoints from a JSON file (docs/webhooks.md, "Configuration"):
// {"endpoints": [{"url", "secretFile", "events"?: [type, ...]}]}; secret
// files are read relative to the file's directory. Every problem at once,
// each with a JSON Pointer: webhook_bad_config, webhook_bad_url,
// webhook_bad_secret, webhook_unknown_event.
Result<std::vector<WebhookEndpoint>> load_webhook_endpoints(std::string_view json_text, const std::string& file);

// One pass: for each endpoint, claims the due deliveries and sends each
// once (or skips it when the endpoint does not want its type), recording the
// outcome. Failures go to `log` (never a body).
struct PassReport {
  int delivered = 0, retrying = 0, failed = 0, gone = 0, skipped = 0;
  Problems problems;  // the outbox failed (ledger_io)
};
PassReport deliver_due(ledger::WebhookOutbox& outbox, const WebhookOptions& options, const CryptoProvider& crypto,
                       std::ostream& log);

// `cachet serve --webhook ...`: a thread running deliver_due every poll_ms on
// a connection of its own, until stop(). Events written by other processes
// on the same ledger (`cachet export`, `cachet person erase`) are sent too.
class WebhookDispatcher {
 public:
  WebhookDispatcher(std::unique_ptr<ledger::WebhookOutbox> outbox, WebhookOptions options, const CryptoProvider& crypto,
                    std::ostream& log);
  ~WebhookDispatcher() { stop(); }
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;
  // Starts the thread with SIGINT and SIGTERM blocked (the server takes them).
  void start();
  // Finishes the request in flight, then joins.
  void stop();

 private:
  void run();
  std::unique_ptr<ledger::WebhookOutbox> outbox_;
  WebhookOptions options_;
  const CryptoProvider& crypto_;
  std::ostream& log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cachet::server
