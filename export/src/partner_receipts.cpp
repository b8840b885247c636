// The receipts that justify each row of a partner file, and the language of
// each person's notice (partner_receipts.h; docs/export.md, "For partners").
#include "partner_receipts.h"

#include <algorithm>
#include <utility>

#include "cachet/export/csv.h"
#include "cachet/jws.h"
#include "cachet/lifecycle.h"
#include "cachet/messages.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"

namespace cachet::exporter {

PartnerEvidence::PartnerEvidence(ledger::ConsentStore& store, std::string digest_secret, std::string default_locale)
    : store_(store),
      digest_secret_(std::move(digest_secret)),
      default_locale_(std::move(default_locale)),
      crypto_(make_openssl_crypto()) {}

Problems PartnerEvidence::open(const TempDir& temp, const std::vector<Target>& targets) {
  for (const Target& t : targets) {
    PerPartner p;
    p.receipts_name = "partner-" + file_part(t.partner_id) + ".receipts.jsonl";
    p.notices_name = "partner-notice-" + file_part(t.partner_id) + ".csv";
    p.notice_base = "partner-notice-" + file_part(t.partner_id);
    Problems problems = p.receipts->open(temp.file(p.receipts_name));
    if (problems.empty()) problems = p.notices->open(temp.file(p.notices_name));
    std::string header;
    append_csv_record(header, {"reference", "locale", "notice"});
    if (problems.empty()) problems = p.notices->write(header);
    if (!problems.empty()) return problems;
    partners_.push_back(std::move(p));
  }
  return {};
}

Problems PartnerEvidence::load(std::string_view receipt_id, std::int64_t latest_seq) {
  if (receipt_id == cached_id_ && latest_seq == cached_seq_) return {};
  cached_id_.clear();
  Result<ledger::PersonState> state = store_.state_of(receipt_id);
  if (!state.ok()) return state.problems();
  const std::vector<ledger::StoredReceipt>& history = state.value().history;
  // The chain as the export decided on it: up to the receipt at latest_seq.
  const auto latest = std::find_if(history.begin(), history.end(),
                                   [latest_seq](const ledger::StoredReceipt& r) { return r.seq == latest_seq; });
  if (latest == history.end()) {
    return {Problem{"export_ledger_changed", "--db",
                    "The ledger no longer holds the receipt the export decided on for receipt " +
                        std::string(receipt_id) + " (purged or rewritten during the export); run the export again."}};
  }
  // From the latest receipt made where the list was shown (it sets the list
  // the person accepted, R7) to the latest one; the whole chain when none did.
  auto first = history.begin();
  for (auto it = latest + 1; it != history.begin(); --it) {
    if (shows_partner_list((it - 1)->collection_method)) {
      first = it - 1;
      break;
    }
  }
  Json receipts = Json::array();
  for (auto it = first; it != latest + 1; ++it) {
    Result<Json> jws = parse_json_strict(it->jws);
    if (!jws.ok()) {
      return {Problem{"export_ledger_changed", "--db", "The stored receipt " + it->receipt_id + " is not JSON."}};
    }
    receipts.push_back(std::move(jws).value());
  }
  cached_receipts_ = receipts.dump();
  const Json& payload = latest->payload;
  const Json subject = payload.value(receipt_member::kSubject, Json::object());
  cached_key_.clear();
  if (subject_is_keyed(subject) && !digest_secret_.empty() && subject.contains(receipt_member::kSalt) &&
      subject[receipt_member::kSalt].is_string()) {
    cached_key_ = base64url_encode(
        contact_digest_key(digest_secret_, subject[receipt_member::kSalt].get<std::string>(), *crypto_));
  }
  const Json notice = payload.value(receipt_member::kNotice, Json::object());
  cached_locale_ = notice.value(receipt_member::kLocale, std::string());
  const auto& locales = supported_locales();
  if (std::find(locales.begin(), locales.end(), cached_locale_) == locales.end()) cached_locale_ = default_locale_;
  cached_id_ = receipt_id;
  cached_seq_ = latest_seq;
  return {};
}

Problems PartnerEvidence::written(std::size_t partner, std::string_view receipt_id, std::int64_t latest_seq,
                                  std::string_view reference) {
  Problems problems = load(receipt_id, latest_seq);
  if (!problems.empty()) return problems;
  PerPartner& p = partners_.at(partner);
  ++p.rows;
  line_ = "{\"row\":" + std::to_string(p.rows) + ",\"reference\":" + Json(std::string(reference)).dump() +
          ",\"receipts\":" + cached_receipts_;
  if (!cached_key_.empty()) line_ += ",\"digestKey\":\"" + cached_key_ + "\"";
  line_ += "}\n";
  problems = p.receipts->write(line_);
  if (!problems.empty()) return problems;
  line_.clear();
  append_csv_record(line_, {std::string(reference), cached_locale_, p.notice_base + "." + cached_locale_ + ".txt"});
  Json& count = p.locales[cached_locale_];
  count = count.is_number_integer() ? count.get<std::int64_t>() + 1 : 1;
  return p.notices->write(line_);
}

Result<std::vector<Json>> PartnerEvidence::close() {
  std::vector<Json> out;
  for (PerPartner& p : partners_) {
    Result<std::string> receipts = p.receipts->close();
    if (!receipts.ok()) return receipts.problems();
    Result<std::string> notices = p.notices->close();
    if (!notices.ok()) return notices.problems();
    out.push_back(
        {{"receipts", {{"file", p.receipts_name}, {"sha256", receipts.value()}, {"rows", p.rows}}},
         {"noticeLanguages", {{"file", p.notices_name}, {"sha256", notices.value()}, {"locales", p.locales}}}});
  }
  return out;
}

}  // namespace cachet::exporter
