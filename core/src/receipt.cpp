#include "cachet/receipt.h"

#include <algorithm>

#include "cachet/calendar.h"
#include "cachet/canonical_json.h"
#include "cachet/jws.h"
#include "cachet/lifecycle.h"
#include "cachet/messages.h"

namespace cachet {
namespace {

// RFC 3339 in UTC with whole seconds: what Cachet writes, and so what it accepts.
using calendar::is_utc_timestamp;

constexpr std::size_t kMinSaltBytes = 16;

bool is_lower_hex(std::string_view text, std::size_t length) {
  return text.size() == length &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool is_web_url(std::string_view url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://localhost", 0) == 0 ||
         url.rfind("http://127.0.0.1", 0) == 0;
}

Problem context_problem(std::string path, std::string message) {
  return {"receipt_bad_context", std::move(path), std::move(message)};
}

// --- payload schema --------------------------------------------------------

// Checks one member's presence and type; returns false (and records why) when wrong.
class SchemaCheck {
 public:
  explicit SchemaCheck(Problems& problems) : problems_(problems) {}

  const Json* member(const Json& object, std::string_view parent, const char* name, Json::value_t type,
                     bool required = true) {
    const auto it = object.find(name);
    if (it == object.end()) {
      if (required) {
        problems_.push_back({"receipt_missing_member", std::string(parent),
                             "The receipt lacks \"" + std::string(name) + "\" at " + display(parent) + "."});
      }
      return nullptr;
    }
    const bool type_ok = it->type() == type || (type == Json::value_t::number_unsigned && it->is_number_integer() &&
                                                !it->is_number_float() && it->get<std::int64_t>() >= 0);
    if (!type_ok) {
      const std::string path = pointer_append(parent, name);
      problems_.push_back(
          {"receipt_wrong_type", path, "The receipt member " + path + " must be " + describe(type) + "."});
      return nullptr;
    }
    return &*it;
  }

  void fail(std::string code, std::string path, std::string message) {
    problems_.push_back({std::move(code), std::move(path), std::move(message)});
  }

  void only(const Json& object, std::string_view parent, std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, unused] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        fail("receipt_unknown_member", pointer_append(parent, key),
             "The receipt has an unknown member " + pointer_append(parent, key) + ".");
      }
    }
  }

 private:
  static std::string display(std::string_view pointer) {
    return pointer.empty() ? "the top level" : std::string(pointer);
  }
  static std::string describe(Json::value_t type) {
    switch (type) {
      case Json::value_t::object:
        return "an object";
      case Json::value_t::array:
        return "an array";
      case Json::value_t::string:
        return "a string";
      case Json::value_t::boolean:
        return "true or false";
      default:
        return "a non-negative integer";
    }
  }
  Problems& problems_;
};

using VT = Json::value_t;

