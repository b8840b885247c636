// Transfers to partners and partners' notice acknowledgements in the SQLite
// ledger (store.h, "transfers"; docs/server.md, "Transfers"): the rows, the
// log entries binding them to the hash chain, and their check during
// verify_chain / verify_records.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "backend_rules.h"
#include "cachet/calendar.h"
#include "cachet/ledger/digest.h"
#include "records.h"
#include "sqlite_store.h"

namespace cachet::ledger {

namespace {

// A JSON string member `"name":"value"` the way canonical_entry writes it.
void append_member(std::string& out, std::string_view name, std::string_view value) {
  out.push_back('"');
  out.append(name);
  out.append("\":");
  const std::size_t at = out.size();
  if (!append_ascii_json_string(out, value)) {
    out.resize(at);
    out.append(canonical_entry(Json(std::string(value))));
  }
}

// `"channels":[...]`, the names as canonical_entry writes them.
void append_channels_member(std::string& out, const std::vector<std::string>& channels) {
  out.append("\"channels\":[");
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (i > 0) out.push_back(',');
    const std::size_t at = out.size();
    if (!append_ascii_json_string(out, channels[i])) {
      out.resize(at);
      out.append(canonical_entry(Json(channels[i])));
    }
  }
  out.push_back(']');
}

}  // namespace

void append_canonical_transfer_row(std::string& out, const Transfer& row) {
  // Members in RFC 8785 order (byte order of their ASCII names).
  out.push_back('{');
  append_member(out, "at", row.at);
  out.push_back(',');
  append_member(out, "chainRoot", row.chain_root);
  out.push_back(',');
  append_channels_member(out, row.channels);
  out.push_back(',');
  append_member(out, "fileSha256", row.file_sha256);
  out.push_back(',');
  append_member(out, "noticeDue", row.notice_due);
  out.push_back(',');
  append_member(out, "partnerId", row.partner_id);
  out.push_back(',');
  append_member(out, "reference", row.reference);
  out.append("}\n");
}

void append_canonical_notice_ack(std::string& out, const NoticeAck& ack) {
  out.append("{\"line\":").append(std::to_string(ack.line)).push_back(',');
  append_member(out, "partnerId", ack.partner_id);
  out.push_back(',');
  append_member(out, "reference", ack.reference);
  out.push_back(',');
  append_member(out, "sentAt", ack.sent_at);
  out.append("}\n");
}

std::string transfer_reference(std::string_view secret, std::string_view partner_id, std::string_view chain_root) {
  std::string message;
  message.reserve(partner_id.size() + 1 + chain_root.size());
  message.append(partner_id).append("\n").append(chain_root);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(), &length) == nullptr ||
      length < 16) {
    return "";
  }
  // RFC 4648 base32, lower case, unpadded: 26 characters, none a
  // spreadsheet reads as the start of a formula.
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    buffer = (buffer << 8) | mac[i];
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

void append_canonical_holding(std::string& out, const Holding& holding) {
  // Members in RFC 8785 order.
  out.push_back('{');
  append_member(out, "chainRoot", holding.chain_root);
  out.push_back(',');
  append_channels_member(out, holding.channels);
  out.push_back(',');
  append_member(out, "noticeDue", holding.notice_due);
  out.push_back(',');
  append_member(out, "partnerId", holding.partner_id);
  out.push_back(',');
  append_member(out, "reference", holding.reference);
  out.append("}\n");
}

namespace {
constexpr std::array<const char*, 4> kChannelNames = {"postal", "phone", "email", "sms"};
}  // namespace

std::uint8_t channel_bits(const std::vector<std::string>& channels) {
  std::uint8_t bits = 0;
  for (const std::string& c : channels) {
    for (std::size_t i = 0; i < kChannelNames.size(); ++i) {
      if (c == kChannelNames[i]) bits = static_cast<std::uint8_t>(bits | (1u << i));
    }
  }
  return bits;
}

std::vector<std::string> channels_of_bits(std::uint8_t bits) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kChannelNames.size(); ++i) {
    if ((bits >> i & 1u) != 0) out.emplace_back(kChannelNames[i]);
  }
  return out;
}

