// Small helpers private to the server: digests and MACs through OpenSSL,
// base64url (RFC 3339 times: cachet/server/dates.h). Nothing here throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cachet/server/dates.h"

namespace cachet::server {

// Raw 32-byte SHA-256 and its lower-case hex.
std::string sha256_raw(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);
// Raw HMAC-SHA256 (RFC 2104) of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Compares without leaking where the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b);
// Cryptographically secure random bytes (OpenSSL RAND_bytes); empty on failure.
std::string random_bytes(std::size_t count);

// RFC 4648 section 5 without padding; decode refuses anything outside the alphabet.
std::string b64url_encode(std::string_view bytes);
std::optional<std::string> b64url_decode(std::string_view text);

}  // namespace cachet::server
