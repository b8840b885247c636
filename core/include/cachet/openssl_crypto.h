// CryptoProvider on OpenSSL 3 (native builds only; the wasm build uses WebCrypto).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cachet/crypto.h"

namespace cachet {

std::unique_ptr<CryptoProvider> make_openssl_crypto();

// SHA-256 for bulk hashing (the ledger's chain check, the export's contact
// values): the digest fetched once and one context reused, where EVP_Digest
// would look the implementation up and allocate a context on every call.
// Not thread-safe: one per thread.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  // Raw digest of a || b; nullopt when OpenSSL fails.
  std::optional<std::array<unsigned char, 32>> digest(std::string_view a, std::string_view b = {});
  // The same as lower-case hex; empty when OpenSSL fails (never equals a digest).
  std::string hex(std::string_view a, std::string_view b = {});

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cachet
