// JWS (RFC 7515) parsing, signing and verification, with the RFC 8037 and
// RFC 7515 published vectors, and one test per way a hostile JWS is refused.
// Runs with OpenSSL natively and with Node's crypto module under wasm.
#include "cachet/jws.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "test_crypto.h"

namespace cachet {
namespace {

// RFC 8037 Appendix A.1 (private key) and A.2 (its public part).
const char kEdD[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const char kEdX[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
// RFC 8037 Appendix A.3.
const char kEdThumbprint[] = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
// RFC 8037 Appendix A.4.
const char kEdPayload[] = "Example of Ed25519 signing";
const char kEdSigningInput[] = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
const char kEdSignature[] = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

// RFC 7515 Appendix A.3 (ES256).
const char kEcX[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const char kEcY[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const char kEcD[] = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
const char kEcSigningInput[] =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const char kEcSignature[] = "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

Json ed_private() { return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"d", kEdD}, {"x", kEdX}}; }
Json ed_public() { return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", kEdX}}; }
Json ec_private() { return {{"kty", "EC"}, {"crv", "P-256"}, {"x", kEcX}, {"y", kEcY}, {"d", kEcD}}; }
Json ec_public() { return {{"kty", "EC"}, {"crv", "P-256"}, {"x", kEcX}, {"y", kEcY}}; }

std::string b64(std::string_view bytes) { return base64url_encode(bytes); }
std::string b64_json(const Json& value) { return base64url_encode(value.dump()); }
std::string unb64(std::string_view text) { return base64url_decode(text).value_or("<invalid>"); }

// A general-serialisation JWS with one signature slot, built by hand so tests
// can put anything in it.
Json jws_with(const Json& protected_header, const std::string& payload = "{}",
              const std::string& signature = std::string(64, '\x01')) {
  return {{"payload", b64(payload)},
          {"signatures", Json::array({{{"protected", b64_json(protected_header)}, {"signature", b64(signature)}}})}};
}

Json ed_header() { return {{"alg", "Ed25519"}, {"jwk", ed_public()}}; }

// The codes of a failed result, for readable assertions.
std::vector<std::string> codes(const Problems& problems) {
  std::vector<std::string> out;
  for (const Problem& p : problems) out.push_back(p.code);
  return out;
}

const Problem* find_code(const Problems& problems, std::string_view code) {
  const auto it = std::find_if(problems.begin(), problems.end(), [&](const Problem& p) { return p.code == code; });
  return it == problems.end() ? nullptr : &*it;
}

// Parses `jws` and expects exactly one problem with `code` at `path`.
void expect_refused(const std::string& text, const std::string& code, const std::string& path) {
  const auto parsed = parse_jws(text);
  ASSERT_FALSE(parsed.ok()) << text.substr(0, 200);
  const Problem* p = find_code(parsed.problems(), code);
  ASSERT_NE(p, nullptr) << "wanted " << code << ", got " << ::testing::PrintToString(codes(parsed.problems()));
  EXPECT_EQ(p->path, path);
  EXPECT_FALSE(p->message.empty());
}

class JwsTest : public ::testing::Test {
 protected:
  std::unique_ptr<CryptoProvider> crypto_ = testing::make_test_crypto();

  // Signed with sign_jws, then parsed and verified: the happy path.
  Json signed_jws(const Json& private_jwk, const std::string& payload = R"({"receipt":1})") {
    auto jws = sign_jws(payload, private_jwk, *crypto_);
    EXPECT_TRUE(jws.ok()) << ::testing::PrintToString(codes(jws.problems()));
    return jws.ok() ? jws.value() : Json();
  }

  Problems parse_and_verify(const std::string& text) {
    auto parsed = parse_jws(text);
    if (!parsed.ok()) return parsed.problems();
    return verify_signatures(parsed.value(), *crypto_);
  }
};

// ---------------------------------------------------------------- base64url

TEST(Base64Url, RoundTripsEveryLength) {
  const std::string bytes = std::string("\x00\xff\x10\xfb\xef\x7f", 6) + "abc";
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    const std::string part = bytes.substr(0, n);
    const std::string encoded = base64url_encode(part);
    EXPECT_EQ(encoded.find('='), std::string::npos);
    EXPECT_EQ(base64url_decode(encoded), part) << encoded;
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64Url, RefusesAnythingButTheUnpaddedUrlAlphabet) {
  EXPECT_FALSE(base64url_decode("Zg=="));  // padding
  EXPECT_FALSE(base64url_decode("+_8"));   // standard alphabet
  EXPECT_FALSE(base64url_decode("-/8"));
  EXPECT_FALSE(base64url_decode("Zm 9v"));  // whitespace
  EXPECT_FALSE(base64url_decode("Zm9v\n"));
  EXPECT_FALSE(base64url_decode("Zm9vY"));  // 6 bits cannot make a byte
  EXPECT_EQ(base64url_decode(""), std::string());
}

TEST(Base64Url, RefusesNonCanonicalTrailingBits) {
  // RFC 4648 section 3.5: "Zg" is the only encoding of "f"; "Zh".."Zv" differ only in unused bits.
  EXPECT_EQ(base64url_decode("Zg"), "f");
  EXPECT_FALSE(base64url_decode("Zh"));
  EXPECT_FALSE(base64url_decode("Zv"));
  EXPECT_EQ(base64url_decode("Zm8"), "fo");
  EXPECT_FALSE(base64url_decode("Zm9"));
}

TEST(Hex, EncodesLowercase) { EXPECT_EQ(hex_encode(std::string("\x00\x9f\xff", 3)), "009fff"); }

TEST(Alg, OnlyEd25519EdDsaAndEs256) {
  EXPECT_TRUE(is_allowed_alg("Ed25519"));
  EXPECT_TRUE(is_allowed_alg("EdDSA"));
  EXPECT_TRUE(is_allowed_alg("ES256"));
  for (const char* alg : {"none", "HS256", "RS256", "ES384", "ed25519", ""}) EXPECT_FALSE(is_allowed_alg(alg)) << alg;
}

// ---------------------------------------------------------------- RFC 8037 Appendix A

TEST_F(JwsTest, Rfc8037A1A2PublicKeyOfThePrivateKey) {
  const auto pub = public_jwk(ed_private());
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub.value(), ed_public());
}

TEST_F(JwsTest, Rfc8037A3Thumbprint) {
  const auto thumbprint = jwk_thumbprint(ed_public(), *crypto_);
  ASSERT_TRUE(thumbprint.ok());
  EXPECT_EQ(thumbprint.value(), kEdThumbprint);
  // The private key has the same thumbprint: only the required members count.
  EXPECT_EQ(jwk_thumbprint(ed_private(), *crypto_).value(), kEdThumbprint);
}

TEST_F(JwsTest, Rfc8037A4SigningIsExact) {
  const std::string input = make_signing_input(Json{{"alg", "EdDSA"}}, b64(kEdPayload));
  EXPECT_EQ(input, kEdSigningInput);
  const auto signature = crypto_->sign(ed_private(), input);
  ASSERT_TRUE(signature.ok()) << ::testing::PrintToString(codes(signature.problems()));
  EXPECT_EQ(b64(signature.value()), kEdSignature);
}

TEST_F(JwsTest, Rfc8037A5Verification) {
  EXPECT_TRUE(crypto_->verify("EdDSA", ed_public(), kEdSigningInput, unb64(kEdSignature)));
  EXPECT_TRUE(crypto_->verify("Ed25519", ed_public(), kEdSigningInput, unb64(kEdSignature)));
  std::string altered = kEdSigningInput;
  altered.back() = 'n';
  EXPECT_FALSE(crypto_->verify("EdDSA", ed_public(), altered, unb64(kEdSignature)));
}

TEST_F(JwsTest, Rfc8037A4AsJwsLacksTheJwkCachetRequires) {
  expect_refused(testing::read_fixture("jws/rfc8037-a4-flattened-without-jwk.json"), "jws_jwk_missing", "/protected");
}

// ---------------------------------------------------------------- RFC 7515 Appendix A.3

TEST_F(JwsTest, Rfc7515A3Es256Verification) {
  EXPECT_TRUE(crypto_->verify("ES256", ec_public(), kEcSigningInput, unb64(kEcSignature)));
  std::string altered = unb64(kEcSignature);
  altered[40] = static_cast<char>(altered[40] ^ 1);
  EXPECT_FALSE(crypto_->verify("ES256", ec_public(), kEcSigningInput, altered));
  EXPECT_FALSE(crypto_->verify("ES256", ec_public(), std::string(kEcSigningInput) + "x", unb64(kEcSignature)));
}

TEST_F(JwsTest, Rfc7515A3PrivateKeyMatchesItsPublicKey) {
  // sign() verifies its own signature against x/y, so this proves d belongs to them.
  const auto signature = crypto_->sign(ec_private(), kEcSigningInput);
  ASSERT_TRUE(signature.ok()) << ::testing::PrintToString(codes(signature.problems()));
  EXPECT_EQ(signature.value().size(), 64u);
  EXPECT_TRUE(crypto_->verify("ES256", ec_public(), kEcSigningInput, signature.value()));
}

// ---------------------------------------------------------------- round trips

TEST_F(JwsTest, Ed25519SignThenVerify) {
  const auto key = crypto_->generate_ed25519();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key.value()["kty"], "OKP");
  EXPECT_EQ(key.value()["crv"], "Ed25519");
  EXPECT_EQ(unb64(key.value()["d"].get<std::string>()).size(), 32u);

  const Json jws = signed_jws(key.value(), R"({"receipt":"r1"})");
  const auto parsed = parse_jws(jws.dump());
  ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(codes(parsed.problems()));
  EXPECT_EQ(parsed.value().payload, R"({"receipt":"r1"})");
  ASSERT_EQ(parsed.value().signatures.size(), 1u);
  EXPECT_EQ(parsed.value().signatures[0].alg, "Ed25519");
  EXPECT_EQ(parsed.value().signatures[0].jwk, public_jwk(key.value()).value());
  EXPECT_TRUE(verify_signatures(parsed.value(), *crypto_).empty());
}

// The native provider keeps each thread's last imported signing key and
// checks "d" against "x" when it imports one: a changed key, or a "d" paired
// with another key's "x", must still be caught on every call.
TEST_F(JwsTest, Ed25519SigningChecksDAgainstXWhateverWasSignedBefore) {
  const auto a = crypto_->generate_ed25519();
  const auto b = crypto_->generate_ed25519();
  ASSERT_TRUE(a.ok() && b.ok());
  Json a_x_b_d = a.value();
  a_x_b_d["d"] = b.value()["d"];
  Json b_x_a_d = b.value();
  b_x_a_d["d"] = a.value()["d"];
  const std::string input = "eyJhbGciOiJFZDI1NTE5In0.cmVjZWlwdA";
  for (int round = 0; round < 2; ++round) {
    for (const Json* key : {&a.value(), &b.value()}) {
      const Result<std::string> signature = crypto_->sign(*key, input);
      ASSERT_TRUE(signature.ok());
      EXPECT_TRUE(crypto_->verify("Ed25519", public_jwk(*key).value(), input, signature.value()));
      // Right after a key signed: its "d" with the other's "x", and its "x" with the other's "d".
      for (const Json* mismatched : {&a_x_b_d, &b_x_a_d}) {
        const Result<std::string> refused = crypto_->sign(*mismatched, input);
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(refused.problems().front().code, "crypto_key_invalid");
      }
    }
  }
}

TEST_F(JwsTest, Es256SignThenVerify) {
  const Json jws = signed_jws(ec_private());
  const auto parsed = parse_jws(jws.dump());
  ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(codes(parsed.problems()));
  EXPECT_EQ(parsed.value().signatures[0].alg, "ES256");
  EXPECT_EQ(parsed.value().signatures[0].jwk, ec_public());
  EXPECT_TRUE(verify_signatures(parsed.value(), *crypto_).empty());
}

TEST_F(JwsTest, SignedJwsIsReproducibleAndMatchesTheFixture) {
  // Ed25519 is deterministic, so the whole JWS, header bytes included, is fixed.
  const Json jws = signed_jws(ed_private(), R"({"receipt":1})");
  const auto fixture = parse_json_strict(testing::read_fixture("jws/ed25519-rfc8037-key-valid.json"));
  ASSERT_TRUE(fixture.ok());
  EXPECT_EQ(jws, fixture.value());
  EXPECT_TRUE(parse_and_verify(fixture.value().dump()).empty());
}

TEST_F(JwsTest, ExtraHeaderMembersAreSignedButCannotReplaceAlgOrJwk) {
  auto jws = sign_jws("p", ed_private(), *crypto_, Json{{"typ", "cachet-receipt+jws"}, {"alg", "none"}});
  ASSERT_TRUE(jws.ok());
  const auto parsed = parse_jws(jws.value().dump());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().signatures[0].protected_header["typ"], "cachet-receipt+jws");
  EXPECT_EQ(parsed.value().signatures[0].alg, "Ed25519");
  EXPECT_TRUE(verify_signatures(parsed.value(), *crypto_).empty());
}

TEST_F(JwsTest, CountersignatureAddsASecondVerifiableSignature) {
  const Json first = signed_jws(ed_private());
  const std::string payload_b64 = first["payload"].get<std::string>();
  const Json header = make_protected_header(ec_public());
  const auto signature = crypto_->sign(ec_private(), make_signing_input(header, payload_b64));
  ASSERT_TRUE(signature.ok());
  const Json both = add_signature(first, payload_b64, header, signature.value());
  ASSERT_EQ(both["signatures"].size(), 2u);
  const auto parsed = parse_jws(both.dump());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().signatures[1].alg, "ES256");
  EXPECT_TRUE(verify_signatures(parsed.value(), *crypto_).empty());
}

TEST_F(JwsTest, FlattenedSerialisationIsAccepted) {
  const Json general = signed_jws(ed_private());
  Json flattened = general["signatures"][0];
  flattened["payload"] = general["payload"];
  EXPECT_TRUE(parse_and_verify(flattened.dump()).empty());
  // ... and becomes general when countersigned.
  const Json header = make_protected_header(ec_public());
  const auto signature =
      crypto_->sign(ec_private(), make_signing_input(header, flattened["payload"].get<std::string>()));
  ASSERT_TRUE(signature.ok());
  const Json both = add_signature(flattened, flattened["payload"].get<std::string>(), header, signature.value());
  EXPECT_EQ(both["signatures"].size(), 2u);
  EXPECT_TRUE(parse_and_verify(both.dump()).empty());
}

// ---------------------------------------------------------------- signatures that must fail

TEST_F(JwsTest, SwappedKeyFails) {
  Json jws = signed_jws(ed_private());
  const auto other = crypto_->generate_ed25519();
  ASSERT_TRUE(other.ok());
  Json header = ed_header();
  header["jwk"] = public_jwk(other.value()).value();
  jws["signatures"][0]["protected"] = b64_json(header);
  const Problems problems = parse_and_verify(jws.dump());
  ASSERT_EQ(codes(problems), std::vector<std::string>{"jws_bad_signature"});
  EXPECT_EQ(problems[0].path, "/signatures/0");
}

TEST_F(JwsTest, TruncatedSignatureFails) {
  Json jws = signed_jws(ed_private());
  const std::string signature = unb64(jws["signatures"][0]["signature"].get<std::string>());
  jws["signatures"][0]["signature"] = b64(signature.substr(0, 63));
  EXPECT_EQ(codes(parse_and_verify(jws.dump())), std::vector<std::string>{"jws_bad_signature"});
  // Cut in the base64url text instead: 85 characters cannot be base64url.
  Json cut = signed_jws(ed_private());
  std::string text = cut["signatures"][0]["signature"].get<std::string>();
  text.pop_back();
  cut["signatures"][0]["signature"] = text;
  expect_refused(cut.dump(), "jws_bad_base64url", "/signatures/0/signature");
}

TEST_F(JwsTest, OneAlteredPayloadByteFails) {
  for (const Json& key : {ed_private(), ec_private()}) {
    Json jws = signed_jws(key, R"({"receipt":1})");
    jws["payload"] = b64(R"({"receipt":2})");
    const Problems problems = parse_and_verify(jws.dump());
    ASSERT_EQ(codes(problems), std::vector<std::string>{"jws_bad_signature"});
    EXPECT_EQ(problems[0].path, "/signatures/0");
  }
}

TEST_F(JwsTest, AlteredProtectedHeaderFails) {
  Json jws = signed_jws(ed_private());
  Json header = ed_header();
  header["typ"] = "JWT";
  jws["signatures"][0]["protected"] = b64_json(header);
  EXPECT_EQ(codes(parse_and_verify(jws.dump())), std::vector<std::string>{"jws_bad_signature"});
}

TEST_F(JwsTest, EveryBadSignatureIsReported) {
  Json jws = signed_jws(ed_private(), "a");
  const Json header = make_protected_header(ec_public());
  const auto signature = crypto_->sign(ec_private(), make_signing_input(header, jws["payload"].get<std::string>()));
  ASSERT_TRUE(signature.ok());
  jws = add_signature(jws, jws["payload"].get<std::string>(), header, signature.value());
  jws["payload"] = b64("b");
  const Problems problems = parse_and_verify(jws.dump());
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].path, "/signatures/0");
  EXPECT_EQ(problems[1].path, "/signatures/1");
}

