// The SQLite backend of the consent ledger, private to ledger/: the store
// (sqlite_store.cpp), its schema and migrations (sqlite_schema.cpp) and the
// chain verification (sqlite_verify.cpp). The layout and the hash chain are
// documented in docs/server.md; these files are the reference.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/ledger/store.h"
#include "cachet/openssl_crypto.h"
#include "sqlite_statement.h"

namespace cachet::ledger::sqlite {

// Columns of a ReceiptRecord (table `records` as c), in read_record's order.
constexpr const char* kRecordColumns =
    "c.entry_seq, c.receipt_seq, c.receipt_id, c.chain_root, c.supersedes, c.collection_method, "
    "c.countersigner_kid, c.received_at, c.issued_at, c.retention_months, c.jws_sha256, c.payload_sha256, "
    "c.verification, c.verified, c.postal_decision, c.postal_basis, c.phone_decision, c.phone_basis, "
    "c.email_decision, c.email_basis, c.sms_decision, c.sms_basis, c.salt, c.digest_email, c.digest_phone, "
    "c.digest_mobile, c.digest_postal, c.partner_ids";

// The 'publication' log entry of a stored version (store.h publish): RFC 8785
// bytes, rebuilt by verify_chain from the stored row.
std::string publication_entry(std::int64_t seq, const PublishedVersion& version);

// Reads the kRecordColumns starting at column `first` into `r`, reusing its
// strings' storage (the export reads a million of them).
void read_record(const Stmt& st, int first, ReceiptRecord& r);

constexpr const char* kInsertRecordSql =
    "INSERT INTO records(entry_seq, receipt_seq, receipt_id, chain_root, supersedes, collection_method, "
    "countersigner_kid, received_at, issued_at, retention_months, jws_sha256, payload_sha256, verification, verified, "
    "postal_decision, postal_basis, phone_decision, phone_basis, email_decision, email_basis, sms_decision, sms_basis, "
    "salt, digest_email, digest_phone, digest_mobile, digest_postal, partner_ids) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)";

// SQLITE_DONE, or the error (SQLITE_CONSTRAINT for a second record of a receipt).
int insert_record(Stmt& st, const ReceiptRecord& r);

// The record of a stored receipt, derived from its columns and payload (at
// acceptance, by the migration, and by verify_chain to check the stored one).
ReceiptRecord derive_record(std::string_view receipt_id, std::string_view jws_sha256, std::string_view payload,
                            std::string_view payload_sha256, std::string_view verification, std::string_view kid,
                            std::string_view received_at, std::string_view issued_at, std::string_view chain_root,
                            std::string_view supersedes, std::string_view method, std::int64_t retention_months);

// The log entry a stored receipt rebuilds: its columns, the SHA-256 of its
// JWS and, in the schema-3 form (`states_record`), the SHA-256 of the compact
// record its payload derives. verify_chain and the reads share it.
std::string receipt_entry_of(const ReceiptRecord& derived, std::int64_t seq, bool states_record, Sha256Hasher& sha);

// True when `hash` is the hex SHA-256 of the bytes `prev_hash` (hex; empty
// before the first entry: 32 zero bytes) followed by `entry`: the chain link.
bool links_onto(std::string_view prev_hash, std::string_view entry, std::string_view hash, Sha256Hasher& sha);

// Transfers (sqlite_transfers.cpp). The SQL of the schema step that adds the
// transfer and notice-acknowledgement tables and their log entry kinds.
const char* transfers_migration();
// A 'transfer' or 'notice-ack' entry (parsed): the rows stored under its seq
// must be the ones it counts and hashes (rows, rowsSha256). `io_failed` set
// when the database failed.
std::optional<ChainProblem> check_transfer_entry(sqlite3* db, std::int64_t seq, const Json& entry, bool& io_failed);
// Transfer and acknowledgement rows naming a seq that is not an entry of
// their kind. False when the database failed.
bool check_unlogged_transfers(sqlite3* db, std::vector<ChainProblem>& problems);
// The schema-9 step: the transfer_holdings table (store.h, Holding), filled
// from the transfer rows already recorded.
const char* holdings_migration();
// The transfer_holdings table against the holdings the transfer rows give
// for one partner (ledger_holdings_mismatch, at most 100). `ledger verify`
// only: the export checks the holdings it reads against the "holdingsSha256"
// of each partner's latest transfer entry instead (changes.cpp). False when
// the database failed.
bool check_holdings(sqlite3* db, std::string_view partner_id, std::vector<ChainProblem>& problems);

// Webhooks (sqlite_webhooks.cpp): the SQL of the schema step that adds the
// outbox and the triggers filling it.
const char* webhooks_migration();

class SqliteStore final : public ConsentStore {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  ~SqliteStore() override {
    batch_writer_.reset();
    cache_.clear();
    sqlite3_close_v2(db_);
  }
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  Problems init();
  // Group commit (store.h SqliteOptions): at most `max_batch` receipts per
  // transaction (1: one transaction per append), committed through
  // `writer`, a second connection to the same file set up by
  // init_batch_writer(), so that reads on this connection (the duplicate and
  // supersede checks of the requests that will form the next batch) go on
  // while a batch waits for its fsync. Null `writer`: batches are committed
  // on this connection.
  void set_group_commit(std::size_t max_batch, std::unique_ptr<SqliteStore> writer);
  // A connection that only commits batches: the per-connection settings of
  // init() (busy timeout, synchronous=FULL, secure_delete, foreign keys) on
  // a ledger init() has already migrated.
  Problems init_batch_writer();
  Result<AppendOutcome> append(const NewReceipt& in) override;
  Result<std::optional<StoredReceipt>> find(std::string_view receipt_id) override;
  Result<PersonState> state_of(std::string_view receipt_id) override;
  Problems for_each_person(const std::function<bool(const PersonState&)>& visit, bool with_history) override;
  Result<std::vector<AppendOutcome>> append_many(const std::vector<NewReceipt>& receipts) override;
  Result<ChainReport> verify_chain() override;
  Result<ChainReport> verify_records(const std::function<void(const ReceiptRecord&)>& visit) override;
  Result<ChainReport> verify_chain_with(const ChainCheckOptions& options) override;
  Result<ChainReport> verify_records_with(const std::function<void(const ReceiptRecord&)>& visit,
                                          const ChainCheckOptions& options) override;
  Result<PurgeReport> purge(std::int64_t now) override;
  Result<ErasureReport> erase(std::string_view receipt_id, std::string_view requested_at, std::int64_t now) override;
  Result<std::string> secret(std::string_view name) override;
  Result<std::int64_t> record_event(std::string_view type, const Json& details) override;
  Result<bool> challenge_used(std::string_view challenge) override;
  Result<PublishedVersion> publish(const PublishedVersion& version, std::string_view at) override;
  Result<std::vector<PublishedVersion>> published_versions() override;
  Result<std::optional<PublishedVersion>> find_published(std::string_view digest) override;
  Result<std::vector<PublishedVersion>> find_published_by_version(std::string_view config_version) override;
  Result<LogTip> tip() override;
  Result<std::optional<std::string>> entry_hash(std::int64_t seq) override;
  Problems store_head(std::int64_t seq, std::string_view hash, std::string_view signed_at, std::string_view kid,
                      std::string_view jws) override;
  Result<std::optional<std::string>> latest_head() override;
  Result<std::optional<std::string>> head_covering(std::int64_t seq) override;
  Problems read_log(std::int64_t from, std::int64_t to,
                    const std::function<void(std::int64_t, std::string_view, std::string_view)>& visit) override;
  Result<std::vector<std::int64_t>> record_transfers(const std::vector<TransferBatch>& batches) override;
  Result<std::vector<Transfer>> transfers_of(std::string_view chain_root) override;
  Problems for_each_transfer_to(std::string_view partner_id,
                                const std::function<bool(const Transfer&)>& visit) override;
  Problems for_each_holding(std::string_view partner_id, const std::function<void(const Holding&)>& visit) override;
  Result<std::int64_t> last_transfer_seq(std::string_view partner_id) override;
  Result<std::optional<std::string>> chain_root_of_reference(std::string_view partner_id,
                                                             std::string_view reference) override;
  Result<std::int64_t> record_notice_acks(std::string_view partner_id, std::string_view file_sha256,
                                          const std::vector<NoticeAck>& acks) override;
  Result<std::vector<Transfer>> notice_status() override;
  // The payload column must be exactly the JWS payload (base64url-decoded)
  // and hash to the digest the log entry records. Public: the PostgreSQL
  // backend's reads check rows the same way (pg_store.cpp).
  static bool payload_matches(std::string_view jws, std::string_view payload, std::string_view payload_sha256,
                              Sha256Hasher& sha);

