// SQLite backend of the consent ledger (store.h). Layout and the hash chain
// are documented in docs/server.md; this file is the reference.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

#include "cachet/canonical_json.h"
#include "cachet/openssl_crypto.h"
#include "cachet/server/store.h"
#include "records.h"
#include "util.h"

namespace cachet::server {
namespace {

constexpr int kSchemaVersion = 3;

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
};

// Columns of a ReceiptRecord (table `records` as c), in read_record's order.
constexpr const char* kRecordColumns =
    "c.entry_seq, c.receipt_seq, c.receipt_id, c.chain_root, c.supersedes, c.collection_method, "
    "c.countersigner_kid, c.received_at, c.issued_at, c.retention_months, c.jws_sha256, c.payload_sha256, "
    "c.verification, c.verified, c.postal_decision, c.postal_basis, c.phone_decision, c.phone_basis, "
    "c.email_decision, c.email_basis, c.sms_decision, c.sms_basis, c.salt, c.digest_email, c.digest_phone, "
    "c.digest_mobile, c.digest_postal, c.partner_ids";

Problem io_problem(const std::string& what, sqlite3* db) {
  std::string message = "The ledger database failed (" + what + ")";
  if (db != nullptr) message += ": " + std::string(sqlite3_errmsg(db));
  return Problem{"ledger_io", "", message + "."};
}

// RAII prepared statement with the few accessors we need.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Stmt& bind(int i, std::string_view text) {
    if (stmt_) sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind_null_if_empty(int i, std::string_view text) {
    if (!stmt_) return *this;
    if (text.empty()) {
      sqlite3_bind_null(stmt_, i);
      return *this;
    }
    return bind(i, text);
  }
  Stmt& bind(int i, std::int64_t value) {
    if (stmt_) sqlite3_bind_int64(stmt_, i, value);
    return *this;
  }
  Stmt& bind_blob(int i, std::string_view bytes) {
    if (stmt_) sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return stmt_ ? sqlite3_step(stmt_) : SQLITE_ERROR; }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
  }
  std::string blob(int col) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
  }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  // Valid until the next step(): no copy, for the bulk readers.
  std::string_view view(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string_view();
  }
  void reset() {
    if (stmt_) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string chain_hash(const std::string& prev_hex, const std::string& entry) {
  std::string prev = prev_hex.empty() ? std::string(32, '\0') : from_hex(prev_hex).value_or(std::string(32, '\0'));
  return sha256_hex(prev + entry);
}

// True when `encoded` is exactly the unpadded base64url encoding (RFC 4648
// section 5) of `bytes`; encodes on the fly, without allocating.
bool b64url_equals(std::string_view bytes, std::string_view encoded) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  if (encoded.size() != (bytes.size() * 4 + 2) / 3) return false;
  std::size_t o = 0;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3, o += 4) {
    const std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    if (encoded[o] != kAlphabet[v >> 18] || encoded[o + 1] != kAlphabet[(v >> 12) & 63] ||
        encoded[o + 2] != kAlphabet[(v >> 6) & 63] || encoded[o + 3] != kAlphabet[v & 63]) {
      return false;
    }
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return true;
  std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
  if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
  if (encoded[o] != kAlphabet[v >> 18] || encoded[o + 1] != kAlphabet[(v >> 12) & 63]) return false;
  return rest == 1 || encoded[o + 2] == kAlphabet[(v >> 6) & 63];
}

// Columns read for a StoredReceipt, in this order.
constexpr const char* kReceiptColumns =
    "r.seq, r.receipt_id, r.jws, r.payload_sha256, r.verification, r.countersigner_kid, r.received_at, "
    "r.issued_at, r.collection_method, r.chain_root, IFNULL(r.supersedes, ''), "
    "IFNULL((SELECT s.receipt_id FROM receipts s WHERE s.supersedes = r.receipt_id), ''), "
    "r.retention_months, IFNULL((SELECT l.hash FROM log l WHERE l.seq = r.seq), ''), r.payload";

StoredReceipt read_receipt(const Stmt& st) {
  StoredReceipt r;
  r.seq = st.int64(0);
  r.receipt_id = st.text(1);
  r.jws = st.text(2);
  r.payload_sha256 = st.text(3);
  r.verification = st.text(4);
  r.countersigner_kid = st.text(5);
  r.received_at = st.text(6);
  r.issued_at = st.text(7);
  r.collection_method = st.text(8);
  r.chain_root = st.text(9);
  r.supersedes = st.text(10);
  r.superseded_by = st.text(11);
  r.retention_months = static_cast<int>(st.int64(12));
  r.entry_hash = st.text(13);
  r.payload = Json::parse(st.text(14), nullptr, false);
  if (r.payload.is_discarded()) r.payload = Json();
  return r;
}

std::string retention_until(const std::string& received_at, int months) {
  const auto at = parse_rfc3339(received_at);
  if (!at || months <= 0) return "";
  return format_rfc3339(add_months(*at, months));
}

std::string retention_until(const StoredReceipt& latest) {
  return retention_until(latest.received_at, latest.retention_months);
}

// Reads the kRecordColumns starting at column `first` into `r`, reusing its
// strings' storage (the export reads a million of them).
void read_record(const Stmt& st, int first, ReceiptRecord& r) {
  int i = first;
  auto text = [&](std::string& out) { out.assign(st.view(i++)); };
  r.entry_seq = st.int64(i++);
  r.receipt_seq = st.int64(i++);
  text(r.receipt_id);
  text(r.chain_root);
  text(r.supersedes);
  text(r.collection_method);
  text(r.countersigner_kid);
  text(r.received_at);
  text(r.issued_at);
  r.retention_months = static_cast<int>(st.int64(i++));
  text(r.jws_sha256);
  text(r.payload_sha256);
  text(r.verification);
  r.verified = st.int64(i++) == 1;
  for (ReceiptRecord::ChannelState* c : {&r.postal, &r.phone, &r.email, &r.sms}) {
    text(c->decision);
    text(c->basis);
  }
  text(r.salt);
  text(r.digests.email);
  text(r.digests.phone);
  text(r.digests.mobile);
  text(r.digests.postal);
  text(r.partner_ids);
}

constexpr const char* kInsertRecordSql =
    "INSERT INTO records(entry_seq, receipt_seq, receipt_id, chain_root, supersedes, collection_method, "
    "countersigner_kid, received_at, issued_at, retention_months, jws_sha256, payload_sha256, verification, verified, "
    "postal_decision, postal_basis, phone_decision, phone_basis, email_decision, email_basis, sms_decision, sms_basis, "
    "salt, digest_email, digest_phone, digest_mobile, digest_postal, partner_ids) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)";