// ---------------------------------------------------------------- headers that must be refused

TEST_F(JwsTest, AlgNoneIsRefused) {
  Json jws = jws_with({{"alg", "none"}, {"jwk", ed_public()}}, "{}", "");
  expect_refused(jws.dump(), "jws_alg_not_allowed", "/signatures/0/protected");
  const auto parsed = parse_jws(jws.dump());
  EXPECT_NE(find_code(parsed.problems(), "jws_alg_not_allowed")->message.find("\"none\""), std::string::npos);
  expect_refused(testing::read_fixture("jws/alg-none-unsigned.json"), "jws_alg_not_allowed", "/protected");
}

TEST_F(JwsTest, Hs256IsRefused) {
  // HMAC keyed with the public key is the classic algorithm-confusion attack.
  const auto parsed = parse_jws(jws_with({{"alg", "HS256"}, {"jwk", ed_public()}}).dump());
  ASSERT_FALSE(parsed.ok());
  const Problem* p = find_code(parsed.problems(), "jws_alg_not_allowed");
  ASSERT_NE(p, nullptr);
  EXPECT_NE(p->message.find("HS256"), std::string::npos);
}

TEST_F(JwsTest, MissingOrNonStringAlgIsRefused) {
  expect_refused(jws_with({{"jwk", ed_public()}}).dump(), "jws_alg_missing", "/signatures/0/protected");
  expect_refused(jws_with({{"alg", 1}, {"jwk", ed_public()}}).dump(), "jws_alg_missing", "/signatures/0/protected");
}

