// Consent receipts (DESIGN.md 3.2): a JWS whose payload is the RFC 8785
// canonical JSON of the receipt. Building and verifying come in two phases so
// that the browser can do the crypto with WebCrypto (async) between them;
// the native one-call helpers run both phases with a CryptoProvider.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/choices.h"
#include "cachet/config.h"
#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/jws.h"
#include "cachet/notice.h"

namespace cachet {

// Version 1: contact digests are salted SHA-256, so anyone holding the receipt
// can test guesses (a phone number falls to a search of its range).
// Version 2: keyed digests (HMAC-SHA256 under a per-receipt key only the
// controller can derive); subject.digest names the scheme. docs/receipt.md.
inline constexpr std::string_view kReceiptVersion = "cachet-receipt/1";
inline constexpr std::string_view kReceiptVersionKeyed = "cachet-receipt/2";
inline constexpr std::string_view kKeyedDigestScheme = "hmac-sha256";  // subject.digest of version 2
// HKDF info deriving the controller's digest secret from its private key.
inline constexpr std::string_view kDigestSecretInfo = "cachet contact digest key v1";
inline constexpr std::string_view kReceiptType = "cachet-receipt+jws";  // typ of the collector signature
inline constexpr std::string_view kCountersignType = "cachet-countersignature+jws";

// The payload members that code outside the receipt's own builder and schema
// reads (the ledger's compact records, the lifecycle fold), named once here.
namespace receipt_member {
inline constexpr const char* kReceiptId = "receiptId";
inline constexpr const char* kIssuedAt = "issuedAt";
inline constexpr const char* kCollection = "collection";
inline constexpr const char* kMethod = "method";
inline constexpr const char* kNotice = "notice";
inline constexpr const char* kPartnerIds = "partnerIds";
inline constexpr const char* kLocale = "locale";
inline constexpr const char* kChannels = "channels";
inline constexpr const char* kBasis = "basis";
inline constexpr const char* kDecision = "decision";
inline constexpr const char* kPartnerProspecting = "partnerProspecting";
inline constexpr const char* kSubject = "subject";
inline constexpr const char* kSalt = "salt";
inline constexpr const char* kDigestScheme = "digest";
inline constexpr const char* kDigests = "digests";
}  // namespace receipt_member

// How the choices reached the controller.
// "web-form" (the widget), "paper", "phone", "preference-centre", "relayed-by-partner".
bool is_collection_method(std::string_view method);

struct ReceiptContext {
  std::string receipt_id;         // random UUID (v4), lower case
  std::string issued_at;          // RFC 3339 UTC, "2026-11-30T10:00:00Z"
  std::string locale;             // locale the notice was shown in
  std::string collection_method;  // see is_collection_method
  std::string page_url;           // web-form: the page; may be empty off the web
  std::string agent;              // "cachet-widget/0.1.0", "cachet-cli/0.1.0", ...
  std::string relayed_by;         // partner id, for relayed-by-partner
  std::string challenge;          // host/server challenge, may be empty
  bool global_privacy_control = false;
  std::string supersedes;  // receipt id this one replaces, may be empty
  std::string salt;        // 16+ random bytes, base64url; binds contact digests
  // Raw 32-byte per-receipt digest key k = contact_digest_key(secret, salt):
  // when set, the contacts get keyed digests and the receipt is version 2.
  // Empty: salted SHA-256, version 1.
  std::string digest_key;
  // For an update or withdrawal made without the contact values (preference
  // centre, relayed objection): the "subject" object of the superseded receipt,
  // carried over as is. Null otherwise.
  Json carried_subject;
  // For a change after signup (lifecycle.h, supersede()): the notice block the
  // superseded receipt bound, carried as is so that the partner list never
  // widens (R7), and the channel entries to record ({name: {basis,
  // partnerProspecting}}): only the channels the person was informed about.
  // Null: the notice and channels come from the config.
  Json carried_notice;
  Json carried_channels;
};

// Phase 1: validates choices and context against the config and returns what
// must be hashed. Keys of `digest_inputs`: "notice", "partnerList", and, for a
// version 1 receipt, one per contact kind bound ("email", "phone", "mobile",
// "postal"); for a version 2 receipt the contact kinds are in `keyed_inputs`.
struct ReceiptPlan {
  Json draft;                                        // payload without digests
  std::map<std::string, std::string> digest_inputs;  // name -> bytes to SHA-256
  std::map<std::string, std::string> keyed_inputs;   // name -> bytes to HMAC-SHA256 under digest_key
  std::string digest_key;                            // raw k (context.digest_key) when keyed_inputs is not empty
};
Result<ReceiptPlan> plan_receipt(const Config& config, const Choices& choices, const ReceiptContext& context);

// Version 1: bytes SHA-256 hashes for one contact value: salt '\n' kind '\n' normalized value.
std::string contact_digest_input(std::string_view salt, std::string_view kind, std::string_view normalized);
// Version 2: bytes HMAC-SHA256 signs under k for one contact value: kind '\n' normalized value.
std::string keyed_digest_input(std::string_view kind, std::string_view normalized);
// The controller's digest secret: HKDF-SHA256 (no salt, info
// kDigestSecretInfo) over the private key's "d" bytes, so it needs no storage
// of its own and the ledger alone does not reveal it.
Result<std::string> contact_digest_secret(const Json& controller_private_jwk, const CryptoProvider& crypto);
// A receipt's digest key k = HMAC-SHA256(secret, subject.salt as its base64url
// text). Knowing one k reveals nothing about another receipt's digests.
std::string contact_digest_key(std::string_view secret, std::string_view salt, const CryptoProvider& crypto);
// Whether `value` is the contact of `kind` that a receipt's subject binds,
// under the subject's scheme (version 1: salted SHA-256; version 2: the key
// derived from `secret`, which must then be the controller's digest secret).
// False when the subject binds no such contact or the value is not valid.
bool contact_matches(const Json& subject, std::string_view kind, std::string_view value, std::string_view secret,
                     const CryptoProvider& crypto);
// The same with the receipt's own digest key k (contact_digest_key of its
// salt) instead of the controller's secret: what a partner is handed beside a
// receipt (docs/export.md, "For partners"), so that it can check the values it
// received against that one receipt and no other. Version 1 subjects ignore
// `digest_key`.
bool contact_matches_with_key(const Json& subject, std::string_view kind, std::string_view value,
                              std::string_view digest_key, const CryptoProvider& crypto);
// Whether a subject object uses keyed digests (subject.digest = "hmac-sha256").
bool subject_is_keyed(const Json& subject);
// The hex digest a receipt holds for a contact `value` of `kind` (normalised
// here, normalize_contact), under the subject's scheme: version 1 (not
// `keyed`): SHA-256 of contact_digest_input(salt, ...); version 2: HMAC-SHA256
// under contact_digest_key(secret, salt). Empty when the value is not a valid
// contact of that kind, or `keyed` without a secret. contact_matches() and the
// ledger's search for a person (cachet person find) both compare with it.
std::string contact_digest_hex(std::string_view kind, std::string_view value, bool keyed, std::string_view salt,
                               std::string_view secret, const CryptoProvider& crypto);
// The digest kinds ("email", "phone", "mobile", "postal") a contact a person
// gives to be found may stand under: a phone number is looked for as both a
// landline and a mobile; an "address" is postal. Empty for an unknown contact.
std::vector<std::string_view> digest_kinds_of_contact(std::string_view contact);
// The spellings of one contact that name the same person, normalised
// (normalize_contact), the value's own first: a French number written
// nationally (06 12 34 56 78) or internationally (+33 6 12 34 56 78,
// 0033 6 12 34 56 78) is the same line, and a receipt binds the spelling the
// person typed. Empty when the value is not a valid contact of that kind.
std::vector<std::string> contact_spellings(std::string_view kind, std::string_view value);

// Phase 2: fills in the digests (lower-case hex SHA-256 of each digest input)
// and returns the canonical payload bytes to sign.
Result<std::string> finish_receipt_payload(const ReceiptPlan& plan,
                                           const std::map<std::string, std::string>& hex_digests);

// Native one-call: plan, hash, sign with a fresh Ed25519 key (the collector
// signature) and return the JWS (general JSON serialisation). Keyed digests
// when context.digest_key is set.
Result<Json> issue_receipt(const Config& config, const Choices& choices, const ReceiptContext& context,
                           const CryptoProvider& crypto);

// --- verification -----------------------------------------------------------

struct VerifyOptions {
  // When set, the receipt must carry a valid countersignature by this key.
  std::optional<Json> trusted_controller_key;
};

struct VerifiedReceipt {
  Json payload;               // the receipt
  std::string payload_bytes;  // the signed payload as decoded: its RFC 8785 canonical JSON
  std::string receipt_id;
  std::string payload_sha256;     // hex, identifies the exact payload (replay checks)
  std::string collector_alg;      // alg of the collector's signature (signatures[0])
  bool countersigned = false;     // a valid countersignature is present
  std::string countersigner_kid;  // its RFC 7638 thumbprint
  Json jws;                       // the JWS as parsed, in the general serialisation
};

// --- countersignature ----------------------------------------------------------

// Adds the controller's countersignature (a second JWS signature whose
// protected header has typ cachet-countersignature+jws, the key's jwk and kid
// = RFC 7638 thumbprint, and "cachet_at" = acceptance time) to a receipt that
// verify_receipt() (or finish_verification()) accepted, without parsing or
// verifying it again. A receipt this key countersigned already comes back as
// it is.
Result<Json> countersign_verified(const VerifiedReceipt& receipt, const Json& controller_private_jwk,
                                  std::string_view accepted_at, const CryptoProvider& crypto);

// The same from the JWS text: verifies it first (only a receipt that verifies
// gets the controller's word on it), then countersign_verified().
Result<Json> countersign_receipt(std::string_view jws_text, const Json& controller_private_jwk,
                                 std::string_view accepted_at, const CryptoProvider& crypto);

// Phase 1 of verification: parse the JWS and check everything that needs no
// signature maths (headers, algorithms, payload canonical form, version, schema).
struct VerificationPlan {
  ParsedJws jws;
  Json jws_json;
  Json payload;
};
Result<VerificationPlan> plan_verification(std::string_view jws_text);

// Phase 2: `signature_valid[i]` says whether signature i verified
// (CryptoProvider::verify or WebCrypto); `thumbprints[i]` is its jwk's RFC 7638
// thumbprint (read for countersignatures only, i >= 1; verify_receipt leaves
// the collector's, i = 0, empty). Checks roles (first signature is the collector's, others are
// countersignatures) and the trusted key.
Result<VerifiedReceipt> finish_verification(VerificationPlan plan, const std::vector<bool>& signature_valid,
                                            const std::vector<std::string>& thumbprints, const VerifyOptions& options,
                                            std::string_view payload_sha256_hex);

// Native one-call verification.
Result<VerifiedReceipt> verify_receipt(std::string_view jws_text, const CryptoProvider& crypto,
                                       const VerifyOptions& options = {});

// Human-readable copy of a receipt (Kantara CR section 4.7), plain text in `locale`.
// Given the config the receipt was made under (same configVersion), the copy
// names the partners listed when the person chose; otherwise it counts them.
std::string render_receipt_text(const Json& payload, std::string_view locale, const Config* config = nullptr);
// An RFC 3339 UTC time ("2026-11-30T10:05:00Z") or a date ("2026-11-30") as a
// person reads it in `locale`: "30 novembre 2026, 10:05:00 (UTC)",
// "30 November 2026, 10:05:00 UTC", "30 novembre 2026"; any other text comes
// back as it is.
std::string readable_time(const std::string& rfc3339, std::string_view locale);

}  // namespace cachet
