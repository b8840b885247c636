// The SQLite ledger's schema and its migrations (PRAGMA user_version), run
// when a store is opened; docs/server.md describes each version.
#include <string>

#include "cachet/calendar.h"
#include "cachet/ledger/digest.h"
#include "records.h"
#include "sqlite_store.h"

namespace cachet::ledger::sqlite {
namespace {

constexpr int kSchemaVersion = 9;

// The person's rights (issue 13): log entries of kind 'erasure', one
// person's receipts erased at their request (store.h erase). The log's CHECK
// is rebuilt as in steps 3 and 6, with its indexes (log_supersedes of step 5).
// Kept in its own constant so that a merge with another schema step only
// renumbers it.
constexpr const char* kErasureMigration = R"sql(
CREATE TABLE log_new (
  seq        INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('receipt', 'purge', 'event', 'record', 'migration', 'publication',
                                           'transfer', 'notice-ack', 'erasure')),
  receipt_id TEXT,                            -- kinds 'receipt' and 'record'
  entry      TEXT NOT NULL,
  hash       TEXT NOT NULL
);
INSERT INTO log_new(seq, kind, receipt_id, entry, hash) SELECT seq, kind, receipt_id, entry, hash FROM log;
DROP TABLE log;
ALTER TABLE log_new RENAME TO log;
CREATE INDEX log_receipt ON log(receipt_id);
CREATE INDEX log_migration ON log(seq) WHERE kind = 'migration';
CREATE INDEX log_supersedes ON log(CASE WHEN json_valid(entry) THEN json_extract(entry, '$.supersedes') END)
  WHERE kind = 'receipt';
)sql";

// Migrations, indexed by the user_version they lead to. Never edit a shipped
// one: append a new step (PRAGMA user_version records how far a file went).
const char* const kMigrations[] = {
    nullptr,
    // 1: the log, the receipts, consumed challenges, server secrets.
    R"sql(
CREATE TABLE log (
  seq        INTEGER PRIMARY KEY,             -- 1, 2, 3, ... without gaps
  kind       TEXT NOT NULL CHECK (kind IN ('receipt', 'purge')),
  receipt_id TEXT,                            -- kind 'receipt' only
  entry      TEXT NOT NULL,                   -- canonical entry (RFC 8785)
  hash       TEXT NOT NULL                    -- hex SHA-256(previous hash || entry)
);
CREATE INDEX log_receipt ON log(receipt_id);
CREATE TABLE receipts (
  receipt_id        TEXT PRIMARY KEY,
  seq               INTEGER NOT NULL UNIQUE REFERENCES log(seq),
  jws               TEXT NOT NULL,            -- the full countersigned JWS
  payload           TEXT NOT NULL,            -- decoded payload (canonical JSON)
  payload_sha256    TEXT NOT NULL,
  verification      TEXT NOT NULL,
  countersigner_kid TEXT NOT NULL,
  received_at       TEXT NOT NULL,
  issued_at         TEXT NOT NULL,
  collection_method TEXT NOT NULL,
  chain_root        TEXT NOT NULL,            -- the person: first receipt of the chain
  supersedes        TEXT,                     -- NULL for a chain root
  retention_months  INTEGER NOT NULL
);
-- History never forks: a receipt is superseded at most once.
CREATE UNIQUE INDEX receipts_supersedes ON receipts(supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX receipts_chain ON receipts(chain_root, seq);
CREATE TABLE used_challenges (
  challenge  TEXT PRIMARY KEY,
  receipt_id TEXT NOT NULL
);
CREATE TABLE secrets (
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
)sql",
    // 2: log entries of kind 'event' (e.g. exports), recorded by record_event().
    // SQLite cannot alter a CHECK: rebuild the table (foreign keys are off
    // while migrating, see init()).
    R"sql(
CREATE TABLE log_new (
  seq        INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('receipt', 'purge', 'event')),
  receipt_id TEXT,
  entry      TEXT NOT NULL,
  hash       TEXT NOT NULL
);
INSERT INTO log_new(seq, kind, receipt_id, entry, hash) SELECT seq, kind, receipt_id, entry, hash FROM log;
DROP TABLE log;
ALTER TABLE log_new RENAME TO log;
CREATE INDEX log_receipt ON log(receipt_id);
)sql",
    // 3: compact records (store.h, ReceiptRecord; docs/server.md, "Compact
    // records"), stored beside the receipts and bound to the chain by their
    // SHA-256 in a log entry; log entries of kind 'record' (a record
    // back-filled for a receipt stored before schema 3) and 'migration'. The
    // back-fill itself is C++ (backfill_records), in the same transaction.
    R"sql(
