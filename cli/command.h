// How subcommands plug into the `cachet` command (DESIGN.md 3.3).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cachet/messages.h"

namespace cachet::cli {

// Exit codes: 0 success, 1 the input was judged bad, 2 usage or I/O error.
enum ExitCode : int { kOk = 0, kBadInput = 1, kUsage = 2 };

// Each group adds its subcommands to `app`; a subcommand's callback stores its
// exit code in `exit_code` (CLI11 callbacks return void).
void add_core_commands(CLI::App& app, int& exit_code);     // cli/core_commands.cpp
void add_build_command(CLI::App& app, int& exit_code);     // cli/build_command.cpp: build (notice bundle)
void add_server_commands(CLI::App& app, int& exit_code);   // cli/serve_commands.cpp: serve, ledger
void add_proof_commands(CLI::App& app, int& exit_code);    // cli/proof_commands.cpp: proof create|verify
void add_export_commands(CLI::App& app, int& exit_code);   // cli/export_commands.cpp: export, import-relayed
void add_notices_commands(CLI::App& app, int& exit_code);  // cli/notices_commands.cpp: notices import-acks|overdue
void add_rights_commands(CLI::App& app, int& exit_code);   // cli/rights_commands.cpp: person find|access|erase
void add_partner_commands(CLI::App& app, int& exit_code);  // cli/partner_commands.cpp: partner verify

// The check of every --locale/--lang option: the locales of the core's message
// table, so a language added there is accepted here without a second list.
inline CLI::IsMember locale_check() { return CLI::IsMember(supported_locales()); }

// "\"fr\", \"en\", … or \"it\"" for option help texts.
inline std::string locale_help() { return locale_choices("en"); }

}  // namespace cachet::cli
