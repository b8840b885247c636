// PostgreSQL backend of the consent ledger (store.h, open.h, pg_store.h):
// the same tables, hash chain and checks as the SQLite backend
// (sqlite_store.cpp is the reference), for several `cachet serve` processes
// sharing one ledger. Appends take the chain lock (pg_store.h) so that seqs
// stay consecutive and each entry chains onto the one before, whichever
// process wrote it.
#include "pg_store.h"

#include <map>
#include <mutex>
#include <utility>

#include "backend_rules.h"
#include "cachet/calendar.h"
#include "cachet/canonical_json.h"
#include "cachet/ledger/digest.h"
#include "cachet/ledger/open.h"
#include "cachet/openssl_crypto.h"
#include "records.h"
#include "sqlite_store.h"

namespace cachet::ledger::pg {
namespace {

// The layout of sqlite_schema.cpp at schema 8; the webhook outbox's tables
// and triggers are pg_webhooks.cpp's webhooks_schema(). Never edit a shipped
// step: add one.
constexpr int kSchemaVersion = 8;
constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS cachet_meta (
  name  text PRIMARY KEY,
  value text NOT NULL
);
CREATE TABLE IF NOT EXISTS log (
  seq        bigint PRIMARY KEY,              -- 1, 2, 3, ... without gaps
  kind       text NOT NULL CHECK (kind IN ('receipt', 'purge', 'event', 'record', 'migration', 'publication',
                                           'transfer', 'notice-ack', 'erasure')),
  receipt_id text,                            -- kinds 'receipt' and 'record'
  entry      text NOT NULL,                   -- canonical entry (RFC 8785)
  hash       text NOT NULL                    -- hex SHA-256(previous hash || entry)
);
CREATE INDEX IF NOT EXISTS log_receipt ON log(receipt_id);
CREATE INDEX IF NOT EXISTS log_migration ON log(seq) WHERE kind = 'migration';
CREATE INDEX IF NOT EXISTS log_supersedes ON log(((entry::jsonb) ->> 'supersedes')) WHERE kind = 'receipt';
CREATE TABLE IF NOT EXISTS receipts (
  receipt_id        text PRIMARY KEY,
  seq               bigint NOT NULL UNIQUE,
  jws               text NOT NULL,
  payload           text NOT NULL,
  payload_sha256    text NOT NULL,
  verification      text NOT NULL,
  countersigner_kid text NOT NULL,
  received_at       text NOT NULL,
  issued_at         text NOT NULL,
  collection_method text NOT NULL,
  chain_root        text NOT NULL,
  supersedes        text,
  retention_months  bigint NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS receipts_supersedes ON receipts(supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX IF NOT EXISTS receipts_chain ON receipts(chain_root, seq);
CREATE TABLE IF NOT EXISTS used_challenges (
  challenge  text PRIMARY KEY,
  receipt_id text NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
  name  text PRIMARY KEY,
  value bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  entry_seq         bigint PRIMARY KEY,
  receipt_seq       bigint NOT NULL UNIQUE,
  receipt_id        text NOT NULL UNIQUE,
  chain_root        text NOT NULL,
  supersedes        text NOT NULL,
  collection_method text NOT NULL,
  countersigner_kid text NOT NULL,
  received_at       text NOT NULL,
  issued_at         text NOT NULL,
  retention_months  bigint NOT NULL,
  jws_sha256        text NOT NULL,
  payload_sha256    text NOT NULL,
  verification      text NOT NULL,
  verified          bigint NOT NULL,
  postal_decision   text NOT NULL, postal_basis text NOT NULL,
  phone_decision    text NOT NULL, phone_basis  text NOT NULL,
  email_decision    text NOT NULL, email_basis  text NOT NULL,
  sms_decision      text NOT NULL, sms_basis    text NOT NULL,
  salt              text NOT NULL,
  digest_email      text NOT NULL, digest_phone text NOT NULL, digest_mobile text NOT NULL, digest_postal text NOT NULL,
  partner_ids       text NOT NULL
);
CREATE TABLE IF NOT EXISTS publications (
  digest           text PRIMARY KEY,
  seq              bigint NOT NULL UNIQUE,
  config_version   text NOT NULL,
  canonical_config text NOT NULL,
  notices          text NOT NULL,
  partner_list     text NOT NULL,
  first_served_at  text NOT NULL
);
CREATE INDEX IF NOT EXISTS publications_version ON publications(config_version);
CREATE TABLE IF NOT EXISTS chain_heads (
  id        bigserial PRIMARY KEY,
  seq       bigint NOT NULL,
  hash      text NOT NULL,
  signed_at text NOT NULL,
  kid       text NOT NULL,
  jws       text NOT NULL
);
CREATE INDEX IF NOT EXISTS chain_heads_seq ON chain_heads(seq, id);
CREATE TABLE IF NOT EXISTS transfers (
  id          bigint PRIMARY KEY,
  seq         bigint NOT NULL,
  partner_id  text NOT NULL,
  reference   text NOT NULL,
  chain_root  text NOT NULL,
  channels    text NOT NULL,
  at          text NOT NULL,
  file_sha256 text NOT NULL,
  notice_due  text NOT NULL
);
CREATE INDEX IF NOT EXISTS transfers_seq ON transfers(seq, id);
CREATE INDEX IF NOT EXISTS transfers_person ON transfers(chain_root, seq);
CREATE INDEX IF NOT EXISTS transfers_reference ON transfers(partner_id, reference, seq);
CREATE TABLE IF NOT EXISTS notice_acks (
  id          bigint PRIMARY KEY,
  seq         bigint NOT NULL,
  line        bigint NOT NULL,
  partner_id  text NOT NULL,
  reference   text NOT NULL,
  sent_at     text NOT NULL
);
CREATE INDEX IF NOT EXISTS notice_acks_seq ON notice_acks(seq, id);
CREATE INDEX IF NOT EXISTS notice_acks_reference ON notice_acks(partner_id, reference);
-- What each partner holds per person (SQLite schema 9; store.h, Holding):
-- maintained with each transfer entry; read in chain_root COLLATE "C" order.
CREATE TABLE IF NOT EXISTS transfer_holdings (
  partner_id  text NOT NULL,
  chain_root  text NOT NULL,
  reference   text NOT NULL,
  channels    bigint NOT NULL,
  notice_due  text NOT NULL,
  PRIMARY KEY (partner_id, chain_root)
);
)sql";

// Columns read for a StoredReceipt (as sqlite_store.cpp's kReceiptColumns),
// then, for the read check, the receipt's own log entry and the hash of the
// entry before it (NULL for the first).
constexpr const char* kReceiptColumns =
    "r.seq, r.receipt_id, r.jws, r.payload_sha256, r.verification, r.countersigner_kid, r.received_at, "
    "r.issued_at, r.collection_method, r.chain_root, COALESCE(r.supersedes, ''), "
    "COALESCE((SELECT s.receipt_id FROM receipts s WHERE s.supersedes = r.receipt_id), ''), "
    "r.retention_months, COALESCE((SELECT l.hash FROM log l WHERE l.seq = r.seq), ''), r.payload, "
    "COALESCE((SELECT l.entry FROM log l WHERE l.seq = r.seq AND l.kind = 'receipt' AND l.receipt_id = "
    "r.receipt_id), ''), (SELECT p.hash FROM log p WHERE p.seq = r.seq - 1)";
constexpr int kEntryColumn = 15;
constexpr int kPrevHashColumn = 16;
// The receipt entry naming $1 as the receipt it supersedes (log_supersedes).
constexpr const char* kSuccessorSql =
    "SELECT seq, COALESCE(receipt_id, '') FROM log WHERE kind = 'receipt' AND ((entry::jsonb) ->> 'supersedes') = $1 "
    "LIMIT 1";

StoredReceipt read_receipt(const Rows& rows, int i) {
  StoredReceipt r;
  r.seq = rows.int64(i, 0);
  r.receipt_id = rows.text(i, 1);
  r.jws = rows.text(i, 2);
  r.payload_sha256 = rows.text(i, 3);
  r.verification = rows.text(i, 4);
  r.countersigner_kid = rows.text(i, 5);
  r.received_at = rows.text(i, 6);
  r.issued_at = rows.text(i, 7);
  r.collection_method = rows.text(i, 8);
  r.chain_root = rows.text(i, 9);
  r.supersedes = rows.text(i, 10);
  r.superseded_by = rows.text(i, 11);
  r.retention_months = static_cast<int>(rows.int64(i, 12));
  r.entry_hash = rows.text(i, 13);
  r.payload = Json::parse(rows.view(i, 14), nullptr, false);
  if (r.payload.is_discarded()) r.payload = Json();
  return r;
}

std::string retention_until(const StoredReceipt& latest) {
  const auto at = calendar::parse_rfc3339(latest.received_at);
  if (!at || latest.retention_months <= 0) return "";
  return calendar::format_rfc3339(calendar::add_months(*at, latest.retention_months));
}

// The reads check what they hand out, as the SQLite backend's do
// (SqliteStore::tampered): the row rebuilds its log entry, which links onto
// the entry before it, and the payload column is the JWS payload.
struct RowCheck {
  std::int64_t v2_before = 0;  // seq of the schema-3 migration entry, 0 when none
  Sha256Hasher sha;
  std::optional<Problem> problem;
  void on(const Rows& rows, int i) {
    if (problem) return;
    const std::int64_t seq = rows.int64(i, 0);
    const std::string_view id = rows.view(i, 1);
    const std::string_view jws = rows.view(i, 2);
    const std::string_view entry = rows.view(i, kEntryColumn);
    if (entry.empty()) {
      problem = tampered_problem(id, seq, "has no log entry of its own");
      return;
    }
    const ReceiptRecord derived = sqlite::derive_record(
        id, sha.hex(jws), rows.view(i, 14), rows.view(i, 3), rows.view(i, 4), rows.view(i, 5), rows.view(i, 6),
        rows.view(i, 7), rows.view(i, 9), rows.view(i, 10), rows.view(i, 8), rows.int64(i, 12));
    if (sqlite::receipt_entry_of(derived, seq, v2_before == 0 || seq > v2_before, sha) != entry) {
      problem = tampered_problem(id, seq, "no longer matches its log entry");
    } else if (seq > 1 && rows.is_null(i, kPrevHashColumn)) {
      problem = tampered_problem(id, seq, "follows a missing log entry");
    } else if (!sqlite::links_onto(
                   rows.is_null(i, kPrevHashColumn) ? std::string_view() : rows.view(i, kPrevHashColumn), entry,
                   rows.view(i, 13), sha)) {
      problem = tampered_problem(id, seq, "has a log entry that does not hash onto the entry before it");
    } else if (!sqlite::SqliteStore::payload_matches(jws, rows.view(i, 14), rows.view(i, 3), sha)) {
      problem = tampered_problem(id, seq, "does not carry its JWS's payload");
    }
  }
};

class PgStore final : public ConsentStore {
 public:
  explicit PgStore(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}

  Result<AppendOutcome> append(const NewReceipt& in) override;
  Result<std::optional<StoredReceipt>> find(std::string_view receipt_id) override;
  Result<PersonState> state_of(std::string_view receipt_id) override;
  Problems for_each_person(const std::function<bool(const PersonState&)>& visit, bool with_history) override;
  Result<ChainReport> verify_chain() override {
    std::lock_guard<std::mutex> lock(mutex_);
    return verify_through_sqlite(*conn_, nullptr);
  }
  Result<ChainReport> verify_records(const std::function<void(const ReceiptRecord&)>& visit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return verify_through_sqlite(*conn_, &visit);
  }
  Result<PurgeReport> purge(std::int64_t now) override;
  Result<ErasureReport> erase(std::string_view receipt_id, std::string_view requested_at, std::int64_t now) override;
  Result<std::string> secret(std::string_view name) override;
  Result<std::int64_t> record_event(std::string_view type, const Json& details) override;
  Result<bool> challenge_used(std::string_view challenge) override;
  Result<PublishedVersion> publish(const PublishedVersion& version, std::string_view at) override;
  Result<std::vector<PublishedVersion>> published_versions() override {
    std::lock_guard<std::mutex> lock(mutex_);
    return published_locked("", "");
  }
  Result<std::optional<PublishedVersion>> find_published(std::string_view digest) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = published_locked("WHERE p.digest = $1", digest);
    if (!found.ok()) return found.problems();
    if (found.value().empty()) return std::optional<PublishedVersion>();
    return std::optional<PublishedVersion>(std::move(found.value().front()));
  }
  Result<std::vector<PublishedVersion>> find_published_by_version(std::string_view config_version) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return published_locked("WHERE p.config_version = $1", config_version);
  }
  Result<LogTip> tip() override;
  Result<std::optional<std::string>> entry_hash(std::int64_t seq) override;
  Problems store_head(std::int64_t seq, std::string_view hash, std::string_view signed_at, std::string_view kid,
                      std::string_view jws) override;
  Result<std::optional<std::string>> latest_head() override {
    return optional_text("SELECT jws FROM chain_heads ORDER BY seq DESC, id DESC LIMIT 1", {}, "read chain heads");
  }
  Result<std::optional<std::string>> head_covering(std::int64_t seq) override {
    return optional_text("SELECT jws FROM chain_heads WHERE seq >= $1 ORDER BY seq, id LIMIT 1", {seq},
                         "read chain heads");
  }
  Problems read_log(std::int64_t from, std::int64_t to,
                    const std::function<void(std::int64_t, std::string_view, std::string_view)>& visit) override;
  // Transfers and acknowledgements: pg_transfers.cpp.
  Result<std::vector<std::int64_t>> record_transfers(const std::vector<TransferBatch>& batches) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return pg::record_transfers(*conn_, batches);
  }
  Result<std::vector<Transfer>> transfers_of(std::string_view chain_root) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return pg::transfers_of(*conn_, chain_root);
  }
  Problems for_each_transfer_to(std::string_view partner_id,
                                const std::function<bool(const Transfer&)>& visit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return pg::for_each_transfer_to(*conn_, partner_id, visit);
  }
  Problems for_each_holding(std::string_view partner_id, const std::function<void(const Holding&)>& visit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return pg::for_each_holding(*conn_, partner_id, visit);
  }
  Result<std::int64_t> last_transfer_seq(std::string_view partner_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return pg::last_transfer_seq(*conn_, partner_id);
  }
  Result<std::optional<std::string>> chain_root_of_reference(std::string_view partner_id,
                                                             std::string_view reference) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return pg::chain_root_of_reference(*conn_, partner_id, reference);
  }
  Result<std::int64_t> record_notice_acks(std::string_view partner_id, std::string_view file_sha256,
                                          const std::vector<NoticeAck>& acks) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return pg::record_notice_acks(*conn_, partner_id, file_sha256, acks);
  }
  Result<std::vector<Transfer>> notice_status() override {
    std::lock_guard<std::mutex> lock(mutex_);
    return pg::notice_status(*conn_);
  }

 private:
  class Appender;  // backend_rules.h's steps on this connection
  class Remover;   // purges and erasures: backend_rules.h's removal steps
  Problems begin_append() { return pg::begin_append(*conn_); }
  void rollback() { conn_->exec("ROLLBACK"); }
  Problems log_head(std::int64_t& next_seq, std::string& prev_hash) {
    return pg::log_head(*conn_, next_seq, prev_hash);
  }
  // COMMIT, or the problem (rolled back).
  Problems commit(const char* what);
  Problems start_check(RowCheck& check);
  Result<std::optional<StoredReceipt>> find_locked(std::string_view receipt_id, RowCheck* check);
  Result<std::vector<StoredReceipt>> history_locked(const std::string& chain_root, RowCheck* check);
  std::optional<Problem> unsuperseded(const StoredReceipt& latest);
  Result<AppendOutcome> append_locked(const NewReceipt& in);
  Result<std::vector<PublishedVersion>> published_locked(const std::string& where, std::string_view arg);
  Result<std::optional<std::string>> optional_text(const std::string& sql, const std::vector<Param>& params,
                                                   const char* what);

  std::mutex mutex_;  // one connection, used by one thread at a time
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<CryptoProvider> crypto_ = make_openssl_crypto();
};

