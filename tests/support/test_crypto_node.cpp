// CryptoProvider for the wasm build of the test suite, on Node's built-in
// `crypto` module, called synchronously through EM_JS. Only tests use it: the
// widget uses WebCrypto through the two-phase functions of receipt.h.
//
// Bytes cross the boundary as hex strings; results come back through a buffer
// the C++ side allocates and sizes, so JS never mallocs and nothing leaks.
#include <emscripten.h>

#include <optional>
#include <string>
#include <vector>

#include "cachet/jws.h"
#include "test_crypto.h"

// Each function returns 1 on success, 0 on any failure (never throws into C++).
// clang-format off
EM_JS(int, cachet_node_sha256, (const char* data_hex, char* out, int out_size), {
  try {
    var crypto = require("crypto");
    var digest = crypto.createHash("sha256").update(Buffer.from(UTF8ToString(data_hex), "hex")).digest("hex");
    stringToUTF8(digest, out, out_size);
    return 1;
  } catch (e) {
    return 0;
  }
});

EM_JS(int, cachet_node_hmac_sha256, (const char* key_hex, const char* data_hex, char* out, int out_size), {
  try {
    var crypto = require("crypto");
    var mac = crypto.createHmac("sha256", Buffer.from(UTF8ToString(key_hex), "hex"))
        .update(Buffer.from(UTF8ToString(data_hex), "hex")).digest("hex");
    stringToUTF8(mac, out, out_size);
    return 1;
  } catch (e) {
    return 0;
  }
});

EM_JS(int, cachet_node_hkdf_sha256, (const char* ikm_hex, const char* info_hex, int length, char* out, int out_size), {
  try {
    var crypto = require("crypto");
    var key = crypto.hkdfSync("sha256", Buffer.from(UTF8ToString(ikm_hex), "hex"), Buffer.alloc(0),
                              Buffer.from(UTF8ToString(info_hex), "hex"), length);
    stringToUTF8(Buffer.from(key).toString("hex"), out, out_size);
    return 1;
  } catch (e) {
    return 0;
  }
});

EM_JS(int, cachet_node_random, (int count, char* out, int out_size), {
  try {
    stringToUTF8(require("crypto").randomBytes(count).toString("hex"), out, out_size);
    return 1;
  } catch (e) {
    return 0;
  }
});

// Ed25519 takes no digest (RFC 8032); ES256 signatures are raw r||s, which Node
// calls "ieee-p1363" (RFC 7518 section 3.4).
EM_JS(int, cachet_node_verify, (const char* alg, const char* jwk_json, const char* data_hex, const char* sig_hex), {
  try {
    var crypto = require("crypto");
    var key = crypto.createPublicKey({key: JSON.parse(UTF8ToString(jwk_json)), format: "jwk"});
    var data = Buffer.from(UTF8ToString(data_hex), "hex");
    var sig = Buffer.from(UTF8ToString(sig_hex), "hex");
    var ok = UTF8ToString(alg) === "ES256"
        ? crypto.verify("sha256", data, {key: key, dsaEncoding: "ieee-p1363"}, sig)
        : crypto.verify(null, data, key, sig);
    return ok ? 1 : 0;
  } catch (e) {
    return 0;
  }
});

EM_JS(int, cachet_node_sign, (const char* alg, const char* jwk_json, const char* data_hex, char* out, int out_size), {
  try {
    var crypto = require("crypto");
    var key = crypto.createPrivateKey({key: JSON.parse(UTF8ToString(jwk_json)), format: "jwk"});
    var data = Buffer.from(UTF8ToString(data_hex), "hex");
    var sig = UTF8ToString(alg) === "ES256"
        ? crypto.sign("sha256", data, {key: key, dsaEncoding: "ieee-p1363"})
        : crypto.sign(null, data, key);
    stringToUTF8(sig.toString("hex"), out, out_size);
    return 1;
  } catch (e) {
    return 0;
  }
});

EM_JS(int, cachet_node_generate_ed25519, (char* out, int out_size), {
  try {
    var pair = require("crypto").generateKeyPairSync("ed25519");
    var jwk = pair.privateKey.export({format: "jwk"});
    stringToUTF8(JSON.stringify({kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d}), out, out_size);
    return 1;
  } catch (e) {
    return 0;
  }
});
// clang-format on

namespace cachet::testing {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kSignatureBytes = 64;

std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = nibble(hex[i]);
    const int low = nibble(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
  }
  return out;
}

