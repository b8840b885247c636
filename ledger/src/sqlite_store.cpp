// SQLite backend of the consent ledger (store.h): the store itself (appends,
// reads, purges, secrets, events). Its schema and migrations live in
// sqlite_schema.cpp, the chain verification in sqlite_verify.cpp. Layout and
// the hash chain are documented in docs/server.md; these files are the reference.
#include "sqlite_store.h"

#include <algorithm>
#include <utility>

#include "backend_rules.h"
#include "cachet/calendar.h"
#include "cachet/canonical_json.h"
#include "cachet/ledger/digest.h"
#include "records.h"

namespace cachet::ledger {
namespace sqlite {
namespace {

// Columns read for a StoredReceipt, in this order.
constexpr const char* kReceiptColumns =
    "r.seq, r.receipt_id, r.jws, r.payload_sha256, r.verification, r.countersigner_kid, r.received_at, "
    "r.issued_at, r.collection_method, r.chain_root, IFNULL(r.supersedes, ''), "
    "IFNULL((SELECT s.receipt_id FROM receipts s WHERE s.supersedes = r.receipt_id), ''), "
    "r.retention_months, IFNULL((SELECT l.hash FROM log l WHERE l.seq = r.seq), ''), r.payload, "
    // For the read check (tampered): the receipt's own log entry, and the
    // hash of the entry before it (NULL for the first).
    "IFNULL((SELECT l.entry FROM log l WHERE l.seq = r.seq AND l.kind = 'receipt' AND l.receipt_id = r.receipt_id), "
    "''), (SELECT p.hash FROM log p WHERE p.seq = r.seq - 1)";
// The receipt entry naming ?1 as the receipt it supersedes (log_supersedes index).
constexpr const char* kSuccessorSql =
    "SELECT seq, IFNULL(receipt_id, '') FROM log WHERE kind = 'receipt' AND "
    "(CASE WHEN json_valid(entry) THEN json_extract(entry, '$.supersedes') END) = ?1 LIMIT 1";
constexpr int kEntryColumn = 15;
constexpr int kPrevHashColumn = 16;

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
  const auto at = calendar::parse_rfc3339(received_at);
  if (!at || months <= 0) return "";
  return calendar::format_rfc3339(calendar::add_months(*at, months));
}

std::string retention_until(const StoredReceipt& latest) {
  return retention_until(latest.received_at, latest.retention_months);
}

}  // namespace

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
  for (const std::string* text : {&r.jws_sha256, &r.payload_sha256, &r.verification}) {
    st.bind(i++, std::string_view(*text));
  }
  st.bind(i++, static_cast<std::int64_t>(r.verified ? 1 : 0));
  for (const ReceiptRecord::ChannelState* c : {&r.postal, &r.phone, &r.email, &r.sms}) {
    st.bind(i++, std::string_view(c->decision));
    st.bind(i++, std::string_view(c->basis));
  }
  for (const std::string* text :
       {&r.salt, &r.digests.email, &r.digests.phone, &r.digests.mobile, &r.digests.postal, &r.partner_ids}) {
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

Result<AppendOutcome> SqliteStore::append(const NewReceipt& in) {
  if (in.receipt_id.empty()) {
    return Problem{"ledger_bad_receipt", "/receiptId", "The receipt has no receiptId."};
  }
  if (group_commit_max_ <= 1) return append_alone(in);
  // Group commit, leader and followers: the append that finds no batch
  // committing takes every waiting append (its own among them, oldest
  // first) and commits them as one batch; the others wait, and the first to
  // wake with its append still pending commits the next batch. No timer:
  // a batch is whatever arrived while the previous one was committing.
  PendingAppend me;
  me.in = &in;
  std::unique_lock<std::mutex> lock(queue_mutex_);
  queue_.push_back(&me);
  while (!me.done) {
    if (committing_) {
      queue_cv_.wait(lock);
      continue;
    }
    committing_ = true;
    std::vector<PendingAppend*> batch;
    while (!queue_.empty() && batch.size() < group_commit_max_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    batch_connection().commit_batch(batch);
    lock.lock();
    for (PendingAppend* item : batch) item->done = true;
    committing_ = false;
    queue_cv_.notify_all();
  }
  return std::move(*me.result);
}

Result<AppendOutcome> SqliteStore::append_alone(const NewReceipt& in) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(cache_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return io_problem("begin", db_);
  Result<AppendOutcome> result = append_locked(in);
  if (!result.ok() || result.value().status == AppendStatus::kDuplicate) return result;  // rolled back
  if (!tx.commit()) {
    const Problem p = io_problem("commit", db_);
    exec("ROLLBACK");
    return p;
  }
  return result;
}

void SqliteStore::commit_batch(const std::vector<PendingAppend*>& batch) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto fail_all = [&batch](const Problem& problem) {
    for (PendingAppend* item : batch) item->result = Result<AppendOutcome>(problem);
  };
  Transaction tx(cache_, "BEGIN IMMEDIATE");
  if (!tx.ok()) {
    fail_all(io_problem("begin", db_));
    return;
  }
  for (PendingAppend* item : batch) {
    if (!sqlite::exec(cache_, "SAVEPOINT receipt")) {
      fail_all(io_problem("savepoint", db_));
      return;
    }
    Result<AppendOutcome> one = append_locked(*item->in);
    if (sqlite3_get_autocommit(db_) != 0) {
      // SQLite ended the transaction itself (SQLITE_FULL, SQLITE_IOERR ...):
      // the receipts before this one are gone with it.
      fail_all(one.ok() ? io_problem("append receipt", db_) : one.problems().front());
      return;
    }
    if (!one.ok() && !sqlite::exec(cache_, "ROLLBACK TO receipt")) {
      fail_all(io_problem("roll back a refused receipt", db_));
      return;
    }
    if (!sqlite::exec(cache_, "RELEASE receipt")) {
      fail_all(io_problem("release savepoint", db_));
      return;
    }
    item->result = std::move(one);
  }
  if (!tx.commit()) {
    // Nothing of the batch is stored: every receipt that was not refused on
    // its own fails (a duplicate too: what it matched may be in this batch).
    const Problem p = io_problem("commit", db_);
    exec("ROLLBACK");
    for (PendingAppend* item : batch) {
      if (item->result->ok()) item->result = Result<AppendOutcome>(p);
    }
  }
}

void SqliteStore::set_group_commit(std::size_t max_batch, std::unique_ptr<SqliteStore> writer) {
  group_commit_max_ = max_batch;
  batch_writer_ = std::move(writer);
}

Problems SqliteStore::init_batch_writer() {
  Problems problems = configure_connection();
  if (problems.empty() && !exec("PRAGMA foreign_keys=ON")) {
    problems.push_back(io_problem("PRAGMA foreign_keys=ON", db_));
  }
  return problems;
}

Result<std::optional<StoredReceipt>> SqliteStore::find(std::string_view receipt_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  RowCheck check;
  if (!start_check(check)) return io_problem("read log", db_);
  auto found = find_locked(receipt_id, &check);
  if (check.problem) return *check.problem;
  return found;
}

Result<PersonState> SqliteStore::state_of(std::string_view receipt_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  RowCheck check;
  if (!start_check(check)) return io_problem("read log", db_);
  auto found = find_locked(receipt_id);
  if (!found.ok()) return found.problems();
  if (!found.value()) {
    return Problem{"ledger_unknown_receipt", "", "No stored receipt has the id " + std::string(receipt_id) + "."};
  }
  // Every receipt of the person is checked: the core folds them all.
  auto person = person_locked(found.value()->chain_root, &check);
  if (check.problem) return *check.problem;
  if (!person.ok()) return person;
  Stmt successor(cache_, kSuccessorSql);
  if (!successor.ok()) return io_problem("read log", db_);
  std::optional<Problem> problem = broken_history(person.value().history, person.value().chain_root);
  if (!problem) problem = unsuperseded(successor, person.value().latest);
  if (problem) return *problem;
  return person;
}

std::optional<Problem> SqliteStore::unsuperseded(Stmt& successor, const StoredReceipt& latest) {
  successor.reset();
  successor.bind(1, latest.receipt_id);
  const int rc = successor.step();
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return Problem{"ledger_io", "", "The ledger's log could not be read."};
  return tampered_problem(latest.receipt_id, latest.seq,
                          "was superseded by receipt " + successor.text(1) + " (log entry #" +
                              std::to_string(successor.int64(0)) + "), which is no longer stored as such");
}

std::optional<Problem> SqliteStore::tampered(const Stmt& row, std::int64_t v2_before, Sha256Hasher& sha) {
  const std::int64_t seq = row.int64(0);
  const std::string_view id = row.view(1);
  const std::string_view jws = row.view(2);
  const std::string_view entry = row.view(kEntryColumn);
  const std::string_view hash = row.view(13);
  auto problem = [&](const std::string& what) { return tampered_problem(id, seq, what); };
  if (entry.empty()) return problem("has no log entry of its own");
  const ReceiptRecord derived =
      derive_record(id, sha.hex(jws), row.view(14), row.view(3), row.view(4), row.view(5), row.view(6), row.view(7),
                    row.view(9), row.view(10), row.view(8), row.int64(12));
  // Receipts logged before the schema-3 migration entry have the older form.
  if (receipt_entry_of(derived, seq, v2_before == 0 || seq > v2_before, sha) != entry) {
    return problem("no longer matches its log entry");
  }
  if (seq > 1 && row.is_null(kPrevHashColumn)) return problem("follows a missing log entry");
  if (!links_onto(row.is_null(kPrevHashColumn) ? std::string_view() : row.view(kPrevHashColumn), entry, hash, sha)) {
    return problem("has a log entry that does not hash onto the entry before it");
  }
  if (!payload_matches(jws, row.view(14), row.view(3), sha)) return problem("does not carry its JWS's payload");
  return std::nullopt;
}

Problems SqliteStore::for_each_person(const std::function<bool(const PersonState&)>& visit, bool with_history) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string sql = std::string("SELECT ") + kReceiptColumns +
                          " FROM receipts r JOIN receipts root ON root.receipt_id = r.chain_root"
                          " WHERE NOT EXISTS (SELECT 1 FROM receipts s WHERE s.supersedes = r.receipt_id)"
                          " ORDER BY root.seq";
  Stmt st(cache_, sql.c_str());
  Stmt successor(cache_, kSuccessorSql);
  RowCheck check;
  if (!st.ok() || !successor.ok() || !start_check(check)) return {io_problem("list people", db_)};
  int rc = SQLITE_OK;
  while ((rc = st.step()) == SQLITE_ROW) {
    // Each state handed out is checked first (hashing and one index lookup:
    // it streams).
    check.on(st);
    if (check.problem) return {*check.problem};
    PersonState person;
    person.latest = read_receipt(st);
    person.chain_root = person.latest.chain_root;
    person.retention_until = retention_until(person.latest);
    if (std::optional<Problem> problem = unsuperseded(successor, person.latest)) return {*problem};
    if (with_history) {
      auto history = history_locked(person.chain_root, &check);
      if (!history.ok()) return history.problems();
      if (check.problem) return {*check.problem};
      person.history = std::move(history).value();
      if (std::optional<Problem> problem = broken_history(person.history, person.chain_root)) return {*problem};
    }
    if (!visit(person)) return {};
  }
  if (rc != SQLITE_DONE) return {io_problem("list people", db_)};
  return {};
}

Result<std::vector<AppendOutcome>> SqliteStore::append_many(const std::vector<NewReceipt>& receipts) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return io_problem("begin", db_);
  std::vector<AppendOutcome> out;
  out.reserve(receipts.size());
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    Result<AppendOutcome> one =
        receipts[i].receipt_id.empty()
            ? Result<AppendOutcome>(Problem{"ledger_bad_receipt", "/receiptId", "The receipt has no receiptId."})
            : append_locked(receipts[i]);
    if (!one.ok()) {
      tx.rollback();
      Problems problems = one.problems();
      for (Problem& p : problems) p.path = "/" + std::to_string(i) + p.path;
      return problems;
    }
    out.push_back(std::move(one).value());
  }
  if (!tx.commit()) {
    const Problem p = io_problem("commit", db_);
    exec("ROLLBACK");
    return p;
  }
  return out;
}

