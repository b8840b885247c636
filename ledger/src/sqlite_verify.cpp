// Verification of the SQLite ledger: the hash chain, every stored receipt
// against its log entry (verify_chain, `cachet ledger verify`), and the
// compact records the export reads (verify_records). docs/server.md, "Hash chain".
#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cachet/ledger/digest.h"
#include "records.h"
#include "sqlite_store.h"

namespace cachet::ledger::sqlite {
namespace {

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
         channel(a.email, b.email) && channel(a.sms, b.sms) && a.salt == b.salt && a.digests.email == b.digests.email &&
         a.digests.phone == b.digests.phone && a.digests.mobile == b.digests.mobile &&
         a.digests.postal == b.digests.postal && a.partner_ids == b.partner_ids;
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
//
// On every core (docs/export.md, "How it runs"): entry i's hash is checked
// against SHA-256(stored hash of entry i-1 || entry i), so a range of entries
// can be checked knowing only the stored hash of the entry before it. The log
// is cut into blocks of seqs; each thread walks whole blocks on a connection
// of its own (BlockWalk), and the blocks are merged into the whole walk
// (LogWalk) in log order. What depends on the entries before a block (a
// purge entry naming a receipt logged earlier) is kept as a step
// (Block::later) that the merge runs in log order, so the report is the
// one a single thread makes (tests/ledger/ledger_test.cpp, ChainJobsTest).
class LogWalk;

// What one block of the log yields, merged into the LogWalk in log order.
struct Block {
  std::int64_t entries = 0, receipts = 0;
  bool any = false;                      // at least one entry
  std::array<unsigned char, 32> last{};  // the hash the next entry chains onto
  std::vector<ChainProblem> problems;
  std::vector<std::function<bool(LogWalk&)>> later;  // false: the database failed
  // verify_records: records[0..used) to visit, in log order. The vector is
  // handed from block to block (run_blocks), so its records' strings are
  // reused, as one walk reuses one record, instead of allocated per record.
  std::vector<ReceiptRecord> records;
  std::size_t used = 0;
  ReceiptRecord& next_record() {
    if (used == records.size()) records.emplace_back();
    return records[used++];
  }
  std::optional<Problem> failed;  // the database failed
  // Transfer and notice-ack entries whose rows are rehashed after the walk
  // (LogWalk::add_rows_check_tasks).
  std::vector<std::pair<std::int64_t, Json>> rows_checks;
};

// One block's walk: the entries from..to in seq order.
class BlockWalk {
 public:
  BlockWalk(std::int64_t v2_before, Block& into) : out(into), v2_before_(v2_before) {}

  Block& out;
  Sha256Hasher sha;

  // The walk goes on from the entry stored before `from` (its stored hash,
  // which is what a single walk chains onto as well: see chain()).
  bool start(sqlite3* db, std::int64_t from) {
    Stmt before(db, "SELECT seq, hash FROM log WHERE seq < ?1 ORDER BY seq DESC LIMIT 1");
    if (!before.ok()) return false;
    before.bind(1, from);
    const int rc = before.step();
    if (rc == SQLITE_ROW) {
      expected_ = before.int64(0) + 1;
      set_prev_from_stored(before.view(1));
    }
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
  }

  // The first five columns both walks select: seq, kind, receipt id, entry, hash.
  struct Row {
    std::int64_t seq = 0;
    std::string_view kind, id, entry, hash;  // valid until the next step()
  };
  static Row row_of(const Stmt& st) { return {st.int64(0), st.view(1), st.view(2), st.view(3), st.view(4)}; }

  void add(std::int64_t seq, std::string id, std::string code, std::string message) {
    out.problems.push_back(ChainProblem{seq, std::move(id), std::move(code), std::move(message)});
  }
  // A step that needs the blocks before this one: run by the merge, in log order.
  void later(std::function<bool(LogWalk&)> step) { out.later.push_back(std::move(step)); }
  // A transfer or notice-ack entry: its rows are rehashed after the walk.
  void check_rows_later(std::int64_t seq, Json entry) { out.rows_checks.emplace_back(seq, std::move(entry)); }

  // One more entry: its seq follows the previous one and it hashes onto it.
  void chain(std::int64_t seq, std::string_view id, std::string_view entry, std::string_view hash) {
    ++out.entries;
    out.any = true;
    if (seq != expected_) {
      add(seq, std::string(id), "ledger_gap",
          "Log entry " + std::to_string(expected_) + " is missing (the next one is " + std::to_string(seq) + ").");
    }
    expected_ = seq + 1;
    const std::optional<std::array<unsigned char, 32>> computed = sha.digest(raw(prev_), entry);
    if (computed && hex_equals(*computed, hash)) {
      out.last = prev_ = *computed;
      return;
    }
    add(seq, std::string(id), "ledger_hash_mismatch",
        "Log entry " + std::to_string(seq) +
            " does not hash to its recorded value, or does not follow the entry before it: the log was edited.");
    // Go on from the stored hash, so one edit is reported once.
    set_prev_from_stored(hash);
    out.last = prev_;
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
                           std::string_view hash, const ReceiptRecord* record);
  const std::string& canonical() const { return canonical_; }

  // Any other entry is read: a JSON object naming its own seq and kind.
  std::optional<Json> parse_entry(std::int64_t seq, std::string_view kind, std::string_view id,
                                  std::string_view entry) {
    Json parsed = Json::parse(entry, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("seq") || !parsed["seq"].is_number_integer() ||
        parsed["seq"].get<std::int64_t>() != seq || !parsed.contains("kind") || !parsed["kind"].is_string() ||
        parsed["kind"].get<std::string>() != kind) {
      add(seq, std::string(id), "ledger_bad_entry",
          "Log entry " + std::to_string(seq) + " is not a well-formed entry.");
      return std::nullopt;
    }
    return parsed;
  }

