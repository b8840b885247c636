// The consent ledger: an append-only, hash-chained log of accepted receipts
// (DESIGN.md section 2, R9, R10), behind an interface so that a PostgreSQL
// backend can follow the SQLite one. See docs/server.md for the format.
//
// Vocabulary
//   person      the chain of receipts linked by `supersedes`; identified by
//               its *chain root*, the receiptId of the chain's first receipt.
//   state       a person's current decisions: the channels of the latest
//               receipt of their chain (R10: the latest receipt wins).
//   log entry   one line of the hash chain: a stored receipt, a purge, an
//               event (an export), or, from the schema-3 migration on, the
//               migration and the `record` entries binding the compact
//               records of receipts stored before it.
//               From schema 4 on, a `publication` entry when a config
//               version is first served (published config versions).
//               hash = SHA-256(previous hash bytes || canonical entry bytes),
//               the first entry chained to 32 zero bytes.
//   compact record  what the export needs of a receipt (ReceiptRecord),
//               derived when it is accepted and bound to the chain by its
//               SHA-256 (`recordSha256` of its entry).
//
// Every function returns a Result (or Problems) and never throws. Problem
// codes are stable (ledger_*), listed with each function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/json.h"
#include "cachet/problem.h"
#include "cachet/publication.h"

namespace cachet::ledger {

// What the caller hands in: a receipt already verified and countersigned.
struct NewReceipt {
  std::string receipt_id;
  std::string jws;                // the full countersigned JWS, JSON text
  std::string payload;            // the decoded JWS payload (canonical JSON bytes)
  std::string payload_sha256;     // hex SHA-256 of `payload`
  std::string verification;       // JSON text summarising the verification result
  std::string countersigner_kid;  // RFC 7638 thumbprint of the controller key
  std::string received_at;        // RFC 3339 UTC; the store fills it in when empty
  std::string issued_at;          // from the payload
  std::string collection_method;  // from the payload: web-form, paper, preference-centre, ...
  std::string supersedes;         // receiptId replaced, empty for a first receipt
  int retention_months = 0;       // from the payload (R9)
  std::string challenge;          // server challenge to consume atomically, may be empty
};

// One stored receipt, as read back.
struct StoredReceipt {
  std::int64_t seq = 0;  // position in the log
  std::string receipt_id;
  std::string jws;
  std::string payload_sha256;
  std::string verification;
  std::string countersigner_kid;
  std::string received_at;
  std::string issued_at;
  std::string collection_method;
  std::string chain_root;
  std::string supersedes;     // empty for the chain root
  std::string superseded_by;  // empty for the latest receipt of the chain
  int retention_months = 0;
  std::string entry_hash;  // hex hash of its log entry
  Json payload;            // the receipt payload, parsed
};

// A person's current state: the latest receipt of their chain and its history.
struct PersonState {
  std::string chain_root;
  StoredReceipt latest;                // latest.payload["channels"] holds the current decisions
  std::vector<StoredReceipt> history;  // oldest first, ends with `latest`
  std::string retention_until;         // RFC 3339: latest.received_at + retention months (R9)
};

// The compact record of a stored receipt (schema 3; docs/server.md, "Compact
// records"): what the export needs, derived from the verified receipt when the
// ledger accepts it, kept beside it (and purged with it), and bound to the
// hash chain by the SHA-256 of its canonical bytes (canonical_record), which
// the log entry stating it carries as `recordSha256`: the receipt's own entry,
// or, for a receipt stored before schema 3, the `record` entry the migration
// appended. So the chain can be verified, and the export's index built, from
// the records alone, without reading or re-hashing the full receipts;
// verify_chain() still checks every record against the receipt it came from.
// Absent payload fields (or ones that are not JSON strings) are empty.
struct ReceiptRecord {
  std::int64_t entry_seq = 0;    // the log entry that states this record
  std::int64_t receipt_seq = 0;  // the receipt's own log entry (= entry_seq unless back-filled)
  // The ledger's columns, as in the receipt's log entry.
  std::string receipt_id;
  std::string chain_root;
  std::string supersedes;  // empty for a chain root
  std::string collection_method;
  std::string countersigner_kid;
  std::string received_at;
  std::string issued_at;
  int retention_months = 0;
  std::string jws_sha256;      // hex SHA-256 of the stored JWS
  std::string payload_sha256;  // hex SHA-256 of the payload
  std::string verification;    // JSON text written when the receipt was accepted
  // Derived at acceptance: the verification says {"ok": true} and the
  // payload's receiptId is this receipt's.
  bool verified = false;
  // From the payload.
  struct ChannelState {
    std::string decision;  // channels.KIND.decision
    std::string basis;     // channels.KIND.basis
  };
  ChannelState postal, phone, email, sms;
  // subject.salt; for keyed digests (receipt version 2) prefixed with the
  // scheme and a colon, "hmac-sha256:SALT", so that readers of the record
  // (the export) know the scheme without the payload. See record_salt().
  std::string salt;
  struct Digests {
    std::string email, phone, mobile, postal;  // subject.digests.KIND (hex)
  } digests;
  std::string partner_ids;  // canonical JSON array of the string members of notice.partnerIds ("[]" when none)
};

// ReceiptRecord::salt from subject.digest (empty in version 1) and subject.salt
// (base64url, so never holding a colon), and back.
std::string record_salt(std::string_view digest_scheme, std::string_view salt);
struct RecordSalt {
  bool keyed = false;     // subject.digest is kKeyedDigestScheme
  std::string_view salt;  // subject.salt
};
RecordSalt split_record_salt(std::string_view field);

// Fills `record.verified` and the payload members of `record` from its
// `verification` and receipt id and a parsed payload (discarded = unreadable).
void derive_record_fields(const Json& payload, ReceiptRecord& record);
// The same from the payload's JSON text (unparseable = empty), without
// building its DOM: what the ledger does at acceptance and verification.
void derive_record_fields(std::string_view payload, ReceiptRecord& record);
// RFC 8785 bytes of the record (every member but entry_seq and receipt_seq;
// layout in docs/server.md); their SHA-256 is the `recordSha256` of its entry.
std::string canonical_record(const ReceiptRecord& record);
// received_at + retention_months in seconds since the epoch (R9); nullopt when
// no retention is recorded.
std::optional<std::int64_t> retention_end(std::string_view received_at, int retention_months);

// --- transfers to partners (schema 6; docs/server.md, "Transfers") ---------
//
// Every export records, per partner, which people it sent (by a per-partner
// reference), which channels each got, when, and the SHA-256 of the file
// sent. The rows of one partner's file are bound to the hash chain by one
// log entry {"kind": "transfer", "seq", "at", "partnerId", "file",
// "fileSha256", "rows", "rowsSha256"[, "changesFile", "changesSha256"]}
// (RFC 8785), `rowsSha256` being the
// SHA-256 of the canonical row list (canonical_transfer_rows). Purges and
// erasures never delete transfer rows: they are the proof of what left.

// One person sent to one partner by one export.
struct Transfer {
  std::int64_t seq = 0;  // the 'transfer' log entry binding the row
  std::string partner_id;
  std::string reference;               // transfer_reference(partner, chain root): what the partner's file names
  std::string chain_root;              // the person
  std::vector<std::string> channels;   // channels sent ("postal", "phone", "email", "sms"), config order
  std::string at;                      // RFC 3339 UTC transfer time
  std::string file_sha256;             // hex SHA-256 of the partner file sent
  std::string notice_due;              // YYYY-MM-DD: first transfer of this person to this partner + one month (R8)
  std::string notice_acknowledged_at;  // YYYY-MM-DD the partner says it sent the notice; empty when not acknowledged
};

// One partner's file of one export, as handed to record_transfers.
struct TransferBatch {
  std::string partner_id;
  std::string file;         // the file name, e.g. partner-acme.csv
  std::string file_sha256;  // hex
  std::string at;           // RFC 3339 UTC
  // The changes file sent with it (export: stops and deletes since the
  // previous transfer); named in the entry ("changesFile", "changesSha256")
  // when not empty.
  std::string changes_file, changes_sha256;
  struct Row {
    std::string reference, chain_root;
    std::vector<std::string> channels;
    std::string notice_due;
  };
  // Since schema 9 only the rows that change what the partner holds are
  // recorded (a person sent to it for the first time, sent a channel it was
  // never sent, or sent after a new receipt of theirs since the partner's
  // previous transfer); `file_rows` is the number of rows in the file, all
  // of them (stated as "fileRows" when not negative).
  std::vector<Row> rows;  // in file order
  std::int64_t file_rows = -1;
};

// --- holdings (schema 9) ---------------------------------------------------
//
// What a partner holds of one person, folded from every transfer row to
// that partner in log order: the reference and notice due date of the
// first row, and every channel ever sent (union). Kept in a table updated in
// the transaction of each transfer entry, so that an export reads one row
// per person and partner instead of the whole transfer history. Each
// 'transfer' entry written since schema 9 states "holdingsSha256": the
// SHA-256 of the partner's holdings after it (canonical_holding lines in
// chain-root byte order), which the export checks before relying on them;
// `ledger verify` rebuilds the table from the rows and compares.
struct Holding {
  std::string partner_id, chain_root, reference;
  std::vector<std::string> channels;  // ever sent, in the order postal, phone, email, sms
  std::string notice_due;             // of the first transfer (R8)
};
// {"chainRoot", "channels", "noticeDue", "partnerId", "reference"} + "\n" (RFC 8785).
void append_canonical_holding(std::string& out, const Holding& holding);
// Channel names <-> bits (postal 1, phone 2, email 4, sms 8); 0 for a name
// that is none of the four.
std::uint8_t channel_bits(const std::vector<std::string>& channels);
std::vector<std::string> channels_of_bits(std::uint8_t bits);
// Folds one transfer row (in log order) into the holding of its partner and person.
void fold_transfer_row(Holding& holding, const Transfer& row);
// The "holdingsSha256" of a partner's holdings: add them in chain-root byte order.
class HoldingsDigest {
 public:
  HoldingsDigest();
  ~HoldingsDigest();
  HoldingsDigest(const HoldingsDigest&) = delete;
  HoldingsDigest& operator=(const HoldingsDigest&) = delete;
  void add(const Holding& holding);
  std::string hex();  // lower-case hex SHA-256 of every line added