TEST_F(JwsTest, JwkMissingOrWrongForAlgIsRefused) {
  expect_refused(jws_with({{"alg", "Ed25519"}}).dump(), "jws_jwk_missing", "/signatures/0/protected");
  expect_refused(jws_with({{"alg", "ES256"}, {"jwk", ed_public()}}).dump(), "jws_jwk_alg_mismatch",
                 "/signatures/0/protected");
  expect_refused(jws_with({{"alg", "Ed25519"}, {"jwk", ec_public()}}).dump(), "jws_jwk_alg_mismatch",
                 "/signatures/0/protected");
  Json restricted = ed_public();
  restricted["alg"] = "ES256";
  expect_refused(jws_with({{"alg", "Ed25519"}, {"jwk", restricted}}).dump(), "jws_jwk_alg_mismatch",
                 "/signatures/0/protected");

  Json short_x = ed_public();
  short_x["x"] = b64(std::string(31, 'a'));
  expect_refused(jws_with({{"alg", "Ed25519"}, {"jwk", short_x}}).dump(), "jws_jwk_invalid", "/signatures/0/protected");
  Json no_y = ec_public();
  no_y.erase("y");
  expect_refused(jws_with({{"alg", "ES256"}, {"jwk", no_y}}).dump(), "jws_jwk_invalid", "/signatures/0/protected");
  expect_refused(jws_with({{"alg", "Ed25519"}, {"jwk", "key"}}).dump(), "jws_jwk_invalid", "/signatures/0/protected");
  // A private key published in a header is refused rather than trusted.
  expect_refused(jws_with({{"alg", "Ed25519"}, {"jwk", ed_private()}}).dump(), "jws_jwk_invalid",
                 "/signatures/0/protected");
}