Problems PgStore::commit(const char* what) {
  Rows commit = conn_->exec("COMMIT");
  if (!commit.ok()) {
    const Problem p = conn_->io_problem(what, commit);
    rollback();
    return {p};
  }
  return {};
}

Problems PgStore::start_check(RowCheck& check) {
  Rows st = conn_->exec("SELECT seq FROM log WHERE kind = 'migration' ORDER BY seq LIMIT 1");
  if (!st.ok()) return {conn_->io_problem("read log", st)};
  check.v2_before = st.size() == 1 ? st.int64(0, 0) : 0;
  return {};
}

Result<std::optional<StoredReceipt>> PgStore::find_locked(std::string_view receipt_id, RowCheck* check) {
  static const std::string sql = std::string("SELECT ") + kReceiptColumns + " FROM receipts r WHERE r.receipt_id = $1";
  Rows rows = conn_->query(sql, {receipt_id});
  if (!rows.ok()) return conn_->io_problem("find receipt", rows);
  if (rows.size() == 0) return std::optional<StoredReceipt>();
  if (check != nullptr) check->on(rows, 0);
  return std::optional<StoredReceipt>(read_receipt(rows, 0));
}

Result<std::vector<StoredReceipt>> PgStore::history_locked(const std::string& chain_root, RowCheck* check) {
  static const std::string sql =
      std::string("SELECT ") + kReceiptColumns + " FROM receipts r WHERE r.chain_root = $1 ORDER BY r.seq";
  Rows rows = conn_->query(sql, {chain_root});
  if (!rows.ok()) return conn_->io_problem("read chain", rows);
  std::vector<StoredReceipt> out;
  for (int i = 0; i < rows.size(); ++i) {
    if (check != nullptr) check->on(rows, i);
    out.push_back(read_receipt(rows, i));
  }
  return out;
}