 private:
  void* ctx_;  // EVP_MD_CTX
  std::string line_;
};

// The rows' canonical bytes: for each row in order, the RFC 8785 object
// {"at", "chainRoot", "channels", "fileSha256", "noticeDue", "partnerId",
// "reference"} followed by "\n". Its SHA-256 is the entry's rowsSha256.
void append_canonical_transfer_row(std::string& out, const Transfer& row);

// The stable per-partner reference of a person: lower-case unpadded base32
// (RFC 4648; 26 characters) of the first 16 bytes of
// HMAC-SHA256(secret, partner_id "\n" chain_root),
// `secret` being ConsentStore::secret(kTransferReferenceSecret). Two
// partners' references of one person cannot be linked without the secret.
inline constexpr const char* kTransferReferenceSecret = "transfer-reference";
std::string transfer_reference(std::string_view secret, std::string_view partner_id, std::string_view chain_root);

// A partner's acknowledgement that it sent the first-contact notice (R8) to
// a person: `cachet notices import-acks`. Bound to the chain like transfers,
// by one {"kind": "notice-ack", "seq", "at", "partnerId", "fileSha256",
// "rows", "rowsSha256"} entry per import (rows: {"line", "partnerId",
// "reference", "sentAt"} + "\n").
struct NoticeAck {
  std::int64_t seq = 0;   // its 'notice-ack' entry
  std::int64_t line = 0;  // line of the imported file
  std::string partner_id, reference;
  std::string sent_at;  // YYYY-MM-DD
};
void append_canonical_notice_ack(std::string& out, const NoticeAck& ack);

enum class AppendStatus { kAppended, kDuplicate };
struct AppendOutcome {
  AppendStatus status = AppendStatus::kAppended;
  StoredReceipt stored;  // for kDuplicate: the receipt already stored (same payload)
};

// Result of `verify_chain`.
struct ChainProblem {
  std::int64_t seq = 0;    // log entry concerned (0 when none applies)
  std::string receipt_id;  // may be empty
  std::string code;        // ledger_hash_mismatch, ledger_entry_mismatch, ...
  std::string message;
};
struct ChainReport {
  // Entries 1..after_seq were not rehashed: a signed chain head vouched for
  // them (ChainCheckOptions::after_seq); 0 for a full check.
  std::int64_t after_seq = 0;
  std::int64_t entries = 0;            // entries checked (after after_seq)
  std::int64_t receipts = 0;           // live receipts
  std::string head;                    // hex hash of the last entry (anchor it elsewhere to detect tail truncation)
  std::vector<ChainProblem> problems;  // in log order; empty = the chain verifies
  bool ok() const { return problems.empty(); }
  Json to_json() const;
};

// How verify_chain_with / verify_records_with run (docs/export.md, "How it runs").
struct ChainCheckOptions {
  // Threads checking the chain, each over its own blocks of entries (every
  // entry's hash and record depend only on the stored hash before it); 0: one
  // per core. The report is the same whatever the number.
  unsigned jobs = 0;
  // verify_records_with only: start after a signed chain head (head.h) that
  // an earlier check verified: entry `after_seq` must still hash to
  // `after_hash` (else ledger_head_mismatch / ledger_truncated, nothing else
  // checked); entries after it are checked as in a full check, and the
  // records of entries up to it are visited unchecked. 0: the full chain.
  std::int64_t after_seq = 0;
  std::string after_hash;
};

// The last entry of the log (seq 0 and no hash when it is empty).
struct LogTip {
  std::int64_t seq = 0;
  std::string hash;
};

struct PurgeReport {
  std::int64_t seq = 0;              // log entry recording the purge, 0 when nothing was removed
  std::vector<std::string> removed;  // receipt ids
  Json to_json() const;
};

// The proof of one person's erasure (store.h erase): the hash-chained log
// entry that records it, with its seq and hash.
struct ErasureReport {
  std::int64_t seq = 0;              // the 'erasure' log entry
  std::string chain_root;            // the person erased
  std::vector<std::string> removed;  // receipt ids, in log order
  std::string entry;                 // its canonical bytes (RFC 8785)
  std::string hash;                  // its hex hash in the chain
  // {"seq", "hash", "chainRoot", "removed": [ids], "entry": the entry parsed}
  Json to_json() const;
};

class ConsentStore {
 public:
  virtual ~ConsentStore() = default;

