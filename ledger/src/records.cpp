// Compact records and the log entries that bind them (records.h, store.h).
#include "records.h"

#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "cachet/calendar.h"
#include "cachet/ledger/digest.h"
#include "cachet/receipt.h"

namespace cachet::ledger {

std::string canonical_entry(const Json& entry) { return entry.dump(-1, ' ', false, Json::error_handler_t::replace); }

namespace {

// True when no byte of `value` needs the slow path: all printable ASCII, no
// `"` and no `\`. Eight bytes at a time (SWAR: "has a zero byte" is
// (v - 0x01..) & ~v & 0x80.., exact for whether any byte qualifies).
bool plain_ascii(std::string_view value) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  auto has_zero = [](std::uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  std::size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, value.data() + i, 8);
    const bool below_space = ((v - kOnes * 0x20) & ~v & kHigh) != 0;
    if (below_space || (v & kHigh) != 0 || has_zero(v ^ (kOnes * 0x7f)) || has_zero(v ^ (kOnes * '"')) ||
        has_zero(v ^ (kOnes * '\\'))) {
      return false;
    }
  }
  for (; i < value.size(); ++i) {
    const auto u = static_cast<unsigned char>(value[i]);
    if (u < 0x20 || u > 0x7e || u == '"' || u == '\\') return false;
  }
  return true;
}

}  // namespace

bool append_ascii_json_string(std::string& out, std::string_view value) {
  out.push_back('"');
  if (plain_ascii(value)) {  // the usual case: ids, hashes, dates, decisions
    out.append(value);
    out.push_back('"');
    return true;
  }
  std::size_t run = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto u = static_cast<unsigned char>(value[i]);
    if (u < 0x20 || u > 0x7e) return false;
    if (u == '"' || u == '\\') {
      out.append(value.data() + run, i - run);
      out.push_back('\\');
      run = i;
    }
  }
  out.append(value.data() + run, value.size() - run);
  out.push_back('"');
  return true;
}

namespace {

void append_key(std::string& out, std::string_view key) {
  if (out.size() > 1 && out.back() != '{') out.push_back(',');
  out.push_back('"');
  out.append(key);
  out.append("\":");
}

Json channel_json(const ReceiptRecord::ChannelState& c) {
  Json out = Json::object();
  if (!c.basis.empty()) out["basis"] = c.basis;
  if (!c.decision.empty()) out["decision"] = c.decision;
  return out;
}

}  // namespace

std::string receipt_entry(std::int64_t seq, std::string_view receipt_id, std::string_view jws_sha256,
                          std::string_view payload_sha256, std::string_view verification, std::string_view kid,
                          std::string_view received_at, std::string_view issued_at, std::string_view chain_root,
                          std::string_view supersedes, std::string_view method, std::int64_t retention_months,
                          std::string_view record_sha256) {
  std::string out;
  receipt_entry_into(out, seq, receipt_id, jws_sha256, payload_sha256, verification, kid, received_at, issued_at,
                     chain_root, supersedes, method, retention_months, record_sha256);
  return out;
}

