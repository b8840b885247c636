// Choices and receipts: built by the core, signed and verified through the
// CryptoProvider (OpenSSL natively, Node's crypto under wasm), and refused
// after any change.
#include "cachet/receipt.h"

#include <gtest/gtest.h>

#include "cachet/canonical_json.h"
#include "cachet/jws.h"
#include "test_crypto.h"

namespace cachet {
namespace {

using testing::make_test_crypto;
using testing::read_fixture;

class ReceiptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Config> loaded = load_config(read_fixture("configs/societe-x.json"));
    ASSERT_TRUE(loaded.ok()) << loaded.problems().front().message;
    config_ = loaded.value();
  }

  Choices choices(const Json& json, bool superseding = false) {
    Result<Choices> parsed = parse_choices(config_, json, "fr", superseding);
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.problems().front().code);
    return parsed.ok() ? parsed.value() : Choices{};
  }

  static Json signup_choices() {
    return Json::parse(R"({"decisions": {"postal": "objected", "phone": "objected", "email": "granted",
                                         "sms": "not-granted"},
                           "contacts": {"email": "  Marie.Curie@Example.FR ", "phone": "+33 6 12 34 56 78",
                                        "postal": "1  rue des Lilas\n75001 Paris"}})");
  }

  ReceiptContext context(std::string id = "2f1c6a1e-3b7d-4c5e-9a41-6c0f2b8e7d10") const {
    ReceiptContext c;
    c.receipt_id = std::move(id);
    c.issued_at = "2026-11-30T10:00:00Z";
    c.locale = "fr";
    c.collection_method = "web-form";
    c.page_url = "https://x.example/inscription";
    c.agent = "cachet-widget/0.1.0";
    c.salt = base64url_encode(std::string(16, '\x2a'));
    return c;
  }

  std::string issue(const Json& choice_json = signup_choices()) {
    Result<Json> receipt = issue_receipt(config_, choices(choice_json), context(), *crypto_);
    EXPECT_TRUE(receipt.ok()) << (receipt.ok() ? "" : receipt.problems().front().message);
    return receipt.ok() ? receipt.value().dump() : std::string();
  }

  static std::vector<std::string> codes(const Problems& problems) {
    std::vector<std::string> out;
    for (const Problem& p : problems) out.push_back(p.code);
    return out;
  }

  // Re-signs an arbitrary payload with a fresh key, as an attacker could.
  std::string resign(const std::string& payload) {
    Result<Json> key = crypto_->generate_ed25519();
    Result<Json> jws = sign_jws(payload, key.value(), *crypto_, Json{{"typ", kReceiptType}});
    return jws.value().dump();
  }

  std::unique_ptr<CryptoProvider> crypto_ = make_test_crypto();
  Config config_;
};

TEST_F(ReceiptTest, IssuedReceiptVerifiesAndRecordsEveryChannel) {
  const std::string jws = issue();
  Result<VerifiedReceipt> verified = verify_receipt(jws, *crypto_);
  ASSERT_TRUE(verified.ok()) << verified.problems().front().message;
  const Json& payload = verified.value().payload;
  EXPECT_EQ(payload["version"], "cachet-receipt/1");
  EXPECT_EQ(payload["receiptId"], "2f1c6a1e-3b7d-4c5e-9a41-6c0f2b8e7d10");
  EXPECT_EQ(payload["channels"]["phone"]["decision"], "objected");
  EXPECT_EQ(payload["channels"]["email"]["decision"], "granted");
  EXPECT_EQ(payload["channels"]["email"]["partnerProspecting"], "on-behalf");
  EXPECT_EQ(payload["channels"]["sms"]["decision"], "not-granted");
  for (const auto& [name, entry] : payload["channels"].items())
    EXPECT_TRUE(entry["shownUnchecked"].get<bool>()) << name;
  EXPECT_EQ(payload["notice"]["partnerIds"].size(), 6u);
  EXPECT_EQ(payload["retention"]["months"], 36);
  EXPECT_FALSE(verified.value().countersigned);
}

TEST_F(ReceiptTest, ReceiptHoldsSaltedDigestsNeverContactValues) {
  const std::string jws = issue();
  EXPECT_EQ(jws.find("Curie"), std::string::npos);
  EXPECT_EQ(jws.find("curie"), std::string::npos);
  Result<VerifiedReceipt> verified = verify_receipt(jws, *crypto_);
  ASSERT_TRUE(verified.ok());
  const Json& subject = verified.value().payload["subject"];
  const std::string salt = subject["salt"].get<std::string>();
  EXPECT_EQ(subject["digests"]["email"].get<std::string>(),
            hex_encode(crypto_->sha256(contact_digest_input(salt, "email", "marie.curie@example.fr"))));
  EXPECT_EQ(subject["digests"]["phone"].get<std::string>(),
            hex_encode(crypto_->sha256(contact_digest_input(salt, "phone", "+33612345678"))));
  EXPECT_EQ(subject["digests"]["postal"].get<std::string>(),
            hex_encode(crypto_->sha256(contact_digest_input(salt, "postal", "1 rue des lilas 75001 paris"))));
}