void fold_transfer_row(Holding& holding, const Transfer& row) {
  if (holding.reference.empty()) {  // the first row: what the partner knows the person by, and R8's date
    holding.partner_id = row.partner_id;
    holding.chain_root = row.chain_root;
    holding.reference = row.reference;
    holding.notice_due = row.notice_due;
  }
  holding.channels =
      channels_of_bits(static_cast<std::uint8_t>(channel_bits(holding.channels) | channel_bits(row.channels)));
}

HoldingsDigest::HoldingsDigest() : ctx_(EVP_MD_CTX_new()) {
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  if (ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    ctx_ = nullptr;
  }
}

HoldingsDigest::~HoldingsDigest() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void HoldingsDigest::add(const Holding& holding) {
  line_.clear();
  append_canonical_holding(line_, holding);
  if (ctx_ != nullptr) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), line_.data(), line_.size());
}

std::string HoldingsDigest::hex() {
  std::array<unsigned char, 32> digest{};
  unsigned int n = 0;
  if (ctx_ == nullptr || EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest.data(), &n) != 1) return "";
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), n));
}

// A backend without the holdings table: the whole history to the partner, folded.
Problems ConsentStore::for_each_holding(std::string_view partner_id, const std::function<void(const Holding&)>& visit) {
  std::map<std::string, Holding> held;  // chain-root byte order
  Problems problems = for_each_transfer_to(partner_id, [&held](const Transfer& t) {
    fold_transfer_row(held[t.chain_root], t);
    return true;
  });
  if (!problems.empty()) return problems;
  for (const auto& entry : held) visit(entry.second);
  return {};
}

namespace sqlite {

namespace {

constexpr const char* kTransferColumns =
    "t.seq, t.partner_id, t.reference, t.chain_root, t.channels, t.at, t.file_sha256, t.notice_due";

void read_transfer(const Stmt& st, Transfer& t) {
  t.seq = st.int64(0);
  t.partner_id = st.text(1);
  t.reference = st.text(2);
  t.chain_root = st.text(3);
  t.channels = transfer_channels_of(st.view(4));
  t.at = st.text(5);
  t.file_sha256 = st.text(6);
  t.notice_due = st.text(7);
}

// chain_root, reference, channels (bits), notice_due into `h` (partner_id kept).
void read_holding(const Stmt& st, Holding& h) {
  h.chain_root = st.text(0);
  h.reference = st.text(1);
  h.channels = channels_of_bits(static_cast<std::uint8_t>(st.int64(2)));
  h.notice_due = st.text(3);
}

// PRAGMA cache_size for a scope (KiB; 0: left as it is), then restored.
class CacheSize {
 public:
  CacheSize(sqlite3* db, std::int64_t kib) : db_(db) {
    if (kib <= 0) return;
    Stmt current(db, "PRAGMA cache_size");
    if (current.step() != SQLITE_ROW) return;
    previous_ = current.int64(0);
    set_ = exec(db, "PRAGMA cache_size=" + std::to_string(-kib));
  }
  ~CacheSize() {
    if (set_) exec(db_, "PRAGMA cache_size=" + std::to_string(previous_));
  }
  CacheSize(const CacheSize&) = delete;
  CacheSize& operator=(const CacheSize&) = delete;