CREATE TABLE log_new (
  seq        INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('receipt', 'purge', 'event', 'record', 'migration')),
  receipt_id TEXT,                            -- kinds 'receipt' and 'record'
  entry      TEXT NOT NULL,
  hash       TEXT NOT NULL
);
INSERT INTO log_new(seq, kind, receipt_id, entry, hash) SELECT seq, kind, receipt_id, entry, hash FROM log;
DROP TABLE log;
ALTER TABLE log_new RENAME TO log;
CREATE INDEX log_receipt ON log(receipt_id);
CREATE INDEX log_migration ON log(seq) WHERE kind = 'migration';
CREATE TABLE records (
  entry_seq         INTEGER PRIMARY KEY,      -- the log entry whose recordSha256 binds this record
  receipt_seq       INTEGER NOT NULL UNIQUE,  -- receipts.seq (= entry_seq unless back-filled)
  receipt_id        TEXT NOT NULL UNIQUE,
  chain_root        TEXT NOT NULL,
  supersedes        TEXT NOT NULL,            -- '' for a chain root
  collection_method TEXT NOT NULL,
  countersigner_kid TEXT NOT NULL,
  received_at       TEXT NOT NULL,
  issued_at         TEXT NOT NULL,
  retention_months  INTEGER NOT NULL,
  jws_sha256        TEXT NOT NULL,
  payload_sha256    TEXT NOT NULL,
  verification      TEXT NOT NULL,
  verified          INTEGER NOT NULL,         -- 1: verification ok and the payload's receiptId is receipt_id
  postal_decision   TEXT NOT NULL, postal_basis TEXT NOT NULL,   -- '' = absent from the payload
  phone_decision    TEXT NOT NULL, phone_basis  TEXT NOT NULL,
  email_decision    TEXT NOT NULL, email_basis  TEXT NOT NULL,
  sms_decision      TEXT NOT NULL, sms_basis    TEXT NOT NULL,
  salt              TEXT NOT NULL,
  digest_email      TEXT NOT NULL, digest_phone TEXT NOT NULL, digest_mobile TEXT NOT NULL, digest_postal TEXT NOT NULL,
  partner_ids       TEXT NOT NULL             -- canonical JSON array
);
)sql",
    // 4: published config versions (docs/server.md, "Published config
    // versions"): each config the server served, stored once under the
    // SHA-256 of its RFC 8785 bytes, with the exact notice per locale and the
    // partner list shown, and a log entry of kind 'publication' when first
    // served (the log's CHECK rebuilt as in step 3).
    R"sql(
CREATE TABLE log_new (
  seq        INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('receipt', 'purge', 'event', 'record', 'migration', 'publication')),
  receipt_id TEXT,                            -- kinds 'receipt' and 'record'
  entry      TEXT NOT NULL,
  hash       TEXT NOT NULL
);
INSERT INTO log_new(seq, kind, receipt_id, entry, hash) SELECT seq, kind, receipt_id, entry, hash FROM log;
DROP TABLE log;
ALTER TABLE log_new RENAME TO log;
CREATE INDEX log_receipt ON log(receipt_id);
CREATE INDEX log_migration ON log(seq) WHERE kind = 'migration';
CREATE TABLE publications (
  digest           TEXT PRIMARY KEY,          -- hex SHA-256 of canonical_config: the content address
  seq              INTEGER NOT NULL UNIQUE,   -- its 'publication' log entry
  config_version   TEXT NOT NULL,
  canonical_config TEXT NOT NULL,             -- RFC 8785 bytes of the config
  notices          TEXT NOT NULL,             -- canonical JSON {locale: the canonical notice shown}
  partner_list     TEXT NOT NULL,             -- canonical partner list shown (R7)
  first_served_at  TEXT NOT NULL              -- RFC 3339 UTC
);
CREATE INDEX publications_version ON publications(config_version);
)sql",
    // 5: signed chain heads (head.h; docs/server.md, "Signed chain heads"):
    // the controller's signature on the log's last entry, kept beside the log
    // and not in it (a head that were a log entry would move the head).
    R"sql(
