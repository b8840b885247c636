// One path for every change after signup (DESIGN.md 2.1): the preference
// centre and the relayed import both fold the person's stored receipts with
// the core (consent_state), ask the core what the change does (supersede) and
// record the receipt it describes through accept_receipt. Neither decides a
// consent rule itself.
#pragma once

#include <optional>
#include <string>

#include "cachet/config.h"
#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/ledger/accept.h"
#include "cachet/ledger/store.h"
#include "cachet/lifecycle.h"
#include "cachet/problem.h"

namespace cachet::ledger {

// The person's consent state, folded from their stored receipts (oldest first).
// Problems: lifecycle_* (a stored payload is not a receipt).
[[nodiscard]] Result<ConsentState> consent_state_of(const PersonState& person);

// How the new receipt is made and stored.
struct ChangeContext {
  std::string issued_at;   // the time of the person's act, RFC 3339 UTC (lifecycle.h act_time)
  std::string page_url;    // the page that showed the current notice, when the change accepts it
  std::string agent;       // "cachet-server/0.1.0", ...
  std::string relayed_by;  // the partner, for relayed-by-partner
  AcceptOptions accept;    // controller key, acceptance time, expected method
};

// The stored receipts a change acts on still verify ("signature where
// cheap", docs/server.md, "Reads verify what they act on"): each receipt of
// the person verifies with the core (verify_receipt: about 0.1 ms), is the
// receipt and payload the ledger recorded, and is countersigned by the key
// its log entry names. state_of() already checked their bytes against the
// hash chain. Problem: ledger_tampered, path /receipts/ID.
[[nodiscard]] Problems verify_stored_signatures(const PersonState& person, const CryptoProvider& crypto);

struct RecordedChange {
  Superseding superseding;           // the core's answer, per channel
  std::optional<Accepted> accepted;  // the stored receipt; empty when nothing changed
};

// supersede(), then the receipt it describes, issued and accepted. A change
// that accepts the current list is recorded as a web form (the page showed
// the notice with its partner list and an unchecked box); any other keeps
// `change.collection_method`. Nothing is signed when a stored receipt fails
// verify_stored_signatures. Problems: ledger_tampered, lifecycle_*, the
// core's receipt_*, the ledger's ledger_* (see accept_receipt).
[[nodiscard]] Result<RecordedChange> record_change(ConsentStore& store, const CryptoProvider& crypto,
                                                   const Config& current, const PersonState& person,
                                                   const Change& change, const ChangeContext& context);

}  // namespace cachet::ledger