Result<ChainReport> SqliteStore::verify_chain() { return verify_chain_with(ChainCheckOptions()); }

Result<ChainReport> SqliteStore::verify_chain_with(const ChainCheckOptions& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  // One read transaction: a consistent snapshot while appends go on (the
  // connections of the other threads check they read the same one).
  Transaction tx(db_, "BEGIN");
  if (!tx.ok()) return io_problem("begin", db_);
  Result<ChainReport> report = verify_locked(options);
  tx.commit();
  return report;
}

Result<ChainReport> SqliteStore::verify_records(const std::function<void(const ReceiptRecord&)>& visit) {
  return verify_records_with(visit, ChainCheckOptions());
}

Result<ChainReport> SqliteStore::verify_records_with(const std::function<void(const ReceiptRecord&)>& visit,
                                                     const ChainCheckOptions& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  // One read transaction: the chain check and the records the export
  // indexes come from the same snapshot while appends go on.
  Transaction tx(db_, "BEGIN");
  if (!tx.ok()) return io_problem("begin", db_);
  Result<ChainReport> report = verify_records_locked(visit, options);
  tx.commit();
  return report;
}

Result<std::string> SqliteStore::secret(std::string_view name) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string fresh = random_bytes(32);
  if (fresh.size() != 32) return Problem{"ledger_io", "", "No random bytes available for a server secret."};
  Stmt insert(cache_, "INSERT OR IGNORE INTO secrets(name, value) VALUES (?1, ?2)");
  insert.bind(1, name).bind_blob(2, fresh);
  if (insert.step() != SQLITE_DONE) return io_problem("store secret", db_);
  Stmt select(cache_, "SELECT value FROM secrets WHERE name = ?1");
  select.bind(1, name);
  if (select.step() != SQLITE_ROW) return io_problem("read secret", db_);
  return select.blob(0);
}

