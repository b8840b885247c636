// Conversions behind the Embind declarations of bindings.cpp (the manifold
// shape: bindings.cpp only declares what crosses, helpers convert). Every
// function takes and returns plain data, JSON text: {"ok": bool, ...,
// "errors": [{code, path, message}]}. What each returns is described beside
// its body in helpers.cpp.
#pragma once

#include <string>

namespace cachet::wasm {

// The widget's own words (buttons, hints: ui.* in the core's message table)
// in `locale` resolved by the core's one rule, placeholders unfilled:
// {"ok": true, "locale": "fr", "locales": ["fr", "en", …], "texts": {"close": "Fermer", "showPartners": "… ({count})",
// …}}
// ("locales": every locale the table has, in its order).
std::string ui_text(const std::string& locale);

// The widget's module (cachet.wasm): notice, choices, building a receipt, JWS.
std::string notice(const std::string& config_text, const std::string& locale, const std::string& options_json);
std::string decisions(const std::string& config_text, const std::string& boxes_json, const std::string& locale);
std::string validate_choices(const std::string& config_text, const std::string& choices_json,
                             const std::string& locale);
std::string plan_receipt(const std::string& config_text, const std::string& choices_json,
                         const std::string& context_json);
std::string finish_receipt(const std::string& plan_json, const std::string& digests_json);
std::string prepare_signature(const std::string& public_jwk_json, const std::string& extra_json,
                              const std::string& payload);
std::string add_signature(const std::string& jws_json, const std::string& payload_b64, const std::string& header_json,
                          const std::string& signature_b64);
std::string receipt_text(const std::string& payload_json, const std::string& locale, const std::string& config_text);

// The verification module (cachet-verify.wasm).
// Lint with its messages (only this module carries them; wasm/CMakeLists.txt).
std::string lint(const std::string& config_text, const std::string& message_locale);
std::string plan_verification(const std::string& jws_text);
std::string finish_verification(const std::string& jws_text, const std::string& valid_json,
                                const std::string& thumbprints_json, const std::string& payload_sha256_hex,
                                const std::string& options_json);
std::string canonicalize(const std::string& text);
// `cachet build` for the Node API (cachet/bundle.h), around WebCrypto's SHA-256.
std::string plan_bundle(const std::string& config_text, const std::string& message_locale,
                        const std::string& locales_json);
std::string bundle_content(const std::string& content_json, const std::string& digests_json);
std::string seal_bundle(const std::string& canonical_content, const std::string& integrity_hex);

}  // namespace cachet::wasm
