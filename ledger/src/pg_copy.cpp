// Copying a ledger between the SQLite and PostgreSQL backends, row for row
// (the two schemas have the same tables and columns, pg_store.cpp): `cachet
// ledger migrate` (open.h migrate_ledger), and the verification of a
// PostgreSQL ledger, which copies it into a temporary SQLite file and runs
// the SQLite verifier there, so that both backends are checked by the same
// code (sqlite_verify.cpp).
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cachet/ledger/open.h"
#include "pg_store.h"
#include "sqlite_statement.h"

namespace cachet::ledger::pg {
namespace {

// The ledger's tables, their columns, and the order to read them in. The
// webhook outbox comes last (`outbox`): `cachet ledger migrate` copies it,
// with every endpoint's deliveries, so that the new ledger's dispatchers
// send what the old one had not sent yet, and nothing twice; the
// verification's scratch copy leaves it out (it is not ledger content).
struct Table {
  const char* name;
  const char* columns;
  const char* order;
  bool outbox = false;
};
constexpr Table kTables[] = {
    {"log", "seq, kind, receipt_id, entry, hash", "seq"},
    {"receipts",
     "receipt_id, seq, jws, payload, payload_sha256, verification, countersigner_kid, received_at, issued_at, "
     "collection_method, chain_root, supersedes, retention_months",
     "seq"},
    {"records",
     "entry_seq, receipt_seq, receipt_id, chain_root, supersedes, collection_method, countersigner_kid, received_at, "
     "issued_at, retention_months, jws_sha256, payload_sha256, verification, verified, postal_decision, postal_basis, "
     "phone_decision, phone_basis, email_decision, email_basis, sms_decision, sms_basis, salt, digest_email, "
     "digest_phone, digest_mobile, digest_postal, partner_ids",
     "entry_seq"},
    {"used_challenges", "challenge, receipt_id", "challenge"},
    {"secrets", "name, value", "name"},
    {"publications", "digest, seq, config_version, canonical_config, notices, partner_list, first_served_at", "seq"},
    {"chain_heads", "id, seq, hash, signed_at, kid, jws", "id"},
    {"transfers", "id, seq, partner_id, reference, chain_root, channels, at, file_sha256, notice_due", "id"},
    {"notice_acks", "id, seq, line, partner_id, reference, sent_at", "id"},
    {"transfer_holdings", "partner_id, chain_root, reference, channels, notice_due", "partner_id, chain_root"},
    {"webhook_outbox", "seq, source, facts, created_at", "seq", true},
    {"webhook_endpoints", "url, added_at, disabled_at, disabled_reason", "url", true},
    {"webhook_deliveries", "seq, endpoint, state, attempts, next_attempt_ms, last_status, last_error, delivered_at",
     "seq, endpoint", true},
};

// One column value, typed as both backends can store it.
struct Value {
  enum class Kind { kNull, kInteger, kText, kBytes };
  Kind kind = Kind::kNull;
  std::string data;  // decimal text for kInteger
};
using Row = std::vector<Value>;
using RowSink = std::function<Problems(const Row&)>;

std::size_t column_count(const Table& table) {
  std::size_t n = 1;
  for (const char* c = table.columns; *c != '\0'; ++c) n += *c == ',' ? 1 : 0;
  return n;
}

std::string placeholders(std::size_t n, bool postgres) {
  std::string out;
  for (std::size_t i = 1; i <= n; ++i) {
    if (i > 1) out += ", ";
    out += postgres ? "$" + std::to_string(i) : "?" + std::to_string(i);
  }
  return out;
}

// A ledger's tables, read in one snapshot or written in one transaction.
class Tables {
 public:
  virtual ~Tables() = default;
  virtual Problems begin(bool write) = 0;
  virtual Problems scan(const Table& table, const RowSink& sink) = 0;
  virtual Problems insert(const Table& table, const Row& row) = 0;
  virtual Result<std::int64_t> count(const Table& table) = 0;
  // Empties a table of the destination: the outbox, before the source's is
  // copied in, of the events its triggers queued for the copied rows.
  virtual Problems clear(const Table& table) = 0;
  // After the rows are in: whatever the backend needs (sequences), then COMMIT.
  virtual Problems commit() = 0;
  virtual void rollback() = 0;
};

class SqliteTables final : public Tables {
 public:
  explicit SqliteTables(sqlite3* db) : db_(db) {}
  ~SqliteTables() override { sqlite3_close_v2(db_); }
  SqliteTables(const SqliteTables&) = delete;
  SqliteTables& operator=(const SqliteTables&) = delete;

