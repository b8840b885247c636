#include "tokens.h"

#include <vector>

#include "util.h"

namespace cachet::server {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

std::optional<std::int64_t> parse_seconds(std::string_view text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Domain-separated MACs: a challenge can never pass as a preference token.
std::string mac(std::string_view secret, std::string_view domain, std::string_view a, std::string_view b) {
  return b64url_encode(hmac_sha256(secret, std::string(domain) + "\n" + std::string(a) + "\n" + std::string(b)));
}

}  // namespace

std::string make_challenge(std::string_view secret, std::int64_t expires_at, std::string_view nonce) {
  const std::string n = b64url_encode(nonce);
  const std::string e = std::to_string(expires_at);
  return "c1." + n + "." + e + "." + mac(secret, "cachet-challenge/1", n, e);
}

std::optional<std::string> check_challenge(std::string_view secret, std::string_view token, std::int64_t now) {
  if (token.size() > 200) return std::string("challenge_invalid");
  const auto parts = split(token, '.');
  if (parts.size() != 4 || parts[0] != "c1" || parts[1].empty()) return std::string("challenge_invalid");
  const auto expiry = parse_seconds(parts[2]);
  if (!expiry || !constant_time_equal(mac(secret, "cachet-challenge/1", parts[1], parts[2]), parts[3])) {
    return std::string("challenge_invalid");
  }
  if (*expiry < now) return std::string("challenge_expired");
  return std::nullopt;
}

std::string make_preference_token(std::string_view secret, std::string_view chain_root, std::int64_t expires_at) {
  const std::string e = std::to_string(expires_at);
  return "p1." + std::string(chain_root) + "." + e + "." + mac(secret, "cachet-preferences/1", chain_root, e);
}

std::optional<PreferenceToken> check_preference_token(std::string_view secret, std::string_view token,
                                                      std::int64_t now) {
  if (token.size() > 300) return std::nullopt;
  const auto parts = split(token, '.');
  if (parts.size() != 4 || parts[0] != "p1" || parts[1].empty()) return std::nullopt;
  const auto expiry = parse_seconds(parts[2]);
  if (!expiry || !constant_time_equal(mac(secret, "cachet-preferences/1", parts[1], parts[2]), parts[3])) {
    return std::nullopt;
  }
  if (*expiry < now) return std::nullopt;
  return PreferenceToken{std::string(parts[1]), *expiry};
}

}  // namespace cachet::server