// SQLITE_DONE, or the error (SQLITE_CONSTRAINT for a second record of a receipt).
int insert_record(Stmt& st, const ReceiptRecord& r) {
  st.reset();
  int i = 1;
  st.bind(i++, r.entry_seq);
  st.bind(i++, r.receipt_seq);
  for (const std::string* text : {&r.receipt_id, &r.chain_root, &r.supersedes, &r.collection_method,
                                  &r.countersigner_kid, &r.received_at, &r.issued_at}) {
    st.bind(i++, std::string_view(*text));
  }
  st.bind(i++, static_cast<std::int64_t>(r.retention_months));
  for (const std::string* text : {&r.jws_sha256, &r.payload_sha256, &r.verification}) st.bind(i++, std::string_view(*text));
  st.bind(i++, static_cast<std::int64_t>(r.verified ? 1 : 0));
  for (const ReceiptRecord::ChannelState* c : {&r.postal, &r.phone, &r.email, &r.sms}) {
    st.bind(i++, std::string_view(c->decision));
    st.bind(i++, std::string_view(c->basis));
  }
  for (const std::string* text : {&r.salt, &r.digests.email, &r.digests.phone, &r.digests.mobile, &r.digests.postal,
                                  &r.partner_ids}) {
    st.bind(i++, std::string_view(*text));
  }
  return st.step();
}

// The record of a stored receipt, derived from its columns and payload (at
// acceptance, by the migration, and by verify_chain to check the stored one).
ReceiptRecord derive_record(std::string_view receipt_id, std::string_view jws_sha256, std::string_view payload,
                            std::string_view payload_sha256, std::string_view verification, std::string_view kid,
                            std::string_view received_at, std::string_view issued_at, std::string_view chain_root,
                            std::string_view supersedes, std::string_view method, std::int64_t retention_months) {
  ReceiptRecord r;
  r.receipt_id = receipt_id;
  r.chain_root = chain_root;
  r.supersedes = supersedes;
  r.collection_method = method;
  r.countersigner_kid = kid;
  r.received_at = received_at;
  r.issued_at = issued_at;
  r.retention_months = static_cast<int>(retention_months);
  r.jws_sha256 = jws_sha256;
  r.payload_sha256 = payload_sha256;
  r.verification = verification;
  derive_record_fields(payload, r);
  return r;
}

// Every member of the canonical record equal (not the positions).
bool same_record(const ReceiptRecord& a, const ReceiptRecord& b) {
  auto channel = [](const ReceiptRecord::ChannelState& x, const ReceiptRecord::ChannelState& y) {
    return x.decision == y.decision && x.basis == y.basis;
  };
  return a.receipt_id == b.receipt_id && a.chain_root == b.chain_root && a.supersedes == b.supersedes &&
         a.collection_method == b.collection_method && a.countersigner_kid == b.countersigner_kid &&
         a.received_at == b.received_at && a.issued_at == b.issued_at && a.retention_months == b.retention_months &&
         a.jws_sha256 == b.jws_sha256 && a.payload_sha256 == b.payload_sha256 && a.verification == b.verification &&
         a.verified == b.verified && channel(a.postal, b.postal) && channel(a.phone, b.phone) &&
         channel(a.email, b.email) && channel(a.sms, b.sms) && a.salt == b.salt &&
         a.digests.email == b.digests.email && a.digests.phone == b.digests.phone &&
         a.digests.mobile == b.digests.mobile && a.digests.postal == b.digests.postal && a.partner_ids == b.partner_ids;
}

// True when `hex` is the lower-case hex of the 32 bytes of `raw`.
bool hex_equals(const std::array<unsigned char, 32>& raw, std::string_view hex) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (hex.size() != 64) return false;
  for (std::size_t i = 0; i < 32; ++i) {
    if (hex[2 * i] != kHex[raw[i] >> 4] || hex[2 * i + 1] != kHex[raw[i] & 15]) return false;
  }
  return true;
}

// What `ledger verify` (verify_locked) and the export's pass (verify_records_locked)
// check alike, entry by entry in seq order: no gap, the hash chain, the compact
// record an entry states rebuilds it, any other entry is well-formed, and every
// record missing is named by a later purge entry. The callers add what they
// read besides (the receipts; the records handed to the export).
class LogWalk {
 public:
  LogWalk(sqlite3* db, std::int64_t v2_before)
      : v2_before_(v2_before), record_present_(db, "SELECT entry_seq FROM records WHERE receipt_id = ?1") {}

  ChainReport report;
  Sha256Hasher sha;

  bool ok() const { return record_present_.ok(); }

  // The first five columns both walks select: seq, kind, receipt id, entry, hash.
  struct Row {
    std::int64_t seq = 0;
    std::string_view kind, id, entry, hash;  // valid until the next step()
  };
  static Row row_of(const Stmt& st) { return {st.int64(0), st.view(1), st.view(2), st.view(3), st.view(4)}; }

  void add(std::int64_t seq, std::string id, std::string code, std::string message) {
    report.problems.push_back(ChainProblem{seq, std::move(id), std::move(code), std::move(message)});
  }

  // One more entry: its seq follows the previous one and it hashes onto it.
  void chain(std::int64_t seq, std::string_view id, std::string_view entry, std::string_view hash) {
    ++report.entries;
    if (seq != expected_) {
      add(seq, std::string(id), "ledger_gap",
          "Log entry " + std::to_string(expected_) + " is missing (the next one is " + std::to_string(seq) + ").");
    }
    expected_ = seq + 1;
    const std::optional<std::array<unsigned char, 32>> computed = sha.digest(raw(prev_), entry);
    if (computed && hex_equals(*computed, hash)) {
      prev_ = *computed;
      return;
    }
    add(seq, std::string(id), "ledger_hash_mismatch",
        "Log entry " + std::to_string(seq) +
            " does not hash to its recorded value, or does not follow the entry before it: the log was edited.");
    // Go on from the stored hash, so one edit is reported once.
    const std::optional<std::string> stored = from_hex(hash);
    prev_ = {};
    if (stored && stored->size() == prev_.size()) std::copy(stored->begin(), stored->end(), prev_.begin());
  }

  // A 'record' entry, or a receipt entry written since schema 3 (before the
  // migration entry, receipt entries have the schema-1/2 form).
  bool states_record(std::string_view kind, std::int64_t seq) const {
    return kind == "record" || (kind == "receipt" && seq > v2_before_);
  }

  // The record an entry states (nullptr: none stored) must rebuild the entry,
  // its SHA-256 included; a missing one is remembered for the purge entries.
  // True when it does; canonical() then holds the record's canonical text.
  bool check_stated_record(std::int64_t seq, std::string_view kind, std::string_view id, std::string_view entry,
                           std::string_view hash, const ReceiptRecord* record) {
    if (record == nullptr) {
      absent_records_[std::string(id)] = Absent{seq, std::string(hash)};
      return false;
    }
    canonical_record_into(canonical_, *record);
    const std::string record_hash = sha.hex(canonical_);
    const bool own = kind == "receipt";
    if (own) {
      receipt_entry_for_into(rebuilt_, *record, seq, record_hash);
    } else {
      rebuilt_ = record_entry(seq, record->receipt_id, record->receipt_seq, record_hash);
    }
    if (rebuilt_ == entry && (own ? record->receipt_seq == seq : v2_before_ != 0 && record->receipt_seq < v2_before_)) {
      return true;
    }
    add(seq, record->receipt_id, "ledger_record_mismatch",
        "The compact record of receipt " + record->receipt_id + " no longer matches its log entry " +
            std::to_string(seq) + ": it was edited after it was recorded.");
    return false;
  }
  const std::string& canonical() const { return canonical_; }

