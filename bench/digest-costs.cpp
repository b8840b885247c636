// What each contact digest scheme costs (docs/receipt.md, issue 12). Not a
// test: prints figures, asserts nothing.
//   - version 1, salted SHA-256: one guess of an attacker holding the receipt,
//     and one value checked by the export;
//   - PBKDF2-HMAC-SHA256 at N iterations (the slow derivation WebCrypto
//     offers): one guess, and one value checked by the export;
//   - version 2, keyed HMAC-SHA256: one value checked by the export (derive
//     the receipt's key from the salt, then the HMAC); an attacker without the
//     controller's secret has no guess to make.
// Usage: digest_costs [PBKDF2_ITERATIONS]   (default 600000, OWASP 2023)
#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"

namespace {

using namespace cachet;
using Clock = std::chrono::steady_clock;

template <typename F>
double seconds_per_call(std::size_t calls, F&& f) {
  const auto t0 = Clock::now();
  for (std::size_t i = 0; i < calls; ++i) f(i);
  return std::chrono::duration<double>(Clock::now() - t0).count() / static_cast<double>(calls);
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::stoi(argv[1]) : 600000;
  const auto crypto = make_openssl_crypto();
  const std::string salt = base64url_encode(std::string(16, '\x2a'));
  const Json key = crypto->generate_ed25519().value();
  const std::string secret = contact_digest_secret(key, *crypto).value();
  Sha256Hasher hasher;
  volatile unsigned char sink = 0;

  const double v1 = seconds_per_call(2000000, [&](std::size_t i) {
    const auto d = hasher.digest(contact_digest_input(salt, "phone", "+336" + std::to_string(10000000 + i)));
    sink = sink ^ (*d)[0];
  });
  const double keyed = seconds_per_call(1000000, [&](std::size_t i) {
    const std::string k = contact_digest_key(secret, salt, *crypto);
    const std::string mac = crypto->hmac_sha256(k, keyed_digest_input("phone", "+336" + std::to_string(10000000 + i)));
    sink = sink ^ static_cast<unsigned char>(mac[0]);
  });
  unsigned char out[32];
  const std::size_t pbkdf2_calls = 20;
  const double pbkdf2 = seconds_per_call(pbkdf2_calls, [&](std::size_t i) {
    const std::string input = "phone\n+336" + std::to_string(10000000 + i);
    PKCS5_PBKDF2_HMAC(input.data(), static_cast<int>(input.size()), reinterpret_cast<const unsigned char*>(salt.data()),
                      static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof out, out);
    sink = sink ^ out[0];
  });

  constexpr double kFrenchMobiles = 2e8;  // 06 and 07: 2 x 10^8 numbers
  constexpr double kExportRows = 1e6;
  std::printf("scheme                          per value     export 1M values   search of 2e8 mobiles (1 core)\n");
  std::printf("v1 salted SHA-256               %8.2f us   %10.1f s       %10.0f s\n", v1 * 1e6, v1 * kExportRows,
              v1 * kFrenchMobiles);
  std::printf("PBKDF2-SHA256 x %-7d         %8.1f ms   %10.0f s       %10.2e s (%.0f years)\n", iterations,
              pbkdf2 * 1e3, pbkdf2 * kExportRows, pbkdf2 * kFrenchMobiles, pbkdf2 * kFrenchMobiles / 3.156e7);
  std::printf("v2 keyed HMAC-SHA256            %8.2f us   %10.1f s       impossible without the controller's key\n",
              keyed * 1e6, keyed * kExportRows);
  return sink == 255 ? 1 : 0;
}
