#include "state_index.h"

#include <algorithm>
#include <array>

#include "cachet/export/export.h"
#include "cachet/json.h"
#include "cachet/lifecycle.h"

namespace cachet::exporter {

namespace {

// Lower-case hex digits only (what the core and the ledger write): the value
// of each, 0xff for any other byte. A table: the export decodes about 150
// hex digits per receipt.
constexpr std::array<std::uint8_t, 256> kHexValue = [] {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = 0xff;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'a' + 10);
  return table;
}();

std::uint8_t hex_value(char c) { return kHexValue[static_cast<unsigned char>(c)]; }

// 64 lower-case hex digits (what the core writes) into 32 bytes.
bool decode_digest(std::string_view hex, std::array<unsigned char, 32>& out) {
  if (hex.size() != 64) return false;
  unsigned bad = 0;  // one test at the end: no branch a digit
  for (std::size_t i = 0; i < 32; ++i) {
    const std::uint8_t high = hex_value(hex[2 * i]);
    const std::uint8_t low = hex_value(hex[2 * i + 1]);
    bad |= high | low;
    out[i] = static_cast<unsigned char>(high << 4 | (low & 0x0f));
  }
  return (bad & 0xf0) == 0;
}

}  // namespace

std::optional<Uuid128> parse_uuid(std::string_view s) {
  // 8-4-4-4-12 lower-case hex digits, as the ledger stores receipt ids.
  if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return std::nullopt;
  Uuid128 out;
  int n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    const std::uint8_t v = hex_value(c);
    if (v == 0xff) return std::nullopt;
    std::uint64_t& half = n < 16 ? out.hi : out.lo;
    half = half << 4 | v;
    ++n;
  }
  return out;
}

std::string format_uuid(const Uuid128& u) {
  static const char* kHex = "0123456789abcdef";
  std::string out(36, '-');
  std::size_t at = 0;
  for (int n = 0; n < 32; ++n) {
    if (at == 8 || at == 13 || at == 18 || at == 23) ++at;
    const std::uint64_t half = n < 16 ? u.hi : u.lo;
    out[at++] = kHex[(half >> (4 * (15 - n % 16))) & 15];
  }
  return out;
}

DecisionCode decision_code(std::string_view d) {
  // The decision names are the core's (choices.h); this only packs them.
  const std::optional<Decision> decision = decision_from_string(d);
  if (!decision) return DecisionCode::kNoneDecision;  // absent or unknown: the person was not asked (not-informed)
  switch (*decision) {
    case Decision::kGranted:
      return DecisionCode::kGrantedDecision;
    case Decision::kNotGranted:
      return DecisionCode::kNotGrantedDecision;
    case Decision::kObjected:
      return DecisionCode::kObjectedDecision;
    case Decision::kNotObjected:
      return DecisionCode::kNotObjectedDecision;
    case Decision::kWithdrawn:
      return DecisionCode::kWithdrawnDecision;
  }
  return DecisionCode::kNoneDecision;
}

const char* contact_kind_name(ContactKind kind) {
  switch (kind) {
    case ContactKind::kEmail:
      return "email";
    case ContactKind::kPhone:
      return "phone";
    case ContactKind::kMobile:
      return "mobile";
    case ContactKind::kPostal:
      return "postal";
  }
  return "";
}

StateIndex::StateIndex(std::vector<std::string> partners) : partners_(std::move(partners)), table_(16) {}

std::uint32_t* StateIndex::slot_for(const Uuid128& key, bool insert) {
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = Uuid128Hash{}(key)&mask;; i = (i + 1) & mask) {
    Slot& slot = table_[i];
    if (slot.person == kEmpty) {
      if (!insert) return nullptr;
      slot.key = key;
      ++ids_;
      return &slot.person;
    }
    if (slot.key == key) return &slot.person;
  }
}

