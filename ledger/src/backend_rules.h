// What the ledger decides the same way on every backend (SQLite, PostgreSQL),
// kept once. One receipt appended: what makes an append a duplicate, a replay
// or a fork, the challenge used once, and the log entry and compact record
// written (docs/server.md, "Hash chain"). A backend supplies the steps (reads
// and writes on its own connection, inside the transaction it holds);
// append_receipt() decides what they mean. And what a published config
// version must carry to be stored. Purges and erasures: who is removed and
// the entry that says so. Transfers and notice acknowledgements: what a
// batch must carry, and the entry binding its rows.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/ledger/store.h"

namespace cachet::ledger {

class AppendSteps {
 public:
  virtual ~AppendSteps() = default;
  virtual Result<std::optional<StoredReceipt>> find(const std::string& receipt_id) = 0;
  // True when a log entry names the id (a receipt stored, or stored and purged).
  virtual Result<bool> id_was_logged(const std::string& receipt_id) = 0;
  // Records the challenge as used by the receipt; false when it was used already.
  virtual Result<bool> use_challenge(const std::string& challenge, const std::string& receipt_id) = 0;
  // The seq the next entry takes and the hash of the last one ("" before the first).
  virtual Problems log_head(std::int64_t& next_seq, std::string& prev_hash) = 0;
  // Writes the log entry, the receipt row and its compact record.
  virtual Problems write(const NewReceipt& in, const ReceiptRecord& record, const std::string& entry,
                         const std::string& hash) = 0;
};

Result<AppendOutcome> append_receipt(AppendSteps& steps, const NewReceipt& in);

// The receipt a `supersedes` names has been superseded meanwhile (a backend's
// write step may find it at insert time, from its unique index).
Problem already_superseded(const std::string& receipt_id);

// ledger_tampered for the stored receipt `id` (log entry `seq`): `what` says
// how its row no longer matches the chain.
Problem tampered_problem(std::string_view id, std::int64_t seq, const std::string& what);

// A person's history (root first) must link root to latest by `supersedes`;
// else ledger_tampered naming the first receipt that does not follow.
std::optional<Problem> broken_history(const std::vector<StoredReceipt>& history, const std::string& chain_root);

// A published version is stored as given, so what is stored must be what its
// digests name: its notices as canonical JSON (RFC 8785), or
// ledger_bad_publication.
Result<std::string> publication_notices(const PublishedVersion& version, std::string_view at);

// --- entries other than a receipt's -----------------------------------------

// Appending one log entry, inside the transaction the backend holds (and,
// on PostgreSQL, its chain lock).
class LogSteps {
 public:
  virtual ~LogSteps() = default;
  // The seq the next entry takes and the hash of the last one ("" before the first).
  virtual Problems log_head(std::int64_t& next_seq, std::string& prev_hash) = 0;
  // Writes one entry (receipt_id NULL).
  virtual Problems insert_log(std::int64_t seq, const char* kind, const std::string& text, const std::string& hash) = 0;
};

// Appends `entry`, an entry of `kind` lacking only its seq: sets the seq,
// canonicalises it (RFC 8785) and chains it. Returns its seq, text and hash.
Problems append_entry(LogSteps& steps, const char* kind, Json entry, std::int64_t& seq, std::string& text,
                      std::string& hash);

// --- purges (R9) and erasures (GDPR art. 17; store.h purge, erase) -----------

struct LatestReceipt {  // a person's latest receipt: it decides when their retention ends
  std::string chain_root, received_at;
  std::int64_t retention_months = 0;
};
struct RemovedReceipt {
  std::string receipt_id;
  std::string entry_hash;  // its own log entry's
  // A receipt stored before schema 3: the hash of the 'record' entry that
  // states its compact record (nullopt when its own entry does).
  std::optional<std::string> record_entry_hash;
};

class RemovalSteps : public LogSteps {
 public:
  // The latest receipt of every person, in log order of those receipts.
  virtual Problems latest_receipts(std::vector<LatestReceipt>& out) = 0;
  // The chain root of a stored receipt (nullopt when it is not stored).
  virtual Result<std::optional<std::string>> chain_root_of(std::string_view receipt_id) = 0;
  // Deletes one person's receipts, compact records and consumed challenges;
  // `removed`: their receipts, in log order. Transfer rows stay.
  virtual Problems remove_person(const std::string& chain_root, std::vector<RemovedReceipt>& removed) = 0;
};

// The purge at `now` (R9): every person whose latest receipt's received_at +
// retention months has passed (none recorded: never purged automatically) is
// removed, and one 'purge' entry names each removed receipt. Nothing
// appended when nobody is due (report.seq 0).
Result<PurgeReport> purge_expired(RemovalSteps& steps, std::int64_t now);
// ledger_bad_erasure unless `requested_at` is an RFC 3339 UTC time or a date.
std::optional<Problem> bad_erasure_request(std::string_view requested_at);
// One person's erasure (store.h erase): ledger_unknown_receipt when
// `receipt_id` is not stored, else the person removed and the 'erasure'
// entry appended.
Result<ErasureReport> erase_person(RemovalSteps& steps, std::string_view receipt_id, std::string_view requested_at,
                                   std::int64_t now);

// --- transfers and notice acknowledgements (store.h) -------------------------

// ledger_bad_transfer for a batch without a partner id or an RFC 3339 UTC
// time, or with a row naming a channel that is none of the four.
std::optional<Problem> bad_transfer_batches(const std::vector<TransferBatch>& batches);
// ledger_bad_transfer for acknowledgements without a partner id.
std::optional<Problem> bad_notice_ack_partner(std::string_view partner_id);

// Streaming SHA-256 (a partner file may hold a million rows): the
// `rowsSha256` of transfer and acknowledgement entries.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view data);
  std::string hex();  // lower-case hex; "" when OpenSSL failed

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The `rowsSha256` of one transfer batch: each row's canonical bytes
// (store.h, append_canonical_transfer_row) hashed in file order.
class TransferRowsHash {
 public:
  explicit TransferRowsHash(const TransferBatch& batch);
  void add(const TransferBatch::Row& row);
  std::string hex() { return sha_.hex(); }

