// The CNIL rules a config is checked against once it is parsed (DESIGN.md
// section 1: R2, R3, R7; and texts given in every locale the config uses).
// Rules met while parsing a member (R4, R5, R6, R8, R9 on their own values)
// are reported where that member is read, in config.cpp.
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/json.h"
#include "cachet/lifecycle.h"
#include "lint.h"

namespace cachet::config_lint {

// Rules that look at several sections at once.
void Linter::cross_checks() {
  bool objection = false, consent = false;
  for (const ChannelConfig& c : config_.channels) {
    (c.basis == Basis::kConsent ? consent : objection) = true;
  }
  if ((objection || consent) && !purpose_given_) error("rule_r2_purpose_missing", "");

  // R2: what kind of partners, and how many, before a legitimate-interest transmission.
  if (objection) {
    if (!recipients_given_) {
      error("rule_r2_recipients_missing", "");
    } else if (!types_given_) {
      error("rule_r2_recipients_missing", "/recipients");
    }
    if (recipients_given_ && !count_given_ && entries_given_ == 0) {
      error("rule_r2_recipients_missing", "/recipients", {}, "rule_r2_recipients_missing.count");
    } else if (recipients_given_ && !count_given_) {
      warning("rule_r2_approximate_count_missing", "/recipients");
    }
  } else if (recipients_given_ && !count_given_) {
    warning("rule_r2_approximate_count_missing", "/recipients");
  }

  // R3/R7: consent needs the partners, inline or by link, at the moment of consent.
  for (const ChannelConfig& c : config_.channels) {
    if (c.basis != Basis::kConsent) continue;
    const bool listed = list_url_given_ || entries_given_ > 0;
    const bool receives =
        list_url_given_ || !config_.partners_for(c.channel).empty() || entries_given_ > config_.partners.entries.size();
    if (!listed || !receives) {
      error("rule_r3_partner_list_missing", partners_given_ ? "/partners" : "",
            {{"channel", word("channel." + std::string(to_string(c.channel)))}});
    }
  }
  if (partners_given_ && (list_url_given_ || entries_given_ > 0)) {
    if (!updated_given_) warning("rule_r3_list_not_dated", "/partners");
    if (list_url_given_ && entries_given_ == 0 && config_.recipients.approximate_count &&
        *config_.recipients.approximate_count <= 10) {
      warning("rule_r7_short_list_by_link", "/partners/listUrl",
              {{"value", std::to_string(*config_.recipients.approximate_count)}});
    }
  }

  // Keep the choice simple: separate postal and phone boxes add up.
  const ChannelConfig* postal = config_.find(Channel::kPostal);
  const ChannelConfig* phone = config_.find(Channel::kPhone);
  if (!config_.combine_objection && postal && phone && postal->basis == Basis::kLegitimateInterest &&
      phone->basis == Basis::kLegitimateInterest && config_.channels.size() >= 3) {
    warning("config_combine_objection_off", "/combineObjection", {{"value", std::to_string(config_.channels.size())}});
  }

  // Every channel's choice is bound to the contact it concerns (the receipt's
  // digests): the widget validates the contact a consent needs (R4), and an
  // objection without a bound contact would say nothing about whose postal
  // address or phone number it protects. Which contact serves a channel is
  // the core's rule (lifecycle.h).
  const auto has = [&](std::string_view key) { return config_.fields.count(std::string(key)) > 0; };
  const bool has_mobile = has("mobile");
  for (const ChannelConfig& c : config_.channels) {
    const std::string name(to_string(c.channel));
    const std::string_view key = contact_kind_for(c.channel, has_mobile);
    // SMS can also go to a plain phone number when the form has no mobile field.
    const bool bound = has(key) || (c.channel == Channel::kSms && has("phone"));
    if (bound) continue;
    warning(c.basis == Basis::kConsent ? "config_field_missing" : "config_field_unbound", "/fields",
            {{"channel", word("channel." + name)}, {"key", std::string(key)}});
  }
}

// A text given per locale but lacking one the config uses falls back to
// another language's text (an English notice showing the French purpose).
// The config uses its own locale and every locale key of its per-locale texts.
void Linter::missing_locales() {
  std::set<std::string> used;
  if (!config_.locale.empty()) used.insert(config_.locale);
  for (const PerLocale& text : per_locale_) {
    for (const auto& [locale, unused] : text.by_locale) used.insert(locale);
  }
  if (config_.texts.is_object()) {
    for (const auto& by_locale : config_.texts.items()) used.insert(by_locale.key());
  }
  for (const PerLocale& text : per_locale_) {
    for (const std::string& locale : used) {
      if (text.by_locale.count(locale) == 0) {
        warning("text_missing_locale", text.path, {{"where", text.path}, {"value", locale}});
      }
    }
  }
  // texts.<locale> overrides: one given in a locale but not in another keeps
  // Cachet's own wording there, which may not say the same.
  if (!config_.texts.is_object()) return;
  for (const auto& by_locale : config_.texts.items()) {
    std::vector<std::vector<std::string>> leaves;
    collect_leaves(by_locale.value(), {}, leaves);
    for (const std::vector<std::string>& keys : leaves) {
      for (const std::string& locale : used) {
        if (locale == by_locale.key() || has_path(config_.texts, locale, keys)) continue;
        std::string path = pointer_append("/texts", by_locale.key());
        for (const std::string& key : keys) path = pointer_append(path, key);
        warning("text_missing_locale", path, {{"where", path}, {"key", by_locale.key()}, {"value", locale}},
                "text_missing_locale.texts");
      }
    }
  }
}

// The member names leading to every string in `v` (texts.<locale> holds objects and strings only).
void Linter::collect_leaves(const Json& v, const std::vector<std::string>& keys,
                            std::vector<std::vector<std::string>>& out) {
  if (v.is_string()) {
    out.push_back(keys);
    return;
  }
  if (!v.is_object()) return;
  for (const auto& item : v.items()) {
    std::vector<std::string> deeper = keys;
    deeper.push_back(item.key());
    collect_leaves(item.value(), deeper, out);
  }
}

bool Linter::has_path(const Json& texts, const std::string& locale, const std::vector<std::string>& keys) {
  const auto in_locale = texts.find(locale);
  if (in_locale == texts.end()) return false;
  const Json* at = &*in_locale;
  for (const std::string& key : keys) {
    if (!at->is_object()) return false;
    const auto it = at->find(key);
    if (it == at->end()) return false;
    at = &*it;
  }
  return at->is_string();
}

}  // namespace cachet::config_lint
