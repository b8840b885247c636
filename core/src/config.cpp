// Config parsing and lint (DESIGN.md 3.1). One pass walks the whole document,
// fills a Config and collects every problem; load_config returns the Config
// only when no error was found. The Linter is declared in lint.h; the checks
// of the rules over the parsed model (R2, R3, R7, texts in every locale) are
// in lint_rules.cpp.
#include "cachet/config.h"

#include <algorithm>
#include <cstdint>

#include "cachet/calendar.h"
#include "cachet/messages.h"
#include "formats.h"
#include "lint.h"

namespace cachet {

// --- names -------------------------------------------------------------------

std::string_view to_string(Channel channel) {
  switch (channel) {
    case Channel::kPostal:
      return "postal";
    case Channel::kPhone:
      return "phone";
    case Channel::kEmail:
      return "email";
    case Channel::kSms:
      return "sms";
  }
  return "postal";
}

std::string_view to_string(Basis basis) { return basis == Basis::kConsent ? "consent" : "legitimate-interest"; }

std::string_view to_string(PartnerProspecting prospecting) {
  return prospecting == PartnerProspecting::kOnBehalf ? "on-behalf" : "transmission-only";
}

std::optional<Channel> channel_from_string(std::string_view name) {
  for (const Channel channel : all_channels()) {
    if (to_string(channel) == name) return channel;
  }
  return std::nullopt;
}

const std::vector<Channel>& all_channels() {
  static const std::vector<Channel> kAll = {Channel::kPostal, Channel::kPhone, Channel::kEmail, Channel::kSms};
  return kAll;
}

std::string LocalizedText::get(std::string_view locale, std::string_view fallback_locale) const {
  for (const std::string_view key : {locale, std::string_view(), fallback_locale}) {
    const auto it = by_locale.find(std::string(key));
    if (it != by_locale.end()) return it->second;
  }
  return by_locale.empty() ? std::string() : by_locale.begin()->second;
}

Json LocalizedText::as_given() const {
  if (by_locale.empty()) return "";
  if (by_locale.size() == 1 && by_locale.begin()->first.empty()) return by_locale.begin()->second;
  Json out = Json::object();
  for (const auto& [locale, text] : by_locale) out[locale] = text;
  return out;
}

const ChannelConfig* Config::find(Channel channel) const {
  for (const ChannelConfig& config : channels) {
    if (config.channel == channel) return &config;
  }
  return nullptr;
}

std::vector<const Partner*> Config::partners_for(Channel channel) const {
  std::vector<const Partner*> out;
  for (const Partner& partner : partners.entries) {
    if (partner.channels.empty() ||
        std::find(partner.channels.begin(), partner.channels.end(), channel) != partner.channels.end()) {
      out.push_back(&partner);
    }
  }
  return out;
}

std::vector<Channel> Config::channels_of(const Partner& partner) const {
  std::vector<Channel> out;
  for (const ChannelConfig& c : channels) {
    if (partner.channels.empty() ||
        std::find(partner.channels.begin(), partner.channels.end(), c.channel) != partner.channels.end()) {
      out.push_back(c.channel);
    }
  }
  return out;
}

Json LintReport::to_json() const {
  return {{"ok", ok()}, {"errors", problems_to_json(errors)}, {"warnings", problems_to_json(warnings)}};
}

namespace {

using config_lint::Keys;
using config_lint::MessageArgs;

constexpr std::int64_t kMaxRetentionMonths = 1200;  // 100 years: beyond is a typo
constexpr std::int64_t kMaxPartnerCount = 100000;
constexpr std::size_t kMaxShownValue = 80;  // keep echoed values short in messages

std::string_view type_id(const Json& v) {
  if (v.is_null()) return "type.null";
  if (v.is_boolean()) return "type.boolean";
  if (v.is_number_integer()) return "type.integer";
  if (v.is_number()) return "type.number";
  if (v.is_string()) return "type.string";
  if (v.is_array()) return "type.array";
  return "type.object";
}

using namespace formats;  // NOLINT(google-build-using-namespace): the format checks read as words

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// Shortens a value before it is echoed in a message.
std::string shown(std::string_view value) {
  if (value.size() <= kMaxShownValue) return std::string(value);
  std::size_t cut = kMaxShownValue;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
  return std::string(value.substr(0, cut)) + "…";
}

// Levenshtein distance, ASCII case-insensitive (catches "privacyPolicyURL").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const std::size_t cost = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The closest known name when it is near enough to be a typo.
std::optional<std::string_view> closest(std::string_view key, const Keys& known) {
  if (key.size() > 64) return std::nullopt;
  std::optional<std::string_view> best;
  std::size_t best_distance = 0;
  for (const std::string_view candidate : known) {
    const std::size_t d = edit_distance(key, candidate);
    if (!best || d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  const std::size_t limit = std::min(key.size(), best ? best->size() : 0) >= 5 ? 2 : 1;
  if (best && best_distance <= limit) return best;
  return std::nullopt;
}

const Keys kTopKeys = {
    "$schema",          "configVersion", "locale", "controller",   "purpose",      "recipients", "partners", "channels",
    "combineObjection", "retention",     "fields", "receiptInput", "jurisdiction", "texts",      "theme"};
const Keys kControllerKeys = {"name", "privacyPolicyUrl", "rightsContact"};
const Keys kRecipientKeys = {"sectors", "offerTypes", "approximateCount"};
const Keys kPartnersKeys = {"listUrl", "updatedAt", "entries"};
const Keys kPartnerKeys = {"id", "name", "privacyPolicyUrl", "sector", "channels", "contact"};
const Keys kPartnerContactKeys = {"email", "postal"};
const Keys kChannelKeys = {"basis", "partnerProspecting", "checked"};
const Keys kRetentionKeys = {"months"};
const Keys kFieldKeys = {"email", "phone", "mobile", "postal"};
const Keys kThemeColorKeys = {"accent", "accentText", "background", "text", "border"};
const Keys kThemeKeys = {"accent", "accentText", "background", "text", "border", "radius", "fontFamily", "colorScheme"};
const Keys kBoxIds = {"object-postal-phone", "object-postal",  "object-phone", "consent-email",
                      "consent-sms",         "consent-postal", "consent-phone"};
const Keys kBoxTextKeys = {"label", "hint"};
// Notice members a config may override per locale (texts.<locale>.<key>).
const Keys kTextKeys = {"heading",          "intro",  "recipients",         "partnerSummary",
                        "partnerListTitle", "rights", "privacyPolicyLabel", "boxes"};
// Ways people try to pre-tick a box; each gets the R5 error, not a generic one.
const Keys kPrecheckAliases = {"default",     "defaultChecked", "prechecked", "preChecked",   "checkedByDefault",
                               "preselected", "preSelected",    "selected",   "ticked",       "preticked",
                               "preTicked",   "defaultValue",   "initial",    "initialValue", "value"};

bool contains(const Keys& keys, std::string_view key) { return std::find(keys.begin(), keys.end(), key) != keys.end(); }

bool is_truthy(const Json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_unsigned()) return v.get<std::uint64_t>() != 0;
  if (v.is_number_integer()) return v.get<std::int64_t>() != 0;
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    return s == "true" || s == "checked" || s == "on" || s == "yes" || s == "1";
  }
  return false;
}

}  // namespace

namespace config_lint {

void Linter::run(const Json& root) {
  config_.raw = root;
  if (!root.is_object()) {
    error("config_not_object", "", {{"actual", word(type_id(root))}});
    return;
  }
  check_keys(root, "", kTopKeys);

  // "$schema" only tells an editor where the JSON Schema is; it changes nothing.
  if (const Json* schema = member(root, "$schema")) expect(*schema, "/$schema", "type.string");
  if (const auto version = string_member(root, "", "configVersion", true)) config_.config_version = *version;
  if (const auto locale = string_member(root, "", "locale", true)) {
    if (is_supported_locale(*locale)) {
      config_.locale = *locale;
    } else {
      error("config_locale_unsupported", "/locale",
            {{"where", "/locale"}, {"value", shown(*locale)}, {"allowed", locale_choices(locale_)}});
    }
  }
  lint_controller(root);
  if (const Json* purpose = member(root, "purpose")) {
    if (auto text = localized(*purpose, "/purpose")) config_.purpose = std::move(*text);
    purpose_given_ = true;
  }
  lint_recipients(root);
  lint_channels(root);
  lint_partners(root);
  if (const Json* combine = member(root, "combineObjection")) {
    if (expect(*combine, "/combineObjection", "type.boolean")) config_.combine_objection = combine->get<bool>();
  }
  lint_retention(root);
  lint_fields(root);
  if (const auto name = string_member(root, "", "receiptInput", false)) {
    if (is_input_name(*name)) {
      config_.receipt_input = *name;
    } else {
      error("config_invalid_input_name", "/receiptInput", {{"where", "/receiptInput"}});
    }
  }
  if (const auto jurisdiction = string_member(root, "", "jurisdiction", false)) {
    if (is_jurisdiction(*jurisdiction)) {
      config_.jurisdiction = *jurisdiction;
    } else {
      error("config_jurisdiction_invalid", "/jurisdiction", {{"where", "/jurisdiction"}});
    }
  }
  lint_texts(root);
  lint_theme(root);
  theme_contrast();
  cross_checks();
  missing_locales();
}

void Linter::add(Problems& list, std::string code, std::string path, const MessageArgs& args,
                 std::string_view message_id) {
  std::string text = cachet::text(message_id.empty() ? std::string_view(code) : message_id, locale_, args);
  // A problem's message is a sentence, and {where} may open it with "the top level".
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  list.push_back({std::move(code), std::move(path), std::move(text)});
}

void Linter::error(std::string code, std::string path, const MessageArgs& args, std::string_view message_id) {
  add(report_.errors, std::move(code), std::move(path), args, message_id);
}

void Linter::warning(std::string code, std::string path, const MessageArgs& args, std::string_view message_id) {
  add(report_.warnings, std::move(code), std::move(path), args, message_id);
}

const Json* Linter::member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(std::string(key));
  return it == object.end() ? nullptr : &*it;
}

bool Linter::matches(const Json& v, std::string_view type) const {
  if (type == "type.object") return v.is_object();
  if (type == "type.array") return v.is_array();
  if (type == "type.string") return v.is_string();
  if (type == "type.boolean") return v.is_boolean();
  if (type == "type.integer") return v.is_number_integer();
  return false;
}

// True when `v` has the expected JSON type; reports config_wrong_type otherwise.
bool Linter::expect(const Json& v, const std::string& path, std::string_view type) {
  if (matches(v, type)) return true;
  error("config_wrong_type", path, {{"where", where(path)}, {"expected", word(type)}, {"actual", word(type_id(v))}});
  return false;
}

void Linter::missing(const std::string& object_path, std::string_view key) {
  error("config_missing_member", object_path, {{"where", where(object_path)}, {"key", std::string(key)}});
}

void Linter::check_keys(const Json& object, const std::string& path, const Keys& known) {
  for (const auto& item : object.items()) {
    if (contains(known, item.key())) continue;
    unknown_key(path, item.key(), known);
  }
}

void Linter::unknown_key(const std::string& path, const std::string& key, const Keys& known) {
  const std::string member_path = pointer_append(path, key);
  if (const auto suggestion = closest(key, known)) {
    error("config_unknown_key", member_path,
          {{"key", shown(key)}, {"where", where(path)}, {"suggestion", std::string(*suggestion)}},
          "config_unknown_key.suggest");
  } else {
    error("config_unknown_key", member_path, {{"key", shown(key)}, {"where", where(path)}});
  }
}

// A non-blank string member; nullopt (with the problem reported) otherwise.
std::optional<std::string> Linter::string_member(const Json& object, const std::string& path, std::string_view key,
                                                 bool required) {
  const Json* v = member(object, key);
  if (!v) {
    if (required) missing(path, key);
    return std::nullopt;
  }
  return nonblank_string(*v, pointer_append(path, key));
}

std::optional<std::string> Linter::nonblank_string(const Json& v, const std::string& path) {
  if (!expect(v, path, "type.string")) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  if (is_blank(s)) {
    error("config_empty_value", path, {{"where", path}});
    return std::nullopt;
  }
  return s;
}

// An integer in [min, max]; huge and negative values are reported, never wrapped.
std::optional<std::int64_t> Linter::integer(const Json& v, const std::string& path, std::int64_t min, std::int64_t max,
                                            std::string_view range_code) {
  if (!expect(v, path, "type.integer")) return std::nullopt;
  const bool too_big = v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(max);
  const std::int64_t n = too_big ? max : v.get<std::int64_t>();
  if (too_big || n < min || n > max) {
    error(std::string(range_code), path, {{"where", path}, {"min", std::to_string(min)}, {"max", std::to_string(max)}});
    return std::nullopt;
  }
  return n;
}

std::optional<std::string> Linter::https_url(const Json& v, const std::string& path) {
  auto url = nonblank_string(v, path);
  if (!url) return std::nullopt;
  switch (check_https_url(*url)) {
    case UrlCheck::kOk:
      return url;
    case UrlCheck::kNotHttps:
      error("config_url_not_https", path, {{"where", path}, {"value", shown(*url)}});
      break;
    case UrlCheck::kMalformed:
      error("config_url_invalid", path, {{"where", path}});
      break;
  }
  return std::nullopt;
}

// A text the person reads: one string, or {"fr": ..., "en": ...}.
std::optional<LocalizedText> Linter::localized(const Json& v, const std::string& path) {
  LocalizedText text;
  if (v.is_string()) {
    if (auto s = nonblank_string(v, path)) text.by_locale[""] = std::move(*s);
  } else if (v.is_object()) {
    if (v.empty()) error("config_empty_value", path, {{"where", path}});
    for (const auto& item : v.items()) {
      const std::string item_path = pointer_append(path, item.key());
      if (!is_supported_locale(item.key())) {
        error("config_locale_unsupported", item_path,
              {{"where", item_path}, {"value", shown(item.key())}, {"allowed", locale_choices(locale_)}});
      } else if (auto s = nonblank_string(item.value(), item_path)) {
        text.by_locale[item.key()] = std::move(*s);
      }
    }
    per_locale_.push_back({path, text.by_locale});
  } else {
    error("config_wrong_type", path,
          {{"where", path}, {"expected", word("type.localized")}, {"actual", word(type_id(v))}});
  }
  if (text.empty()) return std::nullopt;
  return text;
}

// An array of texts the person reads, each one string or one per locale.
std::vector<LocalizedText> Linter::localized_list(const Json& v, const std::string& path) {
  std::vector<LocalizedText> out;
  if (!expect(v, path, "type.array")) return out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (auto text = localized(v[i], pointer_append(path, i))) out.push_back(std::move(*text));
  }
  return out;
}