std::optional<Problem> PgStore::unsuperseded(const StoredReceipt& latest) {
  Rows rows = conn_->query(kSuccessorSql, {latest.receipt_id});
  if (!rows.ok()) return conn_->io_problem("read log", rows);
  if (rows.size() == 0) return std::nullopt;
  return tampered_problem(latest.receipt_id, latest.seq,
                          "was superseded by receipt " + rows.text(0, 1) + " (log entry #" + rows.text(0, 0) +
                              "), which is no longer stored as such");
}

Result<AppendOutcome> PgStore::append(const NewReceipt& in) {
  if (in.receipt_id.empty()) {
    return Problem{"ledger_bad_receipt", "/receiptId", "The receipt has no receiptId."};
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (Problems problems = begin_append(); !problems.empty()) return problems;
  Result<AppendOutcome> out = append_locked(in);
  // A duplicate wrote nothing; a refusal must not leave half of itself.
  if (!out.ok() || out.value().status == AppendStatus::kDuplicate) {
    rollback();
    return out;
  }
  Rows commit = conn_->exec("COMMIT");
  if (!commit.ok()) {
    const Problem p = conn_->io_problem("commit", commit);
    rollback();
    return p;
  }
  return out;
}

// The checks and writes of SqliteStore::append_locked, in the transaction
// that holds the chain lock: no other process appends meanwhile.
// The append steps on this connection (backend_rules.h), inside the
// transaction append() holds with the ledger's advisory lock.
class PgStore::Appender final : public AppendSteps {
 public:
  explicit Appender(PgStore& store) : store_(store), conn_(store.conn_) {}

  Result<std::optional<StoredReceipt>> find(const std::string& receipt_id) override {
    return store_.find_locked(receipt_id, nullptr);
  }

  Result<bool> id_was_logged(const std::string& receipt_id) override {
    Rows seen = conn_->query("SELECT 1 FROM log WHERE receipt_id = $1 LIMIT 1", {receipt_id});
    if (!seen.ok()) return conn_->io_problem("check receipt id", seen);
    return seen.size() > 0;
  }

  Result<bool> use_challenge(const std::string& challenge, const std::string& receipt_id) override {
    Rows used = conn_->query(
        "INSERT INTO used_challenges(challenge, receipt_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
        {challenge, receipt_id});
    if (!used.ok()) return conn_->io_problem("consume challenge", used);
    return used.size() > 0;
  }

  Problems log_head(std::int64_t& next_seq, std::string& prev_hash) override {
    return store_.log_head(next_seq, prev_hash);
  }

  Problems write(const NewReceipt& in, const ReceiptRecord& record, const std::string& entry,
                 const std::string& hash) override {
    const std::int64_t seq = record.entry_seq;
    Rows log = conn_->query(kInsertLogSql, {seq, "receipt", in.receipt_id, entry, hash});
    if (!log.ok()) return {conn_->io_problem("append log entry", log)};
    Rows receipt = conn_->query(
        "INSERT INTO receipts(receipt_id, seq, jws, payload, payload_sha256, verification, countersigner_kid, "
        "received_at, issued_at, collection_method, chain_root, supersedes, retention_months) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        {in.receipt_id, seq, in.jws, in.payload, in.payload_sha256, in.verification, in.countersigner_kid,
         record.received_at, in.issued_at, in.collection_method, record.chain_root,
         in.supersedes.empty() ? Param::null() : Param(in.supersedes), static_cast<std::int64_t>(in.retention_months)});
    if (!receipt.ok()) return {conn_->io_problem("append receipt", receipt)};
    std::vector<Param> columns = {record.entry_seq,         record.receipt_seq,
                                  record.receipt_id,        record.chain_root,
                                  record.supersedes,        record.collection_method,
                                  record.countersigner_kid, record.received_at,
                                  record.issued_at,         static_cast<std::int64_t>(record.retention_months),
                                  record.jws_sha256,        record.payload_sha256,
                                  record.verification,      static_cast<std::int64_t>(record.verified ? 1 : 0)};
    for (const ReceiptRecord::ChannelState* c : {&record.postal, &record.phone, &record.email, &record.sms}) {
      columns.emplace_back(c->decision);
      columns.emplace_back(c->basis);
    }
    for (const std::string* text : {&record.salt, &record.digests.email, &record.digests.phone, &record.digests.mobile,
                                    &record.digests.postal, &record.partner_ids}) {
      columns.emplace_back(*text);
    }
    Rows rec = conn_->query(
        "INSERT INTO records(entry_seq, receipt_seq, receipt_id, chain_root, supersedes, collection_method, "
        "countersigner_kid, received_at, issued_at, retention_months, jws_sha256, payload_sha256, verification, "
        "verified, postal_decision, postal_basis, phone_decision, phone_basis, email_decision, email_basis, "
        "sms_decision, sms_basis, salt, digest_email, digest_phone, digest_mobile, digest_postal, partner_ids) VALUES "
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, "
        "$24, $25, $26, $27, $28)",
        columns);
    if (!rec.ok()) return {conn_->io_problem("append record", rec)};
    return {};
  }

 private:
  PgStore& store_;
  std::unique_ptr<Connection>& conn_;
};

