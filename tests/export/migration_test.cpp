// Schema 2 -> 3 (docs/server.md, "Compact records (schema 3)"): a ledger
// written by the schema-2 code migrates, still verifies, and exports the same
// partner files; the fast path (chain over compact records) and --reverify
// agree byte for byte.
//
// tests/export/fixtures/ledger-schema2/ was written by the schema-2 code (the
// tree before compact records), as one command line:
//   CACHET_WRITE_SCHEMA2_FIXTURE=tests/export/fixtures/ledger-schema2
//     BUILD/export/tests/export_test --gtest_filter='Migration.WriteSchema2Fixture'
// ledger.sqlite (not .db, which .gitignore skips), consent.json, controller.jwk,
// contacts.csv, and in expected/ the partner files and report.json that code
// exported from it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>

#include "cachet/jws.h"
#include "cachet/openssl_crypto.h"
#include "helpers.h"

namespace cachet::export_test {
namespace {

using Fields = std::vector<std::string>;

// Eight contact rows over six people: every channel rule, an update (R10), a
// relayed objection, a receipt countersigned by another key, a row without
// receipt, an unknown id, a duplicate person and a changed email.
std::string populate(World& w) {
  IssueSpec all;
  all.decisions = {{"postal", "not-objected"}, {"phone", "not-objected"}, {"email", "granted"}, {"sms", "granted"}};
  all.contacts = {{"email", "anne@example.fr"},
                  {"phone", "+33612345678"},
                  {"mobile", "+33699999999"},
                  {"postal", "1 rue A, 75001 Paris"}};
  const std::string p1 = w.issue(all);
  IssueSpec mixed;
  mixed.decisions = {{"postal", "objected"}, {"phone", "not-objected"}, {"email", "not-granted"}, {"sms", "granted"}};
  mixed.contacts = {{"email", "bob@example.fr"},
                    {"phone", "+33611111111"},
                    {"mobile", "+33622222222"},
                    {"postal", "2 rue B, 75002 Paris"}};
  const std::string p2 = w.issue(mixed);
  IssueSpec c = all;
  c.contacts = {{"email", "carla@example.fr"},
                {"phone", "+33633333333"},
                {"mobile", "+33644444444"},
                {"postal", "3 rue C, 75003 Paris"}};
  const std::string p3 = w.issue(c);
  IssueSpec withdraw;  // preference centre: email withdrawn (R10)
  withdraw.decisions = {
      {"postal", "not-objected"}, {"phone", "not-objected"}, {"email", "withdrawn"}, {"sms", "granted"}};
  withdraw.supersedes = p3;
  withdraw.method = "preference-centre";
  withdraw.at = "2026-11-10T10:00:00Z";
  const std::string p3b = w.issue(withdraw);
  IssueSpec d = all;
  d.contacts = {{"email", "dan@example.fr"},
                {"phone", "+33655555555"},
                {"mobile", "+33666666666"},
                {"postal", "4 rue D, 75004 Paris"}};
  const std::string p4 = w.issue(d);
  IssueSpec relayed;  // objection relayed by acme
  relayed.decisions = {{"postal", "objected"}, {"phone", "not-objected"}, {"email", "granted"}, {"sms", "granted"}};
  relayed.supersedes = p4;
  relayed.method = "relayed-by-partner";
  relayed.relayed_by = "acme";
  relayed.at = "2026-11-12T10:00:00Z";
  w.issue(relayed);
  const Json other_key = w.crypto->generate_ed25519().value();
  IssueSpec e = all;  // countersigned by another controller key: receipt-invalid with --key
  e.contacts = {{"email", "eve@example.fr"},
                {"phone", "+33677777777"},
                {"mobile", "+33688888888"},
                {"postal", "5 rue E, 75005 Paris"}};
  e.controller_key = &other_key;
  const std::string p5 = w.issue(e);
  const Fields header = {"cachet_receipt_id", "name", "email", "phone", "mobile", "address"};
  const std::string contacts = w.write_contacts(
      "contacts.csv", {header,
                       {p1, "Anne", "anne@example.fr", "+33 6 12 34 56 78", "+33699999999", "1 rue A, 75001 Paris"},
                       {p2, "Bob", "bob@example.fr", "+33611111111", "+33622222222", "2 rue B, 75002 Paris"},
                       {p3b, "Carla", "carla@example.fr", "+33633333333", "+33644444444", "3 rue C, 75003 Paris"},
                       {p4, "Dan", "changed@example.fr", "+33655555555", "+33666666666", "4 rue D, 75004 Paris"},
                       {p5, "Eve", "eve@example.fr", "+33677777777", "+33688888888", "5 rue E, 75005 Paris"},
                       {"", "Nobody", "x@example.fr", "", "", ""},
                       {"00000000-0000-4000-8000-000000000000", "Unknown", "y@example.fr", "", "", ""},
                       {p3, "Carla again", "carla@example.fr", "", "", ""}});
  return contacts;
}

// What two exports of the same contacts and ledger must agree on: every
// count, the example lines and each partner file's hash (not the trust
// statement, the paths or the ledger entry).
// Row counts per reason without the zeros: reasons added since the fixture
// was written (formula-like) count nothing on it.
Json nonzero(const Json& counts) {
  Json out = Json::object();
  for (const auto& [reason, n] : counts.items()) {
    if (n != 0) out[reason] = n;
  }
  return out;
}

Json comparable(const Json& report) {
  Json out = {{"contacts", {{"rows", report["contacts"]["rows"]}, {"sha256", report["contacts"]["sha256"]}}},
              {"rowsWrittenToSomePartner", report["rowsWrittenToSomePartner"]},
              {"rowsLeftOutForEveryPartner", nonzero(report["rowsLeftOutForEveryPartner"])},
              {"exampleLines", report["exampleLines"]},
              {"noticeDeadline", report["noticeDeadline"]}};
  Json partners = Json::array();
  for (const Json& p : report["partners"]) {
    partners.push_back({{"id", p["id"]},
                        {"file", p["file"]},
                        {"columns", p["columns"]},
                        {"rowsWritten", p["rowsWritten"]},
                        {"valuesWritten", p["valuesWritten"]},
                        {"rowsLeftOut", nonzero(p["rowsLeftOut"])},
                        {"valuesLeftOut", p["valuesLeftOut"]}});
  }
  out["partners"] = partners;
  return out;
}

std::vector<std::string> partner_files(const Json& report) {
  std::vector<std::string> files;
  for (const Json& p : report["partners"]) files.push_back(p["file"].get<std::string>());
  return files;
}

// The log entries of one kind, in order.
std::vector<std::string> entries_of_kind(const std::string& db_path, const std::string& kind) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT entry FROM log WHERE kind = ?1 ORDER BY seq", -1, &st, nullptr), SQLITE_OK);
  sqlite3_bind_text(st, 1, kind.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::string> out;
  while (sqlite3_step(st) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

void exec_sql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

const fs::path kFixture = fs::path(CACHET_SOURCE_DIR) / "tests/export/fixtures/ledger-schema2";

// The fixture's ledger (schema 2) in a World: its config, key and contacts.
void load_fixture(World& w) {
  w.store.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(w.db_path + suffix);
  fs::copy_file(kFixture / "ledger.sqlite", w.db_path);
  w.config_json = Json::parse(read_text((kFixture / "consent.json").string()));
  w.config = make_config(w.config_json);
  w.controller_key = Json::parse(read_text((kFixture / "controller.jwk").string()));
  w.controller_public = public_jwk(w.controller_key).value();
  fs::copy_file(kFixture / "contacts.csv", w.path("contacts.csv"), fs::copy_options::overwrite_existing);
  auto opened = ledger::open_sqlite_store(w.db_path);  // migrates to schema 3
  ASSERT_TRUE(opened.ok()) << opened.problems().front().message;
  w.store = std::move(opened).value();
}

TEST(Migration, Schema2LedgerMigratesAndExportsTheSameFiles) {
  World w;
  load_fixture(w);
  // One migration entry, then one 'record' entry per stored receipt (seven).
  const auto migrations = entries_of_kind(w.db_path, "migration");
  ASSERT_EQ(migrations.size(), 1u);
  EXPECT_EQ(Json::parse(migrations[0])["records"], 7);
  EXPECT_EQ(Json::parse(migrations[0])["seq"], 9);  // after the 7 receipts and the export event
  EXPECT_EQ(entries_of_kind(w.db_path, "record").size(), 7u);
  Result<ledger::ChainReport> chain = w.store->verify_chain();
  ASSERT_TRUE(chain.ok());
  EXPECT_TRUE(chain.value().ok()) << chain.value().to_json().dump();
  EXPECT_EQ(chain.value().receipts, 7);
  EXPECT_EQ(chain.value().entries, 16);

  const Json expected = Json::parse(read_text((kFixture / "expected/report.json").string()));
  for (const bool reverify : {false, true}) {
    exporter::ExportOptions options;
    options.controller_key = w.controller_public;
    options.reverify = reverify;
    options.jobs = 1;
    const std::string out = reverify ? "out-reverified" : "out";
    auto outcome = w.run(w.path("contacts.csv"), out, options);
    ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
    EXPECT_EQ(comparable(outcome.value().report), comparable(expected)) << "reverify " << reverify;
    for (const std::string& file : partner_files(expected)) {
      // References are per ledger (its secret): compared mapped back to the chain roots.
      const std::string partner = file.substr(8, file.size() - 12);  // partner-ID.csv
      EXPECT_EQ(w.with_roots(partner, read_text(w.path(out + "/" + file))),
                read_text((kFixture / "expected" / file).string()))
          << file;
    }
    EXPECT_EQ(outcome.value().report["trust"]["chain"]["ok"], true);
    EXPECT_EQ(outcome.value().report["trust"]["chain"]["receipts"], 7);
  }
  // The ledger keeps growing in schema 3, and still verifies.
  IssueSpec later;
  later.decisions = {{"postal", "objected"}, {"phone", "objected"}};
  ASSERT_FALSE(w.issue(later).empty());
  EXPECT_TRUE(w.store->verify_chain().value().ok());
}

TEST(Migration, AnEditedBackFilledRecordIsDetected) {
  World w;
  load_fixture(w);
  const auto rows = read_csv(w.path("contacts.csv"));
  const std::string anne = rows[1][0];  // all granted
  w.store.reset();
  tamper_record(w.db_path, anne);
  w.store = ledger::open_sqlite_store(w.db_path).value();
  auto outcome = w.run(w.path("contacts.csv"), "out");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.problems().front().code, "export_ledger_broken");
  EXPECT_NE(outcome.problems().front().message.find("ledger_record_mismatch"), std::string::npos);
  EXPECT_NE(outcome.problems().front().message.find(anne), std::string::npos);
  Result<ledger::ChainReport> chain = w.store->verify_chain();
  ASSERT_TRUE(chain.ok());
  ASSERT_FALSE(chain.value().ok());
  EXPECT_EQ(chain.value().problems.front().code, "ledger_record_mismatch");
  EXPECT_EQ(chain.value().problems.front().receipt_id, anne);
}

TEST(Migration, FastPathMatchesReverifyByteForByte) {
  World w;
  const std::string contacts = populate(w);
  for (const bool with_key : {true, false}) {
    Json reports[2];
    for (const bool reverify : {false, true}) {
      exporter::ExportOptions options;
      if (with_key) options.controller_key = w.controller_public;
      options.reverify = reverify;
      options.jobs = 2;
      const std::string out = std::string(with_key ? "key-" : "nokey-") + (reverify ? "reverified" : "fast");
      auto outcome = w.run(contacts, out, options);
      ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
      reports[reverify ? 1 : 0] = outcome.value().report;
      EXPECT_EQ(outcome.value().report["trust"]["chain"]["verified"],
                reverify ? "entries-receipts-and-records" : "entries-and-records");
    }
    EXPECT_EQ(comparable(reports[0]), comparable(reports[1])) << "with key " << with_key;
    EXPECT_GT(reports[0]["rowsWrittenToSomePartner"].get<int>(), 0);
    const std::string prefix = with_key ? "key-" : "nokey-";
    for (const std::string& file : partner_files(reports[0])) {
      EXPECT_EQ(read_text(w.path(prefix + "fast/" + file)), read_text(w.path(prefix + "reverified/" + file))) << file;
    }
  }
}

TEST(Migration, ARecordDeletedBehindTheLedgersBackIsDetected) {
  // Deleting the latest record of a chain would make an older choice win
  // (R10): the export must notice, not export the older one.
  World w;
  const std::string contacts = populate(w);
  const auto rows = read_csv(contacts);
  const std::string carla_latest = rows[3][0];
  exec_sql(w.db_path, "DELETE FROM records WHERE receipt_id = '" + carla_latest + "'");
  auto outcome = w.run(contacts, "out");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.problems().front().code, "export_ledger_broken");
  EXPECT_NE(outcome.problems().front().message.find("ledger_record_missing"), std::string::npos);
  EXPECT_FALSE(fs::exists(w.path("out")));
  Result<ledger::ChainReport> chain = w.store->verify_chain();
  ASSERT_TRUE(chain.ok());
  ASSERT_FALSE(chain.value().ok());
  EXPECT_EQ(chain.value().problems.front().code, "ledger_record_missing");
}

TEST(Migration, WriteSchema2Fixture) {
  const char* target = std::getenv("CACHET_WRITE_SCHEMA2_FIXTURE");
  if (target == nullptr) GTEST_SKIP() << "only when CACHET_WRITE_SCHEMA2_FIXTURE names a directory";
  World w;
  const std::string contacts = populate(w);
  exporter::ExportOptions options;
  options.controller_key = w.controller_public;
  auto outcome = w.run(contacts, "out", options);
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  w.store.reset();  // checkpoints the WAL into ledger.db
  const fs::path to = target;
  fs::create_directories(to / "expected");
  fs::copy_file(w.db_path, to / "ledger.sqlite", fs::copy_options::overwrite_existing);
  for (const char* name : {"consent.json", "controller.jwk", "contacts.csv"}) {
    fs::copy_file(w.path(name), to / name, fs::copy_options::overwrite_existing);
  }
  for (const auto& entry : fs::directory_iterator(w.path("out"))) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("partner-", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".csv") {
      fs::copy_file(entry.path(), to / "expected" / name, fs::copy_options::overwrite_existing);
    }
  }
  fs::copy_file(w.path("out/report.json"), to / "expected/report.json", fs::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace cachet::export_test