Problems check_payload_schema(const Json& payload) {
  Problems problems;
  SchemaCheck check(problems);
  if (!payload.is_object()) return {{"receipt_wrong_type", "", "The receipt payload must be a JSON object."}};

  const Json* version = check.member(payload, "", "version", VT::string);
  if (version && version->get_ref<const std::string&>() != kReceiptVersion &&
      version->get_ref<const std::string&>() != kReceiptVersionKeyed) {
    // Nothing else can be trusted about a version we do not know.
    return {{"receipt_unknown_version", "/version",
             "Unknown receipt version \"" + version->get_ref<const std::string&>() + "\"; this verifier reads " +
                 std::string(kReceiptVersion) + " and " + std::string(kReceiptVersionKeyed) + "."}};
  }
  const bool keyed = version && version->get_ref<const std::string&>() == kReceiptVersionKeyed;
  check.only(payload, "",
             {"version", "receiptId", "issuedAt", "jurisdiction", "collection", "controller", "notice", "channels",
              "retention", "subject", "supersedes"});
  if (const Json* id = check.member(payload, "", "receiptId", VT::string);
      id && !is_uuid(id->get_ref<const std::string&>())) {
    check.fail("receipt_bad_value", "/receiptId", "The receipt id must be a lower-case UUID.");
  }
  if (const Json* at = check.member(payload, "", "issuedAt", VT::string);
      at && !is_utc_timestamp(at->get_ref<const std::string&>())) {
    check.fail("receipt_bad_value", "/issuedAt", "issuedAt must be an RFC 3339 UTC time like 2026-11-30T10:00:00Z.");
  }
  check.member(payload, "", "jurisdiction", VT::string);
  if (const Json* supersedes = check.member(payload, "", "supersedes", VT::string, false);
      supersedes && !is_uuid(supersedes->get_ref<const std::string&>())) {
    check.fail("receipt_bad_value", "/supersedes", "supersedes must be the UUID of an earlier receipt.");
  }

  if (const Json* collection = check.member(payload, "", "collection", VT::object)) {
    check.only(*collection, "/collection",
               {"method", "pageUrl", "agent", "globalPrivacyControl", "challenge", "relayedBy"});
    if (const Json* method = check.member(*collection, "/collection", "method", VT::string);
        method && !is_collection_method(method->get_ref<const std::string&>())) {
      check.fail("receipt_bad_value", "/collection/method", "Unknown collection method.");
    }
    check.member(*collection, "/collection", "agent", VT::string);
    check.member(*collection, "/collection", "globalPrivacyControl", VT::boolean);
    check.member(*collection, "/collection", "pageUrl", VT::string, false);
    check.member(*collection, "/collection", "challenge", VT::string, false);
    check.member(*collection, "/collection", "relayedBy", VT::string, false);
  }
  if (const Json* controller = check.member(payload, "", "controller", VT::object)) {
    check.only(*controller, "/controller", {"name", "privacyPolicyUrl", "rightsContact"});
    for (const char* name : {"name", "privacyPolicyUrl", "rightsContact"}) {
      check.member(*controller, "/controller", name, VT::string);
    }
  }
  if (const Json* notice = check.member(payload, "", "notice", VT::object)) {
    check.only(*notice, "/notice",
               {"configVersion", "locale", "sha256", "partnerListSha256", "partnerIds", "partnerListUrl"});
    check.member(*notice, "/notice", "configVersion", VT::string);
    check.member(*notice, "/notice", "locale", VT::string);
    for (const char* name : {"sha256", "partnerListSha256"}) {
      if (const Json* digest = check.member(*notice, "/notice", name, VT::string);
          digest && !is_lower_hex(digest->get_ref<const std::string&>(), 64)) {
        check.fail("receipt_bad_value", pointer_append("/notice", name), "Digests are 64 lower-case hex digits.");
      }
    }
    if (const Json* ids = check.member(*notice, "/notice", "partnerIds", VT::array)) {
      for (std::size_t i = 0; i < ids->size(); ++i) {
        if (!(*ids)[i].is_string()) {
          check.fail("receipt_wrong_type", pointer_append("/notice/partnerIds", i), "Partner ids are strings.");
        }
      }
    }
    check.member(*notice, "/notice", "partnerListUrl", VT::string, false);
  }
  if (const Json* channels = check.member(payload, "", "channels", VT::object)) {
    if (channels->empty()) check.fail("receipt_bad_value", "/channels", "A receipt records at least one channel.");
    for (const auto& [name, entry] : channels->items()) {
      const std::string path = pointer_append("/channels", name);
      if (!channel_from_string(name)) {
        check.fail("receipt_unknown_member", path, "Unknown channel " + name + ".");
        continue;
      }
      if (!entry.is_object()) {
        check.fail("receipt_wrong_type", path, "The receipt member " + path + " must be an object.");
        continue;
      }
      check.only(entry, path, {"basis", "decision", "shownUnchecked", "partnerProspecting"});
      const Json* basis = check.member(entry, path, "basis", VT::string);
      const Json* decision = check.member(entry, path, "decision", VT::string);
      const Json* unchecked = check.member(entry, path, "shownUnchecked", VT::boolean);
      if (!basis || !decision) continue;
      const std::string& b = basis->get_ref<const std::string&>();
      const std::optional<Decision> d = decision_from_string(decision->get_ref<const std::string&>());
      const bool consent = b == "consent";
      if (!consent && b != "legitimate-interest") {
        check.fail("receipt_bad_value", pointer_append(path, "basis"), "Unknown basis " + b + ".");
      } else if (!d || !fits_basis(*d, consent ? Basis::kConsent : Basis::kLegitimateInterest)) {
        check.fail("receipt_bad_value", pointer_append(path, "decision"),
                   "The decision does not fit the basis " + b + ".");
      } else if (*d == Decision::kWithdrawn && !payload.contains("supersedes")) {
        check.fail("receipt_bad_value", pointer_append(path, "decision"),
                   "A withdrawal must name the receipt it supersedes.");
      }
      if (unchecked && !unchecked->get<bool>()) {
        // R5: a pre-ticked box collects no valid consent. The one exception is
        // an objection pre-selected because the browser sent Global Privacy Control.
        const bool gpc = payload.contains("collection") && payload["collection"].is_object() &&
                         payload["collection"].value("globalPrivacyControl", Json(false)) == Json(true);
        if (!preselected_by_gpc(consent ? Basis::kConsent : Basis::kLegitimateInterest, gpc)) {
          check.fail("receipt_prechecked_box", pointer_append(path, "shownUnchecked"),
                     "The receipt says the box was shown pre-ticked, which no valid consent allows (R5).");
        }
      }
      if ((name == "email" || name == "sms") && !consent) {
        check.fail("receipt_bad_value", pointer_append(path, "basis"), "Email and SMS prospecting need consent (R4).");
      }
      const Json* prospecting = check.member(entry, path, "partnerProspecting", VT::string, consent);
      if (prospecting && prospecting->get_ref<const std::string&>() != "on-behalf" &&
          prospecting->get_ref<const std::string&>() != "transmission-only") {
        check.fail("receipt_bad_value", pointer_append(path, "partnerProspecting"),
                   "partnerProspecting is on-behalf or transmission-only.");
      }
    }
  }
  if (const Json* retention = check.member(payload, "", "retention", VT::object)) {
    check.only(*retention, "/retention", {"months"});
    check.member(*retention, "/retention", "months", VT::number_unsigned);
  }
  if (const Json* subject = check.member(payload, "", "subject", VT::object)) {
    // Version 2 names its digest scheme; version 1 has none (salted SHA-256).
    if (keyed) {
      check.only(*subject, "/subject", {"digest", "salt", "digests"});
      if (const Json* scheme = check.member(*subject, "/subject", "digest", VT::string);
          scheme && scheme->get_ref<const std::string&>() != kKeyedDigestScheme) {
        check.fail("receipt_bad_value", "/subject/digest",
                   "A " + std::string(kReceiptVersionKeyed) + " receipt's digest scheme is " +
                       std::string(kKeyedDigestScheme) + ".");
      }
    } else {
      check.only(*subject, "/subject", {"salt", "digests"});
    }
    if (const Json* salt = check.member(*subject, "/subject", "salt", VT::string)) {
      const auto bytes = base64url_decode(salt->get_ref<const std::string&>());
      if (!bytes || bytes->size() < kMinSaltBytes) {
        check.fail("receipt_bad_value", "/subject/salt", "The salt must be at least 16 bytes, base64url-encoded.");
      }
    }
    if (const Json* digests = check.member(*subject, "/subject", "digests", VT::object)) {
      for (const auto& [kind, digest] : digests->items()) {
        if (kind != "email" && kind != "phone" && kind != "mobile" && kind != "postal") {
          check.fail("receipt_unknown_member", pointer_append("/subject/digests", kind),
                     "Unknown contact kind " + kind + ".");
        } else if (!digest.is_string() || !is_lower_hex(digest.get_ref<const std::string&>(), 64)) {
          check.fail("receipt_bad_value", pointer_append("/subject/digests", kind),
                     "Digests are 64 lower-case hex digits.");
        }
      }
    }
  }
  return problems;
}