void Linter::lint_controller(const Json& root) {
  const Json* controller = member(root, "controller");
  if (!controller) {
    error("rule_r8_controller_missing", "");
    error("rule_r8_rights_contact_missing", "");
    return;
  }
  if (!expect(*controller, "/controller", "type.object")) return;
  check_keys(*controller, "/controller", kControllerKeys);

  if (const Json* name = member(*controller, "name")) {
    if (name->is_string() && is_blank(name->get_ref<const std::string&>())) {
      error("rule_r8_controller_missing", "/controller/name");
    } else if (auto s = nonblank_string(*name, "/controller/name")) {
      config_.controller.name = std::move(*s);
    }
  } else {
    error("rule_r8_controller_missing", "/controller");
  }

  if (const Json* url = member(*controller, "privacyPolicyUrl")) {
    if (auto s = https_url(*url, "/controller/privacyPolicyUrl")) config_.controller.privacy_policy_url = *s;
  } else {
    missing("/controller", "privacyPolicyUrl");
  }

  const Json* contact = member(*controller, "rightsContact");
  if (!contact) {
    error("rule_r8_rights_contact_missing", "/controller");
  } else if (contact->is_string() && is_blank(contact->get_ref<const std::string&>())) {
    error("rule_r8_rights_contact_missing", "/controller/rightsContact");
  } else if (expect(*contact, "/controller/rightsContact", "type.string")) {
    const std::string& s = contact->get_ref<const std::string&>();
    if (is_email_address(s) || check_https_url(s) == UrlCheck::kOk) {
      config_.controller.rights_contact = s;
    } else {
      error("rule_r8_rights_contact_invalid", "/controller/rightsContact",
            {{"where", "/controller/rightsContact"}, {"value", shown(s)}});
    }
  }
}