 private:
  sqlite3* db_;
  std::int64_t previous_ = 0;
  bool set_ = false;
};
constexpr std::size_t kLargeBatchRows = 10000;
constexpr std::int64_t kLargeCacheKiB = std::int64_t{512} * 1024;

}  // namespace

// The schema-6 step (transfers): the log's CHECK rebuilt for the entry kinds
// 'transfer' and 'notice-ack' (as steps 3 and 4 did), the transfer rows and
// the partners' acknowledgements. Transfer rows outlive purges and erasures.
const char* transfers_migration() {
  return R"sql(
CREATE TABLE log_new (
  seq        INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('receipt', 'purge', 'event', 'record', 'migration', 'publication',
                                           'transfer', 'notice-ack')),
  receipt_id TEXT,                            -- kinds 'receipt' and 'record'
  entry      TEXT NOT NULL,
  hash       TEXT NOT NULL
);
INSERT INTO log_new(seq, kind, receipt_id, entry, hash) SELECT seq, kind, receipt_id, entry, hash FROM log;
DROP TABLE log;
ALTER TABLE log_new RENAME TO log;
CREATE INDEX log_receipt ON log(receipt_id);
CREATE INDEX log_migration ON log(seq) WHERE kind = 'migration';
CREATE INDEX log_transfer ON log(seq) WHERE kind = 'transfer';
CREATE INDEX log_supersedes ON log(CASE WHEN json_valid(entry) THEN json_extract(entry, '$.supersedes') END)
  WHERE kind = 'receipt';
CREATE TABLE transfers (
  id          INTEGER PRIMARY KEY,            -- file order within an entry
  seq         INTEGER NOT NULL,               -- the 'transfer' log entry binding the row
  partner_id  TEXT NOT NULL,
  reference   TEXT NOT NULL,                  -- per-partner reference (store.h transfer_reference)
  chain_root  TEXT NOT NULL,                  -- the person
  channels    TEXT NOT NULL,                  -- canonical JSON array of channel names
  at          TEXT NOT NULL,                  -- RFC 3339 UTC
  file_sha256 TEXT NOT NULL,
  notice_due  TEXT NOT NULL                   -- YYYY-MM-DD (R8)
);
CREATE INDEX transfers_seq ON transfers(seq, id);
CREATE INDEX transfers_person ON transfers(chain_root, seq);
CREATE INDEX transfers_reference ON transfers(partner_id, reference, seq);
CREATE TABLE notice_acks (
  id          INTEGER PRIMARY KEY,
  seq         INTEGER NOT NULL,               -- the 'notice-ack' log entry binding the row
  line        INTEGER NOT NULL,               -- line of the imported file
  partner_id  TEXT NOT NULL,
  reference   TEXT NOT NULL,
  sent_at     TEXT NOT NULL                   -- YYYY-MM-DD
);
CREATE INDEX notice_acks_seq ON notice_acks(seq, id);
CREATE INDEX notice_acks_reference ON notice_acks(partner_id, reference);
)sql";
}

// What each partner holds, rebuilt from the transfer rows (Holding): the
// first row's reference and notice date per partner and person, and the
// union of the channels of all its rows as bits (channel_bits). The
// schema-9 step fills the table with it; `ledger verify` (check_holdings)
// folds the rows with fold_transfer_row instead, person by person.
constexpr const char* kDerivedHoldingsSql = R"sql(
SELECT partner_id, chain_root, max(CASE WHEN n = 1 THEN reference END),
       max(instr(channels, '"postal"') > 0) | (max(instr(channels, '"phone"') > 0) << 1) |
       (max(instr(channels, '"email"') > 0) << 2) | (max(instr(channels, '"sms"') > 0) << 3),
       max(CASE WHEN n = 1 THEN notice_due END)
FROM (SELECT partner_id, chain_root, reference, channels, notice_due,
             row_number() OVER (PARTITION BY partner_id, chain_root ORDER BY seq, id) AS n FROM transfers)
GROUP BY partner_id, chain_root
)sql";

// The schema-9 step (issue 15, export speed): what each partner currently
// holds per person (store.h, Holding), maintained in the transaction of each
// transfer entry, so that an export reads it instead of every transfer row
// to the partner; rebuilt here from the rows already recorded.
const char* holdings_migration() {
  static const std::string sql = std::string(R"sql(
CREATE TABLE transfer_holdings (
  partner_id  TEXT NOT NULL,
  chain_root  TEXT NOT NULL,                  -- the person
  reference   TEXT NOT NULL,                  -- of the first transfer row
  channels    INTEGER NOT NULL,               -- every channel ever sent: postal 1, phone 2, email 4, sms 8
  notice_due  TEXT NOT NULL,                  -- of the first transfer row (R8)
  PRIMARY KEY (partner_id, chain_root)
) WITHOUT ROWID;
INSERT INTO transfer_holdings(partner_id, chain_root, reference, channels, notice_due)
)sql") + kDerivedHoldingsSql + ";\n";
  return sql.c_str();
}