std::string header_string(const Json& header, const char* name) {
  const auto it = header.find(name);
  return it != header.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string hex_sha256(const CryptoProvider& crypto, std::string_view data) { return hex_encode(crypto.sha256(data)); }

}  // namespace

bool is_collection_method(std::string_view method) {
  return method == "web-form" || method == "paper" || method == "phone" || method == "preference-centre" ||
         method == "relayed-by-partner";
}

std::string contact_digest_input(std::string_view salt, std::string_view kind, std::string_view normalized) {
  std::string input;
  input.reserve(salt.size() + kind.size() + normalized.size() + 2);
  input.append(salt).append("\n").append(kind).append("\n").append(normalized);
  return input;
}

std::string keyed_digest_input(std::string_view kind, std::string_view normalized) {
  std::string input;
  input.reserve(kind.size() + normalized.size() + 1);
  input.append(kind).append("\n").append(normalized);
  return input;
}

Result<std::string> contact_digest_secret(const Json& controller_private_jwk, const CryptoProvider& crypto) {
  const auto d = controller_private_jwk.is_object() && controller_private_jwk.contains("d") &&
                         controller_private_jwk["d"].is_string()
                     ? base64url_decode(controller_private_jwk["d"].get<std::string>())
                     : std::nullopt;
  if (!d || d->size() != 32) {
    return Problem{"crypto_key_invalid", "",
                   "Keyed contact digests need the controller's private key (a JWK with a 32-byte \"d\")."};
  }
  std::string secret = crypto.hkdf_sha256(*d, kDigestSecretInfo, 32);
  if (secret.size() != 32) return Problem{"crypto_failed", "", "The contact digest secret could not be derived."};
  return secret;
}

std::string contact_digest_key(std::string_view secret, std::string_view salt, const CryptoProvider& crypto) {
  return crypto.hmac_sha256(secret, salt);
}

bool subject_is_keyed(const Json& subject) {
  return subject.is_object() && subject.value(receipt_member::kDigestScheme, Json()) == Json(kKeyedDigestScheme);
}

namespace {

// The digest of one normalized contact under a subject's scheme; `key` is the
// receipt's digest key k, needed (non-empty) for keyed subjects only.
std::string digest_hex_with_key(std::string_view kind, std::string_view normalized, bool keyed, std::string_view salt,
                                std::string_view key, const CryptoProvider& crypto) {
  if (!keyed) return hex_sha256(crypto, contact_digest_input(salt, kind, normalized));
  if (key.empty()) return {};
  return hex_encode(crypto.hmac_sha256(key, keyed_digest_input(kind, normalized)));
}

// contact_matches and contact_matches_with_key: `key_of(salt)` gives k for a
// keyed subject (empty when it cannot).
template <typename KeyOf>
bool subject_binds(const Json& subject, std::string_view kind, std::string_view value, const CryptoProvider& crypto,
                   const KeyOf& key_of) {
  if (!subject.is_object() || !subject.contains("digests") || !subject["digests"].is_object()) return false;
  const std::string name(kind);
  const Json& digests = subject["digests"];
  const auto digest = digests.find(name);
  const auto salt = subject.find("salt");
  if (digest == digests.end() || !digest->is_string() || salt == subject.end() || !salt->is_string()) return false;
  const std::optional<std::string> normalized = normalize_contact(kind, value);
  if (!normalized) return false;
  const std::string& salt_text = salt->get_ref<const std::string&>();
  const bool keyed = subject_is_keyed(subject);
  const std::string computed =
      digest_hex_with_key(kind, *normalized, keyed, salt_text, keyed ? key_of(salt_text) : std::string(), crypto);
  return computed.size() == 64 && computed == digest->get_ref<const std::string&>();
}

}  // namespace

std::string contact_digest_hex(std::string_view kind, std::string_view value, bool keyed, std::string_view salt,
                               std::string_view secret, const CryptoProvider& crypto) {
  const std::optional<std::string> normalized = normalize_contact(kind, value);
  if (!normalized) return {};
  const std::string key = keyed && !secret.empty() ? contact_digest_key(secret, salt, crypto) : std::string();
  return digest_hex_with_key(kind, *normalized, keyed, salt, key, crypto);
}

