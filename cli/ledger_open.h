// Opening an existing ledger for the commands that read or append to one
// (ledger, proof, person, notices): they never create one by accident, so a
// typo in --db is an error (ledger_io) rather than a new empty ledger.
#pragma once

#include <memory>
#include <string>

#include "cachet/ledger/store.h"

namespace cachet::cli {

// The store, or nullptr after saying why on stderr and setting `exit_code`.
std::unique_ptr<ledger::ConsentStore> open_existing(const std::string& db, int& exit_code);

}  // namespace cachet::cli
