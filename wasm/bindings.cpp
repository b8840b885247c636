// The Embind boundary of the WebAssembly modules (DESIGN.md 2). One source,
// two modules: cachet.wasm (the widget: lint, notice, choices, building a
// receipt) and, built with CACHET_WASM_VERIFY, cachet-verify.wasm
// (verification, RFC 8785, building notice bundles, and lint with its
// messages for a refused config), which the JS layer loads on first use.
//
// This file only declares what crosses; the conversions are in helpers.cpp.
// Only free functions cross, and only plain data: JSON text in, JSON text out.
// JS never owns a C++ object, so nothing needs delete(). Every result is an
// object {"ok": bool, ..., "errors": [{code, path, message}]}; the JS layer
// (web/core.mjs) turns errors into exceptions with a .code at its edge.
//
// Crypto runs in JS (WebCrypto is async): building and verifying a receipt are
// split in two phases around it (core/include/cachet/receipt.h). Bytes that
// must stay exact (hash inputs, signatures, payloads) cross as base64url.
#include <emscripten/bind.h>

#include "helpers.h"

EMSCRIPTEN_BINDINGS(cachet) {
#ifndef CACHET_WASM_VERIFY
  emscripten::function("notice", &cachet::wasm::notice);
  emscripten::function("decisions", &cachet::wasm::decisions);
  emscripten::function("validateChoices", &cachet::wasm::validate_choices);
  emscripten::function("planReceipt", &cachet::wasm::plan_receipt);
  emscripten::function("finishReceipt", &cachet::wasm::finish_receipt);
  emscripten::function("prepareSignature", &cachet::wasm::prepare_signature);
  emscripten::function("addSignature", &cachet::wasm::add_signature);
  emscripten::function("receiptText", &cachet::wasm::receipt_text);
  emscripten::function("uiText", &cachet::wasm::ui_text);
#else
  emscripten::function("lint", &cachet::wasm::lint);
  emscripten::function("planVerification", &cachet::wasm::plan_verification);
  emscripten::function("finishVerification", &cachet::wasm::finish_verification);
  emscripten::function("canonicalize", &cachet::wasm::canonicalize);
  emscripten::function("planBundle", &cachet::wasm::plan_bundle);
  emscripten::function("bundleContent", &cachet::wasm::bundle_content);
  emscripten::function("sealBundle", &cachet::wasm::seal_bundle);
#endif
}
