// Random identifiers (receipt ids, the ledger's new receipts), over the
// CryptoProvider's randomness so the core stays free of OS calls.
#pragma once

#include <string>

#include "cachet/crypto.h"

namespace cachet {

// A random (version 4, RFC 4122) UUID in lower case; empty when no randomness could be had.
std::string new_uuid(const CryptoProvider& crypto);

}  // namespace cachet
