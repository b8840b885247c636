// Server-signed, expiring tokens (HMAC-SHA256 under a secret kept with the
// ledger): challenges that bind a receipt to a page this server served, and
// preference-centre links that let one person see and change their choices.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cachet::server {

// "c1.<nonce>.<expiry>.<mac>": usable once (the ledger records it when a
// receipt carrying it is stored), until `expiry` (Unix seconds).
std::string make_challenge(std::string_view secret, std::int64_t expires_at, std::string_view nonce);
// nullopt when well-formed, MAC-valid and unexpired at `now`; else the problem code
// ("challenge_invalid" or "challenge_expired").
std::optional<std::string> check_challenge(std::string_view secret, std::string_view token, std::int64_t now);

// "p1.<chain root>.<expiry>.<mac>": opens the preference centre of one person.
std::string make_preference_token(std::string_view secret, std::string_view chain_root, std::int64_t expires_at);
struct PreferenceToken {
  std::string chain_root;
  std::int64_t expires_at = 0;
};
// nullopt when the token is forged, malformed or expired.
std::optional<PreferenceToken> check_preference_token(std::string_view secret, std::string_view token,
                                                      std::int64_t now);

}  // namespace cachet::server