Result<std::vector<std::int64_t>> SqliteStore::record_transfers(const std::vector<TransferBatch>& batches) {
  if (std::optional<Problem> bad = bad_transfer_batches(batches)) return *bad;
  std::lock_guard<std::mutex> lock(mutex_);
  // A first export inserts a row per person and partner into indexes keyed
  // by random UUIDs: with SQLite's default 2 MiB page cache nearly every
  // insert reads and writes pages again (measured: 27 s for 561 000 rows,
  // half of it in the kernel). A larger cache for this transaction only.
  const bool large = std::any_of(batches.begin(), batches.end(),
                                 [](const TransferBatch& b) { return b.rows.size() > kLargeBatchRows; });
  CacheSize cache(db_, large ? kLargeCacheKiB : 0);
  Transaction tx(db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return io_problem("begin", db_);
  std::int64_t seq = 0;
  std::string prev;
  if (!log_head(seq, prev)) return io_problem("read log head", db_);
  Stmt insert(db_,
              "INSERT INTO transfers(seq, partner_id, reference, chain_root, channels, at, file_sha256, notice_due) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  Stmt log(db_, "INSERT INTO log(seq, kind, receipt_id, entry, hash) VALUES (?1, 'transfer', NULL, ?2, ?3)");
  // The holding: the first row's reference and date stay, channels accumulate.
  Stmt hold(db_,
            "INSERT INTO transfer_holdings(partner_id, chain_root, reference, channels, notice_due) "
            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(partner_id, chain_root) DO UPDATE SET channels = channels | "
            "excluded.channels");
  Stmt holdings(db_,
                "SELECT chain_root, reference, channels, notice_due FROM transfer_holdings WHERE partner_id = ?1 "
                "ORDER BY chain_root");
  if (!insert.ok() || !log.ok() || !hold.ok() || !holdings.ok()) return io_problem("record transfers", db_);
  std::vector<std::int64_t> seqs;
  for (const TransferBatch& b : batches) {
    TransferRowsHash rows_hash(b);
    for (const TransferBatch::Row& r : b.rows) {
      rows_hash.add(r);
      insert.reset();
      insert.bind(1, seq).bind(2, b.partner_id).bind(3, r.reference).bind(4, r.chain_root);
      insert.bind(5, transfer_channels_text(r.channels)).bind(6, b.at).bind(7, b.file_sha256).bind(8, r.notice_due);
      if (insert.step() != SQLITE_DONE) return io_problem("record transfer row", db_);
      hold.reset();
      hold.bind(1, b.partner_id).bind(2, r.chain_root).bind(3, r.reference);
      hold.bind(4, static_cast<std::int64_t>(channel_bits(r.channels))).bind(5, r.notice_due);
      if (hold.step() != SQLITE_DONE) return io_problem("record holding", db_);
    }
    // What the partner holds after this entry, bound to it (store.h, Holding).
    HoldingsDigest holdings_digest;
    Holding h;
    h.partner_id = b.partner_id;
    holdings.reset();
    holdings.bind(1, b.partner_id);
    int rc = SQLITE_OK;
    while ((rc = holdings.step()) == SQLITE_ROW) {
      read_holding(holdings, h);
      holdings_digest.add(h);
    }
    if (rc != SQLITE_DONE) return io_problem("read holdings", db_);
    const std::string text =
        transfer_entry(seq, b, static_cast<std::int64_t>(b.rows.size()), rows_hash.hex(), holdings_digest.hex());
    prev = chain_hash(prev, text);
    log.reset();
    log.bind(1, seq).bind(2, text).bind(3, prev);
    if (log.step() != SQLITE_DONE) return io_problem("append transfer entry", db_);
    seqs.push_back(seq);
    ++seq;
  }
  if (!tx.commit()) {
    const Problem p = io_problem("commit", db_);
    exec("ROLLBACK");
    return p;
  }
  return seqs;
}

Result<std::vector<Transfer>> SqliteStore::transfers_of(std::string_view chain_root) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string sql = std::string("SELECT ") + kTransferColumns +
                          ", IFNULL((SELECT min(a.sent_at) FROM notice_acks a WHERE a.partner_id = t.partner_id AND "
                          "a.reference = t.reference), '') FROM transfers t WHERE t.chain_root = ?1 ORDER BY t.seq, "
                          "t.id";
  Stmt st(db_, sql.c_str());
  st.bind(1, chain_root);
  std::vector<Transfer> out;
  int rc = SQLITE_OK;
  while ((rc = st.step()) == SQLITE_ROW) {
    Transfer t;
    read_transfer(st, t);
    t.notice_acknowledged_at = st.text(8);
    out.push_back(std::move(t));
  }
  if (rc != SQLITE_DONE) return io_problem("read transfers", db_);
  return out;
}

Problems SqliteStore::for_each_transfer_to(std::string_view partner_id,
                                           const std::function<bool(const Transfer&)>& visit) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string sql =
      std::string("SELECT ") + kTransferColumns + " FROM transfers t WHERE t.partner_id = ?1 ORDER BY t.seq, t.id";
  Stmt st(db_, sql.c_str());
  st.bind(1, partner_id);
  Transfer t;
  int rc = SQLITE_OK;
  while ((rc = st.step()) == SQLITE_ROW) {
    read_transfer(st, t);
    if (!visit(t)) return {};
  }
  if (rc != SQLITE_DONE) return {io_problem("read transfers", db_)};
  return {};
}

