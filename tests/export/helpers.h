// A small world for export tests: a config, a controller key, a real SQLite
// ledger in a fresh directory, and receipts issued by the real core and
// accepted through ledger::accept_receipt (verify, countersign, append).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cachet/config.h"
#include "cachet/crypto.h"
#include "cachet/export/export.h"
#include "cachet/json.h"
#include "cachet/ledger/store.h"

namespace cachet::export_test {

namespace fs = std::filesystem;

// Partners: acme (all channels), beta (postal + phone only), gamma (all).
// `extra_partner` adds one more entry (id only) when not empty; `with_sms`
// and `with_mobile` drop the SMS channel / the mobile field.
Json test_config_json(const std::string& extra_partner = "", bool with_sms = true, bool with_mobile = true,
                      bool with_gamma = true);
Config make_config(const Json& json);

struct IssueSpec {
  Json decisions = Json::object();  // channel -> decision; omitted = default (box left alone)
  Json contacts = Json::object();   // kind -> value
  std::string supersedes;           // receipt id
  std::string method = "web-form";
  std::string relayed_by;
  std::string at = "2026-11-01T10:00:00Z";
  const Config* config = nullptr;        // default: the world's
  const Json* controller_key = nullptr;  // default: the world's (another: a key used before a rotation)
  std::string locale = "fr";             // the locale the notice was shown in
  bool keyed = false;                    // keyed contact digests (receipt version 2) under the world's controller key
};

class World {
 public:
  explicit World(const Json& config_json = test_config_json());
  ~World();

  // Issues and accepts a receipt; returns its id (fails the test otherwise).
  std::string issue(const IssueSpec& spec);
  // Writes a contacts CSV (header + rows) under the world's directory.
  std::string write_contacts(const std::string& name, const std::vector<std::vector<std::string>>& rows);
  Result<exporter::ExportOutcome> run(const std::string& contacts, const std::string& out_name,
                                      exporter::ExportOptions options = {});
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string write_file(const std::string& name, const std::string& content) const;
  // The reference `partner` knows the person of chain root `root` by
  // (ledger transfer_reference under this ledger's secret).
  std::string reference(const std::string& partner, const std::string& root) const;
  // A partner file's text with each row's reference mapped back to the
  // person's chain root (through the ledger's transfer rows), so that files
  // compare across ledgers (each has its own reference secret).
  std::string with_roots(const std::string& partner, const std::string& csv_text) const;

  fs::path dir;
  std::unique_ptr<CryptoProvider> crypto;
  Json controller_key;
  Json controller_public;
  Json config_json;
  Config config;
  std::string db_path;
  std::unique_ptr<ledger::ConsentStore> store;
  int exports = 0;  // numbers output folders of tests that export repeatedly
};

// Alters one byte of the stored collector signature of `receipt_id` (the
// JWS no longer verifies). With `rechain`, also rewrites that receipt's log
// entry and every hash after it, as someone with write access to the ledger
// file could: the hash chain then verifies, and only --reverify (or a copy of
// the chain head kept elsewhere) catches it.
void tamper_signature(const std::string& db, const std::string& receipt_id, bool rechain);

// Flips the email decision in the stored compact record of `receipt_id`
// (schema 3) without touching its log entry: the export's own chain check
// (verify_records) and `ledger verify` must both catch it.
void tamper_record(const std::string& db, const std::string& receipt_id);
// Runs one SQL statement on the ledger file behind the store's back (tampering).
void exec_sql(const std::string& db, const std::string& sql);

std::string read_text(const std::string& path);
std::vector<std::vector<std::string>> read_csv(const std::string& path);
// Runs a shell command; returns its exit status and captured stdout+stderr.
int run_command(const std::string& command, std::string* output = nullptr);
std::string cachet_binary();

}  // namespace cachet::export_test
