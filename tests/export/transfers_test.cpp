// Consent follows the data: every export records its transfers in the
// ledger; later objections, withdrawals, purges and erasures reach the
// partners who hold the data in their next changes file; every row left out
// is listed with its line; partners' notice acknowledgements and the overdue
// report (R8).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "cachet/canonical_json.h"
#include "cachet/export/notices.h"
#include "cachet/export/relayed.h"
#include "cachet/ledger/digest.h"
#include "cachet/ledger/store.h"
#include "exporter.h"
#include "helpers.h"

namespace cachet::export_test {
namespace {

using Fields = std::vector<std::string>;
const Fields kHeader = {"cachet_receipt_id", "email", "phone", "mobile", "address"};

// Postal not objected, phone objected, email granted, SMS not granted.
IssueSpec person() {
  IssueSpec s;
  s.decisions = {{"postal", "not-objected"}, {"phone", "objected"}, {"email", "granted"}, {"sms", "not-granted"}};
  s.contacts = {{"email", "p@example.fr"}, {"postal", "3 place du Marché"}};
  s.at = "2026-11-01T10:00:00Z";
  return s;
}
Fields row(const std::string& id) { return {id, "p@example.fr", "06 12 34 56 78", "", "3 place du Marché"}; }

// A change made in the preference centre: `decisions` over the person's own.
std::string change(World& w, const std::string& latest, const Json& decisions, const std::string& at) {
  IssueSpec s = person();
  s.contacts = Json::object();
  s.supersedes = latest;
  s.method = "preference-centre";
  s.at = at;
  for (const auto& [channel, decision] : decisions.items()) s.decisions[channel] = decision;
  return w.issue(s);
}

exporter::ExportOptions at(const std::string& when) {
  exporter::ExportOptions options;
  options.at = when;
  return options;
}

const Json& partner_report(const Json& report, const std::string& id) {
  for (const Json& p : report["partners"]) {
    if (p["id"] == id) return p;
  }
  static const Json none = Json::object();
  ADD_FAILURE() << "no partner " << id;
  return none;
}

void sql(const std::string& db_path, const std::string& statement) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(Transfers, EachExportRecordsWhoGotWhatAndTheFileSent) {
  World w;
  const std::string p1 = w.issue(person());
  auto outcome = w.run(w.write_contacts("c.csv", {kHeader, row(p1)}), "out", at("2026-11-10T09:00:00Z"));
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  const Json& report = outcome.value().report;

  Result<std::vector<ledger::Transfer>> transfers = w.store->transfers_of(p1);
  ASSERT_TRUE(transfers.ok());
  ASSERT_EQ(transfers.value().size(), 3u);             // acme, beta, gamma
  const ledger::Transfer acme = transfers.value()[0];  // a copy: `transfers` is read again below
  EXPECT_EQ(acme.partner_id, "acme");
  EXPECT_EQ(acme.reference, w.reference("acme", p1));
  EXPECT_EQ(acme.chain_root, p1);
  EXPECT_EQ(acme.channels, (std::vector<std::string>{"postal", "email"}));  // phone objected, SMS not granted
  EXPECT_EQ(acme.at, "2026-11-10T09:00:00Z");
  EXPECT_EQ(acme.file_sha256, partner_report(report, "acme")["sha256"]);
  EXPECT_EQ(acme.notice_due, "2026-12-10");
  EXPECT_EQ(transfers.value()[1].channels, (std::vector<std::string>{"postal"}));  // beta: postal and phone only
  EXPECT_EQ(partner_report(report, "acme")["transfer"]["rows"], 1);
  // References: one per partner, the same in the file and in the ledger, never linkable.
  EXPECT_EQ(read_csv(w.path("out/partner-acme.csv"))[1][0], acme.reference);
  EXPECT_EQ(read_csv(w.path("out/partner-beta.csv"))[1][0], transfers.value()[1].reference);
  EXPECT_NE(acme.reference, transfers.value()[1].reference);
  EXPECT_EQ(acme.reference.find(p1), std::string::npos);
  // The first export tells no one to stop anything.
  EXPECT_EQ(read_text(w.path("out/partner-acme.changes.csv")), "reference,channel,action,reason,acted_at\r\n");
  EXPECT_TRUE(w.store->verify_chain().value().ok());

  // The next transfer sends the person again, unchanged: its entry counts the
  // file's row (fileRows) but records none, and what acme holds keeps the
  // person's reference and first due date (R8: first transfer + one month).
  auto second = w.run(w.write_contacts("c.csv", {kHeader, row(p1)}), "out2", at("2026-11-20T09:00:00Z"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(read_csv(w.path("out2/partner-acme.csv"))[1][0], acme.reference);
  EXPECT_EQ(w.store->transfers_of(p1).value().size(), 3u);
  const Json& acme_second = partner_report(second.value().report, "acme")["transfer"];
  EXPECT_EQ(acme_second["rows"], 0);
  Json entry;
  ASSERT_TRUE(
      w.store
          ->read_log(acme_second["seq"].get<std::int64_t>(), acme_second["seq"].get<std::int64_t>(),
                     [&entry](std::int64_t, std::string_view text, std::string_view) { entry = Json::parse(text); })
          .empty());
  EXPECT_EQ(entry["fileRows"], 1);
  EXPECT_EQ(entry["rows"], 0);
  std::vector<ledger::Holding> held;
  ASSERT_TRUE(w.store->for_each_holding("acme", [&held](const ledger::Holding& h) { held.push_back(h); }).empty());
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].reference, acme.reference);
  EXPECT_EQ(held[0].notice_due, "2026-12-10");
  EXPECT_EQ(held[0].channels, (std::vector<std::string>{"postal", "email"}));
  EXPECT_TRUE(w.store->verify_chain().value().ok());
}

// What the export relies on instead of the whole transfer history: an edited
// holdings table stops it, as an edited transfer row does.
TEST(Transfers, ATamperedHoldingStopsTheNextExport) {
  for (const char* edit : {"UPDATE transfer_holdings SET channels = 1 WHERE partner_id = 'acme'",  // hide the email
                           "DELETE FROM transfer_holdings WHERE partner_id = 'beta'"}) {
    World w;
    const std::string p1 = w.issue(person());
    ASSERT_TRUE(w.run(w.write_contacts("c.csv", {kHeader, row(p1)}), "first", at("2026-11-10T09:00:00Z")).ok());
    sql(w.db_path, edit);
    Result<ledger::ChainReport> chain = w.store->verify_chain();
    ASSERT_TRUE(chain.ok());
    ASSERT_FALSE(chain.value().ok()) << edit;
    EXPECT_EQ(chain.value().problems.front().code, "ledger_holdings_mismatch");
    auto refused = w.run(w.write_contacts("c.csv", {kHeader, row(p1)}), "second", at("2026-11-20T09:00:00Z"));
    ASSERT_FALSE(refused.ok()) << edit;
    EXPECT_EQ(refused.problems().front().code, "export_ledger_broken");
    EXPECT_NE(refused.problems().front().message.find("ledger_holdings_mismatch"), std::string::npos);
  }
}

// A ledger written before schema 9: transfer entries without holdingsSha256.
// Rewrites the log as such a ledger had it (the members dropped, every hash
// from there recomputed) and opens it at schema 8 again.
void as_schema_eight(World& w) {
  w.store.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(w.db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT seq, entry FROM log ORDER BY seq", -1, &st, nullptr), SQLITE_OK);
  std::vector<std::pair<std::int64_t, std::string>> entries;
  while (sqlite3_step(st) == SQLITE_ROW) {
    entries.emplace_back(sqlite3_column_int64(st, 0), reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
  }
  sqlite3_finalize(st);
  std::string prev(32, '\0');
  ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE log SET entry = ?1, hash = ?2 WHERE seq = ?3", -1, &st, nullptr), SQLITE_OK);
  for (auto& [seq, text] : entries) {
    Json entry = Json::parse(text);
    if (entry["kind"] == "transfer") {
      entry.erase("holdingsSha256");
      entry.erase("fileRows");
      text = canonicalize(entry).value();
    }
    const std::string hash = ledger::sha256_hex(prev + text);
    prev = ledger::from_hex(hash).value();
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, text.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hash.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, seq);
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
  }
  sqlite3_finalize(st);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE transfer_holdings; PRAGMA user_version = 8", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto reopened = ledger::open_sqlite_store(w.db_path);  // migrates to schema 9: the holdings from the rows
  ASSERT_TRUE(reopened.ok());
  w.store = std::move(reopened).value();
}

TEST(Transfers, AfterTheSchemaNineStepTheHoldingsAreCheckedAgainstTheRows) {
  World w;
  const std::string p1 = w.issue(person());
  ASSERT_TRUE(w.run(w.write_contacts("c.csv", {kHeader, row(p1)}), "first", at("2026-11-10T09:00:00Z")).ok());
  as_schema_eight(w);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(w.store->verify_chain().value().ok());
  // Edited after the migration, before any entry states a digest: caught by the rows.
  sql(w.db_path, "UPDATE transfer_holdings SET channels = 1 WHERE partner_id = 'acme'");
  auto refused = w.run(w.write_contacts("c.csv", {kHeader, row(p1)}), "refused", at("2026-11-20T09:00:00Z"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.problems().front().code, "export_ledger_broken");
  sql(w.db_path, "UPDATE transfer_holdings SET channels = 5 WHERE partner_id = 'acme'");  // postal and email: as sent
  // Then the export runs as before: the person again, unchanged, recorded by count only.
  const std::string withdrawn = change(w, p1, {{"email", "withdrawn"}}, "2026-11-12T08:30:00Z");
  auto second = w.run(w.write_contacts("c.csv", {kHeader, row(withdrawn)}), "second", at("2026-11-20T09:00:00Z"));
  ASSERT_TRUE(second.ok()) << second.problems().front().message;
  EXPECT_EQ(read_csv(w.path("second/partner-acme.changes.csv")),
            (std::vector<Fields>{{"reference", "channel", "action", "reason", "acted_at"},
                                 {w.reference("acme", p1), "email", "stop", "withdrawal", "2026-11-12T08:30:00Z"}}));
  EXPECT_TRUE(w.store->verify_chain().value().ok());
}

TEST(Transfers, ObjectionsAndWithdrawalsAfterAnExportReachThePartnersThatHoldTheData) {
  World w;
  const std::string p1 = w.issue(person());
  const std::string p2 = w.issue(person());
  const std::string contacts = w.write_contacts("c.csv", {kHeader, row(p1), row(p2)});
  ASSERT_TRUE(w.run(contacts, "first", at("2026-11-10T09:00:00Z")).ok());

  // After the export: p1 withdraws email consent, p2 objects to postal mail.
  const std::string p1_latest = change(w, p1, {{"email", "withdrawn"}}, "2026-11-12T08:30:00Z");
  const std::string p2_latest = change(w, p2, {{"postal", "objected"}}, "2026-11-13T18:00:00Z");
  ASSERT_FALSE(p1_latest.empty());
  ASSERT_FALSE(p2_latest.empty());

  auto second = w.run(w.write_contacts("c2.csv", {kHeader, row(p1_latest), row(p2_latest)}), "second",
                      at("2026-11-20T09:00:00Z"));
  ASSERT_TRUE(second.ok()) << second.problems().front().message;
  const auto acme = read_csv(w.path("second/partner-acme.changes.csv"));
  std::vector<Fields> expected = {
      {"reference", "channel", "action", "reason", "acted_at"},
      {w.reference("acme", p1), "email", "stop", "withdrawal", "2026-11-12T08:30:00Z"},
      {w.reference("acme", p2), "postal", "stop", "objection", "2026-11-13T18:00:00Z"},
  };
  std::sort(expected.begin() + 1, expected.end());
  EXPECT_EQ(acme, expected);
  // beta never got email: it hears of the postal objection only.
  EXPECT_EQ(read_csv(w.path("second/partner-beta.changes.csv")),
            (std::vector<Fields>{{"reference", "channel", "action", "reason", "acted_at"},
                                 {w.reference("beta", p2), "postal", "stop", "objection", "2026-11-13T18:00:00Z"}}));
  const Json& report = second.value().report;
  EXPECT_EQ(partner_report(report, "acme")["changes"]["stop"], Json({{"objection", 1}, {"withdrawal", 1}}));
  EXPECT_EQ(partner_report(report, "beta")["changes"]["stop"], Json({{"objection", 1}}));
  EXPECT_EQ(partner_report(report, "acme")["changes"]["since"], "2026-11-10T09:00:00Z");
  EXPECT_EQ(report["changes"]["stop"]["withdrawal"], 2);  // acme and gamma held the email address
  EXPECT_EQ(report["changes"]["stop"]["objection"], 3);
  EXPECT_NE(second.value().summary.find("stop (objection) 1"), std::string::npos) << second.value().summary;
  // What left this time: p1 without email, p2 without postal.
  EXPECT_EQ(w.store->transfers_of(p1).value()[3].channels, (std::vector<std::string>{"postal"}));

  // Told once: the next export has nothing new to say.
  auto third =
      w.run(w.write_contacts("c3.csv", {kHeader, row(p1_latest), row(p2_latest)}), "third", at("2026-11-25T09:00:00Z"));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(read_csv(w.path("third/partner-acme.changes.csv")).size(), 1u);
  EXPECT_TRUE(w.store->verify_chain().value().ok());
}

TEST(Transfers, AChangeBackBeforeTheNextExportSaysNothingAndARelayedObjectionIsPassedOn) {
  World w;
  const std::string p1 = w.issue(person());
  ASSERT_TRUE(w.run(w.write_contacts("c.csv", {kHeader, row(p1)}), "first", at("2026-11-10T09:00:00Z")).ok());
  const std::string withdrawn = change(w, p1, {{"email", "withdrawn"}}, "2026-11-11T10:00:00Z");
  const std::string granted = change(w, withdrawn, {{"email", "granted"}}, "2026-11-12T10:00:00Z");
  ASSERT_TRUE(w.run(w.write_contacts("c.csv", {kHeader, row(granted)}), "second", at("2026-11-20T09:00:00Z")).ok());
  EXPECT_EQ(read_csv(w.path("second/partner-acme.changes.csv")).size(), 1u);  // allowed again: nothing to stop
  // Sent under receipts newer than the previous transfer: recorded again, though the same channels.
  EXPECT_EQ(w.store->transfers_of(p1).value().size(), 6u);

  // gamma relays an objection to postal mail, naming the person by gamma's own reference.
  w.write_file("relayed.csv", "reference,channel,action,date\n" + w.reference("gamma", p1) +
                                  ",postal,objected,2026-11-21\n" + w.reference("acme", p1) +
                                  ",postal,objected,2026-11-21\n");
  exporter::RelayedOptions relayed;
  relayed.file_path = w.path("relayed.csv");
  relayed.partner_id = "gamma";
  relayed.controller_key = w.controller_key;
  relayed.at = "2026-11-22T00:00:00Z";
  Result<exporter::RelayedReport> imported = exporter::import_relayed(w.config, *w.store, *w.crypto, relayed);
  ASSERT_TRUE(imported.ok()) << imported.problems().front().message;
  ASSERT_EQ(imported.value().lines.size(), 2u);
  EXPECT_EQ(imported.value().lines[0].outcome, "applied");
  EXPECT_EQ(imported.value().lines[0].chain_root, p1);
  // acme's reference means nothing to gamma (references do not link partners).
  EXPECT_EQ(imported.value().lines[1].outcome, "unknown-reference");

  auto third = w.run(w.write_contacts("c.csv", {kHeader, row(granted)}), "third", at("2026-11-25T09:00:00Z"));
  ASSERT_TRUE(third.ok());
  const auto acme = read_csv(w.path("third/partner-acme.changes.csv"));
  ASSERT_EQ(acme.size(), 2u);
  // The time of the person's act: the end of the day the partner relayed (lifecycle.h act_time).
  EXPECT_EQ(acme[1], (Fields{w.reference("acme", p1), "postal", "stop", "objection", "2026-11-21T23:59:59Z"}));
}

TEST(Transfers, PurgedOrExpiredPeopleAreToBeDeleted) {
  World w;
  const std::string p1 = w.issue(person());  // retention: 36 months from 2026-11-01
  const std::string p2 = w.issue(person());
  ASSERT_TRUE(w.run(w.write_contacts("c.csv", {kHeader, row(p1), row(p2)}), "first", at("2026-11-10T09:00:00Z")).ok());

  // Not purged yet, but past retention: delete, from the retention's end.
  auto expired = w.run(w.write_contacts("c.csv", {kHeader}), "expired", at("2029-12-01T00:00:00Z"));
  ASSERT_TRUE(expired.ok()) << expired.problems().front().message;
  const auto lines = read_csv(w.path("expired/partner-acme.changes.csv"));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1][1], "all");
  EXPECT_EQ(lines[1][2], "delete");
  EXPECT_EQ(lines[1][3], "retention-expired");
  EXPECT_EQ(lines[1][4], "2029-11-01T10:00:00Z");

  // Purged (R9): the purge entry names them; the transfer rows stay as proof.
  World v;
  const std::string q1 = v.issue(person());
  ASSERT_TRUE(v.run(v.write_contacts("c.csv", {kHeader, row(q1)}), "first", at("2026-11-10T09:00:00Z")).ok());
  Result<ledger::PurgeReport> purge = v.store->purge(exporter::parse_time("2030-01-01T00:00:00Z").value());
  ASSERT_TRUE(purge.ok());
  ASSERT_EQ(purge.value().removed.size(), 1u);
  EXPECT_EQ(v.store->transfers_of(q1).value().size(), 3u);
  auto after = v.run(v.write_contacts("c.csv", {kHeader, row(q1)}), "after", at("2030-01-02T00:00:00Z"));
  ASSERT_TRUE(after.ok()) << after.problems().front().message;
  EXPECT_EQ(
      read_csv(v.path("after/partner-beta.changes.csv")),
      (std::vector<Fields>{{"reference", "channel", "action", "reason", "acted_at"},
                           {v.reference("beta", q1), "all", "delete", "retention-expired", "2030-01-01T00:00:00Z"}}));
  EXPECT_EQ(partner_report(after.value().report, "beta")["changes"]["delete"], Json({{"retention-expired", 1}}));
  EXPECT_TRUE(v.store->verify_chain().value().ok());
}

// The removals named by erasure and purge log entries (ledger/rights.h writes
// the erasure entry; tests/server/transfers.test.mjs erases a real person and
// finds the deletes in the partners' next changes files).
TEST(Transfers, ErasureAndPurgeEntriesNameThePeopleRemoved) {
  const std::string erasure =
      R"({"at":"2026-11-20T10:00:00Z","chainRoot":"r-1","kind":"erasure","removed":[{"entryHash":"h1",)"
      R"("receiptId":"r-1"},{"entryHash":"h2","receiptId":"r-2"}],"requestedAt":"2026-11-19T08:00:00Z","seq":7})";
  auto removed = exporter::removals_in(7, erasure);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].first, "r-1");
  EXPECT_EQ(removed[0].second.reason, "erasure");
  EXPECT_EQ(removed[0].second.at, "2026-11-19T08:00:00Z");
  EXPECT_EQ(removed[0].second.seq, 7);
  const std::string purge =
      R"({"at":"2030-01-01T00:00:00Z","kind":"purge","reason":"retention","removed":[{"chainRoot":"a",)"
      R"("entryHash":"h","receiptId":"a"},{"chainRoot":"a","entryHash":"h","receiptId":"a2"},{"chainRoot":"b",)"
      R"("entryHash":"h","receiptId":"b"}],"seq":9})";
  removed = exporter::removals_in(9, purge);
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].first, "a");
  EXPECT_EQ(removed[1].first, "b");
  EXPECT_EQ(removed[1].second.reason, "retention-expired");
  EXPECT_TRUE(exporter::removals_in(3, R"({"kind":"event","seq":3,"type":"purge"})").empty());
}