void receipt_entry_into(std::string& out, std::int64_t seq, std::string_view receipt_id, std::string_view jws_sha256,
                        std::string_view payload_sha256, std::string_view verification, std::string_view kid,
                        std::string_view received_at, std::string_view issued_at, std::string_view chain_root,
                        std::string_view supersedes, std::string_view method, std::int64_t retention_months,
                        std::string_view record_sha256) {
  // Members in the byte order RFC 8785 and nlohmann agree on.
  {
    const std::pair<const char*, const std::string_view*> members[] = {
        {"chainRoot", &chain_root},         {"collectionMethod", &method},  {"countersignerKid", &kid},
        {"issuedAt", &issued_at},           {"jwsSha256", &jws_sha256},     {"kind", nullptr},
        {"payloadSha256", &payload_sha256}, {"receiptId", &receipt_id},     {"receivedAt", &received_at},
        {"recordSha256", &record_sha256},   {"retentionMonths", nullptr},   {"seq", nullptr},
        {"supersedes", &supersedes},        {"verification", &verification}};
    out.clear();
    out.push_back('{');
    bool ascii = true;
    for (const auto& [key, value] : members) {
      const std::string_view name = key;
      if (name == "recordSha256" && record_sha256.empty()) continue;  // schema 1/2 form
      append_key(out, key);
      if (name == "kind") {
        out.append("\"receipt\"");
      } else if (name == "retentionMonths") {
        out.append(std::to_string(retention_months));
      } else if (name == "seq") {
        out.append(std::to_string(seq));
      } else if (!append_ascii_json_string(out, *value)) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      out.push_back('}');
      return;
    }
  }
  Json entry = Json::object();
  entry["kind"] = "receipt";
  entry["seq"] = seq;
  entry["receiptId"] = std::string(receipt_id);
  entry["jwsSha256"] = std::string(jws_sha256);
  entry["payloadSha256"] = std::string(payload_sha256);
  entry["verification"] = std::string(verification);
  entry["countersignerKid"] = std::string(kid);
  entry["receivedAt"] = std::string(received_at);
  entry["issuedAt"] = std::string(issued_at);
  entry["chainRoot"] = std::string(chain_root);
  entry["supersedes"] = std::string(supersedes);
  entry["collectionMethod"] = std::string(method);
  entry["retentionMonths"] = retention_months;
  if (!record_sha256.empty()) entry["recordSha256"] = std::string(record_sha256);
  out = canonical_entry(entry);
}

std::string receipt_entry_for(const ReceiptRecord& r, std::int64_t seq, std::string_view record_sha256) {
  std::string out;
  receipt_entry_for_into(out, r, seq, record_sha256);
  return out;
}

void receipt_entry_for_into(std::string& out, const ReceiptRecord& r, std::int64_t seq,
                            std::string_view record_sha256) {
  receipt_entry_into(out, seq, r.receipt_id, r.jws_sha256, r.payload_sha256, r.verification, r.countersigner_kid,
                     r.received_at, r.issued_at, r.chain_root, r.supersedes, r.collection_method, r.retention_months,
                     record_sha256);
}

std::string record_entry(std::int64_t seq, std::string_view receipt_id, std::int64_t receipt_seq,
                         std::string_view record_sha256) {
  std::string out = "{\"kind\":\"record\",\"receiptId\":";
  if (append_ascii_json_string(out, receipt_id) &&
      append_ascii_json_string(
          out.append(",\"receiptSeq\":").append(std::to_string(receipt_seq)).append(",\"recordSha256\":"),
          record_sha256)) {
    out.append(",\"seq\":").append(std::to_string(seq)).push_back('}');
    return out;
  }
  Json entry = Json::object();
  entry["kind"] = "record";
  entry["seq"] = seq;
  entry["receiptId"] = std::string(receipt_id);
  entry["receiptSeq"] = receipt_seq;
  entry["recordSha256"] = std::string(record_sha256);
  return canonical_entry(entry);
}

namespace {

// channels.KIND.{decision,basis}, subject.salt and subject.digests.KIND
// (absent or not a string: empty).
void read_channels_and_digests(const Json& payload, ReceiptRecord& out) {
  namespace m = receipt_member;
  auto channel = [&payload](const char* kind) {
    return ReceiptRecord::ChannelState{string_at(payload, {m::kChannels, kind, m::kDecision}),
                                       string_at(payload, {m::kChannels, kind, m::kBasis})};
  };
  out.postal = channel("postal");
  out.phone = channel("phone");
  out.email = channel("email");
  out.sms = channel("sms");
  out.salt =
      record_salt(string_at(payload, {m::kSubject, m::kDigestScheme}), string_at(payload, {m::kSubject, m::kSalt}));
  out.digests = {string_at(payload, {m::kSubject, m::kDigests, "email"}),
                 string_at(payload, {m::kSubject, m::kDigests, "phone"}),
                 string_at(payload, {m::kSubject, m::kDigests, "mobile"}),
                 string_at(payload, {m::kSubject, m::kDigests, "postal"})};
}

}  // namespace

