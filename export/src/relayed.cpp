// Relayed objections and withdrawals (R1, R10): a partner tells the
// controller that a person objected or withdrew; the controller records it as
// a new receipt superseding the person's latest one, through the same
// acceptance path as every other receipt (ledger::accept_receipt).
#include "cachet/export/relayed.h"

#include <cstdio>
#include <ctime>
#include <memory>

#include "cachet/export/csv.h"
#include "cachet/export/export.h"
#include "cachet/jws.h"
#include "cachet/ledger/accept.h"
#include "cachet/ledger/change.h"
#include "cachet/lifecycle.h"
#include "cachet/receipt.h"

namespace cachet::exporter {
namespace {

std::string trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
}

}  // namespace

bool RelayedReport::all_applied_or_in_effect() const {
  for (const RelayedLine& l : lines) {
    if (l.outcome != kApplied && l.outcome != kAlreadyInEffect) return false;
  }
  return true;
}

Json RelayedReport::to_json() const {
  Json out = Json::object();
  out["partner"] = partner_id;
  Json counts = Json::object();
  for (const char* o : {kApplied, kAlreadyInEffect, kUnknownReference, kBadLine, kStale, kFailed}) counts[o] = 0;
  Json list = Json::array();
  for (const RelayedLine& l : lines) {
    counts[l.outcome] = counts[l.outcome].get<std::int64_t>() + 1;
    Json item = {{"line", l.line},     {"reference", l.reference}, {"channel", l.channel},
                 {"action", l.action}, {"date", l.date},           {"outcome", l.outcome}};
    if (!l.message.empty()) item["message"] = l.message;
    if (!l.new_receipt_id.empty()) item["receiptId"] = l.new_receipt_id;
    if (!l.chain_root.empty()) item["person"] = l.chain_root;
    list.push_back(item);
  }
  out["counts"] = counts;
  out["lines"] = list;
  return out;
}

std::string RelayedReport::to_text() const {
  std::string out;
  for (const RelayedLine& l : lines) {
    out += "line " + std::to_string(l.line) + ": " + l.outcome;
    if (!l.new_receipt_id.empty()) out += " (receipt " + l.new_receipt_id + ")";
    if (!l.message.empty()) out += ": " + l.message;
    out += "\n";
  }
  const Json counts = to_json()["counts"];
  out += "Relayed by " + partner_id + ":";
  for (const auto& [outcome, n] : counts.items()) {
    if (n.get<std::int64_t>() > 0) out += " " + outcome + " " + std::to_string(n.get<std::int64_t>());
  }
  if (lines.empty()) out += " no lines";
  out += ".\n";
  return out;
}