TEST_F(ReceiptTest, NoticeDigestCoversTheCanonicalNoticeShown) {
  Result<VerifiedReceipt> verified = verify_receipt(issue(), *crypto_);
  ASSERT_TRUE(verified.ok());
  Result<Notice> notice = build_notice(config_, "fr");
  ASSERT_TRUE(notice.ok());
  EXPECT_EQ(verified.value().payload["notice"]["sha256"].get<std::string>(),
            hex_encode(crypto_->sha256(canonical_notice(notice.value()))));
  EXPECT_EQ(verified.value().payload["notice"]["partnerListSha256"].get<std::string>(),
            hex_encode(crypto_->sha256(canonical_partner_list(config_))));
}

TEST_F(ReceiptTest, TwoPhaseBuildGivesTheSamePayloadAsTheOneCallHelper) {
  Result<ReceiptPlan> plan = plan_receipt(config_, choices(signup_choices()), context());
  ASSERT_TRUE(plan.ok());
  std::map<std::string, std::string> digests;
  for (const auto& [name, input] : plan.value().digest_inputs) digests[name] = hex_encode(crypto_->sha256(input));
  Result<std::string> payload = finish_receipt_payload(plan.value(), digests);
  ASSERT_TRUE(payload.ok());
  Result<VerifiedReceipt> verified = verify_receipt(issue(), *crypto_);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(payload.value(), canonicalize(verified.value().payload).value());
}

TEST_F(ReceiptTest, MissingDigestIsRefused) {
  Result<ReceiptPlan> plan = plan_receipt(config_, choices(signup_choices()), context());
  ASSERT_TRUE(plan.ok());
  Result<std::string> payload = finish_receipt_payload(plan.value(), {});
  ASSERT_FALSE(payload.ok());
  EXPECT_EQ(payload.problems().front().code, "receipt_digest_missing");
}

TEST_F(ReceiptTest, EveryAlteredPayloadByteIsRefused) {
  const std::string jws = issue();
  Json parsed = Json::parse(jws);
  const std::string payload = *base64url_decode(parsed["payload"].get<std::string>());
  // Flip one character at a spread of positions; each must fail one way or another.
  for (std::size_t at = 0; at < payload.size(); at += 7) {
    std::string altered = payload;
    altered[at] = altered[at] == 'a' ? 'b' : 'a';
    Json copy = parsed;
    copy["payload"] = base64url_encode(altered);
    EXPECT_FALSE(verify_receipt(copy.dump(), *crypto_).ok()) << "byte " << at;
  }
}

TEST_F(ReceiptTest, ReSignedAlteredReceiptStillVerifiesOnlyIfCanonicalAndValid) {
  // A re-signed payload proves nothing about the person, but must still be well-formed.
  Result<VerifiedReceipt> verified = verify_receipt(issue(), *crypto_);
  ASSERT_TRUE(verified.ok());
  Json payload = verified.value().payload;
  const std::string pretty = payload.dump(2);
  Result<VerifiedReceipt> not_canonical = verify_receipt(resign(pretty), *crypto_);
  ASSERT_FALSE(not_canonical.ok());
  EXPECT_EQ(not_canonical.problems().front().code, "receipt_not_canonical");

  payload["version"] = "cachet-receipt/3";
  Result<VerifiedReceipt> unknown = verify_receipt(resign(canonicalize(payload).value()), *crypto_);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.problems().front().code, "receipt_unknown_version");

  payload = verified.value().payload;
  payload["channels"]["email"]["shownUnchecked"] = false;
  Result<VerifiedReceipt> prechecked = verify_receipt(resign(canonicalize(payload).value()), *crypto_);
  ASSERT_FALSE(prechecked.ok());
  EXPECT_EQ(prechecked.problems().front().code, "receipt_prechecked_box");

  payload = verified.value().payload;
  payload["channels"]["email"]["basis"] = "legitimate-interest";
  payload["channels"]["email"]["decision"] = "not-objected";
  EXPECT_FALSE(verify_receipt(resign(canonicalize(payload).value()), *crypto_).ok());
}

TEST_F(ReceiptTest, SwappedKeyAlgNoneHmacAndTruncatedSignatureAreRefused) {
  Json jws = Json::parse(issue());
  Json& signature = jws["signatures"][0];
  Json header = Json::parse(*base64url_decode(signature["protected"].get<std::string>()));

  Json swapped = jws;
  Json other_header = header;
  other_header["jwk"] = public_jwk(crypto_->generate_ed25519().value()).value();
  swapped["signatures"][0]["protected"] = base64url_encode(other_header.dump());
  Result<VerifiedReceipt> swapped_result = verify_receipt(swapped.dump(), *crypto_);
  ASSERT_FALSE(swapped_result.ok());
  EXPECT_EQ(swapped_result.problems().front().code, "jws_bad_signature");

  for (const char* alg : {"none", "HS256", "RS256"}) {
    Json forged = jws;
    Json forged_header = header;
    forged_header["alg"] = alg;
    forged["signatures"][0]["protected"] = base64url_encode(forged_header.dump());
    Result<VerifiedReceipt> result = verify_receipt(forged.dump(), *crypto_);
    ASSERT_FALSE(result.ok()) << alg;
    EXPECT_EQ(result.problems().front().code, "jws_alg_not_allowed") << alg;
  }

  Json truncated = jws;
  const std::string sig = signature["signature"].get<std::string>();
  truncated["signatures"][0]["signature"] = sig.substr(0, sig.size() - 4);
  EXPECT_FALSE(verify_receipt(truncated.dump(), *crypto_).ok());

  Json unsigned_receipt = jws;
  unsigned_receipt["signatures"] = Json::array();
  EXPECT_FALSE(verify_receipt(unsigned_receipt.dump(), *crypto_).ok());
}

