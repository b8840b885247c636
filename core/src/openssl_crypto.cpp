// CryptoProvider on OpenSSL 3 EVP APIs. Inputs are checked (key type, lengths)
// before OpenSSL sees them; every OpenSSL object is owned by a unique_ptr so
// no failure path leaks.
#include "cachet/openssl_crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <climits>
#include <memory>
#include <optional>

#include "cachet/jws.h"

namespace cachet {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

constexpr std::size_t kKeyBytes = 32;        // Ed25519 keys, P-256 coordinates and scalars
constexpr std::size_t kSignatureBytes = 64;  // Ed25519 (RFC 8032) and ES256 r||s (RFC 7518 section 3.4)

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Private key bytes are wiped when they go out of scope.
struct SecretBytes {
  std::string bytes;
  ~SecretBytes() {
    if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
  }
};

std::optional<std::string> decode_member(const Json& jwk, const char* name, std::size_t expected_size) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  auto bytes = base64url_decode(it->get_ref<const std::string&>());
  if (!bytes || bytes->size() != expected_size) return std::nullopt;
  return bytes;
}

Problem key_problem(std::string message) { return {"crypto_key_invalid", "", std::move(message)}; }

// An Ed25519 public key from the JWK "x" (the caller has checked the JWK).
// EVP_PKEY_new_raw_public_key looks the key manager up again for every key,
// which costs about as much as everything else in importing one; each thread
// keeps one context ready for EVP_PKEY_fromdata instead (a cache that holds no
// key: the context only names the algorithm).
PkeyPtr ed25519_public_key(const Json& jwk) {
  std::optional<std::string> x = decode_member(jwk, "x", kKeyBytes);
  if (!x) return nullptr;
  std::string& raw_key = *x;  // a plain reference: the analyzer loses track through optional::operator->
  thread_local const PkeyCtxPtr importer = [] {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "ED25519", nullptr));
    if (ctx && EVP_PKEY_fromdata_init(ctx.get()) != 1) ctx.reset();
    return ctx;
  }();
  if (!importer) {
    return PkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(raw_key), raw_key.size()));
  }
  OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, raw_key.data(), raw_key.size()),
                         OSSL_PARAM_construct_end()};
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(importer.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) return nullptr;
  return PkeyPtr(key);
}

// The Ed25519 private key of a JWK whose "d" is `d`, checked against its
// "x": a "d" that does not belong to "x" would give receipts that never
// verify. Importing derives the public key (a scalar multiplication, as
// costly as a signature), and a server countersigns every receipt with the
// same controller key: each thread keeps the last key it imported (wiped
// with the thread), so the import and the check run once per key and thread.
// nullptr with `problem` set when the key is refused.
EVP_PKEY* ed25519_private_key(const Json& jwk, const std::string& d, std::optional<Problem>& problem) {
  struct Cached {
    SecretBytes d;
    std::string x;
    PkeyPtr key;
  };
  thread_local Cached cached;
  const std::optional<std::string> x = decode_member(jwk, "x", kKeyBytes);
  if (cached.key && x && cached.d.bytes.size() == d.size() &&
      CRYPTO_memcmp(cached.d.bytes.data(), d.data(), d.size()) == 0 && cached.x == *x) {
    return cached.key.get();
  }
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes_of(d), d.size()));
  if (!key) {
    problem = Problem{"crypto_key_invalid", "", "OpenSSL refused the Ed25519 private key."};
    return nullptr;
  }
  std::string derived(kKeyBytes, '\0');
  std::size_t length = derived.size();
  if (!x || EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(derived.data()), &length) != 1 ||
      length != kKeyBytes || derived != *x) {
    problem = Problem{"crypto_key_invalid", "", "The private key \"d\" does not match the public key in the JWK."};
    return nullptr;
  }
  cached.d.bytes = d;
  cached.x = *x;
  cached.key = std::move(key);
  return cached.key.get();
}

// A P-256 key from its JWK coordinates (and scalar d when signing), through
// OSSL_PARAM so no deprecated EC_KEY API is needed. OpenSSL checks the point
// is on the curve when importing it.
PkeyPtr p256_key(const Json& jwk, const std::string* d) {
  const auto x = decode_member(jwk, "x", kKeyBytes);
  const auto y = decode_member(jwk, "y", kKeyBytes);
  if (!x || !y) return nullptr;
  const std::string point = "\x04" + *x + *y;  // SEC 1 section 2.3.3, uncompressed

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return nullptr;
  BnPtr scalar;
  if (d != nullptr) {
    scalar.reset(BN_bin2bn(bytes_of(*d), static_cast<int>(d->size()), nullptr));
    if (!scalar || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get())) return nullptr;
  }
  if (!OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    return nullptr;
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  const int selection = d != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) return nullptr;
  return PkeyPtr(raw);
}

