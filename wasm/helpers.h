// Conversions behind the Embind declarations of bindings.cpp (the manifold
// shape: bindings.cpp only declares what crosses, helpers convert).
#pragma once

#include <string>

namespace cachet::wasm {

// The widget's own words (buttons, hints: ui.* in the core's message table)
// in `locale` resolved by the core's one rule, placeholders unfilled:
// {"ok": true, "locale": "fr", "texts": {"close": "Fermer", "showPartners": "… ({count})", …}}.
std::string ui_text(const std::string& locale);

}  // namespace cachet::wasm