  Problems begin(bool write) override {
    sqlite3_busy_timeout(db_, 5000);
    if (!sqlite::exec(db_, write ? "BEGIN IMMEDIATE" : "BEGIN")) return {sqlite::io_problem("begin", db_)};
    return {};
  }
  Problems scan(const Table& table, const RowSink& sink) override {
    const std::string sql = std::string("SELECT ") + table.columns + " FROM " + table.name + " ORDER BY " + table.order;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      sqlite3_finalize(st);
      return {sqlite::io_problem(std::string("read ") + table.name, db_)};
    }
    const int n = sqlite3_column_count(st);
    Row row(static_cast<std::size_t>(n));
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      for (int i = 0; i < n; ++i) {
        Value& v = row[static_cast<std::size_t>(i)];
        const int type = sqlite3_column_type(st, i);
        const auto* bytes = static_cast<const char*>(sqlite3_column_blob(st, i));
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(st, i));
        v.kind = type == SQLITE_NULL      ? Value::Kind::kNull
                 : type == SQLITE_INTEGER ? Value::Kind::kInteger
                 : type == SQLITE_BLOB    ? Value::Kind::kBytes
                                          : Value::Kind::kText;
        if (v.kind == Value::Kind::kInteger) {
          v.data = std::to_string(sqlite3_column_int64(st, i));
        } else if (bytes != nullptr) {
          v.data.assign(bytes, size);
        } else {
          v.data.clear();
        }
      }
      if (Problems problems = sink(row); !problems.empty()) {
        sqlite3_finalize(st);
        return problems;
      }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return {sqlite::io_problem(std::string("read ") + table.name, db_)};
    return {};
  }
  Problems insert(const Table& table, const Row& row) override {
    const std::string sql = std::string("INSERT INTO ") + table.name + "(" + table.columns + ") VALUES (" +
                            placeholders(row.size(), false) + ")";
    sqlite::Stmt st(cache_, sql.c_str());
    for (std::size_t i = 0; i < row.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      const Value& v = row[i];
      if (v.kind == Value::Kind::kInteger) {
        st.bind(at, static_cast<std::int64_t>(std::strtoll(v.data.c_str(), nullptr, 10)));
      } else if (v.kind == Value::Kind::kText) {
        st.bind(at, std::string_view(v.data));
      } else if (v.kind == Value::Kind::kBytes) {
        st.bind_blob(at, v.data);
      }
      // kNull: a cleared binding is NULL.
    }
    if (st.step() != SQLITE_DONE) return {sqlite::io_problem(std::string("copy into ") + table.name, db_)};
    return {};
  }
  Result<std::int64_t> count(const Table& table) override {
    sqlite::Stmt st(db_, (std::string("SELECT count(*) FROM ") + table.name).c_str());
    if (st.step() != SQLITE_ROW) return sqlite::io_problem(std::string("count ") + table.name, db_);
    return st.int64(0);
  }
  Problems clear(const Table& table) override {
    if (!sqlite::exec(db_, std::string("DELETE FROM ") + table.name)) {
      return {sqlite::io_problem(std::string("empty ") + table.name, db_)};
    }
    return {};
  }
  Problems commit() override {
    if (!sqlite::exec(db_, "COMMIT")) return {sqlite::io_problem("commit the copy", db_)};
    return {};
  }
  void rollback() override { sqlite::exec(db_, "ROLLBACK"); }

 private:
  sqlite3* db_;
  sqlite::StatementCache cache_{db_};
};