void Linter::lint_recipients(const Json& root) {
  const Json* recipients = member(root, "recipients");
  if (!recipients) return;
  recipients_given_ = true;
  if (!expect(*recipients, "/recipients", "type.object")) {
    types_given_ = count_given_ = true;  // already reported; no follow-up problems
    return;
  }
  check_keys(*recipients, "/recipients", kRecipientKeys);
  if (const Json* sectors = member(*recipients, "sectors")) {
    config_.recipients.sectors = localized_list(*sectors, "/recipients/sectors");
    types_given_ = types_given_ || !sectors->is_array() || !sectors->empty();
  }
  if (const Json* offers = member(*recipients, "offerTypes")) {
    config_.recipients.offer_types = localized_list(*offers, "/recipients/offerTypes");
    types_given_ = types_given_ || !offers->is_array() || !offers->empty();
  }
  if (const Json* count = member(*recipients, "approximateCount")) {
    count_given_ = true;
    if (const auto n = integer(*count, "/recipients/approximateCount", 1, kMaxPartnerCount)) {
      config_.recipients.approximate_count = static_cast<int>(*n);
    }
  }
}

void Linter::lint_channels(const Json& root) {
  const Json* channels = member(root, "channels");
  if (!channels) {
    error("config_no_channels", "");
    return;
  }
  if (!expect(*channels, "/channels", "type.object")) return;
  channels_json_ = channels;
  if (channels->empty()) {
    error("config_no_channels", "/channels");
    return;
  }
  Keys names;
  for (const Channel c : all_channels()) names.push_back(to_string(c));
  check_keys(*channels, "/channels", names);

  for (const Channel channel : all_channels()) {
    const std::string name(to_string(channel));
    const Json* entry = member(*channels, name);
    if (!entry) continue;
    const std::string path = pointer_append("/channels", name);
    if (!expect(*entry, path, "type.object")) continue;

    for (const auto& item : entry->items()) {
      const std::string item_path = pointer_append(path, item.key());
      if (item.key() == "checked") {
        if (expect(item.value(), item_path, "type.boolean") && item.value().get<bool>()) {
          error("rule_r5_prechecked", item_path, {{"where", item_path}});
        }
      } else if (contains(kPrecheckAliases, item.key()) && is_truthy(item.value())) {
        error("rule_r5_prechecked", item_path, {{"where", item_path}});
      } else if (!contains(kChannelKeys, item.key())) {
        unknown_key(path, item.key(), kChannelKeys);
      }
    }

    const bool electronic = channel == Channel::kEmail || channel == Channel::kSms;
    std::optional<Basis> basis;
    const std::string basis_path = path + "/basis";
    if (const Json* b = member(*entry, "basis")) {
      if (expect(*b, basis_path, "type.string")) {
        const std::string& s = b->get_ref<const std::string&>();
        if (s == "consent") {
          basis = Basis::kConsent;
        } else if (s == "legitimate-interest") {
          basis = Basis::kLegitimateInterest;
          if (electronic) basis.reset();
        } else if (!electronic) {
          error("config_invalid_value", basis_path,
                {{"where", basis_path}, {"allowed", "\"legitimate-interest\", \"consent\""}, {"value", shown(s)}});
        }
        // R4: partners' email and SMS prospecting rests on consent only.
        if (electronic && !basis) {
          error("rule_r4_consent_required", basis_path, {{"where", basis_path}, {"channel", word("channel." + name)}});
        }
      }
    } else {
      missing(path, "basis");
    }

    std::optional<PartnerProspecting> prospecting;
    const std::string pp_path = path + "/partnerProspecting";
    if (const Json* pp = member(*entry, "partnerProspecting")) {
      if (expect(*pp, pp_path, "type.string")) {
        const std::string& s = pp->get_ref<const std::string&>();
        if (s == "on-behalf") {
          prospecting = PartnerProspecting::kOnBehalf;
        } else if (s == "transmission-only") {
          prospecting = PartnerProspecting::kTransmissionOnly;
          warning("rule_r6_transmission_only", pp_path);
        } else {
          error("config_invalid_value", pp_path,
                {{"where", pp_path}, {"allowed", "\"on-behalf\", \"transmission-only\""}, {"value", shown(s)}});
        }
      }
    } else if (basis == Basis::kConsent) {
      error("rule_r6_partner_prospecting_missing", path, {{"where", path}});
    }
    if (basis) config_.channels.push_back({channel, *basis, prospecting});
  }
}