  // Appends one receipt and its log entry durably; returns only once the
  // commit is on disk. (The SQLite store may commit receipts appended
  // concurrently in one transaction, each under its own savepoint:
  // SqliteOptions::group_commit_max.)
  //  - same receiptId and same payload hash already stored: kDuplicate (idempotent);
  //  - ledger_replay: the receiptId is stored with a different payload;
  //  - ledger_unknown_supersedes: `supersedes` names no stored receipt;
  //  - ledger_already_superseded: that receipt was already superseded (history
  //    never forks nor is rewritten);
  //  - ledger_challenge_used: `challenge` was consumed by another receipt;
  //  - ledger_io: the database failed.
  virtual Result<AppendOutcome> append(const NewReceipt& receipt) = 0;

  // One receipt by id (nullopt when absent or purged).
  virtual Result<std::optional<StoredReceipt>> find(std::string_view receipt_id) = 0;

  // The whole chain (person) a receipt belongs to, oldest first.
  // ledger_unknown_receipt when the id is not stored.
  virtual Result<PersonState> state_of(std::string_view receipt_id) = 0;

  // Calls `visit` once per person, in order of their first receipt, with the
  // current state (the latest verified payload). Stops early when `visit`
  // returns false. `with_history` fills PersonState::history (costlier).
  virtual Problems for_each_person(const std::function<bool(const PersonState&)>& visit, bool with_history = false) = 0;