// JWS ES256 signatures are r||s, 32 bytes each (RFC 7518 section 3.4);
// OpenSSL speaks DER ECDSA-Sig-Value.
std::optional<std::string> p1363_to_der(std::string_view raw) {
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!sig) return std::nullopt;
  BIGNUM* r = BN_bin2bn(bytes_of(raw), kKeyBytes, nullptr);
  BIGNUM* s = BN_bin2bn(bytes_of(raw) + kKeyBytes, kKeyBytes, nullptr);
  if (r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

std::optional<std::string> der_to_p1363(std::string_view der) {
  const unsigned char* p = bytes_of(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(kSignatureBytes, '\0');
  auto* buffer = reinterpret_cast<unsigned char*>(out.data());
  // Left-padded to 32 bytes each: a short r or s still takes its full field.
  if (BN_bn2binpad(r, buffer, kKeyBytes) != kKeyBytes || BN_bn2binpad(s, buffer + kKeyBytes, kKeyBytes) != kKeyBytes) {
    return std::nullopt;
  }
  return out;
}

bool digest_verify(EVP_PKEY* key, const EVP_MD* md, std::string_view data, std::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) return false;
  return EVP_DigestVerify(ctx.get(), bytes_of(signature), signature.size(), bytes_of(data), data.size()) == 1;
}

std::optional<std::string> digest_sign(EVP_PKEY* key, const EVP_MD* md, std::string_view data) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1) return std::nullopt;
  std::size_t length = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &length, bytes_of(data), data.size()) != 1) return std::nullopt;
  std::string out(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, bytes_of(data), data.size()) !=
      1) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

using MdPtr = std::unique_ptr<EVP_MD, Deleter<EVP_MD, EVP_MD_free>>;
using MacPtr = std::unique_ptr<EVP_MAC, Deleter<EVP_MAC, EVP_MAC_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, Deleter<EVP_MAC_CTX, EVP_MAC_CTX_free>>;

