// Tampering with receipts (DESIGN.md section 4: "a receipt that is altered in
// any byte, signed with alg none, or replayed, fails verification with a
// specific reason"). Each test takes real receipts, issued and countersigned by
// the core, changes them the way an attacker or a broken intermediary could,
// and checks that verify_receipt refuses them with the reason that applies.
//
// Where the reason depends on where a byte lands (every-byte sweeps), the
// expected verdict is derived, not guessed: if the signature-free checks
// (plan_verification) pass, only the signature can refuse, so the code must be
// jws_bad_signature for exactly the broken signature; otherwise verify_receipt
// must refuse with the very problems plan_verification found. Sweeps also count
// how many mutants got as far as the signature check, so they cannot pass by
// failing early on everything.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "cachet/canonical_json.h"
#include "cachet/jws.h"
#include "cachet/receipt.h"
#include "test_crypto.h"

namespace cachet {
namespace {

using testing::make_test_crypto;
using testing::read_fixture;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::vector<std::string> codes_of(const Problems& problems) {
  std::vector<std::string> out;
  for (const Problem& p : problems) out.push_back(p.code);
  return out;
}

std::string describe(const Problems& problems) {
  std::string out;
  for (const Problem& p : problems) out += p.code + " at \"" + p.path + "\"; ";
  return out.empty() ? "(no problem)" : out;
}

bool has_code(const Problems& problems, const std::string& code) {
  return std::any_of(problems.begin(), problems.end(), [&](const Problem& p) { return p.code == code; });
}

bool has_problem(const Problems& problems, const std::string& code, const std::string& path) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const Problem& p) { return p.code == code && p.path == path; });
}

// Another character of the same kind, so that a base64url string stays
// base64url and a hex digit stays a hex digit: the mutant then survives the
// cheap checks and reaches the ones that matter.
char sibling(char c) {
  if (c >= 'a' && c <= 'e') return static_cast<char>(c + 1);
  if (c == 'f') return 'a';
  if (c >= '0' && c <= '8') return static_cast<char>(c + 1);
  if (c == '9') return '0';
  const char* at = std::char_traits<char>::find(kAlphabet, 64, c);
  if (at != nullptr) return kAlphabet[(at - kAlphabet + 1) % 64];
  return static_cast<char>(c ^ 0x01);
}

class TamperTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    crypto_ = make_test_crypto().release();
    Result<Config> loaded = load_config(read_fixture("configs/societe-x.json"));
    ASSERT_TRUE(loaded.ok()) << loaded.problems().front().message;
    config_ = new Config(loaded.value());
    controller_ = new Json(crypto_->generate_ed25519().value());
    attacker_ = new Json(crypto_->generate_ed25519().value());

    const Json choice_json = Json::parse(
        R"({"decisions": {"postal": "objected", "phone": "objected", "email": "granted", "sms": "not-granted"},
            "contacts": {"email": "marie.curie@example.fr", "phone": "+33612345678",
                         "postal": "1 rue des Lilas 75001 Paris"}})");
    Result<Choices> choices = parse_choices(*config_, choice_json, "fr");
    ASSERT_TRUE(choices.ok()) << choices.problems().front().code;
    ReceiptContext context;
    context.receipt_id = "2f1c6a1e-3b7d-4c5e-9a41-6c0f2b8e7d10";
    context.issued_at = "2026-11-30T10:00:00Z";
    context.locale = "fr";
    context.collection_method = "web-form";
    context.page_url = "https://x.example/inscription";
    context.agent = "cachet-widget/0.1.0";
    context.challenge = "c2VydmVyLWNoYWxsZW5nZQ";
    context.salt = base64url_encode(crypto_->random_bytes(16));
    Result<Json> issued = issue_receipt(*config_, choices.value(), context, *crypto_);
    ASSERT_TRUE(issued.ok()) << issued.problems().front().message;
    receipt_ = new Json(issued.value());
    Result<Json> countersigned = countersign_receipt(receipt_->dump(), *controller_, "2026-11-30T10:00:05Z", *crypto_);
    ASSERT_TRUE(countersigned.ok()) << countersigned.problems().front().message;
    countersigned_ = new Json(countersigned.value());
  }

  static void TearDownTestSuite() {
    delete countersigned_;
    delete receipt_;
    delete attacker_;
    delete controller_;
    delete config_;
    delete crypto_;
  }

  void SetUp() override {
    // The originals verify: every refusal below is the tampering's doing.
    ASSERT_TRUE(verify_receipt(receipt_->dump(), *crypto_).ok());
    ASSERT_TRUE(verify_receipt(countersigned_->dump(), *crypto_, trust()).ok());
  }

  static VerifyOptions trust() {
    VerifyOptions options;
    options.trusted_controller_key = public_jwk(*controller_).value();
    return options;
  }

  static std::string payload_of(const Json& jws) { return *base64url_decode(jws["payload"].get<std::string>()); }
  static Json header_of(const Json& jws, std::size_t index) {
    return Json::parse(*base64url_decode(jws["signatures"][index]["protected"].get<std::string>()));
  }

  // Signs `payload` as an attacker would: with their own key, in a header they choose.
  static Json forge(
      const std::string& payload, const Json& key, const std::function<void(Json&)>& edit_header = [](Json&) {}) {
    Json header = make_protected_header(public_jwk(key).value(), Json{{"typ", kReceiptType}});
    edit_header(header);
    const std::string payload_b64 = base64url_encode(payload);
    const std::string signature = crypto_->sign(key, make_signing_input(header, payload_b64)).value();
    return add_signature(Json(), payload_b64, header, signature);
  }

  // Replaces signature `index` of `jws` with one made by `key` over an edited header.
  static Json resign(Json jws, std::size_t index, const Json& key, const std::function<void(Json&)>& edit_header) {
    Json header = header_of(jws, index);
    header["jwk"] = public_jwk(key).value();
    edit_header(header);
    const std::string signature =
        crypto_->sign(key, make_signing_input(header, jws["payload"].get<std::string>())).value();
    jws["signatures"][index]["protected"] = base64url_encode(header.dump());
    jws["signatures"][index]["signature"] = base64url_encode(signature);
    return jws;
  }

  // Changes the protected header of signature `index` and keeps the old signature.
  static Json edit_header(Json jws, std::size_t index, const std::function<void(Json&)>& edit) {
    Json header = header_of(jws, index);
    edit(header);
    jws["signatures"][index]["protected"] = base64url_encode(header.dump());
    return jws;
  }

  // The verdict the sweeps expect (see the file comment). Returns true when
  // the mutant reached the signature check.
  static bool expect_refused_for_the_right_reason(const std::string& text, const VerifyOptions& options,
                                                  std::size_t signature_count, const std::string& what) {
    Result<VerifiedReceipt> result = verify_receipt(text, *crypto_, options);
    EXPECT_FALSE(result.ok()) << what << " was accepted";
    if (result.ok()) return false;
    Result<VerificationPlan> plan = plan_verification(text);
    if (!plan.ok()) {
      EXPECT_EQ(codes_of(result.problems()), codes_of(plan.problems())) << what;
      return false;
    }
    // Only signature maths can refuse now: it must, for a signature the mutant
    // actually broke, and say nothing else.
    EXPECT_EQ(plan.value().jws.signatures.size(), signature_count) << what;
    for (const Problem& p : result.problems()) {
      EXPECT_EQ(p.code, "jws_bad_signature") << what << ": " << describe(result.problems());
      EXPECT_EQ(p.path.rfind("/signatures/", 0), 0u) << what;
    }
    return true;
  }

  static void expect_code(const Json& jws, const std::string& code, const std::string& what,
                          const VerifyOptions& options = {}) {
    Result<VerifiedReceipt> result = verify_receipt(jws.dump(), *crypto_, options);
    ASSERT_FALSE(result.ok()) << what << " was accepted";
    EXPECT_TRUE(has_code(result.problems(), code))
        << what << ": expected " << code << ", got " << describe(result.problems());
  }

  static void expect_problem(const Json& jws, const std::string& code, const std::string& path, const std::string& what,
                             const VerifyOptions& options = {}) {
    Result<VerifiedReceipt> result = verify_receipt(jws.dump(), *crypto_, options);
    ASSERT_FALSE(result.ok()) << what << " was accepted";
    EXPECT_TRUE(has_problem(result.problems(), code, path))
        << what << ": expected " << code << " at " << path << ", got " << describe(result.problems());
  }

  static CryptoProvider* crypto_;
  static Config* config_;
  static Json* controller_;
  static Json* attacker_;
  static Json* receipt_;
  static Json* countersigned_;
};

CryptoProvider* TamperTest::crypto_ = nullptr;
Config* TamperTest::config_ = nullptr;
Json* TamperTest::controller_ = nullptr;
Json* TamperTest::attacker_ = nullptr;
Json* TamperTest::receipt_ = nullptr;
Json* TamperTest::countersigned_ = nullptr;

// --- every byte ---------------------------------------------------------------

TEST_F(TamperTest, EveryByteOfTheSerialisedJwsMatters) {
  // The countersigned receipt holds everything the plain one does (payload,
  // collector header and signature) plus the countersignature: one sweep covers both.
  for (const Json* jws : {countersigned_}) {
    const std::string text = jws->dump();
    const std::size_t signatures = (*jws)["signatures"].size();
    const VerifyOptions options = signatures > 1 ? trust() : VerifyOptions{};
    std::size_t reached_signature_check = 0;
    for (std::size_t at = 0; at < text.size(); ++at) {
      std::string altered = text;
      altered[at] = sibling(text[at]);
      if (expect_refused_for_the_right_reason(
              altered, options, signatures,
              "byte " + std::to_string(at) + " of a " + std::to_string(signatures) + "-signature JWS")) {
        ++reached_signature_check;
      }
    }
    // The payload and signature strings are most of the text: most mutants
    // keep a parsable JWS and some get as far as the signature maths.
    EXPECT_GT(reached_signature_check, 100u) << signatures << " signature(s)";
  }
}