  // Appends receipts in order, as append() does one; the SQLite store does it
  // in one transaction (one commit, one fsync), all or nothing: on a problem
  // nothing is appended and the problem's path starts with "/N" (N the index
  // of the offending receipt). For bulk loads (benchmarks, migrations).
  virtual Result<std::vector<AppendOutcome>> append_many(const std::vector<NewReceipt>& receipts);

  // Recomputes the hash chain and checks every stored receipt against its
  // entry: its columns, the SHA-256 of its JWS, and that the payload column is
  // the JWS payload and hashes to the recorded digest. Streams the log once
  // (memory does not grow with the ledger).
  virtual Result<ChainReport> verify_chain() = 0;

  // The export's check (docs/export.md, "Trust model"): in one read
  // transaction, streams the log once, recomputes the hash chain over every
  // entry, checks that every live compact record is the one its entry states
  // (SHA-256 of its canonical bytes) and that no record was deleted without a
  // purge entry, and calls `visit` with every live record, in log order of
  // the receipts (a chain's latest last). It does not read the receipts
  // (their JWS, payloads, signatures): verify_chain() checks those, and that
  // each record matches its receipt. Records come before the report: use
  // them only once the returned report is ok(). Its `receipts` counts the
  // live records.
  virtual Result<ChainReport> verify_records(const std::function<void(const ReceiptRecord&)>& visit);
  // The same two checks with options (ChainCheckOptions). The defaults run the
  // plain ones on one thread and check the full chain (after_seq ignored,
  // and the report says so: after_seq 0).
  virtual Result<ChainReport> verify_chain_with(const ChainCheckOptions& options);
  virtual Result<ChainReport> verify_records_with(const std::function<void(const ReceiptRecord&)>& visit,
                                                  const ChainCheckOptions& options);

