#include "cachet/uuid.h"

#include "cachet/jws.h"

namespace cachet {

std::string new_uuid(const CryptoProvider& crypto) {
  std::string bytes = crypto.random_bytes(16);
  // No randomness, no id: the empty string is refused downstream with a clear
  // error (receipt_bad_context) instead of a predictable id.
  if (bytes.size() != 16) return {};
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = hex_encode(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

}  // namespace cachet