TEST_F(JwsTest, CritIsRefused) {
  Json header = ed_header();
  header["crit"] = Json::array({"exp"});
  header["exp"] = 1;
  expect_refused(jws_with(header).dump(), "jws_crit_unsupported", "/signatures/0/protected");
}

TEST_F(JwsTest, UnencodedPayloadIsRefused) {
  Json header = ed_header();
  header["b64"] = false;
  expect_refused(jws_with(header).dump(), "jws_unencoded_payload", "/signatures/0/protected");
}

TEST_F(JwsTest, AlgOrJwkInTheUnprotectedHeaderIsRefused) {
  Json jws = signed_jws(ed_private());
  jws["signatures"][0]["header"] = {{"alg", "Ed25519"}};
  expect_refused(jws.dump(), "jws_header_in_unprotected", "/signatures/0/header/alg");
  jws["signatures"][0]["header"] = {{"jwk", ed_public()}};
  expect_refused(jws.dump(), "jws_header_in_unprotected", "/signatures/0/header/jwk");
  // A kid there is fine (RFC 7515 Appendix A.6 does it).
  jws["signatures"][0]["header"] = {{"kid", "server-1"}};
  EXPECT_TRUE(parse_and_verify(jws.dump()).empty());
}

TEST_F(JwsTest, HeadersMustBeDisjoint) {
  Json jws = signed_jws(ed_private(), "p");
  jws = sign_jws("p", ed_private(), *crypto_, {{"typ", "a"}}).value();
  jws["signatures"][0]["header"] = {{"typ", "b"}};
  expect_refused(jws.dump(), "jws_header_not_disjoint", "/signatures/0/header/typ");
}