class OpenSslCrypto final : public CryptoProvider {
 public:
  // Fetched once: EVP_sha256() makes EVP_Digest look the implementation up on
  // every call (OpenSSL 3 providers), a cost paid per verified receipt.
  OpenSslCrypto() : sha256_(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {}

  std::string sha256(std::string_view data) const override {
    std::string out(kKeyBytes, '\0');
    unsigned int length = 0;
    const EVP_MD* md = sha256_ ? sha256_.get() : EVP_sha256();
    if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &length, md, nullptr) != 1 ||
        length != kKeyBytes) {
      return {};  // never a wrong digest: an empty one fails every comparison
    }
    return out;
  }

  // One context per thread, its digest set once and re-keyed on each call:
  // the export checks a keyed digest per contact value, and a fresh context
  // each time doubles the cost.
  // An empty key is refused: EVP_MAC_init would keep the previous call's key.
  std::string hmac_sha256(std::string_view key, std::string_view data) const override {
    if (key.empty()) return {};
    thread_local const MacCtxPtr ctx = [] {
      MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
      MacCtxPtr made(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
      char digest_name[] = "SHA256";
      const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                                   OSSL_PARAM_construct_end()};
      if (made && EVP_MAC_CTX_set_params(made.get(), params) != 1) made.reset();
      return made;
    }();
    std::string out(kKeyBytes, '\0');
    std::size_t length = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), bytes_of(key), key.size(), nullptr) != 1 ||
        EVP_MAC_update(ctx.get(), bytes_of(data), data.size()) != 1 ||
        EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, out.size()) != 1 ||
        length != kKeyBytes) {
      return {};
    }
    return out;
  }

  // EVP_PKEY_HKDF (RFC 5869, extract then expand) with no salt.
  std::string hkdf_sha256(std::string_view ikm, std::string_view info, std::size_t length) const override {
    if (ikm.empty() || length == 0 || length > 255 * kKeyBytes) return {};
    const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
    std::string out(length, '\0');
    std::size_t out_length = length;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), bytes_of(ikm), static_cast<int>(ikm.size())) != 1 ||
        EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), bytes_of(info), static_cast<int>(info.size())) != 1 ||
        EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &out_length) != 1 ||
        out_length != length) {
      return {};
    }
    return out;
  }

  // Empty on failure (the interface has no error channel); callers that need
  // `count` bytes must check the size.
  std::string random_bytes(std::size_t count) const override {
    if (count == 0 || count > static_cast<std::size_t>(INT_MAX)) return {};
    std::string out(count, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) return {};
    return out;
  }

  bool verify(std::string_view alg, const Json& public_jwk, std::string_view signing_input,
              std::string_view signature) const override {
    if (signature.size() != kSignatureBytes || !check_jwk_for_alg(public_jwk, alg, "").empty()) return false;
    if (alg == "Ed25519" || alg == "EdDSA") {
      const PkeyPtr key = ed25519_public_key(public_jwk);
      // RFC 8032: Ed25519 hashes internally, so no message digest is given.
      return key && digest_verify(key.get(), nullptr, signing_input, signature);
    }
    if (alg == "ES256") {
      const PkeyPtr key = p256_key(public_jwk, nullptr);
      const auto der = p1363_to_der(signature);
      return key && der && digest_verify(key.get(), EVP_sha256(), signing_input, *der);
    }
    return false;
  }

  Result<std::string> sign(const Json& private_jwk, std::string_view signing_input) const override {
    auto pub = public_jwk(private_jwk);
    if (!pub.ok()) return pub.problems();
    const SecretBytes d{decode_member(private_jwk, "d", kKeyBytes).value_or(std::string())};
    if (d.bytes.empty()) return key_problem("The private JWK needs a \"d\" member encoding 32 bytes.");

    const bool is_ec = pub.value()["kty"].get<std::string>() == "EC";
    const char* alg = is_ec ? "ES256" : "Ed25519";
    std::optional<std::string> signature;
    if (is_ec) {
      const PkeyPtr key = p256_key(private_jwk, &d.bytes);
      if (!key) return key_problem("OpenSSL refused the P-256 private key.");
      if (const auto der = digest_sign(key.get(), EVP_sha256(), signing_input)) signature = der_to_p1363(*der);
    } else {
      // Its "x" is checked when the key is imported (ed25519_private_key).
      std::optional<Problem> refused;
      EVP_PKEY* key = ed25519_private_key(pub.value(), d.bytes, refused);
      if (key == nullptr) return *refused;
      signature = digest_sign(key, nullptr, signing_input);
    }
    if (!signature || signature->size() != kSignatureBytes) {
      return Problem{"crypto_sign_failed", "", std::string("OpenSSL could not make the ") + alg + " signature."};
    }
    // The JWS carries the public key; a "d" that does not belong to "x"/"y"
    // would give receipts that never verify, so we check before handing it
    // out (ES256 here; Ed25519 when the key is imported).
    if (is_ec && !verify(alg, pub.value(), signing_input, *signature)) {
      return key_problem("The private key \"d\" does not match the public key in the JWK.");
    }
    return *signature;
  }

  Result<Json> generate_ed25519() const override {
    const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
      return Problem{"crypto_keygen_failed", "", "OpenSSL could not generate an Ed25519 key."};
    }
    const PkeyPtr key(raw);
    SecretBytes d{std::string(kKeyBytes, '\0')};
    std::string x(kKeyBytes, '\0');
    std::size_t d_length = kKeyBytes;
    std::size_t x_length = kKeyBytes;
    if (EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<unsigned char*>(d.bytes.data()), &d_length) != 1 ||
        EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(x.data()), &x_length) != 1 ||
        d_length != kKeyBytes || x_length != kKeyBytes) {
      return Problem{"crypto_keygen_failed", "", "OpenSSL could not export the new Ed25519 key."};
    }
    return Json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", base64url_encode(x)}, {"d", base64url_encode(d.bytes)}};
  }

 private:
  MdPtr sha256_;
};

}  // namespace

std::unique_ptr<CryptoProvider> make_openssl_crypto() { return std::make_unique<OpenSslCrypto>(); }

struct Sha256Hasher::State {
  MdPtr md{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
  MdCtxPtr ctx{EVP_MD_CTX_new()};
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {}
Sha256Hasher::~Sha256Hasher() = default;

std::optional<std::array<unsigned char, 32>> Sha256Hasher::digest(std::string_view a, std::string_view b) {
  std::array<unsigned char, 32> out{};
  unsigned int n = 0;
  EVP_MD_CTX* ctx = state_->ctx.get();
  if (!state_->md || ctx == nullptr || EVP_DigestInit_ex(ctx, state_->md.get(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, a.data(), a.size()) != 1 || EVP_DigestUpdate(ctx, b.data(), b.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &n) != 1 || n != out.size()) {
    return std::nullopt;
  }
  return out;
}

std::string Sha256Hasher::hex(std::string_view a, std::string_view b) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::optional<std::array<unsigned char, 32>> raw = digest(a, b);
  if (!raw) return "";
  std::string out(64, '0');
  for (std::size_t i = 0; i < raw->size(); ++i) {
    out[2 * i] = kHex[(*raw)[i] >> 4];
    out[2 * i + 1] = kHex[(*raw)[i] & 15];
  }
  return out;
}

}  // namespace cachet
