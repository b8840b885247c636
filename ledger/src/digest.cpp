#include "cachet/ledger/digest.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>

#include "cachet/jws.h"

namespace cachet::ledger {

std::string sha256_raw(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

// Encodings come from the core (jws.h), so there is one implementation of each.
std::string to_hex(std::string_view bytes) { return hex_encode(bytes); }

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256_raw(data)); }

std::string random_bytes(std::size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) return {};
  return out;
}

std::string b64url_encode(std::string_view bytes) { return base64url_encode(bytes); }

std::optional<std::string> b64url_decode(std::string_view text) { return base64url_decode(text); }

}  // namespace cachet::ledger