TEST_F(JwsTest, DuplicateNameInProtectedHeaderIsRefused) {
  // Two "alg" members: different libraries would keep different ones.
  const std::string header = R"({"alg":"none","alg":"Ed25519","jwk":)" + ed_public().dump() + "}";
  Json jws = jws_with(ed_header());
  jws["signatures"][0]["protected"] = b64(header);
  expect_refused(jws.dump(), "jws_protected_not_json", "/signatures/0/protected");
}

TEST_F(JwsTest, ProtectedHeaderProblems) {
  Json jws = jws_with(ed_header());
  jws["signatures"][0].erase("protected");
  expect_refused(jws.dump(), "jws_protected_missing", "/signatures/0");
  jws["signatures"][0]["protected"] = 7;
  expect_refused(jws.dump(), "jws_protected_missing", "/signatures/0/protected");
  jws["signatures"][0]["protected"] = b64("not json");
  expect_refused(jws.dump(), "jws_protected_not_json", "/signatures/0/protected");
  jws["signatures"][0]["protected"] = b64("[]");
  expect_refused(jws.dump(), "jws_protected_not_json", "/signatures/0/protected");
  jws["signatures"][0]["protected"] = "eyJhbGciOiJFZERTQSJ9=";
  expect_refused(jws.dump(), "jws_bad_base64url", "/signatures/0/protected");
}