 private:
  class Appender;  // backend_rules.h's steps on this connection
  bool exec(const std::string& sql) { return sqlite::exec(db_, sql); }
  // busy_timeout and the per-connection PRAGMAs (init and init_batch_writer).
  Problems configure_connection();
  // One append in its own transaction: group commit off.
  Result<AppendOutcome> append_alone(const NewReceipt& in);
  // An append waiting for its batch (group commit). `result` is written by
  // the thread committing the batch, and read by the waiting one once
  // `done` is set under queue_mutex_.
  struct PendingAppend {
    const NewReceipt* in = nullptr;
    std::optional<Result<AppendOutcome>> result;
    bool done = false;
  };
  // Commits one batch on this connection: one BEGIN IMMEDIATE, each receipt
  // in arrival order under its own SAVEPOINT (append_locked: everything an
  // append writes, and anything added to it later, e.g. an outbox row,
  // lands in the batch's transaction), one COMMIT (one fsync). A receipt
  // refused (replay, fork, used challenge ...) is rolled back to its
  // savepoint and gets its problem; the others go on. When the transaction
  // itself fails (begin, commit, or SQLite ending it on an I/O error),
  // every receipt of the batch gets ledger_io and none is stored. Fills
  // every item's `result`.
  void commit_batch(const std::vector<PendingAppend*>& batch);
  SqliteStore& batch_connection() { return batch_writer_ ? *batch_writer_ : *this; }
  // The next sequence number and the hash to chain to (empty before the first entry).
  bool log_head(std::int64_t& next_seq, std::string& prev_hash);
  struct RowCheck;
  // Reads; with a RowCheck, every row read is checked (check->problem).
  Result<std::optional<StoredReceipt>> find_locked(std::string_view receipt_id, RowCheck* check = nullptr);
  Result<std::vector<StoredReceipt>> history_locked(const std::string& chain_root, RowCheck* check = nullptr);
  Result<PersonState> person_locked(const std::string& chain_root, RowCheck* check = nullptr);
  Result<AppendOutcome> append_locked(const NewReceipt& in);
  // The seq of the schema-3 migration entry: receipt entries before it have
  // the schema-1/2 form (their records are stated by 'record' entries after
  // it). 0 when the ledger was created at schema 3 (every receipt entry
  // states its record).
  bool migration_seq(std::int64_t& out);
  // Schema 2 -> 3, inside init()'s transaction: one 'migration' entry, then
  // for every stored receipt, in log order, its compact record and a
  // 'record' entry naming the receipt's entry (receiptSeq) and the record's
  // SHA-256. A record is derived from a receipt only when the receipt still
  // matches its log entry (verify_chain's check); otherwise it is recorded as
  // not verified (the export leaves that person out, and `ledger verify`
  // still reports the broken receipt).
  Problems backfill_records();
  // One pass over the log in seq order, each entry joined with the compact
  // record it states and the receipt stored at its position (for a 'record'
  // entry: the receipt the record came from), so memory stays flat however
  // long the ledger is (only receipts and records logged but no longer
  // stored are remembered, to be matched with purge entries). Then one pass
  // for stored receipts and records that no entry accounts for.
  // Both walk the log in blocks on options.jobs connections (sqlite_verify.cpp).
  Result<ChainReport> verify_locked(const ChainCheckOptions& options);
  // verify_records: the log joined with the compact records only (no
  // receipts, no JWS, no payload parse). Per entry: the hash chain; for an
  // entry that states a record, the record rebuilds it (its SHA-256 is the
  // entry's recordSha256), then `visit`; a record missing must be named by a
  // later purge entry; a purge entry must not name a record still stored.
  Result<ChainReport> verify_records_locked(const std::function<void(const ReceiptRecord&)>& visit,
                                            const ChainCheckOptions& options);
  // Reads verify what they act on (docs/server.md): a receipt row read by
  // find, state_of or for_each_person must rebuild its log entry
  // (receipt_entry_of), that entry must link onto the previous entry's stored
  // hash, and the payload column must be the JWS payload (payload_matches).
  // nullopt when it does; else ledger_tampered naming the receipt and entry.
  // `v2_before`: migration_seq().
  static std::optional<Problem> tampered(const Stmt& row, std::int64_t v2_before, Sha256Hasher& sha);
  // The check for one read: the first failing row's problem.
  struct RowCheck {
    std::int64_t v2_before = 0;
    Sha256Hasher sha;
    std::optional<Problem> problem;
    void on(const Stmt& row) {
      if (!problem) problem = tampered(row, v2_before, sha);
    }
  };
  // A RowCheck for this ledger; false when the log cannot be read.
  bool start_check(RowCheck& check) { return migration_seq(check.v2_before); }
  // What a person's rows cannot show alone: the latest receipt was not
  // superseded by a receipt the log holds (its row deleted, or its
  // `supersedes` edited); the history's links are backend_rules.h's
  // broken_history. `successor`: a statement prepared from kSuccessorSql.
  static std::optional<Problem> unsuperseded(Stmt& successor, const StoredReceipt& latest);
  // Purges and erasures: backend_rules.h's removal steps on this connection.
  class Remover;
  // Stored versions matching `where` (a SQL condition on publications p with
  // one optional text parameter), in log order.
  Result<std::vector<PublishedVersion>> published_locked(const char* where, std::string_view arg);
  sqlite3* db_;
  // This connection's prepared statements (sqlite_statement.h), used under mutex_.
  StatementCache cache_{db_};
  std::unique_ptr<CryptoProvider> crypto_ = make_openssl_crypto();
  std::mutex mutex_;
  // Group commit: appends waiting for a batch, in arrival order, and
  // whether a thread is committing one (it takes the next batch when done).
  std::size_t group_commit_max_ = 1;
  std::unique_ptr<SqliteStore> batch_writer_;
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<PendingAppend*> queue_;
  bool committing_ = false;
};

}  // namespace cachet::ledger::sqlite
