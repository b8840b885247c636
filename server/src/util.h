// Small helpers private to the server: MACs and comparisons through OpenSSL
// (digests, hex and base64url: cachet/ledger/digest.h). Nothing here throws.
#pragma once

#include <string>
#include <string_view>

#include "cachet/calendar.h"
#include "cachet/ledger/digest.h"

namespace cachet::server {

// The ledger's byte helpers and the core's calendar, used unqualified across the server.
using calendar::add_months;
using calendar::format_rfc3339;
using calendar::now_unix;
using calendar::parse_rfc3339;
using ledger::b64url_decode;
using ledger::b64url_encode;
using ledger::random_bytes;
using ledger::sha256_hex;

// Raw HMAC-SHA256 (RFC 2104) of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Compares without leaking where the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace cachet::server
