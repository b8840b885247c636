// Relayed objections and withdrawals: new receipts superseding the latest
// one, accepted into the ledger, honoured by later exports.
#include "cachet/export/relayed.h"

#include <gtest/gtest.h>

#include "cachet/jws.h"
#include "cachet/receipt.h"
#include "helpers.h"

namespace cachet::export_test {
namespace {

using Fields = std::vector<std::string>;

IssueSpec person() {
  IssueSpec s;
  s.decisions = {{"postal", "not-objected"}, {"phone", "objected"}, {"email", "granted"}, {"sms", "not-granted"}};
  s.contacts = {{"email", "p@example.fr"}, {"postal", "3 place du Marché"}};
  return s;
}

Fields row(const std::string& id) { return {id, "p@example.fr", "", "", "3 place du Marché"}; }
const Fields kHeader = {"cachet_receipt_id", "email", "phone", "mobile", "address"};

Result<exporter::RelayedReport> import(World& w, const std::string& file, const std::string& partner = "acme",
                                       const Config* config = nullptr) {
  exporter::RelayedOptions options;
  options.file_path = w.path(file);
  options.partner_id = partner;
  options.controller_key = w.controller_key;
  options.at = "2026-11-25T00:00:00Z";
  return exporter::import_relayed(config ? *config : w.config, *w.store, *w.crypto, options);
}

std::int64_t receipts_in(World& w) { return w.store->verify_chain().value().receipts; }

TEST(Relayed, AppliesEachLineAndLaterExportsHonourIt) {
  World w;
  const std::string p1 = w.issue(person());
  const std::string contacts = w.write_contacts("c.csv", {kHeader, row(p1)});
  ASSERT_TRUE(w.run(contacts, "before").ok());
  ASSERT_EQ(read_csv(w.path("before/partner-acme.csv"))[1],
            (Fields{w.reference("acme", p1), "3 place du Marché", "", "p@example.fr", ""}));

  w.write_file("relayed.csv",
               "reference,channel,action,date\r\n" + p1 + ",email,objected,2026-11-20\r\n" +  // 2 applied (withdrawn)
                   p1 + ",phone,objected,2026-11-20\r\n" +                                    // 3 already objected
                   "0f8fad5b-d9cb-469f-a165-70867728950e,postal,objected,2026-11-20\r\n" +    // 4 unknown
                   p1 + ",fax,objected,2026-11-20\r\n" +                                      // 5 bad channel
                   p1 + ",postal,withdrawn,2026-11-21T08:00:00Z\r\n" +                        // 6 applied (objected)
                   p1 + ",postal,objected,yesterday\r\n" +                                    // 7 bad date
                   p1 + ",sms,unsubscribed,2026-11-21\r\n" +                                  // 8 bad action
                   p1 + ",sms,objected,2027-01-01\r\n");                                      // 9 future
  auto report = import(w, "relayed.csv");
  ASSERT_TRUE(report.ok()) << report.problems().front().message;
  const auto& lines = report.value().lines;
  ASSERT_EQ(lines.size(), 8u);
  const std::vector<std::string> expected = {"applied", "already-in-effect", "unknown-reference", "bad-line",
                                             "applied", "bad-line",          "bad-line",          "bad-line"};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].outcome, expected[i]) << "line " << lines[i].line << ": " << lines[i].message;
    EXPECT_EQ(lines[i].line, static_cast<std::int64_t>(i + 2));
  }
  EXPECT_FALSE(report.value().all_applied_or_in_effect());
  EXPECT_EQ(report.value().to_json()["counts"]["applied"], 2);

  // The person's chain now ends with two relayed receipts, countersigned, subject carried over.
  auto state = w.store->state_of(p1);
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state.value().history.size(), 3u);
  const Json& latest = state.value().latest.payload;
  EXPECT_EQ(latest["collection"]["method"], "relayed-by-partner");
  EXPECT_EQ(latest["collection"]["relayedBy"], "acme");
  EXPECT_EQ(latest["channels"]["email"]["decision"], "withdrawn");
  EXPECT_EQ(latest["channels"]["postal"]["decision"], "objected");
  EXPECT_EQ(latest["channels"]["phone"]["decision"], "objected");
  EXPECT_EQ(latest["subject"], state.value().history.front().payload["subject"]);
  EXPECT_EQ(latest["supersedes"], lines[0].new_receipt_id);
  VerifyOptions trusted;
  trusted.trusted_controller_key = w.controller_public;
  EXPECT_TRUE(verify_receipt(state.value().latest.jws, *w.crypto, trusted).ok());
  EXPECT_TRUE(w.store->verify_chain().value().ok());

  // Later exports honour it.
  auto after = w.run(contacts, "after");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(read_csv(w.path("after/partner-acme.csv")).size(), 1u);  // header only
  for (const Json& p : after.value().report["partners"]) {
    if (p["id"] == "acme") {
      EXPECT_EQ(p["rowsLeftOut"]["withdrawn"], 1);
    }
    if (p["id"] == "beta") {
      EXPECT_EQ(p["rowsLeftOut"]["objected"], 1);
    }
  }

  // Importing the same file again changes nothing.
  const std::int64_t count = receipts_in(w);
  auto again = import(w, "relayed.csv");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().lines[0].outcome, "already-in-effect");
  EXPECT_EQ(again.value().lines[4].outcome, "already-in-effect");
  EXPECT_EQ(receipts_in(w), count);
}

TEST(Relayed, ALaterChoiceByThePersonStands) {
  World w;
  const std::string p1 = w.issue(person());
  IssueSpec again = person();  // a new paper form on the 22nd: every box answered again, email ticked
  again.contacts = Json::object();
  again.supersedes = p1;
  again.method = "paper";
  again.at = "2026-11-22T10:00:00Z";
  w.issue(again);
  w.write_file("r.csv", "reference,channel,action,date\n" + p1 + ",email,withdrawn,2026-11-20\n");
  auto report = import(w, "r.csv");
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().lines[0].outcome, "superseded-by-later-choice");
}

