// `cachet proof create|verify` (docs/proof.md): a self-contained bundle an
// inspector checks offline with the controller's public key alone.
#include <iostream>
#include <memory>

#include "cachet/ledger/proof.h"
#include "cachet/openssl_crypto.h"
#include "command.h"
#include "ledger_open.h"
#include "support.h"

namespace cachet::cli {
namespace {

void add_create(CLI::App& proof, int& exit_code) {
  auto* create = proof.add_subcommand(
      "create", "Write the proof bundle of a receipt: it and its successors, the notices shown, signed log entries.");
  auto db = std::make_shared<std::string>("./cachet.db");
  auto id = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>("-");
  create->add_option("RECEIPT_ID", *id, "The receipt to prove (any receipt of the person)")->required();
  create->add_option("--db", *db, "Ledger file or postgresql:// URL")->capture_default_str();
  create->add_option("--key", *key,
                     "Controller private key (JWK): signs a chain head when no kept head covers the receipt yet");
  create->add_option("--out", *out, "Bundle file (- for stdout)")->capture_default_str();
  create->callback([db, id, key, out, &exit_code] {
    const auto crypto = make_openssl_crypto();
    ledger::ProofOptions options;
    if (!key->empty()) {
      Result<Json> jwk = load_jwk(*key, /*need_private=*/true);
      if (!jwk.ok()) {
        print_problems(jwk.problems());
        exit_code = kUsage;
        return;
      }
      options.controller_private_key = jwk.value();
    }
    auto store = open_existing(*db, exit_code);
    if (!store) return;
    Result<Json> bundle = ledger::make_proof(*store, *crypto, *id, options);
    if (!bundle.ok()) {
      print_problems(bundle.problems());
      exit_code = exit_code_for(problem_kind(bundle.problems()));
      return;
    }
    const std::string text = bundle.value().dump(2) + "\n";
    if (*out == "-") {
      std::cout << text;
    } else if (Result<bool> written = write_file_atomic(*out, text); !written.ok()) {
      print_problems(written.problems());
      exit_code = kUsage;
      return;
    } else {
      std::cerr << "Wrote the proof bundle of " << *id << " to " << *out << ".\n";
    }
    exit_code = kOk;
  });
}

void add_verify(CLI::App& proof, int& exit_code) {
  auto* verify = proof.add_subcommand(
      "verify", "Check a proof bundle offline with the controller's public key alone; exit 1 naming what fails.");
  auto file = std::make_shared<std::string>();
  auto trust = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  verify->add_option("BUNDLE", *file, "Proof bundle (- for stdin)")->required();
  verify->add_option("--trust", *trust, "The controller's public key (JWK), obtained from the organisation")
      ->required();
  verify->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  verify->callback([file, trust, format, &exit_code] {
    const auto crypto = make_openssl_crypto();
    Result<Json> key = load_jwk(*trust, /*need_private=*/false);
    Result<std::string> text = key.ok() ? read_input(*file) : Result<std::string>(key.problems());
    if (!text.ok()) {
      print_problems(text.problems());
      exit_code = kUsage;
      return;
    }
    Result<ledger::ProofReport> report = ledger::verify_proof(text.value(), key.value(), *crypto);
    if (!report.ok()) {
      if (*format == "json") {
        std::cout << Json{{"ok", false}, {"problems", problems_to_json(report.problems())}}.dump(2) << "\n";
      } else {
        std::cerr << *file << ": the proof does not hold.\n";
        print_problems(report.problems());
      }
      exit_code = kBadInput;
      return;
    }
    const ledger::ProofReport& r = report.value();
    if (*format == "json") {
      std::cout << r.to_json().dump(2) << "\n";
    } else {
      std::cout << *file << ": the proof holds, checked with the controller key alone.\n"
                << "Receipt " << r.receipt_id << " (person " << r.chain_root << ")";
      if (r.latest_receipt_id == r.receipt_id) {
        std::cout << " is in force";
      } else {
        std::cout << " was superseded; the receipt in force is " << r.latest_receipt_id;
      }
      std::cout << " as of the signed chain head at entry " << r.head_seq << " (" << r.head_signed_at << ").\n";
      for (const auto& n : r.notices) {
        std::cout << "  " << n.receipt_id << ": notice of config version " << n.config_version << " (" << n.locale
                  << "), SHA-256 " << n.sha256 << ", its exact text in the bundle\n";
      }
    }
    exit_code = kOk;
  });
}

}  // namespace

void add_proof_commands(CLI::App& app, int& exit_code) {
  auto* proof = app.add_subcommand("proof", "Proof bundles an inspector checks offline (docs/proof.md).");
  proof->require_subcommand(1);
  add_create(*proof, exit_code);
  add_verify(*proof, exit_code);
}

}  // namespace cachet::cli