TEST_F(TamperTest, EveryByteOfTheDecodedPayloadMatters) {
  for (const Json* jws : {receipt_, countersigned_}) {
    const std::string payload = payload_of(*jws);
    const std::size_t signatures = (*jws)["signatures"].size();
    std::size_t reached_signature_check = 0;
    for (std::size_t at = 0; at < payload.size(); ++at) {
      // Two replacements on the plain receipt; on the countersigned one (same
      // payload) one is enough to show that both signatures catch the change.
      for (const char replacement : {sibling(payload[at]), static_cast<char>(payload[at] ^ 0x20)}) {
        if (replacement == payload[at] || (signatures > 1 && replacement != sibling(payload[at]))) continue;
        std::string altered = payload;
        altered[at] = replacement;
        Json copy = *jws;
        copy["payload"] = base64url_encode(altered);
        if (expect_refused_for_the_right_reason(copy.dump(), {}, signatures,
                                                "payload byte " + std::to_string(at) + " -> " +
                                                    std::to_string(static_cast<unsigned char>(replacement)))) {
          ++reached_signature_check;
        }
      }
    }
    // Ids, digests, salt and texts are strings: changing one of their
    // characters keeps a canonical, well-formed receipt that only the
    // signature can catch. Check that every signature then failed.
    EXPECT_GT(reached_signature_check, payload.size() / 4) << signatures << " signature(s)";
  }
}

TEST_F(TamperTest, EveryPayloadChangeBreaksEverySignature) {
  // A payload change that passes every other check must break the collector
  // signature and the countersignature alike: both cover the same payload.
  const std::string payload = payload_of(*countersigned_);
  const std::size_t at = payload.find("\"receiptId\":\"") + 13;
  std::string altered = payload;
  altered[at] = sibling(altered[at]);
  Json copy = *countersigned_;
  copy["payload"] = base64url_encode(altered);
  Result<VerifiedReceipt> result = verify_receipt(copy.dump(), *crypto_, trust());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.problems().size(), 2u) << describe(result.problems());
  EXPECT_TRUE(has_problem(result.problems(), "jws_bad_signature", "/signatures/0"));
  EXPECT_TRUE(has_problem(result.problems(), "jws_bad_signature", "/signatures/1"));
}

TEST_F(TamperTest, EveryBitOfEachSignatureMatters) {
  for (std::size_t index = 0; index < 2; ++index) {
    const std::string path = "/signatures/" + std::to_string(index);
    const std::string signature =
        *base64url_decode((*countersigned_)["signatures"][index]["signature"].get<std::string>());
    ASSERT_EQ(signature.size(), 64u);
    for (std::size_t bit = 0; bit < signature.size() * 8; ++bit) {
      std::string flipped = signature;
      flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
      Json copy = *countersigned_;
      copy["signatures"][index]["signature"] = base64url_encode(flipped);
      Result<VerifiedReceipt> result = verify_receipt(copy.dump(), *crypto_, trust());
      ASSERT_FALSE(result.ok()) << path << " bit " << bit;
      ASSERT_EQ(codes_of(result.problems()), std::vector<std::string>{"jws_bad_signature"}) << path << " bit " << bit;
      ASSERT_EQ(result.problems().front().path, path) << path << " bit " << bit;
    }
  }
}

TEST_F(TamperTest, TruncatedExtendedOrMisencodedSignaturesAreRefused) {
  const std::string b64 = (*receipt_)["signatures"][0]["signature"].get<std::string>();
  const std::string raw = *base64url_decode(b64);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {base64url_encode(raw.substr(0, 63)), "jws_bad_signature"},
      {base64url_encode(raw + std::string(1, '\0')), "jws_bad_signature"},
      {base64url_encode(std::string(64, '\0')), "jws_bad_signature"},
      {base64url_encode(""), "jws_bad_signature"},
      {b64 + "==", "jws_bad_base64url"},                                           // padding
      {b64.substr(0, 40) + "+/" + b64.substr(42), "jws_bad_base64url"},            // base64, not base64url
      {b64.substr(0, 40) + " " + b64.substr(40), "jws_bad_base64url"},             // whitespace
      {b64.substr(0, b64.size() - 1) + sibling(b64.back()), "jws_bad_base64url"},  // non-zero spare bits (RFC 4648 3.5)
  };
  for (const auto& [value, code] : cases) {
    Json copy = *receipt_;
    copy["signatures"][0]["signature"] = value;
    expect_code(copy, code, "signature \"" + value + "\"");
  }
  Json not_a_string = *receipt_;
  not_a_string["signatures"][0]["signature"] = Json::array({1, 2});
  expect_code(not_a_string, "jws_signature_missing", "signature as an array");
}

// --- headers ------------------------------------------------------------------

struct HeaderCase {
  const char* name;
  std::function<void(Json&)> edit;
  const char* code;
};