  // Any other entry is read: a JSON object naming its own seq and kind.
  std::optional<Json> parse_entry(std::int64_t seq, std::string_view kind, std::string_view id,
                                  std::string_view entry) {
    Json parsed = Json::parse(entry, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("seq") ||
        !parsed["seq"].is_number_integer() || parsed["seq"].get<std::int64_t>() != seq || !parsed.contains("kind") ||
        !parsed["kind"].is_string() || parsed["kind"].get<std::string>() != kind) {
      add(seq, std::string(id), "ledger_bad_entry", "Log entry " + std::to_string(seq) + " is not a well-formed entry.");
      return std::nullopt;
    }
    return parsed;
  }

  // One receipt a purge entry names (receiptId, entryHash, recordEntryHash):
  // its record is accounted for when it was missing from the entry those
  // hashes name; a record still stored is reported, unless `reported` (the
  // caller reported the receipt itself). False when the database failed.
  bool purge_record(const std::string& rid, const std::string& entry_hash, const std::string& record_hash,
                    bool reported) {
    const auto it = absent_records_.find(rid);
    if (it != absent_records_.end() &&
        (it->second.hash == entry_hash || (!record_hash.empty() && it->second.hash == record_hash))) {
      it->second.purged = true;
      return true;
    }
    // Purged before schema 3 (it never had a record), or still stored.
    record_present_.reset();
    record_present_.bind(1, rid);
    const int rc = record_present_.step();
    if (rc == SQLITE_ROW && !reported) {
      add(record_present_.int64(0), rid, "ledger_purged_receipt_present",
          "The compact record of receipt " + rid + " was recorded as purged but is still stored.");
    }
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
  }

  // A stored receipt without a record: where its record went missing (the
  // entry that stated it), forgetting it as absent; `fallback` when no entry did.
  std::int64_t take_missing_record(const std::string& rid, std::int64_t fallback) {
    const auto it = absent_records_.find(rid);
    if (it == absent_records_.end()) return fallback;
    const std::int64_t seq = it->second.seq;
    absent_records_.erase(it);
    return seq;
  }

  // After the last entry: the head, records missing without a purge, and
  // the problems in log order.
  ChainReport finish() {
    report.head = report.entries == 0 ? std::string() : to_hex(raw(prev_));
    for (const auto& [rid, a] : absent_records_) {
      if (!a.purged) {
        add(a.seq, rid, "ledger_record_missing",
            "The compact record of receipt " + rid + " (log entry " + std::to_string(a.seq) +
                ") was deleted without a purge entry.");
      }
    }
    std::stable_sort(report.problems.begin(), report.problems.end(),
                     [](const ChainProblem& a, const ChainProblem& b) { return a.seq < b.seq; });
    return std::move(report);
  }

  static std::string_view raw(const std::array<unsigned char, 32>& a) {
    return std::string_view(reinterpret_cast<const char*>(a.data()), a.size());
  }

 private:
  struct Absent {  // an entry whose record is not stored
    std::int64_t seq = 0;
    std::string hash;
    bool purged = false;
  };
  std::int64_t v2_before_;
  Stmt record_present_;
  std::int64_t expected_ = 1;
  std::array<unsigned char, 32> prev_{};
  std::unordered_map<std::string, Absent> absent_records_;
  std::string canonical_;
  std::string rebuilt_;
};


class SqliteStore final : public ConsentStore {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  Problems init() {
    // busy_timeout: concurrent writers (two processes on one file) wait
    // instead of failing. WAL + synchronous=FULL: a commit is on disk (WAL
    // fsynced) before append() returns, so an acknowledged receipt survives
    // SIGKILL and power loss. secure_delete: purged receipts (R9) are
    // overwritten, not left in free pages.
    sqlite3_busy_timeout(db_, 5000);
    for (const char* pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=OFF", "PRAGMA secure_delete=ON"}) {
      Stmt st(db_, pragma);
      const int rc = st.step();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return {io_problem(pragma, db_)};
    }
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

  Result<AppendOutcome> append(const NewReceipt& in) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (in.receipt_id.empty()) {
      return Problem{"ledger_bad_receipt", "/receiptId", "The receipt has no receiptId."};
    }
    if (!exec("BEGIN IMMEDIATE")) return io_problem("begin", db_);
    Result<AppendOutcome> result = append_locked(in);
    if (!result.ok() || result.value().status == AppendStatus::kDuplicate) {
      exec("ROLLBACK");
      return result;
    }
    if (!exec("COMMIT")) {
      const Problem p = io_problem("commit", db_);
      exec("ROLLBACK");
      return p;
    }
    return result;
  }

  Result<std::optional<StoredReceipt>> find(std::string_view receipt_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return find_locked(receipt_id);
  }

  Result<PersonState> state_of(std::string_view receipt_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = find_locked(receipt_id);
    if (!found.ok()) return found.problems();
    if (!found.value()) {
      return Problem{"ledger_unknown_receipt", "", "No stored receipt has the id " + std::string(receipt_id) + "."};
    }
    return person_locked(found.value()->chain_root);
  }

