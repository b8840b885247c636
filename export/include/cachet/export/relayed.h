// `cachet import-relayed`: objections and withdrawals a partner received and
// relays back (R1, R10). Each line becomes a receipt superseding the person's
// latest one (collection method relayed-by-partner), accepted into the ledger
// through ledger::accept_receipt, so later exports honour it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cachet/config.h"
#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/ledger/store.h"
#include "cachet/problem.h"

namespace cachet::exporter {

struct RelayedOptions {
  std::string file_path;  // CSV: reference, channel, action, date
  std::string partner_id;
  Json controller_key;  // private JWK (countersigns the new receipts)
  std::string at;       // issue/acceptance time, RFC 3339 UTC; now when empty
  std::string agent = "cachet-cli/import-relayed";
};

// Outcomes per line (stable strings).
inline constexpr const char* kApplied = "applied";
inline constexpr const char* kAlreadyInEffect = "already-in-effect";
inline constexpr const char* kUnknownReference = "unknown-reference";
inline constexpr const char* kBadLine = "bad-line";
inline constexpr const char* kStale = "superseded-by-later-choice";  // the person chose again after the request
inline constexpr const char* kFailed = "failed";                     // ledger or signing failure

struct RelayedLine {
  std::int64_t line = 0;
  std::string reference, channel, action, date;
  std::string outcome;
  std::string message;         // why, for anything but applied
  std::string new_receipt_id;  // applied only
  std::string chain_root;
};

struct RelayedReport {
  std::string partner_id;
  std::vector<RelayedLine> lines;
  bool all_applied_or_in_effect() const;
  Json to_json() const;
  std::string to_text() const;
};

// Problems (nothing applied): csv_* for a malformed file, relayed_unknown_partner.
Result<RelayedReport> import_relayed(const Config& config, ledger::ConsentStore& store, const CryptoProvider& crypto,
                                     const RelayedOptions& options);

}  // namespace cachet::exporter
