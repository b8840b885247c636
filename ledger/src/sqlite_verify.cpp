// Verification of the SQLite ledger: the hash chain, every stored receipt
// against its log entry (verify_chain, `cachet ledger verify`), and the
// compact records the export reads (verify_records). docs/server.md, "Hash chain".
#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <utility>

#include "cachet/ledger/digest.h"
#include "records.h"
#include "sqlite_store.h"

namespace cachet::ledger::sqlite {
namespace {

// True when `encoded` is exactly the unpadded base64url encoding (RFC 4648
// section 5) of `bytes`; encodes on the fly, without allocating.
bool b64url_equals(std::string_view bytes, std::string_view encoded) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  if (encoded.size() != (bytes.size() * 4 + 2) / 3) return false;
  std::size_t o = 0;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3, o += 4) {
    const std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    if (encoded[o] != kAlphabet[v >> 18] || encoded[o + 1] != kAlphabet[(v >> 12) & 63] ||
        encoded[o + 2] != kAlphabet[(v >> 6) & 63] || encoded[o + 3] != kAlphabet[v & 63]) {
      return false;
    }
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return true;
  std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
  if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
  if (encoded[o] != kAlphabet[v >> 18] || encoded[o + 1] != kAlphabet[(v >> 12) & 63]) return false;
  return rest == 1 || encoded[o + 2] == kAlphabet[(v >> 6) & 63];
}

// Every member of the canonical record equal (not the positions).
bool same_record(const ReceiptRecord& a, const ReceiptRecord& b) {
  auto channel = [](const ReceiptRecord::ChannelState& x, const ReceiptRecord::ChannelState& y) {
    return x.decision == y.decision && x.basis == y.basis;
  };
  return a.receipt_id == b.receipt_id && a.chain_root == b.chain_root && a.supersedes == b.supersedes &&
         a.collection_method == b.collection_method && a.countersigner_kid == b.countersigner_kid &&
         a.received_at == b.received_at && a.issued_at == b.issued_at && a.retention_months == b.retention_months &&
         a.jws_sha256 == b.jws_sha256 && a.payload_sha256 == b.payload_sha256 && a.verification == b.verification &&
         a.verified == b.verified && channel(a.postal, b.postal) && channel(a.phone, b.phone) &&
         channel(a.email, b.email) && channel(a.sms, b.sms) && a.salt == b.salt && a.digests.email == b.digests.email &&
         a.digests.phone == b.digests.phone && a.digests.mobile == b.digests.mobile &&
         a.digests.postal == b.digests.postal && a.partner_ids == b.partner_ids;
}

// True when `hex` is the lower-case hex of the 32 bytes of `raw`.
bool hex_equals(const std::array<unsigned char, 32>& raw, std::string_view hex) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (hex.size() != 64) return false;
  for (std::size_t i = 0; i < 32; ++i) {
    if (hex[2 * i] != kHex[raw[i] >> 4] || hex[2 * i + 1] != kHex[raw[i] & 15]) return false;
  }
  return true;
}

// What `ledger verify` (verify_locked) and the export's pass (verify_records_locked)
// check alike, entry by entry in seq order: no gap, the hash chain, the compact
// record an entry states rebuilds it, any other entry is well-formed, and every
// record missing is named by a later purge entry. The callers add what they
// read besides (the receipts; the records handed to the export).
class LogWalk {
 public:
  LogWalk(sqlite3* db, std::int64_t v2_before)
      : v2_before_(v2_before), record_present_(db, "SELECT entry_seq FROM records WHERE receipt_id = ?1") {}

  ChainReport report;
  Sha256Hasher sha;

  bool ok() const { return record_present_.ok(); }

  // The first five columns both walks select: seq, kind, receipt id, entry, hash.
  struct Row {
    std::int64_t seq = 0;
    std::string_view kind, id, entry, hash;  // valid until the next step()
  };
  static Row row_of(const Stmt& st) { return {st.int64(0), st.view(1), st.view(2), st.view(3), st.view(4)}; }