// A buffer for a JS result of at most `max_chars` characters, NUL included.
struct OutBuffer {
  explicit OutBuffer(std::size_t max_chars) : bytes(max_chars + 1, '\0') {}
  char* data() { return bytes.data(); }
  int size() const { return static_cast<int>(bytes.size()); }
  std::string str() const { return std::string(bytes.data()); }
  std::vector<char> bytes;
};

std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

class NodeCrypto final : public CryptoProvider {
 public:
  std::string sha256(std::string_view data) const override {
    OutBuffer out(2 * kKeyBytes);
    if (!cachet_node_sha256(hex_encode(data).c_str(), out.data(), out.size())) return {};
    return hex_decode(out.str()).value_or(std::string());
  }

  std::string hmac_sha256(std::string_view key, std::string_view data) const override {
    if (key.empty()) return {};  // as the OpenSSL provider
    OutBuffer out(2 * kKeyBytes);
    if (!cachet_node_hmac_sha256(hex_encode(key).c_str(), hex_encode(data).c_str(), out.data(), out.size())) return {};
    return hex_decode(out.str()).value_or(std::string());
  }

  std::string hkdf_sha256(std::string_view ikm, std::string_view info, std::size_t length) const override {
    if (ikm.empty() || length == 0 || length > 255 * kKeyBytes) return {};
    OutBuffer out(2 * length);
    if (!cachet_node_hkdf_sha256(hex_encode(ikm).c_str(), hex_encode(info).c_str(), static_cast<int>(length),
                                 out.data(), out.size())) {
      return {};
    }
    return hex_decode(out.str()).value_or(std::string());
  }

  std::string random_bytes(std::size_t count) const override {
    if (count == 0 || count > (1u << 20)) return {};
    OutBuffer out(2 * count);
    if (!cachet_node_random(static_cast<int>(count), out.data(), out.size())) return {};
    return hex_decode(out.str()).value_or(std::string());
  }

  bool verify(std::string_view alg, const Json& public_jwk, std::string_view signing_input,
              std::string_view signature) const override {
    // Same refusals as the OpenSSL provider, before Node sees anything.
    if (signature.size() != kSignatureBytes || !check_jwk_for_alg(public_jwk, alg, "").empty()) return false;
    const std::string alg_text(alg);
    return cachet_node_verify(alg_text.c_str(), dump(public_jwk).c_str(), hex_encode(signing_input).c_str(),
                              hex_encode(signature).c_str()) == 1;
  }

  Result<std::string> sign(const Json& private_jwk, std::string_view signing_input) const override {
    auto pub = cachet::public_jwk(private_jwk);
    if (!pub.ok()) return pub.problems();
    const auto d_it = private_jwk.find("d");
    const auto d =
        d_it != private_jwk.end() && d_it->is_string() ? base64url_decode(d_it->get<std::string>()) : std::nullopt;
    if (!d || d->size() != kKeyBytes) {
      return Problem{"crypto_key_invalid", "", "The private JWK needs a \"d\" member encoding 32 bytes."};
    }
    Json key = pub.value();
    key["d"] = d_it->get<std::string>();
    const std::string alg = key["kty"].get<std::string>() == "EC" ? "ES256" : "Ed25519";

    OutBuffer out(2 * kSignatureBytes);
    if (!cachet_node_sign(alg.c_str(), dump(key).c_str(), hex_encode(signing_input).c_str(), out.data(), out.size())) {
      return Problem{"crypto_sign_failed", "", "Node could not make the " + alg + " signature."};
    }
    auto signature = hex_decode(out.str());
    if (!signature || signature->size() != kSignatureBytes) {
      return Problem{"crypto_sign_failed", "", "Node returned a malformed " + alg + " signature."};
    }
    if (!verify(alg, pub.value(), signing_input, *signature)) {
      return Problem{"crypto_key_invalid", "", "The private key \"d\" does not match the public key in the JWK."};
    }
    return *signature;
  }

  Result<Json> generate_ed25519() const override {
    OutBuffer out(512);
    if (!cachet_node_generate_ed25519(out.data(), out.size())) {
      return Problem{"crypto_keygen_failed", "", "Node could not generate an Ed25519 key."};
    }
    auto key = parse_json_strict(out.str());
    if (!key.ok()) return key.problems();
    return std::move(key).value();
  }
};

}  // namespace

std::unique_ptr<CryptoProvider> make_test_crypto() { return std::make_unique<NodeCrypto>(); }

}  // namespace cachet::testing
