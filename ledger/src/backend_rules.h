// What the ledger decides the same way on every backend (SQLite, PostgreSQL),
// kept once. One receipt appended: what makes an append a duplicate, a replay
// or a fork, the challenge used once, and the log entry and compact record
// written (docs/server.md, "Hash chain"). A backend supplies the steps (reads
// and writes on its own connection, inside the transaction it holds);
// append_receipt() decides what they mean. And what a published config
// version must carry to be stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/ledger/store.h"

namespace cachet::ledger {

class AppendSteps {
 public:
  virtual ~AppendSteps() = default;
  virtual Result<std::optional<StoredReceipt>> find(const std::string& receipt_id) = 0;
  // True when a log entry names the id (a receipt stored, or stored and purged).
  virtual Result<bool> id_was_logged(const std::string& receipt_id) = 0;
  // Records the challenge as used by the receipt; false when it was used already.
  virtual Result<bool> use_challenge(const std::string& challenge, const std::string& receipt_id) = 0;
  // The seq the next entry takes and the hash of the last one ("" before the first).
  virtual Problems log_head(std::int64_t& next_seq, std::string& prev_hash) = 0;
  // Writes the log entry, the receipt row and its compact record.
  virtual Problems write(const NewReceipt& in, const ReceiptRecord& record, const std::string& entry,
                         const std::string& hash) = 0;
};

Result<AppendOutcome> append_receipt(AppendSteps& steps, const NewReceipt& in);

// The receipt a `supersedes` names has been superseded meanwhile (a backend's
// write step may find it at insert time, from its unique index).
Problem already_superseded(const std::string& receipt_id);

// ledger_tampered for the stored receipt `id` (log entry `seq`): `what` says
// how its row no longer matches the chain.
Problem tampered_problem(std::string_view id, std::int64_t seq, const std::string& what);

// A person's history (root first) must link root to latest by `supersedes`;
// else ledger_tampered naming the first receipt that does not follow.
std::optional<Problem> broken_history(const std::vector<StoredReceipt>& history, const std::string& chain_root);

// A published version is stored as given, so what is stored must be what its
// digests name: its notices as canonical JSON (RFC 8785), or
// ledger_bad_publication.
Result<std::string> publication_notices(const PublishedVersion& version, std::string_view at);

}  // namespace cachet::ledger
