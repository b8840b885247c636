// The byte layouts the hash chain covers (docs/server.md, "Hash chain" and
// "Compact records"), private to the server: receipt log entries, compact
// records and the entries that back-fill them. Each has a direct writer for
// the usual all-ASCII case (verify_chain and the export rebuild one per
// stored receipt) and falls back to nlohmann/json for anything else; the two
// are checked against each other in tests/server/ledger_test.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cachet/json.h"
#include "cachet/ledger/store.h"

namespace cachet::ledger {

// RFC 8785 bytes of a JSON value whose object keys are ASCII: nlohmann/json
// sorts members by byte order (= UTF-16 order for ASCII keys), escapes exactly
// as RFC 8785 section 3.2.2.2 and prints integers as JCS does. Invalid UTF-8
// is replaced rather than thrown on (inputs were validated already).
std::string canonical_entry(const Json& entry);

// Appends `value` as a JSON string the way canonical_entry writes it, for
// printable ASCII only: `"` and `\` escaped, nothing else. Returns false,
// leaving `out` partly written, for any other byte.
bool append_ascii_json_string(std::string& out, std::string_view value);

// The log entry of a receipt. `record_sha256` empty: the schema-1/2 form
// (receipts logged before the migration to schema 3); else the schema-3 form,
// which also names the SHA-256 of the receipt's compact record.
std::string receipt_entry(std::int64_t seq, std::string_view receipt_id, std::string_view jws_sha256,
                          std::string_view payload_sha256, std::string_view verification, std::string_view kid,
                          std::string_view received_at, std::string_view issued_at, std::string_view chain_root,
                          std::string_view supersedes, std::string_view method, std::int64_t retention_months,
                          std::string_view record_sha256);
void receipt_entry_into(std::string& out, std::int64_t seq, std::string_view receipt_id, std::string_view jws_sha256,
                        std::string_view payload_sha256, std::string_view verification, std::string_view kid,
                        std::string_view received_at, std::string_view issued_at, std::string_view chain_root,
                        std::string_view supersedes, std::string_view method, std::int64_t retention_months,
                        std::string_view record_sha256);
// The schema-3 entry a record states (its own receipt's entry): record + hash.
std::string receipt_entry_for(const ReceiptRecord& record, std::int64_t seq, std::string_view record_sha256);
void receipt_entry_for_into(std::string& out, const ReceiptRecord& record, std::int64_t seq,
                            std::string_view record_sha256);

// {"kind":"record","receiptId","receiptSeq","recordSha256","seq"}: the entry
// the schema-3 migration appends for a receipt stored before it.
std::string record_entry(std::int64_t seq, std::string_view receipt_id, std::int64_t receipt_seq,
                         std::string_view record_sha256);

// canonical_record() into a reused buffer.
void canonical_record_into(std::string& out, const ReceiptRecord& record);

// The hash chain's link (docs/server.md): hex SHA-256 of the previous
// entry's hash bytes (32 zero bytes before the first entry, or when
// `prev_hex` is empty) followed by the entry's bytes. The store and proof
// bundles (proof.cpp) chain with it.
std::string chain_hash(const std::string& prev_hex, const std::string& entry);

}  // namespace cachet::ledger