void Linter::lint_partners(const Json& root) {
  const Json* partners = member(root, "partners");
  if (!partners) return;
  partners_given_ = true;
  if (!expect(*partners, "/partners", "type.object")) return;
  check_keys(*partners, "/partners", kPartnersKeys);
  if (const Json* url = member(*partners, "listUrl")) {
    list_url_given_ = true;
    // R7: an https URL, or a path on the signup site itself (/partenaires,
    // the page cachet serve generates from this config).
    if (url->is_string() && formats::is_same_site_path(url->get<std::string>())) {
      config_.partners.list_url = url->get<std::string>();
    } else if (auto s = https_url(*url, "/partners/listUrl")) {
      config_.partners.list_url = *s;
    }
  }
  if (const Json* updated = member(*partners, "updatedAt")) {
    updated_given_ = true;
    if (auto s = nonblank_string(*updated, "/partners/updatedAt")) {
      if (calendar::is_date(*s)) {
        config_.partners.updated_at = *s;
      } else {
        error("config_invalid_date", "/partners/updatedAt", {{"where", "/partners/updatedAt"}, {"value", shown(*s)}});
      }
    }
  }
  const Json* entries = member(*partners, "entries");
  if (!entries || !expect(*entries, "/partners/entries", "type.array")) return;
  entries_given_ = entries->size();
  std::map<std::string, std::string> first_seen;  // id -> path
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const std::string path = pointer_append("/partners/entries", i);
    const Json& entry = (*entries)[i];
    if (!expect(entry, path, "type.object")) continue;
    check_keys(entry, path, kPartnerKeys);
    Partner partner;
    bool complete = true;
    for (const std::string_view key : {"id", "name", "privacyPolicyUrl"}) {
      const Json* v = member(entry, key);
      if (!v || (v->is_string() && is_blank(v->get_ref<const std::string&>()))) {
        error("rule_r3_partner_incomplete", v ? pointer_append(path, key) : path,
              {{"where", path}, {"key", std::string(key)}});
        complete = false;
      }
    }
    if (const Json* id = member(entry, "id"); id && id->is_string() && !is_blank(id->get_ref<const std::string&>())) {
      const std::string& s = id->get_ref<const std::string&>();
      const std::string id_path = path + "/id";
      if (!is_partner_id(s)) {
        error("config_invalid_partner_id", id_path, {{"where", id_path}});
        complete = false;
      } else if (const auto [it, inserted] = first_seen.emplace(s, id_path); !inserted) {
        error("config_duplicate_partner_id", id_path, {{"value", s}, {"first", it->second}});
        complete = false;
      }
      partner.id = s;
    } else if (id && !id->is_string()) {
      expect(*id, path + "/id", "type.string");
      complete = false;
    }
    if (const Json* name = member(entry, "name");
        name && !(name->is_string() && is_blank(name->get_ref<const std::string&>()))) {
      if (auto s = nonblank_string(*name, path + "/name")) {
        partner.name = std::move(*s);
      } else {
        complete = false;
      }
    }
    if (const Json* url = member(entry, "privacyPolicyUrl");
        url && !(url->is_string() && is_blank(url->get_ref<const std::string&>()))) {
      if (auto s = https_url(*url, path + "/privacyPolicyUrl")) {
        partner.privacy_policy_url = std::move(*s);
      } else {
        complete = false;
      }
    }
    if (const Json* sector = member(entry, "sector")) {
      if (auto text = localized(*sector, path + "/sector")) partner.sector = std::move(*text);
    }
    if (const Json* channels = member(entry, "channels");
        channels && expect(*channels, path + "/channels", "type.array")) {
      for (std::size_t j = 0; j < channels->size(); ++j) {
        const std::string c_path = pointer_append(path + "/channels", j);
        const auto name = nonblank_string((*channels)[j], c_path);
        if (!name) continue;
        const auto channel = channel_from_string(*name);
        if (!channel) {
          error("config_invalid_value", c_path,
                {{"where", c_path}, {"allowed", "\"postal\", \"phone\", \"email\", \"sms\""}, {"value", shown(*name)}});
        } else if (!channels_json_ || !member(*channels_json_, *name)) {
          error("config_partner_channel_not_configured", c_path, {{"where", c_path}, {"value", *name}});
        } else if (std::find(partner.channels.begin(), partner.channels.end(), *channel) == partner.channels.end()) {
          partner.channels.push_back(*channel);
        }
      }
    }
    lint_partner_contact(entry, path, partner);
    if (complete) config_.partners.entries.push_back(std::move(partner));
  }
}