  void add(std::int64_t seq, std::string id, std::string code, std::string message) {
    report.problems.push_back(ChainProblem{seq, std::move(id), std::move(code), std::move(message)});
  }

  // One more entry: its seq follows the previous one and it hashes onto it.
  void chain(std::int64_t seq, std::string_view id, std::string_view entry, std::string_view hash) {
    ++report.entries;
    if (seq != expected_) {
      add(seq, std::string(id), "ledger_gap",
          "Log entry " + std::to_string(expected_) + " is missing (the next one is " + std::to_string(seq) + ").");
    }
    expected_ = seq + 1;
    const std::optional<std::array<unsigned char, 32>> computed = sha.digest(raw(prev_), entry);
    if (computed && hex_equals(*computed, hash)) {
      prev_ = *computed;
      return;
    }
    add(seq, std::string(id), "ledger_hash_mismatch",
        "Log entry " + std::to_string(seq) +
            " does not hash to its recorded value, or does not follow the entry before it: the log was edited.");
    // Go on from the stored hash, so one edit is reported once.
    const std::optional<std::string> stored = from_hex(hash);
    prev_ = {};
    if (stored && stored->size() == prev_.size()) std::copy(stored->begin(), stored->end(), prev_.begin());
  }

  // A 'record' entry, or a receipt entry written since schema 3 (before the
  // migration entry, receipt entries have the schema-1/2 form).
  bool states_record(std::string_view kind, std::int64_t seq) const {
    return kind == "record" || (kind == "receipt" && seq > v2_before_);
  }

  // The record an entry states (nullptr: none stored) must rebuild the entry,
  // its SHA-256 included; a missing one is remembered for the purge entries.
  // True when it does; canonical() then holds the record's canonical text.
  bool check_stated_record(std::int64_t seq, std::string_view kind, std::string_view id, std::string_view entry,
                           std::string_view hash, const ReceiptRecord* record) {
    if (record == nullptr) {
      absent_records_[std::string(id)] = Absent{seq, std::string(hash)};
      return false;
    }
    canonical_record_into(canonical_, *record);
    const std::string record_hash = sha.hex(canonical_);
    const bool own = kind == "receipt";
    if (own) {
      receipt_entry_for_into(rebuilt_, *record, seq, record_hash);
    } else {
      rebuilt_ = record_entry(seq, record->receipt_id, record->receipt_seq, record_hash);
    }
    if (rebuilt_ == entry && (own ? record->receipt_seq == seq : v2_before_ != 0 && record->receipt_seq < v2_before_)) {
      return true;
    }
    add(seq, record->receipt_id, "ledger_record_mismatch",
        "The compact record of receipt " + record->receipt_id + " no longer matches its log entry " +
            std::to_string(seq) + ": it was edited after it was recorded.");
    return false;
  }
  const std::string& canonical() const { return canonical_; }

  // Any other entry is read: a JSON object naming its own seq and kind.
  std::optional<Json> parse_entry(std::int64_t seq, std::string_view kind, std::string_view id,
                                  std::string_view entry) {
    Json parsed = Json::parse(entry, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("seq") || !parsed["seq"].is_number_integer() ||
        parsed["seq"].get<std::int64_t>() != seq || !parsed.contains("kind") || !parsed["kind"].is_string() ||
        parsed["kind"].get<std::string>() != kind) {
      add(seq, std::string(id), "ledger_bad_entry",
          "Log entry " + std::to_string(seq) + " is not a well-formed entry.");
      return std::nullopt;
    }
    return parsed;
  }