  // R9: removes every person whose retention has passed at `now_unix`
  // (latest receipt's received_at + its retention.months) and records the
  // purge as a log entry naming each removed receipt and its entry hash.
  virtual Result<PurgeReport> purge(std::int64_t now_unix) = 0;

  // The person's right to erasure (GDPR art. 17): removes every receipt and
  // compact record of the person `receipt_id` belongs to (any of their
  // receipts) in one durable transaction, and appends the hash-chained entry
  //   {"kind":"erasure","seq":N,"at":RFC3339,"chainRoot":ID,
  //    "removed":[{"receiptId":..,"entryHash":..}],"requestedAt":..}
  // (RFC 8785; a receipt stored before schema 3 also names its record's
  // entry, "recordEntryHash", as purge entries do). `requested_at`: when the
  // person asked (RFC 3339 UTC or a date), `now_unix` the erasure time
  // (`at`). verify_chain, verify_records and the reads then treat the person
  // like a purged one; a deletion without such an entry is still reported.
  // Rows other tables keep about the person (transfers) are left alone.
  // Problems: ledger_unknown_receipt (not stored: never, or already erased or
  // purged), ledger_bad_erasure (requested_at), ledger_io.
  virtual Result<ErasureReport> erase(std::string_view receipt_id, std::string_view requested_at,
                                      std::int64_t now_unix) = 0;

  // A 32-byte secret stored with the ledger, created on first use (server
  // challenges, preference links): survives restarts so links stay valid.
  virtual Result<std::string> secret(std::string_view name) = 0;

  // Appends a hash-chained log entry for something that is not a receipt,
  // e.g. an export: {"kind": "event", "type": type, "seq", "at", "details"}
  // (RFC 8785). Returns its seq. ledger_bad_event for a reserved or empty type
  // or details that cannot be canonicalised; ledger_io.
  virtual Result<std::int64_t> record_event(std::string_view type, const Json& details) = 0;

  // True when the challenge was already consumed.
  virtual Result<bool> challenge_used(std::string_view challenge) = 0;

  // --- published config versions (cachet/publication.h; docs/server.md) ---
  // Stores a config version once, content-addressed by its digest (the
  // SHA-256 of its canonical config), with its exact notices and partner
  // list, and appends the hash-chained entry {"kind": "publication", "seq",
  // "at", "digest", "configVersion", "noticeSha256": {locale: hex},
  // "partnerListSha256"} (RFC 8785). Idempotent: a digest already stored
  // comes back as stored (first served then, same seq), with no new entry.
  // `at`: RFC 3339 UTC first-served time. Returns the version as stored.
  // Problems: ledger_bad_publication (the digests are not those of the
  // bytes), ledger_io.
  virtual Result<PublishedVersion> publish(const PublishedVersion& version, std::string_view at) = 0;
  // Every stored version, in log order (first served first).
  virtual Result<std::vector<PublishedVersion>> published_versions() = 0;
  // One version by digest (nullopt when not stored).
  virtual Result<std::optional<PublishedVersion>> find_published(std::string_view digest) = 0;
  // The versions stored under a configVersion (several when a config was
  // edited without a new configVersion), in log order.
  virtual Result<std::vector<PublishedVersion>> find_published_by_version(std::string_view config_version) = 0;
  // Signed chain heads (head.h). The log's last entry; the stored hash of
  // entry `seq` (nullopt when there is none); keeping a signed head (its
  // JWS text, with what it states), which is not a log entry; the latest
  // kept head (highest seq, then the last kept), nullopt when none.
  virtual Result<LogTip> tip() = 0;
  virtual Result<std::optional<std::string>> entry_hash(std::int64_t seq) = 0;
  virtual Problems store_head(std::int64_t seq, std::string_view hash, std::string_view signed_at, std::string_view kid,
                              std::string_view jws) = 0;
  virtual Result<std::optional<std::string>> latest_head() = 0;
  // The first kept head covering entry `seq` (lowest head seq >= seq, the
  // first kept of those), nullopt when none does yet (proof bundles).
  virtual Result<std::optional<std::string>> head_covering(std::int64_t seq) = 0;
  // Calls `visit(seq, entry, hash)` for log entries from..to (inclusive), in
  // order: the canonical entry text and its stored hash (proof bundles).
  virtual Problems read_log(std::int64_t from, std::int64_t to,
                            const std::function<void(std::int64_t, std::string_view, std::string_view)>& visit) = 0;

