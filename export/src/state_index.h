// The export's in-memory index of every person's current state (private to
// export/). Built in one pass over the ledger's compact records
// (ConsentStore::verify_records), before the contact file is read, so that each
// contact row costs one hash lookup: any receipt id of a chain resolves to
// the person's latest state (R10).
//
// Compact on purpose (about 200 bytes a person plus about 40 a receipt id):
// decisions are codes, digests raw bytes, salts live in one arena and partner
// lists are interned bit sets over the config's partners.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cachet/config.h"
#include "cachet/ledger/store.h"

namespace cachet::exporter {

struct Uuid128 {
  std::uint64_t hi = 0, lo = 0;
  bool operator==(const Uuid128& o) const { return hi == o.hi && lo == o.lo; }
};
struct Uuid128Hash {
  std::size_t operator()(const Uuid128& u) const {
    return static_cast<std::size_t>((u.hi ^ (u.lo * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull >> 17);
  }
};
// Lower-case canonical UUIDs only (what the ledger stores); nullopt otherwise.
std::optional<Uuid128> parse_uuid(std::string_view s);
std::string format_uuid(const Uuid128& u);

// A decision as recorded in a receipt, reduced to a code.
enum class DecisionCode : std::uint8_t {
  kNoneDecision,  // absent or unknown
  kGrantedDecision,
  kNotGrantedDecision,
  kObjectedDecision,
  kNotObjectedDecision,
  kWithdrawnDecision
};
DecisionCode decision_code(std::string_view decision);

// Contact kinds a receipt binds (subject.digests), in this order.
enum class ContactKind : std::uint8_t { kEmail, kPhone, kMobile, kPostal };
const char* contact_kind_name(ContactKind kind);  // "email", "phone", "mobile", "postal"

struct PersonRecord {
  std::array<std::array<unsigned char, 32>, 4> digests{};  // by ContactKind, raw SHA-256
  std::int64_t latest_seq = 0;
  std::int64_t retention_until = 0;  // seconds; kNoRetention when none
  std::uint64_t salt_at = 0;         // offset in the salt arena
  Uuid128 root;                      // chain root (the person; partners get ledger::transfer_reference of it)
  std::uint32_t list = 0;  // the bound partner list (lifecycle.h bound_partner_list), kNoList before the first receipt
  std::uint32_t other_root = 0;  // index of a chain root that is not a UUID (kNoList: none)
  std::uint16_t salt_len = 0;
  std::array<std::uint8_t, 4> channel{};  // by Channel: DecisionCode | kConsentBasis
  std::uint8_t digest_mask = 0;           // bit per ContactKind: a well-formed digest (64 lower-case hex)
  std::uint8_t digest_named = 0;          // bit per ContactKind: the receipt names a digest for it
  std::uint8_t flags = 0;

  static constexpr std::int64_t kNoRetention = INT64_MAX;
  static constexpr std::uint32_t kNoList = UINT32_MAX;
  static constexpr std::uint8_t kConsentBasis = 0x80;
  // kBoundInvalid: a receipt the bound list rests on (since the last one that
  // showed the list) must not be relied on.
  static constexpr std::uint8_t kLatestInvalid = 1, kBoundInvalid = 2, kSeen = 8, kInvalid = 16;

  DecisionCode decision(Channel c) const {
    return static_cast<DecisionCode>(channel[static_cast<std::size_t>(c)] & ~kConsentBasis);
  }
  bool consent_basis(Channel c) const { return (channel[static_cast<std::size_t>(c)] & kConsentBasis) != 0; }
  bool has_digest(ContactKind k) const { return (digest_mask >> static_cast<unsigned>(k) & 1u) != 0; }
  bool names_digest(ContactKind k) const { return (digest_named >> static_cast<unsigned>(k) & 1u) != 0; }
  bool invalid() const { return (flags & kInvalid) != 0; }
};

class StateIndex {
 public:
  // `partners`: the config's partner ids, in order (bit i of a list = partner i).
  explicit StateIndex(std::vector<std::string> partners);

  // Absorbs one stored receipt; a chain's receipts must come in log order
  // (its latest last). `invalid`: the receipt must not be relied on.
  void add(const ledger::ReceiptRecord& receipt, bool invalid);
  // After the last add(): the list that binds each person and their validity.
  void finish();

  // The person any receipt id of their chain belongs to; nullptr when none.
  PersonRecord* find(std::string_view receipt_id);
  std::string_view salt(const PersonRecord& p) const { return std::string_view(salts_).substr(p.salt_at, p.salt_len); }
  bool listed(const PersonRecord& p, std::size_t partner) const;
  std::string reference(const PersonRecord& p) const;

  std::size_t people() const { return people_.size(); }
  std::size_t receipt_ids() const { return ids_ + other_ids_.size(); }
  std::size_t memory_bytes() const;

 private:
  struct Slot {
    Uuid128 key;
    std::uint32_t person = kEmpty;
  };
  static constexpr std::uint32_t kEmpty = UINT32_MAX;

  std::uint32_t* slot_for(const Uuid128& key, bool insert);
  void grow();
  std::uint32_t person_for(const ledger::ReceiptRecord& receipt);
  std::uint32_t list_id(const std::string& partner_ids_json);
  std::uint32_t intern_list(const std::string& partner_ids_json);
  std::uint32_t last_list_ = UINT32_MAX;  // list_id() of the previous call (most receipts share a list)
  std::string last_list_text_;
  std::uint32_t intersect(std::uint32_t a, std::uint32_t b);

  std::vector<std::string> partners_;
  std::vector<PersonRecord> people_;
  std::vector<Slot> table_;  // open addressing, linear probing; capacity a power of two
  std::size_t ids_ = 0;
  std::unordered_map<std::string, std::uint32_t> other_ids_;  // receipt ids that are not UUIDs (should not happen)
  std::vector<std::string> other_roots_;
  std::string salts_;
  // Partner lists, interned: JSON text -> id, id -> bits over partners_.
  std::unordered_map<std::string, std::uint32_t> list_ids_;
  std::vector<std::vector<bool>> lists_;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> intersections_;
};

}  // namespace cachet::exporter
