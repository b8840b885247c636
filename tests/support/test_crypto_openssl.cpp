#include "cachet/openssl_crypto.h"
#include "test_crypto.h"

namespace cachet::testing {

std::unique_ptr<CryptoProvider> make_test_crypto() { return make_openssl_crypto(); }

}  // namespace cachet::testing