std::vector<std::string_view> digest_kinds_of_contact(std::string_view contact) {
  if (contact == "email") return {"email"};
  if (contact == "phone" || contact == "mobile") return {"phone", "mobile"};
  if (contact == "address" || contact == "postal") return {"postal"};
  return {};
}

std::vector<std::string> contact_spellings(std::string_view kind, std::string_view value) {
  std::optional<std::string> normalized = normalize_contact(kind, value);
  if (!normalized) return {};
  std::vector<std::string> out{*normalized};
  if (kind != "phone" && kind != "mobile") return out;
  const std::string& n = out.front();
  std::string national_digits;  // the 9 digits after the French trunk prefix 0 or country code 33
  if (n.size() == 10 && n[0] == '0' && n[1] != '0') national_digits = n.substr(1);
  if (n.size() == 12 && n.rfind("+33", 0) == 0) national_digits = n.substr(3);
  if (n.size() == 13 && n.rfind("0033", 0) == 0) national_digits = n.substr(4);
  if (national_digits.size() != 9 || national_digits[0] == '0') return out;
  for (std::string spelling : {"0" + national_digits, "+33" + national_digits, "0033" + national_digits}) {
    if (std::find(out.begin(), out.end(), spelling) == out.end()) out.push_back(std::move(spelling));
  }
  return out;
}

bool contact_matches(const Json& subject, std::string_view kind, std::string_view value, std::string_view secret,
                     const CryptoProvider& crypto) {
  return subject_binds(subject, kind, value, crypto, [&](const std::string& salt) {
    return secret.empty() ? std::string() : contact_digest_key(secret, salt, crypto);
  });
}

bool contact_matches_with_key(const Json& subject, std::string_view kind, std::string_view value,
                              std::string_view digest_key, const CryptoProvider& crypto) {
  return subject_binds(subject, kind, value, crypto,
                       [&](const std::string&) { return std::string(digest_key.size() == 32 ? digest_key : ""); });
}