  Problems for_each_person(const std::function<bool(const PersonState&)>& visit, bool with_history) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string sql = std::string("SELECT ") + kReceiptColumns +
                            " FROM receipts r JOIN receipts root ON root.receipt_id = r.chain_root"
                            " WHERE NOT EXISTS (SELECT 1 FROM receipts s WHERE s.supersedes = r.receipt_id)"
                            " ORDER BY root.seq";
    Stmt st(db_, sql.c_str());
    if (!st.ok()) return {io_problem("list people", db_)};
    int rc = SQLITE_OK;
    while ((rc = st.step()) == SQLITE_ROW) {
      PersonState person;
      person.latest = read_receipt(st);
      person.chain_root = person.latest.chain_root;
      person.retention_until = retention_until(person.latest);
      if (with_history) {
        auto history = history_locked(person.chain_root);
        if (!history.ok()) return history.problems();
        person.history = std::move(history).value();
      }
      if (!visit(person)) return {};
    }
    if (rc != SQLITE_DONE) return {io_problem("list people", db_)};
    return {};
  }

  Result<std::vector<AppendOutcome>> append_many(const std::vector<NewReceipt>& receipts) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!exec("BEGIN IMMEDIATE")) return io_problem("begin", db_);
    std::vector<AppendOutcome> out;
    out.reserve(receipts.size());
    for (std::size_t i = 0; i < receipts.size(); ++i) {
      Result<AppendOutcome> one = receipts[i].receipt_id.empty()
                                      ? Result<AppendOutcome>(Problem{"ledger_bad_receipt", "/receiptId",
                                                                      "The receipt has no receiptId."})
                                      : append_locked(receipts[i]);
      if (!one.ok()) {
        exec("ROLLBACK");
        Problems problems = one.problems();
        for (Problem& p : problems) p.path = "/" + std::to_string(i) + p.path;
        return problems;
      }
      out.push_back(std::move(one).value());
    }
    if (!exec("COMMIT")) {
      const Problem p = io_problem("commit", db_);
      exec("ROLLBACK");
      return p;
    }
    return out;
  }

  Result<ChainReport> verify_chain() override {
    std::lock_guard<std::mutex> lock(mutex_);
    // One read transaction: a consistent snapshot while appends go on.
    if (!exec("BEGIN")) return io_problem("begin", db_);
    Result<ChainReport> report = verify_locked();
    exec("COMMIT");
    return report;
  }

  Result<ChainReport> verify_records(const std::function<void(const ReceiptRecord&)>& visit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    // One read transaction: the chain check and the records the export
    // indexes come from the same snapshot while appends go on.
    if (!exec("BEGIN")) return io_problem("begin", db_);
    Result<ChainReport> report = verify_records_locked(visit);
    exec("COMMIT");
    return report;
  }

  Result<PurgeReport> purge(std::int64_t now) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!exec("BEGIN IMMEDIATE")) return io_problem("begin", db_);
    Result<PurgeReport> report = purge_locked(now);
    if (!report.ok() || report.value().removed.empty()) {
      exec("ROLLBACK");
      return report;
    }
    if (!exec("COMMIT")) {
      const Problem p = io_problem("commit", db_);
      exec("ROLLBACK");
      return p;
    }
    // Move the purge out of the WAL into the main file, so removed bytes do
    // not linger in the log file either.
    exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return report;
  }

  Result<std::string> secret(std::string_view name) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string fresh = random_bytes(32);
    if (fresh.size() != 32) return Problem{"ledger_io", "", "No random bytes available for a server secret."};
    Stmt insert(db_, "INSERT OR IGNORE INTO secrets(name, value) VALUES (?1, ?2)");
    insert.bind(1, name).bind_blob(2, fresh);
    if (insert.step() != SQLITE_DONE) return io_problem("store secret", db_);
    Stmt select(db_, "SELECT value FROM secrets WHERE name = ?1");
    select.bind(1, name);
    if (select.step() != SQLITE_ROW) return io_problem("read secret", db_);
    return select.blob(0);
  }

  Result<std::int64_t> record_event(std::string_view type, const Json& details) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (type.empty() || type == "receipt" || type == "purge") {
      return Problem{"ledger_bad_event", "/type", "An event needs a type of its own (e.g. \"export\")."};
    }
    Json entry = Json::object();
    entry["kind"] = "event";
    entry["type"] = std::string(type);
    entry["at"] = format_rfc3339(now_unix());
    entry["details"] = details;
    if (!exec("BEGIN IMMEDIATE")) return io_problem("begin", db_);
    std::int64_t seq = 0;
    std::string prev;
    if (!log_head(seq, prev)) {
      const Problem p = io_problem("read log head", db_);
      exec("ROLLBACK");
      return p;
    }
    entry["seq"] = seq;
    // Details are arbitrary JSON: the core's RFC 8785 serialiser, not the
    // strings-and-integers shortcut used for receipt entries.
    Result<std::string> text = canonicalize(entry);
    if (!text.ok()) {
      exec("ROLLBACK");
      return Problem{"ledger_bad_event", "/details", "The event details cannot be canonicalised (RFC 8785)."};
    }
    Stmt log(db_, "INSERT INTO log(seq, kind, receipt_id, entry, hash) VALUES (?1, 'event', NULL, ?2, ?3)");
    log.bind(1, seq).bind(2, text.value()).bind(3, chain_hash(prev, text.value()));
    if (log.step() != SQLITE_DONE || !exec("COMMIT")) {
      const Problem p = io_problem("append event", db_);
      exec("ROLLBACK");
      return p;
    }
    return seq;
  }

  Result<bool> challenge_used(std::string_view challenge) override {
    std::lock_guard<std::mutex> lock(mutex_);
    Stmt st(db_, "SELECT 1 FROM used_challenges WHERE challenge = ?1");
    st.bind(1, challenge);
    const int rc = st.step();
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return io_problem("read challenge", db_);
  }

 private:
  bool exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK; }

  // The next sequence number and the hash to chain to (empty before the first entry).
  bool log_head(std::int64_t& next_seq, std::string& prev_hash) {
    Stmt last(db_, "SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1");
    const int rc = last.step();
    next_seq = 1;
    prev_hash.clear();
    if (rc == SQLITE_ROW) {
      next_seq = last.int64(0) + 1;
      prev_hash = last.text(1);
      return true;
    }
    return rc == SQLITE_DONE;
  }

  Result<std::optional<StoredReceipt>> find_locked(std::string_view receipt_id) {
    const std::string sql = std::string("SELECT ") + kReceiptColumns + " FROM receipts r WHERE r.receipt_id = ?1";
    Stmt st(db_, sql.c_str());
    st.bind(1, receipt_id);
    const int rc = st.step();
    if (rc == SQLITE_ROW) return std::optional<StoredReceipt>(read_receipt(st));
    if (rc == SQLITE_DONE) return std::optional<StoredReceipt>();
    return io_problem("find receipt", db_);
  }

  Result<std::vector<StoredReceipt>> history_locked(const std::string& chain_root) {
    const std::string sql =
        std::string("SELECT ") + kReceiptColumns + " FROM receipts r WHERE r.chain_root = ?1 ORDER BY r.seq";
    Stmt st(db_, sql.c_str());
    st.bind(1, chain_root);
    std::vector<StoredReceipt> out;
    int rc = SQLITE_OK;
    while ((rc = st.step()) == SQLITE_ROW) out.push_back(read_receipt(st));
    if (rc != SQLITE_DONE) return io_problem("read chain", db_);
    return out;
  }

  Result<PersonState> person_locked(const std::string& chain_root) {
    auto history = history_locked(chain_root);
    if (!history.ok()) return history.problems();
    if (history.value().empty()) {
      return Problem{"ledger_unknown_receipt", "", "No stored receipt belongs to the person " + chain_root + "."};
    }
    PersonState person;
    person.chain_root = chain_root;
    person.history = std::move(history).value();
    person.latest = person.history.back();
    person.retention_until = retention_until(person.latest);
    return person;
  }

  Result<AppendOutcome> append_locked(const NewReceipt& in) {
    auto existing = find_locked(in.receipt_id);
    if (!existing.ok()) return existing.problems();
    if (existing.value()) {
      if (existing.value()->payload_sha256 == in.payload_sha256) {
        return AppendOutcome{AppendStatus::kDuplicate, *existing.value()};
      }
      return Problem{
          "ledger_replay", "/receiptId",
          "A different receipt with the id " + in.receipt_id + " is already stored: a receipt id cannot be reused."};
    }
    {
      // A receipt id seen before and since purged cannot come back either.
      Stmt st(db_, "SELECT 1 FROM log WHERE receipt_id = ?1");
      st.bind(1, in.receipt_id);
      const int rc = st.step();
      if (rc == SQLITE_ROW) {
        return Problem{"ledger_replay", "/receiptId",
                       "The receipt id " + in.receipt_id + " was used before (its receipt was purged)."};
      }
      if (rc != SQLITE_DONE) return io_problem("check receipt id", db_);
    }
    std::string chain_root = in.receipt_id;
    if (!in.supersedes.empty()) {
      auto previous = find_locked(in.supersedes);
      if (!previous.ok()) return previous.problems();
      if (!previous.value()) {
        return Problem{"ledger_unknown_supersedes", "/supersedes",
                       "The receipt supersedes " + in.supersedes + ", which the ledger does not hold."};
      }
      if (!previous.value()->superseded_by.empty()) {
        return Problem{"ledger_already_superseded", "/supersedes",
                       "The receipt " + in.supersedes + " was already superseded by " +
                           previous.value()->superseded_by + "; supersede the latest receipt instead."};
      }
      chain_root = previous.value()->chain_root;
    }
    if (!in.challenge.empty()) {
      Stmt st(db_, "INSERT INTO used_challenges(challenge, receipt_id) VALUES (?1, ?2)");
      st.bind(1, in.challenge).bind(2, in.receipt_id);
      const int rc = st.step();
      if (rc == SQLITE_CONSTRAINT) {
        return Problem{"ledger_challenge_used", "/collection/challenge",
                       "The server challenge in this receipt was already used by another receipt."};
      }
      if (rc != SQLITE_DONE) return io_problem("consume challenge", db_);
    }
    Stmt last(db_, "SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1");
    std::int64_t seq = 1;
    std::string prev;
    const int rc = last.step();
    if (rc == SQLITE_ROW) {
      seq = last.int64(0) + 1;
      prev = last.text(1);
    } else if (rc != SQLITE_DONE) {
      return io_problem("read log head", db_);
    }
    const std::string received_at = in.received_at.empty() ? format_rfc3339(now_unix()) : in.received_at;
    // The compact record (schema 3): derived from the receipt the caller
    // verified, bound to the chain by its SHA-256 in the receipt's entry.
    ReceiptRecord record =
        derive_record(in.receipt_id, sha256_hex(in.jws), in.payload, in.payload_sha256, in.verification,
                      in.countersigner_kid, received_at, in.issued_at, chain_root, in.supersedes, in.collection_method,
                      in.retention_months);
    record.entry_seq = seq;
    record.receipt_seq = seq;
    const std::string entry = receipt_entry_for(record, seq, sha256_hex(canonical_record(record)));
    const std::string hash = chain_hash(prev, entry);
    Stmt log(db_, "INSERT INTO log(seq, kind, receipt_id, entry, hash) VALUES (?1, 'receipt', ?2, ?3, ?4)");
    log.bind(1, seq).bind(2, in.receipt_id).bind(3, entry).bind(4, hash);
    if (log.step() != SQLITE_DONE) return io_problem("append log entry", db_);
    Stmt ins(db_,
             "INSERT INTO receipts(receipt_id, seq, jws, payload, payload_sha256, verification, countersigner_kid, "
             "received_at, issued_at, collection_method, chain_root, supersedes, retention_months) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    ins.bind(1, in.receipt_id)
        .bind(2, seq)
        .bind(3, in.jws)
        .bind(4, in.payload)
        .bind(5, in.payload_sha256)
        .bind(6, in.verification)
        .bind(7, in.countersigner_kid)
        .bind(8, received_at)
        .bind(9, in.issued_at)
        .bind(10, in.collection_method)
        .bind(11, chain_root)
        .bind_null_if_empty(12, in.supersedes)
        .bind(13, static_cast<std::int64_t>(in.retention_months));
    const int irc = ins.step();
    if (irc == SQLITE_CONSTRAINT && !in.supersedes.empty()) {
      return Problem{"ledger_already_superseded", "/supersedes",
                     "The receipt " + in.supersedes + " was already superseded."};
    }
    if (irc != SQLITE_DONE) return io_problem("append receipt", db_);
    Stmt rec(db_, kInsertRecordSql);
    if (insert_record(rec, record) != SQLITE_DONE) return io_problem("append record", db_);
    auto stored = find_locked(in.receipt_id);
    if (!stored.ok()) return stored.problems();
    if (!stored.value()) return io_problem("read back receipt", db_);
    return AppendOutcome{AppendStatus::kAppended, *stored.value()};
  }

  // The seq of the schema-3 migration entry: receipt entries before it have
  // the schema-1/2 form (their records are stated by 'record' entries after
  // it). 0 when the ledger was created at schema 3 (every receipt entry
  // states its record).
  bool migration_seq(std::int64_t& out) {
    Stmt st(db_, "SELECT seq FROM log WHERE kind = 'migration' ORDER BY seq LIMIT 1");
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
  Problems backfill_records() {
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
    migration["at"] = format_rfc3339(now_unix());
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
      const std::string logged =
          receipt_entry_for(record, receipt_seq, std::string_view());  // the schema-1/2 form
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

  // One pass over the log in seq order, each entry joined with the compact
  // record it states and the receipt stored at its position (for a 'record'
  // entry: the receipt the record came from), so memory stays flat however
  // long the ledger is (only receipts and records logged but no longer
  // stored are remembered, to be matched with purge entries). Then one pass
  // for stored receipts and records that no entry accounts for.
  Result<ChainReport> verify_locked() {
    std::int64_t v2_before = 0;
    if (!migration_seq(v2_before)) return io_problem("read log", db_);
    LogWalk walk(db_, v2_before);
    Sha256Hasher& sha = walk.sha;
    auto add = [&walk](std::int64_t seq, std::string id, std::string code, std::string message) {
      walk.add(seq, std::move(id), std::move(code), std::move(message));
    };
    struct Absent {  // a receipt entry whose receipt is not stored at its position
      std::int64_t seq = 0;
      std::string hash;
      bool purged = false;
    };
    std::unordered_map<std::string, Absent> absent;

    const std::string sql =
        std::string(
            "SELECT l.seq, l.kind, IFNULL(l.receipt_id, ''), l.entry, l.hash, r.receipt_id, r.jws, r.payload, "
            "r.payload_sha256, r.verification, r.countersigner_kid, r.received_at, r.issued_at, r.chain_root, "
            "IFNULL(r.supersedes, ''), r.collection_method, r.retention_months, ") +
        kRecordColumns +
        // A receipt logged before schema 3 is joined with the record back-filled
        // for it (checked against it here, where its payload is read anyway);
        // any other entry with the record it states.
        " FROM log l LEFT JOIN receipts r ON r.seq = l.seq LEFT JOIN records c ON c.entry_seq = "
        "(CASE WHEN l.kind = 'receipt' AND l.seq < ?1 THEN (SELECT b.entry_seq FROM records b WHERE "
        "b.receipt_seq = l.seq) ELSE l.seq END) ORDER BY l.seq";
    constexpr int kRecordAt = 17;
    Stmt log(db_, sql.c_str());
    if (!log.ok()) return io_problem("read log", db_);
    log.bind(1, v2_before);
    Stmt prior(db_,
               "SELECT l.seq, l.hash, EXISTS (SELECT 1 FROM receipts r WHERE r.receipt_id = l.receipt_id) FROM log l "
               "WHERE l.receipt_id = ?1 AND l.kind = 'receipt' AND l.seq < ?2 ORDER BY l.seq DESC LIMIT 1");
    if (!prior.ok() || !walk.ok()) return io_problem("read log", db_);
    ReceiptRecord stored_record;
    // The record the receipt joined at columns 5.. derives (its payload parsed).
    auto derived_from_row = [&](std::string_view jws_sha256) {
      return derive_record(log.view(5), jws_sha256, log.view(7), log.view(8), log.view(9), log.view(10), log.view(11),
                           log.view(12), log.view(13), log.view(14), log.view(15), log.int64(16));
    };
    int rc = SQLITE_OK;
    while ((rc = log.step()) == SQLITE_ROW) {
      const LogWalk::Row row = LogWalk::row_of(log);
      const std::int64_t seq = row.seq;  // plain locals: the lambdas below capture them
      const std::string_view kind = row.kind, entry = row.entry, hash = row.hash;
      const std::string id(row.id);
      walk.chain(seq, id, entry, hash);

      const bool has_record = !log.is_null(kRecordAt);
      if (has_record) read_record(log, kRecordAt, stored_record);
      const bool stated_here = walk.states_record(kind, seq);

      // The compact record this entry states: it must rebuild the entry.
      bool record_ok = false;
      if (stated_here) {
        record_ok = walk.check_stated_record(seq, kind, id, entry, hash, has_record ? &stored_record : nullptr);
        if (kind == "record") continue;
      }

      const bool stored_here = kind == "receipt" && !log.is_null(5);
      const std::string row_id = stored_here ? log.text(5) : std::string();
      if (stored_here) {
        // The usual case: the stored receipt rebuilds its entry byte for byte
        // (which also proves the entry well-formed, of kind receipt, at this
        // seq); from schema 3 on, with the SHA-256 of the record it derives.
        const std::string_view jws = log.view(6);
        const std::string jws_sha256 = sha.hex(jws);
        std::optional<bool> payload_ok;  // hashed once, when first needed
        auto payload_matches_entry = [&] {
          if (!payload_ok) payload_ok = payload_matches(jws, log.view(7), log.view(8), sha);
          return *payload_ok;
        };
        auto report_payload = [&] {
          add(seq, row_id, "ledger_payload_mismatch",
              "The stored receipt " + row_id + " does not carry the payload its log entry records.");
        };
        auto report_record = [&] {
          add(seq, row_id, "ledger_record_mismatch",
              "The compact record of receipt " + row_id + " does not match the receipt it was made from.");
        };
        // The receipt rebuilds its entry: the entry must name it, and its payload column be the JWS's.
        auto check_rebuilt = [&] {
          if (row_id != id) {
            add(seq, id, "ledger_bad_entry", "Log entry " + std::to_string(seq) + " names another receipt.");
          }
          if (!payload_matches_entry()) report_payload();
        };
        std::string rebuilt;
        if (stated_here) {
          const ReceiptRecord derived = derived_from_row(jws_sha256);
          if (record_ok && same_record(derived, stored_record)) {
            // The receipt derives the very record that rebuilt this entry:
            // it rebuilds it too.
            check_rebuilt();
            continue;
          }
          rebuilt = receipt_entry_for(derived, seq, sha.hex(canonical_record(derived)));
          if (rebuilt != entry && has_record && receipt_entry_for(derived, seq, sha.hex(walk.canonical())) == entry) {
            // Its columns match the entry, what its payload derives does not:
            // the payload was edited (or the stored record, reported above).
            if (!payload_matches_entry()) {
              report_payload();
            } else {
              report_record();
            }
            continue;
          }
        } else {
          rebuilt = receipt_entry(seq, row_id, jws_sha256, log.view(8), log.view(9), log.view(10), log.view(11),
                                  log.view(12), log.view(13), log.view(14), log.view(15), log.int64(16),
                                  std::string_view());
          if (rebuilt == entry && has_record) {
            // The record back-filled for this receipt must be the one it derives.
            ReceiptRecord derived = derived_from_row(jws_sha256);
            if (!payload_matches_entry()) derived.verified = false;  // as the migration
            if (!same_record(derived, stored_record) && canonical_record(derived) != canonical_record(stored_record)) {
              report_record();
            }
          }
        }
        if (rebuilt == entry) {
          check_rebuilt();
          continue;
        }
      }

      // Anything else: read the entry itself.
      const std::optional<Json> entry_json = walk.parse_entry(seq, kind, id, entry);
      if (!entry_json) continue;
      const Json& parsed = *entry_json;
      if (kind == "receipt") {
        if (string_at(parsed, {"receiptId"}) != id) add(seq, id, "ledger_bad_entry", "Log entry " + std::to_string(seq) + " names another receipt.");
        if (stored_here) {
          add(seq, row_id, "ledger_entry_mismatch",
              "The stored receipt " + row_id + " no longer matches its log entry " + std::to_string(seq) +
                  ": it was edited after it was recorded.");
        }
        if (!stored_here || row_id != id) absent[id] = Absent{seq, std::string(hash)};
      } else if (kind == "purge") {
        const Json removed = parsed.value("removed", Json::array());
        for (const Json& r : removed.is_array() ? removed : Json::array()) {
          const std::string rid = string_at(r, {"receiptId"});
          const std::string rhash = string_at(r, {"entryHash"});
          const std::string record_hash = string_at(r, {"recordEntryHash"});
          bool present = false;
          auto it = absent.find(rid);
          if (it != absent.end() && it->second.hash == rhash) {
            it->second.purged = true;
          } else {
            // Named by the purge but still stored (or never logged).
            prior.reset();
            prior.bind(1, rid).bind(2, seq);
            const int prc = prior.step();
            if (prc == SQLITE_ROW && prior.text(1) == rhash && prior.int64(2) == 1) {
              present = true;
              add(prior.int64(0), rid, "ledger_purged_receipt_present",
                  "The receipt " + rid + " was recorded as purged but is still stored.");
            } else if (prc == SQLITE_ROW || prc == SQLITE_DONE) {
              add(seq, rid, "ledger_purge_mismatch",
                  "Purge entry " + std::to_string(seq) + " names a receipt (" + rid + ") the log does not hold.");
            } else {
              return io_problem("read log", db_);
            }
          }
          if (!walk.purge_record(rid, rhash, record_hash, present)) return io_problem("read records", db_);
        }
      }
    }
    if (rc != SQLITE_DONE) return io_problem("read log", db_);

    // Stored receipts that no receipt entry at their position accounts for.
    Stmt orphans(db_,
                 "SELECT r.seq, r.receipt_id, (SELECT m.seq FROM log m WHERE m.receipt_id = r.receipt_id AND "
                 "m.kind = 'receipt' ORDER BY m.seq DESC LIMIT 1) FROM receipts r LEFT JOIN log l ON l.seq = r.seq "
                 "WHERE l.seq IS NULL OR l.kind <> 'receipt' OR IFNULL(l.receipt_id, '') <> r.receipt_id");
    if (!orphans.ok()) return io_problem("read receipts", db_);
    while ((rc = orphans.step()) == SQLITE_ROW) {
      const std::string id = orphans.text(1);
      if (orphans.is_null(2)) {
        add(orphans.int64(0), id, "ledger_unlogged_receipt",
            "The stored receipt " + id + " has no entry in the log: it was inserted behind the ledger's back.");
        continue;
      }
      const std::int64_t logged_seq = orphans.int64(2);
      auto it = absent.find(id);
      if (it != absent.end()) {
        if (it->second.purged) {
          add(logged_seq, id, "ledger_purged_receipt_present",
              "The receipt " + id + " was recorded as purged but is still stored.");
        }
        absent.erase(it);  // stored, elsewhere: not missing
      }
      add(logged_seq, id, "ledger_entry_mismatch",
          "The stored receipt " + id + " no longer matches its log entry " + std::to_string(logged_seq) +
              ": it was edited after it was recorded.");
    }
    if (rc != SQLITE_DONE) return io_problem("read receipts", db_);
    for (const auto& [id, a] : absent) {
      if (!a.purged) {
        add(a.seq, id, "ledger_receipt_missing",
            "The receipt " + id + " (log entry " + std::to_string(a.seq) + ") was deleted without a purge entry.");
      }
    }
    // Compact records that no entry states, and stored receipts without one.
    Stmt unlogged(db_,
                  "SELECT c.entry_seq, c.receipt_id FROM records c LEFT JOIN log l ON l.seq = c.entry_seq "
                  "WHERE (l.seq IS NULL AND c.entry_seq > IFNULL((SELECT max(seq) FROM log), 0)) "
                  "OR (l.seq IS NOT NULL AND (l.kind NOT IN ('receipt', 'record') OR "
                  "IFNULL(l.receipt_id, '') <> c.receipt_id OR (l.kind = 'receipt' AND l.seq <= ?1)))");
    if (!unlogged.ok()) return io_problem("read records", db_);
    unlogged.bind(1, v2_before);
    while ((rc = unlogged.step()) == SQLITE_ROW) {
      const std::string id = unlogged.text(1);
      add(unlogged.int64(0), id, "ledger_unlogged_record",
          "The compact record of receipt " + id + " has no entry in the log stating it: it was inserted or moved "
          "behind the ledger's back.");  // (one in a gap of the log is that gap's: ledger_gap)
    }
    if (rc != SQLITE_DONE) return io_problem("read records", db_);
    Stmt without(db_,
                  "SELECT r.seq, r.receipt_id FROM receipts r LEFT JOIN records c ON c.receipt_seq = r.seq "
                  "WHERE c.entry_seq IS NULL AND EXISTS (SELECT 1 FROM log l WHERE l.seq = r.seq AND "
                  "l.kind = 'receipt' AND l.receipt_id = r.receipt_id)");  // else: ledger_unlogged_receipt
    if (!without.ok()) return io_problem("read records", db_);
    while ((rc = without.step()) == SQLITE_ROW) {
      const std::string id = without.text(1);
      add(walk.take_missing_record(id, without.int64(0)), id, "ledger_record_missing",
          "The compact record of receipt " + id + " was deleted.");
    }
    if (rc != SQLITE_DONE) return io_problem("read records", db_);
    Stmt count(db_, "SELECT count(*) FROM receipts");
    if (count.step() != SQLITE_ROW) return io_problem("count receipts", db_);
    walk.report.receipts = count.int64(0);
    return walk.finish();
  }

  // verify_records: the log joined with the compact records only (no
  // receipts, no JWS, no payload parse). Per entry: the hash chain; for an
  // entry that states a record, the record rebuilds it (its SHA-256 is the
  // entry's recordSha256), then `visit`; a record missing must be named by a
  // later purge entry; a purge entry must not name a record still stored.
  Result<ChainReport> verify_records_locked(const std::function<void(const ReceiptRecord&)>& visit) {
    std::int64_t v2_before = 0;
    if (!migration_seq(v2_before)) return io_problem("read log", db_);
    LogWalk walk(db_, v2_before);
    const std::string sql = std::string("SELECT l.seq, l.kind, IFNULL(l.receipt_id, ''), l.entry, l.hash, ") +
                            kRecordColumns + " FROM log l LEFT JOIN records c ON c.entry_seq = l.seq ORDER BY l.seq";
    constexpr int kRecordAt = 5;
    Stmt log(db_, sql.c_str());
    if (!log.ok() || !walk.ok()) return io_problem("read log", db_);
    ReceiptRecord record;
    int rc = SQLITE_OK;
    while ((rc = log.step()) == SQLITE_ROW) {
      const auto [seq, kind, id, entry, hash] = LogWalk::row_of(log);
      walk.chain(seq, id, entry, hash);
      const bool has_record = !log.is_null(kRecordAt);
      if (walk.states_record(kind, seq)) {
        if (has_record) read_record(log, kRecordAt, record);
        if (walk.check_stated_record(seq, kind, id, entry, hash, has_record ? &record : nullptr)) {
          ++walk.report.receipts;
          visit(record);
        }
        continue;
      }
      if (has_record) {
        walk.add(seq, log.text(kRecordAt + 2), "ledger_unlogged_record",
                 "A compact record sits on log entry " + std::to_string(seq) +
                     ", which states none: it was inserted behind the ledger's back.");
      }
      if (kind == "receipt") continue;  // logged before schema 3: a 'record' entry states its record
      const std::optional<Json> parsed = walk.parse_entry(seq, kind, id, entry);
      if (!parsed || kind != "purge") continue;
      const Json removed = parsed->value("removed", Json::array());
      for (const Json& r : removed.is_array() ? removed : Json::array()) {
        if (!walk.purge_record(string_at(r, {"receiptId"}), string_at(r, {"entryHash"}),
                               string_at(r, {"recordEntryHash"}), false)) {
          return io_problem("read records", db_);
        }
      }
    }
    if (rc != SQLITE_DONE) return io_problem("read log", db_);
    return walk.finish();
  }

  // The payload column must be exactly the JWS payload (base64url-decoded)
  // and hash to the digest the log entry records.
  static bool payload_matches(std::string_view jws, std::string_view payload, std::string_view payload_sha256,
                              Sha256Hasher& sha) {
    if (sha.hex(payload) != payload_sha256) return false;
    // Fast path: the ledger stores the JWS as serialised by nlohmann/json
    // (members sorted), so it opens with the payload member. Compare the
    // encoded bytes in place; anything else gets the full parse.
    constexpr std::string_view kOpen = "{\"payload\":\"";
    if (jws.substr(0, kOpen.size()) == kOpen) {
      const std::size_t end = kOpen.size() + (payload.size() * 4 + 2) / 3;  // unpadded base64url length
      if (jws.size() > end && jws[end] == '"' && b64url_equals(payload, jws.substr(kOpen.size(), end - kOpen.size())) &&
          jws.find("\"payload\"", end) == std::string_view::npos) {
        return true;  // the only payload member, and it is this one
      }
    }
    const Json jws_json = Json::parse(jws, nullptr, false);
    if (jws_json.is_discarded() || !jws_json.is_object() || !jws_json.value("payload", Json()).is_string()) {
      return false;
    }
    const std::optional<std::string> decoded = b64url_decode(jws_json["payload"].get<std::string>());
    return decoded && *decoded == payload;
  }

  Result<PurgeReport> purge_locked(std::int64_t now) {
    PurgeReport report;
    // The latest receipt of each person decides when their retention ends (R9).
    Stmt latest(db_,
                "SELECT r.chain_root, r.received_at, r.retention_months FROM receipts r "
                "WHERE NOT EXISTS (SELECT 1 FROM receipts s WHERE s.supersedes = r.receipt_id) ORDER BY r.seq");
    if (!latest.ok()) return io_problem("list people", db_);
    std::vector<std::string> expired_roots;
    int rc = SQLITE_OK;
    while ((rc = latest.step()) == SQLITE_ROW) {
      const auto months = static_cast<int>(latest.int64(2));
      const auto at = parse_rfc3339(latest.text(1));
      if (!at || months <= 0) continue;  // no retention recorded: never purged automatically
      if (add_months(*at, months) <= now) expired_roots.push_back(latest.text(0));
    }
    if (rc != SQLITE_DONE) return io_problem("list people", db_);
    if (expired_roots.empty()) return report;

    Json removed = Json::array();
    for (const std::string& root : expired_roots) {
      // A receipt stored before schema 3 has its record stated by a separate
      // 'record' entry: the purge names that entry's hash too.
      Stmt chain(db_,
                 "SELECT r.receipt_id, l.hash, lc.hash FROM receipts r JOIN log l ON l.seq = r.seq "
                 "LEFT JOIN records c ON c.receipt_seq = r.seq LEFT JOIN log lc ON lc.seq = c.entry_seq "
                 "AND c.entry_seq <> r.seq WHERE r.chain_root = ?1 ORDER BY r.seq");
      chain.bind(1, root);
      while ((rc = chain.step()) == SQLITE_ROW) {
        Json item = Json::object();
        item["receiptId"] = chain.text(0);
        item["entryHash"] = chain.text(1);
        if (!chain.is_null(2)) item["recordEntryHash"] = chain.text(2);
        item["chainRoot"] = root;
        removed.push_back(item);
        report.removed.push_back(chain.text(0));
      }
      if (rc != SQLITE_DONE) return io_problem("read chain", db_);
      Stmt del_challenges(db_,
                          "DELETE FROM used_challenges WHERE receipt_id IN "
                          "(SELECT receipt_id FROM receipts WHERE chain_root = ?1)");
      del_challenges.bind(1, root);
      if (del_challenges.step() != SQLITE_DONE) return io_problem("delete challenges", db_);
      Stmt del_records(db_, "DELETE FROM records WHERE receipt_seq IN (SELECT seq FROM receipts WHERE chain_root = ?1)");
      del_records.bind(1, root);
      if (del_records.step() != SQLITE_DONE) return io_problem("delete records", db_);
      Stmt del(db_, "DELETE FROM receipts WHERE chain_root = ?1");
      del.bind(1, root);
      if (del.step() != SQLITE_DONE) return io_problem("delete receipts", db_);
    }
    Stmt last(db_, "SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1");
    std::int64_t seq = 1;
    std::string prev;
    rc = last.step();
    if (rc == SQLITE_ROW) {
      seq = last.int64(0) + 1;
      prev = last.text(1);
    } else if (rc != SQLITE_DONE) {
      return io_problem("read log head", db_);
    }
    Json entry = Json::object();
    entry["kind"] = "purge";
    entry["seq"] = seq;
    entry["at"] = format_rfc3339(now);
    entry["reason"] = "retention";
    entry["removed"] = removed;
    const std::string text = canonical_entry(entry);
    Stmt log(db_, "INSERT INTO log(seq, kind, receipt_id, entry, hash) VALUES (?1, 'purge', NULL, ?2, ?3)");
    log.bind(1, seq).bind(2, text).bind(3, chain_hash(prev, text));
    if (log.step() != SQLITE_DONE) return io_problem("append purge entry", db_);
    report.seq = seq;
    return report;
  }

  sqlite3* db_;
  std::mutex mutex_;
};

}  // namespace

// Defaults for other backends, built on the rest of the interface: correct,
// not fast (the SQLite store overrides both).

// Every stored receipt, in ledger order.
Problems ConsentStore::receipts_in_order(std::vector<StoredReceipt>& all) {
  Problems problems = for_each_person(
      [&](const PersonState& person) {
        all.insert(all.end(), person.history.begin(), person.history.end());
        return true;
      },
      /*with_history=*/true);
  std::sort(all.begin(), all.end(), [](const StoredReceipt& a, const StoredReceipt& b) { return a.seq < b.seq; });
  return problems;
}

Result<ChainReport> ConsentStore::verify_records(const std::function<void(const ReceiptRecord&)>& visit) {
  // Other backends: the full check, then records derived from the receipts.
  Result<ChainReport> report = verify_chain();
  if (!report.ok() || !report.value().ok()) return report;
  std::vector<StoredReceipt> all;
  Problems problems = receipts_in_order(all);
  if (!problems.empty()) return problems;
  for (const StoredReceipt& stored : all) {
    ReceiptRecord r;
    r.entry_seq = r.receipt_seq = stored.seq;
    r.receipt_id = stored.receipt_id;
    r.chain_root = stored.chain_root;
    r.supersedes = stored.supersedes;
    r.collection_method = stored.collection_method;
    r.countersigner_kid = stored.countersigner_kid;
    r.received_at = stored.received_at;
    r.issued_at = stored.issued_at;
    r.retention_months = stored.retention_months;
    r.jws_sha256 = sha256_hex(stored.jws);
    r.payload_sha256 = stored.payload_sha256;
    r.verification = stored.verification;
    derive_record_fields(stored.payload.is_null() ? Json(Json::value_t::discarded) : stored.payload, r);
    visit(r);
  }
  return report;
}

Result<std::vector<AppendOutcome>> ConsentStore::append_many(const std::vector<NewReceipt>& receipts) {
  std::vector<AppendOutcome> out;
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    Result<AppendOutcome> one = append(receipts[i]);
    if (!one.ok()) {
      Problems problems = one.problems();
      for (Problem& p : problems) p.path = "/" + std::to_string(i) + p.path;
      return problems;
    }
    out.push_back(std::move(one).value());
  }
  return out;
}

