#include "helpers.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "cachet/export/csv.h"
#include "cachet/jws.h"
#include "cachet/ledger/accept.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"

namespace cachet::export_test {

Json test_config_json(const std::string& extra_partner, bool with_sms, bool with_mobile, bool with_gamma) {
  Json partners = Json::array();
  partners.push_back({{"id", "acme"},
                      {"name", "ACME Assurances"},
                      {"privacyPolicyUrl", "https://acme.example/privacy"},
                      {"sector", "assurance"}});
  partners.push_back({{"id", "beta"},
                      {"name", "Banque Beta"},
                      {"privacyPolicyUrl", "https://beta.example/privacy"},
                      {"sector", "banque"},
                      {"channels", {"postal", "phone"}}});
  if (with_gamma) {
    partners.push_back({{"id", "gamma"},
                        {"name", "Gamma Crédit"},
                        {"privacyPolicyUrl", "https://gamma.example/privacy"},
                        {"sector", "banque"}});
  }
  if (!extra_partner.empty()) {
    partners.push_back({{"id", extra_partner},
                        {"name", "Extra " + extra_partner},
                        {"privacyPolicyUrl", "https://" + extra_partner + ".example/privacy"},
                        {"sector", "banque"}});
  }
  Json channels = {{"postal", {{"basis", "legitimate-interest"}}},
                   {"phone", {{"basis", "legitimate-interest"}}},
                   {"email", {{"basis", "consent"}, {"partnerProspecting", "on-behalf"}}}};
  if (with_sms) channels["sms"] = {{"basis", "consent"}, {"partnerProspecting", "on-behalf"}};
  Json fields = {{"email", "[name=email]"}, {"phone", "[name=phone]"}, {"postal", "[name=address]"}};
  if (with_mobile) fields["mobile"] = "[name=mobile]";
  return {
      {"configVersion", "2026-11-01"},
      {"locale", "fr"},
      {"controller",
       {{"name", "Société X"},
        {"privacyPolicyUrl", "https://x.example/confidentialite"},
        {"rightsContact", "dpo@x.example"}}},
      {"purpose", {{"fr", "prospection commerciale de nos partenaires"}, {"en", "our partners' marketing"}}},
      {"recipients",
       {{"sectors", {"assurance", "banque"}}, {"offerTypes", {"offres de crédit"}}, {"approximateCount", 4}}},
      {"partners", {{"listUrl", "https://x.example/partenaires"}, {"updatedAt", "2026-11-01"}, {"entries", partners}}},
      {"channels", channels},
      {"combineObjection", false},
      {"retention", {{"months", 36}}},
      {"fields", fields},
      {"texts", {{"fr", Json::object()}, {"en", Json::object()}}}};
}

Config make_config(const Json& json) {
  Result<Config> config = load_config(json.dump());
  if (!config.ok()) {
    ADD_FAILURE() << "test config does not load: " << config.problems().front().path << " "
                  << config.problems().front().message;
    return Config{};
  }
  return config.value();
}

World::World(const Json& json) : crypto(make_openssl_crypto()), config_json(json), config(make_config(json)) {
  char templ[] = "/tmp/cachet-export-test-XXXXXX";
  dir = ::mkdtemp(templ);
  controller_key = crypto->generate_ed25519().value();
  controller_public = public_jwk(controller_key).value();
  db_path = path("ledger.db");
  auto opened = ledger::open_sqlite_store(db_path);
  EXPECT_TRUE(opened.ok());
  if (opened.ok()) store = std::move(opened).value();
  write_file("consent.json", json.dump(2));
  write_file("controller.jwk", controller_key.dump());
}

World::~World() {
  store.reset();
  std::error_code ec;
  if (std::getenv("CACHET_KEEP_TEST_DIRS") == nullptr) fs::remove_all(dir, ec);
}

std::string World::write_file(const std::string& name, const std::string& content) const {
  std::ofstream out(path(name), std::ios::binary);
  out << content;
  return path(name);
}

std::string World::issue(const IssueSpec& spec) {
  const Config& cfg = spec.config != nullptr ? *spec.config : config;
  const bool superseding = !spec.supersedes.empty();
  Json choices = {{"decisions", spec.decisions}, {"contacts", spec.contacts}};
  Result<Choices> parsed = parse_choices(cfg, choices, "fr", superseding);
  if (!parsed.ok()) {
    ADD_FAILURE() << "choices: " << parsed.problems().front().path << " " << parsed.problems().front().message;
    return "";
  }
  ReceiptContext context;
  context.receipt_id = ledger::new_receipt_id(*crypto);
  context.issued_at = spec.at;
  context.locale = spec.locale;
  context.collection_method = spec.method;
  context.page_url = spec.method == "web-form" ? "https://x.example/inscription" : "";
  context.agent = "cachet-widget/0.1.0";
  context.relayed_by = spec.relayed_by;
  context.supersedes = spec.supersedes;
  context.salt = base64url_encode(crypto->random_bytes(16));
  if (spec.keyed) {
    Result<std::string> secret = contact_digest_secret(controller_key, *crypto);
    if (!secret.ok()) {
      ADD_FAILURE() << "digest secret: " << secret.problems().front().message;
      return "";
    }
    context.digest_key = contact_digest_key(secret.value(), context.salt, *crypto);
  }
  if (superseding && spec.contacts.empty()) {
    auto previous = store->find(spec.supersedes);
    if (!previous.ok() || !previous.value()) {
      ADD_FAILURE() << "no receipt " << spec.supersedes;
      return "";
    }
    context.carried_subject = previous.value()->payload["subject"];
  }
  Result<Json> receipt = issue_receipt(cfg, parsed.value(), context, *crypto);
  if (!receipt.ok()) {
    ADD_FAILURE() << "issue: " << receipt.problems().front().path << " " << receipt.problems().front().message;
    return "";
  }
  ledger::AcceptOptions accept;
  accept.controller_key = spec.controller_key != nullptr ? *spec.controller_key : controller_key;
  accept.accepted_at = spec.at;
  Result<ledger::Accepted> accepted = ledger::accept_receipt(*store, *crypto, receipt.value().dump(), accept);
  if (!accepted.ok()) {
    ADD_FAILURE() << "accept: " << accepted.problems().front().code << " " << accepted.problems().front().message;
    return "";
  }
  return context.receipt_id;
}

std::string World::write_contacts(const std::string& name, const std::vector<std::vector<std::string>>& rows) {
  std::string text;
  for (const auto& row : rows) exporter::append_csv_record(text, row);
  return write_file(name, text);
}

Result<exporter::ExportOutcome> World::run(const std::string& contacts, const std::string& out_name,
                                           exporter::ExportOptions options) {
  options.contacts_path = contacts;
  options.out_dir = path(out_name);
  if (options.at.empty()) options.at = "2026-11-30T10:00:00Z";
  return exporter::run_export(config, *store, options);
}

namespace {
struct Db {
  sqlite3* h = nullptr;
  explicit Db(const std::string& path) { EXPECT_EQ(sqlite3_open(path.c_str(), &h), SQLITE_OK); }
  ~Db() { sqlite3_close(h); }
  std::vector<std::vector<std::string>> query(const std::string& sql, const std::vector<std::string>& args = {}) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    for (std::size_t i = 0; i < args.size(); ++i) {
      sqlite3_bind_text(st, static_cast<int>(i + 1), args[i].c_str(), -1, SQLITE_TRANSIENT);
    }
    std::vector<std::vector<std::string>> rows;
    int rc = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const auto* text = sqlite3_column_text(st, c);
        row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
      }
      rows.push_back(row);
    }
    EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(h);
    sqlite3_finalize(st);
    return rows;
  }
};
std::string sha256_hex(const std::string& data) { return hex_encode(make_openssl_crypto()->sha256(data)); }
}  // namespace

