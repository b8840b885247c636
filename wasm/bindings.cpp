// The boundary of the widget's WebAssembly module (DESIGN.md 2).
//
// Only free functions cross, and only plain data: JSON text in, JSON text out.
// JS never owns a C++ object. Every result is an object
// {"ok": bool, ..., "errors": [{code, path, message}]}; the JS layer
// (web/core.mjs) turns errors into exceptions with a .code at its edge.
//
// Plain `extern "C"` exports rather than Embind, on purpose: measured on this
// module, Embind cost about 6.5 KB of the 60 KB gzip budget (its JS glue was
// 6.4 KB gzip against 2.0 KB without it, plus its type registry and RTTI in
// the wasm), for a boundary that only ever moves strings. The calling
// convention stays the squoosh one: every export takes its UTF-8 arguments as
// (pointer, length) pairs the caller allocated, and returns a malloc'd,
// NUL-terminated JSON text that the caller frees (web/core.mjs does both).
//
// Crypto runs in JS (WebCrypto is async): building and verifying a receipt are
// split in two phases around it (core/include/cachet/receipt.h). Bytes that
// must stay exact (hash inputs, signatures, payloads) cross as base64url.
//
// Size notes (the module is what the browser downloads): arguments are parsed
// with the core's strict parser and results are written with its RFC 8785
// writer, so the module holds one JSON parser and one JSON writer, not two.
#include <emscripten/emscripten.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/canonical_json.h"
#include "cachet/choices.h"
#include "cachet/config.h"
#include "cachet/json.h"
#include "cachet/jws.h"
#include "cachet/notice.h"
#include "cachet/receipt.h"

