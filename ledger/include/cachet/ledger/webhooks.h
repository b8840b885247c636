// The webhook outbox (schema 8; docs/webhooks.md): every consent event the
// ledger records (a receipt accepted, so a signup, a preference-centre change
// or an off-web receipt, a withdrawal, an objection; an erasure; a retention
// purge; an export) is written to an outbox table by SQLite triggers on the
// ledger's own tables, so in the same transaction as the log entry that
// causes it: a crash loses no event, and no event exists without its entry.
// A dispatcher (server/webhooks.h: `cachet serve --webhook`, `cachet
// webhooks deliver`) then claims due deliveries, one per event and endpoint,
// POSTs them and records the outcome here, with exponential backoff.
//
// Events carry the event type, receipt ids, chain roots, channels and
// decisions, the ledger seq and entry hash and times: never a contact value
// (R9, data minimisation; the ledger holds none to give).
//
// WebhookOutbox uses a connection of its own on the ledger file (WAL lets it
// run beside `cachet serve`'s writer), or on the PostgreSQL database, whose
// outbox is filled by PL/pgSQL triggers the same way (pg_webhooks.cpp);
// nothing here throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/json.h"
#include "cachet/problem.h"

namespace cachet::ledger {

// When to try again and when to give up.
struct RetryPolicy {
  std::int64_t base_ms = 5000;                      // delay after the first failed attempt
  std::int64_t cap_ms = std::int64_t{6} * 3600000;  // no delay longer than this
  int max_attempts = 20;                            // then the delivery is 'failed'
  std::int64_t lease_ms = 60000;                    // a claimed delivery is not claimed again before this
};

// Milliseconds to wait after failed attempt number `attempt` (1 = the first):
// base * 2^(attempt-1), at most cap. Deterministic (no jitter), so the
// schedule is the one docs/webhooks.md states.
std::int64_t retry_delay_ms(const RetryPolicy& policy, int attempt);

// One event ready to send to one endpoint.
struct WebhookDelivery {
  std::int64_t seq = 0;  // the log entry that caused the event
  std::string endpoint;  // URL
  int attempts = 0;      // attempts already made (0 for the first)
  std::string id;        // webhook-id: "msg_" + the first 32 hex digits of the entry hash; the same on every retry
  std::string type;      // event type, e.g. "consent.withdrawn"
  std::string body;      // RFC 8785 JSON {"type", "timestamp", "data"}: the bytes signed and sent
};

// The outcome of one attempt.
struct AttemptOutcome {
  int status = 0;     // HTTP status; 0 when no answer came
  std::string error;  // why it failed, for the log (empty on a 2xx)
};

// What record_attempt decided.
enum class DeliveryState { kDelivered, kRetry, kFailed, kGone, kSkipped };
std::string_view to_string(DeliveryState state);

// Per endpoint, for `cachet webhooks status`.
struct EndpointStatus {
  std::string url;
  std::int64_t pending = 0, delivered = 0, failed = 0, gone = 0, skipped = 0;
  std::string disabled_at;  // set when the endpoint answered 410 Gone
  std::string disabled_reason;
  std::int64_t next_attempt_ms = 0;  // earliest pending attempt (unix ms), 0 when none
};
struct OutboxStatus {
  std::int64_t events = 0;  // events in the outbox
  std::vector<EndpointStatus> endpoints;
  // Deliveries 'failed' or 'gone', and pending ones that failed at least once:
  // {"seq", "id", "type", "endpoint", "state", "attempts", "lastStatus", "lastError", "nextAttemptAt"}.
  std::vector<Json> problems;
  Json to_json() const;
};

class WebhookOutbox {
 public:
  virtual ~WebhookOutbox() = default;
  // Deliveries due at `now_ms` for `endpoint`, oldest event first, at most
  // `limit`; each is leased (not due again before now + policy.lease_ms) so a
  // second dispatcher on the same ledger does not send it at the same time.
  // Registers the endpoint first: a new endpoint gets every event the outbox
  // holds (docs/webhooks.md). An endpoint disabled by a 410 gets none.
  virtual Result<std::vector<WebhookDelivery>> claim(std::string_view endpoint, std::int64_t now_ms, int limit,
                                                     const RetryPolicy& policy) = 0;
  // Records one attempt: 2xx delivered; 410 gone (the endpoint is disabled,
  // its other deliveries wait); anything else retried after
  // retry_delay_ms(attempts), or failed after policy.max_attempts.
  virtual Result<DeliveryState> record_attempt(const WebhookDelivery& delivery, const AttemptOutcome& outcome,
                                               std::int64_t now_ms, const RetryPolicy& policy) = 0;
  // The endpoint does not want this event type: never sent, kept as 'skipped'.
  virtual Result<DeliveryState> skip(const WebhookDelivery& delivery, std::int64_t now_ms) = 0;
  virtual Result<OutboxStatus> status() = 0;
  // Failed and gone deliveries (of `endpoint`, or of every endpoint when
  // empty) pending again from their first attempt; re-enables the endpoint.
  // Returns how many deliveries were reset.
  virtual Result<std::int64_t> retry(std::string_view endpoint, std::int64_t now_ms) = 0;
  // The body of every event in the outbox, in seq order (tests, audits).
  virtual Result<std::vector<WebhookDelivery>> events() = 0;
};

// Opens the outbox of the ledger at `path`, which must exist and be at
// schema 8 or later (open it with open_sqlite_store first: that migrates);
// or, for a postgresql:// URL (open.h), of that ledger (its tables created
// when missing).
// Problems: ledger_io, ledger_schema_too_old.
Result<std::unique_ptr<WebhookOutbox>> open_webhook_outbox(const std::string& path);

// The event an outbox row stands for (type and body), from its source
// ('receipt', 'erasure', 'purge', 'export'), the facts the trigger froze and
// the hash of the log entry that caused it. Pure, so the body is
// byte-identical on every retry.
struct RenderedEvent {
  std::string type;
  std::string body;
};
RenderedEvent render_webhook_event(std::string_view source, std::string_view facts_json, std::string_view created_at,
                                   std::string_view entry_hash);

}  // namespace cachet::ledger
