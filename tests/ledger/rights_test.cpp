// The person's rights over the ledger (issue 13; rights.h, store.h erase):
// erasure kept in the hash chain as a proof, deletions without one still
// caught, a person found by salted and keyed digests, the access report.
#include "cachet/ledger/rights.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cachet/calendar.h"
#include "cachet/config.h"
#include "cachet/ledger/digest.h"
#include "cachet/ledger/store.h"
#include "cachet/publication.h"
#include "cachet/receipt.h"
#include "test_crypto.h"

namespace cachet::ledger {
namespace {

constexpr std::int64_t kNow = 1796126400;  // 2026-12-01T12:00:00Z

class RightsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cachet-rights-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/ledger.db";
    open();
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
    rmdir(dir_.c_str());
  }
  void open() {
    store_.reset();
    auto opened = open_sqlite_store(path_);
    ASSERT_TRUE(opened.ok()) << opened.problems().front().message;
    store_ = std::move(opened).value();
  }
  void sql(const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
  // A stand-in for a verified receipt (the ledger checks structure, not
  // signatures) whose subject binds `contacts` ({kind: value}) with salted
  // (version 1) or, given a secret, keyed digests (version 2).
  NewReceipt receipt(const std::string& id, const std::string& supersedes = "",
                     const std::map<std::string, std::string>& contacts = {}, const std::string& secret = "",
                     const Json& notice = Json()) {
    const std::string salt = b64url_encode(id + "-salt-0123456789");
    Json subject = {{"salt", salt}, {"digests", Json::object()}};
    if (!secret.empty()) subject["digest"] = kKeyedDigestScheme;
    for (const auto& [kind, value] : contacts) {
      subject["digests"][kind] = contact_digest_hex(kind, value, !secret.empty(), salt, secret, *crypto_);
    }
    Json payload = {{"version", secret.empty() ? "cachet-receipt/1" : "cachet-receipt/2"},
                    {"receiptId", id},
                    {"issuedAt", "2026-01-01T10:00:00Z"},
                    {"controller", {{"name", "Société X"}, {"rightsContact", "dpo@x.example"}}},
                    {"channels", {{"email", {{"basis", "consent"}, {"decision", "granted"}}}}},
                    {"subject", subject},
                    {"retention", {{"months", 36}}}};
    if (!notice.is_null()) payload["notice"] = notice;
    if (!supersedes.empty()) payload["supersedes"] = supersedes;
    NewReceipt r;
    r.receipt_id = id;
    r.payload = payload.dump();
    r.payload_sha256 = sha256_hex(r.payload);
    r.jws = Json{{"payload", b64url_encode(r.payload)}, {"signatures", Json::array()}}.dump();
    r.verification = R"({"ok":true})";
    r.countersigner_kid = "kid-1";
    r.received_at = "2026-01-01T10:00:00Z";
    r.issued_at = "2026-01-01T10:00:00Z";
    r.collection_method = supersedes.empty() ? "web-form" : "preference-centre";
    r.supersedes = supersedes;
    r.retention_months = 36;
    return r;
  }
  std::vector<std::string> codes(bool records) {
    auto report = records ? store_->verify_records([](const ReceiptRecord&) {}) : store_->verify_chain();
    EXPECT_TRUE(report.ok());
    std::vector<std::string> out;
    if (report.ok()) {
      for (const ChainProblem& p : report.value().problems) out.push_back(p.code);
    }
    return out;
  }
  std::string hash_of(const std::string& id) {
    auto found = store_->find(id);
    EXPECT_TRUE(found.ok() && found.value());
    return found.ok() && found.value() ? found.value()->entry_hash : "";
  }

  std::string dir_;
  std::string path_;
  std::unique_ptr<ConsentStore> store_;
  std::unique_ptr<CryptoProvider> crypto_ = testing::make_test_crypto();
};

TEST_F(RightsTest, ErasureRemovesOnePersonAsAHashChainedProof) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  ASSERT_TRUE(store_->append(receipt("a2", "a")).ok());
  ASSERT_TRUE(store_->append(receipt("b")).ok());
  const std::string hash_a = hash_of("a");
  const std::string hash_a2 = hash_of("a2");

  auto bad = store_->erase("a2", "yesterday", kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.problems().front().code, "ledger_bad_erasure");