std::vector<HeaderCase> collector_header_cases() {
  return {
      {"alg none", [](Json& h) { h["alg"] = "none"; }, "jws_alg_not_allowed"},
      {"alg HS256", [](Json& h) { h["alg"] = "HS256"; }, "jws_alg_not_allowed"},
      {"alg RS256", [](Json& h) { h["alg"] = "RS256"; }, "jws_alg_not_allowed"},
      {"alg ed25519 (case)", [](Json& h) { h["alg"] = "ed25519"; }, "jws_alg_not_allowed"},
      {"alg ES256 with an Ed25519 key", [](Json& h) { h["alg"] = "ES256"; }, "jws_jwk_alg_mismatch"},
      {"alg missing", [](Json& h) { h.erase("alg"); }, "jws_alg_missing"},
      {"alg not a string", [](Json& h) { h["alg"] = Json::array({"Ed25519"}); }, "jws_alg_missing"},
      {"jwk removed", [](Json& h) { h.erase("jwk"); }, "jws_jwk_missing"},
      {"jwk crv X25519", [](Json& h) { h["jwk"]["crv"] = "X25519"; }, "jws_jwk_alg_mismatch"},
      {"jwk crv P-256", [](Json& h) { h["jwk"]["crv"] = "P-256"; }, "jws_jwk_alg_mismatch"},
      {"jwk kty EC", [](Json& h) { h["jwk"]["kty"] = "EC"; }, "jws_jwk_alg_mismatch"},
      {"jwk kty oct (HMAC secret)",
       [](Json& h) {
         h["jwk"] = Json{{"kty", "oct"}, {"k", "c2VjcmV0"}};
       },
       "jws_jwk_invalid"},
      {"jwk x truncated", [](Json& h) { h["jwk"]["x"] = h["jwk"]["x"].get<std::string>().substr(0, 42); },
       "jws_jwk_invalid"},
      {"jwk x missing", [](Json& h) { h["jwk"].erase("x"); }, "jws_jwk_invalid"},
      {"jwk not an object", [](Json& h) { h["jwk"] = "key"; }, "jws_jwk_invalid"},
      {"jwk restricted to ES256", [](Json& h) { h["jwk"]["alg"] = "ES256"; }, "jws_jwk_alg_mismatch"},
      {"jwk publishes d", [](Json& h) { h["jwk"]["d"] = h["jwk"]["x"]; }, "jws_jwk_invalid"},
      {"typ changed", [](Json& h) { h["typ"] = "JWT"; }, "receipt_bad_typ"},
      {"typ removed", [](Json& h) { h.erase("typ"); }, "receipt_bad_typ"},
      {"typ of a countersignature", [](Json& h) { h["typ"] = kCountersignType; }, "receipt_bad_typ"},
      {"crit added",
       [](Json& h) {
         h["crit"] = Json::array({"exp"});
         h["exp"] = 1;
       },
       "jws_crit_unsupported"},
      {"crit empty", [](Json& h) { h["crit"] = Json::array(); }, "jws_crit_unsupported"},
      {"b64 false", [](Json& h) { h["b64"] = false; }, "jws_unencoded_payload"},
      {"b64 as a string", [](Json& h) { h["b64"] = "true"; }, "jws_unencoded_payload"},
  };
}

TEST_F(TamperTest, CollectorHeaderChangesAreRefusedWhetherOrNotReSigned) {
  for (const HeaderCase& c : collector_header_cases()) {
    // As found in transit: header changed, signature left alone.
    expect_problem(edit_header(*receipt_, 0, c.edit), c.code, "/signatures/0/protected",
                   std::string(c.name) + " (not re-signed)");
    // As an attacker would send it: re-signed with their own key over the changed header,
    // so only the header check can stop it.
    expect_problem(resign(*receipt_, 0, *attacker_, c.edit), c.code, "/signatures/0/protected",
                   std::string(c.name) + " (re-signed)");
  }
}

TEST_F(TamperTest, SwappedOrEditedKeyBreaksTheSignature) {
  const Json other = public_jwk(crypto_->generate_ed25519().value()).value();
  expect_problem(edit_header(*receipt_, 0, [&](Json& h) { h["jwk"] = other; }), "jws_bad_signature", "/signatures/0",
                 "jwk swapped");
  expect_problem(edit_header(*receipt_, 0, [](Json& h) { h["alg"] = "EdDSA"; }), "jws_bad_signature", "/signatures/0",
                 "alg renamed EdDSA: the header is signed too");
  expect_problem(edit_header(*receipt_, 0, [](Json& h) { h["kid"] = "x"; }), "jws_bad_signature", "/signatures/0",
                 "kid added to the collector header");
  // The collector's own key, re-encoded differently, is another header: refused.
  expect_problem(edit_header(*receipt_, 0, [](Json& h) { h["jwk"]["use"] = "sig"; }), "jws_bad_signature",
                 "/signatures/0", "jwk member added");
}

TEST_F(TamperTest, UnprotectedHeaderCannotCarryOrShadowProtectedParameters) {
  const Json key = header_of(*receipt_, 0)["jwk"];
  const std::vector<std::tuple<const char*, Json, const char*, const char*>> cases = {
      {"alg in the unprotected header", Json{{"alg", "none"}}, "jws_header_in_unprotected", "/signatures/0/header/alg"},
      {"jwk in the unprotected header", Json{{"jwk", key}}, "jws_header_in_unprotected", "/signatures/0/header/jwk"},
      {"typ in both headers", Json{{"typ", kReceiptType}}, "jws_header_not_disjoint", "/signatures/0/header/typ"},
      {"crit in the unprotected header", Json{{"crit", Json::array({"b64"})}}, "jws_crit_unsupported",
       "/signatures/0/header"},
      {"b64 false in the unprotected header", Json{{"b64", false}}, "jws_unencoded_payload", "/signatures/0/header"},
      {"unprotected header not an object", Json::array(), "jws_not_object", "/signatures/0/header"},
  };
  for (const auto& [name, header, code, path] : cases) {
    Json copy = *receipt_;
    copy["signatures"][0]["header"] = header;
    expect_problem(copy, code, path, name);
  }
  // A harmless unprotected member (kid) is allowed by RFC 7515 and changes nothing signed.
  Json with_kid = *receipt_;
  with_kid["signatures"][0]["header"] = Json{{"kid", "note"}};
  EXPECT_TRUE(verify_receipt(with_kid.dump(), *crypto_).ok());
}

