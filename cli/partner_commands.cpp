// `cachet partner verify` (docs/export.md, "For partners: checking what you
// received"): the partner's check of a delivered file with only the
// controller's public key. The work is the export library's
// (cachet/export/partner_verify.h), the rules the core's.
#include <iostream>
#include <memory>
#include <string>

#include "cachet/export/partner_verify.h"
#include "cachet/openssl_crypto.h"
#include "command.h"
#include "support.h"

namespace cachet::cli {
namespace {

struct PartnerVerifyArgs {
  std::string file, receipts, partner, trust, format = "text";
};

void add_partner_verify(CLI::App& partner, int& exit_code) {
  auto* command = partner.add_subcommand(
      "verify",
      "Check, with the controller's public key only, that every value of a partner file was consented (email, SMS) "
      "or not objected to (postal, phone) by the person, for this partner, and is the value their receipt binds.");
  auto args = std::make_shared<PartnerVerifyArgs>();
  command->add_option("--file", args->file, "The partner file (partner-ID.csv)")->required();
  command->add_option("--receipts", args->receipts,
                      "The receipts that came with it (partner-ID.receipts.jsonl; default: beside --file)");
  command->add_option("--partner", args->partner, "Your partner id, as the controller's partner list names it")
      ->required();
  command->add_option("--trust", args->trust, "The controller's PUBLIC key (JWK), obtained from the controller")
      ->required();
  command->add_option("--format", args->format, "Result on stdout: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->callback([args, &exit_code] {
    exit_code = kUsage;
    Result<Json> key = load_jwk(args->trust, /*need_private=*/false);
    if (!key.ok()) return print_problems(key.problems());
    exporter::PartnerVerifyOptions options;
    options.csv_path = args->file;
    options.receipts_path = args->receipts;
    if (options.receipts_path.empty()) {
      const std::string suffix = ".csv";
      const bool csv = args->file.size() > suffix.size() &&
                       args->file.compare(args->file.size() - suffix.size(), suffix.size(), suffix) == 0;
      options.receipts_path =
          (csv ? args->file.substr(0, args->file.size() - suffix.size()) : args->file) + ".receipts.jsonl";
    }
    options.partner_id = args->partner;
    options.controller_key = key.value();
    const auto crypto = make_openssl_crypto();
    Result<exporter::PartnerVerifyReport> report = exporter::verify_partner_file(options, *crypto);
    if (!report.ok()) {
      // Nothing was judged: a key, file or header that is not what the command takes.
      print_problems(report.problems());
      return;
    }
    if (args->format == "json") {
      std::cout << report.value().to_json().dump(2) << "\n";
    } else {
      std::cout << report.value().to_text();
    }
    exit_code = report.value().ok() ? kOk : kBadInput;
  });
}

}  // namespace

void add_partner_commands(CLI::App& app, int& exit_code) {
  auto* partner = app.add_subcommand("partner", "Tools for partners who receive a Cachet export.");
  partner->require_subcommand(1);
  add_partner_verify(*partner, exit_code);
}

}  // namespace cachet::cli