// R8: the person must be able to reach the partner that contacts them; a
// privacy policy URL alone is a poor way to object. Optional, but linted.
void Linter::lint_partner_contact(const Json& entry, const std::string& path, Partner& partner) {
  const Json* contact = member(entry, "contact");
  if (contact == nullptr) {
    warning("rule_r8_partner_contact_missing", path, {{"where", path}});
    return;
  }
  const std::string c_path = path + "/contact";
  if (!expect(*contact, c_path, "type.object")) return;
  check_keys(*contact, c_path, kPartnerContactKeys);
  if (const Json* email = member(*contact, "email")) {
    if (auto s = nonblank_string(*email, c_path + "/email")) {
      if (is_email_address(*s)) {
        partner.contact.email = std::move(*s);
      } else {
        error("rule_r8_partner_contact_invalid", c_path + "/email",
              {{"where", c_path + "/email"}, {"value", shown(*s)}});
      }
    }
  }
  if (const Json* postal = member(*contact, "postal")) {
    if (auto s = nonblank_string(*postal, c_path + "/postal")) partner.contact.postal = std::move(*s);
  }
  if (contact->empty()) warning("rule_r8_partner_contact_missing", c_path, {{"where", path}});
}

void Linter::lint_retention(const Json& root) {
  const Json* retention = member(root, "retention");
  if (!retention) {
    error("rule_r9_retention_missing", "");
    return;
  }
  if (!expect(*retention, "/retention", "type.object")) return;
  check_keys(*retention, "/retention", kRetentionKeys);
  const Json* months = member(*retention, "months");
  if (!months) {
    error("rule_r9_retention_missing", "/retention");
    return;
  }
  if (const auto n = integer(*months, "/retention/months", 1, kMaxRetentionMonths, "rule_r9_retention_invalid")) {
    config_.retention_months = static_cast<int>(*n);
    // CNIL: prospects' data kept 3 years from the last contact they initiated.
    if (*n > 36) warning("rule_r9_retention_long", "/retention/months", {{"value", std::to_string(*n)}});
  }
}