  // One receipt a purge entry names (receiptId, entryHash, recordEntryHash):
  // its record is accounted for when it was missing from the entry those
  // hashes name; a record still stored is reported, unless `reported` (the
  // caller reported the receipt itself). False when the database failed.
  bool purge_record(const std::string& rid, const std::string& entry_hash, const std::string& record_hash,
                    bool reported) {
    const auto it = absent_records_.find(rid);
    if (it != absent_records_.end() &&
        (it->second.hash == entry_hash || (!record_hash.empty() && it->second.hash == record_hash))) {
      it->second.purged = true;
      return true;
    }
    // Purged before schema 3 (it never had a record), or still stored.
    record_present_.reset();
    record_present_.bind(1, rid);
    const int rc = record_present_.step();
    if (rc == SQLITE_ROW && !reported) {
      add(record_present_.int64(0), rid, "ledger_purged_receipt_present",
          "The compact record of receipt " + rid + " was recorded as purged but is still stored.");
    }
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
  }

  // A stored receipt without a record: where its record went missing (the
  // entry that stated it), forgetting it as absent; `fallback` when no entry did.
  std::int64_t take_missing_record(const std::string& rid, std::int64_t fallback) {
    const auto it = absent_records_.find(rid);
    if (it == absent_records_.end()) return fallback;
    const std::int64_t seq = it->second.seq;
    absent_records_.erase(it);
    return seq;
  }

  // After the last entry: the head, records missing without a purge, and
  // the problems in log order.
  ChainReport finish() {
    report.head = report.entries == 0 ? std::string() : to_hex(raw(prev_));
    for (const auto& [rid, a] : absent_records_) {
      if (!a.purged) {
        add(a.seq, rid, "ledger_record_missing",
            "The compact record of receipt " + rid + " (log entry " + std::to_string(a.seq) +
                ") was deleted without a purge or erasure entry.");
      }
    }
    std::stable_sort(report.problems.begin(), report.problems.end(),
                     [](const ChainProblem& a, const ChainProblem& b) { return a.seq < b.seq; });
    return std::move(report);
  }

  static std::string_view raw(const std::array<unsigned char, 32>& a) {
    return std::string_view(reinterpret_cast<const char*>(a.data()), a.size());
  }

 private:
  struct Absent {  // an entry whose record is not stored
    std::int64_t seq = 0;
    std::string hash;
    bool purged = false;
  };
  std::int64_t v2_before_;
  Stmt record_present_;
  std::int64_t expected_ = 1;
  std::array<unsigned char, 32> prev_{};
  std::unordered_map<std::string, Absent> absent_records_;
  std::string canonical_;
  std::string rebuilt_;
};

// A 'publication' entry (schema 4): the version stored at its seq rebuilds
// it byte for byte, every digest recomputed from the stored bytes, so an
// edited notice, partner list or config is caught. False when the database failed.
bool check_publication(sqlite3* db, LogWalk& walk, std::int64_t seq, std::string_view entry) {
  Stmt st(db,
          "SELECT digest, config_version, canonical_config, notices, partner_list, first_served_at FROM "
          "publications WHERE seq = ?1");
  if (!st.ok()) return false;
  st.bind(1, seq);
  const int rc = st.step();
  if (rc == SQLITE_DONE) {
    walk.add(seq, "", "ledger_publication_missing",
             "The published config version of log entry " + std::to_string(seq) + " was deleted.");
    return true;
  }
  if (rc != SQLITE_ROW) return false;
  PublishedVersion v;
  v.digest = walk.sha.hex(st.view(2));
  v.config_version = st.text(1);
  v.first_served_at = st.text(5);
  v.partner_list_sha256 = walk.sha.hex(st.view(4));
  const Json notices = Json::parse(st.view(3), nullptr, false);
  if (notices.is_object()) {
    for (const auto& [locale, text] : notices.items()) {
      v.notice_sha256[locale] = text.is_string() ? walk.sha.hex(text.get_ref<const std::string&>()) : std::string();
    }
  }
  const Json config = Json::parse(st.view(2), nullptr, false);
  const bool named = config.is_object() && config.value("configVersion", Json()) == Json(v.config_version);
  if (st.text(0) != v.digest || !named || publication_entry(seq, v) != entry) {
    walk.add(seq, "", "ledger_publication_mismatch",
             "The published config version of log entry " + std::to_string(seq) +
                 " no longer matches its entry: its config, notices or partner list were edited.");
  }
  return true;
}

