// Every sentence the lint writes, in French and English, keyed by message id
// (the problem code, or "code.variant" for a second wording of the same code).
// Private to the core.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cachet::detail {

// Values for the {name} placeholders of a message.
using MessageArgs = std::vector<std::pair<std::string_view, std::string>>;

// "fr" or "en": `locale` when supported, else English.
std::string_view message_locale(std::string_view locale);

// The message `id` in `locale` with its placeholders filled in. An unknown id
// yields the id itself, so a missing entry shows up in tests, not as a crash.
std::string message(std::string_view id, std::string_view locale, const MessageArgs& args = {});

// True when the table has an entry for `id` (tests check every code has one).
bool has_message(std::string_view id);

}  // namespace cachet::detail