Result<std::int64_t> SqliteStore::record_event(std::string_view type, const Json& details) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (type.empty() || type == "receipt" || type == "purge") {
    return Problem{"ledger_bad_event", "/type", "An event needs a type of its own (e.g. \"export\")."};
  }
  Json entry = Json::object();
  entry["kind"] = "event";
  entry["type"] = std::string(type);
  entry["at"] = calendar::format_rfc3339(calendar::now_unix());
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
  Stmt log(cache_, "INSERT INTO log(seq, kind, receipt_id, entry, hash) VALUES (?1, 'event', NULL, ?2, ?3)");
  log.bind(1, seq).bind(2, text.value()).bind(3, chain_hash(prev, text.value()));
  if (log.step() != SQLITE_DONE || !exec("COMMIT")) {
    const Problem p = io_problem("append event", db_);
    exec("ROLLBACK");
    return p;
  }
  return seq;
}

Result<bool> SqliteStore::challenge_used(std::string_view challenge) {
  std::lock_guard<std::mutex> lock(mutex_);
  Stmt st(cache_, "SELECT 1 FROM used_challenges WHERE challenge = ?1");
  st.bind(1, challenge);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return io_problem("read challenge", db_);
}

Result<LogTip> SqliteStore::tip() {
  std::lock_guard<std::mutex> lock(mutex_);
  LogTip out;
  std::int64_t next = 0;
  if (!log_head(next, out.hash)) return io_problem("read log head", db_);
  out.seq = next - 1;
  return out;
}