Result<AppendOutcome> PgStore::append_locked(const NewReceipt& in) {
  Appender steps(*this);
  return append_receipt(steps, in);
}

// The removal steps on this connection (backend_rules.h), inside the
// transaction purge() or erase() holds with the chain lock: the same rows
// removed and the same entry appended as on SQLite.
class PgStore::Remover final : public RemovalSteps {
 public:
  explicit Remover(PgStore& store) : store_(store), conn_(*store.conn_) {}

  Problems log_head(std::int64_t& next_seq, std::string& prev_hash) override {
    return store_.log_head(next_seq, prev_hash);
  }

  Problems insert_log(std::int64_t seq, const char* kind, const std::string& text, const std::string& hash) override {
    Rows log = conn_.query(kInsertLogSql, {seq, kind, Param::null(), text, hash});
    if (!log.ok()) return {conn_.io_problem(std::string("append ") + kind + " entry", log)};
    return {};
  }

  Problems latest_receipts(std::vector<LatestReceipt>& out) override {
    Rows rows = conn_.exec(
        "SELECT r.chain_root, r.received_at, r.retention_months FROM receipts r "
        "WHERE NOT EXISTS (SELECT 1 FROM receipts s WHERE s.supersedes = r.receipt_id) ORDER BY r.seq");
    if (!rows.ok()) return {conn_.io_problem("list people", rows)};
    for (int i = 0; i < rows.size(); ++i) out.push_back({rows.text(i, 0), rows.text(i, 1), rows.int64(i, 2)});
    return {};
  }