TEST_F(TamperTest, ProtectedHeaderThatIsNotAJsonObjectIsRefused) {
  for (const std::string& bytes :
       {std::string("[]"), std::string("\"Ed25519\""), std::string("{\"alg\":\"Ed25519\""), std::string("not json"),
        std::string("{\"alg\":\"Ed25519\",\"alg\":\"none\"}"), std::string("{\"typ\":\"\xff\"}")}) {
    Json copy = *receipt_;
    copy["signatures"][0]["protected"] = base64url_encode(bytes);
    expect_problem(copy, "jws_protected_not_json", "/signatures/0/protected", "protected header " + bytes);
  }
}

TEST_F(TamperTest, CountersignatureHeaderChangesAreRefused) {
  const VerifyOptions options = trust();
  // In transit, the controller's signature left alone.
  expect_problem(edit_header(*countersigned_, 1, [](Json& h) { h["kid"] = "another-kid"; }), "jws_bad_signature",
                 "/signatures/1", "kid changed", options);
  expect_problem(edit_header(*countersigned_, 1, [](Json& h) { h["cachet_at"] = "2020-01-01T00:00:00Z"; }),
                 "jws_bad_signature", "/signatures/1", "cachet_at backdated", options);
  expect_problem(edit_header(*countersigned_, 1, [](Json& h) { h["alg"] = "none"; }), "jws_alg_not_allowed",
                 "/signatures/1/protected", "countersignature alg none", options);
  expect_problem(edit_header(*countersigned_, 1, [](Json& h) { h["typ"] = kReceiptType; }), "receipt_bad_typ",
                 "/signatures/1/protected", "countersignature typed as a collector signature", options);
  expect_problem(edit_header(*countersigned_, 1, [](Json& h) { h.erase("cachet_at"); }), "receipt_bad_countersignature",
                 "/signatures/1/protected", "cachet_at removed", options);
  expect_problem(edit_header(*countersigned_, 1, [](Json& h) { h["cachet_at"] = "2026-11-30 10:00:05"; }),
                 "receipt_bad_countersignature", "/signatures/1/protected", "cachet_at not RFC 3339 UTC", options);
  expect_problem(edit_header(*countersigned_, 1, [](Json& h) { h["crit"] = Json::array({"cachet_at"}); }),
                 "jws_crit_unsupported", "/signatures/1/protected", "crit on the countersignature", options);
}

// --- payload fields, re-signed by an attacker -----------------------------------