void Linter::lint_fields(const Json& root) {
  const Json* fields = member(root, "fields");
  if (!fields || !expect(*fields, "/fields", "type.object")) return;
  check_keys(*fields, "/fields", kFieldKeys);
  for (const std::string_view key : kFieldKeys) {
    if (auto selector = string_member(*fields, "/fields", key, false)) config_.fields[std::string(key)] = *selector;
  }
}

void Linter::lint_texts(const Json& root) {
  const Json* texts = member(root, "texts");
  if (!texts || !expect(*texts, "/texts", "type.object")) return;
  Json kept = Json::object();
  for (const auto& by_locale : texts->items()) {
    const std::string path = pointer_append("/texts", by_locale.key());
    if (!is_supported_locale(by_locale.key())) {
      error("config_locale_unsupported", path,
            {{"where", path}, {"value", shown(by_locale.key())}, {"allowed", locale_choices(locale_)}});
      continue;
    }
    if (!expect(by_locale.value(), path, "type.object")) continue;
    check_keys(by_locale.value(), path, kTextKeys);
    Json& out = kept[by_locale.key()] = Json::object();
    for (const auto& item : by_locale.value().items()) {
      const std::string item_path = pointer_append(path, item.key());
      if (item.key() == "boxes") {
        if (!expect(item.value(), item_path, "type.object")) continue;
        check_keys(item.value(), item_path, kBoxIds);
        for (const auto& box : item.value().items()) {
          const std::string box_path = pointer_append(item_path, box.key());
          if (!contains(kBoxIds, box.key()) || !expect(box.value(), box_path, "type.object")) continue;
          check_keys(box.value(), box_path, kBoxTextKeys);
          if (auto label = string_member(box.value(), box_path, "label", false)) {
            out["boxes"][box.key()]["label"] = *label;
          }
          if (const Json* hint = member(box.value(), "hint");
              hint && expect(*hint, box_path + "/hint", "type.string")) {
            out["boxes"][box.key()]["hint"] = *hint;  // "" removes the hint
          }
        }
      } else if (contains(kTextKeys, item.key())) {
        if (auto s = nonblank_string(item.value(), item_path)) out[item.key()] = *s;
      }
    }
  }
  config_.texts = std::move(kept);
}

