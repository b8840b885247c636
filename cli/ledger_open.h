// Opening an existing ledger for the ledger commands (serve_commands.cpp,
// proof_commands.cpp): they never create one by accident.
#pragma once

#include <memory>
#include <string>

#include "cachet/ledger/store.h"

namespace cachet::cli {

// The store, or nullptr after saying why on stderr and setting `exit_code`.
std::unique_ptr<ledger::ConsentStore> open_existing(const std::string& db, int& exit_code);

}  // namespace cachet::cli
