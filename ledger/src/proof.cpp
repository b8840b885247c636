// Proof bundles (proof.h; docs/proof.md).
#include "cachet/ledger/proof.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>
#include <utility>

#include "cachet/calendar.h"
#include "cachet/ledger/digest.h"
#include "cachet/ledger/head.h"
#include "cachet/receipt.h"
#include "records.h"

namespace cachet::ledger {
namespace {

constexpr std::size_t kMaxBundleBytes = std::size_t{256} << 20;  // segments can be long on a busy ledger
const std::string kZeroHash(64, '0');

Problem proof_problem(std::string code, std::string path, std::string message) {
  return Problem{std::move(code), std::move(path), std::move(message)};
}

std::int64_t int_member(const Json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

// The published version a receipt's notice block names: same config version,
// the notice of its locale and the partner list hashing as the receipt says.
std::optional<PublishedVersion> publication_for(ConsentStore& store, const Json& notice, Problems& problems) {
  Result<std::vector<PublishedVersion>> versions =
      store.find_published_by_version(string_at(notice, {"configVersion"}));
  if (!versions.ok()) {
    problems = versions.problems();
    return std::nullopt;
  }
  const std::string locale = string_at(notice, {"locale"});
  for (const PublishedVersion& v : versions.value()) {
    const auto sha = v.notice_sha256.find(locale);
    if (sha != v.notice_sha256.end() && sha->second == string_at(notice, {"sha256"}) &&
        v.partner_list_sha256 == string_at(notice, {"partnerListSha256"})) {
      return v;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<Json> make_proof(ConsentStore& store, const CryptoProvider& crypto, std::string_view receipt_id,
                        const ProofOptions& options) {
  Result<PersonState> state = store.state_of(receipt_id);
  if (!state.ok()) return state.problems();
  const PersonState& person = state.value();

  // The receipt asked for, then each successor (the latest says what is in force).
  std::vector<const StoredReceipt*> chain;
  for (const StoredReceipt& r : person.history) {
    if (!chain.empty() || r.receipt_id == receipt_id) chain.push_back(&r);
  }
  Json receipts = Json::array();
  std::set<std::int64_t> needed;
  std::map<std::string, PublishedVersion> publications;  // by digest
  for (const StoredReceipt* r : chain) {
    receipts.push_back(r->jws);
    needed.insert(r->seq);
    const auto notice = r->payload.find(receipt_member::kNotice);
    if (notice == r->payload.end() || !notice->is_object()) continue;
    Problems problems;
    std::optional<PublishedVersion> version = publication_for(store, *notice, problems);
    if (!problems.empty()) return problems;
    // A receipt of a version served before publications were recorded has
    // no stored notice: the bundle says so by leaving it out (verify_proof
    // reports proof_notice_missing).
    if (!version) continue;
    needed.insert(version->seq);
    publications.emplace(version->digest, std::move(*version));
  }

  Json published = Json::array();
  for (const auto& [digest, v] : publications) {
    Json notices = Json::object();
    for (const auto& [locale, text] : v.notices) notices[locale] = text;
    published.push_back({{"digest", digest},
                         {"configVersion", v.config_version},
                         {"firstServedAt", v.first_served_at},
                         {"config", v.canonical_config},
                         {"notices", std::move(notices)},
                         {"partnerList", v.partner_list}});
  }

  // Segments: from each needed entry to the first kept head at or after it,
  // runs that overlap merged into one.
  Json segments = Json::array();
  std::int64_t start = 0, end = 0;
  Json head;
  auto flush = [&]() -> Problems {
    if (start == 0) return {};
    std::string previous = kZeroHash;
    if (start > 1) {
      Result<std::optional<std::string>> hash = store.entry_hash(start - 1);
      if (!hash.ok()) return hash.problems();
      if (!hash.value()) {
        return {proof_problem("ledger_tampered", "/log/" + std::to_string(start - 1),
                              "Log entry " + std::to_string(start - 1) +
                                  " is missing; run `cachet ledger verify` to see what was altered.")};
      }
      previous = *hash.value();
    }
    Json entries = Json::array();
    Problems read = store.read_log(start, end, [&](std::int64_t, std::string_view entry, std::string_view) {
      entries.push_back(std::string(entry));
    });
    if (!read.empty()) return read;
    segments.push_back({{"previousHash", previous}, {"entries", std::move(entries)}, {"head", head}});
    return {};
  };
  for (const std::int64_t seq : needed) {
    if (start != 0 && seq <= end) continue;  // already inside the current segment
    if (Problems flushed = flush(); !flushed.empty()) return flushed;
    Result<std::optional<std::string>> covering = store.head_covering(seq);
    if (!covering.ok()) return covering.problems();
    std::optional<ChainHead> signed_head;
    if (covering.value()) {
      Result<ChainHead> parsed = verify_head(*covering.value(), crypto);
      if (!parsed.ok()) return parsed.problems();
      signed_head = parsed.value();
    } else if (options.controller_private_key) {
      Result<ChainHead> fresh = sign_and_store_head(store, *options.controller_private_key, crypto);
      if (!fresh.ok()) return fresh.problems();
      signed_head = fresh.value();
    } else {
      return Problems{proof_problem("proof_no_head", "",
                                    "No signed chain head covers log entry " + std::to_string(seq) +
                                        " yet; run again with --key (the controller key) to sign one.")};
    }
    start = seq;
    end = signed_head->seq;
    head = signed_head->jws;
  }
  if (Problems flushed = flush(); !flushed.empty()) return flushed;

  std::string created_at =
      options.created_at.empty() ? calendar::format_rfc3339(std::time(nullptr)) : options.created_at;
  return Json{
      {"version", kProofVersion},       {"createdAt", std::move(created_at)}, {"receiptId", std::string(receipt_id)},
      {"chainRoot", person.chain_root}, {"receipts", std::move(receipts)},    {"publications", std::move(published)},
      {"segments", std::move(segments)}};
}

Json ProofReport::to_json() const {
  Json out = {{"ok", true},
              {"receiptId", receipt_id},
              {"chainRoot", chain_root},
              {"receipts", receipts},
              {"latestReceiptId", latest_receipt_id},
              {"head", {{"seq", head_seq}, {"signedAt", head_signed_at}}}};
  Json shown = Json::array();
  for (const Notice& n : notices) {
    shown.push_back(
        {{"receiptId", n.receipt_id}, {"configVersion", n.config_version}, {"locale", n.locale}, {"sha256", n.sha256}});
  }
  out["notices"] = std::move(shown);
  return out;
}

Result<ProofReport> verify_proof(std::string_view bundle_text, const Json& controller_key,
                                 const CryptoProvider& crypto) {
  Result<Json> parsed = parse_json_strict(bundle_text, ParseLimits{kMaxBundleBytes, 64});
  if (!parsed.ok()) {
    return Problems{
        proof_problem("proof_malformed", "", "The bundle is not JSON: " + parsed.problems().front().message)};
  }
  const Json& bundle = parsed.value();
  if (!bundle.is_object() || string_at(bundle, {"version"}) != kProofVersion) {
    return Problems{proof_problem("proof_malformed", "/version", std::string("Not a ") + kProofVersion + " bundle.")};
  }
  const auto array_at = [&](const char* name) -> const Json* {
    const auto it = bundle.find(name);
    return it != bundle.end() && it->is_array() ? &*it : nullptr;
  };
  const Json* receipts = array_at("receipts");
  const Json* publications = array_at("publications");
  const Json* segments = array_at("segments");
  if (!receipts || receipts->empty() || !publications || !segments) {
    return Problems{proof_problem("proof_malformed", "",
                                  "A bundle has receipts (at least one), publications and segments arrays.")};
  }

  // 1. Segments: each binds its entries under a head the controller signed.
  ProofReport report;
  std::map<std::int64_t, Json> entries;  // seq -> parsed entry
  for (std::size_t i = 0; i < segments->size(); ++i) {
    const std::string at = "/segments/" + std::to_string(i);
    const Json& segment = (*segments)[i];
    if (!segment.is_object() || !segment.contains("entries") || !segment["entries"].is_array() ||
        !segment.contains("head")) {
      return Problems{proof_problem("proof_malformed", at, "A segment has previousHash, entries and head.")};
    }
    Result<ChainHead> head = verify_head(segment["head"].dump(), crypto, controller_key);
    if (!head.ok()) {
      const Problem& why = head.problems().front();
      return Problems{proof_problem("proof_head_invalid", at + "/head", why.message + " [" + why.code + "]")};
    }
    std::string hash = string_at(segment, {"previousHash"});
    std::int64_t seq = 0;
    for (std::size_t k = 0; k < segment["entries"].size(); ++k) {
      const Json& text = segment["entries"][k];
      Result<Json> entry = text.is_string() ? parse_json_strict(text.get<std::string>()) : Result<Json>(Problems{});
      if (!text.is_string() || !entry.ok() || !entry.value().is_object()) {
        return Problems{proof_problem("proof_malformed", at + "/entries/" + std::to_string(k),
                                      "A log entry is the canonical JSON text of the entry.")};
      }
      const std::int64_t entry_seq = int_member(entry.value(), "seq");
      if (k > 0 && entry_seq != seq + 1) {
        return Problems{proof_problem("proof_segment_broken", at + "/entries/" + std::to_string(k),
                                      "Log entries in a segment follow each other without gaps.")};
      }
      seq = entry_seq;
      hash = chain_hash(hash, text.get<std::string>());
      entries[seq] = std::move(entry).value();
    }
    if (seq != head.value().seq || hash != head.value().hash) {
      return Problems{proof_problem("proof_segment_broken", at,
                                    "The segment's entries do not hash to the signed head (seq " +
                                        std::to_string(head.value().seq) + "): an entry was altered or left out.")};
    }
    if (head.value().seq >= report.head_seq) {
      report.head_seq = head.value().seq;
      report.head_signed_at = head.value().signed_at;
    }
  }

  // 2. Publications: the exact texts, as their log entries state them.
  struct Shown {
    std::string digest;
    std::map<std::string, std::string> notice_sha256;
    std::string partner_list_sha256;
  };
  std::vector<Shown> shown;
  for (std::size_t i = 0; i < publications->size(); ++i) {
    const std::string at = "/publications/" + std::to_string(i);
    const Json& p = (*publications)[i];
    if (!p.is_object() || !p.contains("notices") || !p["notices"].is_object()) {
      return Problems{proof_problem("proof_malformed", at, "A publication has config, notices and partnerList.")};
    }
    Shown s;
    s.digest = sha256_hex(string_at(p, {"config"}));
    s.partner_list_sha256 = sha256_hex(string_at(p, {"partnerList"}));
    for (const auto& [locale, text] : p["notices"].items()) {
      if (text.is_string()) s.notice_sha256[locale] = sha256_hex(text.get<std::string>());
    }
    const auto logged = std::find_if(entries.begin(), entries.end(), [&](const auto& e) {
      return string_at(e.second, {"kind"}) == "publication" && string_at(e.second, {"digest"}) == s.digest;
    });
    if (logged == entries.end()) {
      return Problems{proof_problem("proof_entry_missing", at,
                                    "No publication entry in the bundle's segments has this config's digest.")};
    }
    const Json& entry = logged->second;
    const auto sha_it = entry.find("noticeSha256");
    bool same = string_at(entry, {"partnerListSha256"}) == s.partner_list_sha256 && sha_it != entry.end() &&
                sha_it->is_object() && sha_it->size() == s.notice_sha256.size();
    for (const auto& [locale, sha] : s.notice_sha256) {
      same = same && sha_it->contains(locale) && (*sha_it)[locale] == sha;
    }
    if (!same) {
      return Problems{proof_problem("proof_notice_mismatch", at,
                                    "The notices or the partner list are not the ones the publication entry logged.")};
    }
    shown.push_back(std::move(s));
  }

  // 3. Receipts: the controller's, logged, each superseding the one before.
  VerifyOptions trusted;
  trusted.trusted_controller_key = controller_key;
  Problems problems;
  std::string previous_id;
  for (std::size_t i = 0; i < receipts->size(); ++i) {
    const std::string at = "/receipts/" + std::to_string(i);
    const Json& text = (*receipts)[i];
    if (!text.is_string()) {
      return Problems{proof_problem("proof_malformed", at, "A receipt is the stored JWS text.")};
    }
    Result<VerifiedReceipt> verified = verify_receipt(text.get<std::string>(), crypto, trusted);
    if (!verified.ok()) {
      const Problem& why = verified.problems().front();
      return Problems{proof_problem("proof_receipt_invalid", at, why.message + " [" + why.code + "]")};
    }
    const VerifiedReceipt& v = verified.value();
    if (i == 0 && v.receipt_id != string_at(bundle, {"receiptId"})) {
      return Problems{proof_problem("proof_chain_broken", at, "The first receipt is not the one the bundle names.")};
    }
    if (i > 0 && string_at(v.payload, {"supersedes"}) != previous_id) {
      return Problems{proof_problem("proof_chain_broken", at, "This receipt does not supersede the one before it.")};
    }
    const auto logged = std::find_if(entries.begin(), entries.end(), [&](const auto& e) {
      return string_at(e.second, {"kind"}) == "receipt" && string_at(e.second, {"receiptId"}) == v.receipt_id;
    });
    if (logged == entries.end()) {
      return Problems{proof_problem("proof_entry_missing", at, "No log entry in the bundle stores this receipt.")};
    }
    if (string_at(logged->second, {"jwsSha256"}) != sha256_hex(text.get<std::string>()) ||
        string_at(logged->second, {"payloadSha256"}) != v.payload_sha256 ||
        string_at(logged->second, {"chainRoot"}) != string_at(bundle, {"chainRoot"})) {
      return Problems{proof_problem("proof_entry_mismatch", at,
                                    "The receipt is not the one its log entry stored (another JWS or payload, or "
                                    "another person).")};
    }
    const Json& notice = v.payload.value(receipt_member::kNotice, Json::object());
    const std::string locale = string_at(notice, {"locale"});
    const bool kept = std::any_of(shown.begin(), shown.end(), [&](const Shown& s) {
      const auto sha = s.notice_sha256.find(locale);
      return sha != s.notice_sha256.end() && sha->second == string_at(notice, {"sha256"}) &&
             s.partner_list_sha256 == string_at(notice, {"partnerListSha256"});
    });
    if (!kept) {
      problems.push_back(proof_problem("proof_notice_missing", at + "/notice",
                                       "The bundle holds no published notice with this receipt's notice hash (config "
                                       "version " +
                                           string_at(notice, {"configVersion"}) +
                                           "): what the person was shown cannot be checked."));
    }
    report.receipts.push_back(v.receipt_id);
    report.notices.push_back(
        {v.receipt_id, string_at(notice, {"configVersion"}), locale, string_at(notice, {"sha256"})});
    previous_id = v.receipt_id;
  }
  // 4. Nothing left out after the last receipt, as far as the bundle reaches.
  for (const auto& [seq, entry] : entries) {
    if (string_at(entry, {"supersedes"}) == previous_id && string_at(entry, {"kind"}) == "receipt") {
      problems.push_back(proof_problem("proof_successor_missing", "/receipts",
                                       "Log entry " + std::to_string(seq) +
                                           " supersedes the bundle's last receipt, "
                                           "which the bundle leaves out."));
    }
  }
  if (!problems.empty()) return problems;
  report.receipt_id = string_at(bundle, {"receiptId"});
  report.chain_root = string_at(bundle, {"chainRoot"});
  report.latest_receipt_id = previous_id;
  return report;
}

}  // namespace cachet::ledger
