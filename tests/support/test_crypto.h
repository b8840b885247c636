// The CryptoProvider tests use: OpenSSL natively, Node's crypto module when the
// suite runs as wasm under Node, so the same tests exercise both targets.
#pragma once

#include <memory>
#include <string>

#include "cachet/crypto.h"

namespace cachet::testing {

std::unique_ptr<CryptoProvider> make_test_crypto();

// Contents of tests/fixtures/<relative_path>; fails the test when unreadable.
std::string read_fixture(const std::string& relative_path);
std::string fixtures_dir();

}  // namespace cachet::testing
