#include "backend_rules.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <optional>
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

Problems append_entry(LogSteps& steps, const char* kind, Json entry, std::int64_t& seq, std::string& text,
                      std::string& hash) {
  std::string prev;
  if (Problems problems = steps.log_head(seq, prev); !problems.empty()) return problems;
  entry["seq"] = seq;
  text = canonical_entry(entry);
  hash = chain_hash(prev, text);
  return steps.insert_log(seq, kind, text, hash);
}

namespace {

// One {"receiptId", "entryHash", "recordEntryHash"?, "chainRoot"?} per
// removed receipt: "chainRoot" in a purge entry (it names several people).
void name_removed(const std::vector<RemovedReceipt>& removed, const std::string* chain_root, Json& out,
                  std::vector<std::string>& ids) {
  for (const RemovedReceipt& r : removed) {
    Json item = Json::object();
    item["receiptId"] = r.receipt_id;
    item["entryHash"] = r.entry_hash;
    if (r.record_entry_hash) item["recordEntryHash"] = *r.record_entry_hash;
    if (chain_root != nullptr) item["chainRoot"] = *chain_root;
    out.push_back(std::move(item));
    ids.push_back(r.receipt_id);
  }
}

}  // namespace

Result<PurgeReport> purge_expired(RemovalSteps& steps, std::int64_t now) {
  PurgeReport report;
  std::vector<LatestReceipt> latest;
  if (Problems problems = steps.latest_receipts(latest); !problems.empty()) return problems;
  std::vector<std::string> expired_roots;
  for (const LatestReceipt& person : latest) {
    const auto at = calendar::parse_rfc3339(person.received_at);
    const auto months = static_cast<int>(person.retention_months);
    if (!at || months <= 0) continue;  // no retention recorded: never purged automatically
    if (calendar::add_months(*at, months) <= now) expired_roots.push_back(person.chain_root);
  }
  if (expired_roots.empty()) return report;
  Json removed = Json::array();
  std::vector<RemovedReceipt> rows;
  for (const std::string& root : expired_roots) {
    rows.clear();
    if (Problems problems = steps.remove_person(root, rows); !problems.empty()) return problems;
    name_removed(rows, &root, removed, report.removed);
  }
  Json entry = Json::object();
  entry["kind"] = "purge";
  entry["at"] = calendar::format_rfc3339(now);
  entry["reason"] = "retention";
  entry["removed"] = removed;
  std::string text;
  std::string hash;
  if (Problems problems = append_entry(steps, "purge", std::move(entry), report.seq, text, hash); !problems.empty()) {
    return problems;
  }
  return report;
}

std::optional<Problem> bad_erasure_request(std::string_view requested_at) {
  if (calendar::is_utc_timestamp(requested_at) || calendar::is_date(requested_at)) return std::nullopt;
  return Problem{"ledger_bad_erasure", "/requestedAt",
                 "requestedAt must be when the person asked: an RFC 3339 UTC time (2026-12-01T10:00:00Z) or a "
                 "date (2026-12-01)."};
}

Result<ErasureReport> erase_person(RemovalSteps& steps, std::string_view receipt_id, std::string_view requested_at,
                                   std::int64_t now) {
  if (std::optional<Problem> bad = bad_erasure_request(requested_at)) return *bad;
  ErasureReport report;
  Result<std::optional<std::string>> root = steps.chain_root_of(receipt_id);
  if (!root.ok()) return root.problems();
  if (!root.value()) {
    return Problem{"ledger_unknown_receipt", "",
                   "No stored receipt has the id " + std::string(receipt_id) +
                       " (never stored, or its person was already erased or purged)."};
  }
  report.chain_root = *root.value();
  std::vector<RemovedReceipt> rows;
  if (Problems problems = steps.remove_person(report.chain_root, rows); !problems.empty()) return problems;
  Json removed = Json::array();
  name_removed(rows, nullptr, removed, report.removed);
  Json entry = Json::object();
  entry["kind"] = "erasure";
  entry["at"] = calendar::format_rfc3339(now);
  entry["chainRoot"] = report.chain_root;
  entry["removed"] = removed;
  entry["requestedAt"] = std::string(requested_at);
  if (Problems problems = append_entry(steps, "erasure", std::move(entry), report.seq, report.entry, report.hash);
      !problems.empty()) {
    return problems;
  }
  return report;
}

