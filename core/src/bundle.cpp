#include "cachet/bundle.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "cachet/canonical_json.h"
#include "cachet/json.h"
#include "cachet/jws.h"
#include "cachet/lifecycle.h"
#include "cachet/messages.h"
#include "cachet/notice.h"

namespace cachet {
namespace {

constexpr std::string_view kNoticePrefix = "notice/";

bool is_lower_hex64(const std::string& text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Json box_states_json(const Notice& notice, bool gpc) {
  Json out = Json::object();
  for (const auto& [id, ticked] : initial_box_states(notice, gpc)) out[id] = ticked;
  return out;
}

// Where a digest goes in the content (member names from the root), or
// nothing for an unknown name. Navigated by hand, not by JSON Pointer: a
// pointer built from a hostile name would abort the exception-free wasm build.
std::vector<std::string> digest_place(const std::string& name) {
  if (name == "config") return {"configSha256"};
  if (name == "partnerList") return {"partnerListSha256"};
  if (name.rfind(kNoticePrefix, 0) == 0) {
    std::string locale = name.substr(kNoticePrefix.size());
    if (is_supported_locale(locale)) return {"locales", std::move(locale), "noticeSha256"};
  }
  return {};
}

// The string member at `place` (its parents objects), or null.
Json* member_at(Json& root, const std::vector<std::string>& place) {
  Json* at = &root;
  for (const std::string& key : place) {
    if (!at->is_object()) return nullptr;
    const auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at->is_string() ? at : nullptr;
}

std::string pointer_of(const std::vector<std::string>& place) {
  std::string out;
  for (const std::string& key : place) out = pointer_append(out, key);
  return out;
}

}  // namespace

Json widget_host_settings(const Config& config) {
  Json fields = Json::object();
  for (const auto& [kind, selector] : config.fields) fields[kind] = selector;
  return {
      {"locale", config.locale}, {"fields", fields}, {"receiptInput", config.receipt_input}, {"theme", config.theme}};
}

Result<BundlePlan> plan_bundle(std::string_view config_text, std::string_view message_locale,
                               const std::vector<std::string>& only) {
  Problems unsupported;
  for (const std::string& locale : only) {
    if (!is_supported_locale(locale)) {
      const std::string_view said = text_locale(message_locale);
      unsupported.push_back(
          {"bundle_locale_unsupported", "",
           text("notice_locale_unsupported", said, {{"value", locale}, {"allowed", locale_choices(said)}})});
    }
  }
  if (!unsupported.empty()) return unsupported;
  const LintReport report = lint_config(config_text, message_locale);
  if (!report.ok()) return report.errors;
  Result<Config> loaded = load_config(config_text, message_locale);
  if (!loaded.ok()) return loaded.problems();
  const Config& config = loaded.value();
  Result<std::string> canonical_config = canonicalize(config.raw);
  if (!canonical_config.ok()) return canonical_config.problems();

  BundlePlan plan;
  plan.digest_inputs["config"] = std::move(canonical_config).value();
  plan.digest_inputs["partnerList"] = canonical_partner_list(config);
  Json locales = Json::object();
  // Every locale the core speaks: the page picks one with the same rule as
  // the core (its own when supported, else defaultLocale).
  const std::string default_locale(text_locale(config.locale));
  for (const std::string& locale : supported_locales()) {
    if (!only.empty() && locale != default_locale && std::find(only.begin(), only.end(), locale) == only.end()) {
      continue;
    }
    Result<Notice> notice = build_notice(config, locale);
    if (!notice.ok()) return notice.problems();
    const Notice& n = notice.value();
    plan.digest_inputs[std::string(kNoticePrefix) + locale] = canonical_notice(n);
    locales[locale] = {
        {"notice", n.to_json()},
        {"noticeSha256", ""},
        {"initialBoxes", {{"default", box_states_json(n, false)}, {"globalPrivacyControl", box_states_json(n, true)}}},
        {"ui", texts_with_prefix("ui.", locale)}};
  }
  plan.content = {{"bundleVersion", kBundleVersion},
                  {"configVersion", config.config_version},
                  {"configSha256", ""},
                  {"partnerListSha256", ""},
                  {"defaultLocale", default_locale},
                  {"supportedLocales", supported_locales()},
                  {"host", widget_host_settings(config)},
                  {"lint", report.to_json()},
                  {"locales", std::move(locales)}};
  return plan;
}

Result<std::string> bundle_content(Json content, const std::map<std::string, std::string>& hex_digests) {
  Problems problems;
  for (const auto& [name, hex] : hex_digests) {
    const std::vector<std::string> place = digest_place(name);
    Json* slot = place.empty() ? nullptr : member_at(content, place);
    if (slot == nullptr) {
      problems.push_back({"bundle_bad_digest", "", "The bundle has no digest called \"" + name + "\"."});
    } else if (!is_lower_hex64(hex)) {
      problems.push_back(
          {"bundle_bad_digest", pointer_of(place), "The " + name + " digest is not 64 lower-case hex digits."});
    } else {
      *slot = hex;
    }
  }
  // Every digest the plan left empty must now be there.
  std::vector<std::vector<std::string>> places = {{"configSha256"}, {"partnerListSha256"}};
  if (const auto locales = content.find("locales"); locales != content.end() && locales->is_object()) {
    for (const auto& entry : locales->items()) places.push_back({"locales", entry.key(), "noticeSha256"});
  }
  for (const auto& place : places) {
    const Json* slot = member_at(content, place);
    if (slot == nullptr || !is_lower_hex64(slot->get_ref<const std::string&>())) {
      problems.push_back(
          {"bundle_missing_digest", pointer_of(place), "The bundle lacks its digest at " + pointer_of(place) + "."});
    }
  }
  if (!problems.empty()) return problems;
  return canonicalize(content);
}

std::string seal_bundle(std::string_view canonical_content, std::string_view integrity_hex) {
  // {"content": …, "integritySha256": …} with its members in RFC 8785 order:
  // the file is itself canonical JSON.
  std::string out = "{\"content\":";
  out.append(canonical_content);
  out.append(",\"integritySha256\":\"");
  out.append(integrity_hex);
  out.append("\"}\n");
  return out;
}

Result<std::string> build_bundle(std::string_view config_text, const CryptoProvider& crypto,
                                 std::string_view message_locale, const std::vector<std::string>& only) {
  Result<BundlePlan> plan = plan_bundle(config_text, message_locale, only);
  if (!plan.ok()) return plan.problems();
  std::map<std::string, std::string> digests;
  for (const auto& [name, bytes] : plan.value().digest_inputs) digests[name] = hex_encode(crypto.sha256(bytes));
  Result<std::string> content = bundle_content(std::move(plan.value().content), digests);
  if (!content.ok()) return content.problems();
  return seal_bundle(content.value(), hex_encode(crypto.sha256(content.value())));
}

}  // namespace cachet