Result<ReceiptPlan> plan_receipt(const Config& config, const Choices& choices, const ReceiptContext& context) {
  Problems problems;
  if (!is_uuid(context.receipt_id)) {
    problems.push_back(context_problem("/receiptId", "The receipt id must be a lower-case UUID."));
  }
  if (!is_utc_timestamp(context.issued_at)) {
    problems.push_back(context_problem("/issuedAt", "The issue time must be RFC 3339 UTC, like 2026-11-30T10:00:00Z."));
  }
  const auto& locales = supported_locales();
  if (std::find(locales.begin(), locales.end(), context.locale) == locales.end()) {
    std::string listed;
    for (const std::string& l : locales) listed += (listed.empty() ? "" : ", ") + l;
    problems.push_back(context_problem("/locale", "The locale must be one Cachet supports (" + listed + ")."));
  }
  if (!is_collection_method(context.collection_method)) {
    problems.push_back(context_problem(
        "/collection/method",
        "The collection method must be web-form, paper, phone, preference-centre or relayed-by-partner."));
  }
  if (context.collection_method == "web-form" && !is_web_url(context.page_url)) {
    problems.push_back(context_problem("/collection/pageUrl", "A web-form receipt needs the https URL of the page."));
  } else if (!context.page_url.empty() && !is_web_url(context.page_url)) {
    problems.push_back(context_problem("/collection/pageUrl", "The page URL must be an https URL."));
  }
  if (context.agent.empty()) {
    problems.push_back(context_problem("/collection/agent", "The collecting agent must be named."));
  }
  if ((context.collection_method == "relayed-by-partner") != !context.relayed_by.empty()) {
    problems.push_back(
        context_problem("/collection/relayedBy", "relayedBy names the partner, for relayed-by-partner receipts only."));
  }
  if (!context.relayed_by.empty()) {
    const bool listed = std::any_of(config.partners.entries.begin(), config.partners.entries.end(),
                                    [&](const Partner& p) { return p.id == context.relayed_by; });
    if (!listed) {
      problems.push_back(context_problem("/collection/relayedBy", "relayedBy is not a partner of the config."));
    }
  }
  if (!context.supersedes.empty() && !is_uuid(context.supersedes)) {
    problems.push_back(context_problem("/supersedes", "supersedes must be the UUID of an earlier receipt."));
  }
  if (choices.superseding != !context.supersedes.empty()) {
    problems.push_back(context_problem("/supersedes", "Only an update or withdrawal names the receipt it supersedes."));
  }

  Json subject = Json::object();
  std::map<std::string, std::string> digest_inputs;
  std::map<std::string, std::string> keyed_inputs;
  // The digest scheme, and so the version, follows the subject: a carried-over
  // subject keeps the scheme its digests were made with.
  bool keyed = !context.digest_key.empty();
  if (!context.carried_subject.is_null()) {
    if (context.supersedes.empty()) {
      problems.push_back(
          context_problem("/subject", "Only an update or withdrawal carries an earlier receipt's subject."));
    } else if (!choices.contacts.empty()) {
      problems.push_back(
          context_problem("/subject", "Give either contact values or a carried-over subject, not both."));
    } else {
      subject = context.carried_subject;
      keyed = subject_is_keyed(subject);
    }
  } else {
    const auto salt = base64url_decode(context.salt);
    if (!salt || salt->size() < kMinSaltBytes) {
      problems.push_back(
          context_problem("/subject/salt", "The salt must be at least 16 random bytes, base64url-encoded."));
    }
    if (keyed && context.digest_key.size() != 32) {
      problems.push_back(context_problem("/subject/digest", "The digest key must be 32 bytes."));
    }
    subject = Json{{"salt", context.salt}, {"digests", Json::object()}};
    if (keyed) subject[receipt_member::kDigestScheme] = kKeyedDigestScheme;
    for (const auto& [kind, value] : choices.contacts) {
      const std::optional<std::string> normalized = normalize_contact(kind, value);
      if (!normalized) {
        problems.push_back(
            context_problem(pointer_append("/contacts", kind), "The " + kind + " contact is not valid."));
        continue;
      }
      if (keyed) {
        keyed_inputs[kind] = keyed_digest_input(kind, *normalized);
      } else {
        digest_inputs[kind] = contact_digest_input(context.salt, kind, *normalized);
      }
    }
  }

  Json channels = Json::object();
  const bool carried = !context.carried_notice.is_null() || !context.carried_channels.is_null();
  if (carried && context.supersedes.empty()) {
    problems.push_back(context_problem("/notice", "Only an update or withdrawal carries an earlier receipt's notice."));
  }
  if (carried && (!context.carried_notice.is_null() && !context.carried_notice.is_object())) {
    problems.push_back(context_problem("/notice", "The carried notice must be a receipt's notice object."));
  }
  if (!context.carried_channels.is_null()) {
    // A change after signup records the channels the person was informed
    // about (lifecycle.h), with the basis they were informed under; nothing
    // is shown pre-ticked in the preference centre.
    if (!context.carried_channels.is_object()) {
      problems.push_back(context_problem("/channels", "The carried channels must be an object."));
    } else {
      for (const auto& [channel, decision] : choices.decisions) {
        const std::string name(to_string(channel));
        const auto entry = context.carried_channels.find(name);
        if (entry == context.carried_channels.end() || !entry->is_object() || !entry->contains("basis")) {
          problems.push_back(context_problem(pointer_append("/channels", name),
                                             "A change can only record a channel the person was informed about."));
          continue;
        }
        Json out = *entry;
        out["decision"] = to_string(decision);
        out["shownUnchecked"] = true;
        channels[name] = std::move(out);
      }
    }
  } else {
    for (const ChannelConfig& channel_config : config.channels) {
      const auto decision = choices.decisions.find(channel_config.channel);
      if (decision == choices.decisions.end()) {
        problems.push_back(context_problem(pointer_append("/decisions", to_string(channel_config.channel)),
                                           "Every configured channel needs a decision."));
        continue;
      }
      // R5: every box is shown unchecked, except that the Global Privacy
      // Control signal pre-selects objection (lifecycle.h); the receipt says so truthfully.
      const bool preselected = preselected_by_gpc(channel_config.basis, context.global_privacy_control);
      Json entry = {{"basis", to_string(channel_config.basis)},
                    {"decision", to_string(decision->second)},
                    {"shownUnchecked", !preselected}};
      if (channel_config.partner_prospecting) {
        entry["partnerProspecting"] = to_string(*channel_config.partner_prospecting);
      }
      channels[std::string(to_string(channel_config.channel))] = std::move(entry);
    }
  }

  Json notice_json;
  if (context.carried_notice.is_object()) {
    // The notice the superseded receipt bound, digests included: the person
    // was shown no other (R7: the list never widens).
    notice_json = context.carried_notice;
  } else {
    Result<Notice> notice = build_notice(config, context.locale.empty() ? config.locale : context.locale);
    if (!notice.ok()) {
      for (const Problem& p : notice.problems()) problems.push_back(p);
    } else {
      digest_inputs["notice"] = canonical_notice(notice.value());
      digest_inputs["partnerList"] = canonical_partner_list(config);
    }
    Json partner_ids = Json::array();
    for (const Partner& partner : config.partners.entries) partner_ids.push_back(partner.id);
    notice_json = {
        {"configVersion", config.config_version}, {"locale", context.locale}, {"partnerIds", std::move(partner_ids)}};
    if (!config.partners.list_url.empty()) notice_json["partnerListUrl"] = config.partners.list_url;
  }
  if (!problems.empty()) return problems;

  Json collection = {{"method", context.collection_method},
                     {"agent", context.agent},
                     {"globalPrivacyControl", context.global_privacy_control}};
  if (!context.page_url.empty()) collection["pageUrl"] = context.page_url;
  if (!context.challenge.empty()) collection["challenge"] = context.challenge;
  if (!context.relayed_by.empty()) collection["relayedBy"] = context.relayed_by;

  Json draft = {{"version", keyed ? kReceiptVersionKeyed : kReceiptVersion},
                {"receiptId", context.receipt_id},
                {"issuedAt", context.issued_at},
                {"jurisdiction", config.jurisdiction},
                {"collection", std::move(collection)},
                {"controller",
                 {{"name", config.controller.name},
                  {"privacyPolicyUrl", config.controller.privacy_policy_url},
                  {"rightsContact", config.controller.rights_contact}}},
                {"notice", std::move(notice_json)},
                {"channels", std::move(channels)},
                {"retention", {{"months", config.retention_months}}},
                {"subject", std::move(subject)}};
  if (!context.supersedes.empty()) draft["supersedes"] = context.supersedes;
  ReceiptPlan plan{std::move(draft), std::move(digest_inputs), std::move(keyed_inputs), std::string()};
  if (!plan.keyed_inputs.empty()) plan.digest_key = context.digest_key;
  return plan;
}

