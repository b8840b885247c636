#include "cachet/problem.h"

namespace cachet {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

}  // namespace

ProblemKind problem_kind(std::string_view code) {
  // Storage and I/O: the input may be fine, the machine was not.
  if (code == "ledger_io" || code == "export_io" || code == "io_error" || starts_with(code, "io_")) {
    return ProblemKind::kUnavailable;
  }
  // The ledger's history never forks nor is rewritten (docs/server.md).
  // ledger_tampered: the stored state contradicts its own hash chain; nothing
  // is done with it until `cachet ledger verify` passes again.
  if (code == "ledger_replay" || code == "ledger_already_superseded" || code == "ledger_challenge_used" ||
      code == "ledger_tampered") {
    return ProblemKind::kConflict;
  }
  if (code == "export_bad_out" || code == "export_bad_time" || code == "export_out_exists" ||
      code == "relayed_bad_time" || code == "relayed_unknown_partner" || code == "proof_no_head" ||
      code == "export_no_signed_head" || code == "export_head_needs_key" || code == "rights_bad_contact" ||
      code == "ledger_bad_erasure") {
    return ProblemKind::kUsage;
  }
  // (A receipt superseding an unknown one is itself invalid: kInvalid.)
  if (code == "ledger_unknown_receipt") return ProblemKind::kNotFound;
  return ProblemKind::kInvalid;
}

ProblemKind problem_kind(const std::vector<Problem>& problems) {
  return problems.empty() ? ProblemKind::kInvalid : problem_kind(problems.front().code);
}

int exit_code_for(ProblemKind kind) { return kind == ProblemKind::kUnavailable || kind == ProblemKind::kUsage ? 2 : 1; }

int http_status_for(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::kInvalid:
      return 422;
    case ProblemKind::kConflict:
      return 409;
    case ProblemKind::kNotFound:
      return 404;
    case ProblemKind::kUsage:
      return 400;
    case ProblemKind::kUnavailable:
      return 503;
  }
  return 500;
}

}  // namespace cachet