TEST_F(TamperTest, ReSignedPayloadChangesAreRefusedWithTheirReason) {
  // A receipt's collector key is fresh per receipt, so anyone can re-sign a
  // payload: the verifier must still refuse every payload Cachet would never write.
  const Json original = Json::parse(payload_of(*receipt_));
  const std::string canonical = payload_of(*receipt_);
  struct Case {
    const char* name;
    std::string payload;
    const char* code;
    const char* path;
  };
  const auto edited = [&](const std::function<void(Json&)>& edit) {
    Json p = original;
    edit(p);
    return canonicalize(p).value();
  };
  const std::vector<Case> cases = {
      {"pretty-printed", original.dump(2), "receipt_not_canonical", "/payload"},
      {"trailing newline", canonical + "\n", "receipt_not_canonical", "/payload"},
      {"leading space", " " + canonical, "receipt_not_canonical", "/payload"},
      {"members in insertion order, not sorted",
       [&] {
         std::string reordered = canonical;
         // Swap the first two members: "channels" and "collection".
         const std::size_t second = reordered.find(",\"collection\":");
         const std::size_t third = reordered.find(",\"controller\":");
         const std::string first_member = reordered.substr(1, second - 1);
         const std::string second_member = reordered.substr(second + 1, third - second - 1);
         return "{" + second_member + "," + first_member + reordered.substr(third);
       }(),
       "receipt_not_canonical", "/payload"},
      {"escaped letter",
       [&] {
         std::string s = canonical;
         const std::size_t at = s.find("cachet-receipt/1");
         return s.replace(at, 1, "\\u0063");
       }(),
       "receipt_not_canonical", "/payload"},
      {"escaped slash",
       [&] {
         std::string s = canonical;
         const std::size_t at = s.find("cachet-receipt/1") + 14;
         return s.replace(at, 1, "\\/");
       }(),
       "receipt_not_canonical", "/payload"},
      {"number with exponent",
       [&] {
         std::string s = canonical;
         const std::size_t at = s.find("\"months\":36");
         return s.replace(at, 11, "\"months\":3.6e1");
       }(),
       "receipt_not_canonical", "/payload"},
      {"duplicate member",
       [&] {
         std::string s = canonical;
         return s.insert(1, "\"version\":\"cachet-receipt/1\",");
       }(),
       "receipt_payload_not_json", "/payload"},
      {"not JSON", "cachet-receipt/1", "receipt_payload_not_json", "/payload"},
      {"invalid UTF-8",
       [&] {
         std::string s = canonical;
         const std::size_t at = s.find("Soci");
         return s.replace(at, 4, "\xc3\x28oc");
       }(),
       "receipt_payload_not_json", "/payload"},
      {"array payload", "[" + canonical + "]", "receipt_wrong_type", "/payload"},
      {"unknown version", edited([](Json& p) { p["version"] = "cachet-receipt/3"; }), "receipt_unknown_version",
       "/payload/version"},
      {"version missing", edited([](Json& p) { p.erase("version"); }), "receipt_missing_member", "/payload"},
      {"pre-checked consent box", edited([](Json& p) { p["channels"]["email"]["shownUnchecked"] = false; }),
       "receipt_prechecked_box", "/payload/channels/email/shownUnchecked"},
      {"pre-checked objection box", edited([](Json& p) { p["channels"]["postal"]["shownUnchecked"] = false; }),
       "receipt_prechecked_box", "/payload/channels/postal/shownUnchecked"},
      {"shownUnchecked as a string", edited([](Json& p) { p["channels"]["email"]["shownUnchecked"] = "true"; }),
       "receipt_wrong_type", "/payload/channels/email/shownUnchecked"},
      {"email on legitimate interest (R4)", edited([](Json& p) {
         p["channels"]["email"] =
             Json{{"basis", "legitimate-interest"}, {"decision", "not-objected"}, {"shownUnchecked", true}};
       }),
       "receipt_bad_value", "/payload/channels/email/basis"},
      {"sms on legitimate interest (R4)", edited([](Json& p) {
         p["channels"]["sms"] =
             Json{{"basis", "legitimate-interest"}, {"decision", "not-objected"}, {"shownUnchecked", true}};
       }),
       "receipt_bad_value", "/payload/channels/sms/basis"},
      {"consent decision on a legitimate-interest channel",
       edited([](Json& p) { p["channels"]["postal"]["decision"] = "granted"; }), "receipt_bad_value",
       "/payload/channels/postal/decision"},
      {"withdrawal without supersedes", edited([](Json& p) { p["channels"]["email"]["decision"] = "withdrawn"; }),
       "receipt_bad_value", "/payload/channels/email/decision"},
      {"unknown basis", edited([](Json& p) { p["channels"]["email"]["basis"] = "contract"; }), "receipt_bad_value",
       "/payload/channels/email/basis"},
      {"unknown partner prospecting", edited([](Json& p) { p["channels"]["email"]["partnerProspecting"] = "anyone"; }),
       "receipt_bad_value", "/payload/channels/email/partnerProspecting"},
      {"consent without partner prospecting",
       edited([](Json& p) { p["channels"]["email"].erase("partnerProspecting"); }), "receipt_missing_member",
       "/payload/channels/email"},
      {"unknown channel", edited([](Json& p) { p["channels"]["fax"] = p["channels"]["postal"]; }),
       "receipt_unknown_member", "/payload/channels/fax"},
      {"no channel", edited([](Json& p) { p["channels"] = Json::object(); }), "receipt_bad_value", "/payload/channels"},
      {"unknown top-level member", edited([](Json& p) { p["extra"] = 1; }), "receipt_unknown_member", "/payload/extra"},
      {"contact value in clear", edited([](Json& p) { p["subject"]["email"] = "marie.curie@example.fr"; }),
       "receipt_unknown_member", "/payload/subject/email"},
      {"digest of an unknown kind", edited([](Json& p) { p["subject"]["digests"]["fax"] = std::string(64, 'a'); }),
       "receipt_unknown_member", "/payload/subject/digests/fax"},
      {"upper-case digest", edited([](Json& p) { p["subject"]["digests"]["email"] = std::string(64, 'A'); }),
       "receipt_bad_value", "/payload/subject/digests/email"},
      {"short salt", edited([](Json& p) { p["subject"]["salt"] = base64url_encode("short"); }), "receipt_bad_value",
       "/payload/subject/salt"},
      {"upper-case receipt id", edited([](Json& p) { p["receiptId"] = "2F1C6A1E-3B7D-4C5E-9A41-6C0F2B8E7D10"; }),
       "receipt_bad_value", "/payload/receiptId"},
      {"local time", edited([](Json& p) { p["issuedAt"] = "2026-11-30T11:00:00+01:00"; }), "receipt_bad_value",
       "/payload/issuedAt"},
      {"impossible date", edited([](Json& p) { p["issuedAt"] = "2026-13-30T10:00:00Z"; }), "receipt_bad_value",
       "/payload/issuedAt"},
      {"unknown collection method", edited([](Json& p) { p["collection"]["method"] = "carrier-pigeon"; }),
       "receipt_bad_value", "/payload/collection/method"},
      {"notice digest not hex", edited([](Json& p) { p["notice"]["sha256"] = "zz"; }), "receipt_bad_value",
       "/payload/notice/sha256"},
      {"negative retention", edited([](Json& p) { p["retention"]["months"] = -1; }), "receipt_wrong_type",
       "/payload/retention/months"},
      {"fractional retention", edited([](Json& p) { p["retention"]["months"] = 36.5; }), "receipt_wrong_type",
       "/payload/retention/months"},
      {"controller removed", edited([](Json& p) { p.erase("controller"); }), "receipt_missing_member", "/payload"},
      // Found by fuzz_receipt_verify: a non-boolean GPC flag next to a pre-ticked
      // objection made the schema check throw (fuzz/regressions/fuzz_receipt_verify/).
      {"GPC flag not a boolean, objection pre-ticked", edited([](Json& p) {
         p["collection"]["globalPrivacyControl"] = "yes";
         p["channels"]["postal"]["shownUnchecked"] = false;
       }),
       "receipt_wrong_type", "/payload/collection/globalPrivacyControl"},
      {"GPC does not excuse a pre-ticked consent box", edited([](Json& p) {
         p["collection"]["globalPrivacyControl"] = true;
         p["channels"]["email"]["shownUnchecked"] = false;
       }),
       "receipt_prechecked_box", "/payload/channels/email/shownUnchecked"},
      {"supersedes not a UUID", edited([](Json& p) { p["supersedes"] = "earlier"; }), "receipt_bad_value",
       "/payload/supersedes"},
  };
  for (const Case& c : cases) {
    expect_problem(forge(c.payload, *attacker_), c.code, c.path, c.name);
  }
  // Control: the same forgery over the untouched payload is a valid
  // (self-signed) receipt, so each refusal above is the payload change's doing.
  EXPECT_TRUE(verify_receipt(forge(canonical, *attacker_).dump(), *crypto_).ok());
}