Result<std::string> finish_receipt_payload(const ReceiptPlan& plan,
                                           const std::map<std::string, std::string>& hex_digests) {
  Problems problems;
  Json payload = plan.draft;
  std::vector<std::string> names;
  for (const auto& [name, unused] : plan.digest_inputs) names.push_back(name);
  for (const auto& [name, unused] : plan.keyed_inputs) names.push_back(name);
  for (const std::string& name : names) {
    const auto digest = hex_digests.find(name);
    if (digest == hex_digests.end() || !is_lower_hex(digest->second, 64)) {
      problems.push_back({"receipt_digest_missing", pointer_append("/digests", name),
                          "The SHA-256 digest of \"" + name + "\" (64 lower-case hex digits) is missing."});
      continue;
    }
    if (name == "notice") {
      payload["notice"]["sha256"] = digest->second;
    } else if (name == "partnerList") {
      payload["notice"]["partnerListSha256"] = digest->second;
    } else {
      payload["subject"]["digests"][name] = digest->second;
    }
  }
  if (!problems.empty()) return problems;
  Problems schema = check_payload_schema(payload);
  if (!schema.empty()) return schema;
  return canonicalize(payload);
}

Result<Json> issue_receipt(const Config& config, const Choices& choices, const ReceiptContext& context,
                           const CryptoProvider& crypto) {
  Result<ReceiptPlan> plan = plan_receipt(config, choices, context);
  if (!plan.ok()) return plan.problems();
  std::map<std::string, std::string> digests;
  for (const auto& [name, input] : plan.value().digest_inputs) digests[name] = hex_sha256(crypto, input);
  for (const auto& [name, input] : plan.value().keyed_inputs) {
    digests[name] = hex_encode(crypto.hmac_sha256(plan.value().digest_key, input));
  }
  Result<std::string> payload = finish_receipt_payload(plan.value(), digests);
  if (!payload.ok()) return payload.problems();
  Result<Json> key = crypto.generate_ed25519();
  if (!key.ok()) return key.problems();
  return sign_jws(payload.value(), key.value(), crypto, Json{{"typ", kReceiptType}});
}

Result<Json> countersign_verified(const VerifiedReceipt& receipt, const Json& controller_private_jwk,
                                  std::string_view accepted_at, const CryptoProvider& crypto) {
  if (!is_utc_timestamp(accepted_at)) {
    return Problem{"receipt_bad_context", "/cachet_at", "The acceptance time must be RFC 3339 UTC."};
  }
  Result<Json> public_key = public_jwk(controller_private_jwk);
  if (!public_key.ok()) return public_key.problems();
  Result<std::string> kid = jwk_thumbprint(public_key.value(), crypto);
  if (!kid.ok()) return kid.problems();
  const Json& jws = receipt.jws;
  for (const Json& signature : jws["signatures"]) {
    Result<Json> header = parse_json_strict(*base64url_decode(signature["protected"].get<std::string>()));
    if (header.ok() && header.value().value("kid", "") == kid.value()) {
      return jws;  // already countersigned by this key: countersigning is idempotent
    }
  }
  const Json header = make_protected_header(
      public_key.value(), Json{{"typ", kCountersignType}, {"kid", kid.value()}, {"cachet_at", accepted_at}});
  const std::string payload_b64 = jws["payload"].get<std::string>();
  Result<std::string> signature = crypto.sign(controller_private_jwk, make_signing_input(header, payload_b64));
  if (!signature.ok()) return signature.problems();
  return add_signature(jws, payload_b64, header, signature.value());
}

Result<Json> countersign_receipt(std::string_view jws_text, const Json& controller_private_jwk,
                                 std::string_view accepted_at, const CryptoProvider& crypto) {
  // A bad acceptance time is reported before the receipt is looked at, as it always was.
  if (!is_utc_timestamp(accepted_at)) {
    return Problem{"receipt_bad_context", "/cachet_at", "The acceptance time must be RFC 3339 UTC."};
  }
  Result<VerifiedReceipt> verified = verify_receipt(jws_text, crypto);
  if (!verified.ok()) return verified.problems();
  return countersign_verified(verified.value(), controller_private_jwk, accepted_at, crypto);
}

