// Byte helpers of the ledger (and its clients, the server and the export):
// digests through OpenSSL, hex, random bytes, base64url (RFC 3339 times:
// the core's cachet/calendar.h). Nothing here throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cachet::ledger {

// Raw 32-byte SHA-256 and its lower-case hex.
std::string sha256_raw(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);
// Cryptographically secure random bytes (OpenSSL RAND_bytes); empty on failure.
std::string random_bytes(std::size_t count);

// RFC 4648 section 5 without padding; decode refuses anything outside the alphabet.
std::string b64url_encode(std::string_view bytes);
std::optional<std::string> b64url_decode(std::string_view text);

}  // namespace cachet::ledger
