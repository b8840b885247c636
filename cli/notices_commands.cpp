// `cachet notices import-acks` and `cachet notices overdue`: first-contact
// notices partners owe (R8; docs/export.md, "First-contact notices: tracking").
#include <iostream>
#include <memory>
#include <string>

#include "cachet/export/notices.h"
#include "command.h"
#include "ledger_open.h"
#include "support.h"

namespace cachet::cli {
namespace {

struct AckArgs {
  std::string db, partner, file, at, format = "text";
};
struct OverdueArgs {
  std::string db, at, format = "text";
};

}  // namespace

void add_notices_commands(CLI::App& app, int& exit_code) {
  auto* notices = app.add_subcommand("notices", "Track the first-contact notices partners owe (R8).");
  notices->require_subcommand(1);

  auto* acks = notices->add_subcommand(
      "import-acks",
      "Record a partner's acknowledgements that it sent the first-contact notice (CSV: reference, sent), "
      "hash-chained in the ledger. Exit 0: every line recorded (or already acknowledged); 1: some lines refused "
      "(the others are recorded) or the file is malformed (nothing recorded); 2: usage or I/O error.");
  auto ack_args = std::make_shared<AckArgs>();
  acks->add_option("--db", ack_args->db, "Consent ledger: a SQLite file or a postgresql:// URL")->required();
  acks->add_option("--partner", ack_args->partner, "Id of the partner acknowledging")->required();
  acks->add_option("--file", ack_args->file, "Acknowledgements (CSV with a header: reference, sent)")->required();
  acks->add_option("--at", ack_args->at, "Now, for refusing sent dates in the future (default: now)");
  acks->add_option("--format", ack_args->format, "Report on stdout: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  acks->callback([ack_args, &exit_code] {
    std::unique_ptr<ledger::ConsentStore> store = open_existing(ack_args->db, exit_code);
    if (!store) return;
    exporter::AckOptions options;
    options.file_path = ack_args->file;
    options.partner_id = ack_args->partner;
    options.at = ack_args->at;
    Result<exporter::AckReport> report = exporter::import_notice_acks(*store, options);
    if (!report.ok()) {
      print_problems(report.problems());
      std::cerr << "error: nothing was recorded.\n";
      exit_code = exit_code_for(problem_kind(report.problems()));
      return;
    }
    if (ack_args->format == "json") {
      std::cout << report.value().to_json().dump(2) << "\n";
    } else {
      std::cout << report.value().to_text();
    }
    exit_code = report.value().all_recorded() ? kOk : kBadInput;
  });

  auto* overdue = notices->add_subcommand(
      "overdue",
      "List the first-contact notices past their due date (first transfer + one month) that no partner "
      "acknowledged, with counts per partner. Exit 0: none overdue; 1: some overdue; 2: usage or I/O error.");
  auto overdue_args = std::make_shared<OverdueArgs>();
  overdue->add_option("--db", overdue_args->db, "Consent ledger: a SQLite file or a postgresql:// URL")->required();
  overdue->add_option("--at", overdue_args->at, "Date the report is made for, YYYY-MM-DD or RFC 3339 (default: now)");
  overdue->add_option("--format", overdue_args->format, "Report on stdout: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  overdue->callback([overdue_args, &exit_code] {
    std::unique_ptr<ledger::ConsentStore> store = open_existing(overdue_args->db, exit_code);
    if (!store) return;
    Result<exporter::NoticeReport> report = exporter::notice_report(*store, overdue_args->at);
    if (!report.ok()) {
      print_problems(report.problems());
      exit_code = exit_code_for(problem_kind(report.problems()));
      return;
    }
    if (overdue_args->format == "json") {
      std::cout << report.value().to_json().dump(2) << "\n";
    } else {
      std::cout << report.value().to_text();
    }
    exit_code = report.value().overdue.empty() ? kOk : kBadInput;
  });
}

}  // namespace cachet::cli