// ---------------------------------------------------------------- structure that must be refused

TEST_F(JwsTest, BadBase64UrlIsRefusedWithItsPath) {
  const Json good = signed_jws(ed_private(), "pad");
  for (const std::string& bad :
       {good["payload"].get<std::string>() + "=", std::string("cGFk+A"), std::string("cG Fk"), std::string("cGFk/w")}) {
    Json jws = good;
    jws["payload"] = bad;
    expect_refused(jws.dump(), "jws_bad_base64url", "/payload");
  }
  Json jws = good;
  jws["signatures"][0]["signature"] = good["signatures"][0]["signature"].get<std::string>() + "==";
  expect_refused(jws.dump(), "jws_bad_base64url", "/signatures/0/signature");
}

TEST_F(JwsTest, DuplicateKeysInTheJwsAreRefused) {
  const Json good = signed_jws(ed_private());
  const std::string text = good.dump();
  // Insert a second "payload" member before the first one.
  const std::string twice = "{\"payload\":\"e30\"," + text.substr(1);
  expect_refused(twice, "json_duplicate_key", "");
}

TEST_F(JwsTest, NotJsonOrNotAnObjectIsRefused) {
  expect_refused("eyJhbGciOiJFZERTQSJ9.e30.sig", "jws_not_json", "");
  expect_refused("", "jws_not_json", "");
  expect_refused("[1]", "jws_not_object", "");
  expect_refused("\"x\"", "jws_not_object", "");
}

