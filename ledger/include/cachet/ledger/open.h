// Choosing the ledger's backend from a --db value (docs/server.md,
// "PostgreSQL"): a value starting with postgresql:// or postgres:// is a
// libpq connection URL, anything else a SQLite file (the default). And
// `cachet ledger migrate`: copying a ledger from one backend to the other.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cachet/ledger/store.h"

namespace cachet::ledger {

// True when `db` selects the PostgreSQL backend.
bool is_postgres_url(std::string_view db);

// The server and database a PostgreSQL URL names, for messages (never the
// password); `db` itself for a SQLite path.
std::string describe_ledger(const std::string& db);

// Opens (creating the schema when missing) the ledger `db` names.
// `sqlite` applies to a SQLite file only. ledger_io when the database cannot
// be reached or migrated.
Result<std::unique_ptr<ConsentStore>> open_store(const std::string& db, const SqliteOptions& sqlite = SqliteOptions());

// The PostgreSQL backend (pg_store.cpp, pg_transfers.cpp, pg_webhooks.cpp):
// every server process opens its own connection; chain appends (receipts,
// events, publications, purges, erasures, transfers, notice
// acknowledgements) are serialised across processes by a transaction-scoped
// advisory lock, and commit with synchronous_commit on. Everything the
// SQLite backend does, with the same entries and hashes (the rules are
// backend_rules.h's), and the same webhook outbox (webhooks.h
// open_webhook_outbox takes the URL), filled by PL/pgSQL triggers in each
// entry's transaction. Not there: group commit. verify_chain and
// verify_records copy the ledger into a temporary SQLite file and run the
// SQLite verifier on it (same checks, same report).
Result<std::unique_ptr<ConsentStore>> open_postgres_store(const std::string& url);

// `cachet ledger migrate --from A --to B`.
struct MigrationReport {
  ChainReport source;       // the source's chain, verified before copying
  ChainReport destination;  // the copy's chain, verified after
  std::int64_t rows = 0;    // rows copied, every table
};
// Copies every table of the ledger `from` into the empty ledger `to` (either
// backend, the other's schema created) in one transaction, and verifies both
// chains, which must end on the same head. Refuses (ledger_migrate_*) a
// source that does not verify, a destination that holds anything, or a
// source that is not there. The webhook outbox is copied with the rest
// (events, endpoints and delivery states), replacing what the destination's
// triggers queued for the copied rows.
Result<MigrationReport> migrate_ledger(const std::string& from, const std::string& to);

}  // namespace cachet::ledger
