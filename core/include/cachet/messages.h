// The message table: every text a person or an operator reads (lint, notice,
// choices, receipt text, server pages, partner notices, the widget's own
// words), by id, in every supported locale, with {name} placeholders.
//
// The texts live in core/src/messages_*.cpp (one file per area, all feeding
// the one lookup below). Adding a language is adding its entries there: the
// supported locales are derived from the table (docs/config.md, "Texts and
// languages"); tests/core/messages_test.cpp checks every id has a text in
// every locale, with the same placeholders.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cachet/json.h"

namespace cachet {

// Values for the {name} placeholders of a text.
using TextArgs = std::vector<std::pair<std::string_view, std::string>>;

// The locales the table has texts for, in the table's order
// ({"fr", "en", "es", "de", "it"}).
const std::vector<std::string>& supported_locales();
bool is_supported_locale(std::string_view locale);

// The one locale fallback rule: `wanted` when supported, else `config_locale`
// when supported, else English.
std::string_view text_locale(std::string_view wanted, std::string_view config_locale = {});

// The text `id` in `locale` (resolved by text_locale) with its placeholders
// filled in; an entry lacking the locale falls back to English. An unknown id
// yields the id itself, so a missing entry shows up in tests, not as a crash
// (tests/core/messages_test.cpp scans the sources for ids the table lacks).
std::string text(std::string_view id, std::string_view locale, const TextArgs& args = {});

// True when the table has an entry for `id`.
bool has_text(std::string_view id);

// Every id in the table, in table order (for tests and tools).
std::vector<std::string_view> text_ids();

// The raw text of `id` in exactly `locale`, placeholders unfilled; empty when
// the entry lacks that locale or the id is unknown.
std::string_view text_template(std::string_view id, std::string_view locale);

// {"<id without prefix>": raw text} for every id starting with `prefix`, in
// the resolved locale: how the widget gets its own words (wasm uiText).
Json texts_with_prefix(std::string_view prefix, std::string_view locale);

// "a", "a et b", "a, b et c" in `locale` (the table's list.and).
std::string join_list(const std::vector<std::string>& items, std::string_view locale);

// The supported locales quoted and listed for a sentence in `locale`:
// « fr », « en », « es », « de » ou « it » / "fr", "en", "es", "de" or "it".
std::string locale_choices(std::string_view locale);

}  // namespace cachet