TEST_F(ReceiptTest, CountersigningAVerifiedReceiptEqualsCountersigningItsText) {
  // The server verifies once and countersigns what it verified; the CLI
  // countersigns the text. Ed25519 signatures are deterministic (RFC 8032),
  // so both paths must give the very same JWS, byte for byte.
  const std::string jws = issue();
  const Json controller = crypto_->generate_ed25519().value();
  Result<VerifiedReceipt> verified = verify_receipt(jws, *crypto_);
  ASSERT_TRUE(verified.ok()) << verified.problems().front().message;
  EXPECT_EQ(verified.value().payload_bytes, canonicalize(verified.value().payload).value());
  EXPECT_EQ(verified.value().collector_alg, "Ed25519");

  Result<Json> from_verified = countersign_verified(verified.value(), controller, "2026-11-30T10:00:05Z", *crypto_);
  Result<Json> from_text = countersign_receipt(jws, controller, "2026-11-30T10:00:05Z", *crypto_);
  ASSERT_TRUE(from_verified.ok()) << from_verified.problems().front().message;
  ASSERT_TRUE(from_text.ok()) << from_text.problems().front().message;
  EXPECT_EQ(from_verified.value().dump(), from_text.value().dump());
  EXPECT_EQ(from_verified.value()["signatures"].size(), 2u);

  // Countersigned already by this key: both give it back unchanged.
  Result<VerifiedReceipt> again = verify_receipt(from_text.value().dump(), *crypto_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(countersign_verified(again.value(), controller, "2026-11-30T10:00:09Z", *crypto_).value(),
            from_text.value());
  EXPECT_EQ(countersign_receipt(from_text.value().dump(), controller, "2026-11-30T10:00:09Z", *crypto_).value(),
            from_text.value());

  // The same refusal of a bad acceptance time.
  for (const char* at : {"2026-11-30 10:00:05", "2026-02-30T10:00:05Z"}) {
    Result<Json> bad_verified = countersign_verified(verified.value(), controller, at, *crypto_);
    Result<Json> bad_text = countersign_receipt(jws, controller, at, *crypto_);
    ASSERT_FALSE(bad_verified.ok());
    ASSERT_FALSE(bad_text.ok());
    EXPECT_EQ(bad_verified.problems().front().code, "receipt_bad_context");
    EXPECT_EQ(bad_text.problems().front().code, "receipt_bad_context");
  }
}

TEST_F(ReceiptTest, CountersignatureIsRequiredByTrustAndBoundToTheKey) {
  const std::string jws = issue();
  const Json controller = crypto_->generate_ed25519().value();
  const Json stranger = crypto_->generate_ed25519().value();
  VerifyOptions trust;
  trust.trusted_controller_key = public_jwk(controller).value();

  Result<VerifiedReceipt> bare = verify_receipt(jws, *crypto_, trust);
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.problems().front().code, "receipt_not_countersigned");

  Result<Json> countersigned = countersign_receipt(jws, controller, "2026-11-30T10:00:05Z", *crypto_);
  ASSERT_TRUE(countersigned.ok()) << countersigned.problems().front().message;
  Result<VerifiedReceipt> trusted = verify_receipt(countersigned.value().dump(), *crypto_, trust);
  ASSERT_TRUE(trusted.ok()) << trusted.problems().front().message;
  EXPECT_TRUE(trusted.value().countersigned);
  EXPECT_EQ(trusted.value().countersigner_kid, jwk_thumbprint(public_jwk(controller).value(), *crypto_).value());

  // Countersigning twice with the same key changes nothing.
  Result<Json> again = countersign_receipt(countersigned.value().dump(), controller, "2026-11-30T10:00:09Z", *crypto_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), countersigned.value());

  Result<Json> by_stranger = countersign_receipt(jws, stranger, "2026-11-30T10:00:05Z", *crypto_);
  ASSERT_TRUE(by_stranger.ok());
  Result<VerifiedReceipt> untrusted = verify_receipt(by_stranger.value().dump(), *crypto_, trust);
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.problems().front().code, "receipt_untrusted_countersigner");

  // Changing the countersignature's header breaks it.
  Json tampered = countersigned.value();
  Json header = Json::parse(*base64url_decode(tampered["signatures"][1]["protected"].get<std::string>()));
  header["cachet_at"] = "2020-01-01T00:00:00Z";
  tampered["signatures"][1]["protected"] = base64url_encode(header.dump());
  EXPECT_FALSE(verify_receipt(tampered.dump(), *crypto_).ok());
}