TEST_F(JwsTest, HugeInputIsRefusedBeforeParsing) {
  std::string huge = R"({"payload":")" + std::string((1 << 20) + 1, 'A') + R"(","signatures":[]})";
  expect_refused(huge, "json_too_large", "");
}

TEST_F(JwsTest, MissingPayloadAndSignatures) {
  Json jws = signed_jws(ed_private());
  jws.erase("payload");
  expect_refused(jws.dump(), "jws_missing_payload", "");
  expect_refused(R"({"payload":"e30","signatures":[]})", "jws_no_signatures", "/signatures");
  expect_refused(R"({"payload":"e30","signatures":{}})", "jws_no_signatures", "/signatures");
  expect_refused(R"({"payload":"e30"})", "jws_no_signatures", "");
  expect_refused(R"({"payload":"e30","signatures":[1]})", "jws_not_object", "/signatures/0");
  Json no_signature = signed_jws(ed_private());
  no_signature["signatures"][0].erase("signature");
  expect_refused(no_signature.dump(), "jws_signature_missing", "/signatures/0");
}

TEST_F(JwsTest, UnknownMembersAreRefused) {
  Json jws = signed_jws(ed_private());
  jws["unprotected"] = 1;
  expect_refused(jws.dump(), "jws_unknown_member", "/unprotected");
  Json mixed = signed_jws(ed_private());
  mixed["protected"] = mixed["signatures"][0]["protected"];  // general and flattened at once
  expect_refused(mixed.dump(), "jws_unknown_member", "/protected");
  Json inner = signed_jws(ed_private());
  inner["signatures"][0]["kid"] = "k";
  expect_refused(inner.dump(), "jws_unknown_member", "/signatures/0/kid");
}

TEST_F(JwsTest, EveryProblemIsReportedNotTheFirst) {
  Json jws = jws_with({{"alg", "none"}}, "{}");
  jws["payload"] = "e30=";
  jws["extra"] = true;
  const auto parsed = parse_jws(jws.dump());
  ASSERT_FALSE(parsed.ok());
  for (const char* code : {"jws_unknown_member", "jws_bad_base64url", "jws_alg_not_allowed", "jws_jwk_missing"}) {
    EXPECT_NE(find_code(parsed.problems(), code), nullptr) << code;
  }
}

// ---------------------------------------------------------------- JWK helpers