  Result<std::optional<std::string>> chain_root_of(std::string_view receipt_id) override {
    Rows rows = conn_.query("SELECT chain_root FROM receipts WHERE receipt_id = $1", {receipt_id});
    if (!rows.ok()) return conn_.io_problem("read receipt", rows);
    if (rows.size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(rows.text(0, 0));
  }

  Problems remove_person(const std::string& root, std::vector<RemovedReceipt>& removed) override {
    // As SqliteStore::Remover: a receipt stored before schema 3 (a ledger
    // migrated from SQLite) names its 'record' entry's hash too.
    Rows chain = conn_.query(
        "SELECT r.receipt_id, l.hash, lc.hash FROM receipts r JOIN log l ON l.seq = r.seq "
        "LEFT JOIN records c ON c.receipt_seq = r.seq LEFT JOIN log lc ON lc.seq = c.entry_seq "
        "AND c.entry_seq <> r.seq WHERE r.chain_root = $1 ORDER BY r.seq",
        {root});
    if (!chain.ok()) return {conn_.io_problem("read chain", chain)};
    for (int i = 0; i < chain.size(); ++i) {
      RemovedReceipt r{chain.text(i, 0), chain.text(i, 1), std::nullopt};
      if (!chain.is_null(i, 2)) r.record_entry_hash = chain.text(i, 2);
      removed.push_back(std::move(r));
    }
    for (const auto& [sql, what] :
         {std::pair<const char*, const char*>{"DELETE FROM used_challenges WHERE receipt_id IN "
                                              "(SELECT receipt_id FROM receipts WHERE chain_root = $1)",
                                              "delete challenges"},
          {"DELETE FROM records WHERE receipt_seq IN (SELECT seq FROM receipts WHERE chain_root = $1)",
           "delete records"},
          {"DELETE FROM receipts WHERE chain_root = $1", "delete receipts"}}) {
      Rows deleted = conn_.query(sql, {root});
      if (!deleted.ok()) return {conn_.io_problem(what, deleted)};
    }
    return {};
  }

 private:
  PgStore& store_;
  Connection& conn_;
};

Result<PurgeReport> PgStore::purge(std::int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Problems problems = begin_append(); !problems.empty()) return problems;
  Remover steps(*this);
  Result<PurgeReport> report = purge_expired(steps, now);
  if (!report.ok() || report.value().removed.empty()) {
    rollback();  // nothing to keep: a refusal, or nobody due
    return report;
  }
  if (Problems problems = commit("commit purge"); !problems.empty()) return problems;
  return report;
}