  static std::string_view raw(const std::array<unsigned char, 32>& a) {
    return std::string_view(reinterpret_cast<const char*>(a.data()), a.size());
  }

 private:
  void set_prev_from_stored(std::string_view hash) {
    const std::optional<std::string> stored = from_hex(hash);
    prev_ = {};
    if (stored && stored->size() == prev_.size()) std::copy(stored->begin(), stored->end(), prev_.begin());
  }
  std::int64_t v2_before_;
  std::int64_t expected_ = 1;
  std::array<unsigned char, 32> prev_{};
  std::string canonical_;
  std::string rebuilt_;
};

// The whole walk: the blocks merged in log order, and what spans them.
class LogWalk {
 public:
  explicit LogWalk(sqlite3* db) : record_present_(db, "SELECT entry_seq FROM records WHERE receipt_id = ?1") {}

  ChainReport report;

  bool ok() const { return record_present_.ok(); }

  void add(std::int64_t seq, std::string id, std::string code, std::string message) {
    report.problems.push_back(ChainProblem{seq, std::move(id), std::move(code), std::move(message)});
  }

  // The next block, in log order. False when a step's database read failed.
  bool merge(Block& block) {
    report.entries += block.entries;
    report.receipts += block.receipts;
    if (block.any) last_ = block.last;
    for (ChainProblem& p : block.problems) report.problems.push_back(std::move(p));
    for (const auto& step : block.later) {
      if (!step(*this)) return false;
    }
    for (auto& [seq, entry] : block.rows_checks) rows_checks_.push_back(RowsCheck{seq, std::move(entry), {}});
    return true;
  }

  // After the merge: one task per transfer or notice-ack entry, rehashing the
  // rows it binds (check_transfer_entry). One export writes an entry per
  // partner, each binding a whole file's rows, and they follow one another in
  // the log: checked in the block that holds them, one thread would rehash
  // them all. As tasks (run_scans) they share the cores.
  void add_rows_check_tasks(std::vector<std::function<bool(sqlite3*)>>& tasks) {
    for (RowsCheck& check : rows_checks_) {
      tasks.emplace_back([&check](sqlite3* db) {
        bool io_failed = false;
        check.problem = check_transfer_entry(db, check.seq, check.entry, io_failed);
        return !io_failed;
      });
    }
  }
  // Once the tasks have run: what they found.
  void add_rows_check_problems() {
    for (RowsCheck& check : rows_checks_) {
      if (check.problem) report.problems.push_back(std::move(*check.problem));
    }
  }

  // An entry whose record is not stored (BlockWalk::check_stated_record).
  void record_absent(std::string id, std::int64_t seq, std::string hash) {
    absent_records_[std::move(id)] = Absent{seq, std::move(hash)};
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
    report.head = report.entries == 0 ? std::string() : to_hex(BlockWalk::raw(last_));
    for (const auto& [rid, a] : absent_records_) {
      if (!a.purged) {
        add(a.seq, rid, "ledger_record_missing",
            "The compact record of receipt " + rid + " (log entry " + std::to_string(a.seq) +
                ") was deleted without a purge or erasure entry.");
      }
    }
    std::stable_sort(report.problems.begin(), report.problems.end(),
                     [](const ChainProblem& a, const ChainProblem& b) { return a.seq < b.seq; });
    return std::move(report);
  }

