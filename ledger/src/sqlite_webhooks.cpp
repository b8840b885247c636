// The webhook outbox (schema 8; webhooks.h, docs/webhooks.md): its schema
// step, the rendering of an outbox row into the event sent, and the outbox
// the dispatchers use, on a connection of its own.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "cachet/calendar.h"
#include "cachet/canonical_json.h"
#include "cachet/choices.h"
#include "cachet/ledger/open.h"
#include "cachet/ledger/webhooks.h"
#include "cachet/lifecycle.h"
#include "sqlite_statement.h"
#include "sqlite_store.h"
#include "webhook_rules.h"

namespace cachet::ledger {
namespace sqlite {

// The schema-8 step (webhooks): the outbox, its endpoints and deliveries, and
// the triggers that fill the outbox. Triggers, not calls in the store's write
// paths: whatever path writes the ledger entry (accept, append_many, an
// erasure, a purge, an export's event), the outbox row is written by SQLite
// in the same statement, so in the same transaction.
//   - AFTER INSERT ON records: a receipt accepted (a record whose entry is
//     the receipt's own; back-filled records of schema 3 are not events). It
//     reads the superseded receipt's record for the decisions before. The
//     entry's hash (the webhook id) is read from the log when the event is
//     rendered, so the order of the log and record inserts does not matter.
//   - AFTER INSERT ON log: 'erasure' and 'purge' entries, and 'event'
//     entries of type 'export'.
// A later step that rebuilds `log` or `records` (DROP TABLE, as steps 3, 4,
// 6 and 7 did for `log`) drops these triggers with the table and must create
// them again: webhooks_test fails when it does not. OR IGNORE: one event per
// entry, the first; a record written again under the same seq (a restore)
// sends nothing twice. Any other failure (disk full) fails the entry's write.
const char* webhooks_migration() {
  return R"sql(
CREATE TABLE webhook_outbox (
  seq        INTEGER PRIMARY KEY,             -- the log entry that caused the event (one event per entry)
  source     TEXT NOT NULL CHECK (source IN ('receipt', 'erasure', 'purge', 'export')),
  facts      TEXT NOT NULL,                   -- JSON frozen at commit; rendered by render_webhook_event
  created_at TEXT NOT NULL                    -- RFC 3339 UTC
);
CREATE TABLE webhook_endpoints (
  url             TEXT PRIMARY KEY,
  added_at        TEXT NOT NULL,
  disabled_at     TEXT,                       -- set when it answered 410 Gone
  disabled_reason TEXT
);
CREATE TABLE webhook_deliveries (
  seq             INTEGER NOT NULL,           -- webhook_outbox.seq
  endpoint        TEXT NOT NULL,              -- webhook_endpoints.url
  state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'gone', 'skipped')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0, -- unix ms; also the lease of a claimed delivery
  last_status     INTEGER NOT NULL DEFAULT 0, -- HTTP status of the last attempt, 0 when none came
  last_error      TEXT NOT NULL DEFAULT '',
  delivered_at    TEXT,
  PRIMARY KEY (seq, endpoint)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(endpoint, state, next_attempt_ms);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint, seq);
CREATE TRIGGER webhook_receipt AFTER INSERT ON records WHEN NEW.entry_seq = NEW.receipt_seq
BEGIN
  INSERT OR IGNORE INTO webhook_outbox(seq, source, facts, created_at)
  SELECT NEW.entry_seq, 'receipt', json_object(
      'seq', NEW.entry_seq,
      'receiptId', NEW.receipt_id,
      'chainRoot', NEW.chain_root,
      'supersedes', NEW.supersedes,
      'collectionMethod', NEW.collection_method,
      'issuedAt', NEW.issued_at,
      'receivedAt', NEW.received_at,
      'verified', NEW.verified,
      'partnerIds', CASE WHEN json_valid(NEW.partner_ids) THEN json(NEW.partner_ids) ELSE json_array() END,
      'channels', json_object(
          'postal', json_array(NEW.postal_basis, NEW.postal_decision, IFNULL(p.postal_decision, '')),
          'phone', json_array(NEW.phone_basis, NEW.phone_decision, IFNULL(p.phone_decision, '')),
          'email', json_array(NEW.email_basis, NEW.email_decision, IFNULL(p.email_decision, '')),
          'sms', json_array(NEW.sms_basis, NEW.sms_decision, IFNULL(p.sms_decision, '')))),
    strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
  FROM (SELECT 1) LEFT JOIN records p ON NEW.supersedes <> '' AND p.receipt_id = NEW.supersedes;
END;
CREATE TRIGGER webhook_log AFTER INSERT ON log
  WHEN NEW.kind IN ('erasure', 'purge')
    OR (NEW.kind = 'event' AND json_valid(NEW.entry) AND json_extract(NEW.entry, '$.type') = 'export')
BEGIN
  INSERT OR IGNORE INTO webhook_outbox(seq, source, facts, created_at)
  VALUES (NEW.seq, CASE NEW.kind WHEN 'event' THEN 'export' ELSE NEW.kind END,
          json_object('seq', NEW.seq, 'entryHash', NEW.hash, 'entry', json(NEW.entry)),
          strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
END;
)sql";
}

}  // namespace sqlite