Result<ErasureReport> PgStore::erase(std::string_view receipt_id, std::string_view requested_at, std::int64_t now) {
  if (std::optional<Problem> bad = bad_erasure_request(requested_at)) return *bad;
  std::lock_guard<std::mutex> lock(mutex_);
  if (Problems problems = begin_append(); !problems.empty()) return problems;
  Remover steps(*this);
  Result<ErasureReport> report = erase_person(steps, receipt_id, requested_at, now);
  if (!report.ok()) {
    rollback();
    return report;
  }
  if (Problems problems = commit("commit erasure"); !problems.empty()) return problems;
  return report;
}

Result<std::optional<StoredReceipt>> PgStore::find(std::string_view receipt_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  RowCheck check;
  if (Problems problems = start_check(check); !problems.empty()) return problems;
  auto found = find_locked(receipt_id, &check);
  if (check.problem) return *check.problem;
  return found;
}

Result<PersonState> PgStore::state_of(std::string_view receipt_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  RowCheck check;
  if (Problems problems = start_check(check); !problems.empty()) return problems;
  auto found = find_locked(receipt_id, nullptr);
  if (!found.ok()) return found.problems();
  if (!found.value()) {
    return Problem{"ledger_unknown_receipt", "", "No stored receipt has the id " + std::string(receipt_id) + "."};
  }
  const std::string chain_root = found.value()->chain_root;
  auto history = history_locked(chain_root, &check);
  if (check.problem) return *check.problem;
  if (!history.ok()) return history.problems();
  if (history.value().empty()) {
    return Problem{"ledger_unknown_receipt", "", "No stored receipt belongs to the person " + chain_root + "."};
  }
  PersonState person;
  person.chain_root = chain_root;
  person.history = std::move(history).value();
  person.latest = person.history.back();
  person.retention_until = retention_until(person.latest);
  std::optional<Problem> problem = broken_history(person.history, chain_root);
  if (!problem) problem = unsuperseded(person.latest);
  if (problem) return *problem;
  return person;
}

Problems PgStore::for_each_person(const std::function<bool(const PersonState&)>& visit, bool with_history) {
  std::lock_guard<std::mutex> lock(mutex_);
  // One snapshot for the whole walk, read through a cursor so that memory
  // does not grow with the ledger.
  Rows begin = conn_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!begin.ok()) return {conn_->io_problem("begin", begin)};
  auto fail = [this](Problems problems) {
    rollback();
    return problems;
  };
  RowCheck check;
  if (Problems problems = start_check(check); !problems.empty()) return fail(problems);
  const std::string sql = std::string("DECLARE people NO SCROLL CURSOR FOR SELECT ") + kReceiptColumns +
                          " FROM receipts r JOIN receipts root ON root.receipt_id = r.chain_root"
                          " WHERE NOT EXISTS (SELECT 1 FROM receipts s WHERE s.supersedes = r.receipt_id)"
                          " ORDER BY root.seq";
  Rows declared = conn_->exec(sql);
  if (!declared.ok()) return fail({conn_->io_problem("list people", declared)});
  while (true) {
    Rows page = conn_->exec("FETCH 500 FROM people");
    if (!page.ok()) return fail({conn_->io_problem("list people", page)});
    if (page.size() == 0) break;
    for (int i = 0; i < page.size(); ++i) {
      check.on(page, i);
      if (check.problem) return fail({*check.problem});
      PersonState person;
      person.latest = read_receipt(page, i);
      person.chain_root = person.latest.chain_root;
      person.retention_until = retention_until(person.latest);
      if (std::optional<Problem> problem = unsuperseded(person.latest)) return fail({*problem});
      if (with_history) {
        auto history = history_locked(person.chain_root, &check);
        if (!history.ok()) return fail(history.problems());
        if (check.problem) return fail({*check.problem});
        person.history = std::move(history).value();
        if (std::optional<Problem> problem = broken_history(person.history, person.chain_root)) {
          return fail({*problem});
        }
      }
      if (!visit(person)) return fail({});
    }
  }
  rollback();  // read only: nothing to commit
  return {};
}

Result<std::string> PgStore::secret(std::string_view name) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string fresh = random_bytes(32);
  if (fresh.size() != 32) return Problem{"ledger_io", "", "No random bytes available for a server secret."};
  // The first server to ask creates it; every other one reads that one.
  Rows insert = conn_->query("INSERT INTO secrets(name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                             {name, Param::bytes(fresh)});
  if (!insert.ok()) return conn_->io_problem("store secret", insert);
  Rows select = conn_->query("SELECT value FROM secrets WHERE name = $1", {name});
  if (!select.ok() || select.size() != 1) return conn_->io_problem("read secret", select);
  return select.bytes(0, 0);
}

Result<std::int64_t> PgStore::record_event(std::string_view type, const Json& details) {
  if (type.empty() || type == "receipt" || type == "purge") {
    return Problem{"ledger_bad_event", "/type", "An event needs a type of its own (e.g. \"export\")."};
  }
  std::lock_guard<std::mutex> lock(mutex_);
  Json entry = Json::object();
  entry["kind"] = "event";
  entry["type"] = std::string(type);
  entry["at"] = calendar::format_rfc3339(calendar::now_unix());
  entry["details"] = details;
  if (Problems problems = begin_append(); !problems.empty()) return problems;
  std::int64_t seq = 0;
  std::string prev;
  if (Problems problems = log_head(seq, prev); !problems.empty()) {
    rollback();
    return problems;
  }
  entry["seq"] = seq;
  Result<std::string> text = canonicalize(entry);
  if (!text.ok()) {
    rollback();
    return Problem{"ledger_bad_event", "/details", "The event details cannot be canonicalised (RFC 8785)."};
  }
  Rows log = conn_->query(kInsertLogSql, {seq, "event", Param::null(), text.value(), chain_hash(prev, text.value())});
  if (!log.ok()) {
    const Problem p = conn_->io_problem("append event", log);
    rollback();
    return p;
  }
  Rows commit = conn_->exec("COMMIT");
  if (!commit.ok()) {
    const Problem p = conn_->io_problem("commit event", commit);
    rollback();
    return p;
  }
  return seq;
}