TEST_F(ReceiptTest, WithdrawalCarriesTheSubjectAndNamesTheReceiptItSupersedes) {
  Result<VerifiedReceipt> first = verify_receipt(issue(), *crypto_);
  ASSERT_TRUE(first.ok());
  ReceiptContext c = context("7d3b1c2a-0e4f-4a5b-8c6d-9e0f1a2b3c4d");
  c.collection_method = "preference-centre";
  c.supersedes = first.value().receipt_id;
  c.carried_subject = first.value().payload["subject"];
  const Json withdrawal = Json::parse(
      R"({"decisions": {"postal": "objected", "phone": "objected", "email": "withdrawn", "sms": "not-granted"}})");
  Result<Json> second = issue_receipt(config_, choices(withdrawal, /*superseding=*/true), c, *crypto_);
  ASSERT_TRUE(second.ok()) << second.problems().front().message;
  Result<VerifiedReceipt> verified = verify_receipt(second.value().dump(), *crypto_);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified.value().payload["supersedes"], first.value().receipt_id);
  EXPECT_EQ(verified.value().payload["subject"], first.value().payload["subject"]);
  EXPECT_EQ(verified.value().payload["channels"]["email"]["decision"], "withdrawn");
}

TEST_F(ReceiptTest, ChoicesThatBreakTheRulesAreRefusedWithPaths) {
  const auto problems_of = [&](const char* json, bool superseding = false) {
    Result<Choices> parsed = parse_choices(config_, Json::parse(json), "en", superseding);
    return parsed.ok() ? Problems{} : parsed.problems();
  };
  Problems p = problems_of(R"({"decisions": {"email": "objected"}})");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].code, "choice_decision_basis_mismatch");
  EXPECT_EQ(p[0].path, "/decisions/email");

  p = problems_of(R"({"decisions": {"postal": "granted"}})");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].code, "choice_decision_basis_mismatch");

  p = problems_of(R"({"decisions": {"email": "granted"}, "contacts": {"email": ""}})");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].code, "choice_contact_missing");
  EXPECT_EQ(p[0].path, "/contacts/email");
  EXPECT_EQ(p[0].message, "Enter your email address to agree to receive offers by email.");
  Result<Choices> fr = parse_choices(config_, Json::parse(R"({"decisions": {"email": "granted"}})"), "fr", false);
  ASSERT_FALSE(fr.ok());
  EXPECT_EQ(fr.problems()[0].message,
            "Indiquez votre adresse électronique pour accepter de recevoir des offres par courrier électronique.");

  p = problems_of(R"({"decisions": {"email": "granted"}, "contacts": {"email": "not an address"}})");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].code, "choice_contact_invalid");

  p = problems_of(R"({"decisions": {"sms": "granted"}, "contacts": {"phone": "+33612345678"}})");
  ASSERT_EQ(p.size(), 1u) << "SMS needs the mobile field when the form has one";
  EXPECT_EQ(p[0].path, "/contacts/mobile");

  p = problems_of(R"({"decisions": {"email": "withdrawn"}})");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].code, "choice_withdrawal_without_receipt");

  p = problems_of(R"({"decisions": {"fax": "granted", "email": "maybe"}, "extra": 1})");
  EXPECT_EQ(codes(p),
            (std::vector<std::string>{"choice_unknown_key", "choice_bad_decision", "choice_unknown_channel"}));

  EXPECT_TRUE(problems_of(R"({})").empty()) << "leaving every box alone is a valid choice";
  EXPECT_TRUE(problems_of(R"({"decisions": {"postal": "objected", "phone": "objected"}})").empty());
}

TEST_F(ReceiptTest, BadContextIsRefused) {
  ReceiptContext c = context("NOT-A-UUID");
  c.issued_at = "yesterday";
  c.collection_method = "carrier-pigeon";
  c.salt = "c2hvcnQ";
  Result<ReceiptPlan> plan = plan_receipt(config_, choices(signup_choices()), c);
  ASSERT_FALSE(plan.ok());
  EXPECT_GE(plan.problems().size(), 4u);
}

