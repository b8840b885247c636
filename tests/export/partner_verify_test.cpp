// What a partner receives and checks (docs/export.md, "For partners"): the
// receipts written beside each partner file, and `partner verify` accepting
// an honest export and refusing every tampered row with its line and reason.
#include "cachet/export/partner_verify.h"

#include <gtest/gtest.h>

#include <fstream>

#include "cachet/export/csv.h"
#include "cachet/jws.h"
#include "cachet/messages.h"
#include "cachet/receipt.h"
#include "helpers.h"

namespace cachet::export_test {
namespace {

using Fields = std::vector<std::string>;
const Fields kHeader = {"cachet_receipt_id", "email", "phone", "mobile", "address"};

IssueSpec person(const std::string& email, bool keyed = false) {
  IssueSpec s;
  s.decisions = {{"postal", "not-objected"}, {"phone", "objected"}, {"email", "granted"}, {"sms", "not-granted"}};
  s.contacts = {{"email", email}, {"phone", "+33 6 12 34 56 78"}, {"postal", "12 rue du Lac, 75001 Paris"}};
  s.keyed = keyed;
  return s;
}

Fields row(const std::string& id, const std::string& email) {
  return {id, email, "06 12 34 56 78", "", "12 rue du Lac,  75001 Paris"};
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc);
  for (const std::string& l : lines) out << l << "\n";
}

void write_csv(const std::string& path, const std::vector<Fields>& rows) {
  std::string text;
  for (const Fields& r : rows) exporter::append_csv_record(text, r);
  std::ofstream(path, std::ios::trunc | std::ios::binary) << text;
}

// A world with an export done: a plain person (web form), one who changed
// their mind in the preference centre (a chain of two receipts), and a keyed
// (version 2) one; exported with the controller's private key.
class PartnerFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    plain = w.issue(person("Jean.Dupont@Example.fr"));
    IssueSpec first = person("marie@example.fr");
    first.decisions["email"] = "not-granted";
    changed_root = w.issue(first);
    IssueSpec update;
    update.supersedes = changed_root;
    update.method = "preference-centre";
    update.at = "2026-11-05T10:00:00Z";
    update.decisions = {
        {"postal", "not-objected"}, {"phone", "objected"}, {"email", "granted"}, {"sms", "not-granted"}};
    changed = w.issue(update);
    IssueSpec k = person("paul@example.fr", true);
    k.locale = "en";
    keyed = w.issue(k);
    contacts = w.write_contacts("contacts.csv", {kHeader, row(plain, " jean.dupont@example.fr"),
                                                 row(changed, "marie@example.fr"), row(keyed, "Paul@example.fr")});
    Result<std::string> secret = contact_digest_secret(w.controller_key, *w.crypto);
    ASSERT_TRUE(secret.ok());
    exporter::ExportOptions options;
    options.controller_key = w.controller_public;
    options.digest_secret = secret.value();
    auto outcome = w.run(contacts, "out", options);
    ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
    report = outcome.value().report;
  }

  Result<exporter::PartnerVerifyReport> verify(const std::string& csv, const std::string& receipts,
                                               const std::string& partner = "acme", const Json* key = nullptr) {
    exporter::PartnerVerifyOptions o;
    o.csv_path = csv;
    o.receipts_path = receipts;
    o.partner_id = partner;
    o.controller_key = key != nullptr ? *key : w.controller_public;
    return exporter::verify_partner_file(o, *w.crypto);
  }

  // The codes of the report's problems, "line:column:code".
  static std::vector<std::string> codes(const exporter::PartnerVerifyReport& r) {
    std::vector<std::string> out;
    for (const auto& p : r.problems) out.push_back(std::to_string(p.line) + ":" + p.column + ":" + p.code);
    return out;
  }

  World w;
  std::string plain, changed_root, changed, keyed, contacts;
  Json report;
};