Result<RelayedReport> import_relayed(const Config& config, ledger::ConsentStore& store, const CryptoProvider& crypto,
                                     const RelayedOptions& options) {
  const Partner* partner = nullptr;
  for (const Partner& p : config.partners.entries) {
    if (p.id == options.partner_id) partner = &p;
  }
  if (partner == nullptr) {
    return Problem{"relayed_unknown_partner", "--partner",
                   "\"" + options.partner_id + "\" is not a partner of the config."};
  }
  const std::optional<std::int64_t> at_unix =
      options.at.empty() ? std::optional<std::int64_t>(std::time(nullptr)) : parse_time(options.at);
  if (!at_unix) return Problem{"relayed_bad_time", "--at", "The time must be RFC 3339 UTC (2026-11-30T10:00:00Z)."};
  const std::string at = format_time(*at_unix);

  // Read the whole file first: a malformed file applies nothing. Relayed
  // files are small (one line per request a partner received).
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(options.file_path.c_str(), "rb"), &std::fclose);
  if (!file) return Problem{"export_io", "", "Cannot read " + options.file_path + "."};
  CsvTable table(std::make_unique<CsvReader>(file.get()));
  Problems problems = table.read_header({"reference", "channel", "action", "date"});
  if (!problems.empty()) return problems;
  const auto c_ref = static_cast<std::size_t>(table.column("reference"));
  const auto c_channel = static_cast<std::size_t>(table.column("channel"));
  const auto c_action = static_cast<std::size_t>(table.column("action"));
  const auto c_date = static_cast<std::size_t>(table.column("date"));
  std::vector<RelayedLine> lines;
  std::vector<std::string> fields;
  for (;;) {
    const CsvReader::Status status = table.next(fields);
    if (status == CsvReader::Status::kEnd) break;
    if (status == CsvReader::Status::kError) {
      problems.push_back(table.error());
      continue;
    }
    RelayedLine l;
    l.line = table.line();
    l.reference = trim(fields[c_ref]);
    l.channel = trim(fields[c_channel]);
    l.action = trim(fields[c_action]);
    l.date = trim(fields[c_date]);
    lines.push_back(std::move(l));
  }
  if (std::ferror(file.get()) != 0) return Problem{"export_io", "", "Cannot read " + options.file_path + "."};
  if (!problems.empty()) {
    for (Problem& p : problems) p.message = options.file_path + ": " + p.message;
    return problems;
  }

  ledger::AcceptOptions accept;
  accept.controller_key = options.controller_key;
  accept.accepted_at = at;
  accept.expected_method = "relayed-by-partner";
  Result<Json> controller_public = public_jwk(options.controller_key);
  if (!controller_public.ok()) return controller_public.problems();
  VerifyOptions verify_options;
  verify_options.trusted_controller_key = controller_public.value();

  RelayedReport report;
  report.partner_id = partner->id;
  for (RelayedLine& l : lines) {
    // 1. The line itself.
    std::vector<const ChannelConfig*> targets;
    if (l.channel == "all") {
      for (const ChannelConfig& c : config.channels) targets.push_back(&c);
    } else if (const auto channel = channel_from_string(l.channel); channel && config.find(*channel) != nullptr) {
      targets.push_back(config.find(*channel));
    }
    const std::optional<std::int64_t> date = parse_time(l.date);
    if (l.reference.empty()) {
      l.outcome = kBadLine, l.message = "The reference is empty.";
    } else if (targets.empty()) {
      l.outcome = kBadLine, l.message = "Unknown channel \"" + l.channel + "\" (a configured channel, or all).";
    } else if (l.action != "objected" && l.action != "withdrawn") {
      l.outcome = kBadLine, l.message = "Unknown action \"" + l.action + "\" (objected or withdrawn).";
    } else if (!date) {
      l.outcome = kBadLine, l.message = "The date must be YYYY-MM-DD or RFC 3339 UTC.";
    } else if (*date > *at_unix) {
      l.outcome = kBadLine, l.message = "The date is in the future.";
    }
    if (!l.outcome.empty()) continue;

    // 2. The person, as the ledger holds them now (earlier lines may have
    // changed them). The reference is the one this partner's files name
    // (mapped back through the ledger's transfer rows), or, as files named
    // people before transfers were recorded, a receipt id of the person.
    Result<std::optional<std::string>> mapped = store.chain_root_of_reference(partner->id, l.reference);
    if (!mapped.ok()) {
      l.outcome = kFailed, l.message = mapped.problems().front().message;
      continue;
    }
    Result<ledger::PersonState> state = store.state_of(mapped.value() ? *mapped.value() : l.reference);
    if (!state.ok()) {
      if (problem_kind(state.problems()) == ProblemKind::kNotFound) {
        l.outcome = kUnknownReference,
        l.message = mapped.value() ? "The person this reference names is no longer in the ledger (erased or purged)."
                                   : "Neither a reference sent to this partner nor a receipt id in the ledger.";
      } else {
        l.outcome = kFailed, l.message = state.problems().front().message;
      }
      continue;
    }
    const ledger::PersonState& person = state.value();
    l.chain_root = person.chain_root;
    Result<VerifiedReceipt> latest = verify_receipt(person.latest.jws, crypto, verify_options);
    if (!latest.ok()) {
      l.outcome = kFailed;
      l.message = "The person's latest receipt does not verify: " + latest.problems().front().message;
      continue;
    }

    // 3. The change, as the core sees it: a request to stop each target
    // channel, dated when the person made it (R10: the latest act by the
    // person's own time wins, whatever path carried it; lifecycle.h).
    const std::optional<std::string> acted_at = act_time(l.date, at);
    Change change;
    change.collection_method = "relayed-by-partner";
    change.acted_at = acted_at.value_or(at);
    for (const ChannelConfig* t : targets) change.requested[t->channel] = stopping_decision(t->basis);
    ledger::ChangeContext context;
    context.issued_at = change.acted_at;
    context.agent = options.agent;
    context.relayed_by = partner->id;
    context.accept = accept;
    Result<ledger::RecordedChange> recorded = ledger::record_change(store, crypto, config, person, change, context);
    if (!recorded.ok()) {
      l.outcome = kFailed,
      l.message = recorded.problems().front().message + " [" + recorded.problems().front().code + "]";
      continue;
    }
    if (recorded.value().accepted) {
      l.outcome = kApplied;
      l.new_receipt_id = recorded.value().accepted->stored.receipt_id;
      continue;
    }
    // Nothing changed: say why, the most telling reason first.
    bool stale = false;
    bool informed = false;
    std::string stale_on;
    for (const auto& [channel, outcome] : recorded.value().superseding.outcomes) {
      if (outcome == ChangeOutcome::kStale) stale = true, stale_on = std::string(to_string(channel));
      if (outcome != ChangeOutcome::kNotInformed) informed = true;
    }
    if (stale) {
      l.outcome = kStale;
      l.message = "The person made a later choice on " + stale_on + " (latest receipt " + latest.value().receipt_id +
                  "); it stands.";
    } else if (!informed) {
      l.outcome = kAlreadyInEffect;
      l.message = "The person was never informed about this channel: nothing of it is passed on.";
    } else {
      l.outcome = kAlreadyInEffect;
    }
  }
  report.lines = std::move(lines);
  return report;
}

}  // namespace cachet::exporter