TEST(Transfers, ATamperedTransferRowStopsTheNextExport) {
  World w;
  const std::string p1 = w.issue(person());
  ASSERT_TRUE(w.run(w.write_contacts("c.csv", {kHeader, row(p1)}), "first", at("2026-11-10T09:00:00Z")).ok());
  sql(w.db_path, "UPDATE transfers SET channels = '[\"postal\"]' WHERE partner_id = 'acme'");  // hide the email sent
  Result<ledger::ChainReport> chain = w.store->verify_chain();
  ASSERT_TRUE(chain.ok());
  ASSERT_FALSE(chain.value().ok());
  EXPECT_EQ(chain.value().problems.front().code, "ledger_transfer_mismatch");
  auto refused = w.run(w.write_contacts("c.csv", {kHeader, row(p1)}), "second", at("2026-11-20T09:00:00Z"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.problems().front().code, "export_ledger_broken");
}

TEST(Transfers, ExcludedCsvListsEveryRowAndValueLeftOut) {
  World w;
  const std::string p1 = w.issue(person());
  const std::string contacts = w.write_contacts("c.csv", {kHeader, row(p1), {"", "x@example.fr", "", "", ""}, row(p1)});
  auto outcome = w.run(contacts, "out", at("2026-11-10T09:00:00Z"));
  ASSERT_TRUE(outcome.ok());
  const auto excluded = read_csv(w.path("out/excluded.csv"));
  const std::vector<Fields> expected = {
      {"line", "partner", "channel", "reason"}, {"2", "acme", "phone", "objected"},
      {"2", "beta", "phone", "objected"},       {"2", "gamma", "phone", "objected"},
      {"3", "*", "row", "no-receipt"},          {"4", "*", "row", "duplicate-person"}};
  EXPECT_EQ(excluded, expected);
  EXPECT_EQ(outcome.value().report["excluded"]["lines"], 5);
  EXPECT_EQ(outcome.value().report["rowsLeftOutForEveryPartner"]["no-receipt"], 1);
  EXPECT_NE(outcome.value().summary.find("excluded.csv (5 line(s))"), std::string::npos);
}

TEST(Transfers, NoticeAcknowledgementsAndTheOverdueReport) {
  World w;
  const std::string p1 = w.issue(person());
  const std::string p2 = w.issue(person());
  ASSERT_TRUE(w.run(w.write_contacts("c.csv", {kHeader, row(p1), row(p2)}), "first", at("2026-11-10T09:00:00Z")).ok());
  w.write_file("acks.csv", "reference,sent\n" + w.reference("acme", p1) + ",2026-11-15\n" + w.reference("beta", p1) +
                               ",2026-11-15\n" + w.reference("acme", p2) + ",15/11/2026\n" + w.reference("acme", p1) +
                               ",2026-11-16\n,2026-11-15\n" + w.reference("acme", p2) + ",2026-11-01\n");
  exporter::AckOptions options;
  options.file_path = w.path("acks.csv");
  options.partner_id = "acme";
  options.at = "2026-11-30T00:00:00Z";
  Result<exporter::AckReport> acks = exporter::import_notice_acks(*w.store, options);
  ASSERT_TRUE(acks.ok()) << acks.problems().front().message;
  std::vector<std::string> outcomes;
  for (const exporter::AckLine& l : acks.value().lines) outcomes.push_back(std::to_string(l.line) + " " + l.outcome);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"2 recorded", "3 unknown-reference", "4 bad-line",
                                                "5 already-acknowledged", "6 bad-line", "7 bad-line"}));
  EXPECT_FALSE(acks.value().all_recorded());
  EXPECT_GT(acks.value().seq, 0);
  EXPECT_EQ(w.store->transfers_of(p1).value()[0].notice_acknowledged_at, "2026-11-15");
  EXPECT_TRUE(w.store->verify_chain().value().ok());

  // Due 2026-12-10: not overdue that day, overdue the next.
  Result<exporter::NoticeReport> on_time = exporter::notice_report(*w.store, "2026-12-10");
  ASSERT_TRUE(on_time.ok());
  EXPECT_TRUE(on_time.value().overdue.empty());
  Result<exporter::NoticeReport> late = exporter::notice_report(*w.store, "2026-12-11");
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late.value().overdue.size(), 5u);  // 6 owed (3 partners x 2 people), acme acknowledged p1
  EXPECT_EQ(late.value().partners.at("acme").overdue, 1);
  EXPECT_EQ(late.value().partners.at("acme").acknowledged, 1);
  EXPECT_EQ(late.value().overdue[0].partner_id, "acme");
  EXPECT_EQ(late.value().overdue[0].reference, w.reference("acme", p2));
  EXPECT_EQ(late.value().overdue[0].due, "2026-12-10");
  EXPECT_EQ(late.value().to_json()["overdue"], 5);

  // A partner nothing was sent to owes nothing; a malformed file records nothing.
  options.partner_id = "nobody";
  EXPECT_EQ(exporter::import_notice_acks(*w.store, options).problems().front().code, "notices_unknown_partner");
  w.write_file("bad.csv", "reference\nx\n");
  options.partner_id = "acme";
  options.file_path = w.path("bad.csv");
  EXPECT_EQ(exporter::import_notice_acks(*w.store, options).problems().front().code, "csv_missing_column");
}

}  // namespace
}  // namespace cachet::export_test