TEST_F(PartnerFiles, EachRowComesWithTheReceiptsThatJustifyIt) {
  const auto acme = read_csv(w.path("out/partner-acme.csv"));
  ASSERT_EQ(acme.size(), 4u);
  const auto lines = lines_of(w.path("out/partner-acme.receipts.jsonl"));
  ASSERT_EQ(lines.size(), 3u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Json line = Json::parse(lines[i]);
    EXPECT_EQ(line["row"], i + 1);
    EXPECT_EQ(line["reference"], acme[i + 1][0]) << "same order, same reference";
    ASSERT_TRUE(line["receipts"].is_array());
    for (const Json& jws : line["receipts"]) {
      Result<VerifiedReceipt> v = verify_receipt(jws.dump(), *w.crypto, {w.controller_public});
      EXPECT_TRUE(v.ok()) << "countersigned by the controller";
    }
  }
  // The plain person: their one receipt, no key (salted SHA-256).
  const Json first = Json::parse(lines[0]);
  ASSERT_EQ(first["receipts"].size(), 1u);
  EXPECT_FALSE(first.contains("digestKey"));
  // The change made in the preference centre rests on the web-form receipt
  // that showed the partner list: both, oldest first.
  const Json second = Json::parse(lines[1]);
  ASSERT_EQ(second["receipts"].size(), 2u);
  Result<VerifiedReceipt> older = verify_receipt(second["receipts"][0].dump(), *w.crypto);
  Result<VerifiedReceipt> newer = verify_receipt(second["receipts"][1].dump(), *w.crypto);
  ASSERT_TRUE(older.ok() && newer.ok());
  EXPECT_EQ(older.value().receipt_id, changed_root);
  EXPECT_EQ(newer.value().receipt_id, changed);
  // The keyed receipt comes with its own key k, and only that: it matches the
  // value sent and nothing else.
  const Json third = Json::parse(lines[2]);
  ASSERT_TRUE(third.contains("digestKey"));
  const std::optional<std::string> k = base64url_decode(third["digestKey"].get<std::string>());
  ASSERT_TRUE(k && k->size() == 32);
  Result<VerifiedReceipt> v = verify_receipt(third["receipts"][0].dump(), *w.crypto);
  ASSERT_TRUE(v.ok());
  const Json& subject = v.value().payload["subject"];
  EXPECT_TRUE(contact_matches_with_key(subject, "email", "paul@example.fr", *k, *w.crypto));
  EXPECT_FALSE(contact_matches_with_key(subject, "email", "pierre@example.fr", *k, *w.crypto));
  EXPECT_FALSE(contact_matches_with_key(subject, "email", "paul@example.fr", std::string(32, 'x'), *w.crypto));

  // The report and the ledger name the receipts file by its hash.
  for (const Json& p : report["partners"]) {
    const std::string id = p["id"].get<std::string>();
    ASSERT_TRUE(p.contains("receipts")) << id;
    EXPECT_EQ(p["receipts"]["file"], "partner-" + id + ".receipts.jsonl");
    EXPECT_EQ(p["receipts"]["rows"], p["rowsWritten"]);
    EXPECT_EQ(p["receipts"]["sha256"],
              hex_encode(w.crypto->sha256(read_text(w.path("out/" + p["receipts"]["file"].get<std::string>())))));
  }
}

TEST_F(PartnerFiles, AnHonestFileVerifiesWithThePublicKeyAlone) {
  for (const std::string id : {"acme", "beta", "gamma"}) {
    auto r = verify(w.path("out/partner-" + id + ".csv"), w.path("out/partner-" + id + ".receipts.jsonl"), id);
    ASSERT_TRUE(r.ok()) << r.problems().front().message;
    EXPECT_TRUE(r.value().ok()) << r.value().to_text();
    EXPECT_EQ(r.value().rows, 3);
    EXPECT_EQ(r.value().rows_ok, 3);
    EXPECT_GT(r.value().values_checked, 0);
  }
}