namespace {

using cachet::Json;
using cachet::Problems;

Json problems_json(const Problems& problems) {
  Json out = Json::array();
  for (const auto& p : problems) {
    Json item = Json::object();
    item["code"] = p.code;
    item["path"] = p.path;
    item["message"] = p.message;
    out.push_back(std::move(item));
  }
  return out;
}

// The text handed back to JS. Everything written here comes from parsed
// (UTF-8 checked) input or from the core's own texts, so the writer cannot
// fail; if it ever did, JS still gets a well-formed error instead of bad JSON.
std::string dump(const Json& value) {
  auto text = cachet::canonicalize(value);
  if (text.ok()) return std::move(text).value();
  return R"({"ok":false,"errors":[{"code":"binding_bad_output","path":"","message":"The result could not be written as JSON."}]})";
}

std::string fail(const Problems& problems) {
  Json out = Json::object();
  out["ok"] = false;
  out["errors"] = problems_json(problems);
  return dump(out);
}

std::string fail(const char* code, const std::string& message) { return fail(Problems{{code, "", message}}); }

// {"ok": true, "errors": []} plus the members the caller adds.
Json success() {
  Json out = Json::object();
  out["ok"] = true;
  out["errors"] = Json::array();
  return out;
}

// Parses an argument the JS layer built with JSON.stringify; a failure here is
// a bug in web/.
bool parse_arg(std::string_view text, Json& out) {
  auto parsed = cachet::parse_json_strict(text);
  if (!parsed.ok()) return false;
  out = std::move(parsed).value();
  return true;
}

std::string string_member(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Json notice_json(const cachet::Notice& n) {
  Json partners = Json::array();
  for (const auto& p : n.partners) {
    Json item = Json::object();
    item["id"] = p.id;
    item["name"] = p.name;
    item["privacyPolicyUrl"] = p.privacy_policy_url;
    item["sector"] = p.sector;
    partners.push_back(std::move(item));
  }
  Json boxes = Json::array();
  for (const auto& b : n.boxes) {
    Json channels = Json::array();
    for (const auto c : b.channels) channels.push_back(std::string(cachet::to_string(c)));
    Json box = Json::object();
    box["id"] = b.id;
    box["basis"] = std::string(cachet::to_string(b.basis));
    box["channels"] = std::move(channels);
    box["label"] = b.label;
    box["hint"] = b.hint;
    boxes.push_back(std::move(box));
  }
  Json out = Json::object();
  out["locale"] = n.locale;
  out["configVersion"] = n.config_version;
  out["heading"] = n.heading;
  out["intro"] = n.intro;
  out["recipients"] = n.recipients;
  out["partnerSummary"] = n.partner_summary;
  out["partnerListTitle"] = n.partner_list_title;
  out["partnerListUrl"] = n.partner_list_url;
  out["partnerListUpdatedAt"] = n.partner_list_updated_at;
  out["partners"] = std::move(partners);
  out["boxes"] = std::move(boxes);
  out["rights"] = n.rights;
  out["privacyPolicyLabel"] = n.privacy_policy_label;
  out["privacyPolicyUrl"] = n.privacy_policy_url;
  return out;
}

// --- config ----------------------------------------------------------------

std::string lint(std::string_view config_text, std::string_view message_locale) {
  return dump(cachet::lint_config(config_text, message_locale).to_json());
}

// What the widget renders, plus the host settings it needs (field selectors,
// receipt input name) read by the core so web/ never interprets the config.
// A config the core refuses comes back with every lint error, so the widget
// needs this one call, not lint then notice.
std::string notice(std::string_view config_text, std::string_view requested) {
  const std::string locale(requested);
  const auto config = cachet::load_config(config_text, locale);
  if (!config.ok()) return fail(config.problems());
  const cachet::Config& c = config.value();
  bool supported = false;
  for (const auto& l : cachet::supported_locales()) supported = supported || l == locale;
  const std::string shown = supported ? locale : c.locale;
  const auto built = cachet::build_notice(c, shown);
  if (!built.ok()) return fail(built.problems());
  Json fields = Json::object();
  for (const auto& [kind, selector] : c.fields) fields[kind] = selector;
  Json host = Json::object();
  host["locale"] = c.locale;
  host["fields"] = std::move(fields);
  host["receiptInput"] = c.receipt_input;
  host["theme"] = c.theme;
  Json out = success();
  out["notice"] = notice_json(built.value());
  out["canonical"] = cachet::canonical_notice(built.value());
  out["partnerListCanonical"] = cachet::canonical_partner_list(c);
  out["host"] = std::move(host);
  return dump(out);
}

// --- choices and receipts --------------------------------------------------

std::string validate_choices(std::string_view config_text, std::string_view choices_json,
                             std::string_view locale) {
  const auto config = cachet::load_config(config_text, locale);
  if (!config.ok()) return fail(config.problems());
  Json choices;
  if (!parse_arg(choices_json, choices)) return fail("binding_bad_argument", "choices is not JSON");
  const auto parsed = cachet::parse_choices(config.value(), choices, locale);
  if (!parsed.ok()) return fail(parsed.problems());
  return dump(success());
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
  return c;
}

// Phase 1: {ok, plan: {draft, digestInputs: {name: base64url bytes}}}.
std::string plan_receipt(std::string_view config_text, std::string_view choices_json,
                         std::string_view context_json) {
  Json choices_arg;
  Json context_arg;
  if (!parse_arg(choices_json, choices_arg) || !parse_arg(context_json, context_arg) || !context_arg.is_object()) {
    return fail("binding_bad_argument", "choices or context is not JSON");
  }
  const auto context = context_from(context_arg);
  const auto config = cachet::load_config(config_text, context.locale);
  if (!config.ok()) return fail(config.problems());
  const auto superseding = !context.supersedes.empty();
  const auto choices = cachet::parse_choices(config.value(), choices_arg, context.locale, superseding);
  if (!choices.ok()) return fail(choices.problems());
  const auto plan = cachet::plan_receipt(config.value(), choices.value(), context);
  if (!plan.ok()) return fail(plan.problems());
  Json inputs = Json::object();
  for (const auto& [name, bytes] : plan.value().digest_inputs) inputs[name] = cachet::base64url_encode(bytes);
  Json planned = Json::object();
  planned["draft"] = plan.value().draft;
  planned["digestInputs"] = std::move(inputs);
  Json out = success();
  out["plan"] = std::move(planned);
  return dump(out);
}

// Phase 2: digests {name: hex} -> {ok, payload: canonical receipt text}.
std::string finish_receipt(std::string_view plan_json, std::string_view digests_json) {
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
  std::map<std::string, std::string> digests;
  for (const auto& [name, hex] : digests_arg.items()) {
    if (hex.is_string()) digests[name] = hex.get<std::string>();
  }
  const auto payload = cachet::finish_receipt_payload(plan, digests);
  if (!payload.ok()) return fail(payload.problems());
  Json out = success();
  out["payload"] = payload.value();
  return dump(out);
}

// --- JWS -------------------------------------------------------------------

// {ok, protected: header object, payloadB64, signingInput} for the collector
// signature of `payload` (typ cachet-receipt+jws, docs/receipt.md) with the key
// whose public JWK is given (RFC 7515 section 5.1).
std::string prepare_signature(std::string_view public_jwk_json, std::string_view extra_json,
                              std::string_view payload) {
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
  Json out = success();
  out["protected"] = header;
  out["payloadB64"] = payload_b64;
  out["signingInput"] = cachet::make_signing_input(header, payload_b64);
  return dump(out);
}

// Adds one signature (base64url of the raw bytes) to a JWS; `jws_json` "null"
// creates it. {ok, jws: general JSON serialisation text}.
std::string add_signature(std::string_view jws_json, std::string_view payload_b64,
                          std::string_view header_json, std::string_view signature_b64) {
  Json jws;
  Json header;
  if (!parse_arg(jws_json, jws) || !parse_arg(header_json, header)) {
    return fail("binding_bad_argument", "jws or header is not JSON");
  }
  const auto signature = cachet::base64url_decode(signature_b64);
  if (!signature) return fail("binding_bad_argument", "signature is not base64url");
  const Json signed_jws = cachet::add_signature(jws.is_null() ? Json() : jws, payload_b64, header, *signature);
  Json out = success();
  out["jws"] = dump(signed_jws);
  return dump(out);
}

// Phase 1 of verification: everything but the signature maths.
// {ok, payloadB64, payload, signatures: [{alg, jwk, signingInput, signature,
//  thumbprintInput}]}; thumbprintInput is the RFC 7638 section 3 JSON to hash.
std::string plan_verification(std::string_view jws_text) {
  const auto plan = cachet::plan_verification(jws_text);
  if (!plan.ok()) return fail(plan.problems());
  Json signatures = Json::array();
  for (const auto& s : plan.value().jws.signatures) {
    const auto pub = cachet::public_jwk(s.jwk);
    const auto thumb = pub.ok() ? cachet::canonicalize(pub.value()) : cachet::Result<std::string>(pub.problems());
    if (!thumb.ok()) return fail(thumb.problems());
    Json item = Json::object();
    item["alg"] = s.alg;
    item["jwk"] = s.jwk;
    item["signingInput"] = s.signing_input;
    item["signature"] = cachet::base64url_encode(s.signature);
    item["thumbprintInput"] = thumb.value();
    signatures.push_back(std::move(item));
  }
  Json out = success();
  out["payloadB64"] = plan.value().jws.payload_b64;
  out["payload"] = plan.value().payload;
  out["signatures"] = std::move(signatures);
  return dump(out);
}

// Phase 2: results of the crypto per signature ->
// {ok, receipt: {payload, receiptId, payloadSha256, countersigned, countersignerKid}}.
std::string finish_verification(std::string_view jws_text, std::string_view valid_json,
                                std::string_view thumbprints_json, std::string_view payload_sha256_hex,
                                std::string_view options_json) {
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
  const auto verified =
      cachet::finish_verification(plan.value(), valid, thumbprints, options, std::string(payload_sha256_hex));
  if (!verified.ok()) return fail(verified.problems());
  const auto& r = verified.value();
  Json receipt = Json::object();
  receipt["payload"] = r.payload;
  receipt["receiptId"] = r.receipt_id;
  receipt["payloadSha256"] = r.payload_sha256;
  receipt["countersigned"] = r.countersigned;
  receipt["countersignerKid"] = r.countersigner_kid;
  Json out = success();
  out["receipt"] = std::move(receipt);
  return dump(out);
}

// --- misc ------------------------------------------------------------------

// RFC 8785: {ok, canonical}.
std::string canonicalize(std::string_view text) {
  const auto canonical = cachet::canonicalize_text(text);
  if (!canonical.ok()) return fail(canonical.problems());
  Json out = success();
  out["canonical"] = canonical.value();
  return dump(out);
}

// Human-readable copy of a receipt payload (Kantara CR section 4.7).
std::string receipt_text(std::string_view payload_json, std::string_view locale) {
  const auto payload = cachet::parse_json_strict(payload_json);
  if (!payload.ok()) return fail(payload.problems());
  Json out = success();
  out["text"] = cachet::render_receipt_text(payload.value(), locale);
  return dump(out);
}

// The result crosses as a malloc'd C string; web/core.mjs frees it.
char* give(const std::string& text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out) std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

using Arg = const char*;
std::string_view sv(Arg p, std::size_t n) { return n ? std::string_view(p, n) : std::string_view(); }

}  // namespace

// The exports (web/core.mjs names them without the cachet_ prefix).
extern "C" {
EMSCRIPTEN_KEEPALIVE char* cachet_lint(Arg a, std::size_t an, Arg b, std::size_t bn) {
  return give(lint(sv(a, an), sv(b, bn)));
}
EMSCRIPTEN_KEEPALIVE char* cachet_notice(Arg a, std::size_t an, Arg b, std::size_t bn) {
  return give(notice(sv(a, an), sv(b, bn)));
}
EMSCRIPTEN_KEEPALIVE char* cachet_validateChoices(Arg a, std::size_t an, Arg b, std::size_t bn, Arg c, std::size_t cn) {
  return give(validate_choices(sv(a, an), sv(b, bn), sv(c, cn)));
}
EMSCRIPTEN_KEEPALIVE char* cachet_planReceipt(Arg a, std::size_t an, Arg b, std::size_t bn, Arg c, std::size_t cn) {
  return give(plan_receipt(sv(a, an), sv(b, bn), sv(c, cn)));
}
EMSCRIPTEN_KEEPALIVE char* cachet_finishReceipt(Arg a, std::size_t an, Arg b, std::size_t bn) {
  return give(finish_receipt(sv(a, an), sv(b, bn)));
}
EMSCRIPTEN_KEEPALIVE char* cachet_prepareSignature(Arg a, std::size_t an, Arg b, std::size_t bn, Arg c, std::size_t cn) {
  return give(prepare_signature(sv(a, an), sv(b, bn), sv(c, cn)));
}
EMSCRIPTEN_KEEPALIVE char* cachet_addSignature(Arg a, std::size_t an, Arg b, std::size_t bn, Arg c, std::size_t cn,
                                               Arg d, std::size_t dn) {
  return give(add_signature(sv(a, an), sv(b, bn), sv(c, cn), sv(d, dn)));
}
EMSCRIPTEN_KEEPALIVE char* cachet_planVerification(Arg a, std::size_t an) { return give(plan_verification(sv(a, an))); }
EMSCRIPTEN_KEEPALIVE char* cachet_finishVerification(Arg a, std::size_t an, Arg b, std::size_t bn, Arg c,
                                                     std::size_t cn, Arg d, std::size_t dn, Arg e, std::size_t en) {
  return give(finish_verification(sv(a, an), sv(b, bn), sv(c, cn), sv(d, dn), sv(e, en)));
}
EMSCRIPTEN_KEEPALIVE char* cachet_canonicalize(Arg a, std::size_t an) { return give(canonicalize(sv(a, an))); }
EMSCRIPTEN_KEEPALIVE char* cachet_receiptText(Arg a, std::size_t an, Arg b, std::size_t bn) {
  return give(receipt_text(sv(a, an), sv(b, bn)));
}
}