class PgTables final : public Tables {
 public:
  explicit PgTables(Connection& conn) : conn_(conn) {}
  Problems begin(bool write) override {
    // A reader sees one snapshot; a writer holds the chain lock, so no
    // server appends to the destination while it is filled.
    Rows begin = conn_.exec(write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (!begin.ok()) return {conn_.io_problem("begin", begin)};
    if (write) {
      Rows lock = conn_.exec(kChainLockSql);
      if (!lock.ok()) return {conn_.io_problem("take the chain lock", lock)};
    }
    return {};
  }
  Problems scan(const Table& table, const RowSink& sink) override {
    Rows declared = conn_.exec(std::string("DECLARE copy_rows NO SCROLL CURSOR FOR SELECT ") + table.columns +
                               " FROM " + table.name + " ORDER BY " + table.order);
    if (!declared.ok()) return {conn_.io_problem(std::string("read ") + table.name, declared)};
    Row row(column_count(table));
    while (true) {
      Rows page = conn_.exec("FETCH 1000 FROM copy_rows");
      if (!page.ok()) return {conn_.io_problem(std::string("read ") + table.name, page)};
      if (page.size() == 0) break;
      for (int r = 0; r < page.size(); ++r) {
        for (int c = 0; c < page.columns(); ++c) {
          Value& v = row[static_cast<std::size_t>(c)];
          const Oid type = page.type(c);
          if (page.is_null(r, c)) {
            v.kind = Value::Kind::kNull;
            v.data.clear();
          } else if (type == kByteaOid) {
            v.kind = Value::Kind::kBytes;
            v.data = page.bytes(r, c);
          } else if (type == kInt8Oid || type == kInt4Oid || type == kInt2Oid) {
            v.kind = Value::Kind::kInteger;
            v.data = page.text(r, c);
          } else {
            v.kind = Value::Kind::kText;
            v.data = page.text(r, c);
          }
        }
        if (Problems problems = sink(row); !problems.empty()) return problems;
      }
    }
    Rows closed = conn_.exec("CLOSE copy_rows");
    if (!closed.ok()) return {conn_.io_problem(std::string("read ") + table.name, closed)};
    return {};
  }
  Problems insert(const Table& table, const Row& row) override {
    const std::string sql = std::string("INSERT INTO ") + table.name + "(" + table.columns + ") VALUES (" +
                            placeholders(row.size(), true) + ")";
    std::vector<Param> params;
    params.reserve(row.size());
    for (const Value& v : row) {
      if (v.kind == Value::Kind::kNull) {
        params.push_back(Param::null());
      } else if (v.kind == Value::Kind::kBytes) {
        params.push_back(Param::bytes(v.data));
      } else {
        params.emplace_back(v.data);
      }
    }
    Rows inserted = conn_.query(sql, params);
    if (!inserted.ok()) return {conn_.io_problem(std::string("copy into ") + table.name, inserted)};
    return {};
  }
  Result<std::int64_t> count(const Table& table) override {
    Rows rows = conn_.exec(std::string("SELECT count(*) FROM ") + table.name);
    if (!rows.ok()) return conn_.io_problem(std::string("count ") + table.name, rows);
    return rows.int64(0, 0);
  }
  Problems clear(const Table& table) override {
    Rows deleted = conn_.exec(std::string("DELETE FROM ") + table.name);
    if (!deleted.ok()) return {conn_.io_problem(std::string("empty ") + table.name, deleted)};
    return {};
  }
  Problems commit() override {
    // chain_heads.id is a bigserial: heads kept after the copy follow the copied ones.
    Rows sequence = conn_.exec(
        "SELECT setval(pg_get_serial_sequence('chain_heads', 'id'), COALESCE((SELECT max(id) FROM chain_heads), 0) "
        "+ 1, false)");
    if (!sequence.ok()) return {conn_.io_problem("reset the chain heads' sequence", sequence)};
    Rows commit = conn_.exec("COMMIT");
    if (!commit.ok()) return {conn_.io_problem("commit the copy", commit)};
    return {};
  }
  void rollback() override { conn_.exec("ROLLBACK"); }

 private:
  Connection& conn_;
};

Result<std::unique_ptr<Tables>> open_sqlite_tables(const std::string& path, bool write) {
  sqlite3* db = nullptr;
  const int flags = write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Problem p{"ledger_io", "", "Cannot open the ledger database " + path + ": " + sqlite3_errmsg(db) + "."};
    sqlite3_close_v2(db);
    return p;
  }
  return std::unique_ptr<Tables>(std::make_unique<SqliteTables>(db));
}

// Every row of `from` into `to`, in one read snapshot and one write
// transaction; the webhook outbox's tables too when `with_outbox` (replacing
// the events the destination's triggers queued while the rows went in: the
// source delivered those, or will through the copy). Returns the rows copied.
Result<std::int64_t> copy_tables(Tables& from, Tables& to, bool with_outbox) {
  if (Problems problems = from.begin(false); !problems.empty()) return problems;
  if (Problems problems = to.begin(true); !problems.empty()) {
    from.rollback();
    return problems;
  }
  std::int64_t rows = 0;
  for (const Table& table : kTables) {
    if (table.outbox && !with_outbox) continue;
    Problems problems = table.outbox ? to.clear(table) : Problems{};
    if (!problems.empty()) {
      from.rollback();
      to.rollback();
      return problems;
    }
    problems = from.scan(table, [&](const Row& row) {
      ++rows;
      return to.insert(table, row);
    });
    if (!problems.empty()) {
      from.rollback();
      to.rollback();
      return problems;
    }
  }
  from.rollback();  // read only
  if (Problems problems = to.commit(); !problems.empty()) {
    to.rollback();
    return problems;
  }
  return rows;
}

// A fresh temporary file name for a scratch SQLite ledger.
std::string scratch_path() {
  std::string path = (std::filesystem::temp_directory_path() / "cachet-verify-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd >= 0) close(fd);
  return fd >= 0 ? path : std::string();
}

void remove_sqlite_files(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ec);
}

}  // namespace