// Published versions that no 'publication' entry states.
bool check_unlogged_publications(sqlite3* db, LogWalk& walk) {
  Stmt st(db,
          "SELECT p.seq FROM publications p LEFT JOIN log l ON l.seq = p.seq WHERE l.seq IS NULL OR "
          "l.kind <> 'publication'");
  if (!st.ok()) return false;
  int rc = SQLITE_OK;
  while ((rc = st.step()) == SQLITE_ROW) {
    walk.add(st.int64(0), "", "ledger_unlogged_publication",
             "A published config version has no log entry stating it: it was inserted behind the ledger's back.");
  }
  return rc == SQLITE_DONE;
}

}  // namespace

// The log entry a stored receipt rebuilds (verify_chain and the reads alike):
// its columns, the SHA-256 of its JWS and, in the schema-3 form, the SHA-256
// of the compact record its payload derives.
std::string receipt_entry_of(const ReceiptRecord& derived, std::int64_t seq, bool states_record, Sha256Hasher& sha) {
  if (!states_record) return receipt_entry_for(derived, seq, std::string_view());  // the schema-1/2 form
  return receipt_entry_for(derived, seq, sha.hex(canonical_record(derived)));
}

// True when `hash` is the hex SHA-256 of the bytes `prev_hash` (hex; empty
// for the first entry: 32 zero bytes) followed by `entry`.
bool links_onto(std::string_view prev_hash, std::string_view entry, std::string_view hash, Sha256Hasher& sha) {
  std::array<unsigned char, 32> prev{};
  if (!prev_hash.empty()) {
    const std::optional<std::string> bytes = from_hex(prev_hash);
    if (!bytes || bytes->size() != prev.size()) return false;
    std::copy(bytes->begin(), bytes->end(), prev.begin());
  }
  const std::optional<std::array<unsigned char, 32>> computed = sha.digest(LogWalk::raw(prev), entry);
  return computed && hex_equals(*computed, hash);
}