std::optional<Problem> bad_transfer_batches(const std::vector<TransferBatch>& batches) {
  for (std::size_t i = 0; i < batches.size(); ++i) {
    const TransferBatch& b = batches[i];
    const std::string path = "/" + std::to_string(i);
    if (b.partner_id.empty()) {
      return Problem{"ledger_bad_transfer", path + "/partnerId", "A transfer needs a partner id."};
    }
    if (!calendar::is_utc_timestamp(b.at)) {
      return Problem{"ledger_bad_transfer", path + "/at", "A transfer time must be RFC 3339 UTC."};
    }
    for (std::size_t r = 0; r < b.rows.size(); ++r) {
      for (const std::string& c : b.rows[r].channels) {
        if (channel_bits({c}) == 0) {
          return Problem{"ledger_bad_transfer", path + "/rows/" + std::to_string(r) + "/channels",
                         "\"" + c + "\" is not a channel (postal, phone, email, sms)."};
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<Problem> bad_notice_ack_partner(std::string_view partner_id) {
  if (!partner_id.empty()) return std::nullopt;
  return Problem{"ledger_bad_transfer", "/partnerId", "An acknowledgement needs a partner id."};
}

struct Sha256Stream::State {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256Stream::Sha256Stream() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (state_->ctx != nullptr && EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(state_->ctx);
    state_->ctx = nullptr;
  }
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(state_->ctx); }

void Sha256Stream::update(std::string_view data) {
  if (state_->ctx != nullptr) EVP_DigestUpdate(state_->ctx, data.data(), data.size());
}

std::string Sha256Stream::hex() {
  std::array<unsigned char, 32> digest{};
  unsigned int n = 0;
  if (state_->ctx == nullptr || EVP_DigestFinal_ex(state_->ctx, digest.data(), &n) != 1) return "";
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), n));
}

TransferRowsHash::TransferRowsHash(const TransferBatch& batch) {
  row_.partner_id = batch.partner_id;
  row_.at = batch.at;
  row_.file_sha256 = batch.file_sha256;
}

void TransferRowsHash::add(const TransferBatch::Row& row) {
  row_.reference = row.reference;
  row_.chain_root = row.chain_root;
  row_.channels = row.channels;
  row_.notice_due = row.notice_due;
  canonical_.clear();
  append_canonical_transfer_row(canonical_, row_);
  sha_.update(canonical_);
}

NoticeAckRowsHash::NoticeAckRowsHash(std::string_view partner_id) { row_.partner_id = std::string(partner_id); }

void NoticeAckRowsHash::add(const NoticeAck& ack) {
  row_.line = ack.line;
  row_.reference = ack.reference;
  row_.sent_at = ack.sent_at;
  canonical_.clear();
  append_canonical_notice_ack(canonical_, row_);
  sha_.update(canonical_);
}

std::string transfer_channels_text(const std::vector<std::string>& channels) {
  // Built by hand, not through Json (a million rows per export): the names
  // are the four plain-ASCII channel names, with nothing to escape.
  std::string out = "[";
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("\"").append(channels[i]).append("\"");
  }
  out.push_back(']');
  return out;
}

namespace {

// The text transfer_channels_text writes (["postal","email"]: lower-case
// names, no escapes, no spaces), read without the JSON parser: the row and
// holdings checks read every transfer row the ledger holds. Anything else:
// nullopt, and the parser reads it.
std::optional<std::vector<std::string>> plain_channels(std::string_view text) {
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') return std::nullopt;
  std::vector<std::string> out;
  std::size_t i = 1;
  const std::size_t end = text.size() - 1;
  while (i < end) {
    if (!out.empty()) {
      if (text[i] != ',') return std::nullopt;
      ++i;
    }
    if (i >= end || text[i] != '"') return std::nullopt;
    const std::size_t close = text.find('"', i + 1);
    if (close == std::string_view::npos || close >= end || close == i + 1) return std::nullopt;
    const std::string_view name = text.substr(i + 1, close - i - 1);
    if (!std::all_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; })) return std::nullopt;
    out.emplace_back(name);
    i = close + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string> transfer_channels_of(std::string_view text) {
  if (std::optional<std::vector<std::string>> plain = plain_channels(text)) return std::move(*plain);
  std::vector<std::string> out;
  const Json list = Json::parse(text, nullptr, false);
  if (!list.is_array()) return out;
  for (const Json& c : list) {
    if (c.is_string()) out.push_back(c.get<std::string>());
  }
  return out;
}

std::string transfer_entry(std::int64_t seq, const TransferBatch& batch, std::int64_t rows,
                           const std::string& rows_sha256, const std::string& holdings_sha256) {
  Json entry = {{"kind", "transfer"},
                {"seq", seq},
                {"at", batch.at},
                {"partnerId", batch.partner_id},
                {"file", batch.file},
                {"fileSha256", batch.file_sha256},
                {"rows", rows},
                {"rowsSha256", rows_sha256},
                {"holdingsSha256", holdings_sha256}};
  if (batch.file_rows >= 0) entry["fileRows"] = batch.file_rows;
  if (!batch.changes_file.empty()) {
    entry["changesFile"] = batch.changes_file;
    entry["changesSha256"] = batch.changes_sha256;
  }
  return canonical_entry(entry);
}

std::string notice_ack_entry(std::int64_t seq, std::string_view at, std::string_view partner_id,
                             std::string_view file_sha256, std::int64_t rows, const std::string& rows_sha256) {
  const Json entry = {{"kind", "notice-ack"},
                      {"seq", seq},
                      {"at", std::string(at)},
                      {"partnerId", std::string(partner_id)},
                      {"fileSha256", std::string(file_sha256)},
                      {"rows", rows},
                      {"rowsSha256", rows_sha256}};
  return canonical_entry(entry);
}

}  // namespace cachet::ledger