void tamper_signature(const std::string& db_path, const std::string& receipt_id, bool rechain) {
  Db db(db_path);
  const auto rows = db.query("SELECT jws, seq FROM receipts WHERE receipt_id = ?1", {receipt_id});
  ASSERT_EQ(rows.size(), 1u);
  Json jws = Json::parse(rows[0][0]);
  std::string sig = jws["signatures"][0]["signature"].get<std::string>();
  sig[5] = sig[5] == 'A' ? 'B' : 'A';
  jws["signatures"][0]["signature"] = sig;
  const std::string text = jws.dump();
  // The receipt's compact record (schema 3), as stored before the edit.
  std::optional<ledger::ReceiptRecord> record;
  if (rechain) {
    auto store = ledger::open_sqlite_store(db_path);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(store.value()
                    ->verify_records([&](const ledger::ReceiptRecord& r) {
                      if (r.receipt_id == receipt_id) record = r;
                    })
                    .ok());
    ASSERT_TRUE(record.has_value());
  }
  db.query("UPDATE receipts SET jws = ?1 WHERE receipt_id = ?2", {text, receipt_id});
  if (!rechain) return;
  // The entry names the JWS's SHA-256 (docs/server.md), and so does the
  // compact record, whose SHA-256 the entry names too; every later hash follows.
  const std::string seq = rows[0][1];
  Json entry = Json::parse(db.query("SELECT entry FROM log WHERE seq = ?1", {seq})[0][0]);
  entry["jwsSha256"] = sha256_hex(text);
  record->jws_sha256 = sha256_hex(text);
  db.query("UPDATE records SET jws_sha256 = ?1 WHERE receipt_id = ?2", {record->jws_sha256, receipt_id});
  entry["recordSha256"] = sha256_hex(ledger::canonical_record(*record));
  db.query("UPDATE log SET entry = ?1 WHERE seq = ?2", {entry.dump(), seq});
  std::string prev(32, '\0');
  for (const auto& row : db.query("SELECT seq, entry FROM log ORDER BY seq")) {
    const std::string hash = sha256_hex(prev + row[1]);
    db.query("UPDATE log SET hash = ?1 WHERE seq = ?2", {hash, row[0]});
    prev = make_openssl_crypto()->sha256(prev + row[1]);
  }
}

