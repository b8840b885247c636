// `cachet export` and `cachet import-relayed` (DESIGN.md 3.3; docs/export.md).
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cachet/config.h"
#include "cachet/export/export.h"
#include "cachet/export/relayed.h"
#include "cachet/jws.h"
#include "cachet/ledger/open.h"
#include "cachet/ledger/store.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"
#include "command.h"
#include "support.h"

namespace cachet::cli {
namespace {

// The exit code a problem calls for: the core's one classification (problem.h).
int exit_code_of(const Problems& problems) { return cachet::exit_code_for(problem_kind(problems)); }

Result<Config> config_from(const std::string& path) {
  Result<std::string> text = read_input(path);
  if (!text.ok()) return text.problems();
  Result<Config> config = load_config(text.value());
  if (!config.ok()) {
    Problems problems = config.problems();
    problems.insert(problems.begin(),
                    Problem{"config_invalid", "", path + " is not a valid config; run 'cachet lint " + path + "'."});
    return problems;
  }
  return config;
}

Result<std::unique_ptr<ledger::ConsentStore>> ledger_from(const std::string& path) {
  std::error_code ec;
  // open_sqlite_store creates missing files; a typo must not yield an empty ledger.
  if (!ledger::is_postgres_url(path) && !std::filesystem::is_regular_file(path, ec)) {
    return Problem{"ledger_io", "--db", "The ledger " + path + " does not exist."};
  }
  return ledger::open_store(path);
}

struct ExportArgs {
  std::string contacts, db, config, out, mapping, at, key, format = "text";
  std::string email, phone, mobile, postal, receipt;
  bool force = false;
  bool no_receipts = false;
  bool reverify = false;
  bool no_verify = false;  // accepted for old scripts: the default no longer re-verifies
  bool timings = false;
  bool from_signed_head = false;
  int jobs = 0;
};

void add_export(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "export",
      "Build one file per partner with only what each person allowed, the first-contact notices partners owe (R8) "
      "and a report of every row left out.");
  auto args = std::make_shared<ExportArgs>();
  command->add_option("--contacts", args->contacts, "Contact file (CSV, RFC 4180, UTF-8, header row)")->required();
  command->add_option("--db", args->db, "Consent ledger: a SQLite file or a postgresql:// URL")->required();
  command->add_option("--config", args->config, "Consent config (JSON)")->required();
  command->add_option("--out", args->out, "Output directory (created; replaced only with --force)")->required();
  auto* mapping = command->add_option(
      "--mapping", args->mapping, "Column mapping JSON {\"receipt\", \"email\", \"phone\", \"mobile\", \"postal\"}");
  const char* columns[][3] = {{"--email-column", "email", "Column holding the email address"},
                              {"--phone-column", "phone", "Column holding the phone number"},
                              {"--mobile-column", "mobile", "Column holding the mobile number (SMS)"},
                              {"--postal-column", "address", "Column holding the postal address"},
                              {"--receipt-column", "cachet_receipt_id", "Column holding a receipt id of the person"}};
  std::string* targets[] = {&args->email, &args->phone, &args->mobile, &args->postal, &args->receipt};
  for (std::size_t i = 0; i < 5; ++i) {
    *targets[i] = columns[i][1];
    command->add_option(columns[i][0], *targets[i], columns[i][2])->capture_default_str()->excludes(mapping);
  }
  command->add_option("--at", args->at, "Transfer time, RFC 3339 UTC or YYYY-MM-DD (default: now)");
  auto* key_option = command->add_option(
      "--key", args->key,
      "Controller key (JWK, public or private): receipts must carry its countersignature; a private "
      "key also checks keyed contact digests (receipt version 2) and signs the chain head after the "
      "export is recorded");
  command->add_flag("--force", args->force, "Replace a non-empty output directory");
  command->add_flag("--no-receipts", args->no_receipts,
                    "Leave out partner-ID.receipts.jsonl (the receipts partners check their file with) and the "
                    "notice languages (one ledger lookup per row written; for bulk runs)");
  auto* reverify = command->add_flag(
      "--reverify", args->reverify,
      "Re-verify every receipt's signatures now (slow) instead of relying on the verification recorded when the "
      "ledger accepted it; the hash chain is verified first either way");
  command
      ->add_option("--jobs", args->jobs,
                   "Threads checking the hash chain, and with --reverify verifying signatures (default 0: all cores)")
      ->check(CLI::Range(0, 256));
  command
      ->add_flag("--from-signed-head", args->from_signed_head,
                 "Check the hash chain only after the latest signed chain head the ledger keeps (a previous export "
                 "with the private --key, or 'cachet ledger head --key'), once its signature verifies against --key "
                 "and its entry still hashes to what it states; default: the full chain")
      ->needs(key_option)
      ->excludes(reverify);
  command
      ->add_flag("--no-verify-signatures", args->no_verify,
                 "Obsolete: the default already relies on the verification recorded at acceptance")
      ->excludes(reverify);
  command->add_flag("--timings", args->timings, "Print phase timings and the index size on stderr (JSON)");
  command->add_option("--format", args->format, "Summary on stdout: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->callback([args, &exit_code] {
    exit_code = kUsage;
    Result<Config> config = config_from(args->config);
    if (!config.ok()) {
      print_problems(config.problems());
      exit_code = kBadInput;
      return;
    }
    exporter::ExportOptions options;
    options.contacts_path = args->contacts;
    options.out_dir = args->out;
    options.at = args->at;
    options.force = args->force;
    options.receipts = !args->no_receipts;
    options.jobs = args->jobs;
    options.reverify = args->reverify;
    options.from_signed_head = args->from_signed_head;
    options.agent = "cachet-cli/" CACHET_EXPORT_VERSION;
    if (!args->mapping.empty()) {
      Result<std::string> text = read_input(args->mapping);
      if (!text.ok()) return print_problems(text.problems());
      Result<exporter::ColumnMapping> parsed = exporter::parse_mapping(text.value());
      if (!parsed.ok()) {
        std::cerr << "error: " << args->mapping << " is not a valid column mapping.\n";
        print_problems(parsed.problems());
        exit_code = kBadInput;
        return;
      }
      options.columns = parsed.value();
    } else {
      options.columns = {args->receipt, args->email, args->phone, args->mobile, args->postal};
    }
    if (!args->key.empty()) {
      Result<Json> key = load_jwk(args->key, /*need_private=*/false);
      Result<Json> pub = key.ok() ? public_jwk(key.value()) : Result<Json>(key.problems());
      if (!pub.ok()) return print_problems(pub.problems());
      options.controller_key = pub.value();
      if (key.value().contains("d")) {
        options.head_key = key.value();  // private: also signs the chain head
        // and checks keyed (version 2) contact digests.
        const auto crypto = make_openssl_crypto();
        Result<std::string> secret = contact_digest_secret(key.value(), *crypto);
        if (!secret.ok()) return print_problems(secret.problems());
        options.digest_secret = secret.value();
      }
    }
    Result<std::unique_ptr<ledger::ConsentStore>> store = ledger_from(args->db);
    if (!store.ok()) return print_problems(store.problems());
    Result<exporter::ExportOutcome> outcome = exporter::run_export(config.value(), *store.value(), options);
    if (args->timings && outcome.ok()) {
      Json timings = outcome.value().timings;
      rusage usage{};
      if (::getrusage(RUSAGE_SELF, &usage) == 0) timings["peakRssKiB"] = static_cast<std::int64_t>(usage.ru_maxrss);
      std::cerr << "timings: " << timings.dump() << "\n";
    }
    if (!outcome.ok()) {
      print_problems(outcome.problems());
      std::cerr << "error: nothing was written to " << args->out << ".\n";
      const Problems& problems = outcome.problems();
      if (std::any_of(problems.begin(), problems.end(),
                      [](const Problem& p) { return p.code == "csv_missing_column"; })) {
        std::cerr << "hint: name your file's columns with --receipt-column, --email-column, --phone-column, "
                     "--mobile-column and --postal-column, or all at once with --mapping (cachet export --help).\n";
      }
      exit_code = exit_code_of(outcome.problems());
      return;
    }
    if (args->format == "json") {
      std::cout << outcome.value().report.dump(2) << "\n";
    } else {
      std::cout << outcome.value().summary;
    }
    exit_code = kOk;
  });
}

