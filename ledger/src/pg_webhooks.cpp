// The webhook outbox of a PostgreSQL ledger (webhooks.h, docs/webhooks.md):
// the tables and triggers of sqlite_webhooks.cpp's schema-8 step in
// PL/pgSQL, and the outbox the dispatchers (`cachet serve --webhook`,
// `cachet webhooks deliver`) use, on a connection of its own. Events are
// rendered and signed by the same code whichever backend holds them
// (render_webhook_event, server/webhooks.h); backends_test checks that the
// same operations give byte-identical event bodies on both.
#include <string>
#include <utility>
#include <vector>

#include "cachet/ledger/webhooks.h"
#include "pg_store.h"
#include "webhook_rules.h"

namespace cachet::ledger {
namespace pg {

// Triggers, as on SQLite: whatever path writes the entry (append, a purge,
// an erasure, an export's event, from any server process), PostgreSQL
// writes the outbox row in the same transaction. The facts frozen are those
// of the SQLite triggers (sqlite_webhooks.cpp), member for member:
//   - AFTER INSERT ON records, for a record whose entry is the receipt's own:
//     the receipt's columns, and per channel [basis, decision, decision of
//     the receipt it supersedes or ""];
//   - AFTER INSERT ON log: 'erasure' and 'purge' entries, and 'event' entries
//     of type 'export': {"seq", "entryHash", "entry"}.
// ON CONFLICT DO NOTHING: one event per entry, the first. `cachet ledger
// migrate` replaces what the triggers queue while it copies with the
// source's outbox (pg_copy.cpp).
const char* webhooks_schema() {
  return R"sql(
CREATE TABLE IF NOT EXISTS webhook_outbox (
  seq        bigint PRIMARY KEY,
  source     text NOT NULL CHECK (source IN ('receipt', 'erasure', 'purge', 'export')),
  facts      text NOT NULL,
  created_at text NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_endpoints (
  url             text PRIMARY KEY,
  added_at        text NOT NULL,
  disabled_at     text,
  disabled_reason text
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  seq             bigint NOT NULL,
  endpoint        text NOT NULL,
  state           text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'gone', 'skipped')),
  attempts        bigint NOT NULL DEFAULT 0,
  next_attempt_ms bigint NOT NULL DEFAULT 0,
  last_status     bigint NOT NULL DEFAULT 0,
  last_error      text NOT NULL DEFAULT '',
  delivered_at    text,
  PRIMARY KEY (seq, endpoint)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries(endpoint, state, next_attempt_ms);
CREATE INDEX IF NOT EXISTS webhook_deliveries_endpoint ON webhook_deliveries(endpoint, seq);
CREATE OR REPLACE FUNCTION cachet_webhook_receipt() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  partners json;
  previous records%ROWTYPE;
BEGIN
  BEGIN
    partners := NEW.partner_ids::json;
    IF json_typeof(partners) <> 'array' THEN partners := '[]'::json; END IF;
  EXCEPTION WHEN others THEN
    partners := '[]'::json;
  END;
  IF NEW.supersedes <> '' THEN
    SELECT * INTO previous FROM records WHERE receipt_id = NEW.supersedes;
  END IF;
  INSERT INTO webhook_outbox(seq, source, facts, created_at)
  VALUES (NEW.entry_seq, 'receipt', json_build_object(
      'seq', NEW.entry_seq,
      'receiptId', NEW.receipt_id,
      'chainRoot', NEW.chain_root,
      'supersedes', NEW.supersedes,
      'collectionMethod', NEW.collection_method,
      'issuedAt', NEW.issued_at,
      'receivedAt', NEW.received_at,
      'verified', NEW.verified,
      'partnerIds', partners,
      'channels', json_build_object(
          'postal', json_build_array(NEW.postal_basis, NEW.postal_decision, COALESCE(previous.postal_decision, '')),
          'phone', json_build_array(NEW.phone_basis, NEW.phone_decision, COALESCE(previous.phone_decision, '')),
          'email', json_build_array(NEW.email_basis, NEW.email_decision, COALESCE(previous.email_decision, '')),
          'sms', json_build_array(NEW.sms_basis, NEW.sms_decision, COALESCE(previous.sms_decision, ''))))::text,
    to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
  ON CONFLICT (seq) DO NOTHING;
  RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION cachet_webhook_log() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entry json;
BEGIN
  IF NEW.kind = 'event' THEN
    BEGIN
      entry := NEW.entry::json;
    EXCEPTION WHEN others THEN
      RETURN NULL;
    END;
    IF json_typeof(entry) <> 'object' OR (entry ->> 'type') IS DISTINCT FROM 'export' THEN RETURN NULL; END IF;
  ELSE
    entry := NEW.entry::json;
  END IF;
  INSERT INTO webhook_outbox(seq, source, facts, created_at)
  VALUES (NEW.seq, CASE NEW.kind WHEN 'event' THEN 'export' ELSE NEW.kind END,
          json_build_object('seq', NEW.seq, 'entryHash', NEW.hash, 'entry', entry)::text,
          to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
  ON CONFLICT (seq) DO NOTHING;
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS webhook_receipt ON records;
CREATE TRIGGER webhook_receipt AFTER INSERT ON records FOR EACH ROW WHEN (NEW.entry_seq = NEW.receipt_seq)
  EXECUTE FUNCTION cachet_webhook_receipt();
DROP TRIGGER IF EXISTS webhook_log ON log;
CREATE TRIGGER webhook_log AFTER INSERT ON log FOR EACH ROW WHEN (NEW.kind IN ('erasure', 'purge', 'event'))
  EXECUTE FUNCTION cachet_webhook_log();
)sql";
}

namespace {

// Claims and attempts from several dispatchers (one per server process)
// take turns under this lock, as SQLite's BEGIN IMMEDIATE makes them; it is
// not the chain lock, so appends never wait for a dispatcher.
constexpr const char* kOutboxLockSql = "SELECT pg_advisory_xact_lock(7161245608112563)";

class PgWebhookOutbox final : public WebhookOutbox {
 public:
  explicit PgWebhookOutbox(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}

  Result<std::vector<WebhookDelivery>> claim(std::string_view endpoint, std::int64_t now_ms, int limit,
                                             const RetryPolicy& policy) override {
    {
      // Nothing due (or the endpoint disabled): answered by one read.
      Rows idle = conn_->query(
          "SELECT (EXISTS (SELECT 1 FROM webhook_endpoints WHERE url = $1) AND ("
          "EXISTS (SELECT 1 FROM webhook_endpoints WHERE url = $1 AND disabled_at IS NOT NULL) OR NOT EXISTS ("
          "SELECT 1 FROM webhook_outbox WHERE seq > (SELECT COALESCE(MAX(seq), 0) FROM webhook_deliveries "
          "WHERE endpoint = $1) UNION ALL SELECT 1 FROM webhook_deliveries WHERE endpoint = $1 AND "
          "state = 'pending' AND next_attempt_ms <= $2)))::int",
          {endpoint, now_ms});
      if (!idle.ok()) return conn_->io_problem("look for due deliveries", idle);
      if (idle.int64(0, 0) == 1) return std::vector<WebhookDelivery>{};
    }
    if (Problems problems = begin(); !problems.empty()) return problems;
    Rows add = conn_->query("INSERT INTO webhook_endpoints(url, added_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                            {endpoint, webhook_time(now_ms)});
    if (!add.ok()) return fail("register endpoint", add);
    // Deliveries for the events this endpoint has no row for yet (rows are
    // never deleted, so the highest seq it has is the watermark; outbox
    // rows commit in seq order, each under the chain lock).
    Rows fill = conn_->query(
        "INSERT INTO webhook_deliveries(seq, endpoint, state, next_attempt_ms) "
        "SELECT o.seq, $1, 'pending', 0 FROM webhook_outbox o WHERE o.seq > "
        "(SELECT COALESCE(MAX(seq), 0) FROM webhook_deliveries WHERE endpoint = $1)",
        {endpoint});
    if (!fill.ok()) return fail("queue deliveries", fill);
    Rows due = conn_->query(
        "SELECT d.seq, d.attempts, o.source, o.facts, o.created_at, COALESCE(l.hash, '') FROM webhook_deliveries d "
        "JOIN webhook_outbox o ON o.seq = d.seq JOIN webhook_endpoints e ON e.url = d.endpoint "
        "LEFT JOIN log l ON l.seq = d.seq "
        "WHERE d.endpoint = $1 AND d.state = 'pending' AND d.next_attempt_ms <= $2 AND e.disabled_at IS NULL "
        "ORDER BY d.seq LIMIT $3",
        {endpoint, now_ms, static_cast<std::int64_t>(limit)});
    if (!due.ok()) return fail("read due deliveries", due);
    std::vector<WebhookDelivery> out;
    for (int i = 0; i < due.size(); ++i) {
      WebhookDelivery d;
      d.seq = due.int64(i, 0);
      d.endpoint = std::string(endpoint);
      d.attempts = static_cast<int>(due.int64(i, 1));
      const RenderedEvent event = render_webhook_event(due.view(i, 2), due.view(i, 3), due.view(i, 4), due.view(i, 5));
      d.id = webhook_id(due.view(i, 5), d.seq);
      d.type = event.type;
      d.body = event.body;
      out.push_back(std::move(d));
    }
    if (!out.empty()) {
      Rows lease = conn_->query(
          "UPDATE webhook_deliveries SET next_attempt_ms = $3 WHERE endpoint = $1 AND seq = ANY($2::bigint[])",
          {endpoint, seq_array(out), now_ms + policy.lease_ms});
      if (!lease.ok()) return fail("lease deliveries", lease);
    }
    if (Problems problems = commit("commit claim"); !problems.empty()) return problems;
    return out;
  }

  Result<DeliveryState> record_attempt(const WebhookDelivery& delivery, const AttemptOutcome& outcome,
                                       std::int64_t now_ms, const RetryPolicy& policy) override {
    const int attempts = delivery.attempts + 1;
    const DeliveryState state = attempt_state(outcome, attempts, policy);
    const std::int64_t next = state == DeliveryState::kRetry ? now_ms + retry_delay_ms(policy, attempts) : 0;
    if (Problems problems = begin(); !problems.empty()) return problems;
    Rows up = conn_->query(
        "UPDATE webhook_deliveries SET state = $3, attempts = $4, next_attempt_ms = $5, last_status = $6, "
        "last_error = $7, delivered_at = $8 WHERE seq = $1 AND endpoint = $2 AND state = 'pending'",
        {delivery.seq, delivery.endpoint, to_string(state), static_cast<std::int64_t>(attempts), next,
         static_cast<std::int64_t>(outcome.status), outcome.error,
         state == DeliveryState::kDelivered ? Param(webhook_time(now_ms)) : Param::null()});
    if (!up.ok()) return fail("record attempt", up);
    if (state == DeliveryState::kGone) {
      Rows off = conn_->query(
          "UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3 WHERE url = $1 AND disabled_at IS NULL",
          {delivery.endpoint, webhook_time(now_ms), "answered 410 Gone to event " + delivery.id});
      if (!off.ok()) return fail("disable endpoint", off);
    }
    if (Problems problems = commit("commit attempt"); !problems.empty()) return problems;
    return state;
  }

  Result<DeliveryState> skip(const WebhookDelivery& delivery, std::int64_t now_ms) override {
    Rows up = conn_->query(
        "UPDATE webhook_deliveries SET state = 'skipped', delivered_at = $3 WHERE seq = $1 AND endpoint = $2 "
        "AND state = 'pending'",
        {delivery.seq, delivery.endpoint, webhook_time(now_ms)});
    if (!up.ok()) return conn_->io_problem("skip delivery", up);
    return DeliveryState::kSkipped;
  }

  Result<OutboxStatus> status() override {
    Rows begin = conn_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (!begin.ok()) return conn_->io_problem("begin", begin);
    OutboxStatus out;
    Rows count = conn_->exec("SELECT count(*) FROM webhook_outbox");
    if (!count.ok()) return fail("count events", count);
    out.events = count.int64(0, 0);
    Rows eps = conn_->exec(
        "SELECT e.url, COALESCE(e.disabled_at, ''), COALESCE(e.disabled_reason, ''), "
        "(SELECT count(*) FROM webhook_outbox o WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d "
        "WHERE d.seq = o.seq AND d.endpoint = e.url)), "
        "count(d.seq) FILTER (WHERE d.state = 'pending'), count(d.seq) FILTER (WHERE d.state = 'delivered'), "
        "count(d.seq) FILTER (WHERE d.state = 'failed'), count(d.seq) FILTER (WHERE d.state = 'gone'), "
        "count(d.seq) FILTER (WHERE d.state = 'skipped'), "
        "COALESCE(MIN(d.next_attempt_ms) FILTER (WHERE d.state = 'pending'), 0) "
        "FROM webhook_endpoints e LEFT JOIN webhook_deliveries d ON d.endpoint = e.url GROUP BY e.url "
        "ORDER BY e.url COLLATE \"C\"");
    if (!eps.ok()) return fail("read endpoints", eps);
    for (int i = 0; i < eps.size(); ++i) {
      EndpointStatus e;
      e.url = eps.text(i, 0);
      e.disabled_at = eps.text(i, 1);
      e.disabled_reason = eps.text(i, 2);
      // Events not yet queued for it are pending too (queued at its next claim).
      e.pending = eps.int64(i, 3) + eps.int64(i, 4);
      e.delivered = eps.int64(i, 5);
      e.failed = eps.int64(i, 6);
      e.gone = eps.int64(i, 7);
      e.skipped = eps.int64(i, 8);
      e.next_attempt_ms = eps.int64(i, 9);
      out.endpoints.push_back(std::move(e));
    }
    Rows bad = conn_->exec(
        "SELECT d.seq, d.endpoint, d.state, d.attempts, d.last_status, d.last_error, d.next_attempt_ms, "
        "o.source, o.facts, o.created_at, COALESCE(l.hash, '') FROM webhook_deliveries d "
        "JOIN webhook_outbox o ON o.seq = d.seq LEFT JOIN log l ON l.seq = d.seq "
        "WHERE d.state IN ('failed', 'gone') OR (d.state = 'pending' AND d.attempts > 0) "
        "ORDER BY d.endpoint COLLATE \"C\", d.seq LIMIT 1000");
    if (!bad.ok()) return fail("read failed deliveries", bad);
    for (int i = 0; i < bad.size(); ++i) {
      DeliveryRow row;
      row.seq = bad.int64(i, 0);
      row.endpoint = bad.text(i, 1);
      row.state = bad.text(i, 2);
      row.attempts = bad.int64(i, 3);
      row.last_status = bad.int64(i, 4);
      row.last_error = bad.text(i, 5);
      row.next_attempt_ms = bad.int64(i, 6);
      row.source = bad.text(i, 7);
      row.facts = bad.text(i, 8);
      row.created_at = bad.text(i, 9);
      row.entry_hash = bad.text(i, 10);
      out.problems.push_back(delivery_problem(row));
    }
    conn_->exec("ROLLBACK");  // read only
    return out;
  }

  Result<std::int64_t> retry(std::string_view endpoint, std::int64_t now_ms) override {
    if (Problems problems = begin(); !problems.empty()) return problems;
    const bool all = endpoint.empty();
    Rows reset = all ? conn_->query(
                           "WITH r AS (UPDATE webhook_deliveries SET state = 'pending', attempts = 0, "
                           "next_attempt_ms = $1 WHERE state IN ('failed', 'gone') RETURNING 1) SELECT count(*) FROM r",
                           {now_ms})
                     : conn_->query(
                           "WITH r AS (UPDATE webhook_deliveries SET state = 'pending', attempts = 0, "
                           "next_attempt_ms = $1 WHERE state IN ('failed', 'gone') AND endpoint = $2 RETURNING 1) "
                           "SELECT count(*) FROM r",
                           {now_ms, endpoint});
    if (!reset.ok()) return fail("reset deliveries", reset);
    const std::int64_t n = reset.int64(0, 0);
    Rows enable =
        all ? conn_->exec("UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL")
            : conn_->query("UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL WHERE url = $1",
                           {endpoint});
    if (!enable.ok()) return fail("enable endpoints", enable);
    if (Problems problems = commit("commit retry"); !problems.empty()) return problems;
    return n;
  }

  Result<std::vector<WebhookDelivery>> events() override {
    Rows rows = conn_->exec(
        "SELECT o.seq, o.source, o.facts, o.created_at, COALESCE(l.hash, '') FROM webhook_outbox o "
        "LEFT JOIN log l ON l.seq = o.seq ORDER BY o.seq");
    if (!rows.ok()) return conn_->io_problem("read outbox", rows);
    std::vector<WebhookDelivery> out;
    for (int i = 0; i < rows.size(); ++i) {
      WebhookDelivery d;
      d.seq = rows.int64(i, 0);
      const RenderedEvent event =
          render_webhook_event(rows.view(i, 1), rows.view(i, 2), rows.view(i, 3), rows.view(i, 4));
      d.id = webhook_id(rows.view(i, 4), d.seq);
      d.type = event.type;
      d.body = event.body;
      out.push_back(std::move(d));
    }
    return out;
  }

 private:
  Problems begin() {
    Rows begin = conn_->exec("BEGIN");
    if (!begin.ok()) return {conn_->io_problem("begin", begin)};
    Rows lock = conn_->exec(kOutboxLockSql);
    if (!lock.ok()) {
      conn_->exec("ROLLBACK");
      return {conn_->io_problem("take the outbox lock", lock)};
    }
    return {};
  }
  Problem fail(const char* what, const Rows& rows) {
    Problem p = conn_->io_problem(what, rows);
    conn_->exec("ROLLBACK");
    return p;
  }
  Problems commit(const char* what) {
    Rows commit = conn_->exec("COMMIT");
    if (!commit.ok()) return {fail(what, commit)};
    return {};
  }
  static std::string seq_array(const std::vector<WebhookDelivery>& deliveries) {
    std::string out = "{";
    for (const WebhookDelivery& d : deliveries) {
      if (out.size() > 1) out += ",";
      out += std::to_string(d.seq);
    }
    return out + "}";
  }

  std::unique_ptr<Connection> conn_;
};

}  // namespace
}  // namespace pg

Result<std::unique_ptr<WebhookOutbox>> open_postgres_webhook_outbox(const std::string& url) {
  auto conn = pg::Connection::open(url);
  if (!conn.ok()) return conn.problems();
  // The outbox's tables come with the ledger's schema (pg_store.cpp ensure_schema).
  if (Problems problems = pg::ensure_schema(*conn.value()); !problems.empty()) return problems;
  return std::unique_ptr<WebhookOutbox>(std::make_unique<pg::PgWebhookOutbox>(std::move(conn).value()));
}

}  // namespace cachet::ledger
