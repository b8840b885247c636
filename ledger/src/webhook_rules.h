// What both webhook outboxes (SQLite: sqlite_webhooks.cpp; PostgreSQL:
// pg_webhooks.cpp) decide the same way, kept once (webhooks.h): the
// webhook-id of an event, what an attempt makes of a delivery, and how a
// delivery in trouble is reported. Private to ledger/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cachet/json.h"
#include "cachet/ledger/webhooks.h"

namespace cachet::ledger {

// webhook-id: "msg_" + the first 32 hex digits of the entry's hash (the same on every retry).
std::string webhook_id(std::string_view entry_hash, std::int64_t seq);
// RFC 3339 UTC of a unix time in milliseconds.
std::string webhook_time(std::int64_t now_ms);
// Attempt number `attempts` (1 = the first) ended with `outcome`: 2xx
// delivered, 410 gone, else retried, or failed after policy.max_attempts.
DeliveryState attempt_state(const AttemptOutcome& outcome, int attempts, const RetryPolicy& policy);
// One OutboxStatus::problems item.
struct DeliveryRow {
  std::int64_t seq = 0;
  std::string endpoint, state;
  std::int64_t attempts = 0, last_status = 0;
  std::string last_error;
  std::int64_t next_attempt_ms = 0;
  std::string source, facts, created_at, entry_hash;
};
Json delivery_problem(const DeliveryRow& row);

// The outbox of a PostgreSQL ledger (pg_webhooks.cpp), on a connection of
// its own; open_webhook_outbox opens it for a postgresql:// URL.
Result<std::unique_ptr<WebhookOutbox>> open_postgres_webhook_outbox(const std::string& url);

}  // namespace cachet::ledger
