// The real `cachet` binary: exit codes (0 ok, 1 bad input, 2 usage/I-O), messages, files.
#include <gtest/gtest.h>

#include "helpers.h"

namespace cachet::export_test {
namespace {

std::string quote(const std::string& s) { return "'" + s + "'"; }

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(cachet_binary())) GTEST_SKIP() << "no cachet binary at " << cachet_binary();
    IssueSpec s;
    s.decisions = {{"postal", "not-objected"}, {"email", "granted"}};
    s.contacts = {{"email", "cli@example.fr"}, {"postal", "5 avenue Foch"}};
    id = w.issue(s);
    contacts = w.write_contacts("c.csv", {{"cachet_receipt_id", "email", "phone", "mobile", "address"},
                                          {id, "cli@example.fr", "", "", "5 avenue Foch"}});
  }
  std::string export_command(const std::string& file, const std::string& out, const std::string& extra = "") {
    return cachet_binary() + " export --contacts " + quote(file) + " --db " + quote(w.db_path) + " --config " +
           quote(w.path("consent.json")) + " --out " + quote(w.path(out)) + " --at 2026-11-30 " + extra;
  }
  World w;
  std::string id, contacts;
};

TEST_F(Cli, ExportWritesFilesAndSummary) {
  std::string output;
  ASSERT_EQ(run_command(export_command(contacts, "out", "--key " + quote(w.path("controller.jwk"))), &output), 0)
      << output;
  EXPECT_NE(output.find("Partner acme (ACME Assurances): 1 row(s)"), std::string::npos) << output;
  EXPECT_EQ(read_csv(w.path("out/partner-acme.csv"))[1][0], w.reference("acme", id));
  EXPECT_TRUE(fs::exists(w.path("out/partner-notice-beta.fr.txt")));
  ASSERT_EQ(run_command(export_command(contacts, "json", "--format json"), &output), 0);
  EXPECT_NE(output.find("\"noticeDeadline\": \"2026-12-30\""), std::string::npos);
}