  // --- transfers (schema 6; see Transfer above) ---
  // Records the files of one export, one 'transfer' entry per batch (in
  // order), in one transaction. Returns the entries' seqs. Problems:
  // ledger_bad_transfer (empty partner id, a time that is not RFC 3339 UTC),
  // ledger_io.
  virtual Result<std::vector<std::int64_t>> record_transfers(const std::vector<TransferBatch>& batches) = 0;
  // Every transfer of one person, oldest first, with the acknowledgements.
  virtual Result<std::vector<Transfer>> transfers_of(std::string_view chain_root) = 0;
  // Every transfer row to one partner, oldest first (channels and all; the
  // acknowledgement is not filled in). Stops when `visit` returns false.
  virtual Problems for_each_transfer_to(std::string_view partner_id,
                                        const std::function<bool(const Transfer&)>& visit) = 0;
  // What a partner holds, one Holding per person, in chain-root byte order
  // (see Holding). Default: folded from for_each_transfer_to (a backend
  // without the holdings table).
  virtual Problems for_each_holding(std::string_view partner_id, const std::function<void(const Holding&)>& visit);
  // The seq of the latest 'transfer' entry to a partner (0 when none).
  virtual Result<std::int64_t> last_transfer_seq(std::string_view partner_id) = 0;
  // The chain root a partner's reference stands for (nullopt when that
  // partner was never sent it).
  virtual Result<std::optional<std::string>> chain_root_of_reference(std::string_view partner_id,
                                                                     std::string_view reference) = 0;
  // Records acknowledgements (one 'notice-ack' entry; `file_sha256` of the
  // imported file). Returns its seq. ledger_bad_transfer, ledger_io.
  virtual Result<std::int64_t> record_notice_acks(std::string_view partner_id, std::string_view file_sha256,
                                                  const std::vector<NoticeAck>& acks) = 0;
  // Per partner and reference ever transferred: the first notice due date
  // and the earliest acknowledgement (empty when none), partner then
  // reference order. Transfer::seq/at/channels/file_sha256 are those of the
  // first transfer.
  virtual Result<std::vector<Transfer>> notice_status() = 0;

 protected:
  // Every stored receipt, in ledger order, for the default implementations above.
  Problems receipts_in_order(std::vector<StoredReceipt>& all);
};

// Options of the SQLite backend.
struct SqliteOptions {
  // Group commit (docs/server.md, "Group commit"): appends that arrive while
  // a batch is committing wait, then go together, in arrival order (which is
  // their order in the hash chain), in one transaction and one fsync; each
  // receipt has its own savepoint, so one refused receipt does not fail the
  // others, and each append() returns only once its batch is durable. At
  // most this many receipts per batch; 1 commits each receipt in a
  // transaction of its own (the baseline bench/serve-ingest.mjs compares).
  std::size_t group_commit_max = 256;
};

// SQLite backend: one file, WAL, synchronous=FULL, busy timeout, schema
// migrations through PRAGMA user_version. Thread-safe: one connection,
// serialised, plus (for a file, when group commit is on) a second one that
// only commits batches of appends. ledger_io when the file cannot be opened
// or migrated.
Result<std::unique_ptr<ConsentStore>> open_sqlite_store(const std::string& path,
                                                        const SqliteOptions& options = SqliteOptions());

}  // namespace cachet::ledger