TEST_F(TamperTest, HumanReadableCopyOfAHostilePayloadIsPartialNeverAThrow) {
  // render_receipt_text takes any JSON (the wasm module's receiptText passes
  // what the page gives it): wrong types must give a partial text, never throw.
  for (const char* text : {R"({"collection":"x"})", R"({"collection":{"globalPrivacyControl":1}})",
                           R"({"collection":{"globalPrivacyControl":"yes"},"channels":{"email":[]}})",
                           R"({"channels":"x","notice":{"partnerIds":{}},"retention":{"months":"36"}})",
                           R"({"retention":{"months":18446744073709551615},"controller":[1]})", "[]", "null"}) {
    // A throw fails the test natively and aborts it under wasm.
    const Json payload = Json::parse(text);
    const std::string fr = render_receipt_text(payload, "fr");
    const std::string en = render_receipt_text(payload, "en");
    EXPECT_EQ(fr.empty(), !payload.is_object()) << text;
    EXPECT_EQ(en.find("Consent receipt") == 0, payload.is_object()) << text;
  }
}

// --- re-serialisations ------------------------------------------------------------

TEST_F(TamperTest, ReSerialisationsAreRefusedUnlessEquivalent) {
  const Json& sig0 = (*receipt_)["signatures"][0];
  // Flattened form of a one-signature receipt is the same JWS: accepted (RFC 7515 section 7.2.2).
  const Json flattened = {
      {"payload", (*receipt_)["payload"]}, {"protected", sig0["protected"]}, {"signature", sig0["signature"]}};
  ASSERT_TRUE(verify_receipt(flattened.dump(), *crypto_).ok());

  Json both = flattened;
  both["signatures"] = (*receipt_)["signatures"];
  expect_code(both, "jws_unknown_member", "flattened and general at once");

  Json extra_top = *receipt_;
  extra_top["note"] = "hello";
  expect_problem(extra_top, "jws_unknown_member", "/note", "extra top-level member");

  Json extra_flat = flattened;
  extra_flat["payload2"] = (*receipt_)["payload"];
  expect_problem(extra_flat, "jws_unknown_member", "/payload2", "extra member in the flattened form");

  Json extra_in_signature = *receipt_;
  extra_in_signature["signatures"][0]["x"] = 1;
  expect_problem(extra_in_signature, "jws_unknown_member", "/signatures/0/x", "extra member in a signature");

  // Duplicate names: JSON parsers disagree on which one wins, so refuse outright.
  const std::string text = receipt_->dump();
  const std::string dup_payload =
      "{\"payload\":\"e30\"," + text.substr(1);  // the attacker's payload first, the real one second
  Result<VerifiedReceipt> dup = verify_receipt(dup_payload, *crypto_);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(codes_of(dup.problems()), std::vector<std::string>{"json_duplicate_key"});
  std::string dup_signature = text;
  dup_signature.insert(dup_signature.find("\"protected\""),
                       "\"signature\":\"" + sig0["signature"].get<std::string>() + "\",");
  Result<VerifiedReceipt> dup2 = verify_receipt(dup_signature, *crypto_);
  ASSERT_FALSE(dup2.ok());
  EXPECT_EQ(codes_of(dup2.problems()), std::vector<std::string>{"json_duplicate_key"});

  Json no_payload = *receipt_;
  no_payload.erase("payload");
  expect_code(no_payload, "jws_missing_payload", "payload removed");
  Json detached = *receipt_;
  detached["payload"] = "";
  expect_code(detached, "receipt_payload_not_json", "detached (empty) payload");
  Json payload_number = *receipt_;
  payload_number["payload"] = 42;
  expect_code(payload_number, "jws_missing_payload", "payload not a string");
  Json padded = *receipt_;
  padded["payload"] = (*receipt_)["payload"].get<std::string>() + "=";
  expect_code(padded, "jws_bad_base64url", "padded payload");

  Json no_signatures = *receipt_;
  no_signatures["signatures"] = Json::array();
  expect_code(no_signatures, "jws_no_signatures", "empty signatures");
  Json signatures_object = *receipt_;
  signatures_object["signatures"] = sig0;
  expect_code(signatures_object, "jws_no_signatures", "signatures not an array");
  Json signature_not_object = *receipt_;
  signature_not_object["signatures"] = Json::array({"x"});
  expect_code(signature_not_object, "jws_not_object", "a signature that is not an object");
  expect_code(Json::array({*receipt_}), "jws_not_object", "receipt wrapped in an array");

  // The compact serialisation is not a Cachet receipt.
  const std::string compact = sig0["protected"].get<std::string>() + "." + (*receipt_)["payload"].get<std::string>() +
                              "." + sig0["signature"].get<std::string>();
  Result<VerifiedReceipt> compact_result = verify_receipt(compact, *crypto_);
  ASSERT_FALSE(compact_result.ok());
  EXPECT_EQ(compact_result.problems().front().code, "jws_not_json");
}

