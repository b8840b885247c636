// Conversions behind the Embind declarations of bindings.cpp: JSON text in,
// the core called, JSON text out (helpers.h).
#include "helpers.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cachet/bundle.h"
#include "cachet/canonical_json.h"
#include "cachet/choices.h"
#include "cachet/config.h"
#include "cachet/json.h"
#include "cachet/jws.h"
#include "cachet/lifecycle.h"
#include "cachet/messages.h"
#include "cachet/notice.h"
#include "cachet/receipt.h"

namespace cachet::wasm {
namespace {

std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string fail(const Problems& problems) {
  return dump({{"ok", false}, {"errors", cachet::problems_to_json(problems)}});
}

std::string fail(const char* code, const std::string& message) { return fail(Problems{{code, "", message}}); }

// Parses an argument the JS layer built; a failure here is a bug in web/.
// The core's strict parser, so the module carries one JSON parser, not two.
bool parse_arg(const std::string& text, Json& out) {
  auto parsed = cachet::parse_json_strict(text);
  if (!parsed.ok()) return false;
  out = std::move(parsed).value();
  return true;
}

#ifndef CACHET_WASM_VERIFY
std::string string_member(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The widget sends box states {"boxes": {id: ticked}, "contacts": {...}}; the
// core turns them into decisions (lifecycle.h). Choices given as decisions
// (the Node API) pass through.
cachet::Result<Json> decisions_of(const cachet::Config& config, const Json& choices, const std::string& locale) {
  if (!choices.is_object() || !choices.contains("boxes")) return choices;
  const auto& locales = cachet::supported_locales();
  const bool supported = std::find(locales.begin(), locales.end(), locale) != locales.end();
  const auto built = cachet::build_notice(config, supported ? locale : config.locale);
  if (!built.ok()) return built.problems();
  return cachet::decisions_from_boxes(config, built.value(), choices);
}

// Problems about a contact name the channels it serves, so that the widget
// shows each next to the right box without knowing which contact serves what.
std::string fail_choices(const cachet::Config& config, const Problems& problems) {
  Json errors = cachet::problems_to_json(problems);
  const bool has_mobile = config.fields.count("mobile") != 0;
  for (auto& error : errors) {
    const std::string path = error["path"].get<std::string>();
    Json channels = Json::array();
    if (path.rfind("/contacts/", 0) == 0) {
      for (const auto c : cachet::channels_served_by(path.substr(10), has_mobile))
        channels.push_back(cachet::to_string(c));
    } else if (path.rfind("/decisions/", 0) == 0) {
      channels.push_back(path.substr(11));
    }
    error["channels"] = channels;
  }
  return dump({{"ok", false}, {"errors", errors}});
}

cachet::ReceiptContext context_from(const Json& j) {
  cachet::ReceiptContext c;
  c.receipt_id = string_member(j, "receiptId");
  c.issued_at = string_member(j, "issuedAt");
  c.locale = string_member(j, "locale");
  c.collection_method = string_member(j, "collectionMethod");
  c.page_url = string_member(j, "pageUrl");
  c.agent = string_member(j, "agent");
  c.relayed_by = string_member(j, "relayedBy");
  c.challenge = string_member(j, "challenge");
  const auto gpc = j.find("globalPrivacyControl");
  c.global_privacy_control = gpc != j.end() && gpc->is_boolean() && gpc->get<bool>();
  c.supersedes = string_member(j, "supersedes");
  c.salt = string_member(j, "salt");
  // Keyed contact digests (receipt version 2): the per-receipt key the
  // server's challenge endpoint gave, base64url. Anything else is left empty
  // here and refused by the core as a bad key.
  if (const std::string key = string_member(j, "digestKey"); !key.empty()) {
    c.digest_key = cachet::base64url_decode(key).value_or(std::string("invalid"));
  }
  return c;
}
#endif  // !CACHET_WASM_VERIFY

}  // namespace

std::string ui_text(const std::string& locale) {
  const std::string_view resolved = text_locale(locale);
  const Json out = {{"ok", true},
                    {"locale", std::string(resolved)},
                    {"locales", supported_locales()},
                    {"texts", texts_with_prefix("ui.", resolved)}};
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// --- the widget's module (cachet.wasm) ---------------------------------------
// Verification and canonicalisation live in a second module (cachet-verify.wasm)
// that the widget never downloads: a signup form does not verify receipts.

#ifndef CACHET_WASM_VERIFY

// What the widget renders, plus the host settings it needs (field selectors,
// receipt input name) read by the core so web/ never interprets the config,
// and each box's initial state (options: {"globalPrivacyControl": bool}).
std::string notice(const std::string& config_text, const std::string& locale, const std::string& options_json) {
  Json options;
  if (!parse_arg(options_json, options) || !options.is_object())
    return fail("binding_bad_argument", "options is not a JSON object");
  const bool gpc = options.value("globalPrivacyControl", Json(false)) == Json(true);
  const auto config = cachet::load_config(config_text, locale);
  if (!config.ok()) return fail(config.problems());
  const cachet::Config& c = config.value();
  const std::string shown(cachet::text_locale(locale, c.locale));
  const auto built = cachet::build_notice(c, shown);
  if (!built.ok()) return fail(built.problems());
  Json initial = Json::object();
  for (const auto& [id, ticked] : cachet::initial_box_states(built.value(), gpc)) initial[id] = ticked;
  return dump({{"ok", true},
               {"notice", built.value().to_json()},
               {"initialBoxes", initial},
               {"canonical", cachet::canonical_notice(built.value())},
               {"partnerListCanonical", cachet::canonical_partner_list(c)},
               {"host", cachet::widget_host_settings(c)},
               {"errors", Json::array()}});
}

// Box states -> {ok, choices: {decisions, contacts}}.
std::string decisions(const std::string& config_text, const std::string& boxes_json, const std::string& locale) {
  const auto config = cachet::load_config(config_text, locale);
  if (!config.ok()) return fail(config.problems());
  Json boxes;
  if (!parse_arg(boxes_json, boxes)) return fail("binding_bad_argument", "box states are not JSON");
  const auto choices = decisions_of(config.value(), boxes, locale);
  if (!choices.ok()) return fail(choices.problems());
  return dump({{"ok", true}, {"choices", choices.value()}, {"errors", Json::array()}});
}

std::string validate_choices(const std::string& config_text, const std::string& choices_json,
                             const std::string& locale) {
  const auto config = cachet::load_config(config_text, locale);
  if (!config.ok()) return fail(config.problems());
  Json choices;
  if (!parse_arg(choices_json, choices)) return fail("binding_bad_argument", "choices is not JSON");
  const auto decided = decisions_of(config.value(), choices, locale);
  if (!decided.ok()) return fail_choices(config.value(), decided.problems());
  const auto parsed = cachet::parse_choices(config.value(), decided.value(), locale);
  if (!parsed.ok()) return fail_choices(config.value(), parsed.problems());
  return dump({{"ok", true}, {"errors", Json::array()}});
}

// Phase 1: {ok, plan: {draft, digestInputs: {name: base64url bytes}}}; for a
// keyed receipt also keyedInputs {name: base64url bytes} and digestKey
// (base64url): HMAC-SHA256 each keyed input under the key.
std::string plan_receipt(const std::string& config_text, const std::string& choices_json,
                         const std::string& context_json) {
  Json choices_arg;
  Json context_arg;
  if (!parse_arg(choices_json, choices_arg) || !parse_arg(context_json, context_arg) || !context_arg.is_object()) {
    return fail("binding_bad_argument", "choices or context is not JSON");
  }
  const auto context = context_from(context_arg);
  const auto config = cachet::load_config(config_text, context.locale);
  if (!config.ok()) return fail(config.problems());
  const auto superseding = !context.supersedes.empty();
  const auto decided = decisions_of(config.value(), choices_arg, context.locale);
  if (!decided.ok()) return fail(decided.problems());
  const auto choices = cachet::parse_choices(config.value(), decided.value(), context.locale, superseding);
  if (!choices.ok()) return fail(choices.problems());
  const auto plan = cachet::plan_receipt(config.value(), choices.value(), context);
  if (!plan.ok()) return fail(plan.problems());
  Json inputs = Json::object();
  for (const auto& [name, bytes] : plan.value().digest_inputs) inputs[name] = cachet::base64url_encode(bytes);
  Json out_plan = {{"draft", plan.value().draft}, {"digestInputs", inputs}};
  if (!plan.value().keyed_inputs.empty()) {
    Json keyed = Json::object();
    for (const auto& [name, bytes] : plan.value().keyed_inputs) keyed[name] = cachet::base64url_encode(bytes);
    out_plan["keyedInputs"] = keyed;
    out_plan["digestKey"] = cachet::base64url_encode(plan.value().digest_key);
  }
  return dump({{"ok", true}, {"plan", out_plan}, {"errors", Json::array()}});
}

// Phase 2: digests {name: hex} -> {ok, payload: canonical receipt text}.
std::string finish_receipt(const std::string& plan_json, const std::string& digests_json) {
  Json plan_arg;
  Json digests_arg;
  if (!parse_arg(plan_json, plan_arg) || !parse_arg(digests_json, digests_arg) || !plan_arg.is_object() ||
      !digests_arg.is_object()) {
    return fail("binding_bad_argument", "plan or digests is not a JSON object");
  }
  cachet::ReceiptPlan plan;
  if (const auto draft = plan_arg.find("draft"); draft != plan_arg.end()) plan.draft = *draft;
  if (const auto inputs = plan_arg.find("digestInputs"); inputs != plan_arg.end() && inputs->is_object()) {
    for (const auto& [name, b64] : inputs->items()) {
      const auto bytes = b64.is_string() ? cachet::base64url_decode(b64.get<std::string>()) : std::nullopt;
      if (!bytes) return fail("binding_bad_argument", "digest input " + name + " is not base64url");
      plan.digest_inputs[name] = *bytes;
    }
  }
  if (const auto inputs = plan_arg.find("keyedInputs"); inputs != plan_arg.end() && inputs->is_object()) {
    for (const auto& [name, b64] : inputs->items()) {
      const auto bytes = b64.is_string() ? cachet::base64url_decode(b64.get<std::string>()) : std::nullopt;
      if (!bytes) return fail("binding_bad_argument", "keyed digest input " + name + " is not base64url");
      plan.keyed_inputs[name] = *bytes;
    }
  }
  std::map<std::string, std::string> digests;
  for (const auto& [name, hex] : digests_arg.items()) {
    if (hex.is_string()) digests[name] = hex.get<std::string>();
  }
  const auto payload = cachet::finish_receipt_payload(plan, digests);
  if (!payload.ok()) return fail(payload.problems());
  return dump({{"ok", true}, {"payload", payload.value()}, {"errors", Json::array()}});
}

// {ok, protected: header object, payloadB64, signingInput} for the collector
// signature of `payload` (typ cachet-receipt+jws, docs/receipt.md) with the key
// whose public JWK is given (RFC 7515 section 5.1).
std::string prepare_signature(const std::string& public_jwk_json, const std::string& extra_json,
                              const std::string& payload) {
  Json jwk;
  Json extra;
  if (!parse_arg(public_jwk_json, jwk) || !parse_arg(extra_json, extra) || !extra.is_object()) {
    return fail("binding_bad_argument", "jwk or extra header is not JSON");
  }
  const auto pub = cachet::public_jwk(jwk);
  if (!pub.ok()) return fail(pub.problems());
  if (!extra.contains("typ")) extra["typ"] = std::string(cachet::kReceiptType);
  const Json header = cachet::make_protected_header(pub.value(), extra);
  const std::string payload_b64 = cachet::base64url_encode(payload);
  return dump({{"ok", true},
               {"protected", header},
               {"payloadB64", payload_b64},
               {"signingInput", cachet::make_signing_input(header, payload_b64)},
               {"errors", Json::array()}});
}

// Adds one signature (base64url of the raw bytes) to a JWS; `jws_json` "null"
// creates it. {ok, jws: general JSON serialisation text}.
std::string add_signature(const std::string& jws_json, const std::string& payload_b64, const std::string& header_json,
                          const std::string& signature_b64) {
  Json jws;
  Json header;
  if (!parse_arg(jws_json, jws) || !parse_arg(header_json, header)) {
    return fail("binding_bad_argument", "jws or header is not JSON");
  }
  const auto signature = cachet::base64url_decode(signature_b64);
  if (!signature) return fail("binding_bad_argument", "signature is not base64url");
  const Json out = cachet::add_signature(jws.is_null() ? Json() : jws, payload_b64, header, *signature);
  return dump({{"ok", true}, {"jws", dump(out)}, {"errors", Json::array()}});
}

// Human-readable copy of a receipt payload (Kantara CR section 4.7). With the
// config it was made under (config_text, may be ""), the copy names the partners.
std::string receipt_text(const std::string& payload_json, const std::string& locale, const std::string& config_text) {
  const auto payload = cachet::parse_json_strict(payload_json);
  if (!payload.ok()) return fail(payload.problems());
  std::optional<cachet::Config> config;
  if (!config_text.empty()) {
    auto loaded = cachet::load_config(config_text, locale);
    if (loaded.ok()) config = std::move(loaded.value());
  }
  return dump({{"ok", true},
               {"text", cachet::render_receipt_text(payload.value(), locale, config ? &*config : nullptr)},
               {"errors", Json::array()}});
}

#endif  // !CACHET_WASM_VERIFY

// --- verification (the separate, lazily loaded cachet-verify module) -------

#ifdef CACHET_WASM_VERIFY
// Lint with its messages, which only this module carries (wasm/CMakeLists.txt):
// the JS layer asks it when the widget's module refuses a config.
std::string lint(const std::string& config_text, const std::string& message_locale) {
  return dump(cachet::lint_config(config_text, message_locale).to_json());
}

// Phase 1 of verification: everything but the signature maths.
// {ok, payloadB64, payload, signatures: [{alg, jwk, signingInput, signature,
//  thumbprintInput}]}; thumbprintInput is the RFC 7638 section 3 JSON to hash.
std::string plan_verification(const std::string& jws_text) {
  const auto plan = cachet::plan_verification(jws_text);
  if (!plan.ok()) return fail(plan.problems());
  Json signatures = Json::array();
  for (const auto& s : plan.value().jws.signatures) {
    const auto pub = cachet::public_jwk(s.jwk);
    const auto thumb = pub.ok() ? cachet::canonicalize(pub.value()) : cachet::Result<std::string>(pub.problems());
    if (!thumb.ok()) return fail(thumb.problems());
    signatures.push_back({{"alg", s.alg},
                          {"jwk", s.jwk},
                          {"signingInput", s.signing_input},
                          {"signature", cachet::base64url_encode(s.signature)},
                          {"thumbprintInput", thumb.value()}});
  }
  return dump({{"ok", true},
               {"payloadB64", plan.value().jws.payload_b64},
               {"payload", plan.value().payload},
               {"signatures", signatures},
               {"errors", Json::array()}});
}

// Phase 2: results of the crypto per signature ->
// {ok, receipt: {payload, receiptId, payloadSha256, countersigned, countersignerKid}}.
std::string finish_verification(const std::string& jws_text, const std::string& valid_json,
                                const std::string& thumbprints_json, const std::string& payload_sha256_hex,
                                const std::string& options_json) {
  Json valid_arg;
  Json thumbs_arg;
  Json options_arg;
  if (!parse_arg(valid_json, valid_arg) || !parse_arg(thumbprints_json, thumbs_arg) ||
      !parse_arg(options_json, options_arg) || !valid_arg.is_array() || !thumbs_arg.is_array()) {
    return fail("binding_bad_argument", "verification results are not JSON arrays");
  }
  const auto plan = cachet::plan_verification(jws_text);
  if (!plan.ok()) return fail(plan.problems());
  std::vector<bool> valid;
  for (const auto& v : valid_arg) valid.push_back(v.is_boolean() && v.get<bool>());
  std::vector<std::string> thumbprints;
  for (const auto& t : thumbs_arg) thumbprints.push_back(t.is_string() ? t.get<std::string>() : std::string());
  cachet::VerifyOptions options;
  if (options_arg.is_object()) {
    if (const auto key = options_arg.find("trustedControllerKey"); key != options_arg.end() && key->is_object()) {
      options.trusted_controller_key = *key;
    }
  }
  const auto verified = cachet::finish_verification(plan.value(), valid, thumbprints, options, payload_sha256_hex);
  if (!verified.ok()) return fail(verified.problems());
  const auto& r = verified.value();
  return dump({{"ok", true},
               {"receipt",
                {{"payload", r.payload},
                 {"receiptId", r.receipt_id},
                 {"payloadSha256", r.payload_sha256},
                 {"countersigned", r.countersigned},
                 {"countersignerKid", r.countersigner_kid}}},
               {"errors", Json::array()}});
}

// The notice bundle (cachet/bundle.h), in three phases around WebCrypto's
// SHA-256. Phase 1 (locales_json: [] for every locale, or those to carry):
// {ok, content, digestInputs: {name: base64url bytes}}, or the config's lint errors.
std::string plan_bundle(const std::string& config_text, const std::string& message_locale,
                        const std::string& locales_json) {
  Json locales_arg;
  if (!parse_arg(locales_json, locales_arg) || !locales_arg.is_array()) {
    return fail("binding_bad_argument", "locales is not a JSON array");
  }
  std::vector<std::string> only;
  for (const auto& l : locales_arg) only.push_back(l.is_string() ? l.get<std::string>() : std::string("?"));
  const auto plan = cachet::plan_bundle(config_text, message_locale, only);
  if (!plan.ok()) return fail(plan.problems());
  Json inputs = Json::object();
  for (const auto& [name, bytes] : plan.value().digest_inputs) inputs[name] = cachet::base64url_encode(bytes);
  return dump({{"ok", true}, {"content", plan.value().content}, {"digestInputs", inputs}, {"errors", Json::array()}});
}

// Phase 2: content and digests {name: hex} -> {ok, content: its RFC 8785 text}.
std::string bundle_content(const std::string& content_json, const std::string& digests_json) {
  Json content;
  Json digests_arg;
  if (!parse_arg(content_json, content) || !parse_arg(digests_json, digests_arg) || !digests_arg.is_object()) {
    return fail("binding_bad_argument", "content or digests is not JSON");
  }
  std::map<std::string, std::string> digests;
  for (const auto& [name, hex] : digests_arg.items()) digests[name] = hex.is_string() ? hex.get<std::string>() : "";
  const auto canonical = cachet::bundle_content(std::move(content), digests);
  if (!canonical.ok()) return fail(canonical.problems());
  return dump({{"ok", true}, {"content", canonical.value()}, {"errors", Json::array()}});
}

// Phase 3: {ok, bundle: the file's exact text}.
std::string seal_bundle(const std::string& canonical_content, const std::string& integrity_hex) {
  return dump(
      {{"ok", true}, {"bundle", cachet::seal_bundle(canonical_content, integrity_hex)}, {"errors", Json::array()}});
}

// RFC 8785: {ok, canonical}.
std::string canonicalize(const std::string& text) {
  const auto canonical = cachet::canonicalize_text(text);
  if (!canonical.ok()) return fail(canonical.problems());
  return dump({{"ok", true}, {"canonical", canonical.value()}, {"errors", Json::array()}});
}

#endif  // CACHET_WASM_VERIFY

}  // namespace cachet::wasm
