// The one lookup over the message table (core/include/cachet/messages.h).
#include "cachet/messages.h"

#include <algorithm>

#include "messages_table.h"

namespace cachet {
namespace {

using detail::TextEntry;
using detail::TextTable;
using detail::Translation;

const TextTable* tables(std::size_t& count) {
#ifdef CACHET_BROWSER_TEXTS_ONLY
  static const TextTable kTables[] = {detail::lint_texts(), detail::person_texts()};
#else
  static const TextTable kTables[] = {detail::lint_texts(), detail::person_texts(), detail::page_texts(),
                                      detail::partner_texts(), detail::rights_texts()};
#endif
  count = sizeof(kTables) / sizeof(kTables[0]);
  return kTables;
}

const TextEntry* find_entry(std::string_view id) {
  std::size_t count = 0;
  const TextTable* all = tables(count);
  for (std::size_t t = 0; t < count; ++t) {
    for (std::size_t i = 0; i < all[t].size; ++i) {
      if (all[t].entries[i].id == id) return &all[t].entries[i];
    }
  }
  return nullptr;
}

const Translation* find_translation(const TextEntry& entry, std::string_view locale) {
  for (const Translation& tr : entry.in) {
    if (!tr.locale.empty() && tr.locale == locale) return &tr;
  }
  return nullptr;
}

std::string fill(std::string_view text, const TextArgs& args) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      const std::size_t close = text.find('}', i);
      if (close != std::string_view::npos) {
        const std::string_view name = text.substr(i + 1, close - i - 1);
        const auto arg = std::find_if(args.begin(), args.end(), [name](const auto& a) { return a.first == name; });
        if (arg != args.end()) {
          out += arg->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i];
    ++i;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& supported_locales() {
  // Every locale any entry has, in the order the entries give them (French first).
  static const std::vector<std::string> kLocales = [] {
    std::vector<std::string> out;
    std::size_t count = 0;
    const TextTable* all = tables(count);
    for (std::size_t t = 0; t < count; ++t) {
      for (std::size_t i = 0; i < all[t].size; ++i) {
        for (const Translation& tr : all[t].entries[i].in) {
          if (!tr.locale.empty() && std::find(out.begin(), out.end(), tr.locale) == out.end()) {
            out.emplace_back(tr.locale);
          }
        }
      }
    }
    return out;
  }();
  return kLocales;
}

bool is_supported_locale(std::string_view locale) {
  const auto& locales = supported_locales();
  return !locale.empty() && std::find(locales.begin(), locales.end(), locale) != locales.end();
}

std::string_view text_locale(std::string_view wanted, std::string_view config_locale) {
  if (is_supported_locale(wanted)) return wanted;
  if (is_supported_locale(config_locale)) return config_locale;
  return "en";
}

std::string text(std::string_view id, std::string_view locale, const TextArgs& args) {
  const TextEntry* entry = find_entry(id);
  if (!entry) return fill(id, args);
  const Translation* tr = find_translation(*entry, text_locale(locale));
  if (!tr) tr = find_translation(*entry, "en");
  return fill(tr ? tr->text : id, args);
}

bool has_text(std::string_view id) { return find_entry(id) != nullptr; }

std::vector<std::string_view> text_ids() {
  std::vector<std::string_view> out;
  std::size_t count = 0;
  const TextTable* all = tables(count);
  for (std::size_t t = 0; t < count; ++t) {
    for (std::size_t i = 0; i < all[t].size; ++i) out.push_back(all[t].entries[i].id);
  }
  return out;
}

std::string_view text_template(std::string_view id, std::string_view locale) {
  const TextEntry* entry = find_entry(id);
  if (!entry) return {};
  const Translation* tr = find_translation(*entry, locale);
  return tr ? tr->text : std::string_view();
}

Json texts_with_prefix(std::string_view prefix, std::string_view locale) {
  const std::string_view resolved = text_locale(locale);
  Json out = Json::object();
  for (const std::string_view id : text_ids()) {
    if (id.substr(0, prefix.size()) != prefix) continue;
    const TextEntry* entry = find_entry(id);
    const Translation* tr = find_translation(*entry, resolved);
    if (!tr) tr = find_translation(*entry, "en");
    out[std::string(id.substr(prefix.size()))] = std::string(tr ? tr->text : id);
  }
  return out;
}

std::string join_list(const std::vector<std::string>& items, std::string_view locale) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? text("list.and", locale) : ", ";
    out += items[i];
  }
  return out;
}

std::string locale_choices(std::string_view locale) {
  const auto& locales = supported_locales();
  std::string out;
  for (std::size_t i = 0; i < locales.size(); ++i) {
    if (i > 0) out += (i + 1 == locales.size()) ? text("list.or", locale) : ", ";
    out += text("quote", locale, {{"value", locales[i]}});
  }
  return out;
}

}  // namespace cachet