std::string record_salt(std::string_view digest_scheme, std::string_view salt) {
  if (digest_scheme.empty()) return std::string(salt);
  return std::string(digest_scheme) + ":" + std::string(salt);
}

RecordSalt split_record_salt(std::string_view field) {
  const std::string prefix = std::string(kKeyedDigestScheme) + ":";
  if (field.substr(0, prefix.size()) == prefix) return {true, field.substr(prefix.size())};
  return {false, field};
}

void derive_record_fields(const Json& p, ReceiptRecord& r) {
  const Json verification = Json::parse(r.verification, nullptr, false);
  const bool ok = verification.is_object() && verification.value("ok", Json()) == Json(true);
  namespace m = receipt_member;
  r.verified = ok && string_at(p, {m::kReceiptId}) == r.receipt_id;
  read_channels_and_digests(p, r);
  Json ids = Json::array();
  if (p.is_object() && p.contains(m::kNotice) && p[m::kNotice].is_object() && p[m::kNotice].contains(m::kPartnerIds) &&
      p[m::kNotice][m::kPartnerIds].is_array()) {
    for (const Json& id : p[m::kNotice][m::kPartnerIds]) {
      if (id.is_string()) ids.push_back(id);
    }
  }
  r.partner_ids = canonical_entry(ids);
}

namespace {

// The canonical JSON array of the partner ids, as derive_record_fields writes it.
std::string partner_list_text(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (const std::string& id : ids) {
    if (out.size() > 1) out.push_back(',');
    if (!append_ascii_json_string(out, id)) {
      Json list = Json::array();
      for (const std::string& each : ids) list.push_back(each);
      return canonical_entry(list);
    }
  }
  out.push_back(']');
  return out;
}

// derive_record_fields without building the payload's DOM: a SAX handler
// that keeps only the members a record takes, with the DOM's semantics (a
// repeated member replaces the earlier one, a member of another type reads as
// empty, a malformed payload as empty).
class RecordSax final : public nlohmann::json_sax<Json> {
 public:
  explicit RecordSax(ReceiptRecord& r) : r_(r) { reset_all(); }
  std::string receipt_id;
  std::string digest_scheme;  // subject.digest, folded into r.salt once parsed (record_salt)
  std::vector<std::string> partner_ids;

  void reset_all() {
    receipt_id.clear();
    digest_scheme.clear();
    for (ReceiptRecord::ChannelState* c : channels()) *c = {};
    r_.salt.clear();
    clear_digests();
    partner_ids.clear();
  }