TEST_F(ReceiptTest, HumanReadableCopyNamesTheChoicesInFrenchAndEnglish) {
  Result<VerifiedReceipt> verified = verify_receipt(issue(), *crypto_);
  ASSERT_TRUE(verified.ok());
  const std::string fr = render_receipt_text(verified.value().payload, "fr");
  EXPECT_NE(fr.find("Reçu de consentement"), std::string::npos);
  // R1: the phone channel is calls by a person, never automated calls.
  EXPECT_NE(fr.find("Téléphone (hors appels automatisés) : vous vous êtes opposé(e) à la transmission"),
            std::string::npos);
  EXPECT_NE(fr.find("Société X"), std::string::npos);
  const std::string en = render_receipt_text(verified.value().payload, "en");
  EXPECT_NE(en.find("Email: you gave your consent"), std::string::npos);
  EXPECT_NE(en.find("Phone (excluding automated calls): you objected to the transfer"), std::string::npos);
  EXPECT_NE(en.find("dpo@x.example"), std::string::npos);
  // The time as a person reads it (issuedAt is RFC 3339 UTC in the receipt).
  Json payload = verified.value().payload;
  payload["issuedAt"] = "2026-08-01T09:05:07Z";
  EXPECT_NE(render_receipt_text(payload, "fr").find("Date : 1 août 2026, 09:05:07 (UTC)\n"), std::string::npos);
  EXPECT_NE(render_receipt_text(payload, "en").find("Date: 1 August 2026, 09:05:07 UTC\n"), std::string::npos);
  EXPECT_EQ(readable_time("2026-12-30", "fr"), "30 décembre 2026");
  EXPECT_EQ(readable_time("2026-12-30", "en"), "30 December 2026");
  EXPECT_EQ(readable_time("2026-12-3x", "en"), "2026-12-3x");
  payload["issuedAt"] = "2026-13-01T09:05:07Z";  // not a time: shown as it is
  EXPECT_NE(render_receipt_text(payload, "en").find("Date: 2026-13-01T09:05:07Z\n"), std::string::npos);
}

// Issue 13: the person's copy names the partners listed when they chose, from
// the config version the receipt was made under; otherwise it counts them.
TEST_F(ReceiptTest, HumanReadableCopyNamesThePartnersGivenTheirConfig) {
  Result<VerifiedReceipt> verified = verify_receipt(issue(), *crypto_);
  ASSERT_TRUE(verified.ok());
  const Json& payload = verified.value().payload;
  const std::string named = render_receipt_text(payload, "fr", &config_);
  const std::string count = std::to_string(payload["notice"]["partnerIds"].size());
  EXPECT_NE(named.find("Partenaires listés au moment de votre choix (" + count + ") :\n  - ACME Assurances\n"),
            std::string::npos)
      << named;
  for (const Partner& p : config_.partners.entries) EXPECT_NE(named.find("  - " + p.name + "\n"), std::string::npos);
  const std::string counted = render_receipt_text(payload, "fr");
  EXPECT_EQ(counted.find("ACME Assurances"), std::string::npos);
  EXPECT_NE(counted.find("Partenaires listés au moment du choix : " + count), std::string::npos);
  // Another config version, or one missing a partner of the receipt, lends no name.
  Config other = config_;
  other.config_version = "2099-01-01";
  EXPECT_EQ(render_receipt_text(payload, "fr", &other), counted);
  Config fewer = config_;
  fewer.partners.entries.pop_back();
  EXPECT_EQ(render_receipt_text(payload, "fr", &fewer), counted);
}

TEST(ContactNormalisation, FollowsTheDocumentedRules) {
  EXPECT_EQ(normalize_contact("email", " A.B@Example.COM "), "a.b@example.com");
  EXPECT_EQ(normalize_contact("phone", "+33 6 12-34.56 78"), "+33612345678");
  EXPECT_EQ(normalize_contact("postal", "  1 Rue\tdes  Lilas \n 75001 PARIS "), "1 rue des lilas 75001 paris");
  EXPECT_EQ(normalize_contact("email", "no-at-sign"), std::nullopt);
  EXPECT_EQ(normalize_contact("fax", "123"), std::nullopt);
  // The spellings a lookup tries: French national and international forms of one line.
  EXPECT_EQ(contact_spellings("phone", "06 12 34 56 78"),
            (std::vector<std::string>{"0612345678", "+33612345678", "0033612345678"}));
  EXPECT_EQ(contact_spellings("mobile", "+33 6 12 34 56 78"),
            (std::vector<std::string>{"+33612345678", "0612345678", "0033612345678"}));
  EXPECT_EQ(contact_spellings("phone", "+44 20 7946 0958"), (std::vector<std::string>{"+442079460958"}));
  EXPECT_EQ(contact_spellings("email", " A@B.fr"), (std::vector<std::string>{"a@b.fr"}));
  EXPECT_TRUE(contact_spellings("phone", "not a phone").empty());
}

}  // namespace
}  // namespace cachet

namespace cachet {
namespace {

TEST_F(ReceiptTest, GlobalPrivacyControlPreselectionIsRecordedTruthfully) {
  ReceiptContext c = context();
  c.global_privacy_control = true;
  const Json gpc_choices = Json::parse(R"({"decisions": {"postal": "objected", "phone": "objected"}})");
  Result<Json> receipt = issue_receipt(config_, choices(gpc_choices), c, *crypto_);
  ASSERT_TRUE(receipt.ok()) << receipt.problems().front().message;
  Result<VerifiedReceipt> verified = verify_receipt(receipt.value().dump(), *crypto_);
  ASSERT_TRUE(verified.ok()) << verified.problems().front().message;
  const Json& payload = verified.value().payload;
  EXPECT_TRUE(payload["collection"]["globalPrivacyControl"].get<bool>());
  EXPECT_FALSE(payload["channels"]["postal"]["shownUnchecked"].get<bool>());
  EXPECT_TRUE(payload["channels"]["email"]["shownUnchecked"].get<bool>()) << "consent boxes are never pre-ticked";

  // Without the signal, a pre-ticked objection box is refused too.
  Json forged = payload;
  forged["collection"]["globalPrivacyControl"] = false;
  Result<Json> key = crypto_->generate_ed25519();
  Result<Json> jws = sign_jws(canonicalize(forged).value(), key.value(), *crypto_, Json{{"typ", kReceiptType}});
  Result<VerifiedReceipt> refused = verify_receipt(jws.value().dump(), *crypto_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.problems().front().code, "receipt_prechecked_box");
}

}  // namespace
}  // namespace cachet