Result<bool> PgStore::challenge_used(std::string_view challenge) {
  std::lock_guard<std::mutex> lock(mutex_);
  Rows rows = conn_->query("SELECT 1 FROM used_challenges WHERE challenge = $1", {challenge});
  if (!rows.ok()) return conn_->io_problem("read challenge", rows);
  return rows.size() > 0;
}

Result<PublishedVersion> PgStore::publish(const PublishedVersion& version, std::string_view at) {
  Result<std::string> notices_text = publication_notices(version, at);
  if (!notices_text.ok()) return notices_text.problems();
  std::lock_guard<std::mutex> lock(mutex_);
  if (Problems problems = begin_append(); !problems.empty()) return problems;
  auto fail = [this](Problem p) {
    rollback();
    return p;
  };
  {
    // Idempotent, across servers too: the check runs under the chain lock.
    Rows known = conn_->query("SELECT 1 FROM publications WHERE digest = $1", {version.digest});
    if (!known.ok()) return fail(conn_->io_problem("read publications", known));
    if (known.size() > 0) {
      rollback();
      auto stored = published_locked("WHERE p.digest = $1", version.digest);
      if (!stored.ok()) return stored.problems();
      if (stored.value().empty()) return Problem{"ledger_io", "", "A publication vanished while being read."};
      return stored.value().front();
    }
  }
  std::int64_t seq = 0;
  std::string prev;
  if (Problems problems = log_head(seq, prev); !problems.empty()) return fail(problems.front());
  PublishedVersion out = version;
  out.first_served_at = std::string(at);
  out.seq = seq;
  out.accepted_until.reset();
  const std::string entry = sqlite::publication_entry(seq, out);
  if (entry.empty()) return fail(Problem{"ledger_io", "", "The publication entry cannot be canonicalised."});
  Rows log = conn_->query(kInsertLogSql, {seq, "publication", Param::null(), entry, chain_hash(prev, entry)});
  if (!log.ok()) return fail(conn_->io_problem("append publication entry", log));
  Rows row = conn_->query(
      "INSERT INTO publications(digest, seq, config_version, canonical_config, notices, partner_list, "
      "first_served_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {out.digest, seq, out.config_version, out.canonical_config, notices_text.value(), out.partner_list,
       out.first_served_at});
  if (!row.ok()) return fail(conn_->io_problem("store publication", row));
  Rows commit = conn_->exec("COMMIT");
  if (!commit.ok()) return fail(conn_->io_problem("commit publication", commit));
  return out;
}

Result<std::vector<PublishedVersion>> PgStore::published_locked(const std::string& where, std::string_view arg) {
  const std::string sql =
      "SELECT p.seq, p.canonical_config, p.notices, p.partner_list, p.first_served_at, p.config_version FROM "
      "publications p " +
      where + " ORDER BY p.seq";
  Rows rows = where.empty() ? conn_->query(sql, {}) : conn_->query(sql, {arg});
  if (!rows.ok()) return conn_->io_problem("read publications", rows);
  std::vector<PublishedVersion> out;
  for (int i = 0; i < rows.size(); ++i) {
    std::map<std::string, std::string> notices;
    const Json parsed = Json::parse(rows.view(i, 2), nullptr, false);
    if (parsed.is_object()) {
      for (const auto& [locale, text] : parsed.items()) {
        if (text.is_string()) notices[locale] = text.get<std::string>();
      }
    }
    Result<PublishedVersion> read = stored_version(rows.view(i, 1), notices, rows.view(i, 3), *crypto_);
    PublishedVersion version;
    if (read.ok()) {
      version = std::move(read).value();
    } else {
      // As in SqliteStore::published_locked: a config this Cachet no longer
      // loads keeps its stored texts, and matches no receipt.
      version.digest = sha256_hex(rows.view(i, 1));
      version.canonical_config = rows.text(i, 1);
      version.config_version = rows.text(i, 5);
      version.controller = Json();
      version.notices = notices;
      for (const auto& [locale, text] : notices) version.notice_sha256[locale] = sha256_hex(text);
      version.partner_list = rows.text(i, 3);
      version.partner_list_sha256 = sha256_hex(version.partner_list);
    }
    version.seq = rows.int64(i, 0);
    version.first_served_at = rows.text(i, 4);
    out.push_back(std::move(version));
  }
  return out;
}

Result<LogTip> PgStore::tip() {
  std::lock_guard<std::mutex> lock(mutex_);
  LogTip out;
  std::int64_t next = 0;
  if (Problems problems = log_head(next, out.hash); !problems.empty()) return problems;
  out.seq = next - 1;
  return out;
}

Result<std::optional<std::string>> PgStore::optional_text(const std::string& sql, const std::vector<Param>& params,
                                                          const char* what) {
  std::lock_guard<std::mutex> lock(mutex_);
  Rows rows = conn_->query(sql, params);
  if (!rows.ok()) return conn_->io_problem(what, rows);
  if (rows.size() == 0) return std::optional<std::string>();
  return std::optional<std::string>(rows.text(0, 0));
}

Result<std::optional<std::string>> PgStore::entry_hash(std::int64_t seq) {
  return optional_text("SELECT hash FROM log WHERE seq = $1", {seq}, "read log entry");
}