  auto erased = store_->erase("a2", "2026-11-30", kNow);  // any receipt of the person
  ASSERT_TRUE(erased.ok()) << erased.problems().front().message;
  const ErasureReport& r = erased.value();
  EXPECT_EQ(r.seq, 4);
  EXPECT_EQ(r.chain_root, "a");
  EXPECT_EQ(r.removed, (std::vector<std::string>{"a", "a2"}));
  // The entry's exact format (the transfers read it to tell partners).
  const Json expected = {
      {"kind", "erasure"},
      {"seq", 4},
      {"at", "2026-12-01T12:00:00Z"},
      {"chainRoot", "a"},
      {"removed", {{{"receiptId", "a"}, {"entryHash", hash_a}}, {{"receiptId", "a2"}, {"entryHash", hash_a2}}}},
      {"requestedAt", "2026-11-30"}};
  EXPECT_EQ(r.entry, expected.dump());
  auto stored_hash = store_->entry_hash(4);
  ASSERT_TRUE(stored_hash.ok() && stored_hash.value());
  EXPECT_EQ(*stored_hash.value(), r.hash);
  EXPECT_EQ(r.to_json()["entry"], expected);

  // Gone from every read; the chain and the records still verify.
  EXPECT_FALSE(store_->find("a").value().has_value());
  EXPECT_FALSE(store_->find("a2").value().has_value());
  EXPECT_EQ(store_->state_of("a2").problems().front().code, "ledger_unknown_receipt");
  EXPECT_TRUE(codes(false).empty());
  EXPECT_TRUE(codes(true).empty());
  std::vector<std::string> visited;
  ASSERT_TRUE(store_->verify_records([&](const ReceiptRecord& rec) { visited.push_back(rec.receipt_id); }).ok());
  EXPECT_EQ(visited, (std::vector<std::string>{"b"}));
  std::size_t people = 0;
  EXPECT_TRUE(store_->for_each_person([&](const PersonState&) { return ++people > 0; }, true).empty());
  EXPECT_EQ(people, 1u);
  // Once erased, not again; an erased id is never reused.
  EXPECT_EQ(store_->erase("a", "2026-11-30", kNow).problems().front().code, "ledger_unknown_receipt");
  EXPECT_EQ(store_->append(receipt("a")).problems().front().code, "ledger_replay");

  // The entry edited: the chain says so.
  store_.reset();
  sql("UPDATE log SET entry = replace(entry, '2026-11-30', '2026-11-29') WHERE kind = 'erasure'");
  open();
  EXPECT_EQ(codes(false).front(), "ledger_hash_mismatch");
  EXPECT_EQ(codes(true).front(), "ledger_hash_mismatch");
}

TEST_F(RightsTest, ADeletionWithoutAnErasureEntryIsStillDetected) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  ASSERT_TRUE(store_->append(receipt("b")).ok());
  ASSERT_TRUE(store_->append(receipt("c")).ok());
  store_.reset();
  sql("CREATE TABLE saved_receipts AS SELECT * FROM receipts; CREATE TABLE saved_records AS SELECT * FROM records");
  sql("DELETE FROM records WHERE receipt_id = 'b'; DELETE FROM receipts WHERE receipt_id = 'b'");
  open();
  const std::vector<std::string> chain = codes(false);
  EXPECT_NE(std::find(chain.begin(), chain.end(), "ledger_receipt_missing"), chain.end());
  EXPECT_EQ(codes(true), (std::vector<std::string>{"ledger_record_missing"}));
  // Erasing someone else does not cover it.
  ASSERT_TRUE(store_->erase("c", "2026-11-30", kNow).ok());
  EXPECT_EQ(codes(true), (std::vector<std::string>{"ledger_record_missing"}));
  // An erased person put back is caught too.
  store_.reset();
  sql("INSERT INTO receipts SELECT * FROM saved_receipts WHERE receipt_id IN ('b', 'c'); "
      "INSERT INTO records SELECT * FROM saved_records WHERE receipt_id IN ('b', 'c')");
  open();
  EXPECT_EQ(codes(true), (std::vector<std::string>{"ledger_purged_receipt_present"}));
  EXPECT_EQ(codes(false).front(), "ledger_purged_receipt_present");
}

