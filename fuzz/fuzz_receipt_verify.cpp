// Fuzz target: receipt verification (`cachet verify`, `cachet serve`), the one
// parser that takes bytes straight from the internet. verify_receipt must never
// crash, hang or throw, and must accept a receipt only in a state it can
// account for: its payload is canonical, its identifiers hash the exact bytes
// that were signed, and accepting it again (as stored) gives the same verdict.
//
// Two input modes. By default the bytes are the receipt text. An input that
// starts with byte 0x01 is a receipt *payload*: the target signs it with a
// fixed collector key and verifies the JWS it makes, so that mutations reach
// the payload schema and the acceptance paths instead of dying in base64url
// (a byte flip in a base64url payload rarely makes another JSON value).
// Either way, any input that is a JSON value also goes through
// render_receipt_text, which the wasm module exposes on arbitrary payloads.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cachet/canonical_json.h"
#include "cachet/jws.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"
#include "fuzz_check.h"

namespace {

// The controller key that countersigned the seeds (fuzz/seeds/controller-key.json
// holds its private half, used only by fuzz/make-seeds.sh), so that the fuzzer
// reaches the "trusted countersigner" branch as well as the refusals.
constexpr std::string_view kTrustedControllerKey =
    R"({"crv":"Ed25519","kty":"OKP","x":"LeZmW6m8rgGJgAhlVbS8uez38BV6ZYMNJ9g9kprIO20"})";

// A throwaway collector key for the payload mode; it protects nothing.
constexpr std::string_view kCollectorKey =
    R"({"crv":"Ed25519","d":"i418Cowgto7XQc_qOVAiXIb79bKUBSN0hNLGVVrwCow","kty":"OKP",)"
    R"("x":"BQmQslkc6dgHVK1QhKDFskZgA8GuqfUiiBjhMMJrfGE"})";

const cachet::CryptoProvider& crypto() {
  static const std::unique_ptr<cachet::CryptoProvider> provider = cachet::make_openssl_crypto();
  return *provider;
}

void check_accepted(const cachet::VerifiedReceipt& receipt, std::string_view text) {
  const cachet::Result<std::string> canonical = cachet::canonicalize(receipt.payload);
  CACHET_FUZZ_CHECK(canonical.ok(), "an accepted payload canonicalises");
  CACHET_FUZZ_CHECK(receipt.payload_sha256 == cachet::hex_encode(crypto().sha256(canonical.value())),
                    "payload_sha256 covers the canonical payload");
  CACHET_FUZZ_CHECK(!receipt.receipt_id.empty(), "an accepted receipt has an id");
  CACHET_FUZZ_CHECK(!cachet::render_receipt_text(receipt.payload, "fr").empty(), "human-readable copy (fr)");
  CACHET_FUZZ_CHECK(!cachet::render_receipt_text(receipt.payload, "en").empty(), "human-readable copy (en)");
  // What the ledger stores (the JWS as parsed, flattened made general) verifies again, identically.
  const std::string stored = receipt.jws.dump();
  if (stored != text) {
    const cachet::Result<cachet::VerifiedReceipt> again = cachet::verify_receipt(stored, crypto());
    CACHET_FUZZ_CHECK(again.ok(), "the stored form of an accepted receipt verifies");
    CACHET_FUZZ_CHECK(again.value().payload_sha256 == receipt.payload_sha256, "and names the same payload");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  // The human-readable copy takes any JSON (wasm receiptText does exactly this).
  const std::string_view json_text = size > 0 && data[0] == 0x01 ? text.substr(1) : text;
  if (const cachet::Result<cachet::Json> value = cachet::parse_json_strict(json_text); value.ok()) {
    (void)cachet::render_receipt_text(value.value(), "fr");
    (void)cachet::render_receipt_text(value.value(), "en");
  }

  std::string signed_text;
  if (size > 0 && data[0] == 0x01) {
    static const cachet::Json collector = cachet::Json::parse(kCollectorKey);
    const cachet::Result<cachet::Json> jws =
        cachet::sign_jws(json_text, collector, crypto(), cachet::Json{{"typ", cachet::kReceiptType}});
    CACHET_FUZZ_CHECK(jws.ok(), "signing any payload works");
    signed_text = jws.value().dump();
    text = signed_text;
  }

  const cachet::Result<cachet::VerifiedReceipt> plain = cachet::verify_receipt(text, crypto());
  if (plain.ok()) {
    check_accepted(plain.value(), text);
  } else {
    for (const cachet::Problem& problem : plain.problems()) {
      CACHET_FUZZ_CHECK(!problem.code.empty() && !problem.message.empty(), "every refusal has a code and a message");
    }
  }

  static const cachet::Json trusted = cachet::Json::parse(kTrustedControllerKey);
  cachet::VerifyOptions options;
  options.trusted_controller_key = trusted;
  const cachet::Result<cachet::VerifiedReceipt> strict = cachet::verify_receipt(text, crypto(), options);
  if (strict.ok()) {
    CACHET_FUZZ_CHECK(plain.ok(), "a trusted key never makes a refused receipt acceptable");
    CACHET_FUZZ_CHECK(strict.value().countersigned, "trusted means countersigned");
    CACHET_FUZZ_CHECK(strict.value().countersigner_kid == cachet::jwk_thumbprint(trusted, crypto()).value(),
                      "by the trusted key");
  }
  return 0;
}