namespace {

using sqlite::io_problem;
using sqlite::Stmt;
using sqlite::Transaction;

std::string str(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t num(const Json& j, const char* key) {
  if (!j.is_object()) return 0;
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

// A receipt accepted: which channels it newly stops decides the type; every
// receipt event carries the whole channel state so a receiver can apply it
// as is (docs/webhooks.md, "Events").
RenderedEvent render_receipt(const Json& facts, Json& data) {
  data["receiptId"] = str(facts, "receiptId");
  data["chainRoot"] = str(facts, "chainRoot");
  const std::string supersedes = str(facts, "supersedes");
  data["supersedes"] = supersedes.empty() ? Json(nullptr) : Json(supersedes);
  data["collectionMethod"] = str(facts, "collectionMethod");
  data["issuedAt"] = str(facts, "issuedAt");
  data["receivedAt"] = str(facts, "receivedAt");
  data["verified"] = num(facts, "verified") == 1;
  data["partnerIds"] =
      facts.contains("partnerIds") && facts["partnerIds"].is_array() ? facts["partnerIds"] : Json::array();
  Json channels = Json::object();
  Json stopped = Json::array();
  bool withdrawn = false;
  bool objected = false;
  const Json empty = Json::object();
  const Json& in = facts.contains("channels") ? facts["channels"] : empty;
  for (const char* name : {"postal", "phone", "email", "sms"}) {
    if (!in.contains(name) || !in[name].is_array() || in[name].size() != 3) continue;
    const Json& c = in[name];
    const std::string basis = c[0].is_string() ? c[0].get<std::string>() : std::string();
    const std::string decision = c[1].is_string() ? c[1].get<std::string>() : std::string();
    const std::string previous = c[2].is_string() ? c[2].get<std::string>() : std::string();
    if (decision.empty()) continue;  // the receipt says nothing of this channel
    const std::optional<Decision> d = decision_from_string(decision);
    Json entry = {{"basis", basis},
                  {"decision", decision},
                  {"previousDecision", previous.empty() ? Json(nullptr) : Json(previous)},
                  // The core's rule (lifecycle.h stops): may the channel be used?
                  {"allowed", d.has_value() && !stops(*d)}};
    channels[name] = entry;
    if (d && decision != previous && (*d == Decision::kWithdrawn || *d == Decision::kObjected)) {
      stopped.push_back(name);
      withdrawn = withdrawn || *d == Decision::kWithdrawn;
      objected = objected || *d == Decision::kObjected;
    }
  }
  data["channels"] = channels;
  data["stopped"] = stopped;
  std::string type = "receipt.accepted";
  if (withdrawn) {
    type = "consent.withdrawn";
  } else if (objected) {
    type = "consent.objected";
  }
  return RenderedEvent{type, ""};
}

}  // namespace

std::int64_t retry_delay_ms(const RetryPolicy& policy, int attempt) {
  std::int64_t delay = std::max<std::int64_t>(policy.base_ms, 1);
  for (int i = 1; i < attempt && delay < policy.cap_ms; ++i) delay *= 2;
  return std::min(delay, policy.cap_ms);
}

std::string_view to_string(DeliveryState state) {
  switch (state) {
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kRetry:
      return "pending";
    case DeliveryState::kFailed:
      return "failed";
    case DeliveryState::kGone:
      return "gone";
    case DeliveryState::kSkipped:
      return "skipped";
  }
  return "pending";
}

RenderedEvent render_webhook_event(std::string_view source, std::string_view facts_json, std::string_view created_at,
                                   std::string_view entry_hash) {
  const Json facts = Json::parse(facts_json, nullptr, false);
  Json data = Json::object();
  data["ledgerSeq"] = num(facts, "seq");
  data["entryHash"] = entry_hash.empty() ? str(facts, "entryHash") : std::string(entry_hash);
  RenderedEvent out;
  std::string timestamp(created_at);
  if (source == "receipt") {
    out = render_receipt(facts, data);
    if (!str(facts, "receivedAt").empty()) timestamp = str(facts, "receivedAt");
  } else {
    const Json empty = Json::object();
    const Json& entry = facts.is_object() && facts.contains("entry") ? facts["entry"] : empty;
    if (!str(entry, "at").empty()) timestamp = str(entry, "at");
    data["at"] = str(entry, "at");
    if (source == "erasure" || source == "purge") {
      out.type = source == "erasure" ? "person.erased" : "person.purged";
      // Receipt ids and chain roots only: what a receiver keyed its copy by.
      Json ids = Json::array();
      Json roots = Json::array();
      if (source == "erasure") roots.push_back(str(entry, "chainRoot"));
      if (entry.contains("removed") && entry["removed"].is_array()) {
        for (const Json& r : entry["removed"]) {
          ids.push_back(str(r, "receiptId"));
          const std::string root = str(r, "chainRoot");
          if (!root.empty() && std::find(roots.begin(), roots.end(), Json(root)) == roots.end()) {
            roots.push_back(root);
          }
        }
      }
      data["chainRoots"] = roots;
      data["receiptIds"] = ids;
      if (source == "erasure") {
        data["requestedAt"] = str(entry, "requestedAt");
      } else {
        data["reason"] = str(entry, "reason");
      }
    } else {
      out.type = "export.completed";
      const Json details = entry.contains("details") ? entry["details"] : Json::object();
      data["agent"] = str(details, "agent");
      data["rows"] = num(details, "rows");
      data["noticeDeadline"] = str(details, "noticeDeadline");
      data["contactsSha256"] = str(details, "contactsSha256");
      // The per-partner transfer summary: files, digests and row counts,
      // never a row (the files hold contact values; the event does not).
      Json partners = Json::array();
      if (details.contains("partners") && details["partners"].is_array()) {
        for (const Json& p : details["partners"]) {
          Json item = {{"id", str(p, "id")},
                       {"file", str(p, "file")},
                       {"sha256", str(p, "sha256")},
                       {"rows", num(p, "rows")},
                       {"transferSeq", num(p, "transferSeq")}};
          if (!str(p, "receiptsSha256").empty()) item["receiptsSha256"] = str(p, "receiptsSha256");
          partners.push_back(item);
        }
      }
      data["partners"] = partners;
    }
  }
  const Json event = {{"type", out.type}, {"timestamp", timestamp}, {"data", data}};
  Result<std::string> body = canonicalize(event);
  out.body = body.ok() ? body.value() : event.dump();
  return out;
}

Json OutboxStatus::to_json() const {
  Json eps = Json::array();
  for (const EndpointStatus& e : endpoints) {
    eps.push_back(
        {{"url", e.url},
         {"pending", e.pending},
         {"delivered", e.delivered},
         {"failed", e.failed},
         {"gone", e.gone},
         {"disabledAt", e.disabled_at.empty() ? Json(nullptr) : Json(e.disabled_at)},
         {"disabledReason", e.disabled_reason},
         {"nextAttemptAt",
          e.next_attempt_ms == 0 ? Json(nullptr) : Json(calendar::format_rfc3339(e.next_attempt_ms / 1000))}});
  }
  return Json{{"events", events}, {"endpoints", eps}, {"problems", problems}};
}

std::string webhook_id(std::string_view entry_hash, std::int64_t seq) {
  if (entry_hash.size() >= 32) return "msg_" + std::string(entry_hash.substr(0, 32));
  return "msg_seq" + std::to_string(seq);
}

std::string webhook_time(std::int64_t now_ms) { return calendar::format_rfc3339(now_ms / 1000); }

DeliveryState attempt_state(const AttemptOutcome& outcome, int attempts, const RetryPolicy& policy) {
  if (outcome.status >= 200 && outcome.status <= 299) return DeliveryState::kDelivered;
  if (outcome.status == 410) return DeliveryState::kGone;
  if (attempts >= policy.max_attempts) return DeliveryState::kFailed;
  return DeliveryState::kRetry;
}

Json delivery_problem(const DeliveryRow& row) {
  return {{"seq", row.seq},
          {"id", webhook_id(row.entry_hash, row.seq)},
          {"type", render_webhook_event(row.source, row.facts, row.created_at, row.entry_hash).type},
          {"endpoint", row.endpoint},
          {"state", row.state},
          {"attempts", row.attempts},
          {"lastStatus", row.last_status},
          {"lastError", row.last_error},
          {"nextAttemptAt",
           row.state == "pending" ? Json(calendar::format_rfc3339(row.next_attempt_ms / 1000)) : Json(nullptr)}};
}

namespace {

std::string now_text(std::int64_t now_ms) { return webhook_time(now_ms); }

class SqliteWebhookOutbox final : public WebhookOutbox {
 public:
  explicit SqliteWebhookOutbox(sqlite3* db) : db_(db) {}
  ~SqliteWebhookOutbox() override { sqlite3_close_v2(db_); }
  SqliteWebhookOutbox(const SqliteWebhookOutbox&) = delete;
  SqliteWebhookOutbox& operator=(const SqliteWebhookOutbox&) = delete;

  Result<std::vector<WebhookDelivery>> claim(std::string_view endpoint, std::int64_t now_ms, int limit,
                                             const RetryPolicy& policy) override {
    {
      // The dispatcher polls: when nothing is due (or the endpoint is
      // disabled), answer from a read alone, without taking the write lock
      // the server's receipts need.
      Stmt idle(db_,
                "SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE url = ?1) AND ("
                "EXISTS (SELECT 1 FROM webhook_endpoints WHERE url = ?1 AND disabled_at IS NOT NULL) OR NOT EXISTS ("
                "SELECT 1 FROM webhook_outbox WHERE seq > (SELECT IFNULL(MAX(seq), 0) FROM webhook_deliveries "
                "WHERE endpoint = ?1) UNION ALL SELECT 1 FROM webhook_deliveries WHERE endpoint = ?1 AND "
                "state = 'pending' AND next_attempt_ms <= ?2))");
      idle.bind(1, endpoint).bind(2, now_ms);
      if (idle.step() != SQLITE_ROW) return io_problem("look for due deliveries", db_);
      if (idle.int64(0) == 1) return std::vector<WebhookDelivery>{};
    }
    Transaction tx(db_, "BEGIN IMMEDIATE");
    if (!tx.ok()) return io_problem("begin", db_);
    {
      Stmt add(db_, "INSERT OR IGNORE INTO webhook_endpoints(url, added_at) VALUES (?1, ?2)");
      add.bind(1, endpoint).bind(2, now_text(now_ms));
      if (add.step() != SQLITE_DONE) return io_problem("register endpoint", db_);
      // Deliveries for the events this endpoint has no row for yet (rows are
      // never deleted, so the highest seq it has is the watermark).
      Stmt fill(db_,
                "INSERT INTO webhook_deliveries(seq, endpoint, state, next_attempt_ms) "
                "SELECT o.seq, ?1, 'pending', 0 FROM webhook_outbox o WHERE o.seq > "
                "(SELECT IFNULL(MAX(seq), 0) FROM webhook_deliveries WHERE endpoint = ?1)");
      fill.bind(1, endpoint);
      if (fill.step() != SQLITE_DONE) return io_problem("queue deliveries", db_);
    }
    std::vector<WebhookDelivery> out;
    {
      Stmt due(
          db_,
          "SELECT d.seq, d.attempts, o.source, o.facts, o.created_at, IFNULL(l.hash, '') FROM webhook_deliveries d "
          "JOIN webhook_outbox o ON o.seq = d.seq JOIN webhook_endpoints e ON e.url = d.endpoint "
          "LEFT JOIN log l ON l.seq = d.seq "
          "WHERE d.endpoint = ?1 AND d.state = 'pending' AND d.next_attempt_ms <= ?2 AND e.disabled_at IS NULL "
          "ORDER BY d.seq LIMIT ?3");
      due.bind(1, endpoint).bind(2, now_ms).bind(3, static_cast<std::int64_t>(limit));
      int rc = SQLITE_OK;
      while ((rc = due.step()) == SQLITE_ROW) {
        WebhookDelivery d;
        d.seq = due.int64(0);
        d.endpoint = std::string(endpoint);
        d.attempts = static_cast<int>(due.int64(1));
        const RenderedEvent event = render_webhook_event(due.text(2), due.text(3), due.text(4), due.text(5));
        d.id = webhook_id(due.text(5), d.seq);
        d.type = event.type;
        d.body = event.body;
        out.push_back(std::move(d));
      }
      if (rc != SQLITE_DONE) return io_problem("read due deliveries", db_);
    }
    Stmt lease(db_, "UPDATE webhook_deliveries SET next_attempt_ms = ?3 WHERE seq = ?1 AND endpoint = ?2");
    for (const WebhookDelivery& d : out) {
      lease.reset();
      lease.bind(1, d.seq).bind(2, endpoint).bind(3, now_ms + policy.lease_ms);
      if (lease.step() != SQLITE_DONE) return io_problem("lease delivery", db_);
    }
    if (!tx.commit()) return io_problem("commit claim", db_);
    return out;
  }

  Result<DeliveryState> record_attempt(const WebhookDelivery& delivery, const AttemptOutcome& outcome,
                                       std::int64_t now_ms, const RetryPolicy& policy) override {
    Transaction tx(db_, "BEGIN IMMEDIATE");
    if (!tx.ok()) return io_problem("begin", db_);
    const int attempts = delivery.attempts + 1;
    const DeliveryState state = attempt_state(outcome, attempts, policy);
    const std::int64_t next = state == DeliveryState::kRetry ? now_ms + retry_delay_ms(policy, attempts) : 0;
    Stmt up(db_,
            "UPDATE webhook_deliveries SET state = ?3, attempts = ?4, next_attempt_ms = ?5, last_status = ?6, "
            "last_error = ?7, delivered_at = ?8 WHERE seq = ?1 AND endpoint = ?2 AND state = 'pending'");
    up.bind(1, delivery.seq).bind(2, delivery.endpoint).bind(3, to_string(state));
    up.bind(4, static_cast<std::int64_t>(attempts)).bind(5, next).bind(6, static_cast<std::int64_t>(outcome.status));
    up.bind(7, outcome.error);
    up.bind_null_if_empty(8, state == DeliveryState::kDelivered ? now_text(now_ms) : std::string());
    if (up.step() != SQLITE_DONE) return io_problem("record attempt", db_);
    if (state == DeliveryState::kGone) {
      Stmt off(db_,
               "UPDATE webhook_endpoints SET disabled_at = ?2, disabled_reason = ?3 WHERE url = ?1 AND "
               "disabled_at IS NULL");
      off.bind(1, delivery.endpoint).bind(2, now_text(now_ms));
      off.bind(3, "answered 410 Gone to event " + delivery.id);
      if (off.step() != SQLITE_DONE) return io_problem("disable endpoint", db_);
    }
    if (!tx.commit()) return io_problem("commit attempt", db_);
    return state;
  }

  Result<DeliveryState> skip(const WebhookDelivery& delivery, std::int64_t now_ms) override {
    Stmt up(db_,
            "UPDATE webhook_deliveries SET state = 'skipped', delivered_at = ?3 WHERE seq = ?1 AND endpoint = ?2 "
            "AND state = 'pending'");
    up.bind(1, delivery.seq).bind(2, delivery.endpoint).bind(3, now_text(now_ms));
    if (up.step() != SQLITE_DONE) return io_problem("skip delivery", db_);
    return DeliveryState::kSkipped;
  }

  Result<OutboxStatus> status() override {
    Transaction tx(db_, "BEGIN");
    if (!tx.ok()) return io_problem("begin", db_);
    OutboxStatus out;
    {
      Stmt count(db_, "SELECT count(*) FROM webhook_outbox");
      if (count.step() != SQLITE_ROW) return io_problem("count events", db_);
      out.events = count.int64(0);
    }
    Stmt eps(db_,
             "SELECT e.url, IFNULL(e.disabled_at, ''), IFNULL(e.disabled_reason, ''), "
             "(SELECT count(*) FROM webhook_outbox o WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d "
             "WHERE d.seq = o.seq AND d.endpoint = e.url)), "
             "SUM(d.state = 'pending'), SUM(d.state = 'delivered'), SUM(d.state = 'failed'), SUM(d.state = 'gone'), "
             "SUM(d.state = 'skipped'), "
             "MIN(CASE WHEN d.state = 'pending' THEN d.next_attempt_ms END) "
             "FROM webhook_endpoints e LEFT JOIN webhook_deliveries d ON d.endpoint = e.url GROUP BY e.url "
             "ORDER BY e.url");
    int rc = SQLITE_OK;
    while ((rc = eps.step()) == SQLITE_ROW) {
      EndpointStatus e;
      e.url = eps.text(0);
      e.disabled_at = eps.text(1);
      e.disabled_reason = eps.text(2);
      // Events not yet queued for it are pending too (queued at its next claim).
      e.pending = eps.int64(3) + eps.int64(4);
      e.delivered = eps.int64(5);
      e.failed = eps.int64(6);
      e.gone = eps.int64(7);
      e.skipped = eps.int64(8);
      e.next_attempt_ms = eps.int64(9);
      out.endpoints.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE) return io_problem("read endpoints", db_);
    Stmt bad(db_,
             "SELECT d.seq, d.endpoint, d.state, d.attempts, d.last_status, d.last_error, d.next_attempt_ms, "
             "o.source, o.facts, o.created_at, IFNULL(l.hash, '') FROM webhook_deliveries d "
             "JOIN webhook_outbox o ON o.seq = d.seq LEFT JOIN log l ON l.seq = d.seq "
             "WHERE d.state IN ('failed', 'gone') OR (d.state = 'pending' AND d.attempts > 0) "
             "ORDER BY d.endpoint, d.seq LIMIT 1000");
    while ((rc = bad.step()) == SQLITE_ROW) {
      DeliveryRow row;
      row.seq = bad.int64(0);
      row.endpoint = bad.text(1);
      row.state = bad.text(2);
      row.attempts = bad.int64(3);
      row.last_status = bad.int64(4);
      row.last_error = bad.text(5);
      row.next_attempt_ms = bad.int64(6);
      row.source = bad.text(7);
      row.facts = bad.text(8);
      row.created_at = bad.text(9);
      row.entry_hash = bad.text(10);
      out.problems.push_back(delivery_problem(row));
    }
    if (rc != SQLITE_DONE) return io_problem("read failed deliveries", db_);
    return out;
  }

  Result<std::int64_t> retry(std::string_view endpoint, std::int64_t now_ms) override {
    Transaction tx(db_, "BEGIN IMMEDIATE");
    if (!tx.ok()) return io_problem("begin", db_);
    const bool all = endpoint.empty();
    Stmt reset(db_, all ? "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_ms = ?1 "
                          "WHERE state IN ('failed', 'gone')"
                        : "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_ms = ?1 "
                          "WHERE state IN ('failed', 'gone') AND endpoint = ?2");
    reset.bind(1, now_ms);
    if (!all) reset.bind(2, endpoint);
    if (reset.step() != SQLITE_DONE) return io_problem("reset deliveries", db_);
    const std::int64_t n = sqlite3_changes(db_);
    Stmt enable(db_, all ? "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL"
                         : "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL WHERE url = ?1");
    if (!all) enable.bind(1, endpoint);
    if (enable.step() != SQLITE_DONE) return io_problem("enable endpoints", db_);
    if (!tx.commit()) return io_problem("commit retry", db_);
    return n;
  }

  Result<std::vector<WebhookDelivery>> events() override {
    Stmt st(db_,
            "SELECT o.seq, o.source, o.facts, o.created_at, IFNULL(l.hash, '') FROM webhook_outbox o "
            "LEFT JOIN log l ON l.seq = o.seq ORDER BY o.seq");
    std::vector<WebhookDelivery> out;
    int rc = SQLITE_OK;
    while ((rc = st.step()) == SQLITE_ROW) {
      WebhookDelivery d;
      d.seq = st.int64(0);
      const RenderedEvent event = render_webhook_event(st.text(1), st.text(2), st.text(3), st.text(4));
      d.id = webhook_id(st.text(4), d.seq);
      d.type = event.type;
      d.body = event.body;
      out.push_back(std::move(d));
    }
    if (rc != SQLITE_DONE) return io_problem("read outbox", db_);
    return out;
  }

 private:
  sqlite3* db_;
};

}  // namespace

Result<std::unique_ptr<WebhookOutbox>> open_webhook_outbox(const std::string& path) {
  if (is_postgres_url(path)) return open_postgres_webhook_outbox(path);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Problem p{"ledger_io", "",
              "Cannot open the ledger database " + path + ": " +
                  std::string(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + "."};
    sqlite3_close_v2(db);
    return p;
  }
  auto outbox = std::make_unique<SqliteWebhookOutbox>(db);
  sqlite3_busy_timeout(db, 5000);
  // Same durability as the store (sqlite_schema.cpp init): a recorded
  // delivery is on disk before the next is sent.
  if (!sqlite::exec(db, "PRAGMA synchronous=FULL")) return io_problem("PRAGMA synchronous", db);
  Stmt version(db, "PRAGMA user_version");
  if (version.step() != SQLITE_ROW) return io_problem("read schema version", db);
  Stmt table(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'webhook_outbox'");
  if (table.step() != SQLITE_ROW) {
    return Problem{"ledger_schema_too_old", "",
                   path + ": the ledger (schema " + std::to_string(version.int64(0)) +
                       ") has no webhook outbox; open it once with this Cachet (cachet ledger verify) to migrate it."};
  }
  return std::unique_ptr<WebhookOutbox>(std::move(outbox));
}

}  // namespace cachet::ledger
