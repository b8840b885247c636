#include "backend_rules.h"

#include <utility>

#include "cachet/calendar.h"
#include "cachet/canonical_json.h"
#include "cachet/ledger/digest.h"
#include "records.h"
#include "sqlite_store.h"

namespace cachet::ledger {

Problem already_superseded(const std::string& receipt_id) {
  return Problem{"ledger_already_superseded", "/supersedes", "The receipt " + receipt_id + " was already superseded."};
}

Problem tampered_problem(std::string_view id, std::int64_t seq, const std::string& what) {
  return Problem{"ledger_tampered", "/receipts/" + std::string(id),
                 "The stored receipt " + std::string(id) + " (log entry #" + std::to_string(seq) + ") " + what +
                     ": the ledger was altered behind Cachet's back, and nothing is done with it. Run `cachet "
                     "ledger verify` and restore the ledger from a backup."};
}

std::optional<Problem> broken_history(const std::vector<StoredReceipt>& history, const std::string& chain_root) {
  for (std::size_t i = 0; i < history.size(); ++i) {
    const StoredReceipt& r = history[i];
    const std::string expected = i == 0 ? std::string() : history[i - 1].receipt_id;
    if (r.supersedes != expected || (i == 0 && r.receipt_id != chain_root)) {
      return tampered_problem(r.receipt_id, r.seq,
                              "does not follow the receipt before it in its person's history (a receipt is missing)");
    }
  }
  return std::nullopt;
}

Result<std::string> publication_notices(const PublishedVersion& version, std::string_view at) {
  bool consistent = !version.canonical_config.empty() && sha256_hex(version.canonical_config) == version.digest &&
                    sha256_hex(version.partner_list) == version.partner_list_sha256 &&
                    version.notices.size() == version.notice_sha256.size() && calendar::is_utc_timestamp(at);
  Json notices = Json::object();
  for (const auto& [locale, text] : version.notices) {
    const auto digest = version.notice_sha256.find(locale);
    consistent = consistent && digest != version.notice_sha256.end() && sha256_hex(text) == digest->second;
    notices[locale] = text;
  }
  if (!consistent) {
    return Problem{"ledger_bad_publication", "",
                   "A published version must carry its canonical config, notices and partner list with their "
                   "SHA-256 digests, and an RFC 3339 UTC time."};
  }
  return canonicalize(notices);
}

Result<AppendOutcome> append_receipt(AppendSteps& steps, const NewReceipt& in) {
  auto existing = steps.find(in.receipt_id);
  if (!existing.ok()) return existing.problems();
  if (existing.value()) {
    if (existing.value()->payload_sha256 == in.payload_sha256) {
      return AppendOutcome{AppendStatus::kDuplicate, *existing.value()};
    }
    return Problem{
        "ledger_replay", "/receiptId",
        "A different receipt with the id " + in.receipt_id + " is already stored: a receipt id cannot be reused."};
  }
  // A receipt id seen before and since purged cannot come back either.
  const Result<bool> logged = steps.id_was_logged(in.receipt_id);
  if (!logged.ok()) return logged.problems();
  if (logged.value()) {
    return Problem{"ledger_replay", "/receiptId",
                   "The receipt id " + in.receipt_id + " was used before (its receipt was purged)."};
  }
  std::string chain_root = in.receipt_id;
  if (!in.supersedes.empty()) {
    auto previous = steps.find(in.supersedes);
    if (!previous.ok()) return previous.problems();
    if (!previous.value()) {
      return Problem{"ledger_unknown_supersedes", "/supersedes",
                     "The receipt supersedes " + in.supersedes + ", which the ledger does not hold."};
    }
    if (!previous.value()->superseded_by.empty()) {
      return Problem{"ledger_already_superseded", "/supersedes",
                     "The receipt " + in.supersedes + " was already superseded by " + previous.value()->superseded_by +
                         "; supersede the latest receipt instead."};
    }
    chain_root = previous.value()->chain_root;
  }
  if (!in.challenge.empty()) {
    const Result<bool> fresh = steps.use_challenge(in.challenge, in.receipt_id);
    if (!fresh.ok()) return fresh.problems();
    if (!fresh.value()) {
      return Problem{"ledger_challenge_used", "/collection/challenge",
                     "The server challenge in this receipt was already used by another receipt."};
    }
  }
  std::int64_t seq = 1;
  std::string prev;
  if (Problems problems = steps.log_head(seq, prev); !problems.empty()) return problems;
  const std::string received_at =
      in.received_at.empty() ? calendar::format_rfc3339(calendar::now_unix()) : in.received_at;
  // The compact record (schema 3): derived from the receipt the caller
  // verified, bound to the chain by its SHA-256 in the receipt's entry.
  ReceiptRecord record = sqlite::derive_record(in.receipt_id, sha256_hex(in.jws), in.payload, in.payload_sha256,
                                               in.verification, in.countersigner_kid, received_at, in.issued_at,
                                               chain_root, in.supersedes, in.collection_method, in.retention_months);
  record.entry_seq = seq;
  record.receipt_seq = seq;
  const std::string entry = receipt_entry_for(record, seq, sha256_hex(canonical_record(record)));
  const std::string hash = chain_hash(prev, entry);
  if (Problems problems = steps.write(in, record, entry, hash); !problems.empty()) return problems;
  // The receipt as find() reads it back, from what was just written: no
  // query, and the payload parsed once.
  AppendOutcome out;
  StoredReceipt& stored = out.stored;
  stored.seq = seq;
  stored.receipt_id = in.receipt_id;
  stored.jws = in.jws;
  stored.payload_sha256 = in.payload_sha256;
  stored.verification = in.verification;
  stored.countersigner_kid = in.countersigner_kid;
  stored.received_at = received_at;
  stored.issued_at = in.issued_at;
  stored.collection_method = in.collection_method;
  stored.chain_root = std::move(chain_root);
  stored.supersedes = in.supersedes;
  stored.retention_months = in.retention_months;
  stored.entry_hash = hash;
  stored.payload = Json::parse(in.payload, nullptr, false);
  if (stored.payload.is_discarded()) stored.payload = Json();
  return out;
}

}  // namespace cachet::ledger
