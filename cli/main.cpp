// `cachet`: lint configs, issue/verify/countersign receipts, serve, keep the
// ledger, export partner files (DESIGN.md 3.3).
#include <iostream>

#include "command.h"
#ifdef CACHET_HAS_SERVER
#include "webhooks_commands.h"
#endif

int main(int argc, char** argv) {
  CLI::App app{"Cachet: consent for sharing contact data with partners, with signed consent receipts."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("cachet ") + CACHET_VERSION);
  int exit_code = cachet::cli::kOk;
  cachet::cli::add_core_commands(app, exit_code);
  cachet::cli::add_build_command(app, exit_code);
#ifdef CACHET_HAS_SERVER
  cachet::cli::add_server_commands(app, exit_code);
  cachet::cli::add_proof_commands(app, exit_code);
  cachet::cli::add_rights_commands(app, exit_code);
  cachet::cli::add_webhooks_commands(app, exit_code);
#endif
#ifdef CACHET_HAS_EXPORT
  cachet::cli::add_export_commands(app, exit_code);
  cachet::cli::add_notices_commands(app, exit_code);
  cachet::cli::add_partner_commands(app, exit_code);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << "\nRun 'cachet --help' (or 'cachet COMMAND --help') for usage.\n";
    return cachet::cli::kUsage;
  }
  return exit_code;
}