void tamper_record(const std::string& db_path, const std::string& receipt_id) {
  Db db(db_path);
  ASSERT_EQ(db.query("SELECT email_decision FROM records WHERE receipt_id = ?1", {receipt_id}).size(), 1u);
  db.query(
      "UPDATE records SET email_decision = CASE email_decision WHEN 'granted' THEN 'withdrawn' ELSE 'granted' "
      "END WHERE receipt_id = ?1",
      {receipt_id});
}

void exec_sql(const std::string& db_path, const std::string& sql) {
  Db db(db_path);
  db.query(sql, {});
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  exporter::CsvReader reader(read_text(path));
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  while (reader.next(fields) == exporter::CsvReader::Status::kRecord) rows.push_back(fields);
  return rows;
}

int run_command(const std::string& command, std::string* output) {
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string text;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
  const int status = ::pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string cachet_binary() { return std::string(CACHET_BINARY_DIR) + "/cli/cachet"; }

std::string World::reference(const std::string& partner, const std::string& root) const {
  Result<std::string> secret = store->secret(ledger::kTransferReferenceSecret);
  EXPECT_TRUE(secret.ok());
  return secret.ok() ? ledger::transfer_reference(secret.value(), partner, root) : std::string();
}

std::string World::with_roots(const std::string& partner, const std::string& csv_text) const {
  std::string out;
  std::size_t at = 0;
  bool header = true;
  while (at < csv_text.size()) {
    std::size_t end = csv_text.find('\n', at);
    end = end == std::string::npos ? csv_text.size() : end + 1;
    const std::string line = csv_text.substr(at, end - at);
    at = end;
    const std::size_t comma = line.find(',');
    if (header || comma == std::string::npos) {
      out += line;
      header = false;
      continue;
    }
    Result<std::optional<std::string>> root = store->chain_root_of_reference(partner, line.substr(0, comma));
    EXPECT_TRUE(root.ok() && root.value().has_value()) << line;
    out += (root.ok() && root.value() ? *root.value() : "?") + line.substr(comma);
  }
  return out;
}

}  // namespace cachet::export_test