 private:
  Sha256Stream sha_;
  Transfer row_;  // the batch's fields set once, the row's on each add
  std::string canonical_;
};

// The `rowsSha256` of one import of a partner's acknowledgements: each
// acknowledgement's canonical bytes (store.h, append_canonical_notice_ack),
// with the partner's id, hashed in file order.
class NoticeAckRowsHash {
 public:
  explicit NoticeAckRowsHash(std::string_view partner_id);
  void add(const NoticeAck& ack);
  std::string hex() { return sha_.hex(); }

 private:
  Sha256Stream sha_;
  NoticeAck row_;  // the partner's id set once, the acknowledgement's fields on each add
  std::string canonical_;
};

// A transfer row's channels as stored (canonical JSON array of names already
// checked by bad_transfer_batches), and back.
std::string transfer_channels_text(const std::vector<std::string>& channels);
std::vector<std::string> transfer_channels_of(std::string_view text);

// The 'transfer' entry of one batch whose `rows` rows hash to `rows_sha256`,
// after which the partner's holdings hash to `holdings_sha256` (store.h,
// Holding), and the 'notice-ack' entry of one import, canonical (RFC 8785).
std::string transfer_entry(std::int64_t seq, const TransferBatch& batch, std::int64_t rows,
                           const std::string& rows_sha256, const std::string& holdings_sha256);
std::string notice_ack_entry(std::int64_t seq, std::string_view at, std::string_view partner_id,
                             std::string_view file_sha256, std::int64_t rows, const std::string& rows_sha256);

}  // namespace cachet::ledger