void Linter::lint_theme(const Json& root) {
  const Json* theme = member(root, "theme");
  if (!theme || !expect(*theme, "/theme", "type.object")) return;
  check_keys(*theme, "/theme", kThemeKeys);
  Json kept = Json::object();
  for (const auto& item : theme->items()) {
    if (!contains(kThemeKeys, item.key())) continue;
    const std::string path = pointer_append("/theme", item.key());
    if (!expect(item.value(), path, "type.string")) continue;
    const std::string& s = item.value().get_ref<const std::string&>();
    // Values become CSS custom properties: only plain colours, lengths and font names.
    std::string_view kind;
    if (item.key() == "colorScheme") {
      if (s != "auto" && s != "light" && s != "dark") {
        error("config_invalid_value", path,
              {{"where", path}, {"allowed", "\"auto\", \"light\", \"dark\""}, {"value", shown(s)}});
        continue;
      }
    } else if (contains(kThemeColorKeys, item.key())) {
      if (!is_hex_color(s)) kind = "theme.color";
    } else if (item.key() == "radius") {
      if (!is_css_length(s)) kind = "theme.length";
    } else if (!is_font_list(s)) {
      kind = "theme.font";
    }
    if (kind.empty()) {
      kept[item.key()] = s;
    } else {
      error("config_theme_invalid", path, {{"where", path}, {"kind", word(kind)}});
    }
  }
  config_.theme = std::move(kept);
}

}  // namespace config_lint