Problems SqliteStore::for_each_holding(std::string_view partner_id, const std::function<void(const Holding&)>& visit) {
  std::lock_guard<std::mutex> lock(mutex_);
  Stmt st(db_,
          "SELECT chain_root, reference, channels, notice_due FROM transfer_holdings WHERE partner_id = ?1 ORDER BY "
          "chain_root");
  st.bind(1, partner_id);
  Holding h;
  h.partner_id = std::string(partner_id);
  int rc = SQLITE_OK;
  while ((rc = st.step()) == SQLITE_ROW) {
    read_holding(st, h);
    visit(h);
  }
  if (rc != SQLITE_DONE) return {io_problem("read holdings", db_)};
  return {};
}

Result<std::int64_t> SqliteStore::last_transfer_seq(std::string_view partner_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  // From the log (not the rows): a file with no row is a transfer too.
  Stmt st(db_,
          "SELECT IFNULL(max(seq), 0) FROM log WHERE kind = 'transfer' AND json_valid(entry) AND "
          "json_extract(entry, '$.partnerId') = ?1");
  st.bind(1, partner_id);
  if (st.step() != SQLITE_ROW) return io_problem("read transfers", db_);
  return st.int64(0);
}

Result<std::optional<std::string>> SqliteStore::chain_root_of_reference(std::string_view partner_id,
                                                                        std::string_view reference) {
  std::lock_guard<std::mutex> lock(mutex_);
  Stmt st(db_, "SELECT chain_root FROM transfers WHERE partner_id = ?1 AND reference = ?2 ORDER BY seq LIMIT 1");
  st.bind(1, partner_id).bind(2, reference);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(st.text(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return io_problem("read transfers", db_);
}

Result<std::int64_t> SqliteStore::record_notice_acks(std::string_view partner_id, std::string_view file_sha256,
                                                     const std::vector<NoticeAck>& acks) {
  if (std::optional<Problem> bad = bad_notice_ack_partner(partner_id)) return *bad;
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return io_problem("begin", db_);
  std::int64_t seq = 0;
  std::string prev;
  if (!log_head(seq, prev)) return io_problem("read log head", db_);
  Stmt insert(db_, "INSERT INTO notice_acks(seq, line, partner_id, reference, sent_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!insert.ok()) return io_problem("record acknowledgements", db_);
  NoticeAckRowsHash rows_hash(partner_id);
  for (const NoticeAck& ack : acks) {
    rows_hash.add(ack);
    insert.reset();
    insert.bind(1, seq).bind(2, ack.line).bind(3, partner_id).bind(4, ack.reference).bind(5, ack.sent_at);
    if (insert.step() != SQLITE_DONE) return io_problem("record acknowledgement", db_);
  }
  const std::string text = notice_ack_entry(seq, calendar::format_rfc3339(calendar::now_unix()), partner_id,
                                            file_sha256, static_cast<std::int64_t>(acks.size()), rows_hash.hex());
  Stmt log(db_, "INSERT INTO log(seq, kind, receipt_id, entry, hash) VALUES (?1, 'notice-ack', NULL, ?2, ?3)");
  log.bind(1, seq).bind(2, text).bind(3, chain_hash(prev, text));
  if (log.step() != SQLITE_DONE) return io_problem("append acknowledgement entry", db_);
  if (!tx.commit()) {
    const Problem p = io_problem("commit", db_);
    exec("ROLLBACK");
    return p;
  }
  return seq;
}

Result<std::vector<Transfer>> SqliteStore::notice_status() {
  std::lock_guard<std::mutex> lock(mutex_);
  // The first transfer of each (partner, reference), and its earliest acknowledgement.
  const std::string sql = std::string("SELECT ") + kTransferColumns +
                          ", IFNULL((SELECT min(a.sent_at) FROM notice_acks a WHERE a.partner_id = t.partner_id AND "
                          "a.reference = t.reference), '') FROM transfers t WHERE t.id = (SELECT f.id FROM transfers "
                          "f WHERE f.partner_id = t.partner_id AND f.reference = t.reference ORDER BY f.seq, f.id "
                          "LIMIT 1) ORDER BY t.partner_id, t.reference";
  Stmt st(db_, sql.c_str());
  std::vector<Transfer> out;
  int rc = SQLITE_OK;
  while ((rc = st.step()) == SQLITE_ROW) {
    Transfer t;
    read_transfer(st, t);
    t.notice_acknowledged_at = st.text(8);
    out.push_back(std::move(t));
  }
  if (rc != SQLITE_DONE) return io_problem("read transfers", db_);
  return out;
}

// --- verification ------------------------------------------------------------

namespace {

// The rows one entry binds: their count and the SHA-256 of their canonical
// bytes. False when the database failed.
bool transfer_rows_digest(sqlite3* db, std::int64_t seq, std::int64_t& count, std::string& digest) {
  const std::string sql =
      std::string("SELECT ") + kTransferColumns + " FROM transfers t WHERE t.seq = ?1 ORDER BY t.id";
  Stmt st(db, sql.c_str());
  if (!st.ok()) return false;
  st.bind(1, seq);
  Sha256Stream hash;
  std::string canonical;
  Transfer t;
  count = 0;
  int rc = SQLITE_OK;
  while ((rc = st.step()) == SQLITE_ROW) {
    read_transfer(st, t);
    canonical.clear();
    append_canonical_transfer_row(canonical, t);
    hash.update(canonical);
    ++count;
  }
  digest = hash.hex();
  return rc == SQLITE_DONE;
}

bool ack_rows_digest(sqlite3* db, std::int64_t seq, std::int64_t& count, std::string& digest) {
  Stmt st(db, "SELECT line, partner_id, reference, sent_at FROM notice_acks WHERE seq = ?1 ORDER BY id");
  if (!st.ok()) return false;
  st.bind(1, seq);
  Sha256Stream hash;
  std::string canonical;
  NoticeAck a;
  count = 0;
  int rc = SQLITE_OK;
  while ((rc = st.step()) == SQLITE_ROW) {
    a.line = st.int64(0);
    a.partner_id = st.text(1);
    a.reference = st.text(2);
    a.sent_at = st.text(3);
    canonical.clear();
    append_canonical_notice_ack(canonical, a);
    hash.update(canonical);
    ++count;
  }
  digest = hash.hex();
  return rc == SQLITE_DONE;
}

}  // namespace

std::optional<ChainProblem> check_transfer_entry(sqlite3* db, std::int64_t seq, const Json& entry, bool& io_failed) {
  const bool transfer = string_at(entry, {"kind"}) == "transfer";
  std::int64_t count = 0;
  std::string digest;
  io_failed = !(transfer ? transfer_rows_digest(db, seq, count, digest) : ack_rows_digest(db, seq, count, digest));
  if (io_failed) return std::nullopt;
  const Json rows = entry.value("rows", Json());
  if (!rows.is_number_integer() || rows.get<std::int64_t>() != count || string_at(entry, {"rowsSha256"}) != digest) {
    const std::string what = transfer ? "transfer rows" : "notice acknowledgements";
    return ChainProblem{seq, "", transfer ? "ledger_transfer_mismatch" : "ledger_notice_ack_mismatch",
                        "The " + what + " of log entry " + std::to_string(seq) + " (" + std::to_string(count) +
                            " stored) no longer match the entry (" +
                            (rows.is_number_integer() ? std::to_string(rows.get<std::int64_t>()) : "?") +
                            " recorded): a row was altered, added or deleted."};
  }
  return std::nullopt;
}

bool check_unlogged_transfers(sqlite3* db, std::vector<ChainProblem>& problems) {
  for (const auto& [table, kind, code] :
       {std::array<const char*, 3>{"transfers", "transfer", "ledger_unlogged_transfer"},
        std::array<const char*, 3>{"notice_acks", "notice-ack", "ledger_unlogged_notice_ack"}}) {
    const std::string sql = std::string("SELECT DISTINCT t.seq FROM ") + table +
                            " t LEFT JOIN log l ON l.seq = t.seq WHERE l.seq IS NULL OR l.kind <> '" + kind + "'";
    Stmt st(db, sql.c_str());
    if (!st.ok()) return false;
    int rc = SQLITE_OK;
    while ((rc = st.step()) == SQLITE_ROW) {
      problems.push_back(ChainProblem{st.int64(0), "", code,
                                      std::string("Rows of the ledger's ") + table + " table name log entry " +
                                          std::to_string(st.int64(0)) + ", which is not a '" + kind +
                                          "' entry: they were inserted behind the ledger's back."});
    }
    if (rc != SQLITE_DONE) return false;
  }
  return true;
}

bool check_holdings(sqlite3* db, std::string_view partner_id, std::vector<ChainProblem>& problems) {
  // Reported at the partner's latest transfer entry (its holdingsSha256 states them).
  Stmt latest(db,
              "SELECT IFNULL(max(seq), 0) FROM log WHERE kind = 'transfer' AND json_valid(entry) AND "
              "json_extract(entry, '$.partnerId') = ?1");
  if (!latest.ok()) return false;
  latest.bind(1, partner_id);
  if (latest.step() != SQLITE_ROW) return false;
  const std::int64_t at = latest.int64(0);
  // The rows folded person by person (fold_transfer_row, in log order within
  // a person), merged with the table read in the same chain-root order.
  Stmt rows(db,
            "SELECT chain_root, reference, channels, notice_due FROM transfers WHERE partner_id = ?1 ORDER BY "
            "chain_root, seq, id");
  Stmt table(db,
             "SELECT chain_root, reference, channels, notice_due FROM transfer_holdings WHERE partner_id = ?1 ORDER BY "
             "chain_root");
  if (!rows.ok() || !table.ok()) return false;
  rows.bind(1, partner_id);
  table.bind(1, partner_id);
  constexpr std::size_t kMost = 100;
  auto report = [&](const std::string& root, const char* what) {
    if (problems.size() >= kMost) return;
    problems.push_back(ChainProblem{at, "", "ledger_holdings_mismatch",
                                    "What partner " + std::string(partner_id) + " holds of person " + root + " " +
                                        what + ": the transfer_holdings table was edited behind the ledger's back."});
  };
  Transfer t;
  t.partner_id = std::string(partner_id);
  Holding derived, stored;
  stored.partner_id = t.partner_id;
  int row_rc = rows.step();
  int table_rc = table.step();
  auto next_derived = [&]() {  // the next person's holding from the rows; false at their end
    if (row_rc != SQLITE_ROW) return false;
    derived = Holding{};
    const std::string root = rows.text(0);
    while (row_rc == SQLITE_ROW && rows.view(0) == root) {
      t.chain_root = root;
      t.reference = rows.text(1);
      t.channels = transfer_channels_of(rows.view(2));
      t.notice_due = rows.text(3);
      fold_transfer_row(derived, t);
      row_rc = rows.step();
    }
    return true;
  };
  bool have_derived = next_derived();
  while (have_derived || table_rc == SQLITE_ROW) {
    if (table_rc == SQLITE_ROW) read_holding(table, stored);
    const int order = !have_derived ? -1 : table_rc != SQLITE_ROW ? 1 : stored.chain_root.compare(derived.chain_root);
    if (order < 0) {
      report(stored.chain_root, "does not follow from any transfer row");
      table_rc = table.step();
    } else if (order > 0) {
      report(derived.chain_root, "is missing from the holdings table");
      have_derived = next_derived();
    } else {
      if (stored.reference != derived.reference || stored.channels != derived.channels ||
          stored.notice_due != derived.notice_due) {
        report(stored.chain_root, "does not follow from the transfer rows");
      }
      table_rc = table.step();
      have_derived = next_derived();
    }
  }
  return row_rc == SQLITE_DONE && table_rc == SQLITE_DONE;
}

}  // namespace sqlite
}  // namespace cachet::ledger