 private:
  struct Absent {  // an entry whose record is not stored
    std::int64_t seq = 0;
    std::string hash;
    bool purged = false;
  };
  struct RowsCheck {
    std::int64_t seq = 0;
    Json entry;
    std::optional<ChainProblem> problem;
  };
  Stmt record_present_;
  std::vector<RowsCheck> rows_checks_;
  std::array<unsigned char, 32> last_{};
  std::unordered_map<std::string, Absent> absent_records_;
};

bool BlockWalk::check_stated_record(std::int64_t seq, std::string_view kind, std::string_view id,
                                    std::string_view entry, std::string_view hash, const ReceiptRecord* record) {
  if (record == nullptr) {
    later([id = std::string(id), seq, hash = std::string(hash)](LogWalk& walk) {
      walk.record_absent(id, seq, hash);
      return true;
    });
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

// Entries per block: small enough that a block's records (verify_records)
// stay a few MiB and the threads finish close together, large enough that
// starting a block (two indexed reads) costs nothing.
constexpr std::int64_t kBlockEntries = 8192;

// `ledger verify` reads the whole ledger memory-mapped: SQLite then reads a
// page without a read() call and a copy (a third of its time otherwise).
// SQLite caps the map (2 GiB in Debian's build) and reads beyond it as usual.
// Safe here: nothing shrinks a ledger file (no VACUUM), the one case where a
// mapped read faults. The export does not map: it reads the log and records
// only, gained nothing measurable, and its peak RSS would count mapped pages.
constexpr const char* kMapReads = "PRAGMA mmap_size=2147418112";

// `db`'s reads memory-mapped for the time of a check (kMapReads), then not
// mapped again (SQLite's default in Debian's build).
class MappedReads {
 public:
  explicit MappedReads(sqlite3* db) : db_(db) { exec(db_, kMapReads); }
  MappedReads(const MappedReads&) = delete;
  MappedReads& operator=(const MappedReads&) = delete;
  ~MappedReads() { exec(db_, "PRAGMA mmap_size=0"); }

 private:
  sqlite3* db_;
};

// A connection of its own for a thread of the walk, in a read transaction
// that sees the snapshot `db`'s does: SQLite has no portable way to share a
// snapshot between connections, so the new one checks it reads the same
// last entry (every change a check reads appends an entry). nullptr when it
// does not (an append came in between) or the ledger is not a file.
sqlite3* open_reader(sqlite3* db, std::int64_t tip_seq, const std::string& tip_hash) {
  const char* path = sqlite3_db_filename(db, "main");
  if (path == nullptr || *path == '\0') return nullptr;
  sqlite3* reader = nullptr;
  if (sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(reader);
    return nullptr;
  }
  sqlite3_busy_timeout(reader, 5000);
  exec(reader, "PRAGMA temp_store=MEMORY");  // the holdings check sorts a partner's transfer rows
  {  // it reads as `db` does: memory-mapped during `ledger verify` (MappedReads)
    Stmt map(db, "PRAGMA mmap_size");
    if (map.ok() && map.step() == SQLITE_ROW && map.int64(0) > 0) exec(reader, kMapReads);
  }
  bool same = false;
  if (exec(reader, "BEGIN")) {
    Stmt last(reader, "SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1");
    const int rc = last.ok() ? last.step() : SQLITE_ERROR;
    same = (rc == SQLITE_DONE && tip_seq == 0) ||
           (rc == SQLITE_ROW && last.int64(0) == tip_seq && last.view(1) == tip_hash);
  }
  if (!same) {
    sqlite3_close_v2(reader);  // rolls the read transaction back
    return nullptr;
  }
  return reader;
}

struct Readers {
  std::vector<sqlite3*> dbs;
  Readers() = default;
  Readers(const Readers&) = delete;
  Readers& operator=(const Readers&) = delete;
  ~Readers() {
    for (sqlite3* r : dbs) sqlite3_close_v2(r);
  }
};

// --jobs (0: one per core).
unsigned resolve_jobs(unsigned jobs) { return jobs == 0 ? std::max(1u, std::thread::hardware_concurrency()) : jobs; }

// Walks the seq ranges `blocks` with `walk_block(db, from, to, block)` on
// `workers` threads with connections of their own when the ledger is a file
// (0, or no file: on `db`, on this thread), and hands each block to `merge`
// in order, on this thread (which owns `db`). The threads run at most a few
// blocks ahead of the merge. A problem when the database failed.
std::optional<Problem> run_blocks(sqlite3* db, const std::vector<std::pair<std::int64_t, std::int64_t>>& blocks,
                                  unsigned workers,
                                  const std::function<void(sqlite3*, std::int64_t, std::int64_t, Block&)>& walk_block,
                                  const std::function<bool(Block&)>& merge) {
  const auto jobs = static_cast<unsigned>(std::min<std::size_t>(workers, blocks.size()));
  Readers readers;
  if (jobs > 0) {
    Stmt last(db, "SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1");
    const int rc = last.ok() ? last.step() : SQLITE_ERROR;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return io_problem("read log", db);
    const std::int64_t tip_seq = rc == SQLITE_ROW ? last.int64(0) : 0;
    const std::string tip_hash = rc == SQLITE_ROW ? last.text(1) : std::string();
    for (unsigned i = 0; i < jobs; ++i) {
      sqlite3* reader = open_reader(db, tip_seq, tip_hash);
      if (reader == nullptr) break;
      readers.dbs.push_back(reader);
    }
    if (readers.dbs.size() < jobs) readers.dbs.clear();  // one thread, on this snapshot
  }
  if (readers.dbs.empty()) {
    std::vector<ReceiptRecord> spare;
    for (const auto& [from, to] : blocks) {
      Block block;
      block.records = std::move(spare);
      walk_block(db, from, to, block);
      if (block.failed) return block.failed;
      if (!merge(block)) return io_problem("read log", db);
      spare = std::move(block.records);
    }
    return std::nullopt;
  }

  const std::size_t window = 2 * readers.dbs.size();
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next = 0, merged = 0;
  bool stop = false;
  std::map<std::size_t, Block> done;
  std::vector<std::vector<ReceiptRecord>> spare;  // records of merged blocks, for the next ones
  auto work = [&](sqlite3* reader) {
    for (;;) {
      std::size_t b = 0;
      Block block;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return stop || next >= blocks.size() || next < merged + window; });
        if (stop || next >= blocks.size()) return;
        b = next++;
        if (!spare.empty()) {
          block.records = std::move(spare.back());
          spare.pop_back();
        }
      }
      walk_block(reader, blocks[b].first, blocks[b].second, block);
      std::lock_guard<std::mutex> lock(mutex);
      done.emplace(b, std::move(block));
      changed.notify_all();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(readers.dbs.size());
  for (sqlite3* reader : readers.dbs) threads.emplace_back(work, reader);
  std::optional<Problem> failure;
  for (std::size_t b = 0; b < blocks.size() && !failure; ++b) {
    Block block;
    {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return done.count(b) != 0; });
      block = std::move(done.at(b));
      done.erase(b);
    }
    if (block.failed) {
      failure = block.failed;
    } else if (!merge(block)) {
      failure = io_problem("read log", db);
    }
    std::lock_guard<std::mutex> lock(mutex);
    spare.push_back(std::move(block.records));
    merged = b + 1;
    stop = failure.has_value();
    changed.notify_all();
  }
  for (std::thread& t : threads) t.join();
  return failure;
}

// The seq ranges of the blocks covering first..last.
std::vector<std::pair<std::int64_t, std::int64_t>> blocks_of(std::int64_t first, std::int64_t last) {
  std::vector<std::pair<std::int64_t, std::int64_t>> blocks;
  for (std::int64_t from = first; from <= last; from += kBlockEntries) {
    blocks.emplace_back(from, std::min(last, from + kBlockEntries - 1));
  }
  return blocks;
}

// A 'publication' entry (schema 4): the version stored at its seq rebuilds
// it byte for byte, every digest recomputed from the stored bytes, so an
// edited notice, partner list or config is caught. False when the database failed.
bool check_publication(sqlite3* db, BlockWalk& walk, std::int64_t seq, std::string_view entry) {
  Stmt st(db,
          "SELECT digest, config_version, canonical_config, notices, partner_list, first_served_at FROM "
          "publications WHERE seq = ?1");
  if (!st.ok()) return false;
  st.bind(1, seq);
  const int rc = st.step();
  if (rc == SQLITE_DONE) {
    walk.add(seq, "", "ledger_publication_missing",
             "The published config version of log entry " + std::to_string(seq) + " was deleted.");
    return true;
  }
  if (rc != SQLITE_ROW) return false;
  PublishedVersion v;
  v.digest = walk.sha.hex(st.view(2));
  v.config_version = st.text(1);
  v.first_served_at = st.text(5);
  v.partner_list_sha256 = walk.sha.hex(st.view(4));
  const Json notices = Json::parse(st.view(3), nullptr, false);
  if (notices.is_object()) {
    for (const auto& [locale, text] : notices.items()) {
      v.notice_sha256[locale] = text.is_string() ? walk.sha.hex(text.get_ref<const std::string&>()) : std::string();
    }
  }
  const Json config = Json::parse(st.view(2), nullptr, false);
  const bool named = config.is_object() && config.value("configVersion", Json()) == Json(v.config_version);
  if (st.text(0) != v.digest || !named || publication_entry(seq, v) != entry) {
    walk.add(seq, "", "ledger_publication_mismatch",
             "The published config version of log entry " + std::to_string(seq) +
                 " no longer matches its entry: its config, notices or partner list were edited.");
  }
  return true;
}

// Published versions that no 'publication' entry states.
bool check_unlogged_publications(sqlite3* db, std::vector<ChainProblem>& problems) {
  Stmt st(db,
          "SELECT p.seq FROM publications p LEFT JOIN log l ON l.seq = p.seq WHERE l.seq IS NULL OR "
          "l.kind <> 'publication'");
  if (!st.ok()) return false;
  int rc = SQLITE_OK;
  while ((rc = st.step()) == SQLITE_ROW) {
    problems.push_back(ChainProblem{
        st.int64(0), "", "ledger_unlogged_publication",
        "A published config version has no log entry stating it: it was inserted behind the ledger's back."});
  }
  return rc == SQLITE_DONE;
}

// `count` seq ranges covering first..last, the first and last open-ended
// (rows stored outside the log's seqs belong to a range too).
std::vector<std::pair<std::int64_t, std::int64_t>> scan_ranges(std::int64_t first, std::int64_t last, unsigned count) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  const std::int64_t span = std::max<std::int64_t>(1, (last - first + 1 + count - 1) / count);
  for (std::int64_t from = first; from <= last; from += span) out.emplace_back(from, std::min(last, from + span - 1));
  if (out.empty()) out.emplace_back(first, last);
  out.front().first = std::numeric_limits<std::int64_t>::min();
  out.back().second = std::numeric_limits<std::int64_t>::max();
  return out;
}

