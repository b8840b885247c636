// JSON Web Signature (RFC 7515), JSON serialisation, for Cachet receipts:
// parsing, header checks and assembly. Signature maths goes through
// CryptoProvider; nothing here touches key material beyond public JWKs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/problem.h"

namespace cachet {

// RFC 7515 section 2 / RFC 4648 section 5, no padding. Decoding is strict:
// padding, whitespace or characters outside the alphabet give nullopt.
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

std::string hex_encode(std::string_view bytes);

// Algorithms Cachet accepts. Everything else (none, HS*, RS*, ...) is refused
// with code jws_alg_not_allowed.
bool is_allowed_alg(std::string_view alg);  // "Ed25519", "EdDSA", "ES256"

// Public part of a JWK (drops "d"), with only the members RFC 7638 names.
Result<Json> public_jwk(const Json& jwk);
// Checks that `jwk` is a well-formed public key usable with `alg`
// (OKP/Ed25519 with 32-byte x; EC/P-256 with 32-byte x and y).
Problems check_jwk_for_alg(const Json& jwk, std::string_view alg, std::string_view path);
// RFC 7638 thumbprint, base64url of SHA-256 over the canonical required members.
Result<std::string> jwk_thumbprint(const Json& jwk, const CryptoProvider& crypto);

// One signature of a parsed JWS, ready for the crypto layer.
struct JwsSignature {
  Json protected_header;  // decoded
  std::string alg;
  Json jwk;                   // public key from the protected header
  std::string signing_input;  // ASCII(BASE64URL(protected) || '.' || BASE64URL(payload))
  std::string signature;      // raw bytes
};

struct ParsedJws {
  Json document;        // the JWS as parsed, always in the general serialisation
  std::string payload;  // decoded payload bytes
  std::string payload_b64;
  std::vector<JwsSignature> signatures;
};

// Parses the general JSON serialisation ({"payload", "signatures": [...]});
// the flattened form ({"payload", "protected", "signature"}) is accepted too.
// Header checks: alg present and allowed, jwk present and matching alg,
// no "crit", no unprotected "alg"/"jwk", b64 not false. Codes start "jws_",
// except the text-level refusals of parse_json_strict that say more than
// "not JSON" (json_too_large, json_too_deep, json_duplicate_key), which keep
// their own code. Besides the obvious ones: jws_signature_missing,
// jws_header_not_disjoint (a name in both headers, RFC 7515 section 7.2.1).
// Problems inside a protected header point at its base64url string
// ("/signatures/N/protected"), the closest value a JSON Pointer can reach.
Result<ParsedJws> parse_jws(std::string_view text);

// The protected header for a signature made with `public_key`.
// `extra` members (e.g. {"typ": "..."}) are merged in.
Json make_protected_header(const Json& public_key, const Json& extra = Json::object());

std::string make_signing_input(const Json& protected_header, std::string_view payload_b64);

// Adds one signature (raw bytes) to a JWS in general serialisation; creates
// the JWS when `jws` is null.
Json add_signature(Json jws, std::string_view payload_b64, const Json& protected_header, std::string_view signature);

// Signs `payload` bytes with `private_jwk` and returns the general-serialisation JWS.
Result<Json> sign_jws(std::string_view payload, const Json& private_jwk, const CryptoProvider& crypto,
                      const Json& extra_header = Json::object());

// Verifies every signature of `parsed`; problem code jws_bad_signature with
// path "/signatures/N" for each one that fails.
Problems verify_signatures(const ParsedJws& parsed, const CryptoProvider& crypto);

}  // namespace cachet