CREATE TABLE chain_heads (
  id        INTEGER PRIMARY KEY,             -- order in which heads were kept
  seq       INTEGER NOT NULL,                -- last log entry covered
  hash      TEXT NOT NULL,                   -- its hex hash
  signed_at TEXT NOT NULL,                   -- RFC 3339 UTC
  kid       TEXT NOT NULL,                   -- RFC 7638 thumbprint of the signing key
  jws       TEXT NOT NULL                    -- the signed head (general JWS JSON)
);
CREATE INDEX chain_heads_seq ON chain_heads(seq, id);
-- Reads look up, from the log itself, whether a receipt was superseded (a
-- successor's row deleted must not bring an older choice back). An index
-- only: without it the same query is right, just slower.
CREATE INDEX log_supersedes ON log(CASE WHEN json_valid(entry) THEN json_extract(entry, '$.supersedes') END)
  WHERE kind = 'receipt';
)sql",
    // 6: transfers to partners and partners' notice acknowledgements
    // (docs/server.md, "Transfers"): sqlite_transfers.cpp, transfers_migration().
    transfers_migration(),
    // 7: log entries of kind 'erasure' (kErasureMigration above).
    kErasureMigration,
    // 8: the webhook outbox, filled by triggers in the transaction of the
    // entry that causes each event (sqlite_webhooks.cpp, webhooks_migration()).
    webhooks_migration(),
    // 9: what each partner holds per person, maintained with each transfer
    // entry (sqlite_transfers.cpp, holdings_migration()).
    holdings_migration(),
};

}  // namespace

Problems SqliteStore::configure_connection() {
  // busy_timeout: concurrent writers (two processes, or the group-commit
  // writer beside this connection) wait instead of failing. WAL +
  // synchronous=FULL: a commit is on disk (WAL fsynced) before append()
  // returns, so an acknowledged receipt survives SIGKILL and power loss.
  // secure_delete: purged receipts (R9) are overwritten, not left in free
  // pages. (journal_mode is the file's; the others are the connection's.)
  sqlite3_busy_timeout(db_, 5000);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=OFF", "PRAGMA secure_delete=ON"}) {
    Stmt st(db_, pragma);
    const int rc = st.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return {io_problem(pragma, db_)};
  }
  return {};
}

Problems SqliteStore::init() {
  if (Problems problems = configure_connection(); !problems.empty()) return problems;
  {
    Stmt st(db_, "PRAGMA journal_mode");
    if (st.step() != SQLITE_ROW || st.text(0) != "wal") {
      return {Problem{"ledger_io", "", "The ledger database could not switch to WAL mode."}};
    }
  }
  if (!exec("BEGIN IMMEDIATE")) return {io_problem("begin migration", db_)};
  int current = 0;
  {
    // Finalised before migrating: DROP TABLE fails while a statement is open.
    Stmt version(db_, "PRAGMA user_version");
    if (version.step() != SQLITE_ROW) {
      exec("ROLLBACK");
      return {io_problem("read schema version", db_)};
    }
    current = static_cast<int>(version.int64(0));
  }
  if (current > kSchemaVersion) {
    exec("ROLLBACK");
    return {Problem{"ledger_schema_too_new", "",
                    "The ledger was written by a newer Cachet (schema " + std::to_string(current) +
                        "); this one understands schema " + std::to_string(kSchemaVersion) + "."}};
  }
  for (int v = current + 1; v <= kSchemaVersion; ++v) {
    if (!exec(kMigrations[v])) {
      const Problem p = io_problem("migration to schema " + std::to_string(v), db_);
      exec("ROLLBACK");
      return {p};
    }
    Problems backfilled = v == 3 ? backfill_records() : Problems{};
    if (backfilled.empty() && !exec("PRAGMA user_version=" + std::to_string(v))) {
      backfilled.push_back(io_problem("migration to schema " + std::to_string(v), db_));
    }
    if (!backfilled.empty()) {
      exec("ROLLBACK");
      return backfilled;
    }
  }
  if (!exec("COMMIT")) return {io_problem("commit migration", db_)};
  // Foreign keys stay off while migrating (table rebuilds), then on for good.
  if (!exec("PRAGMA foreign_keys=ON")) return {io_problem("PRAGMA foreign_keys=ON", db_)};
  return {};
}

