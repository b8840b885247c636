// The PostgreSQL backend of the consent ledger (store.h, open.h), private to
// ledger/: the store (pg_store.cpp) and the copy between backends that
// `cachet ledger migrate` and its verification use (pg_copy.cpp). The tables
// are the SQLite ledger's (schema 8, sqlite_schema.cpp) with PostgreSQL
// types, so that a ledger copies row for row and the hash chain is the same.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "cachet/ledger/store.h"
#include "pg_connection.h"

namespace cachet::ledger::pg {

// Creates the tables when missing (under the chain lock, so two servers
// starting together do not race) and checks the stored schema version.
Problems ensure_schema(Connection& conn);

// The chain's lock: every transaction that appends a log entry takes this
// transaction-scoped advisory lock first, so that appends from several
// server processes get consecutive seqs, each chained onto the one before.
constexpr const char* kChainLockSql = "SELECT pg_advisory_xact_lock(7161245608112562)";

// verify_chain / verify_records of a PostgreSQL ledger: its rows copied into
// a temporary SQLite file, checked by the SQLite verifier (pg_copy.cpp).
Result<ChainReport> verify_through_sqlite(Connection& conn,
                                          const std::function<void(const ReceiptRecord&)>* visit_records);

}  // namespace cachet::ledger::pg
