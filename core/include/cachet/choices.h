// The person's choices, validated against the config and the form's contact
// fields before any receipt is made.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cachet/config.h"

namespace cachet {

// What the person decided for one channel. Legitimate-interest channels take
// kObjected / kNotObjected (R1); consent channels take kGranted / kNotGranted,
// and kWithdrawn only in a receipt that supersedes an earlier one (R4, R10).
enum class Decision { kObjected, kNotObjected, kGranted, kNotGranted, kWithdrawn };
std::string_view to_string(Decision decision);  // "objected", "not-objected", "granted", "not-granted", "withdrawn"
std::optional<Decision> decision_from_string(std::string_view name);

// Contact kinds a receipt binds to; SMS uses "mobile" when the form has it, else "phone".
// Normalisation before hashing: email trimmed and lower-cased; phone keeps
// '+' and digits; postal trimmed, whitespace collapsed, lower-cased (ASCII).
std::optional<std::string> normalize_contact(std::string_view kind, std::string_view value);
bool is_plausible_email(std::string_view value);
bool is_plausible_phone(std::string_view value);

struct Choices {
  std::map<Channel, Decision> decisions;        // one per configured channel
  std::map<std::string, std::string> contacts;  // kind -> raw value from the form
  bool superseding = false;                     // true for updates / withdrawals
};

// Parses {"decisions": {"email": "granted", ...}, "contacts": {"email": "..."}}
// and validates it against `config`: every configured channel decided (a
// channel left out means the box was left unchecked), decisions fit the basis,
// the contact a granted consent needs is present and plausible. Problems have
// codes choice_* and paths into the choices object; messages in `locale`.
Result<Choices> parse_choices(const Config& config, const Json& choices, std::string_view locale,
                              bool superseding = false);

}  // namespace cachet
