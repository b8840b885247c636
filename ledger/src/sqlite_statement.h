// The SQLite statement wrapper and the RAII transaction the ledger's SQLite
// backend uses (sqlite_store.cpp, sqlite_schema.cpp, sqlite_verify.cpp).
// Private to ledger/.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "cachet/problem.h"

namespace cachet::ledger::sqlite {

inline Problem io_problem(const std::string& what, sqlite3* db) {
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

// Runs one SQL statement (no rows); true on success.
inline bool exec(sqlite3* db, const std::string& sql) {
  return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
}

// A transaction rolled back when it goes out of scope uncommitted, so an early
// return cannot leave one open.
class Transaction {
 public:
  // `begin` is "BEGIN" (a read snapshot) or "BEGIN IMMEDIATE" (a writer).
  Transaction(sqlite3* db, const char* begin) : db_(db), open_(exec(db, begin)) {}
  ~Transaction() { rollback(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  bool ok() const { return open_; }
  bool commit() {
    if (!open_) return false;
    open_ = false;
    return exec(db_, "COMMIT");
  }
  void rollback() {
    if (open_) exec(db_, "ROLLBACK");
    open_ = false;
  }

 private:
  sqlite3* db_;
  bool open_;
};

}  // namespace cachet::ledger::sqlite