TEST_F(RightsTest, ErasureKeepsTheTransfersThatProveWhatLeft) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  TransferBatch batch;
  batch.partner_id = "acme";
  batch.file = "partner-acme.csv";
  batch.file_sha256 = std::string(64, 'f');
  batch.at = "2026-06-01T08:00:00Z";
  batch.rows.push_back({"ref-a", "a", {"email"}, "2026-07-01"});
  ASSERT_TRUE(store_->record_transfers({batch}).ok());
  ASSERT_TRUE(store_->erase("a", "2026-11-30", kNow).ok());
  // The partners were told, and the erasure is passed on to them from there.
  auto kept = store_->transfers_of("a");
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept.value().size(), 1u);
  EXPECT_EQ(kept.value()[0].partner_id, "acme");
  EXPECT_TRUE(codes(false).empty());
  EXPECT_TRUE(codes(true).empty());
}

TEST_F(RightsTest, FindsAPersonBySaltedAndKeyedDigests) {
  const std::string secret(32, 's');
  ASSERT_TRUE(
      store_->append(receipt("plain", "", {{"email", "Camille@Example.org"}, {"postal", "12 rue X, Paris"}})).ok());
  ASSERT_TRUE(store_->append(receipt("plain2", "plain", {{"email", "camille@example.org"}})).ok());
  ASSERT_TRUE(store_->append(receipt("keyed", "", {{"mobile", "+33 6 12 34 56 78"}}, secret)).ok());
  ASSERT_TRUE(store_->append(receipt("other", "", {{"email", "dominique@example.org"}})).ok());

  auto email = find_people(*store_, {"email", "  CAMILLE@example.org "}, secret, *crypto_);
  ASSERT_TRUE(email.ok()) << email.problems().front().message;
  ASSERT_EQ(email.value().size(), 1u);
  EXPECT_EQ(email.value()[0].chain_root, "plain");
  EXPECT_EQ(email.value()[0].latest_receipt_id, "plain2");
  EXPECT_EQ(email.value()[0].receipt_ids, (std::vector<std::string>{"plain", "plain2"}));
  EXPECT_EQ(email.value()[0].matched, (std::vector<std::string>{"email"}));

  auto address = find_people(*store_, {"address", "12  Rue X,\n Paris"}, "", *crypto_);
  ASSERT_TRUE(address.ok());
  ASSERT_EQ(address.value().size(), 1u);
  EXPECT_EQ(address.value()[0].matched, (std::vector<std::string>{"postal"}));

  // A phone number is looked for as a mobile too; keyed digests need the controller's secret.
  auto phone = find_people(*store_, {"phone", "+33 6.12.34.56.78"}, secret, *crypto_);
  ASSERT_TRUE(phone.ok());
  ASSERT_EQ(phone.value().size(), 1u);
  EXPECT_EQ(phone.value()[0].chain_root, "keyed");
  EXPECT_EQ(phone.value()[0].matched, (std::vector<std::string>{"mobile"}));
  // The same French line written nationally or with 0033.
  for (const char* spelling : {"06 12 34 56 78", "0033 6 12 34 56 78"}) {
    auto national = find_people(*store_, {"phone", spelling}, secret, *crypto_);
    ASSERT_TRUE(national.ok());
    ASSERT_EQ(national.value().size(), 1u) << spelling;
    EXPECT_EQ(national.value()[0].chain_root, "keyed");
  }
  EXPECT_TRUE(find_people(*store_, {"phone", "07 12 34 56 78"}, secret, *crypto_).value().empty());
  EXPECT_TRUE(find_people(*store_, {"phone", "+33 6 12 34 56 78"}, std::string(32, 't'), *crypto_).value().empty());
  EXPECT_TRUE(find_people(*store_, {"phone", "+33 6 12 34 56 78"}, "", *crypto_).value().empty());
  EXPECT_TRUE(find_people(*store_, {"email", "nobody@example.org"}, secret, *crypto_).value().empty());

  EXPECT_EQ(find_people(*store_, {"fax", "1"}, secret, *crypto_).problems().front().code, "rights_bad_contact");
  EXPECT_EQ(find_people(*store_, {"email", "not an email"}, secret, *crypto_).problems().front().code,
            "rights_bad_contact");
  // Erased: no longer found.
  ASSERT_TRUE(store_->erase("plain", "2026-11-30", kNow).ok());
  EXPECT_TRUE(find_people(*store_, {"email", "camille@example.org"}, secret, *crypto_).value().empty());
  // A ledger that does not verify answers nothing.
  store_.reset();
  sql("UPDATE records SET email_decision = 'withdrawn' WHERE receipt_id = 'other'");
  open();
  EXPECT_EQ(find_people(*store_, {"email", "dominique@example.org"}, secret, *crypto_).problems().front().code,
            "ledger_tampered");
}