// Issue 11, fault 3: once the person's latest receipt was itself relayed (an
// unrelated postal objection), a withdrawal dated before the person's own
// consent was applied. The latest act on each channel, by the person's time, wins.
TEST(Relayed, AStaleRequestStaysStaleAfterAnotherRelayedOne) {
  World w;
  IssueSpec signup = person();
  signup.at = "2026-11-15T10:00:00Z";  // email consent on the 15th
  const std::string p1 = w.issue(signup);
  w.write_file("postal.csv", "reference,channel,action,date\n" + p1 + ",postal,objected,2026-11-18\n");
  auto postal = import(w, "postal.csv");
  ASSERT_TRUE(postal.ok());
  ASSERT_EQ(postal.value().lines[0].outcome, "applied");
  w.write_file("stale.csv", "reference,channel,action,date\n" + p1 + ",email,withdrawn,2026-11-10\n");
  auto stale = import(w, "stale.csv");
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale.value().lines[0].outcome, "superseded-by-later-choice") << stale.value().lines[0].message;
  // The consent still goes out.
  const std::string contacts = w.write_contacts("contacts.csv", {kHeader, row(p1)});
  ASSERT_TRUE(w.run(contacts, "out").ok());
  EXPECT_NE(read_text(w.path("out/partner-acme.csv")).find("p@example.fr"), std::string::npos);
  // The same request dated after the consent applies.
  w.write_file("late.csv", "reference,channel,action,date\n" + p1 + ",email,withdrawn,2026-11-16\n");
  auto late = import(w, "late.csv");
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late.value().lines[0].outcome, "applied");
}

// A choice on another channel is no later choice on this one: a withdrawal
// dated after the consent applies even when a preference-centre change came after it.
TEST(Relayed, AChangeOnAnotherChannelDoesNotMakeARequestStale) {
  World w;
  const std::string p1 = w.issue(person());  // email consent on the 1st
  IssueSpec again = person();
  again.contacts = Json::object();
  again.decisions["postal"] = "objected";  // the person objects to postal mail on the 22nd
  again.supersedes = p1;
  again.method = "preference-centre";
  again.at = "2026-11-22T10:00:00Z";
  w.issue(again);
  w.write_file("r.csv", "reference,channel,action,date\n" + p1 + ",email,withdrawn,2026-11-20\n");
  auto report = import(w, "r.csv");
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().lines[0].outcome, "applied");
}

TEST(Relayed, ARelayedReceiptDoesNotWidenThePartnerList) {
  World w;
  const Config grown = make_config(test_config_json("newco"));
  const std::string p1 = w.issue(person());  // the person saw acme, beta, gamma
  w.write_file("r.csv", "reference,channel,action,date\n" + p1 + ",phone,withdrawn,2026-11-20\n" + p1 +
                            ",sms,withdrawn,2026-11-20\n");
  // phone already objected, SMS never granted: nothing to record.
  auto nothing = import(w, "r.csv", "acme", &grown);
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing.value().lines[0].outcome, "already-in-effect");
  w.write_file("r2.csv", "reference,channel,action,date\n" + p1 + ",postal,objected,2026-11-20\n");
  auto applied = import(w, "r2.csv", "newco", &grown);
  ASSERT_TRUE(applied.ok());
  ASSERT_EQ(applied.value().lines[0].outcome, "applied") << applied.value().lines[0].message;
  // The relayed receipt lists newco (the config's current list), but the
  // person never saw it: email consent must not flow to newco.
  // The same on both paths: the index, and the receipts re-verified now.
  for (const bool reverify : {false, true}) {
    exporter::ExportOptions options;
    options.contacts_path = w.write_contacts("c.csv", {kHeader, row(p1)});
    options.out_dir = w.path(reverify ? "out-reverified" : "out");
    options.at = "2026-11-30T10:00:00Z";
    options.reverify = reverify;
    auto outcome = exporter::run_export(grown, *w.store, options);
    ASSERT_TRUE(outcome.ok());
    for (const Json& p : outcome.value().report["partners"]) {
      if (p["id"] == "newco") {
        EXPECT_EQ(p["rowsWritten"], 0) << reverify;
        EXPECT_EQ(p["rowsLeftOut"]["partner-not-listed"], 1) << reverify;
      }
      if (p["id"] == "acme") {
        EXPECT_EQ(p["rowsWritten"], 1) << reverify;  // email still consented for acme
      }
    }
  }
}

TEST(Relayed, MalformedFileAppliesNothing) {
  World w;
  const std::string p1 = w.issue(person());
  const std::int64_t before = receipts_in(w);
  w.write_file("missing.csv", "reference,channel,action\n" + p1 + ",email,withdrawn\n");
  auto missing = import(w, "missing.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.problems().front().code, "csv_missing_column");
  w.write_file("quotes.csv", "reference,channel,action,date\n" + p1 + ",email,withdrawn,2026-11-20\n" + p1 +
                                 ",\"email\"x,withdrawn,2026-11-20\n");
  auto quotes = import(w, "quotes.csv");
  ASSERT_FALSE(quotes.ok());
  EXPECT_EQ(quotes.problems().front().code, "csv_bad_quote");
  EXPECT_EQ(quotes.problems().front().path, "line 3");
  EXPECT_EQ(receipts_in(w), before);  // line 2 was fine, but nothing was applied

  auto unknown = import(w, "missing.csv", "nobody");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.problems().front().code, "relayed_unknown_partner");
}

}  // namespace
}  // namespace cachet::export_test
