// The CNIL rules a config is checked against once it is parsed (DESIGN.md
// section 1: R2, R3, R7; and texts given in every locale the config uses).
// Rules met while parsing a member (R4, R5, R6, R8, R9 on their own values)
// are reported where that member is read, in config.cpp.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/json.h"
#include "cachet/lifecycle.h"
#include "lint.h"

namespace cachet::config_lint {

namespace {

// --- colour contrast (WCAG 2.2, 1.4.3 and 1.4.11) ------------------------------

struct Rgb {
  double r = 0, g = 0, b = 0;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

// "#rgb", "#rgba", "#rrggbb" or "#rrggbbaa" (lint_theme checked the form) as
// channels in [0, 1] and an alpha.
std::array<double, 4> parse_hex(std::string_view s) {
  std::array<double, 4> out{0, 0, 0, 1};
  const std::string_view h = s.substr(1);
  const bool short_form = h.size() == 3 || h.size() == 4;
  const std::size_t n = short_form ? h.size() : h.size() / 2;
  for (std::size_t i = 0; i < n && i < 4; ++i) {
    const int v = short_form ? hex_digit(h[i]) * 17 : hex_digit(h[2 * i]) * 16 + hex_digit(h[2 * i + 1]);
    out[i] = v / 255.0;
  }
  return out;
}

// A colour as it shows over `under` (alpha compositing in sRGB, as browsers paint).
Rgb over(std::string_view hex, const Rgb& under) {
  const std::array<double, 4> c = parse_hex(hex);
  const double a = c[3];
  return {c[0] * a + under.r * (1 - a), c[1] * a + under.g * (1 - a), c[2] * a + under.b * (1 - a)};
}

// Relative luminance, WCAG 2.2 "relative luminance" definition.
double luminance(const Rgb& c) {
  const auto lin = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

double contrast(const Rgb& a, const Rgb& b) {
  const double la = luminance(a), lb = luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// The widget's own colours per scheme: the --cachet-* defaults of web/cachet.css
// (tests/js/theme.test.mjs checks the two agree). `page` is what a translucent
// background shows over.
struct Palette {
  std::string_view scheme, page, text, muted, bg, surface, border, accent, accent_text, error;
};
constexpr Palette kLight{"light",   "#ffffff", "#1f2328", "#4d555e", "#ffffff",
                         "#f6f8fa", "#6e7781", "#0a58ca", "#ffffff", "#b3261e"};
constexpr Palette kDark{"dark",    "#0d1117", "#e6edf3", "#b1bac4", "#0d1117",
                        "#161b22", "#8b949e", "#58a6ff", "#0d1117", "#ff938a"};

// One ratio of WCAG 2.2 AA: 4.5:1 for text, 3:1 for the outline of a control.
struct Pair {
  std::string_view id;              // message word: theme.pair.<id>
  std::string_view fg_key, bg_key;  // theme keys that set each side ("" = not configurable)
  double minimum;
};

std::string ratio_text(double r) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", std::floor(r * 100) / 100);
  return buf;
}

}  // namespace

// WCAG 2.2 AA for the colours a config sets (1.4.3 text, 1.4.11 controls and
// focus). Each configured colour is checked against what it will be painted on
// (or carry) in every scheme the widget may show; the widget's own colours fill
// in what the config leaves out. A background fixes the scheme when the config
// leaves colorScheme to "auto": the widget's other colours must suit it.
void Linter::theme_contrast() {
  Json& theme = config_.theme;
  const auto given = [&](std::string_view key) -> std::optional<std::string> {
    const auto it = theme.find(std::string(key));
    if (it == theme.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  std::string scheme = given("colorScheme").value_or("auto");
  if (scheme == "auto") {
    if (const auto background = given("background")) {
      const Rgb bg = over(*background, over(kLight.page, {}));
      scheme = contrast(bg, {0, 0, 0}) >= contrast(bg, {1, 1, 1}) ? "light" : "dark";
    }
  }
  if (scheme != "auto" || theme.contains("colorScheme")) theme["colorScheme"] = scheme;
  const bool any_colour =
      given("accent") || given("accentText") || given("background") || given("text") || given("border");
  if (!any_colour) return;

  // The accent is also the focus outline and the ticked box (3:1), which the
  // link's 4.5:1 covers.
  static constexpr std::array<Pair, 6> kPairs{{
      {"text", "text", "background", 4.5},
      {"muted", "", "background", 4.5},
      {"error", "", "background", 4.5},
      {"link", "accent", "background", 4.5},
      {"button", "accentText", "accent", 4.5},
      {"border", "border", "background", 3.0},
  }};
  struct Failure {
    std::string path;
    const Pair* pair;
    double ratio;
  };
  std::map<std::string, std::vector<Failure>> failing;  // scheme -> failures, the worst per (path, pair)
  int checked = 0;
  for (const Palette* p : {&kLight, &kDark}) {
    if (scheme != "auto" && scheme != p->scheme) continue;
    ++checked;
    const Rgb page = over(p->page, {});
    const std::string text = given("text").value_or(std::string(p->text));
    const std::string accent = given("accent").value_or(std::string(p->accent));
    const std::string background = given("background").value_or("");
    // Where the widget paints text: the fieldset (surface) and the dialog (bg).
    std::vector<Rgb> grounds;
    if (!background.empty()) {
      grounds.push_back(over(background, page));
    } else {
      grounds.push_back(over(p->surface, page));
      grounds.push_back(over(p->bg, page));
    }
    for (const Pair& pair : kPairs) {
      const bool fg_set = !pair.fg_key.empty() && given(pair.fg_key).has_value();
      const bool bg_set = given(pair.bg_key).has_value();
      if (!fg_set && !bg_set) continue;                   // the widget's own pair, checked in tests/js
      if (pair.id == "muted" && given("text")) continue;  // hints then take the text colour
      std::string fg;
      if (pair.id == "text") fg = text;
      if (pair.id == "muted") fg = std::string(p->muted);
      if (pair.id == "error") fg = std::string(p->error);
      if (pair.id == "link") fg = accent;
      if (pair.id == "border") fg = given("border").value_or(std::string(p->border));
      std::vector<Rgb> under = grounds;
      if (pair.id == "button") {
        fg = given("accentText").value_or(std::string(p->accent_text));
        under.clear();
        for (const Rgb& g : grounds) under.push_back(over(accent, g));
      }
      double worst = 100;
      for (const Rgb& g : under) worst = std::min(worst, contrast(over(fg, g), g));
      if (worst >= pair.minimum) continue;
      const std::string path = "/theme/" + std::string(fg_set ? pair.fg_key : pair.bg_key);
      failing[std::string(p->scheme)].push_back({path, &pair, worst});
    }
  }
  // Under "auto", colours that suit one scheme only keep the widget in that
  // scheme (a light widget on a dark page stays readable): a warning. Colours
  // the widget must show anyway are an error.
  const bool one_scheme_left = checked == 2 && failing.size() == 1;
  const std::string other = one_scheme_left && failing.begin()->first == "dark" ? "light" : "dark";
  if (one_scheme_left) theme["colorScheme"] = other;
  for (const auto& [failing_scheme, list] : failing) {
    for (const Failure& f : list) {
      const MessageArgs args = {{"where", f.path},
                                {"pair", word("theme.pair." + std::string(f.pair->id))},
                                {"ratio", ratio_text(f.ratio)},
                                {"minimum", f.pair->minimum >= 4.5 ? "4.5" : "3"},
                                {"scheme", word("theme.scheme." + failing_scheme)},
                                {"other", word("theme.scheme." + other)},
                                {"value", other}};
      if (one_scheme_left) {
        warning("config_theme_contrast_scheme", f.path, args);
      } else {
        error("config_theme_contrast", f.path, args);
      }
    }
  }
}

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