Problems PgStore::store_head(std::int64_t seq, std::string_view hash, std::string_view signed_at, std::string_view kid,
                             std::string_view jws) {
  std::lock_guard<std::mutex> lock(mutex_);
  Rows rows = conn_->query("INSERT INTO chain_heads(seq, hash, signed_at, kid, jws) VALUES ($1, $2, $3, $4, $5)",
                           {seq, hash, signed_at, kid, jws});
  if (!rows.ok()) return {conn_->io_problem("store chain head", rows)};
  return {};
}

Problems PgStore::read_log(std::int64_t from, std::int64_t to,
                           const std::function<void(std::int64_t, std::string_view, std::string_view)>& visit) {
  std::lock_guard<std::mutex> lock(mutex_);
  Rows rows = conn_->query("SELECT seq, entry, hash FROM log WHERE seq BETWEEN $1 AND $2 ORDER BY seq", {from, to});
  if (!rows.ok()) return {conn_->io_problem("read the log", rows)};
  std::int64_t expected = from;
  for (int i = 0; i < rows.size(); ++i) {
    if (rows.int64(i, 0) != expected) break;  // a gap: the log lost an entry
    visit(expected, rows.view(i, 1), rows.view(i, 2));
    ++expected;
  }
  if (expected != to + 1) {
    return {Problem{
        "ledger_tampered", "/log/" + std::to_string(expected),
        "Log entry " + std::to_string(expected) + " is missing; run `cachet ledger verify` to see what was altered."}};
  }
  return {};
}

}  // namespace

Problems begin_append(Connection& conn) {
  Rows begin = conn.exec("BEGIN");
  if (!begin.ok()) return {conn.io_problem("begin", begin)};
  Rows lock = conn.exec(kChainLockSql);
  if (!lock.ok()) {
    conn.exec("ROLLBACK");
    return {conn.io_problem("take the chain lock", lock)};
  }
  return {};
}

Problems log_head(Connection& conn, std::int64_t& next_seq, std::string& prev_hash) {
  Rows last = conn.exec("SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1");
  if (!last.ok()) return {conn.io_problem("read log head", last)};
  next_seq = last.size() == 1 ? last.int64(0, 0) + 1 : 1;
  prev_hash = last.size() == 1 ? last.text(0, 1) : std::string();
  return {};
}

Problems ensure_schema(Connection& conn) {
  {
    // A ledger already at this schema needs nothing: servers that only
    // append then need no CREATE privilege (docs/server.md, "PostgreSQL").
    // (A ledger created before the outbox came to PostgreSQL says schema 8
    // without it: it gets the outbox's tables below.)
    Rows current = conn.exec(
        "SELECT value FROM cachet_meta WHERE to_regclass('cachet_meta') IS NOT NULL AND name = 'schema' AND "
        "to_regclass('webhook_outbox') IS NOT NULL");
    if (current.ok() && current.size() == 1 && current.int64(0, 0) == kSchemaVersion) return {};
  }
  Rows begin = conn.exec("BEGIN");
  if (!begin.ok()) return {conn.io_problem("begin", begin)};
  auto fail = [&conn](Problem p) {
    conn.exec("ROLLBACK");
    return Problems{std::move(p)};
  };
  Rows lock = conn.exec(kChainLockSql);
  if (!lock.ok()) return fail(conn.io_problem("take the chain lock", lock));
  Rows created = conn.exec(kSchemaSql);
  if (!created.ok()) return fail(conn.io_problem("create the ledger's tables", created));
  Rows outbox = conn.exec(webhooks_schema());
  if (!outbox.ok()) return fail(conn.io_problem("create the webhook outbox", outbox));
  Rows version = conn.exec("SELECT value FROM cachet_meta WHERE name = 'schema'");
  if (!version.ok()) return fail(conn.io_problem("read schema version", version));
  const std::int64_t current = version.size() == 1 ? version.int64(0, 0) : 0;
  if (current > kSchemaVersion) {
    return fail(Problem{"ledger_schema_too_new", "",
                        "The ledger was written by a newer Cachet (schema " + std::to_string(current) +
                            "); this one understands schema " + std::to_string(kSchemaVersion) + "."});
  }
  Rows set = conn.query(
      "INSERT INTO cachet_meta(name, value) VALUES ('schema', $1) ON CONFLICT (name) DO UPDATE SET value = $1",
      {std::to_string(kSchemaVersion)});
  if (!set.ok()) return fail(conn.io_problem("record schema version", set));
  Rows commit = conn.exec("COMMIT");
  if (!commit.ok()) return fail(conn.io_problem("commit the schema", commit));
  return {};
}

}  // namespace cachet::ledger::pg

namespace cachet::ledger {

bool is_postgres_url(std::string_view db) { return pg::is_postgres_url(db); }

std::string describe_ledger(const std::string& db) { return is_postgres_url(db) ? pg::describe_url(db) : db; }

Result<std::unique_ptr<ConsentStore>> open_postgres_store(const std::string& url) {
  auto conn = pg::Connection::open(url);
  if (!conn.ok()) return conn.problems();
  if (Problems problems = pg::ensure_schema(*conn.value()); !problems.empty()) return problems;
  return std::unique_ptr<ConsentStore>(std::make_unique<pg::PgStore>(std::move(conn).value()));
}

Result<std::unique_ptr<ConsentStore>> open_store(const std::string& db, const SqliteOptions& sqlite) {
  if (is_postgres_url(db)) return open_postgres_store(db);
  return open_sqlite_store(db, sqlite);
}

}  // namespace cachet::ledger
