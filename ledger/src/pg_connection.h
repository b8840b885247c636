// A thin libpq wrapper for the ledger's PostgreSQL backend (pg_store.cpp,
// pg_copy.cpp): one connection, parameterised queries in text format (bytea
// bound in binary), results that free themselves. Private to ledger/.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/problem.h"

namespace cachet::ledger::pg {

// A query parameter: text (integers as their decimal text), bytes (bytea,
// sent in binary) or NULL.
struct Param {
  Param(std::string_view text) : value(text) {}    // NOLINT(google-explicit-constructor): call sites read as SQL
  Param(const char* text) : value(text) {}         // NOLINT(google-explicit-constructor)
  Param(const std::string& text) : value(text) {}  // NOLINT(google-explicit-constructor)
  Param(std::int64_t number) : value(std::to_string(number)) {}  // NOLINT(google-explicit-constructor)
  static Param null() { return Param(); }
  static Param bytes(std::string data) {
    Param p;
    p.value = std::move(data);
    p.binary = true;
    return p;
  }
  std::optional<std::string> value;
  bool binary = false;

 private:
  Param() = default;
};

// One query's result, freed with it.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result) {}
  bool ok() const {
    const ExecStatusType status = PQresultStatus(result_.get());
    return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
  }
  // The SQLSTATE of a failed query ("23505" unique violation), "" when none.
  std::string sqlstate() const {
    const char* state = PQresultErrorField(result_.get(), PG_DIAG_SQLSTATE);
    return state ? state : "";
  }
  std::string error() const { return result_ ? PQresultErrorMessage(result_.get()) : "no result"; }
  int size() const { return PQntuples(result_.get()); }
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view view(int row, int column) const {
    return {PQgetvalue(result_.get(), row, column), static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
  }
  std::string text(int row, int column) const { return std::string(view(row, column)); }
  std::int64_t int64(int row, int column) const;
  // A bytea column read in text format ("\x..." hex).
  std::string bytes(int row, int column) const;
  int columns() const { return PQnfields(result_.get()); }
  Oid type(int column) const { return PQftype(result_.get(), column); }
  std::string column_name(int column) const { return PQfname(result_.get(), column); }

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> result_;
};

// PostgreSQL type OIDs the copy between backends needs (pg_type.h).
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kInt8Oid = 20;
constexpr Oid kByteaOid = 17;

class Connection {
 public:
  // Connects and sets what every ledger connection needs
  // (synchronous_commit on: a commit is durable before it returns).
  // ledger_io naming the server and database, never the password.
  static Result<std::unique_ptr<Connection>> open(const std::string& url);
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Rows exec(const std::string& sql) {
    revive();
    return Rows(PQexec(conn_, sql.c_str()));
  }
  Rows query(const std::string& sql, const std::vector<Param>& params);
  // A problem for a failed query: what was being done, and the server's word.
  Problem io_problem(const std::string& what, const Rows& rows) const;
  Problem io_problem(const std::string& what) const;
  // "host H port P database D" for messages (no password).
  const std::string& where() const { return where_; }

 private:
  Connection(PGconn* conn, std::string where) : conn_(conn), where_(std::move(where)) {}
  // The session settings every ledger connection runs with.
  Rows configure() {
    return Rows(PQexec(conn_, "SET synchronous_commit = on; SET client_min_messages = warning; SET TIME ZONE 'UTC'"));
  }
  // A connection the server dropped (a restart, a failover) is opened again
  // before the next statement. Only a statement that failed can have found
  // it dropped, and every caller ends its operation (and its transaction) on
  // a failed statement, so no transaction is ever continued on the new one.
  void revive() {
    if (PQstatus(conn_) != CONNECTION_BAD) return;
    PQreset(conn_);
    if (PQstatus(conn_) == CONNECTION_OK) configure();
  }
  PGconn* conn_;
  std::string where_;
};

// A --db value that names a PostgreSQL database rather than a SQLite file.
bool is_postgres_url(std::string_view db);
// The server and database a URL names, for messages: never the password.
std::string describe_url(const std::string& url);

}  // namespace cachet::ledger::pg