namespace cachet {
namespace {

TEST_F(ReceiptTest, CountersignatureKidMustBeItsKeysThumbprint) {
  const Json controller = crypto_->generate_ed25519().value();
  const Json stranger = crypto_->generate_ed25519().value();
  Result<Json> jws = countersign_receipt(issue(), stranger, "2026-11-30T10:00:05Z", *crypto_);
  ASSERT_TRUE(jws.ok());
  // The stranger claims the controller's kid and signs that header properly.
  const std::string claimed = jwk_thumbprint(public_jwk(controller).value(), *crypto_).value();
  Json header =
      make_protected_header(public_jwk(stranger).value(),
                            Json{{"typ", kCountersignType}, {"kid", claimed}, {"cachet_at", "2026-11-30T10:00:05Z"}});
  const std::string payload_b64 = jws.value()["payload"].get<std::string>();
  Json forged = jws.value();
  forged["signatures"].erase(1);
  forged = add_signature(forged, payload_b64, header,
                         crypto_->sign(stranger, make_signing_input(header, payload_b64)).value());
  Result<VerifiedReceipt> result = verify_receipt(forged.dump(), *crypto_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.problems().front().code, "receipt_bad_countersignature");
}

// --- keyed contact digests (version 2, issue 12) ------------------------------

class KeyedDigestTest : public ReceiptTest {
 protected:
  void SetUp() override {
    ReceiptTest::SetUp();
    Result<Json> key = crypto_->generate_ed25519();
    ASSERT_TRUE(key.ok());
    controller_key_ = key.value();
    Result<std::string> secret = contact_digest_secret(controller_key_, *crypto_);
    ASSERT_TRUE(secret.ok()) << secret.problems().front().message;
    secret_ = secret.value();
  }

  ReceiptContext keyed_context(std::string id = "2f1c6a1e-3b7d-4c5e-9a41-6c0f2b8e7d10") const {
    ReceiptContext c = context(std::move(id));
    c.digest_key = contact_digest_key(secret_, c.salt, *crypto_);
    return c;
  }

  Json issue_payload(const ReceiptContext& c, const Json& choice_json = signup_choices()) {
    Result<Json> receipt = issue_receipt(config_, choices(choice_json, !c.supersedes.empty()), c, *crypto_);
    EXPECT_TRUE(receipt.ok()) << (receipt.ok() ? "" : receipt.problems().front().message);
    if (!receipt.ok()) return Json();
    Result<VerifiedReceipt> verified = verify_receipt(receipt.value().dump(), *crypto_);
    EXPECT_TRUE(verified.ok()) << (verified.ok() ? "" : verified.problems().front().message);
    return verified.ok() ? verified.value().payload : Json();
  }

