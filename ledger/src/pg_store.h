// The PostgreSQL backend of the consent ledger (store.h, open.h), private to
// ledger/: the store (pg_store.cpp), its transfers and notice
// acknowledgements (pg_transfers.cpp), and the copy between backends that
// `cachet ledger migrate` and its verification use (pg_copy.cpp). The tables
// are the SQLite ledger's (schema 8, sqlite_schema.cpp) with PostgreSQL
// types, so that a ledger copies row for row and the hash chain is the same.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/ledger/store.h"
#include "pg_connection.h"

namespace cachet::ledger::pg {

// The webhook outbox's tables and the triggers filling it (pg_webhooks.cpp),
// created with the ledger's.
const char* webhooks_schema();

// Creates the tables when missing (under the chain lock, so two servers
// starting together do not race) and checks the stored schema version.
Problems ensure_schema(Connection& conn);

// The chain's lock: every transaction that appends a log entry takes this
// transaction-scoped advisory lock first, so that appends from several
// server processes get consecutive seqs, each chained onto the one before.
constexpr const char* kChainLockSql = "SELECT pg_advisory_xact_lock(7161245608112562)";

// BEGIN and the chain lock: the transaction of anything that appends
// (rolled back when the lock cannot be taken).
Problems begin_append(Connection& conn);
// The next seq and the hash to chain onto ("" before the first entry).
Problems log_head(Connection& conn, std::int64_t& next_seq, std::string& prev_hash);
constexpr const char* kInsertLogSql = "INSERT INTO log(seq, kind, receipt_id, entry, hash) VALUES ($1, $2, $3, $4, $5)";

// Transfers and notice acknowledgements (pg_transfers.cpp): store.h's
// functions of the same names on one connection, which the caller uses
// alone meanwhile. The writes take the chain lock.
Result<std::vector<std::int64_t>> record_transfers(Connection& conn, const std::vector<TransferBatch>& batches);
Result<std::vector<Transfer>> transfers_of(Connection& conn, std::string_view chain_root);
Problems for_each_transfer_to(Connection& conn, std::string_view partner_id,
                              const std::function<bool(const Transfer&)>& visit);
Result<std::int64_t> last_transfer_seq(Connection& conn, std::string_view partner_id);
// store.h's for_each_holding, read from transfer_holdings (kept by record_transfers).
Problems for_each_holding(Connection& conn, std::string_view partner_id,
                          const std::function<void(const Holding&)>& visit);
Result<std::optional<std::string>> chain_root_of_reference(Connection& conn, std::string_view partner_id,
                                                           std::string_view reference);
Result<std::int64_t> record_notice_acks(Connection& conn, std::string_view partner_id, std::string_view file_sha256,
                                        const std::vector<NoticeAck>& acks);
Result<std::vector<Transfer>> notice_status(Connection& conn);

// verify_chain / verify_records of a PostgreSQL ledger: its rows copied into
// a temporary SQLite file, checked by the SQLite verifier (pg_copy.cpp).
Result<ChainReport> verify_through_sqlite(Connection& conn,
                                          const std::function<void(const ReceiptRecord&)>* visit_records);

}  // namespace cachet::ledger::pg