// One pass over the log in seq order, each entry joined with the compact
// record it states and the receipt stored at its position (for a 'record'
// entry: the receipt the record came from), so memory stays flat however
// long the ledger is (only receipts and records logged but no longer
// stored are remembered, to be matched with purge entries). Then one pass
// for stored receipts and records that no entry accounts for.
Result<ChainReport> SqliteStore::verify_locked() {
  std::int64_t v2_before = 0;
  if (!migration_seq(v2_before)) return io_problem("read log", db_);
  LogWalk walk(db_, v2_before);
  Sha256Hasher& sha = walk.sha;
  auto add = [&walk](std::int64_t seq, std::string id, std::string code, std::string message) {
    walk.add(seq, std::move(id), std::move(code), std::move(message));
  };
  struct Absent {  // a receipt entry whose receipt is not stored at its position
    std::int64_t seq = 0;
    std::string hash;
    bool purged = false;
  };
  std::unordered_map<std::string, Absent> absent;

  const std::string sql =
      std::string(
          "SELECT l.seq, l.kind, IFNULL(l.receipt_id, ''), l.entry, l.hash, r.receipt_id, r.jws, r.payload, "
          "r.payload_sha256, r.verification, r.countersigner_kid, r.received_at, r.issued_at, r.chain_root, "
          "IFNULL(r.supersedes, ''), r.collection_method, r.retention_months, ") +
      kRecordColumns +
      // A receipt logged before schema 3 is joined with the record back-filled
      // for it (checked against it here, where its payload is read anyway);
      // any other entry with the record it states.
      " FROM log l LEFT JOIN receipts r ON r.seq = l.seq LEFT JOIN records c ON c.entry_seq = "
      "(CASE WHEN l.kind = 'receipt' AND l.seq < ?1 THEN (SELECT b.entry_seq FROM records b WHERE "
      "b.receipt_seq = l.seq) ELSE l.seq END) ORDER BY l.seq";
  constexpr int kRecordAt = 17;
  Stmt log(db_, sql.c_str());
  if (!log.ok()) return io_problem("read log", db_);
  log.bind(1, v2_before);
  Stmt prior(db_,
             "SELECT l.seq, l.hash, EXISTS (SELECT 1 FROM receipts r WHERE r.receipt_id = l.receipt_id) FROM log l "
             "WHERE l.receipt_id = ?1 AND l.kind = 'receipt' AND l.seq < ?2 ORDER BY l.seq DESC LIMIT 1");
  if (!prior.ok() || !walk.ok()) return io_problem("read log", db_);
  ReceiptRecord stored_record;
  // The record the receipt joined at columns 5.. derives (its payload parsed).
  auto derived_from_row = [&](std::string_view jws_sha256) {
    return derive_record(log.view(5), jws_sha256, log.view(7), log.view(8), log.view(9), log.view(10), log.view(11),
                         log.view(12), log.view(13), log.view(14), log.view(15), log.int64(16));
  };
  int rc = SQLITE_OK;
  while ((rc = log.step()) == SQLITE_ROW) {
    const LogWalk::Row row = LogWalk::row_of(log);
    const std::int64_t seq = row.seq;  // plain locals: the lambdas below capture them
    const std::string_view kind = row.kind, entry = row.entry, hash = row.hash;
    const std::string id(row.id);
    walk.chain(seq, id, entry, hash);

    const bool has_record = !log.is_null(kRecordAt);
    if (has_record) read_record(log, kRecordAt, stored_record);
    const bool stated_here = walk.states_record(kind, seq);

    // The compact record this entry states: it must rebuild the entry.
    bool record_ok = false;
    if (stated_here) {
      record_ok = walk.check_stated_record(seq, kind, id, entry, hash, has_record ? &stored_record : nullptr);
      if (kind == "record") continue;
    }

    const bool stored_here = kind == "receipt" && !log.is_null(5);
    const std::string row_id = stored_here ? log.text(5) : std::string();
    if (stored_here) {
      // The usual case: the stored receipt rebuilds its entry byte for byte
      // (which also proves the entry well-formed, of kind receipt, at this
      // seq); from schema 3 on, with the SHA-256 of the record it derives.
      const std::string_view jws = log.view(6);
      const std::string jws_sha256 = sha.hex(jws);
      std::optional<bool> payload_ok;  // hashed once, when first needed
      auto payload_matches_entry = [&] {
        if (!payload_ok) payload_ok = payload_matches(jws, log.view(7), log.view(8), sha);
        return *payload_ok;
      };
      auto report_payload = [&] {
        add(seq, row_id, "ledger_payload_mismatch",
            "The stored receipt " + row_id + " does not carry the payload its log entry records.");
      };
      auto report_record = [&] {
        add(seq, row_id, "ledger_record_mismatch",
            "The compact record of receipt " + row_id + " does not match the receipt it was made from.");
      };
      // The receipt rebuilds its entry: the entry must name it, and its payload column be the JWS's.
      auto check_rebuilt = [&] {
        if (row_id != id) {
          add(seq, id, "ledger_bad_entry", "Log entry " + std::to_string(seq) + " names another receipt.");
        }
        if (!payload_matches_entry()) report_payload();
      };
      std::string rebuilt;
      if (stated_here) {
        const ReceiptRecord derived = derived_from_row(jws_sha256);
        if (record_ok && same_record(derived, stored_record)) {
          // The receipt derives the very record that rebuilt this entry:
          // it rebuilds it too.
          check_rebuilt();
          continue;
        }
        rebuilt = receipt_entry_of(derived, seq, true, sha);
        if (rebuilt != entry && has_record && receipt_entry_for(derived, seq, sha.hex(walk.canonical())) == entry) {
          // Its columns match the entry, what its payload derives does not:
          // the payload was edited (or the stored record, reported above).
          if (!payload_matches_entry()) {
            report_payload();
          } else {
            report_record();
          }
          continue;
        }
      } else {
        ReceiptRecord derived = derived_from_row(jws_sha256);
        rebuilt = receipt_entry_of(derived, seq, false, sha);
        if (rebuilt == entry && has_record) {
          // The record back-filled for this receipt must be the one it derives.
          if (!payload_matches_entry()) derived.verified = false;  // as the migration
          if (!same_record(derived, stored_record) && canonical_record(derived) != canonical_record(stored_record)) {
            report_record();
          }
        }
      }
      if (rebuilt == entry) {
        check_rebuilt();
        continue;
      }
    }

    // Anything else: read the entry itself.
    const std::optional<Json> entry_json = walk.parse_entry(seq, kind, id, entry);
    if (!entry_json) continue;
    const Json& parsed = *entry_json;
    if (kind == "receipt") {
      if (string_at(parsed, {"receiptId"}) != id) {
        add(seq, id, "ledger_bad_entry", "Log entry " + std::to_string(seq) + " names another receipt.");
      }
      if (stored_here) {
        add(seq, row_id, "ledger_entry_mismatch",
            "The stored receipt " + row_id + " no longer matches its log entry " + std::to_string(seq) +
                ": it was edited after it was recorded.");
      }
      if (!stored_here || row_id != id) absent[id] = Absent{seq, std::string(hash)};
    } else if (kind == "publication") {
      if (!check_publication(db_, walk, seq, entry)) return io_problem("read publications", db_);
    } else if (kind == "transfer" || kind == "notice-ack") {
      bool io_failed = false;
      if (auto problem = check_transfer_entry(db_, seq, parsed, io_failed)) walk.report.problems.push_back(*problem);
      if (io_failed) return io_problem("read transfers", db_);
    } else if (kind == "purge" || kind == "erasure") {
      // A person's erasure removes their receipts as a purge does.
      const Json removed = parsed.value("removed", Json::array());
      for (const Json& r : removed.is_array() ? removed : Json::array()) {
        const std::string rid = string_at(r, {"receiptId"});
        const std::string rhash = string_at(r, {"entryHash"});
        const std::string record_hash = string_at(r, {"recordEntryHash"});
        bool present = false;
        auto it = absent.find(rid);
        if (it != absent.end() && it->second.hash == rhash) {
          it->second.purged = true;
        } else {
          // Named by the purge but still stored (or never logged).
          prior.reset();
          prior.bind(1, rid).bind(2, seq);
          const int prc = prior.step();
          if (prc == SQLITE_ROW && prior.text(1) == rhash && prior.int64(2) == 1) {
            present = true;
            add(prior.int64(0), rid, "ledger_purged_receipt_present",
                "The receipt " + rid + " was recorded as purged but is still stored.");
          } else if (prc == SQLITE_ROW || prc == SQLITE_DONE) {
            add(seq, rid, "ledger_purge_mismatch",
                (kind == "purge" ? "Purge entry " : "Erasure entry ") + std::to_string(seq) + " names a receipt (" +
                    rid + ") the log does not hold.");
          } else {
            return io_problem("read log", db_);
          }
        }
        if (!walk.purge_record(rid, rhash, record_hash, present)) return io_problem("read records", db_);
      }
    }
  }
  if (rc != SQLITE_DONE) return io_problem("read log", db_);

  // Stored receipts that no receipt entry at their position accounts for.
  Stmt orphans(db_,
               "SELECT r.seq, r.receipt_id, (SELECT m.seq FROM log m WHERE m.receipt_id = r.receipt_id AND "
               "m.kind = 'receipt' ORDER BY m.seq DESC LIMIT 1) FROM receipts r LEFT JOIN log l ON l.seq = r.seq "
               "WHERE l.seq IS NULL OR l.kind <> 'receipt' OR IFNULL(l.receipt_id, '') <> r.receipt_id");
  if (!orphans.ok()) return io_problem("read receipts", db_);
  while ((rc = orphans.step()) == SQLITE_ROW) {
    const std::string id = orphans.text(1);
    if (orphans.is_null(2)) {
      add(orphans.int64(0), id, "ledger_unlogged_receipt",
          "The stored receipt " + id + " has no entry in the log: it was inserted behind the ledger's back.");
      continue;
    }
    const std::int64_t logged_seq = orphans.int64(2);
    auto it = absent.find(id);
    if (it != absent.end()) {
      if (it->second.purged) {
        add(logged_seq, id, "ledger_purged_receipt_present",
            "The receipt " + id + " was recorded as purged but is still stored.");
      }
      absent.erase(it);  // stored, elsewhere: not missing
    }
    add(logged_seq, id, "ledger_entry_mismatch",
        "The stored receipt " + id + " no longer matches its log entry " + std::to_string(logged_seq) +
            ": it was edited after it was recorded.");
  }
  if (rc != SQLITE_DONE) return io_problem("read receipts", db_);
  for (const auto& [id, a] : absent) {
    if (!a.purged) {
      add(a.seq, id, "ledger_receipt_missing",
          "The receipt " + id + " (log entry " + std::to_string(a.seq) +
              ") was deleted without a purge or erasure entry.");
    }
  }
  // Compact records that no entry states, and stored receipts without one.
  Stmt unlogged(db_,
                "SELECT c.entry_seq, c.receipt_id FROM records c LEFT JOIN log l ON l.seq = c.entry_seq "
                "WHERE (l.seq IS NULL AND c.entry_seq > IFNULL((SELECT max(seq) FROM log), 0)) "
                "OR (l.seq IS NOT NULL AND (l.kind NOT IN ('receipt', 'record') OR "
                "IFNULL(l.receipt_id, '') <> c.receipt_id OR (l.kind = 'receipt' AND l.seq <= ?1)))");
  if (!unlogged.ok()) return io_problem("read records", db_);
  unlogged.bind(1, v2_before);
  while ((rc = unlogged.step()) == SQLITE_ROW) {
    const std::string id = unlogged.text(1);
    add(unlogged.int64(0), id, "ledger_unlogged_record",
        "The compact record of receipt " + id +
            " has no entry in the log stating it: it was inserted or moved "
            "behind the ledger's back.");  // (one in a gap of the log is that gap's: ledger_gap)
  }
  if (rc != SQLITE_DONE) return io_problem("read records", db_);
  Stmt without(db_,
               "SELECT r.seq, r.receipt_id FROM receipts r LEFT JOIN records c ON c.receipt_seq = r.seq "
               "WHERE c.entry_seq IS NULL AND EXISTS (SELECT 1 FROM log l WHERE l.seq = r.seq AND "
               "l.kind = 'receipt' AND l.receipt_id = r.receipt_id)");  // else: ledger_unlogged_receipt
  if (!without.ok()) return io_problem("read records", db_);
  while ((rc = without.step()) == SQLITE_ROW) {
    const std::string id = without.text(1);
    add(walk.take_missing_record(id, without.int64(0)), id, "ledger_record_missing",
        "The compact record of receipt " + id + " was deleted.");
  }
  if (rc != SQLITE_DONE) return io_problem("read records", db_);
  if (!check_unlogged_publications(db_, walk)) return io_problem("read publications", db_);
  if (!check_unlogged_transfers(db_, walk.report.problems)) return io_problem("read transfers", db_);
  Stmt count(db_, "SELECT count(*) FROM receipts");
  if (count.step() != SQLITE_ROW) return io_problem("count receipts", db_);
  walk.report.receipts = count.int64(0);
  return walk.finish();
}