void StateIndex::grow() {
  std::vector<Slot> old(table_.size() * 2);
  old.swap(table_);
  ids_ = 0;
  for (const Slot& s : old) {
    if (s.person != kEmpty) *slot_for(s.key, true) = s.person;
  }
}

std::uint32_t StateIndex::list_id(const std::string& partner_ids_json) {
  if (last_list_ != UINT32_MAX && partner_ids_json == last_list_text_) return last_list_;
  last_list_text_ = partner_ids_json;
  const auto it = list_ids_.find(partner_ids_json);
  if (it != list_ids_.end()) return last_list_ = it->second;
  last_list_ = intern_list(partner_ids_json);
  return last_list_;
}

std::uint32_t StateIndex::intern_list(const std::string& partner_ids_json) {
  // A new list (a config change): parse it once.
  std::vector<bool> bits(partners_.size(), false);
  const Json ids = Json::parse(partner_ids_json, nullptr, false);
  if (ids.is_array()) {
    for (const Json& id : ids) {
      if (!id.is_string()) continue;
      const auto at = std::find(partners_.begin(), partners_.end(), id.get<std::string>());
      if (at != partners_.end()) bits[static_cast<std::size_t>(at - partners_.begin())] = true;
    }
  }
  const auto id = static_cast<std::uint32_t>(lists_.size());
  lists_.push_back(std::move(bits));
  list_ids_.emplace(partner_ids_json, id);
  return id;
}

std::uint32_t StateIndex::intersect(std::uint32_t a, std::uint32_t b) {
  const auto key = std::make_pair(a, b);
  const auto it = intersections_.find(key);
  if (it != intersections_.end()) return it->second;
  std::vector<bool> bits(partners_.size(), false);
  for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = lists_[a][i] && lists_[b][i];
  const auto id = static_cast<std::uint32_t>(lists_.size());
  lists_.push_back(std::move(bits));
  intersections_.emplace(key, id);
  return id;
}

std::uint32_t StateIndex::person_for(const ledger::ReceiptRecord& r) {
  // The chain root is the first receipt of the chain, so it came first; a
  // root that is not indexed (should not happen) starts a person anyway.
  const std::string& root = r.chain_root.empty() ? r.receipt_id : r.chain_root;
  const std::optional<Uuid128> root_key = parse_uuid(root);
  std::uint32_t person = kEmpty;
  if (root_key) {
    if (const std::uint32_t* found = slot_for(*root_key, false)) person = *found;
  } else if (const auto it = other_ids_.find(root); it != other_ids_.end()) {
    person = it->second;
  }
  if (person == kEmpty) {
    person = static_cast<std::uint32_t>(people_.size());
    PersonRecord record;
    record.list = PersonRecord::kNoList;
    record.other_root = PersonRecord::kNoList;
    if (root_key) {
      record.root = *root_key;
    } else {
      record.other_root = static_cast<std::uint32_t>(other_roots_.size());
      other_roots_.push_back(root);
    }
    people_.push_back(record);
  }
  // Index this receipt id (and the root's, when the root itself is gone).
  auto index = [&](const std::string& id, const std::optional<Uuid128>& key) {
    if (key) {
      if ((ids_ + 1) * 10 > table_.size() * 7) grow();  // load factor at most 0.7
      *slot_for(*key, true) = person;
    } else {
      other_ids_[id] = person;
    }
  };
  if (&root == &r.receipt_id || r.receipt_id == root) {
    index(root, root_key);  // a chain's first receipt: one id
  } else {
    index(r.receipt_id, parse_uuid(r.receipt_id));
    index(root, root_key);
  }
  return person;
}

