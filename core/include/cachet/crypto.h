// The crypto the core needs, behind an interface: OpenSSL natively
// (openssl_crypto.h), WebCrypto in the browser (the wasm layer hands results
// in through the two-phase functions of receipt.h). The core never implements
// a primitive itself.
#pragma once

#include <string>
#include <string_view>

#include "cachet/json.h"
#include "cachet/problem.h"

namespace cachet {

class CryptoProvider {
 public:
  virtual ~CryptoProvider() = default;
  // Raw 32-byte SHA-256 digest.
  virtual std::string sha256(std::string_view data) const = 0;
  // Raw 32-byte HMAC-SHA256 (RFC 2104) of `data` under `key`; empty on
  // failure or an empty key.
  virtual std::string hmac_sha256(std::string_view key, std::string_view data) const = 0;
  // HKDF-SHA256 (RFC 5869) with an empty salt: `length` bytes from the input
  // key material and `info`; empty on failure.
  virtual std::string hkdf_sha256(std::string_view ikm, std::string_view info, std::size_t length) const = 0;
  // Cryptographically secure random bytes.
  virtual std::string random_bytes(std::size_t count) const = 0;
  // Verifies `signature` (raw JWS signature bytes: 64 bytes for Ed25519,
  // r||s for ES256) over `signing_input` with the public JWK for `alg`
  // ("Ed25519", "EdDSA" or "ES256"). False on any failure, never throws.
  virtual bool verify(std::string_view alg, const Json& public_jwk, std::string_view signing_input,
                      std::string_view signature) const = 0;
  // Signs with a private JWK (OKP/Ed25519 or EC/P-256); returns raw JWS signature bytes.
  virtual Result<std::string> sign(const Json& private_jwk, std::string_view signing_input) const = 0;
  // A new Ed25519 key as a private JWK {"kty":"OKP","crv":"Ed25519","x":..,"d":..}.
  virtual Result<Json> generate_ed25519() const = 0;
};

}  // namespace cachet
