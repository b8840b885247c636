// The SQLite statement wrapper and the RAII transaction the ledger's SQLite
// backend uses (sqlite_store.cpp, sqlite_schema.cpp, sqlite_verify.cpp).
// Private to ledger/.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cachet/problem.h"

namespace cachet::ledger::sqlite {

inline Problem io_problem(const std::string& what, sqlite3* db) {
  std::string message = "The ledger database failed (" + what + ")";
  if (db != nullptr) message += ": " + std::string(sqlite3_errmsg(db));
  return Problem{"ledger_io", "", message + "."};
}

// The prepared statements of one connection, kept for the connection's life
// (SQLITE_PREPARE_PERSISTENT) so that the hot paths (an append, a find) do
// not parse and plan their SQL on every call: preparing was about a fifth of
// the CPU time of `cachet serve`'s accept path (docs/performance.md).
// A statement is lent to one Stmt at a time and comes back reset with its
// bindings cleared, so it never holds a read transaction open (which would
// stop WAL checkpoints) nor leaks a value into its next use. A statement
// asked for while it is lent (a nested use of the same SQL) is prepared
// afresh and finalised after that use. Not thread-safe: used under the
// store's mutex, like the connection.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache() { clear(); }
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // A statement for `sql`, ready to bind. `lent` is set when it is the
  // cached one (give it back with release(stmt, lent)); null when it was
  // prepared for this use only (the caller finalises it). nullptr when `sql`
  // does not prepare.
  sqlite3_stmt* acquire(const char* sql, bool*& lent) {
    lent = nullptr;
    const auto it = entries_.find(std::string_view(sql));
    if (it != entries_.end()) {
      if (!it->second.lent) {
        it->second.lent = true;
        lent = &it->second.lent;
        return it->second.stmt;
      }
      sqlite3_stmt* fresh = nullptr;
      if (sqlite3_prepare_v2(db_, sql, -1, &fresh, nullptr) != SQLITE_OK) {
        sqlite3_finalize(fresh);
        return nullptr;
      }
      return fresh;
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK || stmt == nullptr) {
      sqlite3_finalize(stmt);
      return nullptr;
    }
    auto text = std::make_unique<const std::string>(sql);
    const std::string_view key(*text);
    const auto added = entries_.emplace(key, Entry{stmt, true, std::move(text)});
    lent = &added.first->second.lent;
    return stmt;
  }
  // Takes back a statement acquire() lent: reset (the read transaction a
  // SELECT stepped into ends here) and its bindings cleared.
  static void release(sqlite3_stmt* stmt, bool* lent) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    *lent = false;
  }
  // Finalises every statement (none may be lent): before the connection closes.
  void clear() {
    for (auto& entry : entries_) sqlite3_finalize(entry.second.stmt);
    entries_.clear();
  }
  std::size_t size() const { return entries_.size(); }
  sqlite3* db() const { return db_; }

 private:
  struct Entry {
    sqlite3_stmt* stmt = nullptr;
    bool lent = false;
    std::unique_ptr<const std::string> sql;  // the key views it: stable storage
  };
  sqlite3* db_;
  std::unordered_map<std::string_view, Entry> entries_;
};

// RAII prepared statement with the few accessors we need: prepared for this
// use (and finalised), or lent by a StatementCache (and given back).
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  Stmt(StatementCache& cache, const char* sql) { stmt_ = cache.acquire(sql, lent_); }
  ~Stmt() {
    if (lent_ != nullptr) {
      StatementCache::release(stmt_, lent_);
    } else {
      sqlite3_finalize(stmt_);
    }
  }
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
  bool* lent_ = nullptr;  // set when the statement is a StatementCache's
};

// Runs one SQL statement (no rows); true on success.
inline bool exec(sqlite3* db, const std::string& sql) {
  return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
}
// The same with a cached statement (one statement of fixed text: BEGIN,
// COMMIT, SAVEPOINT ...), for the paths that run it on every append.
inline bool exec(StatementCache& cache, const char* sql) {
  Stmt st(cache, sql);
  return st.ok() && st.step() == SQLITE_DONE;
}

// A transaction rolled back when it goes out of scope uncommitted, so an early
// return cannot leave one open.
class Transaction {
 public:
  // `begin` is "BEGIN" (a read snapshot) or "BEGIN IMMEDIATE" (a writer).
  Transaction(sqlite3* db, const char* begin) : db_(db), open_(exec(db, begin)) {}
  // The same with the connection's cached statements (the append path).
  Transaction(StatementCache& cache, const char* begin) : db_(cache.db()), cache_(&cache), open_(exec(cache, begin)) {}
  ~Transaction() { rollback(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  bool ok() const { return open_; }
  bool commit() {
    if (!open_) return false;
    open_ = false;
    return run("COMMIT");
  }
  void rollback() {
    // A failed statement may already have ended the transaction (SQLITE_FULL,
    // SQLITE_IOERR ...): then there is nothing to roll back.
    if (open_ && sqlite3_get_autocommit(db_) == 0) run("ROLLBACK");
    open_ = false;
  }

 private:
  bool run(const char* sql) { return cache_ != nullptr ? exec(*cache_, sql) : exec(db_, sql); }
  sqlite3* db_;
  StatementCache* cache_ = nullptr;
  bool open_;
};

}  // namespace cachet::ledger::sqlite