// verify_records: the log joined with the compact records only (no
// receipts, no JWS, no payload parse). Per entry: the hash chain; for an
// entry that states a record, the record rebuilds it (its SHA-256 is the
// entry's recordSha256), then `visit`; a record missing must be named by a
// later purge entry; a purge entry must not name a record still stored.
Result<ChainReport> SqliteStore::verify_records_locked(const std::function<void(const ReceiptRecord&)>& visit) {
  std::int64_t v2_before = 0;
  if (!migration_seq(v2_before)) return io_problem("read log", db_);
  LogWalk walk(db_, v2_before);
  const std::string sql = std::string("SELECT l.seq, l.kind, IFNULL(l.receipt_id, ''), l.entry, l.hash, ") +
                          kRecordColumns + " FROM log l LEFT JOIN records c ON c.entry_seq = l.seq ORDER BY l.seq";
  constexpr int kRecordAt = 5;
  Stmt log(db_, sql.c_str());
  if (!log.ok() || !walk.ok()) return io_problem("read log", db_);
  ReceiptRecord record;
  int rc = SQLITE_OK;
  while ((rc = log.step()) == SQLITE_ROW) {
    const auto [seq, kind, id, entry, hash] = LogWalk::row_of(log);
    walk.chain(seq, id, entry, hash);
    const bool has_record = !log.is_null(kRecordAt);
    if (walk.states_record(kind, seq)) {
      if (has_record) read_record(log, kRecordAt, record);
      if (walk.check_stated_record(seq, kind, id, entry, hash, has_record ? &record : nullptr)) {
        ++walk.report.receipts;
        visit(record);
      }
      continue;
    }
    if (has_record) {
      walk.add(seq, log.text(kRecordAt + 2), "ledger_unlogged_record",
               "A compact record sits on log entry " + std::to_string(seq) +
                   ", which states none: it was inserted behind the ledger's back.");
    }
    if (kind == "receipt") continue;  // logged before schema 3: a 'record' entry states its record
    const std::optional<Json> parsed = walk.parse_entry(seq, kind, id, entry);
    if (parsed && kind == "publication" && !check_publication(db_, walk, seq, entry)) {
      return io_problem("read publications", db_);
    }
    if (parsed && (kind == "transfer" || kind == "notice-ack")) {
      bool io_failed = false;
      if (auto problem = check_transfer_entry(db_, seq, *parsed, io_failed)) walk.report.problems.push_back(*problem);
      if (io_failed) return io_problem("read transfers", db_);
    }
    if (!parsed || (kind != "purge" && kind != "erasure")) continue;
    const Json removed = parsed->value("removed", Json::array());
    for (const Json& r : removed.is_array() ? removed : Json::array()) {
      if (!walk.purge_record(string_at(r, {"receiptId"}), string_at(r, {"entryHash"}),
                             string_at(r, {"recordEntryHash"}), false)) {
        return io_problem("read records", db_);
      }
    }
  }
  if (rc != SQLITE_DONE) return io_problem("read log", db_);
  if (!check_unlogged_publications(db_, walk)) return io_problem("read publications", db_);
  if (!check_unlogged_transfers(db_, walk.report.problems)) return io_problem("read transfers", db_);
  return walk.finish();
}