TEST_F(Cli, MalformedCsvExitsOneWithLineNumbers) {
  const std::string bad = w.write_file(
      "bad.csv", "cachet_receipt_id,email,phone,mobile,address\n" + id + ",a,,,\nx,\"b\"c,,,\ny,only-two\n");
  std::string output;
  EXPECT_EQ(run_command(export_command(bad, "out"), &output), 1);
  EXPECT_NE(output.find("line 3"), std::string::npos) << output;
  EXPECT_NE(output.find("line 4"), std::string::npos) << output;
  EXPECT_NE(output.find("nothing was written"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(w.path("out")));
}

TEST_F(Cli, MissingColumnsAreNamedWithAHintOnHowToMapThem) {
  const std::string other =
      w.write_file("other.csv", "id,mail,phone,mobile,address\n" + id + ",cli@example.fr,,,5 avenue Foch\n");
  std::string output;
  EXPECT_EQ(run_command(export_command(other, "out"), &output), 1);
  EXPECT_NE(output.find("no column \"cachet_receipt_id\""), std::string::npos) << output;
  EXPECT_NE(output.find("hint: name your file's columns with --receipt-column"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(w.path("out")));
  // The hint is right: mapped, the same file exports.
  const std::string mapping = w.write_file("mapping.json", R"({"receipt": "id", "email": "mail"})");
  EXPECT_EQ(run_command(export_command(other, "out", "--mapping " + quote(mapping)), &output), 0) << output;
  EXPECT_EQ(read_csv(w.path("out/partner-acme.csv"))[1][0], w.reference("acme", id));
  EXPECT_EQ(output.find("hint:"), std::string::npos) << output;
}

TEST_F(Cli, UsageAndIoErrorsExitTwo) {
  std::string output;
  EXPECT_EQ(
      run_command(cachet_binary() + " export --contacts " + quote(contacts) + " --db " + quote(w.path("nope.db")) +
                      " --config " + quote(w.path("consent.json")) + " --out " + quote(w.path("out")),
                  &output),
      2);
  EXPECT_NE(output.find("does not exist"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(w.path("nope.db")));
  EXPECT_EQ(run_command(export_command(contacts, "out", "--mapping m.json --email-column x"), &output), 2);
  EXPECT_EQ(run_command(export_command(w.path("missing.csv"), "out"), &output), 2);
  EXPECT_EQ(run_command(cachet_binary() + " export --help", &output), 0);
  EXPECT_NE(output.find("--receipt-column"), std::string::npos);
}

TEST_F(Cli, ReverifyAndTimings) {
  std::string output;
  ASSERT_EQ(run_command(export_command(contacts, "out", "--reverify --jobs 1 --format json --timings"), &output), 0)
      << output;
  EXPECT_NE(output.find("\"signatures\": \"re-verified\""), std::string::npos) << output;
  EXPECT_NE(output.find("timings: {"), std::string::npos) << output;
  EXPECT_EQ(read_csv(w.path("out/partner-acme.csv"))[1][0], w.reference("acme", id));
  // Old scripts still run; the flag is obsolete, not an error.
  ASSERT_EQ(run_command(export_command(contacts, "old", "--no-verify-signatures"), &output), 0) << output;
  EXPECT_EQ(run_command(export_command(contacts, "both", "--no-verify-signatures --reverify"), &output), 2);
}

TEST_F(Cli, BrokenChainExitsOneAndWritesNothing) {
  tamper_record(w.db_path, id);
  std::string output;
  EXPECT_EQ(run_command(export_command(contacts, "out"), &output), 1);
  EXPECT_NE(output.find("hash chain does not verify"), std::string::npos) << output;
  EXPECT_NE(output.find("nothing was written"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(w.path("out")));
  // `cachet ledger verify` names the edited record too.
  EXPECT_EQ(run_command(cachet_binary() + " ledger verify --format json --db " + quote(w.db_path), &output), 1);
  EXPECT_NE(output.find("ledger_record_mismatch"), std::string::npos) << output;
}

// --from-signed-head (docs/export.md): after a full export signed a head,
// the next one checks only the entries after it and says so; a ledger whose
// entry at the head no longer hashes to it is refused, nothing written. And
// `ledger verify --jobs` gives the same answer on one thread or two.
TEST_F(Cli, FromSignedHeadChecksOnlyWhatFollowsAndRefusesARewrittenLog) {
  const std::string key = "--key " + quote(w.path("controller.jwk"));
  std::string output;
  ASSERT_EQ(run_command(export_command(contacts, "full", key + " --jobs 2"), &output), 0) << output;
  EXPECT_NE(output.find("Hash chain: checked in full, entries 1.."), std::string::npos) << output;
  const std::string report = read_text(w.path("full/report.json"));
  EXPECT_NE(report.find("\"from\": \"genesis\""), std::string::npos) << report;
  EXPECT_NE(report.find("\"firstEntry\": 1"), std::string::npos) << report;

  ASSERT_EQ(run_command(export_command(contacts, "incremental", key + " --from-signed-head"), &output), 0) << output;
  EXPECT_NE(output.find("Hash chain: checked from the signed chain head at entry "), std::string::npos) << output;
  EXPECT_EQ(read_csv(w.path("incremental/partner-acme.csv"))[1][0], w.reference("acme", id));
  const std::string incremental = read_text(w.path("incremental/report.json"));
  EXPECT_NE(incremental.find("\"from\": \"signed-head\""), std::string::npos) << incremental;
  EXPECT_NE(incremental.find("\"signedHead\": {"), std::string::npos) << incremental;

  // Needs the key that signed the head; not with --reverify (a full check).
  EXPECT_EQ(run_command(export_command(contacts, "nokey", "--from-signed-head"), &output), 2);
  EXPECT_EQ(run_command(export_command(contacts, "both", key + " --from-signed-head --reverify"), &output), 2);

  for (const char* jobs : {"1", "2"}) {
    EXPECT_EQ(run_command(cachet_binary() + " ledger verify --jobs " + jobs + " --db " + quote(w.db_path), &output), 0)
        << output;
  }
  // The log rewritten up to the head: its entry no longer hashes to what the head states.
  exec_sql(w.db_path,
           "UPDATE log SET hash = '" + std::string(64, '0') + "' WHERE seq = (SELECT max(seq) FROM chain_heads)");
  EXPECT_EQ(run_command(export_command(contacts, "rewritten", key + " --from-signed-head"), &output), 1);
  EXPECT_NE(output.find("ledger_head_mismatch"), std::string::npos) << output;
  EXPECT_NE(output.find("nothing was written"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(w.path("rewritten")));
  for (const char* jobs : {"1", "2"}) {
    EXPECT_EQ(run_command(cachet_binary() + " ledger verify --jobs " + jobs + " --db " + quote(w.db_path), &output), 1)
        << output;
    EXPECT_NE(output.find("ledger_hash_mismatch"), std::string::npos) << output;
  }
}

TEST_F(Cli, ImportRelayed) {
  w.write_file("ok.csv", "reference,channel,action,date\n" + id + ",email,withdrawn,2026-11-20\n");
  const std::string base = cachet_binary() + " import-relayed --partner acme --db " + quote(w.db_path) + " --config " +
                           quote(w.path("consent.json")) + " --key " + quote(w.path("controller.jwk")) +
                           " --at 2026-11-25T00:00:00Z --file ";
  std::string output;
  ASSERT_EQ(run_command(base + quote(w.path("ok.csv")), &output), 0) << output;
  EXPECT_NE(output.find("line 2: applied"), std::string::npos) << output;
  w.write_file("bad.csv", "reference,channel,action,date\n" + id + ",email,withdrawn,2026-11-20\n" + id +
                              ",email,maybe,2026-11-20\n");
  EXPECT_EQ(run_command(base + quote(w.path("bad.csv")) + " --format json", &output), 1);
  EXPECT_NE(output.find("\"already-in-effect\": 1"), std::string::npos) << output;
  EXPECT_NE(output.find("\"bad-line\": 1"), std::string::npos) << output;
}

}  // namespace
}  // namespace cachet::export_test