  Json controller_key_;
  std::string secret_;
};

// The normalisation docs/receipt.md states, example by example: only ASCII
// letters are lower-cased, no country code is rewritten.
TEST(ContactNormalisation, IsExactlyWhatTheReceiptDocSays) {
  EXPECT_EQ(normalize_contact("email", "  Marie.Curie@Example.FR "), "marie.curie@example.fr");
  EXPECT_EQ(normalize_contact("email", "\xc3\x89LODIE@Exemple.fr"), "\xc3\x89lodie@exemple.fr");
  EXPECT_EQ(normalize_contact("email", "j.doe+news@gmail.com"), "j.doe+news@gmail.com");
  const std::string idn = std::string("user@b\xc3\xbc") + "cher.example";  // user@bücher.example
  EXPECT_NE(normalize_contact("email", idn), normalize_contact("email", "user@xn--bcher-kva.example"));
  EXPECT_EQ(normalize_contact("phone", "+33 6 12 34 56 78"), "+33612345678");
  EXPECT_EQ(normalize_contact("phone", "06.12.34.56.78"), "0612345678");
  EXPECT_EQ(normalize_contact("phone", "06 12 34 56 78 x"), std::nullopt);
  EXPECT_EQ(normalize_contact("postal", "1  rue des Lilas\n75001 Paris"), "1 rue des lilas 75001 paris");
}

// Known answers: RFC 4231 test cases 1 and 2 (one after the other: the
// OpenSSL provider re-keys one context per thread) and RFC 5869 test case 3.
TEST_F(KeyedDigestTest, HmacAndHkdfGiveTheRfcKnownAnswers) {
  EXPECT_EQ(hex_encode(crypto_->hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex_encode(crypto_->hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(crypto_->hmac_sha256("", "data"), "");
  EXPECT_EQ(hex_encode(crypto_->hkdf_sha256(std::string(22, '\x0b'), "", 42)),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST_F(KeyedDigestTest, SecretAndKeysAreDerivedFromThePrivateKeyAndTheSalt) {
  EXPECT_EQ(secret_.size(), 32u);
  EXPECT_EQ(contact_digest_secret(controller_key_, *crypto_).value(), secret_);  // nothing to store
  Result<Json> other = crypto_->generate_ed25519();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(contact_digest_secret(other.value(), *crypto_).value(), secret_);
  Result<Json> public_only = public_jwk(controller_key_);
  ASSERT_TRUE(public_only.ok());
  Result<std::string> refused = contact_digest_secret(public_only.value(), *crypto_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.problems().front().code, "crypto_key_invalid");
  const std::string k1 = contact_digest_key(secret_, base64url_encode(std::string(16, 'a')), *crypto_);
  const std::string k2 = contact_digest_key(secret_, base64url_encode(std::string(16, 'b')), *crypto_);
  EXPECT_EQ(k1.size(), 32u);
  EXPECT_NE(k1, k2);
}

TEST_F(KeyedDigestTest, KeyedReceiptIsVersion2AndItsDigestsDifferFromVersion1) {
  const Json keyed = issue_payload(keyed_context());
  const Json plain = issue_payload(context());
  ASSERT_TRUE(keyed.is_object() && plain.is_object());
  EXPECT_EQ(keyed["version"], "cachet-receipt/2");
  EXPECT_EQ(plain["version"], "cachet-receipt/1");
  EXPECT_EQ(keyed["subject"]["digest"], "hmac-sha256");
  EXPECT_FALSE(plain["subject"].contains("digest"));
  EXPECT_EQ(keyed["subject"]["salt"], plain["subject"]["salt"]);  // same salt, yet other digests
  for (const char* kind : {"email", "phone", "postal"}) {
    EXPECT_NE(keyed["subject"]["digests"][kind], plain["subject"]["digests"][kind]) << kind;
  }
  // The notice digests are public facts and stay SHA-256.
  EXPECT_EQ(keyed["notice"]["sha256"], plain["notice"]["sha256"]);
  const std::string k = contact_digest_key(secret_, keyed["subject"]["salt"].get<std::string>(), *crypto_);
  EXPECT_EQ(keyed["subject"]["digests"]["phone"].get<std::string>(),
            hex_encode(crypto_->hmac_sha256(k, keyed_digest_input("phone", "+33612345678"))));
  // Only the controller's secret checks a value against a keyed digest.
  EXPECT_TRUE(contact_matches(keyed["subject"], "phone", "06 12 34 56 78", secret_, *crypto_) ||
              contact_matches(keyed["subject"], "phone", "+33 6 12 34 56 78", secret_, *crypto_));
  EXPECT_TRUE(contact_matches(keyed["subject"], "email", "MARIE.CURIE@example.fr", secret_, *crypto_));
  EXPECT_FALSE(contact_matches(keyed["subject"], "email", "marie.curie@example.com", secret_, *crypto_));
  EXPECT_FALSE(contact_matches(keyed["subject"], "email", "marie.curie@example.fr", "", *crypto_));
  Result<Json> other = crypto_->generate_ed25519();
  EXPECT_FALSE(contact_matches(keyed["subject"], "email", "marie.curie@example.fr",
                               contact_digest_secret(other.value(), *crypto_).value(), *crypto_));
  // Version 1 receipts still check with no secret at all.
  EXPECT_TRUE(contact_matches(plain["subject"], "email", "marie.curie@example.fr", "", *crypto_));
  EXPECT_FALSE(contact_matches(plain["subject"], "email", "marie@example.fr", "", *crypto_));
}

// The finding: a salted SHA-256 digest of a phone number falls to a search of
// the number range by anyone holding the receipt. Here 10,000 numbers around
// the true one stand for the full range.
TEST_F(KeyedDigestTest, SearchingThePhoneRangeFindsTheVersion1NumberButNotTheKeyedOne) {
  const auto search = [this](const Json& subject) -> std::string {
    const std::string salt = subject["salt"].get<std::string>();
    const std::string target = subject["digests"]["phone"].get<std::string>();
    const std::string salt_bytes = base64url_decode(salt).value_or(std::string());
    for (int n = 12340000; n < 12350000; ++n) {
      const std::string guess = "+336" + std::to_string(n);
      // Everything the receipt gives an attacker: the salt, the kind, the
      // scheme's name. Without the controller's secret there is no key to try.
      if (hex_encode(crypto_->sha256(contact_digest_input(salt, "phone", guess))) == target ||
          hex_encode(crypto_->sha256(keyed_digest_input("phone", guess))) == target ||
          hex_encode(crypto_->hmac_sha256(salt, keyed_digest_input("phone", guess))) == target ||
          hex_encode(crypto_->hmac_sha256(salt_bytes, keyed_digest_input("phone", guess))) == target) {
        return guess;
      }
    }
    return "";
  };
  EXPECT_EQ(search(issue_payload(context())["subject"]), "+33612345678");
  EXPECT_EQ(search(issue_payload(keyed_context())["subject"]), "");
}

TEST_F(KeyedDigestTest, TwoPhaseKeyedPlanHandsTheContactsToHmacAndTheNoticeToSha256) {
  Result<ReceiptPlan> plan = plan_receipt(config_, choices(signup_choices()), keyed_context());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value().digest_inputs.size(), 2u);  // notice, partnerList
  EXPECT_EQ(plan.value().keyed_inputs.size(), 3u);   // email, phone, postal
  EXPECT_EQ(plan.value().keyed_inputs.at("email"), "email\nmarie.curie@example.fr");
  EXPECT_EQ(plan.value().digest_key, keyed_context().digest_key);
  std::map<std::string, std::string> digests;
  for (const auto& [name, input] : plan.value().digest_inputs) digests[name] = hex_encode(crypto_->sha256(input));
  Result<std::string> missing = finish_receipt_payload(plan.value(), digests);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.problems().front().code, "receipt_digest_missing");
  for (const auto& [name, input] : plan.value().keyed_inputs) {
    digests[name] = hex_encode(crypto_->hmac_sha256(plan.value().digest_key, input));
  }
  Result<std::string> payload = finish_receipt_payload(plan.value(), digests);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(payload.value(), canonicalize(issue_payload(keyed_context())).value());

  ReceiptContext bad = keyed_context();
  bad.digest_key = "short";
  Result<ReceiptPlan> refused = plan_receipt(config_, choices(signup_choices()), bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.problems().front().code, "receipt_bad_context");
  EXPECT_EQ(refused.problems().front().path, "/subject/digest");
}

TEST_F(KeyedDigestTest, AChangeCarryingAKeyedSubjectStaysVersion2) {
  const Json first = issue_payload(keyed_context());
  ReceiptContext c = context("7d3b1c2a-0e4f-4a5b-8c6d-9e0f1a2b3c4d");
  c.collection_method = "preference-centre";
  c.supersedes = first["receiptId"].get<std::string>();
  c.carried_subject = first["subject"];
  const Json withdrawal = Json::parse(
      R"({"decisions": {"postal": "objected", "phone": "objected", "email": "withdrawn", "sms": "not-granted"}})");
  const Json second = issue_payload(c, withdrawal);
  ASSERT_TRUE(second.is_object());
  EXPECT_EQ(second["version"], "cachet-receipt/2");
  EXPECT_EQ(second["subject"], first["subject"]);
}

TEST_F(KeyedDigestTest, TheVersionAndTheSubjectsSchemeMustAgree) {
  const Json keyed = issue_payload(keyed_context());
  const Json plain = issue_payload(context());
  const auto refusal = [this](Json payload) {
    Result<VerifiedReceipt> verified = verify_receipt(resign(canonicalize(payload).value()), *crypto_);
    return verified.ok() ? std::string("accepted")
                         : verified.problems().front().code + " " + verified.problems().front().path;
  };
  Json no_scheme = keyed;
  no_scheme["subject"].erase("digest");
  EXPECT_EQ(refusal(no_scheme), "receipt_missing_member /payload/subject");
  Json other_scheme = keyed;
  other_scheme["subject"]["digest"] = "sha256";
  EXPECT_EQ(refusal(other_scheme), "receipt_bad_value /payload/subject/digest");
  Json v1_with_scheme = plain;
  v1_with_scheme["subject"]["digest"] = "hmac-sha256";
  EXPECT_EQ(refusal(v1_with_scheme), "receipt_unknown_member /payload/subject/digest");
  Json v3 = keyed;
  v3["version"] = "cachet-receipt/3";
  EXPECT_EQ(refusal(v3), "receipt_unknown_version /payload/version");
  EXPECT_EQ(refusal(keyed), "accepted");
  EXPECT_EQ(refusal(plain), "accepted");
}

}  // namespace
}  // namespace cachet

namespace cachet {
namespace {

// Issue 12: the notice shows one objection box for postal and phone
// (combineObjection), so a signup cannot answer them apart: `cachet issue`
// refused nothing and made a receipt no person could have given.
TEST(OneBoxOneDecision, ASplitObjectionUnderTheCombinedBoxIsRefusedAtSignup) {
  Result<Config> config = load_config(testing::read_fixture("configs/societe-x.json"));
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(config.value().combine_objection);
  const Json split = Json::parse(R"({"decisions": {"postal": "not-objected", "phone": "objected"}})");
  Result<Choices> refused = parse_choices(config.value(), split, "fr");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.problems().front().code, "choice_split_box");
  EXPECT_EQ(refused.problems().front().path, "/decisions/phone");
  EXPECT_NE(refused.problems().front().message.find("object-postal-phone"), std::string::npos);
  // Later, channel by channel (the preference centre), they may differ.
  EXPECT_TRUE(parse_choices(config.value(), split, "fr", /*superseding=*/true).ok());
  // Answered together, either way, they pass.
  EXPECT_TRUE(
      parse_choices(config.value(), Json::parse(R"({"decisions": {"postal": "objected", "phone": "objected"}})"), "fr")
          .ok());
}

}  // namespace
}  // namespace cachet
