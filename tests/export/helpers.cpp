#include "helpers.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cachet/export/csv.h"
#include "cachet/jws.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"
#include "cachet/server/accept.h"

namespace cachet::export_test {

Json test_config_json(const std::string& extra_partner, bool with_sms, bool with_mobile, bool with_gamma) {
  Json partners = Json::array();
  partners.push_back({{"id", "acme"}, {"name", "ACME Assurances"}, {"privacyPolicyUrl", "https://acme.example/privacy"},
                      {"sector", "assurance"}});
  partners.push_back({{"id", "beta"}, {"name", "Banque Beta"}, {"privacyPolicyUrl", "https://beta.example/privacy"},
                      {"sector", "banque"}, {"channels", {"postal", "phone"}}});
  if (with_gamma) {
    partners.push_back({{"id", "gamma"}, {"name", "Gamma Crédit"}, {"privacyPolicyUrl", "https://gamma.example/privacy"},
                        {"sector", "banque"}});
  }
  if (!extra_partner.empty()) {
    partners.push_back({{"id", extra_partner}, {"name", "Extra " + extra_partner},
                        {"privacyPolicyUrl", "https://" + extra_partner + ".example/privacy"}, {"sector", "banque"}});
  }
  Json channels = {{"postal", {{"basis", "legitimate-interest"}}},
                   {"phone", {{"basis", "legitimate-interest"}}},
                   {"email", {{"basis", "consent"}, {"partnerProspecting", "on-behalf"}}}};
  if (with_sms) channels["sms"] = {{"basis", "consent"}, {"partnerProspecting", "on-behalf"}};
  Json fields = {{"email", "[name=email]"}, {"phone", "[name=phone]"}, {"postal", "[name=address]"}};
  if (with_mobile) fields["mobile"] = "[name=mobile]";
  return {{"configVersion", "2026-11-01"},
          {"locale", "fr"},
          {"controller",
           {{"name", "Société X"}, {"privacyPolicyUrl", "https://x.example/confidentialite"}, {"rightsContact", "dpo@x.example"}}},
          {"purpose", {{"fr", "prospection commerciale de nos partenaires"}, {"en", "our partners' marketing"}}},
          {"recipients", {{"sectors", {"assurance", "banque"}}, {"offerTypes", {"offres de crédit"}}, {"approximateCount", 4}}},
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
  auto opened = server::open_sqlite_store(db_path);
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
  context.receipt_id = server::new_receipt_id(*crypto);
  context.issued_at = spec.at;
  context.locale = "fr";
  context.collection_method = spec.method;
  context.page_url = spec.method == "web-form" ? "https://x.example/inscription" : "";
  context.agent = "cachet-widget/0.1.0";
  context.relayed_by = spec.relayed_by;
  context.supersedes = spec.supersedes;
  context.salt = base64url_encode(crypto->random_bytes(16));
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
  server::AcceptOptions accept;
  accept.controller_key = controller_key;
  accept.accepted_at = spec.at;
  Result<server::Accepted> accepted = server::accept_receipt(*store, *crypto, receipt.value().dump(), accept);
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

}  // namespace cachet::export_test