Json ChainReport::to_json() const {
  Json out = Json::object();
  out["ok"] = ok();
  out["entries"] = entries;
  out["receipts"] = receipts;
  out["head"] = head;
  Json list = Json::array();
  for (const ChainProblem& p : problems) {
    Json item = Json::object();
    item["seq"] = p.seq;
    item["receiptId"] = p.receipt_id;
    item["code"] = p.code;
    item["message"] = p.message;
    list.push_back(item);
  }
  out["problems"] = list;
  return out;
}

Json PurgeReport::to_json() const {
  Json out = Json::object();
  out["seq"] = seq;
  out["removed"] = removed;
  return out;
}

Result<std::unique_ptr<ConsentStore>> open_sqlite_store(const std::string& path) {
  sqlite3* db = nullptr;
  // NOMUTEX: every use of the connection is serialised by SqliteStore's own
  // mutex, so SQLite's per-call locking (each column read) is redundant.
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Problem p{"ledger_io", "",
              "Cannot open the ledger database " + path + ": " +
                  std::string(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + "."};
    sqlite3_close_v2(db);
    return p;
  }
  auto store = std::make_unique<SqliteStore>(db);
  Problems problems = store->init();
  if (!problems.empty()) {
    for (Problem& p : problems) p.message = path + ": " + p.message;
    return problems;
  }
  return std::unique_ptr<ConsentStore>(std::move(store));
}

}  // namespace cachet::server