Result<ChainReport> verify_through_sqlite(Connection& conn,
                                          const std::function<void(const ReceiptRecord&)>* visit_records) {
  const std::string path = scratch_path();
  if (path.empty()) return Problem{"ledger_io", "", "No temporary file for verifying the PostgreSQL ledger."};
  struct Cleanup {
    std::string path;
    ~Cleanup() { remove_sqlite_files(path); }
  } cleanup{path};
  SqliteOptions options;
  options.group_commit_max = 1;
  {
    auto created = open_sqlite_store(path, options);  // the schema
    if (!created.ok()) return created.problems();
  }
  auto scratch = open_sqlite_tables(path, true);
  if (!scratch.ok()) return scratch.problems();
  PgTables source(conn);
  Result<std::int64_t> copied = copy_tables(source, *scratch.value(), /*with_outbox=*/false);
  if (!copied.ok()) return copied.problems();
  scratch.value().reset();
  auto store = open_sqlite_store(path, options);
  if (!store.ok()) return store.problems();
  return visit_records ? store.value()->verify_records(*visit_records) : store.value()->verify_chain();
}

}  // namespace cachet::ledger::pg

namespace cachet::ledger {
namespace {

Problem refused(const std::string& code, const std::string& message) { return Problem{code, "", message}; }

}  // namespace

Result<MigrationReport> migrate_ledger(const std::string& from, const std::string& to) {
  if (from == to) return refused("ledger_migrate_same", "--from and --to name the same ledger.");
  std::error_code ec;
  if (!is_postgres_url(from) && !std::filesystem::is_regular_file(from, ec)) {
    return refused("ledger_migrate_no_source", "The ledger " + from + " does not exist.");
  }
  MigrationReport report;
  {
    // Opening migrates an older SQLite ledger to the current schema first.
    auto source = open_store(from);
    if (!source.ok()) return source.problems();
    auto verified = source.value()->verify_chain();
    if (!verified.ok()) return verified.problems();
    report.source = std::move(verified).value();
    if (!report.source.ok()) {
      return refused("ledger_migrate_source_broken",
                     "The ledger " + describe_ledger(from) +
                         " does not verify; run `cachet ledger verify` on it: a broken chain is not copied.");
    }
  }
  SqliteOptions options;
  options.group_commit_max = 1;
  {
    auto destination = open_store(to, options);  // creates the schema
    if (!destination.ok()) return destination.problems();
  }
  // Raw access to both ends: the same tables on each side.
  std::unique_ptr<pg::Connection> source_conn, destination_conn;
  std::unique_ptr<pg::Tables> source, destination;
  auto open_tables = [](const std::string& db, bool write, std::unique_ptr<pg::Connection>& conn,
                        std::unique_ptr<pg::Tables>& tables) -> Problems {
    if (is_postgres_url(db)) {
      auto opened = pg::Connection::open(db);
      if (!opened.ok()) return opened.problems();
      conn = std::move(opened).value();
      tables = std::make_unique<pg::PgTables>(*conn);
      return {};
    }
    auto opened = pg::open_sqlite_tables(db, write);
    if (!opened.ok()) return opened.problems();
    tables = std::move(opened).value();
    return {};
  };
  if (Problems problems = open_tables(from, false, source_conn, source); !problems.empty()) return problems;
  if (Problems problems = open_tables(to, true, destination_conn, destination); !problems.empty()) return problems;
  for (const pg::Table& table : pg::kTables) {
    Result<std::int64_t> rows = destination->count(table);
    if (!rows.ok()) return rows.problems();
    if (rows.value() > 0) {
      return refused("ledger_migrate_not_empty",
                     "The destination " + describe_ledger(to) + " is not empty (its table " + table.name + " holds " +
                         std::to_string(rows.value()) + " rows): a migration only fills a new ledger.");
    }
  }
  Result<std::int64_t> copied = pg::copy_tables(*source, *destination, /*with_outbox=*/true);
  if (!copied.ok()) return copied.problems();
  report.rows = copied.value();
  destination.reset();
  destination_conn.reset();
  auto reopened = open_store(to, options);
  if (!reopened.ok()) return reopened.problems();
  auto verified = reopened.value()->verify_chain();
  if (!verified.ok()) return verified.problems();
  report.destination = std::move(verified).value();
  if (!report.destination.ok() || report.destination.head != report.source.head ||
      report.destination.entries != report.source.entries) {
    return refused("ledger_migrate_mismatch",
                   "The copy in " + describe_ledger(to) + " does not verify to the source's head (" +
                       report.source.head + ", " + std::to_string(report.source.entries) +
                       " entries); it must not be used. Run `cachet ledger verify --db` on it to see why.");
  }
  return report;
}

}  // namespace cachet::ledger