TEST_F(TamperTest, SignatureOrderAndCountAreChecked) {
  const Json& sigs = (*countersigned_)["signatures"];
  Json reordered = *countersigned_;
  reordered["signatures"] = Json::array({sigs[1], sigs[0]});
  expect_problem(reordered, "receipt_bad_typ", "/signatures/0/protected", "countersignature first");
  expect_problem(reordered, "receipt_bad_typ", "/signatures/1/protected", "collector signature second");

  Json dropped = *countersigned_;
  dropped["signatures"] = Json::array({sigs[1]});
  expect_problem(dropped, "receipt_bad_typ", "/signatures/0/protected", "collector signature dropped");
  expect_problem(dropped, "receipt_bad_typ", "/signatures/0/protected", "collector signature dropped (trusted)",
                 trust());

  Json twice = *receipt_;
  twice["signatures"] = Json::array({sigs[0], sigs[0]});
  expect_problem(twice, "receipt_bad_typ", "/signatures/1/protected", "collector signature repeated");

  // Dropping the countersignature leaves a valid receipt, but not a countersigned one.
  Json uncountersigned = *countersigned_;
  uncountersigned["signatures"] = Json::array({sigs[0]});
  EXPECT_TRUE(verify_receipt(uncountersigned.dump(), *crypto_).ok());
  expect_problem(uncountersigned, "receipt_not_countersigned", "/signatures", "countersignature dropped", trust());

  // A countersignature moved onto another receipt signs another payload.
  Json another = Json::parse(payload_of(*receipt_));
  another["receiptId"] = "00000000-0000-4000-8000-000000000000";
  Json transplanted = forge(canonicalize(another).value(), *attacker_);
  transplanted["signatures"].push_back(sigs[1]);
  expect_problem(transplanted, "jws_bad_signature", "/signatures/1", "countersignature grafted onto another receipt",
                 trust());
}

// --- keys ----------------------------------------------------------------------------

TEST_F(TamperTest, OnlyTheTrustedControllerKeyCounts) {
  const Json stranger = crypto_->generate_ed25519().value();
  const std::string receipt_text = receipt_->dump();
  Result<Json> by_stranger = countersign_receipt(receipt_text, stranger, "2026-11-30T10:00:05Z", *crypto_);
  ASSERT_TRUE(by_stranger.ok());
  expect_problem(by_stranger.value(), "receipt_untrusted_countersigner", "/signatures", "countersigned by a stranger",
                 trust());

  // The stranger claims the controller's kid: a kid that is not the key's own
  // thumbprint is refused outright, trusted key or not.
  const std::string controller_kid = jwk_thumbprint(public_jwk(*controller_).value(), *crypto_).value();
  Json liar = resign(*countersigned_, 1, stranger, [&](Json& h) { h["kid"] = controller_kid; });
  expect_problem(liar, "receipt_bad_countersignature", "/signatures/1/protected", "stranger using the controller's kid",
                 trust());
  expect_problem(liar, "receipt_bad_countersignature", "/signatures/1/protected",
                 "stranger using the controller's kid, no trusted key", VerifyOptions{});

  // The stranger's countersignature next to the controller's: still trusted, by the controller's.
  Json crowded = *countersigned_;
  crowded["signatures"].push_back(by_stranger.value()["signatures"][1]);
  Result<VerifiedReceipt> crowded_result = verify_receipt(crowded.dump(), *crypto_, trust());
  ASSERT_TRUE(crowded_result.ok()) << describe(crowded_result.problems());
  EXPECT_EQ(crowded_result.value().countersigner_kid, controller_kid);

  // The controller's public key, as the collector key: not a countersignature.
  Json as_collector = forge(payload_of(*receipt_), *controller_);
  expect_problem(as_collector, "receipt_not_countersigned", "/signatures", "controller key as collector key", trust());

  // A trusted key that is not a usable public key is refused, not ignored.
  VerifyOptions broken;
  broken.trusted_controller_key = Json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "short"}};
  expect_code(*countersigned_, "jws_jwk_invalid", "trusted key malformed", broken);
}

}  // namespace
}  // namespace cachet
