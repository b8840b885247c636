// The shape of the message table (private to the core). Each area file
// (messages_lint.cpp, messages_person.cpp, messages_pages.cpp,
// messages_partner.cpp, messages_rights.cpp) defines one array of entries, each
// in French, English, Spanish, German and Italian; core/src/messages.cpp looks
// ids up across all of them.
#pragma once

#include <cstddef>
#include <string_view>

namespace cachet::detail {

// Room for this many locales per entry; raise it when a language is added
// beyond it (the completeness test fails first).
constexpr std::size_t kMaxLocales = 8;

struct Translation {
  std::string_view locale;  // "" marks an unused slot
  std::string_view text;
};

// One text: its id and its wording per locale, French first (the reference
// wording, after the CNIL's examples). Adding a language = one more
// {"<locale>", "..."} in every entry.
struct TextEntry {
  std::string_view id;
  Translation in[kMaxLocales];
};

struct TextTable {
  const TextEntry* entries;
  std::size_t size;
};

TextTable lint_texts();     // config lint (docs/lint-codes.md)
TextTable person_texts();   // notice, choices, receipt text, dates, the widget's own words
TextTable page_texts();     // the server's pages (preference centre, signup result)
TextTable partner_texts();  // the notices partners owe people (R8), written by the exporter
TextTable rights_texts();   // the person's rights: access report, preference-link requests

}  // namespace cachet::detail
