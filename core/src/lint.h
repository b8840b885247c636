// The config linter, private to the core: one pass over the document that
// fills a Config and collects every problem. Its structural parsing (types,
// members, formats, the model) is in config.cpp; the checks of the CNIL rules
// that look at the parsed model as a whole (R2, R3, R7, texts in every locale)
// are in lint_rules.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/config.h"
#include "cachet/messages.h"

namespace cachet::config_lint {

using MessageArgs = TextArgs;
using Keys = std::vector<std::string_view>;

class Linter {
 public:
  explicit Linter(std::string_view locale) : locale_(text_locale(locale)) {}

  void run(const Json& root);

  LintReport& report() { return report_; }
  Config& config() { return config_; }

 private:
  // --- reporting ---------------------------------------------------------------

  std::string word(std::string_view id) const { return cachet::text(id, locale_); }

  std::string where(const std::string& path) const { return path.empty() ? word("where.top") : path; }

  void add(Problems& list, std::string code, std::string path, const MessageArgs& args, std::string_view message_id);
  void error(std::string code, std::string path, const MessageArgs& args = {}, std::string_view message_id = {});
  void warning(std::string code, std::string path, const MessageArgs& args = {}, std::string_view message_id = {});

  // --- typed access --------------------------------------------------------------

  static const Json* member(const Json& object, std::string_view key);

  bool matches(const Json& v, std::string_view type) const;

  // True when `v` has the expected JSON type; reports config_wrong_type otherwise.
  bool expect(const Json& v, const std::string& path, std::string_view type);

  void missing(const std::string& object_path, std::string_view key);

  void check_keys(const Json& object, const std::string& path, const Keys& known);

  void unknown_key(const std::string& path, const std::string& key, const Keys& known);

  // A non-blank string member; nullopt (with the problem reported) otherwise.
  std::optional<std::string> string_member(const Json& object, const std::string& path, std::string_view key,
                                           bool required);

  std::optional<std::string> nonblank_string(const Json& v, const std::string& path);

  // An integer in [min, max]; huge and negative values are reported, never wrapped.
  std::optional<std::int64_t> integer(const Json& v, const std::string& path, std::int64_t min, std::int64_t max,
                                      std::string_view range_code = "config_number_out_of_range");

  std::optional<std::string> https_url(const Json& v, const std::string& path);

  // A text the person reads: one string, or {"fr": ..., "en": ...}.
  std::optional<LocalizedText> localized(const Json& v, const std::string& path);

  // An array of texts the person reads, each one string or one per locale.
  std::vector<LocalizedText> localized_list(const Json& v, const std::string& path);

  // --- sections ------------------------------------------------------------------

  void lint_controller(const Json& root);

  void lint_recipients(const Json& root);

  void lint_channels(const Json& root);

  void lint_partners(const Json& root);
  void lint_partner_contact(const Json& entry, const std::string& path, Partner& partner);

  void lint_retention(const Json& root);

  void lint_fields(const Json& root);

  void lint_texts(const Json& root);

  void lint_theme(const Json& root);

  // WCAG 2.2 AA contrast of the configured theme colours against each other and
  // the widget's own colours (web/cachet.css), in every colour scheme the widget
  // may show; resolves theme.colorScheme for the widget (lint_rules.cpp).
  void theme_contrast();

  // Rules that look at several sections at once.
  void cross_checks();

  // A text given per locale but lacking one the config uses falls back to
  // another language's text (an English notice showing the French purpose).
  // The config uses its own locale and every locale key of its per-locale texts.
  void missing_locales();

  // The member names leading to every string in `v` (texts.<locale> holds objects and strings only).
  static void collect_leaves(const Json& v, const std::vector<std::string>& keys,
                             std::vector<std::vector<std::string>>& out);

  static bool has_path(const Json& texts, const std::string& locale, const std::vector<std::string>& keys);

  struct PerLocale {
    std::string path;
    std::map<std::string, std::string> by_locale;
  };
  std::vector<PerLocale> per_locale_;  // every text given as {"<locale>": ...}, in config order

  std::string_view locale_;
  LintReport report_;
  Config config_;
  bool purpose_given_ = false;
  bool recipients_given_ = false;
  bool types_given_ = false;
  bool count_given_ = false;
  bool partners_given_ = false;
  bool list_url_given_ = false;
  bool updated_given_ = false;
  std::size_t entries_given_ = 0;
  const Json* channels_json_ = nullptr;  // /channels as given, when it is an object
};

}  // namespace cachet::config_lint