Result<VerificationPlan> plan_verification(std::string_view jws_text) {
  Result<ParsedJws> parsed = parse_jws(jws_text);
  if (!parsed.ok()) return parsed.problems();

  Problems problems;
  const ParsedJws& jws = parsed.value();
  for (std::size_t i = 0; i < jws.signatures.size(); ++i) {
    const Json& header = jws.signatures[i].protected_header;
    const std::string path = pointer_append(pointer_append("/signatures", i), "protected");
    const std::string typ = header_string(header, "typ");
    if (i == 0 && typ != kReceiptType) {
      problems.push_back({"receipt_bad_typ", path,
                          "The first signature must be the collector's, with typ " + std::string(kReceiptType) + "."});
    }
    if (i > 0) {
      if (typ != kCountersignType) {
        problems.push_back(
            {"receipt_bad_typ", path,
             "Signatures after the first are countersignatures, with typ " + std::string(kCountersignType) + "."});
      }
      if (!is_utc_timestamp(header_string(header, "cachet_at"))) {
        problems.push_back(
            {"receipt_bad_countersignature", path, "A countersignature states when it was made (cachet_at)."});
      }
    }
  }

  Result<Json> payload = parse_json_strict(jws.payload);
  if (!payload.ok()) {
    for (const Problem& p : payload.problems()) {
      problems.push_back(
          {"receipt_payload_not_json", "/payload", "The receipt payload is not valid JSON: " + p.message});
    }
    return problems;
  }
  // Compared while serialising: no canonical copy of the payload is built.
  if (!is_canonical(payload.value(), jws.payload)) {
    problems.push_back(
        {"receipt_not_canonical", "/payload",
         "The receipt payload is not in RFC 8785 canonical form, so it was not made by a Cachet signer."});
  }
  for (Problem& p : check_payload_schema(payload.value())) {
    p.path = "/payload" + p.path;
    problems.push_back(std::move(p));
  }
  if (!problems.empty()) return problems;
  Json document = std::move(parsed.value().document);
  return VerificationPlan{std::move(parsed).value(), std::move(document), std::move(payload).value()};
}

Result<VerifiedReceipt> finish_verification(VerificationPlan plan, const std::vector<bool>& signature_valid,
                                            const std::vector<std::string>& thumbprints, const VerifyOptions& options,
                                            std::string_view payload_sha256_hex) {
  const std::size_t count = plan.jws.signatures.size();
  if (signature_valid.size() != count || thumbprints.size() != count) {
    return Problem{"receipt_bad_context", "/signatures", "One verification result per signature is needed."};
  }
  Problems problems;
  for (std::size_t i = 0; i < count; ++i) {
    if (!signature_valid[i]) {
      problems.push_back({"jws_bad_signature", pointer_append("/signatures", i),
                          i == 0 ? "The collector signature does not match: the receipt was altered or signed with "
                                   "another key."
                                 : "A countersignature does not match: the receipt was altered after it was "
                                   "countersigned, or another key signed it."});
    }
  }
  if (!problems.empty()) return problems;
  // A countersignature names its key by RFC 7638 thumbprint; ledgers and JOSE
  // users look keys up by kid, so a kid that is not the key's own is a lie.
  // (Checked once the signatures verify: a broken signature already says it all.)
  for (std::size_t i = 1; i < count; ++i) {
    if (header_string(plan.jws.signatures[i].protected_header, "kid") != thumbprints[i]) {
      problems.push_back({"receipt_bad_countersignature", pointer_append(pointer_append("/signatures", i), "protected"),
                          "The countersignature's kid is not the RFC 7638 thumbprint of its key."});
    }
  }
  if (!problems.empty()) return problems;

  VerifiedReceipt out;
  out.receipt_id = plan.payload["receiptId"].get<std::string>();
  out.payload = std::move(plan.payload);
  out.payload_bytes = std::move(plan.jws.payload);
  if (count > 0) out.collector_alg = header_string(plan.jws.signatures[0].protected_header, "alg");
  out.payload_sha256 = std::string(payload_sha256_hex);
  out.jws = std::move(plan.jws_json);
  std::optional<Json> trusted;
  if (options.trusted_controller_key) {
    Result<Json> key = public_jwk(*options.trusted_controller_key);
    if (!key.ok()) return key.problems();
    trusted = key.value();
  }
  bool trusted_found = false;
  for (std::size_t i = 1; i < count; ++i) {
    if (trusted) {
      Result<Json> key = public_jwk(plan.jws.signatures[i].jwk);
      if (!key.ok() || key.value() != *trusted) continue;
      trusted_found = true;
    }
    out.countersigned = true;
    out.countersigner_kid = thumbprints[i];
    if (trusted_found) break;
  }
  if (trusted && !trusted_found) {
    return Problem{count > 1 ? "receipt_untrusted_countersigner" : "receipt_not_countersigned", "/signatures",
                   count > 1 ? "The receipt is countersigned, but not by the trusted controller key."
                             : "The receipt has no countersignature by the trusted controller key."};
  }
  return out;
}

Result<VerifiedReceipt> verify_receipt(std::string_view jws_text, const CryptoProvider& crypto,
                                       const VerifyOptions& options) {
  Result<VerificationPlan> plan = plan_verification(jws_text);
  if (!plan.ok()) return plan.problems();
  const std::vector<JwsSignature>& signatures = plan.value().jws.signatures;
  std::vector<bool> valid;
  std::vector<std::string> thumbprints;
  valid.reserve(signatures.size());
  thumbprints.reserve(signatures.size());
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const JwsSignature& signature = signatures[i];
    valid.push_back(crypto.verify(signature.alg, signature.jwk, signature.signing_input, signature.signature));
    // finish_verification reads the thumbprints of countersignatures only:
    // the collector's key is a fresh one per receipt and names nothing.
    Result<std::string> thumbprint =
        i == 0 ? Result<std::string>(std::string()) : jwk_thumbprint(signature.jwk, crypto);
    thumbprints.push_back(thumbprint.ok() ? std::move(thumbprint).value() : std::string());
  }
  const std::string payload_sha256 = hex_sha256(crypto, plan.value().jws.payload);
  return finish_verification(std::move(plan).value(), valid, thumbprints, options, payload_sha256);
}