void StateIndex::add(const ledger::ReceiptRecord& r, bool invalid) {
  PersonRecord& p = people_[person_for(r)];
  if (r.receipt_seq < p.latest_seq) return;  // log order is the contract; never let an older receipt win (R10)
  // The list that binds, as the core folds it (lifecycle.h bound_partner_list):
  // a receipt that showed the list sets it; any other keeps only partners on
  // both lists, and rests on the receipts since the last one that showed it.
  const std::uint32_t list = list_id(r.partner_ids);
  const bool first = p.list == PersonRecord::kNoList;
  const bool shown = shows_partner_list(r.collection_method);
  std::uint8_t flags = p.flags & static_cast<std::uint8_t>(PersonRecord::kBoundInvalid | PersonRecord::kSeen);
  if (shown) {
    p.list = list;
    flags =
        static_cast<std::uint8_t>(invalid ? flags | PersonRecord::kBoundInvalid : flags & ~PersonRecord::kBoundInvalid);
  } else {
    p.list = first ? list_id("[]") : intersect(p.list, list);
    if (invalid) flags |= PersonRecord::kBoundInvalid;
  }
  p.latest_seq = r.receipt_seq;
  if (invalid) flags |= PersonRecord::kLatestInvalid;
  p.flags = flags;
  const std::optional<std::int64_t> until = ledger::retention_end(r.received_at, r.retention_months);
  p.retention_until = until ? *until : PersonRecord::kNoRetention;
  const ledger::ReceiptRecord::ChannelState* states[] = {&r.postal, &r.phone, &r.email, &r.sms};  // Channel order
  for (std::size_t c = 0; c < 4; ++c) {
    p.channel[c] = static_cast<std::uint8_t>(decision_code(states[c]->decision)) |
                   (states[c]->basis == "consent" ? PersonRecord::kConsentBasis : 0);
  }
  const std::string* digests[] = {&r.digests.email, &r.digests.phone, &r.digests.mobile, &r.digests.postal};
  p.digest_mask = 0;
  p.digest_named = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    if (!digests[k]->empty()) p.digest_named |= static_cast<std::uint8_t>(1u << k);
    if (decode_digest(*digests[k], p.digests[k])) p.digest_mask |= static_cast<std::uint8_t>(1u << k);
  }
  // Salts over 64 KiB are not the core's (16 bytes, base64url): kept as none, so no value matches.
  p.salt_at = salts_.size();
  p.salt_len = r.salt.size() <= UINT16_MAX ? static_cast<std::uint16_t>(r.salt.size()) : 0;
  salts_.append(r.salt, 0, p.salt_len);
}

void StateIndex::finish() {
  for (PersonRecord& p : people_) {
    if ((p.flags & (PersonRecord::kLatestInvalid | PersonRecord::kBoundInvalid)) != 0) {
      p.flags |= PersonRecord::kInvalid;
    }
  }
  salts_.shrink_to_fit();
}

PersonRecord* StateIndex::find(std::string_view receipt_id) {
  if (const std::optional<Uuid128> key = parse_uuid(receipt_id)) {
    const std::uint32_t* person = slot_for(*key, false);
    return person != nullptr ? &people_[*person] : nullptr;
  }
  const auto it = other_ids_.find(std::string(receipt_id));
  return it != other_ids_.end() ? &people_[it->second] : nullptr;
}

bool StateIndex::listed(const PersonRecord& p, std::size_t partner) const {
  return p.list < lists_.size() && partner < lists_[p.list].size() && lists_[p.list][partner];
}

std::string StateIndex::reference(const PersonRecord& p) const {
  return p.other_root != PersonRecord::kNoList ? other_roots_[p.other_root] : format_uuid(p.root);
}

std::size_t StateIndex::memory_bytes() const {
  std::size_t bytes = people_.capacity() * sizeof(PersonRecord) + table_.capacity() * sizeof(Slot) + salts_.capacity();
  for (const auto& l : lists_) bytes += l.capacity() / 8 + sizeof(std::vector<bool>);
  for (const auto& [id, person] : other_ids_) bytes += id.capacity() + sizeof person + 32;
  for (const auto& r : other_roots_) bytes += r.capacity() + sizeof(std::string);
  return bytes;
}

}  // namespace cachet::exporter