TEST_F(PartnerFiles, AChangedEmailIsRefusedOnItsLine) {
  auto rows = read_csv(w.path("out/partner-acme.csv"));
  rows[2][3] = "marie.curie@example.fr";  // email column of the second row
  write_csv(w.path("changed.csv"), rows);
  auto r = verify(w.path("changed.csv"), w.path("out/partner-acme.receipts.jsonl"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(codes(r.value()), (std::vector<std::string>{"3:email:digest-mismatch"}));
  EXPECT_EQ(r.value().problems[0].reference, rows[2][0]);
  EXPECT_EQ(r.value().rows_ok, 2);
  // The keyed row too: its key checks its own value only.
  rows = read_csv(w.path("out/partner-acme.csv"));
  rows[3][3] = "pierre@example.fr";
  write_csv(w.path("changed-keyed.csv"), rows);
  r = verify(w.path("changed-keyed.csv"), w.path("out/partner-acme.receipts.jsonl"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(codes(r.value()), (std::vector<std::string>{"4:email:digest-mismatch"}));
}

TEST_F(PartnerFiles, AnObjectedChannelIsRefused) {
  auto rows = read_csv(w.path("out/partner-acme.csv"));
  ASSERT_EQ(rows[0][2], "phone");
  ASSERT_EQ(rows[1][2], "");  // phone objected: not sent
  rows[1][2] = "06 12 34 56 78";
  write_csv(w.path("objected.csv"), rows);
  auto r = verify(w.path("objected.csv"), w.path("out/partner-acme.receipts.jsonl"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(codes(r.value()), (std::vector<std::string>{"2:phone:objected"}));
}

TEST_F(PartnerFiles, ARowForAPartnerNotListedIsRefused) {
  // The partner list grew after these people signed up: "delta" was never
  // shown to them, so acme's rows handed to delta are not covered.
  auto r = verify(w.path("out/partner-acme.csv"), w.path("out/partner-acme.receipts.jsonl"), "delta");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(codes(r.value()),
            (std::vector<std::string>{"2::partner-not-listed", "3::partner-not-listed", "4::partner-not-listed"}));
  // beta does not receive email: an email column in its file is objected to
  // nowhere, but beta was listed; what the receipts allow is the same for
  // every listed partner, so this passes only through the export's config.
}

TEST_F(PartnerFiles, AnotherKeyIsRefused) {
  Json other = Json::parse(R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})");
  auto r = verify(w.path("out/partner-acme.csv"), w.path("out/partner-acme.receipts.jsonl"), "acme", &other);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().problems.size(), 3u);
  for (const auto& p : r.value().problems) EXPECT_EQ(p.code, exporter::kVerifyNotCountersigned);
  // A private key is refused outright: a partner never holds the controller's.
  EXPECT_EQ(verify(w.path("out/partner-acme.csv"), w.path("out/partner-acme.receipts.jsonl"), "acme", &w.controller_key)
                .problems()
                .front()
                .code,
            "partner_verify_bad_key");
}

TEST_F(PartnerFiles, AlteredSwappedMissingAndExtraReceiptsAreRefused) {
  const auto lines = lines_of(w.path("out/partner-acme.receipts.jsonl"));
  // An altered payload: the collector signature breaks.
  Json first = Json::parse(lines[0]);
  Json forged_payload = Json::parse(*base64url_decode(first["receipts"][0]["payload"].get<std::string>()));
  forged_payload["channels"]["phone"]["decision"] = "not-objected";
  first["receipts"][0]["payload"] = base64url_encode(forged_payload.dump());
  // Receipts of two people put together.
  Json second = Json::parse(lines[1]);
  second["receipts"][0] = Json::parse(lines[0])["receipts"][0];
  write_lines(w.path("tampered.jsonl"), {first.dump(), second.dump(), lines[2]});
  auto r = verify(w.path("out/partner-acme.csv"), w.path("tampered.jsonl"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(codes(r.value()), (std::vector<std::string>{"2::receipt-invalid", "3::chain-broken"}));

  write_lines(w.path("swapped.jsonl"), {lines[1], lines[0], lines[2]});
  r = verify(w.path("out/partner-acme.csv"), w.path("swapped.jsonl"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(codes(r.value()), (std::vector<std::string>{"2::reference-mismatch", "3::reference-mismatch"}));

  write_lines(w.path("short.jsonl"), {lines[0], lines[1]});
  r = verify(w.path("out/partner-acme.csv"), w.path("short.jsonl"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(codes(r.value()), (std::vector<std::string>{"4::receipts-missing"}));

  write_lines(w.path("long.jsonl"), {lines[0], lines[1], lines[2], lines[2]});
  r = verify(w.path("out/partner-acme.csv"), w.path("long.jsonl"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(codes(r.value()), (std::vector<std::string>{"4::receipts-extra"}));

  // The keyed row without its key cannot be checked.
  Json third = Json::parse(lines[2]);
  third.erase("digestKey");
  write_lines(w.path("nokey.jsonl"), {lines[0], lines[1], third.dump()});
  r = verify(w.path("out/partner-acme.csv"), w.path("nokey.jsonl"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(codes(r.value()),
            (std::vector<std::string>{"4:postal_address:digest-key-missing", "4:email:digest-key-missing"}));
}

TEST_F(PartnerFiles, BadInputsAreProblemsNotVerdicts) {
  EXPECT_EQ(verify(w.path("nope.csv"), w.path("out/partner-acme.receipts.jsonl")).problems().front().code, "io_error");
  write_csv(w.path("bad-header.csv"), {{"reference", "birthday"}, {"x", "1980-01-01"}});
  EXPECT_EQ(verify(w.path("bad-header.csv"), w.path("out/partner-acme.receipts.jsonl")).problems().front().code,
            "partner_verify_bad_header");
}

TEST_F(PartnerFiles, ReverifyWritesTheSameReceipts) {
  Result<std::string> secret = contact_digest_secret(w.controller_key, *w.crypto);
  ASSERT_TRUE(secret.ok());
  exporter::ExportOptions options;
  options.controller_key = w.controller_public;
  options.digest_secret = secret.value();
  options.reverify = true;
  auto outcome = w.run(contacts, "out-reverify", options);
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  for (const std::string id : {"acme", "beta", "gamma"}) {
    EXPECT_EQ(read_text(w.path("out-reverify/partner-" + id + ".receipts.jsonl")),
              read_text(w.path("out/partner-" + id + ".receipts.jsonl")))
        << id;
  }
}

TEST(PartnerReceipts, NoReceiptsLeavesThemOut) {
  World w;
  const std::string p = w.issue(person("a@example.fr"));
  exporter::ExportOptions options;
  options.receipts = false;
  auto outcome = w.run(w.write_contacts("c.csv", {kHeader, row(p, "a@example.fr")}), "out", options);
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(fs::exists(w.path("out/partner-acme.receipts.jsonl")));
  EXPECT_FALSE(outcome.value().report["partners"][0].contains("receipts"));
}

}  // namespace
}  // namespace cachet::export_test

namespace cachet::export_test {
namespace {

// R8: the notices in the person's language, with the transmission-only
// wording right, automated calls excluded from the phone channel, and the
// partner's own contact beside its privacy policy.
TEST(PartnerNotices, OnePerLanguageWithTheMailMergeList) {
  World w;
  IssueSpec fr = person("a@example.fr");
  IssueSpec en = person("b@example.fr");
  en.locale = "en";
  const std::string a = w.issue(fr);
  const std::string b = w.issue(en);
  auto outcome = w.run(w.write_contacts("c.csv", {kHeader, row(a, "a@example.fr"), row(b, "b@example.fr")}), "out");
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  const auto list = read_csv(w.path("out/partner-notice-acme.csv"));
  const auto rows = read_csv(w.path("out/partner-acme.csv"));
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0], (Fields{"reference", "locale", "notice"}));
  EXPECT_EQ(list[1], (Fields{rows[1][0], "fr", "partner-notice-acme.fr.txt"}));
  EXPECT_EQ(list[2], (Fields{rows[2][0], "en", "partner-notice-acme.en.txt"}));
  const Json& acme = outcome.value().report["partners"][0];
  EXPECT_EQ(acme["noticeLanguages"]["locales"], (Json{{"en", 1}, {"fr", 1}}));
}

// A person who chose in German, Spanish or Italian gets the partner's notice
// in that language: the list names the file, and the file exists and reads so.
TEST(PartnerNotices, EveryLanguageOfTheTableHasItsNotice) {
  World w;
  IssueSpec de = person("d@example.de");
  de.locale = "de";
  IssueSpec es = person("e@example.es");
  es.locale = "es";
  IssueSpec it = person("i@example.it");
  it.locale = "it";
  const std::string d = w.issue(de);
  const std::string e = w.issue(es);
  const std::string i = w.issue(it);
  auto outcome = w.run(
      w.write_contacts("c.csv", {kHeader, row(d, "d@example.de"), row(e, "e@example.es"), row(i, "i@example.it")}),
      "out");
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  const auto list = read_csv(w.path("out/partner-notice-acme.csv"));
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[1][1], "de");
  EXPECT_EQ(list[1][2], "partner-notice-acme.de.txt");
  EXPECT_EQ(list[2][2], "partner-notice-acme.es.txt");
  EXPECT_EQ(list[3][2], "partner-notice-acme.it.txt");
  const Json& acme = outcome.value().report["partners"][0];
  for (const std::string& locale : supported_locales()) {
    const std::string file = "partner-notice-acme." + locale + ".txt";
    EXPECT_EQ(acme["notice"]["files"][locale], file);
    EXPECT_EQ(acme["notice"][locale], read_text(w.path("out/" + file))) << file;
  }
  const std::string german = read_text(w.path("out/partner-notice-acme.de.txt"));
  EXPECT_NE(german.find("Ihre Rechte:"), std::string::npos) << german;
  EXPECT_NE(german.find("jederzeit einfach und kostenlos widersprechen"), std::string::npos) << german;
  EXPECT_NE(german.find("Telefon (ausgenommen automatisierte Anrufe)"), std::string::npos) << german;
  EXPECT_NE(read_text(w.path("out/partner-notice-acme.es.txt")).find("Sus derechos:"), std::string::npos);
  EXPECT_NE(read_text(w.path("out/partner-notice-acme.it.txt")).find("I suoi diritti:"), std::string::npos);
  EXPECT_NE(outcome.value().summary.find("partner-notice-acme.it.txt"), std::string::npos) << outcome.value().summary;
}

TEST(PartnerNotices, TransmissionOnlyPhoneAndContactWording) {
  Json cfg = test_config_json();
  cfg["channels"]["sms"]["partnerProspecting"] = "transmission-only";
  cfg["partners"]["entries"][0]["contact"] = {{"email", "donnees@acme.example"},
                                              {"postal", "ACME, 10 rue de la Paix, 75002 Paris"}};
  World w(cfg);
  const std::string a = w.issue(person("a@example.fr"));
  auto outcome = w.run(w.write_contacts("c.csv", {kHeader, row(a, "a@example.fr")}), "out");
  ASSERT_TRUE(outcome.ok()) << outcome.problems().front().message;
  const std::string en = read_text(w.path("out/partner-notice-acme.en.txt"));
  const std::string fr = read_text(w.path("out/partner-notice-acme.fr.txt"));
  // Email was consented on behalf of the partners: withdrawable from them.
  EXPECT_NE(en.find("You can withdraw at any time your consent to receiving our offers by email;"), std::string::npos)
      << en;
  // SMS only to the transmission: no "withdraw your consent to our SMS offers".
  EXPECT_EQ(en.find("receiving our offers by email and SMS"), std::string::npos) << en;
  EXPECT_EQ(en.find("consent to receiving our offers by SMS"), std::string::npos) << en;
  EXPECT_NE(en.find("You agreed that Société X pass on your contact details for SMS to us, but you have not agreed to "
                    "our offers through that channel"),
            std::string::npos)
      << en;
  EXPECT_NE(en.find("consent to that transmission with Société X (dpo@x.example)"), std::string::npos) << en;
  EXPECT_NE(fr.find("votre consentement à cette transmission auprès de Société X (dpo@x.example)"), std::string::npos)
      << fr;
  // Phone rests on legitimate interest: automated calls are not covered.
  EXPECT_NE(en.find("telephone (excluding automated calls)"), std::string::npos) << en;
  EXPECT_NE(fr.find("téléphone (hors appels automatisés)"), std::string::npos) << fr;
  // The partner's contact, beside its privacy policy.
  EXPECT_NE(en.find("with us, ACME Assurances: donnees@acme.example, or by post: ACME, 10 rue de la Paix, 75002 "
                    "Paris (privacy policy: https://acme.example/privacy)"),
            std::string::npos)
      << en;
  EXPECT_NE(fr.find("auprès de nous, ACME Assurances : donnees@acme.example, ou par courrier : ACME"),
            std::string::npos)
      << fr;
  // beta has no contact: the policy alone, as before.
  const std::string beta = read_text(w.path("out/partner-notice-beta.en.txt"));
  EXPECT_NE(beta.find("with us, Banque Beta (privacy policy: https://beta.example/privacy)"), std::string::npos)
      << beta;
}

}  // namespace
}  // namespace cachet::export_test