  bool null() override { return scalar(); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t) override { return scalar(); }
  bool number_unsigned(number_unsigned_t) override { return scalar(); }
  bool number_float(number_float_t, const string_t&) override { return scalar(); }
  bool binary(binary_t&) override { return scalar(); }
  bool string(string_t& value) override {
    std::string* target = string_target(pending_);
    if (target != nullptr) *target = value;
    if (pending_ == kPartnerId) partner_ids.push_back(value);
    return scalar();
  }
  bool start_object(std::size_t) override {
    const bool root = stack_.empty();
    stack_.push_back(Frame{true, root ? kRoot : is_object_node(pending_) ? pending_ : kOther});
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    pending_ = element_tag();
    return true;
  }
  bool start_array(std::size_t) override {
    stack_.push_back(Frame{false, !stack_.empty() && pending_ == kPartnerIds ? kPartnerIds : kOther});
    pending_ = element_tag();
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    pending_ = element_tag();
    return true;
  }
  bool key(string_t& key) override {
    pending_ = child(stack_.back().tag, key);
    // The DOM keeps the last member of a name: what an earlier one set goes.
    switch (pending_) {
      case kReceiptId:
        receipt_id.clear();
        break;
      case kChannels:
        for (ReceiptRecord::ChannelState* c : channels()) *c = {};
        break;
      case kEmail:
      case kPhone:
      case kPostal:
      case kSms:
        *channels()[pending_ - kEmail] = {};
        break;
      case kSubject:
        r_.salt.clear();
        digest_scheme.clear();
        clear_digests();
        break;
      case kDigests:
        clear_digests();
        break;
      case kNotice:
      case kPartnerIds:
        partner_ids.clear();
        break;
      default:
        if (std::string* target = string_target(pending_)) target->clear();
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    reset_all();
    return false;
  }

 private:
  enum Tag {
    kRoot,
    kOther,
    kReceiptId,
    kChannels,
    kEmail,
    kPhone,
    kPostal,
    kSms,
    kEmailDecision,
    kEmailBasis,
    kPhoneDecision,
    kPhoneBasis,
    kPostalDecision,
    kPostalBasis,
    kSmsDecision,
    kSmsBasis,
    kSubject,
    kSalt,
    kDigestScheme,
    kDigests,
    kDigestEmail,
    kDigestPhone,
    kDigestMobile,
    kDigestPostal,
    kNotice,
    kPartnerIds,
    kPartnerId
  };
  struct Frame {
    bool object;
    Tag tag;
  };

  std::array<ReceiptRecord::ChannelState*, 4> channels() { return {&r_.email, &r_.phone, &r_.postal, &r_.sms}; }
  void clear_digests() { r_.digests = {}; }
  static bool is_object_node(Tag t) {
    return t == kChannels || t == kEmail || t == kPhone || t == kPostal || t == kSms || t == kSubject ||
           t == kDigests || t == kNotice;
  }
  Tag element_tag() const {
    if (stack_.empty()) return kRoot;
    return !stack_.back().object && stack_.back().tag == kPartnerIds ? kPartnerId : kOther;
  }
  bool scalar() {
    pending_ = element_tag();
    return true;
  }
  std::string* string_target(Tag t) {
    switch (t) {
      case kReceiptId:
        return &receipt_id;
      case kEmailDecision:
        return &r_.email.decision;
      case kEmailBasis:
        return &r_.email.basis;
      case kPhoneDecision:
        return &r_.phone.decision;
      case kPhoneBasis:
        return &r_.phone.basis;
      case kPostalDecision:
        return &r_.postal.decision;
      case kPostalBasis:
        return &r_.postal.basis;
      case kSmsDecision:
        return &r_.sms.decision;
      case kSmsBasis:
        return &r_.sms.basis;
      case kSalt:
        return &r_.salt;
      case kDigestScheme:
        return &digest_scheme;
      case kDigestEmail:
        return &r_.digests.email;
      case kDigestPhone:
        return &r_.digests.phone;
      case kDigestMobile:
        return &r_.digests.mobile;
      case kDigestPostal:
        return &r_.digests.postal;
      default:
        return nullptr;
    }
  }
  // The same members as derive_record_fields(const Json&) reads, by the
  // receipt's own names (receipt.h receipt_member); ledger_test checks both
  // paths give the same record.
  static Tag child(Tag parent, const std::string& key) {
    namespace m = receipt_member;
    switch (parent) {
      case kRoot:
        if (key == m::kReceiptId) return kReceiptId;
        if (key == m::kChannels) return kChannels;
        if (key == m::kSubject) return kSubject;
        if (key == m::kNotice) return kNotice;
        return kOther;
      case kChannels:
        if (key == "email") return kEmail;
        if (key == "phone") return kPhone;
        if (key == "postal") return kPostal;
        if (key == "sms") return kSms;
        return kOther;
      case kEmail:
        return key == m::kDecision ? kEmailDecision : key == m::kBasis ? kEmailBasis : kOther;
      case kPhone:
        return key == m::kDecision ? kPhoneDecision : key == m::kBasis ? kPhoneBasis : kOther;
      case kPostal:
        return key == m::kDecision ? kPostalDecision : key == m::kBasis ? kPostalBasis : kOther;
      case kSms:
        return key == m::kDecision ? kSmsDecision : key == m::kBasis ? kSmsBasis : kOther;
      case kSubject:
        if (key == m::kDigestScheme) return kDigestScheme;
        return key == m::kSalt ? kSalt : key == m::kDigests ? kDigests : kOther;
      case kDigests:
        if (key == "email") return kDigestEmail;
        if (key == "phone") return kDigestPhone;
        if (key == "mobile") return kDigestMobile;
        if (key == "postal") return kDigestPostal;
        return kOther;
      case kNotice:
        return key == m::kPartnerIds ? kPartnerIds : kOther;
      default:
        return kOther;
    }
  }

  ReceiptRecord& r_;
  std::vector<Frame> stack_;
  Tag pending_ = kRoot;
};

// {"ok": true} at the top level of the verification text (the last "ok" wins).
class OkSax final : public nlohmann::json_sax<Json> {
 public:
  bool ok = false;
  bool null() override { return value(false); }
  bool boolean(bool v) override { return value(v); }
  bool number_integer(number_integer_t) override { return value(false); }
  bool number_unsigned(number_unsigned_t) override { return value(false); }
  bool number_float(number_float_t, const string_t&) override { return value(false); }
  bool binary(binary_t&) override { return value(false); }
  bool string(string_t&) override { return value(false); }
  bool start_object(std::size_t) override { return open(true); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_array() override { return close(); }
  bool key(string_t& key) override {
    at_ok_ = depth_ == 1 && top_is_object_ && key == "ok";
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    ok = false;
    return false;
  }

 private:
  bool value(bool v) {
    if (at_ok_) ok = v;
    at_ok_ = false;
    return true;
  }
  bool open(bool object) {
    if (at_ok_) ok = false;  // "ok" holds a container, not true
    at_ok_ = false;
    if (depth_++ == 0) top_is_object_ = object;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  int depth_ = 0;
  bool top_is_object_ = false;
  bool at_ok_ = false;
};

}  // namespace

void derive_record_fields(std::string_view payload, ReceiptRecord& r) {
  OkSax ok;
  const bool verification_ok = Json::sax_parse(r.verification, &ok) && ok.ok;
  RecordSax sax(r);
  if (!Json::sax_parse(payload, &sax)) sax.reset_all();
  r.salt = record_salt(sax.digest_scheme, r.salt);
  r.verified = verification_ok && sax.receipt_id == r.receipt_id;
  r.partner_ids = partner_list_text(sax.partner_ids);
}

void canonical_record_into(std::string& out, const ReceiptRecord& r) {
  out.clear();
  out.push_back('{');
  bool ascii = true;
  auto str = [&](const char* key, const std::string& value) {
    if (!ascii) return;
    append_key(out, key);
    ascii = append_ascii_json_string(out, value);
  };
  auto channel = [&](const char* key, const ReceiptRecord::ChannelState& c) {
    if (c.basis.empty() && c.decision.empty()) return;
    append_key(out, key);
    out.push_back('{');
    if (!c.basis.empty()) str("basis", c.basis);
    if (!c.decision.empty()) str("decision", c.decision);
    out.push_back('}');
  };
  auto digest = [&](const char* key, const std::string& value) {
    if (!value.empty()) str(key, value);
  };
  // The stored partner list is canonical JSON already; anything unusual
  // (spaces, escapes, non-ASCII) takes the slow path, which re-serialises it.
  bool simple_list = !r.partner_ids.empty() && r.partner_ids.front() == '[' && r.partner_ids.back() == ']';
  for (const char c : r.partner_ids) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u > 0x7e || c == '\\') simple_list = false;
  }
  str("chainRoot", r.chain_root);
  if (ascii) {
    append_key(out, "channels");
    out.push_back('{');
    channel("email", r.email);
    channel("phone", r.phone);
    channel("postal", r.postal);
    channel("sms", r.sms);
    out.push_back('}');
  }
  str("collectionMethod", r.collection_method);
  str("countersignerKid", r.countersigner_kid);
  if (ascii) {
    append_key(out, "digests");
    out.push_back('{');
    digest("email", r.digests.email);
    digest("mobile", r.digests.mobile);
    digest("phone", r.digests.phone);
    digest("postal", r.digests.postal);
    out.push_back('}');
  }
  str("issuedAt", r.issued_at);
  str("jwsSha256", r.jws_sha256);
  if (ascii && simple_list) {
    append_key(out, "partnerIds");
    out.append(r.partner_ids);
  } else {
    ascii = false;
  }
  str("payloadSha256", r.payload_sha256);
  str("receiptId", r.receipt_id);
  str("receivedAt", r.received_at);
  if (ascii) {
    append_key(out, "retentionMonths");
    out.append(std::to_string(r.retention_months));
  }
  str("salt", r.salt);
  str("supersedes", r.supersedes);
  str("verification", r.verification);
  if (ascii) {
    append_key(out, "verified");
    out.append(r.verified ? "true" : "false");
    out.push_back('}');
    return;
  }
  Json record = Json::object();
  record["chainRoot"] = r.chain_root;
  Json channels = Json::object();
  for (const auto& [name, c] : {std::pair<const char*, const ReceiptRecord::ChannelState*>{"email", &r.email},
                                {"phone", &r.phone},
                                {"postal", &r.postal},
                                {"sms", &r.sms}}) {
    if (!c->basis.empty() || !c->decision.empty()) channels[name] = channel_json(*c);
  }
  record["channels"] = channels;
  record["collectionMethod"] = r.collection_method;
  record["countersignerKid"] = r.countersigner_kid;
  Json digests = Json::object();
  for (const auto& [name, d] : {std::pair<const char*, const std::string*>{"email", &r.digests.email},
                                {"mobile", &r.digests.mobile},
                                {"phone", &r.digests.phone},
                                {"postal", &r.digests.postal}}) {
    if (!d->empty()) digests[name] = *d;
  }
  record["digests"] = digests;
  record["issuedAt"] = r.issued_at;
  record["jwsSha256"] = r.jws_sha256;
  const Json ids = Json::parse(r.partner_ids, nullptr, false);
  record["partnerIds"] = ids.is_discarded() ? Json(r.partner_ids) : ids;
  record["payloadSha256"] = r.payload_sha256;
  record["receiptId"] = r.receipt_id;
  record["receivedAt"] = r.received_at;
  record["retentionMonths"] = static_cast<std::int64_t>(r.retention_months);
  record["salt"] = r.salt;
  record["supersedes"] = r.supersedes;
  record["verification"] = r.verification;
  record["verified"] = r.verified;
  out = canonical_entry(record);
}

std::string canonical_record(const ReceiptRecord& record) {
  std::string out;
  canonical_record_into(out, record);
  return out;
}

std::optional<std::int64_t> retention_end(std::string_view received_at, int retention_months) {
  const auto at = calendar::parse_rfc3339(received_at);
  if (!at || retention_months <= 0) return std::nullopt;
  return calendar::add_months(*at, retention_months);
}

std::string chain_hash(const std::string& prev_hex, const std::string& entry) {
  std::string prev = prev_hex.empty() ? std::string(32, '\0') : from_hex(prev_hex).value_or(std::string(32, '\0'));
  return sha256_hex(prev + entry);
}

}  // namespace cachet::ledger