// The seq of the schema-3 migration entry: receipt entries before it have
// the schema-1/2 form (their records are stated by 'record' entries after
// it). 0 when the ledger was created at schema 3 (every receipt entry
// states its record).
bool SqliteStore::migration_seq(std::int64_t& out) {
  Stmt st(cache_, "SELECT seq FROM log WHERE kind = 'migration' ORDER BY seq LIMIT 1");
  const int rc = st.step();
  out = rc == SQLITE_ROW ? st.int64(0) : 0;
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

// Schema 2 -> 3, inside init()'s transaction: one 'migration' entry, then
// for every stored receipt, in log order, its compact record and a
// 'record' entry naming the receipt's entry (receiptSeq) and the record's
// SHA-256. A record is derived from a receipt only when the receipt still
// matches its log entry (verify_chain's check); otherwise it is recorded as
// not verified (the export leaves that person out, and `ledger verify`
// still reports the broken receipt).
Problems SqliteStore::backfill_records() {
  std::int64_t seq = 0;
  std::string prev;
  if (!log_head(seq, prev)) return {io_problem("read log head", db_)};
  if (seq == 1) return {};  // an empty ledger: nothing to bind
  std::int64_t count = 0;
  {
    Stmt st(db_, "SELECT count(*) FROM receipts");
    if (st.step() != SQLITE_ROW) return {io_problem("count receipts", db_)};
    count = st.int64(0);
  }
  Json migration = Json::object();
  migration["kind"] = "migration";
  migration["seq"] = seq;
  migration["at"] = calendar::format_rfc3339(calendar::now_unix());
  migration["fromSchema"] = 2;
  migration["toSchema"] = 3;
  migration["records"] = count;
  std::string text = canonical_entry(migration);
  Stmt log(db_, "INSERT INTO log(seq, kind, receipt_id, entry, hash) VALUES (?1, ?2, ?3, ?4, ?5)");
  prev = chain_hash(prev, text);
  log.bind(1, seq).bind(2, std::string_view("migration")).bind(3, std::string_view()).bind(4, text).bind(5, prev);
  if (log.step() != SQLITE_DONE) return {io_problem("append migration entry", db_)};
  Stmt receipts(db_,
                "SELECT r.seq, r.receipt_id, r.jws, r.payload, r.payload_sha256, r.verification, r.countersigner_kid, "
                "r.received_at, r.issued_at, r.chain_root, IFNULL(r.supersedes, ''), r.collection_method, "
                "r.retention_months, IFNULL(l.entry, '') FROM receipts r LEFT JOIN log l ON l.seq = r.seq "
                "ORDER BY r.seq");
  Stmt insert(db_, kInsertRecordSql);
  if (!receipts.ok() || !insert.ok()) return {io_problem("back-fill records", db_)};
  Sha256Hasher sha;
  int rc = SQLITE_OK;
  while ((rc = receipts.step()) == SQLITE_ROW) {
    const std::int64_t receipt_seq = receipts.int64(0);
    const std::string_view jws = receipts.view(2);
    ReceiptRecord record = derive_record(receipts.view(1), sha.hex(jws), receipts.view(3), receipts.view(4),
                                         receipts.view(5), receipts.view(6), receipts.view(7), receipts.view(8),
                                         receipts.view(9), receipts.view(10), receipts.view(11), receipts.int64(12));
    const std::string logged = receipt_entry_for(record, receipt_seq, std::string_view());  // the schema-1/2 form
    if (logged != receipts.view(13) || !payload_matches(jws, receipts.view(3), receipts.view(4), sha)) {
      record.verified = false;
    }
    ++seq;
    record.entry_seq = seq;
    record.receipt_seq = receipt_seq;
    const std::string entry = record_entry(seq, record.receipt_id, receipt_seq, sha.hex(canonical_record(record)));
    prev = chain_hash(prev, entry);
    log.reset();
    log.bind(1, seq).bind(2, std::string_view("record")).bind(3, std::string_view(record.receipt_id)).bind(4, entry);
    log.bind(5, prev);
    if (log.step() != SQLITE_DONE) return {io_problem("append record entry", db_)};
    if (insert_record(insert, record) != SQLITE_DONE) return {io_problem("back-fill record", db_)};
  }
  if (rc != SQLITE_DONE) return {io_problem("back-fill records", db_)};
  return {};
}

}  // namespace cachet::ledger::sqlite