// Runs `tasks` (each a read on the connection it is given) on `jobs`
// threads, each on a reader connection of `db`'s snapshot (open_reader), or
// all on `db`, on this thread, when no reader can be opened (an append came
// in between, or the ledger is not a file).
// False when a task's read failed.
bool run_scans(sqlite3* db, unsigned jobs, const std::vector<std::function<bool(sqlite3*)>>& tasks) {
  Readers readers;
  const auto threads_wanted = static_cast<unsigned>(std::min<std::size_t>(jobs, tasks.size()));
  if (threads_wanted >= 1) {  // one thread too: a reader sorts in memory (open_reader)
    Stmt last(db, "SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1");
    const int rc = last.ok() ? last.step() : SQLITE_ERROR;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return false;
    const std::int64_t tip_seq = rc == SQLITE_ROW ? last.int64(0) : 0;
    const std::string tip_hash = rc == SQLITE_ROW ? last.text(1) : std::string();
    for (unsigned i = 0; i < threads_wanted; ++i) {
      sqlite3* reader = open_reader(db, tip_seq, tip_hash);
      if (reader == nullptr) break;
      readers.dbs.push_back(reader);
    }
    if (readers.dbs.size() < threads_wanted) readers.dbs.clear();
  }
  if (readers.dbs.empty()) {
    return std::all_of(tasks.begin(), tasks.end(), [db](const auto& task) { return task(db); });
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> ok{true};
  std::vector<std::thread> threads;
  threads.reserve(readers.dbs.size());
  for (sqlite3* reader : readers.dbs) {
    threads.emplace_back([&, reader] {
      for (std::size_t t = next++; t < tasks.size() && ok; t = next++) {
        if (!tasks[t](reader)) ok = false;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return ok;
}

// The partners that transfer rows or holdings name. False when the database failed.
bool transfer_partners(sqlite3* db, std::vector<std::string>& out) {
  // One indexed step per partner (transfers_reference; the holdings' key), not a scan of every row.
  Stmt st(db,
          "SELECT min(p) FROM (SELECT min(partner_id) AS p FROM transfers WHERE partner_id > ?1 UNION ALL "
          "SELECT min(partner_id) FROM transfer_holdings WHERE partner_id > ?1)");
  if (!st.ok()) return false;
  std::string after;
  for (;;) {
    st.reset();
    st.bind(1, after);
    if (st.step() != SQLITE_ROW) return false;
    if (st.is_null(0)) return true;
    after = st.text(0);
    out.push_back(after);
  }
}

// The first and last seq of the log (0, 0 when it is empty). False when the database failed.
bool log_bounds(sqlite3* db, std::int64_t& first, std::int64_t& last) {
  Stmt st(db, "SELECT IFNULL(min(seq), 0), IFNULL(max(seq), 0) FROM log");
  if (!st.ok() || st.step() != SQLITE_ROW) return false;
  first = st.int64(0);
  last = st.int64(1);
  return true;
}

}  // namespace

// The log entry a stored receipt rebuilds (verify_chain and the reads alike):
// its columns, the SHA-256 of its JWS and, in the schema-3 form, the SHA-256
// of the compact record its payload derives.
std::string receipt_entry_of(const ReceiptRecord& derived, std::int64_t seq, bool states_record, Sha256Hasher& sha) {
  if (!states_record) return receipt_entry_for(derived, seq, std::string_view());  // the schema-1/2 form
  return receipt_entry_for(derived, seq, sha.hex(canonical_record(derived)));
}

// True when `hash` is the hex SHA-256 of the bytes `prev_hash` (hex; empty
// for the first entry: 32 zero bytes) followed by `entry`.
bool links_onto(std::string_view prev_hash, std::string_view entry, std::string_view hash, Sha256Hasher& sha) {
  std::array<unsigned char, 32> prev{};
  if (!prev_hash.empty()) {
    const std::optional<std::string> bytes = from_hex(prev_hash);
    if (!bytes || bytes->size() != prev.size()) return false;
    std::copy(bytes->begin(), bytes->end(), prev.begin());
  }
  const std::optional<std::array<unsigned char, 32>> computed = sha.digest(BlockWalk::raw(prev), entry);
  return computed && hex_equals(*computed, hash);
}

// One pass over the log in seq order (in blocks, on options.jobs threads:
// run_blocks), each entry joined with the compact record it states and the
// receipt stored at its position (for a 'record' entry: the receipt the
// record came from), so memory stays flat however long the ledger is (only
// receipts and records logged but no longer stored are remembered, to be
// matched with purge entries). Then one pass for stored receipts and
// records that no entry accounts for.
Result<ChainReport> SqliteStore::verify_locked(const ChainCheckOptions& options) {
  const MappedReads mapped(db_);
  std::int64_t v2_before = 0;
  if (!migration_seq(v2_before)) return io_problem("read log", db_);
  LogWalk walk(db_);
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
      "b.receipt_seq = l.seq) ELSE l.seq END) WHERE l.seq BETWEEN ?2 AND ?3 ORDER BY l.seq";
  constexpr int kRecordAt = 17;
  // Purge entries name receipts logged before them (any block): the merge
  // checks them, in log order, on this connection.
  Stmt prior(db_,
             "SELECT l.seq, l.hash, EXISTS (SELECT 1 FROM receipts r WHERE r.receipt_id = l.receipt_id) FROM log l "
             "WHERE l.receipt_id = ?1 AND l.kind = 'receipt' AND l.seq < ?2 ORDER BY l.seq DESC LIMIT 1");
  if (!prior.ok() || !walk.ok()) return io_problem("read log", db_);

  auto walk_block = [&](sqlite3* db, std::int64_t from, std::int64_t to, Block& out) {
    BlockWalk block(v2_before, out);
    Sha256Hasher& sha = block.sha;
    auto add = [&block](std::int64_t seq, std::string id, std::string code, std::string message) {
      block.add(seq, std::move(id), std::move(code), std::move(message));
    };
    Stmt log(db, sql.c_str());
    if (!log.ok() || !block.start(db, from)) {
      out.failed = io_problem("read log", db);
      return;
    }
    log.bind(1, v2_before).bind(2, from).bind(3, to);
    ReceiptRecord stored_record;
    // The record the receipt joined at columns 5.. derives (its payload parsed).
    auto derived_from_row = [&](std::string_view jws_sha256) {
      return derive_record(log.view(5), jws_sha256, log.view(7), log.view(8), log.view(9), log.view(10), log.view(11),
                           log.view(12), log.view(13), log.view(14), log.view(15), log.int64(16));
    };
    int rc = SQLITE_OK;
    while ((rc = log.step()) == SQLITE_ROW) {
      const BlockWalk::Row row = BlockWalk::row_of(log);
      const std::int64_t seq = row.seq;  // plain locals: the lambdas below capture them
      const std::string_view kind = row.kind, entry = row.entry, hash = row.hash;
      const std::string id(row.id);
      block.chain(seq, id, entry, hash);

      const bool has_record = !log.is_null(kRecordAt);
      if (has_record) read_record(log, kRecordAt, stored_record);
      const bool stated_here = block.states_record(kind, seq);

      // The compact record this entry states: it must rebuild the entry.
      bool record_ok = false;
      if (stated_here) {
        record_ok = block.check_stated_record(seq, kind, id, entry, hash, has_record ? &stored_record : nullptr);
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
          rebuilt = receipt_entry_of(derived, seq, true, sha);
          if (rebuilt != entry && has_record && receipt_entry_for(derived, seq, sha.hex(block.canonical())) == entry) {
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
          ReceiptRecord derived = derived_from_row(jws_sha256);
          rebuilt = receipt_entry_of(derived, seq, false, sha);
          if (rebuilt == entry && has_record) {
            // The record back-filled for this receipt must be the one it derives.
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
      const std::optional<Json> entry_json = block.parse_entry(seq, kind, id, entry);
      if (!entry_json) continue;
      const Json& parsed = *entry_json;
      if (kind == "receipt") {
        if (string_at(parsed, {"receiptId"}) != id) {
          add(seq, id, "ledger_bad_entry", "Log entry " + std::to_string(seq) + " names another receipt.");
        }
        if (stored_here) {
          add(seq, row_id, "ledger_entry_mismatch",
              "The stored receipt " + row_id + " no longer matches its log entry " + std::to_string(seq) +
                  ": it was edited after it was recorded.");
        }
        if (!stored_here || row_id != id) {
          block.later([&absent, id, seq, hash = std::string(hash)](LogWalk&) {
            absent[id] = Absent{seq, hash};
            return true;
          });
        }
      } else if (kind == "publication") {
        if (!check_publication(db, block, seq, entry)) {
          out.failed = io_problem("read publications", db);
          return;
        }
      } else if (kind == "transfer" || kind == "notice-ack") {
        block.check_rows_later(seq, parsed);
      } else if (kind == "purge" || kind == "erasure") {
        // A person's erasure removes their receipts as a purge does.
        const Json removed = parsed.value("removed", Json::array());
        for (const Json& r : removed.is_array() ? removed : Json::array()) {
          block.later([&absent, &prior, seq, purge = kind == "purge", rid = string_at(r, {"receiptId"}),
                       rhash = string_at(r, {"entryHash"}),
                       record_hash = string_at(r, {"recordEntryHash"})](LogWalk& whole) {
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
                whole.add(prior.int64(0), rid, "ledger_purged_receipt_present",
                          "The receipt " + rid + " was recorded as purged but is still stored.");
              } else if (prc == SQLITE_ROW || prc == SQLITE_DONE) {
                whole.add(seq, rid, "ledger_purge_mismatch",
                          (purge ? "Purge entry " : "Erasure entry ") + std::to_string(seq) + " names a receipt (" +
                              rid + ") the log does not hold.");
              } else {
                return false;
              }
            }
            return whole.purge_record(rid, rhash, record_hash, present);
          });
        }
      }
    }
    if (rc != SQLITE_DONE) out.failed = io_problem("read log", db);
  };
  std::int64_t first = 0, last = 0;
  if (!log_bounds(db_, first, last)) return io_problem("read log", db_);
  // The merge is light here: every core checks blocks (one: this thread alone).
  const unsigned jobs = resolve_jobs(options.jobs);
  if (auto failed = run_blocks(db_, blocks_of(first, last), jobs > 1 ? jobs : 0, walk_block,
                               [&walk](Block& block) { return walk.merge(block); })) {
    return *failed;
  }
  auto add = [&walk](std::int64_t seq, std::string id, std::string code, std::string message) {
    walk.add(seq, std::move(id), std::move(code), std::move(message));
  };

  // The closing scans (stored rows that no entry accounts for), on every
  // core too: each scan cut into seq ranges, each range a task on a reader
  // connection of the same snapshot (run_scans); their rows are then judged
  // here, in range order, against what the walk remembered.
  const auto ranges = scan_ranges(first, last, 4 * std::max(1u, jobs));
  struct Found {
    std::int64_t seq = 0;
    std::string id;
    std::optional<std::int64_t> logged;  // orphans: the receipt's latest receipt entry
  };
  std::vector<std::vector<Found>> orphans_found(ranges.size()), unlogged_found(ranges.size()),
      without_found(ranges.size());
  std::vector<ChainProblem> publications_found, transfers_found;
  std::vector<std::string> partners;
  if (!transfer_partners(db_, partners)) return io_problem("read transfers", db_);
  std::vector<std::vector<ChainProblem>> holdings_found(partners.size());
  std::int64_t receipts = 0;
  // Stored receipts that no receipt entry at their position accounts for.
  const char* orphans_sql =
      "SELECT r.seq, r.receipt_id, (SELECT m.seq FROM log m WHERE m.receipt_id = r.receipt_id AND "
      "m.kind = 'receipt' ORDER BY m.seq DESC LIMIT 1) FROM receipts r LEFT JOIN log l ON l.seq = r.seq "
      "WHERE r.seq BETWEEN ?1 AND ?2 AND (l.seq IS NULL OR l.kind <> 'receipt' OR IFNULL(l.receipt_id, '') <> "
      "r.receipt_id)";
  // Compact records that no entry states (one in a gap of the log is that gap's: ledger_gap).
  const char* unlogged_sql =
      "SELECT c.entry_seq, c.receipt_id FROM records c LEFT JOIN log l ON l.seq = c.entry_seq "
      "WHERE c.entry_seq BETWEEN ?1 AND ?2 AND ((l.seq IS NULL AND c.entry_seq > IFNULL((SELECT max(seq) FROM log), "
      "0)) OR (l.seq IS NOT NULL AND (l.kind NOT IN ('receipt', 'record') OR "
      "IFNULL(l.receipt_id, '') <> c.receipt_id OR (l.kind = 'receipt' AND l.seq <= ?3))))";
  // Stored receipts without a record (else: ledger_unlogged_receipt).
  const char* without_sql =
      "SELECT r.seq, r.receipt_id FROM receipts r LEFT JOIN records c ON c.receipt_seq = r.seq "
      "WHERE r.seq BETWEEN ?1 AND ?2 AND c.entry_seq IS NULL AND EXISTS (SELECT 1 FROM log l WHERE l.seq = r.seq AND "
      "l.kind = 'receipt' AND l.receipt_id = r.receipt_id)";
  auto range_scan = [&](const char* scan_sql, std::size_t i, std::vector<Found>& out, bool with_logged) {
    return [&, scan_sql, i, with_logged](sqlite3* db) {
      Stmt st(db, scan_sql);
      if (!st.ok()) return false;
      st.bind(1, ranges[i].first).bind(2, ranges[i].second);
      if (scan_sql == unlogged_sql) st.bind(3, v2_before);
      int rc = SQLITE_OK;
      while ((rc = st.step()) == SQLITE_ROW) {
        Found f{st.int64(0), st.text(1), std::nullopt};
        if (with_logged && !st.is_null(2)) f.logged = st.int64(2);
        out.push_back(std::move(f));
      }
      return rc == SQLITE_DONE;
    };
  };
  std::vector<std::function<bool(sqlite3*)>> tasks;
  for (std::size_t p = 0; p < partners.size(); ++p) {  // the heaviest first
    tasks.emplace_back([&, p](sqlite3* db) { return check_holdings(db, partners[p], holdings_found[p]); });
  }
  walk.add_rows_check_tasks(tasks);
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    tasks.emplace_back(range_scan(orphans_sql, i, orphans_found[i], true));
    tasks.emplace_back(range_scan(unlogged_sql, i, unlogged_found[i], false));
    tasks.emplace_back(range_scan(without_sql, i, without_found[i], false));
  }
  tasks.emplace_back([&](sqlite3* db) { return check_unlogged_publications(db, publications_found); });
  tasks.emplace_back([&](sqlite3* db) { return check_unlogged_transfers(db, transfers_found); });
  tasks.emplace_back([&](sqlite3* db) {
    Stmt count(db, "SELECT count(*) FROM receipts");
    if (count.step() != SQLITE_ROW) return false;
    receipts = count.int64(0);
    return true;
  });
  if (!run_scans(db_, jobs, tasks)) return io_problem("read receipts, records and transfers", db_);

  for (const std::vector<Found>& found : orphans_found) {
    for (const Found& f : found) {
      if (!f.logged) {
        add(f.seq, f.id, "ledger_unlogged_receipt",
            "The stored receipt " + f.id + " has no entry in the log: it was inserted behind the ledger's back.");
        continue;
      }
      const std::int64_t logged_seq = *f.logged;
      auto it = absent.find(f.id);
      if (it != absent.end()) {
        if (it->second.purged) {
          add(logged_seq, f.id, "ledger_purged_receipt_present",
              "The receipt " + f.id + " was recorded as purged but is still stored.");
        }
        absent.erase(it);  // stored, elsewhere: not missing
      }
      add(logged_seq, f.id, "ledger_entry_mismatch",
          "The stored receipt " + f.id + " no longer matches its log entry " + std::to_string(logged_seq) +
              ": it was edited after it was recorded.");
    }
  }
  for (const auto& [id, a] : absent) {
    if (!a.purged) {
      add(a.seq, id, "ledger_receipt_missing",
          "The receipt " + id + " (log entry " + std::to_string(a.seq) +
              ") was deleted without a purge or erasure entry.");
    }
  }
  for (const std::vector<Found>& found : unlogged_found) {
    for (const Found& f : found) {
      add(f.seq, f.id, "ledger_unlogged_record",
          "The compact record of receipt " + f.id +
              " has no entry in the log stating it: it was inserted or moved behind the ledger's back.");
    }
  }
  for (const std::vector<Found>& found : without_found) {
    for (const Found& f : found) {
      add(walk.take_missing_record(f.id, f.seq), f.id, "ledger_record_missing",
          "The compact record of receipt " + f.id + " was deleted.");
    }
  }
  for (auto* found : {&publications_found, &transfers_found}) {
    for (ChainProblem& p : *found) walk.report.problems.push_back(std::move(p));
  }
  walk.add_rows_check_problems();  // before what follows from the rows: the holdings
  for (std::vector<ChainProblem>& found : holdings_found) {
    for (ChainProblem& p : found) walk.report.problems.push_back(std::move(p));
  }
  walk.report.receipts = receipts;
  return walk.finish();
}

// verify_records: the log joined with the compact records only (no
// receipts, no JWS, no payload parse). Per entry: the hash chain; for an
// entry that states a record, the record rebuilds it (its SHA-256 is the
// entry's recordSha256), then `visit`; a record missing must be named by a
// later purge entry; a purge entry must not name a record still stored.
// In blocks on options.jobs threads (run_blocks); `visit` runs on this
// thread, in log order. From a signed head (options.after_seq): the records
// of entries up to it are visited as stored, the entries after it checked.
Result<ChainReport> SqliteStore::verify_records_locked(const std::function<void(const ReceiptRecord&)>& visit,
                                                       const ChainCheckOptions& options) {
  std::int64_t v2_before = 0;
  if (!migration_seq(v2_before)) return io_problem("read log", db_);
  LogWalk walk(db_);
  if (!walk.ok()) return io_problem("read log", db_);
  std::int64_t first = 0, last = 0;
  if (!log_bounds(db_, first, last)) return io_problem("read log", db_);
  const std::int64_t after = options.after_seq;
  if (after > 0) {
    // The head must still be the log's: the same check as check_against_head, in this snapshot.
    walk.report.after_seq = after;
    Stmt at(db_, "SELECT hash FROM log WHERE seq = ?1");
    if (!at.ok()) return io_problem("read log", db_);
    at.bind(1, after);
    const int rc = at.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return io_problem("read log", db_);
    if (rc == SQLITE_DONE && last < after) {
      walk.add(after, "", "ledger_truncated",
               "The log ends at entry " + std::to_string(last) + ", but the signed chain head it starts from covers " +
                   std::to_string(after) + " entries: entries were cut off (or the log was rolled back).");
    } else if (rc == SQLITE_DONE || at.view(0) != options.after_hash) {
      walk.add(after, "", "ledger_head_mismatch",
               "Log entry " + std::to_string(after) +
                   " no longer hashes to what the signed chain head it starts from states: the log up to it was "
                   "rewritten.");
    }
    if (!walk.report.problems.empty()) return walk.finish();
    walk.report.head = options.after_hash;  // when no entry follows it
  }
  const std::string sql = std::string("SELECT l.seq, l.kind, IFNULL(l.receipt_id, ''), l.entry, l.hash, ") +
                          kRecordColumns +
                          " FROM log l LEFT JOIN records c ON c.entry_seq = l.seq WHERE l.seq BETWEEN ?1 AND ?2 "
                          "ORDER BY l.seq";
  const std::string trusted_sql = std::string("SELECT ") + kRecordColumns +
                                  " FROM records c WHERE c.entry_seq BETWEEN ?1 AND ?2 ORDER BY c.entry_seq";
  constexpr int kRecordAt = 5;
  auto walk_block = [&](sqlite3* db, std::int64_t from, std::int64_t to, Block& out) {
    if (to <= after) {
      // Vouched for by the signed head: its records as stored.
      Stmt records(db, trusted_sql.c_str());
      if (!records.ok()) {
        out.failed = io_problem("read records", db);
        return;
      }
      records.bind(1, from).bind(2, to);
      int rc = SQLITE_OK;
      while ((rc = records.step()) == SQLITE_ROW) read_record(records, 0, out.next_record());
      out.receipts = static_cast<std::int64_t>(out.used);
      if (rc != SQLITE_DONE) out.failed = io_problem("read records", db);
      return;
    }
    BlockWalk block(v2_before, out);
    Stmt log(db, sql.c_str());
    if (!log.ok() || !block.start(db, from)) {
      out.failed = io_problem("read log", db);
      return;
    }
    log.bind(1, from).bind(2, to);
    int rc = SQLITE_OK;
    while ((rc = log.step()) == SQLITE_ROW) {
      const auto [seq, kind, id, entry, hash] = BlockWalk::row_of(log);
      block.chain(seq, id, entry, hash);
      const bool has_record = !log.is_null(kRecordAt);
      if (block.states_record(kind, seq)) {
        ReceiptRecord* record = nullptr;
        if (has_record) read_record(log, kRecordAt, *(record = &out.next_record()));
        if (block.check_stated_record(seq, kind, id, entry, hash, record)) {
          ++out.receipts;
        } else if (record != nullptr) {
          --out.used;  // not visited; its storage is reused
        }
        continue;
      }
      if (has_record) {
        block.add(seq, log.text(kRecordAt + 2), "ledger_unlogged_record",
                  "A compact record sits on log entry " + std::to_string(seq) +
                      ", which states none: it was inserted behind the ledger's back.");
      }
      if (kind == "receipt") continue;  // logged before schema 3: a 'record' entry states its record
      const std::optional<Json> parsed = block.parse_entry(seq, kind, id, entry);
      if (parsed && kind == "publication" && !check_publication(db, block, seq, entry)) {
        out.failed = io_problem("read publications", db);
        return;
      }
      if (parsed && (kind == "transfer" || kind == "notice-ack")) block.check_rows_later(seq, *parsed);
      if (!parsed || (kind != "purge" && kind != "erasure")) continue;
      const Json removed = parsed->value("removed", Json::array());
      for (const Json& r : removed.is_array() ? removed : Json::array()) {
        block.later([rid = string_at(r, {"receiptId"}), entry_hash = string_at(r, {"entryHash"}),
                     record_hash = string_at(r, {"recordEntryHash"})](LogWalk& whole) {
          return whole.purge_record(rid, entry_hash, record_hash, false);
        });
      }
    }
    if (rc != SQLITE_DONE) out.failed = io_problem("read log", db);
  };
  std::vector<std::pair<std::int64_t, std::int64_t>> blocks;
  if (after > 0) blocks = blocks_of(first, std::min(after, last));
  for (const auto& b : blocks_of(std::max(first, after + 1), last)) blocks.push_back(b);
  const bool checked_any = last > after;
  auto merge = [&](Block& block) {
    if (!walk.merge(block)) return false;
    for (std::size_t i = 0; i < block.used; ++i) visit(block.records[i]);
    return true;
  };
  // The merge hands every record to `visit` (the export's index insert): this
  // thread is busy too, so one checking thread fewer than --jobs.
  if (auto failed = run_blocks(db_, blocks, resolve_jobs(options.jobs) - 1, walk_block, merge)) return *failed;
  std::vector<ChainProblem> publications_found, transfers_found;
  std::vector<std::function<bool(sqlite3*)>> tasks;
  walk.add_rows_check_tasks(tasks);
  tasks.emplace_back([&](sqlite3* db) { return check_unlogged_publications(db, publications_found); });
  tasks.emplace_back([&](sqlite3* db) { return check_unlogged_transfers(db, transfers_found); });
  if (!run_scans(db_, resolve_jobs(options.jobs), tasks)) return io_problem("read publications and transfers", db_);
  walk.add_rows_check_problems();
  for (auto* found : {&publications_found, &transfers_found}) {
    for (ChainProblem& p : *found) walk.report.problems.push_back(std::move(p));
  }
  const std::string head = walk.report.head;
  ChainReport report = walk.finish();
  if (!checked_any && after > 0) report.head = head;
  return report;
}

// The payload column must be exactly the JWS payload (base64url-decoded)
// and hash to the digest the log entry records.
bool SqliteStore::payload_matches(std::string_view jws, std::string_view payload, std::string_view payload_sha256,
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

}  // namespace cachet::ledger::sqlite