struct RelayedArgs {
  std::string file, partner, db, config, key, at, format = "text";
};

void add_import_relayed(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "import-relayed",
      "Record the objections and withdrawals a partner relays (CSV: reference, channel, action, date) as receipts "
      "superseding each person's latest one.");
  auto args = std::make_shared<RelayedArgs>();
  command->add_option("--file", args->file, "Relayed file (CSV: reference, channel, action objected|withdrawn, date)")
      ->required();
  command->add_option("--partner", args->partner, "Id of the partner that relayed the requests")->required();
  command->add_option("--db", args->db, "Consent ledger: a SQLite file or a postgresql:// URL")->required();
  command->add_option("--config", args->config, "Consent config (JSON)")->required();
  command->add_option("--key", args->key, "Controller private key (JWK): countersigns the new receipts")->required();
  command->add_option("--at", args->at, "Time the receipts are issued and accepted, RFC 3339 UTC (default: now)");
  command->add_option("--format", args->format, "Report on stdout: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->callback([args, &exit_code] {
    exit_code = kUsage;
    Result<Config> config = config_from(args->config);
    if (!config.ok()) {
      print_problems(config.problems());
      exit_code = kBadInput;
      return;
    }
    Result<Json> key = load_jwk(args->key, /*need_private=*/true);
    if (!key.ok()) return print_problems(key.problems());
    Result<std::unique_ptr<ledger::ConsentStore>> store = ledger_from(args->db);
    if (!store.ok()) return print_problems(store.problems());
    const auto crypto = make_openssl_crypto();
    exporter::RelayedOptions options;
    options.file_path = args->file;
    options.partner_id = args->partner;
    options.controller_key = key.value();
    options.at = args->at;
    options.agent = "cachet-cli/" CACHET_EXPORT_VERSION;
    Result<exporter::RelayedReport> report = exporter::import_relayed(config.value(), *store.value(), *crypto, options);
    if (!report.ok()) {
      print_problems(report.problems());
      std::cerr << "error: nothing was applied.\n";
      exit_code = exit_code_of(report.problems());
      return;
    }
    if (args->format == "json") {
      std::cout << report.value().to_json().dump(2) << "\n";
    } else {
      std::cout << report.value().to_text();
    }
    // Applied lines stay applied; other outcomes ask for a look at the file.
    exit_code = report.value().all_applied_or_in_effect() ? kOk : kBadInput;
  });
}

}  // namespace

void add_export_commands(CLI::App& app, int& exit_code) {
  add_export(app, exit_code);
  add_import_relayed(app, exit_code);
}

}  // namespace cachet::cli