namespace {

using config_lint::Linter;

// The config's own locale when it is readable and supported, else the caller's.
std::string_view pick_locale(const Json& root, std::string_view fallback) {
  if (root.is_object()) {
    const auto it = root.find("locale");
    if (it != root.end() && it->is_string() && is_supported_locale(it->get_ref<const std::string&>())) {
      return text_locale(it->get_ref<const std::string&>());
    }
  }
  return text_locale(fallback);
}

struct Linted {
  LintReport report;
  std::optional<Config> config;
};

Linted lint(std::string_view text, std::string_view message_locale) {
  Linted out;
  Result<Json> parsed = parse_json_strict(text);
  if (!parsed.ok()) {
    const std::string_view locale = text_locale(message_locale);
    for (Problem p : parsed.problems()) {
      if (locale != "en") p.message = cachet::text("json", locale, {{"detail", p.message}});
      out.report.errors.push_back(std::move(p));
    }
    return out;
  }
  Linter linter(pick_locale(parsed.value(), message_locale));
  linter.run(parsed.value());
  out.report = std::move(linter.report());
  if (out.report.ok()) out.config = std::move(linter.config());
  return out;
}

}  // namespace

LintReport lint_config(std::string_view text, std::string_view message_locale) {
  return lint(text, message_locale).report;
}

Result<Config> load_config(std::string_view text, std::string_view message_locale) {
  Linted linted = lint(text, message_locale);
  if (!linted.config) return linted.report.errors;
  return std::move(*linted.config);
}

}  // namespace cachet
