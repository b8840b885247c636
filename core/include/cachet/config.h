// Configuration model (DESIGN.md 3.1) and its lint: strict parsing plus the
// CNIL rules R1-R9 that a config can break.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/json.h"
#include "cachet/messages.h"
#include "cachet/problem.h"

namespace cachet {

enum class Channel { kPostal, kPhone, kEmail, kSms };
enum class Basis { kLegitimateInterest, kConsent };
enum class PartnerProspecting { kOnBehalf, kTransmissionOnly };

// Stable names used in configs, receipts and exports.
std::string_view to_string(Channel channel);     // "postal" | "phone" | "email" | "sms"
std::string_view to_string(Basis basis);         // "legitimate-interest" | "consent"
std::string_view to_string(PartnerProspecting);  // "on-behalf" | "transmission-only"
std::optional<Channel> channel_from_string(std::string_view name);
// The order channels are shown and serialised in: postal, phone, email, sms.
const std::vector<Channel>& all_channels();

// supported_locales() (the locales the message table has) is in cachet/messages.h.

// A text the person reads: one string for every locale, or one per locale.
struct LocalizedText {
  std::map<std::string, std::string> by_locale;  // key "" = same text for all locales
  // The text for `locale`, else the "" entry, else the config's default locale's.
  std::string get(std::string_view locale, std::string_view fallback_locale) const;
  bool empty() const { return by_locale.empty(); }
  // As the config gave it: one string, {"en": ..., "fr": ...}, or "" when empty.
  Json as_given() const;
};

struct Controller {
  std::string name;
  std::string privacy_policy_url;
  std::string rights_contact;  // email address or https URL
};

struct Recipients {
  std::vector<LocalizedText> sectors;
  std::vector<LocalizedText> offer_types;
  std::optional<int> approximate_count;
};

struct Partner {
  std::string id;
  std::string name;
  std::string privacy_policy_url;
  LocalizedText sector;           // may be empty
  std::vector<Channel> channels;  // channels this partner receives; empty = all configured
  // R8: where the person reaches the partner to object or withdraw (printed in
  // the first-contact notice beside the privacy policy). Both may be empty
  // (lint warns: rule_r8_partner_contact_missing).
  struct Contact {
    std::string email;   // an email address
    std::string postal;  // a postal address, one line
  } contact;
};

struct PartnerList {
  std::string list_url;    // may be empty when entries are inline
  std::string updated_at;  // YYYY-MM-DD, may be empty
  std::vector<Partner> entries;
};

struct ChannelConfig {
  Channel channel;
  Basis basis;
  std::optional<PartnerProspecting> partner_prospecting;  // required for consent channels (R6)
};

struct Config {
  std::string config_version;
  std::string locale;  // default locale of the texts
  Controller controller;
  LocalizedText purpose;
  Recipients recipients;
  PartnerList partners;
  std::vector<ChannelConfig> channels;  // in all_channels() order
  bool combine_objection = true;        // one objection box for postal + phone
  int retention_months = 0;
  std::map<std::string, std::string> fields;  // "email"|"phone"|"postal"|"mobile" -> CSS selector
  std::string receipt_input = "cachet_receipt";
  std::string jurisdiction = "FR";
  Json texts = Json::object();  // per-locale overrides of notice texts
  Json theme = Json::object();
  Json raw;  // the config as given

  const ChannelConfig* find(Channel channel) const;
  // Partners that receive `channel` (R6/R7): those listing it, or all when they list none.
  std::vector<const Partner*> partners_for(Channel channel) const;
  // The configured channels `partner` receives, in all_channels() order (R3:
  // the partner list shows them).
  std::vector<Channel> channels_of(const Partner& partner) const;
};

// Every problem at once (DESIGN.md 3.1): `errors` make the config unusable,
// `warnings` are CNIL recommendations that are not requirements.
struct LintReport {
  Problems errors;
  Problems warnings;
  bool ok() const { return errors.empty(); }
  // {"ok": bool, "errors": [{code, path, message}], "warnings": [...]}
  Json to_json() const;
};

// Parses and checks a config. Messages are in the config's locale when it is
// readable and supported, else in `message_locale` (default English).
LintReport lint_config(std::string_view text, std::string_view message_locale = "en");

// A usable config, or the lint errors.
Result<Config> load_config(std::string_view text, std::string_view message_locale = "en");

}  // namespace cachet