// The payload column must be exactly the JWS payload (base64url-decoded)
// and hash to the digest the log entry records.
bool SqliteStore::payload_matches(std::string_view jws, std::string_view payload, std::string_view payload_sha256,
                                  Sha256Hasher& sha) {
  if (sha.hex(payload) != payload_sha256) return false;
  // Fast path: the ledger stores the JWS as serialised by nlohmann/json
  // (members sorted), so it opens with the payload member. Compare the
  // encoded bytes in place; anything else gets the full parse.
  constexpr std::string_view kOpen = "{\"payload\":\"";
  if (jws.substr(0, kOpen.size()) == kOpen) {
    const std::size_t end = kOpen.size() + (payload.size() * 4 + 2) / 3;  // unpadded base64url length
    if (jws.size() > end && jws[end] == '"' && b64url_equals(payload, jws.substr(kOpen.size(), end - kOpen.size())) &&
        jws.find("\"payload\"", end) == std::string_view::npos) {
      return true;  // the only payload member, and it is this one
    }
  }
  const Json jws_json = Json::parse(jws, nullptr, false);
  if (jws_json.is_discarded() || !jws_json.is_object() || !jws_json.value("payload", Json()).is_string()) {
    return false;
  }
  const std::optional<std::string> decoded = b64url_decode(jws_json["payload"].get<std::string>());
  return decoded && *decoded == payload;
}

}  // namespace cachet::ledger::sqlite