TEST_F(JwsTest, PublicJwkKeepsOnlyRequiredMembers) {
  Json key = ec_private();
  key["kid"] = "k1";
  key["use"] = "sig";
  EXPECT_EQ(public_jwk(key).value(), ec_public());
  EXPECT_FALSE(public_jwk(Json{{"kty", "RSA"}, {"n", "AQAB"}, {"e", "AQAB"}}).ok());
  EXPECT_FALSE(public_jwk(Json::array()).ok());
}

TEST_F(JwsTest, Es256Thumbprint) {
  // RFC 7638 input for an EC key includes y; computed here independently.
  const std::string input = std::string(R"({"crv":"P-256","kty":"EC","x":")") + kEcX + R"(","y":")" + kEcY + "\"}";
  EXPECT_EQ(jwk_thumbprint(ec_private(), *crypto_).value(), b64(crypto_->sha256(input)));
}

TEST_F(JwsTest, MakeProtectedHeaderPicksAlgFromTheKey) {
  const Json ed = make_protected_header(ed_private(), {{"typ", "t"}});
  EXPECT_EQ(ed, (Json{{"alg", "Ed25519"}, {"jwk", ed_public()}, {"typ", "t"}}));
  EXPECT_EQ(make_protected_header(ec_private())["alg"], "ES256");
  EXPECT_EQ(make_protected_header(ec_private())["jwk"], ec_public());
}

// ---------------------------------------------------------------- the crypto provider

TEST_F(JwsTest, Sha256KnownAnswer) {
  EXPECT_EQ(hex_encode(crypto_->sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(JwsTest, RandomBytes) {
  const std::string a = crypto_->random_bytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, crypto_->random_bytes(32));
}

TEST_F(JwsTest, WrongLengthsAreRefused) {
  const std::string signature = unb64(kEdSignature);
  EXPECT_FALSE(crypto_->verify("EdDSA", ed_public(), kEdSigningInput, signature.substr(0, 63)));
  EXPECT_FALSE(crypto_->verify("EdDSA", ed_public(), kEdSigningInput, signature + '\0'));
  EXPECT_FALSE(crypto_->verify("EdDSA", ed_public(), kEdSigningInput, ""));
  Json short_key = ed_public();
  short_key["x"] = b64(unb64(kEdX).substr(0, 31));
  EXPECT_FALSE(crypto_->verify("EdDSA", short_key, kEdSigningInput, signature));
  EXPECT_FALSE(crypto_->verify("ES256", ec_public(), kEcSigningInput, unb64(kEcSignature).substr(0, 63)));
  EXPECT_FALSE(crypto_->verify("HS256", ed_public(), kEdSigningInput, signature));
  EXPECT_FALSE(crypto_->verify("ES256", ed_public(), kEdSigningInput, signature));

  Json short_d = ed_private();
  short_d["d"] = b64(unb64(kEdD).substr(0, 31));
  EXPECT_FALSE(crypto_->sign(short_d, "x").ok());
  Json no_d = ec_private();
  no_d.erase("d");
  EXPECT_FALSE(crypto_->sign(no_d, "x").ok());
}

TEST_F(JwsTest, PointOffTheCurveIsRefused) {
  Json off_curve = ec_public();
  std::string y = unb64(kEcY);
  y[31] = static_cast<char>(y[31] ^ 1);
  off_curve["y"] = b64(y);
  EXPECT_FALSE(crypto_->verify("ES256", off_curve, kEcSigningInput, unb64(kEcSignature)));
}

TEST_F(JwsTest, PrivateKeyThatDoesNotMatchItsPublicKeyIsRefused) {
  Json mismatched = ed_private();
  mismatched["x"] = b64(std::string(32, '\x07'));
  const auto ed = crypto_->sign(mismatched, "x");
  EXPECT_FALSE(ed.ok());
  Json ec = ec_private();
  ec["d"] = b64(std::string(31, '\0') + '\x01');  // d = 1: a valid scalar, another key
  EXPECT_FALSE(crypto_->sign(ec, "x").ok());
}

}  // namespace
}  // namespace cachet
