// CryptoProvider on OpenSSL 3 (native builds only; the wasm build uses WebCrypto).
#pragma once

#include <memory>

#include "cachet/crypto.h"

namespace cachet {

std::unique_ptr<CryptoProvider> make_openssl_crypto();

}  // namespace cachet