Result<std::optional<std::string>> SqliteStore::entry_hash(std::int64_t seq) {
  std::lock_guard<std::mutex> lock(mutex_);
  Stmt st(cache_, "SELECT hash FROM log WHERE seq = ?1");
  st.bind(1, seq);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(st.text(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return io_problem("read log entry", db_);
}

Result<std::optional<std::string>> SqliteStore::head_covering(std::int64_t seq) {
  std::lock_guard<std::mutex> lock(mutex_);
  Stmt st(cache_, "SELECT jws FROM chain_heads WHERE seq >= ?1 ORDER BY seq, id LIMIT 1");
  st.bind(1, seq);
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(st.text(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return io_problem("read chain heads", db_);
}

Problems SqliteStore::read_log(std::int64_t from, std::int64_t to,
                               const std::function<void(std::int64_t, std::string_view, std::string_view)>& visit) {
  std::lock_guard<std::mutex> lock(mutex_);
  Stmt st(cache_, "SELECT seq, entry, hash FROM log WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq");
  st.bind(1, from).bind(2, to);
  std::int64_t expected = from;
  int rc = SQLITE_ROW;
  while ((rc = st.step()) == SQLITE_ROW) {
    const std::int64_t seq = st.int64(0);
    if (seq != expected) break;  // a gap: the log lost an entry
    visit(seq, st.view(1), st.view(2));
    ++expected;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return {io_problem("read the log", db_)};
  if (expected != to + 1) {
    return {Problem{
        "ledger_tampered", "/log/" + std::to_string(expected),
        "Log entry " + std::to_string(expected) + " is missing; run `cachet ledger verify` to see what was altered."}};
  }
  return {};
}

Problems SqliteStore::store_head(std::int64_t seq, std::string_view hash, std::string_view signed_at,
                                 std::string_view kid, std::string_view jws) {
  std::lock_guard<std::mutex> lock(mutex_);
  Stmt st(cache_, "INSERT INTO chain_heads(seq, hash, signed_at, kid, jws) VALUES (?1, ?2, ?3, ?4, ?5)");
  st.bind(1, seq).bind(2, hash).bind(3, signed_at).bind(4, kid).bind(5, jws);
  if (st.step() != SQLITE_DONE) return {io_problem("store chain head", db_)};
  return {};
}

Result<std::optional<std::string>> SqliteStore::latest_head() {
  std::lock_guard<std::mutex> lock(mutex_);
  Stmt st(cache_, "SELECT jws FROM chain_heads ORDER BY seq DESC, id DESC LIMIT 1");
  const int rc = st.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(st.text(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return io_problem("read chain heads", db_);
}

// The next sequence number and the hash to chain to (empty before the first entry).
bool SqliteStore::log_head(std::int64_t& next_seq, std::string& prev_hash) {
  Stmt last(cache_, "SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1");
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

Result<std::optional<StoredReceipt>> SqliteStore::find_locked(std::string_view receipt_id, RowCheck* check) {
  static const std::string sql = std::string("SELECT ") + kReceiptColumns + " FROM receipts r WHERE r.receipt_id = ?1";
  Stmt st(cache_, sql.c_str());
  st.bind(1, receipt_id);
  const int rc = st.step();
  if (rc == SQLITE_ROW && check != nullptr) check->on(st);
  if (rc == SQLITE_ROW) return std::optional<StoredReceipt>(read_receipt(st));
  if (rc == SQLITE_DONE) return std::optional<StoredReceipt>();
  return io_problem("find receipt", db_);
}

Result<std::vector<StoredReceipt>> SqliteStore::history_locked(const std::string& chain_root, RowCheck* check) {
  static const std::string sql =
      std::string("SELECT ") + kReceiptColumns + " FROM receipts r WHERE r.chain_root = ?1 ORDER BY r.seq";
  Stmt st(cache_, sql.c_str());
  st.bind(1, chain_root);
  std::vector<StoredReceipt> out;
  int rc = SQLITE_OK;
  while ((rc = st.step()) == SQLITE_ROW) {
    if (check != nullptr) check->on(st);
    out.push_back(read_receipt(st));
  }
  if (rc != SQLITE_DONE) return io_problem("read chain", db_);
  return out;
}

Result<PersonState> SqliteStore::person_locked(const std::string& chain_root, RowCheck* check) {
  auto history = history_locked(chain_root, check);
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

// The append steps on this connection (backend_rules.h), inside the
// caller's transaction or savepoint.
class SqliteStore::Appender final : public AppendSteps {
 public:
  explicit Appender(SqliteStore& store) : store_(store) {}

  Result<std::optional<StoredReceipt>> find(const std::string& receipt_id) override {
    return store_.find_locked(receipt_id);
  }

  Result<bool> id_was_logged(const std::string& receipt_id) override {
    Stmt st(store_.cache_, "SELECT 1 FROM log WHERE receipt_id = ?1");
    st.bind(1, receipt_id);
    const int rc = st.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return io_problem("check receipt id", store_.db_);
    return rc == SQLITE_ROW;
  }

  Result<bool> use_challenge(const std::string& challenge, const std::string& receipt_id) override {
    Stmt st(store_.cache_, "INSERT INTO used_challenges(challenge, receipt_id) VALUES (?1, ?2)");
    st.bind(1, challenge).bind(2, receipt_id);
    const int rc = st.step();
    if (rc == SQLITE_CONSTRAINT) return false;
    if (rc != SQLITE_DONE) return io_problem("consume challenge", store_.db_);
    return true;
  }

  Problems log_head(std::int64_t& next_seq, std::string& prev_hash) override {
    Stmt last(store_.cache_, "SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1");
    const int rc = last.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return {io_problem("read log head", store_.db_)};
    next_seq = rc == SQLITE_ROW ? last.int64(0) + 1 : 1;
    prev_hash = rc == SQLITE_ROW ? last.text(1) : std::string();
    return {};
  }

  Problems write(const NewReceipt& in, const ReceiptRecord& record, const std::string& entry,
                 const std::string& hash) override {
    sqlite3* db = store_.db_;
    Stmt log(store_.cache_, "INSERT INTO log(seq, kind, receipt_id, entry, hash) VALUES (?1, 'receipt', ?2, ?3, ?4)");
    log.bind(1, record.entry_seq).bind(2, in.receipt_id).bind(3, entry).bind(4, hash);
    if (log.step() != SQLITE_DONE) return {io_problem("append log entry", db)};
    Stmt ins(store_.cache_,
             "INSERT INTO receipts(receipt_id, seq, jws, payload, payload_sha256, verification, countersigner_kid, "
             "received_at, issued_at, collection_method, chain_root, supersedes, retention_months) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    ins.bind(1, in.receipt_id)
        .bind(2, record.entry_seq)
        .bind(3, in.jws)
        .bind(4, in.payload)
        .bind(5, in.payload_sha256)
        .bind(6, in.verification)
        .bind(7, in.countersigner_kid)
        .bind(8, record.received_at)
        .bind(9, in.issued_at)
        .bind(10, in.collection_method)
        .bind(11, record.chain_root)
        .bind_null_if_empty(12, in.supersedes)
        .bind(13, static_cast<std::int64_t>(in.retention_months));
    const int irc = ins.step();
    if (irc == SQLITE_CONSTRAINT && !in.supersedes.empty()) return {already_superseded(in.supersedes)};
    if (irc != SQLITE_DONE) return {io_problem("append receipt", db)};
    Stmt rec(store_.cache_, kInsertRecordSql);
    if (insert_record(rec, record) != SQLITE_DONE) return {io_problem("append record", db)};
    return {};
  }

 private:
  SqliteStore& store_;
};

Result<AppendOutcome> SqliteStore::append_locked(const NewReceipt& in) {
  Appender steps(*this);
  return append_receipt(steps, in);
}

// The removal steps (backend_rules.h) on this connection, inside the
// transaction purge() or erase() holds.
class SqliteStore::Remover final : public RemovalSteps {
 public:
  explicit Remover(SqliteStore& store) : store_(store) {}

  Problems log_head(std::int64_t& next_seq, std::string& prev_hash) override {
    if (!store_.log_head(next_seq, prev_hash)) return {io_problem("read log head", store_.db_)};
    return {};
  }

  Problems insert_log(std::int64_t seq, const char* kind, const std::string& text, const std::string& hash) override {
    Stmt log(store_.cache_, "INSERT INTO log(seq, kind, receipt_id, entry, hash) VALUES (?1, ?2, NULL, ?3, ?4)");
    log.bind(1, seq).bind(2, std::string_view(kind)).bind(3, text).bind(4, hash);
    if (log.step() != SQLITE_DONE) return {io_problem(std::string("append ") + kind + " entry", store_.db_)};
    return {};
  }

  Problems latest_receipts(std::vector<LatestReceipt>& out) override {
    Stmt latest(store_.cache_,
                "SELECT r.chain_root, r.received_at, r.retention_months FROM receipts r "
                "WHERE NOT EXISTS (SELECT 1 FROM receipts s WHERE s.supersedes = r.receipt_id) ORDER BY r.seq");
    if (!latest.ok()) return {io_problem("list people", store_.db_)};
    int rc = SQLITE_OK;
    while ((rc = latest.step()) == SQLITE_ROW) out.push_back({latest.text(0), latest.text(1), latest.int64(2)});
    if (rc != SQLITE_DONE) return {io_problem("list people", store_.db_)};
    return {};
  }

  Result<std::optional<std::string>> chain_root_of(std::string_view receipt_id) override {
    Stmt root(store_.cache_, "SELECT chain_root FROM receipts WHERE receipt_id = ?1");
    root.bind(1, receipt_id);
    const int rc = root.step();
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return io_problem("read receipt", store_.db_);
    return std::optional<std::string>(root.text(0));
  }

  Problems remove_person(const std::string& root, std::vector<RemovedReceipt>& removed) override {
    sqlite3* db = store_.db_;
    // A receipt stored before schema 3 has its record stated by a separate
    // 'record' entry: the removal names that entry's hash too.
    Stmt chain(store_.cache_,
               "SELECT r.receipt_id, l.hash, lc.hash FROM receipts r JOIN log l ON l.seq = r.seq "
               "LEFT JOIN records c ON c.receipt_seq = r.seq LEFT JOIN log lc ON lc.seq = c.entry_seq "
               "AND c.entry_seq <> r.seq WHERE r.chain_root = ?1 ORDER BY r.seq");
    chain.bind(1, root);
    int rc = SQLITE_OK;
    while ((rc = chain.step()) == SQLITE_ROW) {
      RemovedReceipt r{chain.text(0), chain.text(1), std::nullopt};
      if (!chain.is_null(2)) r.record_entry_hash = chain.text(2);
      removed.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return {io_problem("read chain", db)};
    Stmt del_challenges(store_.cache_,
                        "DELETE FROM used_challenges WHERE receipt_id IN "
                        "(SELECT receipt_id FROM receipts WHERE chain_root = ?1)");
    del_challenges.bind(1, root);
    if (del_challenges.step() != SQLITE_DONE) return {io_problem("delete challenges", db)};
    Stmt del_records(store_.cache_,
                     "DELETE FROM records WHERE receipt_seq IN (SELECT seq FROM receipts WHERE chain_root = ?1)");
    del_records.bind(1, root);
    if (del_records.step() != SQLITE_DONE) return {io_problem("delete records", db)};
    Stmt del(store_.cache_, "DELETE FROM receipts WHERE chain_root = ?1");
    del.bind(1, root);
    if (del.step() != SQLITE_DONE) return {io_problem("delete receipts", db)};
    return {};
  }

 private:
  SqliteStore& store_;
};

Result<PurgeReport> SqliteStore::purge(std::int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  Transaction tx(db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return io_problem("begin", db_);
  Remover steps(*this);
  Result<PurgeReport> report = purge_expired(steps, now);
  if (!report.ok() || report.value().removed.empty()) return report;  // rolled back
  if (!tx.commit()) {
    const Problem p = io_problem("commit", db_);
    exec("ROLLBACK");
    return p;
  }
  // Move the purge out of the WAL into the main file, so removed bytes do
  // not linger in the log file either.
  exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return report;
}

Result<ErasureReport> SqliteStore::erase(std::string_view receipt_id, std::string_view requested_at, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (std::optional<Problem> bad = bad_erasure_request(requested_at)) return *bad;
  Transaction tx(db_, "BEGIN IMMEDIATE");
  if (!tx.ok()) return io_problem("begin", db_);
  Remover steps(*this);
  Result<ErasureReport> report = erase_person(steps, receipt_id, requested_at, now);
  if (!report.ok()) return report;  // rolled back
  if (!tx.commit()) {
    const Problem p = io_problem("commit", db_);
    exec("ROLLBACK");
    return p;
  }
  // As for a purge: the erased bytes leave the WAL file too.
  exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return report;
}

// --- published config versions ---------------------------------------------

std::string publication_entry(std::int64_t seq, const PublishedVersion& version) {
  Json notices = Json::object();
  for (const auto& [locale, digest] : version.notice_sha256) notices[locale] = digest;
  Json entry = {{"kind", "publication"},
                {"seq", seq},
                {"at", version.first_served_at},
                {"digest", version.digest},
                {"configVersion", version.config_version},
                {"noticeSha256", std::move(notices)},
                {"partnerListSha256", version.partner_list_sha256}};
  Result<std::string> text = canonicalize(entry);
  return text.ok() ? std::move(text).value() : std::string();
}

Result<PublishedVersion> SqliteStore::publish(const PublishedVersion& version, std::string_view at) {
  std::lock_guard<std::mutex> lock(mutex_);
  Result<std::string> notices_text = publication_notices(version, at);
  if (!notices_text.ok()) return notices_text.problems();
  if (!exec("BEGIN IMMEDIATE")) return io_problem("begin", db_);
  auto fail = [this](const char* what) {
    Problem p = io_problem(what, db_);
    exec("ROLLBACK");
    return p;
  };
  {
    // Idempotent: a version is published once, when first served.
    Stmt known(cache_, "SELECT 1 FROM publications WHERE digest = ?1");
    known.bind(1, version.digest);
    const int rc = known.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail("read publications");
    if (rc == SQLITE_ROW) {
      exec("ROLLBACK");
      auto stored = published_locked("p.digest = ?1", version.digest);
      if (!stored.ok()) return stored.problems();
      if (stored.value().empty()) return io_problem("read publications", db_);
      return stored.value().front();
    }
  }
  std::int64_t seq = 0;
  std::string prev;
  if (!log_head(seq, prev)) return fail("read log head");
  PublishedVersion out = version;
  out.first_served_at = std::string(at);
  out.seq = seq;
  out.accepted_until.reset();
  const std::string entry = publication_entry(seq, out);
  Stmt log(cache_, "INSERT INTO log(seq, kind, receipt_id, entry, hash) VALUES (?1, 'publication', NULL, ?2, ?3)");
  log.bind(1, seq).bind(2, entry).bind(3, chain_hash(prev, entry));
  if (entry.empty() || log.step() != SQLITE_DONE) return fail("append publication entry");
  Stmt row(cache_,
           "INSERT INTO publications(digest, seq, config_version, canonical_config, notices, partner_list, "
           "first_served_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  row.bind(1, out.digest).bind(2, seq).bind(3, out.config_version).bind(4, out.canonical_config);
  row.bind(5, notices_text.value()).bind(6, out.partner_list).bind(7, out.first_served_at);
  if (row.step() != SQLITE_DONE) return fail("store publication");
  if (!exec("COMMIT")) return fail("commit publication");
  return out;
}

Result<std::vector<PublishedVersion>> SqliteStore::published_locked(const char* where, std::string_view arg) {
  const std::string sql =
      std::string(
          "SELECT p.seq, p.canonical_config, p.notices, p.partner_list, p.first_served_at, p.config_version FROM "
          "publications p ") +
      (where ? std::string("WHERE ") + where : std::string()) + " ORDER BY p.seq";
  Stmt st(cache_, sql.c_str());
  if (where) st.bind(1, arg);
  std::vector<PublishedVersion> out;
  int rc = SQLITE_OK;
  while ((rc = st.step()) == SQLITE_ROW) {
    std::map<std::string, std::string> notices;
    const Json parsed = Json::parse(st.view(2), nullptr, false);
    if (parsed.is_object()) {
      for (const auto& [locale, text] : parsed.items()) {
        if (text.is_string()) notices[locale] = text.get<std::string>();
      }
    }
    Result<PublishedVersion> read = stored_version(st.view(1), notices, st.view(3), *crypto_);
    PublishedVersion version;
    if (read.ok()) {
      version = std::move(read).value();
    } else {
      // A config this Cachet no longer loads (a lint rule added since): its
      // stored texts are still what was shown, but with no controller it
      // matches no receipt (check_against_published), and a server started
      // on this ledger does not fail because of it.
      version.digest = sha256_hex(st.view(1));
      version.canonical_config = st.text(1);
      version.config_version = st.text(5);
      version.controller = Json();
      version.notices = notices;
      for (const auto& [locale, text] : notices) version.notice_sha256[locale] = sha256_hex(text);
      version.partner_list = st.text(3);
      version.partner_list_sha256 = sha256_hex(version.partner_list);
    }
    version.seq = st.int64(0);
    version.first_served_at = st.text(4);
    out.push_back(std::move(version));
  }
  if (rc != SQLITE_DONE) return io_problem("read publications", db_);
  return out;
}

Result<std::vector<PublishedVersion>> SqliteStore::published_versions() {
  std::lock_guard<std::mutex> lock(mutex_);
  return published_locked(nullptr, {});
}

Result<std::optional<PublishedVersion>> SqliteStore::find_published(std::string_view digest) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = published_locked("p.digest = ?1", digest);
  if (!found.ok()) return found.problems();
  if (found.value().empty()) return std::optional<PublishedVersion>();
  return std::optional<PublishedVersion>(std::move(found.value().front()));
}

Result<std::vector<PublishedVersion>> SqliteStore::find_published_by_version(std::string_view config_version) {
  std::lock_guard<std::mutex> lock(mutex_);
  return published_locked("p.config_version = ?1", config_version);
}

}  // namespace sqlite

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

Result<ChainReport> ConsentStore::verify_chain_with(const ChainCheckOptions& /*options*/) { return verify_chain(); }

Result<ChainReport> ConsentStore::verify_records_with(const std::function<void(const ReceiptRecord&)>& visit,
                                                      const ChainCheckOptions& /*options*/) {
  return verify_records(visit);
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

Json ErasureReport::to_json() const {
  Json out = Json::object();
  out["seq"] = seq;
  out["hash"] = hash;
  out["chainRoot"] = chain_root;
  out["removed"] = removed;
  out["entry"] = Json::parse(entry, nullptr, false);
  return out;
}

Json PurgeReport::to_json() const {
  Json out = Json::object();
  out["seq"] = seq;
  out["removed"] = removed;
  return out;
}

Result<std::unique_ptr<ConsentStore>> open_sqlite_store(const std::string& path, const SqliteOptions& options) {
  // Before SQLite initialises (the process's first open; later, SQLITE_MISUSE
  // and nothing changes): no allocation statistics. They take one
  // process-wide mutex on every allocation, which the threads of a chain
  // check fought over (perf: a fifth of the CPU the second thread added).
  // The ledger sets no heap limit and reads no memory statistics.
  static const int kNoMemoryStatistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  static_cast<void>(kNoMemoryStatistics);
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
  auto store = std::make_unique<sqlite::SqliteStore>(db);
  Problems problems = store->init();
  if (problems.empty() && options.group_commit_max > 1 && path != ":memory:" && !path.empty()) {
    // The batch writer's own connection (SqliteStore::set_group_commit).
    // The file exists now and is migrated: open it, do not create it.
    sqlite3* writer_db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &writer_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      problems.push_back(sqlite::io_problem("open the batch writer's connection", writer_db));
      sqlite3_close_v2(writer_db);
    } else {
      auto writer = std::make_unique<sqlite::SqliteStore>(writer_db);
      problems = writer->init_batch_writer();
      store->set_group_commit(options.group_commit_max, std::move(writer));
    }
  } else if (problems.empty()) {
    store->set_group_commit(options.group_commit_max, nullptr);
  }
  if (!problems.empty()) {
    for (Problem& p : problems) p.message = path + ": " + p.message;
    return problems;
  }
  return std::unique_ptr<ConsentStore>(std::move(store));
}

}  // namespace cachet::ledger