namespace {

std::string text_of(const Json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A receipt's channel, decision or collection method as the person reads it;
// a value the table does not know is shown as it is.
std::string label(std::string_view kind, std::string_view value, std::string_view locale) {
  const std::string id = "receipt." + std::string(kind) + "." + std::string(value);
  return has_text(id) ? text(id, locale) : std::string(value);
}

}  // namespace

std::string readable_time(const std::string& rfc3339, std::string_view locale) {
  const auto digits = [&rfc3339](std::size_t at, std::size_t n) {
    int value = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (rfc3339[i] < '0' || rfc3339[i] > '9') return -1;
      value = value * 10 + (rfc3339[i] - '0');
    }
    return value;
  };
  const bool date_only = rfc3339.size() == 10;
  if ((!date_only && rfc3339.size() != 20) || rfc3339[4] != '-' || rfc3339[7] != '-' ||
      (!date_only && (rfc3339[10] != 'T' || rfc3339[13] != ':' || rfc3339[16] != ':' || rfc3339[19] != 'Z'))) {
    return rfc3339;
  }
  const int year = digits(0, 4);
  const int month = digits(5, 2);
  const int day = digits(8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 ||
      (!date_only && (digits(11, 2) < 0 || digits(14, 2) < 0 || digits(17, 2) < 0))) {
    return rfc3339;
  }
  std::string date = text("time.date", locale,
                          {{"day", std::to_string(day)},
                           {"month", text("time.month." + std::to_string(month), locale)},
                           {"year", std::to_string(year)}});
  if (date_only) return date;
  return text("time.datetime", locale, {{"date", date}, {"time", rfc3339.substr(11, 8)}});
}

std::string render_receipt_text(const Json& payload, std::string_view locale, const Config* config) {
  if (!payload.is_object()) return {};
  const auto line = [locale](std::string_view id, const std::string& value) {
    return text(id, locale, {{"value", value}}) + "\n";
  };
  const Json empty = Json::object();
  const Json& controller = payload.contains("controller") ? payload["controller"] : empty;
  const Json& collection = payload.contains("collection") ? payload["collection"] : empty;
  const Json& notice = payload.contains("notice") ? payload["notice"] : empty;
  std::string out;
  out += text("receipt.title", locale) + "\n";
  out += "=====================\n";
  out += line("receipt.id", text_of(payload, "receiptId"));
  out += line("receipt.date", readable_time(text_of(payload, "issuedAt"), locale));
  out += line("receipt.controller", text_of(controller, "name"));
  out += line("receipt.privacy_policy", text_of(controller, "privacyPolicyUrl"));
  out += line("receipt.rights_contact", text_of(controller, "rightsContact"));
  std::string method = label("method", text_of(collection, "method"), locale);
  if (!text_of(collection, "pageUrl").empty()) method += " (" + text_of(collection, "pageUrl") + ")";
  out += line("receipt.method", method);
  if (collection.is_object() && collection.value("globalPrivacyControl", Json(false)) == Json(true)) {
    out += text("receipt.gpc", locale) + "\n";
  }
  if (!text_of(payload, "supersedes").empty()) out += line("receipt.supersedes", text_of(payload, "supersedes"));
  out += "\n" + text("receipt.choices", locale) + "\n";
  if (payload.contains("channels") && payload["channels"].is_object()) {
    for (const Channel channel : all_channels()) {
      const std::string name(to_string(channel));
      if (!payload["channels"].contains(name)) continue;
      const Json& entry = payload["channels"][name];
      if (!entry.is_object()) continue;
      out += "  - " +
             text("receipt.choice", locale,
                  {{"channel", label("channel", name, locale)},
                   {"decision", label("decision", text_of(entry, "decision"), locale)}}) +
             "\n";
    }
  }
  if (notice.contains("partnerIds") && notice["partnerIds"].is_array()) {
    const Json& ids = notice["partnerIds"];
    // Names only from the config version the receipt was made under, and only
    // when it lists every partner id: never a name the person was not shown.
    std::vector<std::string> names;
    if (config && config->config_version == text_of(notice, "configVersion")) {
      for (const Json& id : ids) {
        const auto found =
            std::find_if(config->partners.entries.begin(), config->partners.entries.end(),
                         [&](const Partner& p) { return id.is_string() && p.id == id.get_ref<const std::string&>(); });
        if (found == config->partners.entries.end()) {
          names.clear();
          break;
        }
        names.push_back(found->name);
      }
    }
    const std::string count = std::to_string(ids.size());
    const std::string list_url = text_of(notice, "partnerListUrl");
    if (names.empty()) {
      out += "\n" + text("receipt.partners", locale, {{"count", count}});
      if (!list_url.empty()) out += " (" + list_url + ")";
      out += "\n";
    } else {
      out += "\n" + text("receipt.partners.named", locale, {{"count", count}}) + "\n";
      for (const std::string& name : names) out += "  - " + name + "\n";
      if (!list_url.empty()) out += line("receipt.partner_list_url", list_url);
    }
  }
  if (payload.contains("retention") && payload["retention"].is_object() && payload["retention"].contains("months") &&
      payload["retention"]["months"].is_number_integer()) {
    out += text("receipt.retention", locale,
                {{"months", std::to_string(payload["retention"]["months"].get<std::int64_t>())}}) +
           "\n";
  }
  out += "\n" + text("receipt.rights", locale, {{"contact", text_of(controller, "rightsContact")}}) + "\n";
  out += line("receipt.notice_sha256", text_of(notice, "sha256"));
  return out;
}

}  // namespace cachet