TEST_F(RightsTest, AccessReportShowsEachChoiceWithTheNoticeShown) {
  Json raw = Json::parse(testing::read_fixture("configs/societe-x.json"));
  Result<Config> config = load_config(raw.dump());
  ASSERT_TRUE(config.ok());
  Result<PublishedVersion> version = published_version(config.value(), *crypto_);
  ASSERT_TRUE(version.ok());
  const PublishedVersion& v = version.value();
  ASSERT_TRUE(store_->publish(v, "2026-01-01T09:00:00Z").ok());
  const Json notice = {{"configVersion", v.config_version},
                       {"locale", "fr"},
                       {"sha256", v.notice_sha256.at("fr")},
                       {"partnerListSha256", v.partner_list_sha256}};
  const Json unknown = {{"configVersion", "1999-01-01"}, {"locale", "fr"}, {"sha256", std::string(64, '0')}};
  ASSERT_TRUE(store_->append(receipt("first", "", {{"email", "camille@example.org"}}, "", notice)).ok());
  ASSERT_TRUE(store_->append(receipt("second", "first", {}, "", unknown)).ok());

  const std::string acme = Json::parse(v.notices.at("fr"))["partners"][0]["id"].get<std::string>();
  TransferBatch batch;
  batch.partner_id = acme;
  batch.file = "partner.csv";
  batch.file_sha256 = std::string(64, 'f');
  batch.at = "2026-06-01T08:00:00Z";
  batch.rows.push_back({"ref-1", "first", {"email"}, "2026-07-01"});
  ASSERT_TRUE(store_->record_transfers({batch}).ok());

  auto report = access_report(*store_, "second", "fr", kNow);
  ASSERT_TRUE(report.ok()) << report.problems().front().message;
  const Json& r = report.value();
  EXPECT_EQ(r["chainRoot"], "first");
  EXPECT_EQ(r["locale"], "fr");
  EXPECT_EQ(r["retentionUntil"], "2029-01-01T10:00:00Z");
  ASSERT_EQ(r["receipts"].size(), 2u);
  EXPECT_EQ(r["receipts"][0]["digestScheme"], "sha256");
  EXPECT_EQ(r["receipts"][0]["digests"]["email"].get<std::string>().size(), 64u);
  const Json shown = Json::parse(v.notices.at("fr"));
  EXPECT_EQ(r["receipts"][0]["shown"]["notice"], shown);
  EXPECT_EQ(r["receipts"][0]["shown"]["configDigest"], v.digest);
  EXPECT_TRUE(r["receipts"][1]["shown"].is_null());
  ASSERT_EQ(r["transfers"].size(), 1u);
  EXPECT_EQ(r["transfers"][0]["partnerId"], acme);
  EXPECT_EQ(r["transfers"][0]["partnerName"], shown["partners"][0]["name"]);
  EXPECT_EQ(r["transfers"][0]["channels"], Json::array({"email"}));
  EXPECT_EQ(r["transfers"][0]["at"], "2026-06-01T08:00:00Z");

  const std::string text = render_access_text({r}, "fr");
  EXPECT_NE(text.find("Vos données chez Société X"), std::string::npos) << text;
  EXPECT_NE(text.find(shown["heading"].get<std::string>()), std::string::npos);
  EXPECT_NE(text.find(shown["boxes"][0]["label"].get<std::string>()), std::string::npos);
  EXPECT_NE(text.find("1 janvier 2029"), std::string::npos) << text;
  EXPECT_NE(text.find("dpo@x.example"), std::string::npos);
  EXPECT_NE(text.find(shown["partners"][0]["name"].get<std::string>() + " : Courrier électronique, le 1 juin 2026"),
            std::string::npos)
      << text;

  auto english = access_report(*store_, "first", "en", kNow);
  ASSERT_TRUE(english.ok());
  const std::string html = render_access_html({english.value()}, "en");
  EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(html.find("Your data held by Société X"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(render_access_text({}, "en").find("We hold no receipt"), std::string::npos);

  EXPECT_EQ(access_report(*store_, "nobody", "fr", kNow).problems().front().code, "ledger_unknown_receipt");
}

}  // namespace
}  // namespace cachet::ledger
