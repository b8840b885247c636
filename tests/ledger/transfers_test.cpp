// Transfers to partners and notice acknowledgements in the SQLite ledger
// (store.h, "transfers"): recorded, read back, bound to the hash chain (an
// altered, added or deleted row is caught by both checks), kept through
// purges, and per-partner references that do not link partners.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cachet/calendar.h"
#include "cachet/ledger/digest.h"
#include "cachet/ledger/store.h"

namespace cachet::ledger {
namespace {

class TransfersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cachet-transfers-test-XXXXXX";
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
  static NewReceipt receipt(const std::string& id, const std::string& received_at) {
    const Json payload = {{"version", "cachet-receipt/1"},
                          {"receiptId", id},
                          {"issuedAt", "2026-01-01T10:00:00Z"},
                          {"channels", {{"email", {{"basis", "consent"}, {"decision", "granted"}}}}},
                          {"retention", {{"months", 1}}}};
    NewReceipt r;
    r.receipt_id = id;
    r.payload = payload.dump();
    r.payload_sha256 = sha256_hex(r.payload);
    r.jws = Json{{"payload", b64url_encode(r.payload)}, {"signatures", Json::array()}}.dump();
    r.verification = R"({"ok":true})";
    r.countersigner_kid = "kid-1";
    r.received_at = received_at;
    r.issued_at = "2026-01-01T10:00:00Z";
    r.collection_method = "web-form";
    r.retention_months = 1;
    return r;
  }
  void sql(const std::string& statement) {
    store_.reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
    open();
  }
  // Problem codes of verify_chain (full) or verify_records (the export's check).
  std::vector<std::string> codes(bool records) {
    Result<ChainReport> report = records ? store_->verify_records([](const ReceiptRecord&) {}) : store_->verify_chain();
    EXPECT_TRUE(report.ok());
    std::vector<std::string> out;
    if (!report.ok()) return out;
    for (const ChainProblem& p : report.value().problems) out.push_back(p.code);
    return out;
  }
  static bool has(const std::vector<std::string>& codes, const std::string& code) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
  }
  // Two files: acme gets people a and b, beta gets a.
  std::vector<TransferBatch> batches(const std::string& secret) {
    TransferBatch acme;
    acme.partner_id = "acme";
    acme.file = "partner-acme.csv";
    acme.file_sha256 = std::string(64, 'a');
    acme.at = "2026-01-15T10:00:00Z";
    acme.rows = {{transfer_reference(secret, "acme", "a"), "a", {"postal", "email"}, "2026-02-15"},
                 {transfer_reference(secret, "acme", "b"), "b", {"email"}, "2026-02-15"}};
    TransferBatch beta;
    beta.partner_id = "beta";
    beta.file = "partner-beta.csv";
    beta.file_sha256 = std::string(64, 'b');
    beta.at = acme.at;
    beta.rows = {{transfer_reference(secret, "beta", "a"), "a", {"postal"}, "2026-02-15"}};
    return {acme, beta};
  }

  std::string dir_;
  std::string path_;
  std::unique_ptr<ConsentStore> store_;
};

TEST_F(TransfersTest, ReferencesAreStablePerPartnerAndUnlinkable) {
  const std::string secret = store_->secret(kTransferReferenceSecret).value();
  const std::string a_acme = transfer_reference(secret, "acme", "a");
  EXPECT_EQ(a_acme.size(), 26u);  // 16 bytes, base32
  EXPECT_EQ(a_acme.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"), std::string::npos);
  EXPECT_EQ(a_acme, transfer_reference(secret, "acme", "a"));
  EXPECT_NE(a_acme, transfer_reference(secret, "beta", "a"));
  EXPECT_NE(a_acme, transfer_reference(secret, "acme", "b"));
  EXPECT_NE(a_acme, transfer_reference(std::string(32, 'x'), "acme", "a"));
  open();  // the secret survives a restart: references stay stable
  EXPECT_EQ(transfer_reference(store_->secret(kTransferReferenceSecret).value(), "acme", "a"), a_acme);
}

TEST_F(TransfersTest, RecordedReadBackAndBoundToTheChain) {
  ASSERT_TRUE(store_->append(receipt("a", "2026-01-01T10:00:00Z")).ok());
  ASSERT_TRUE(store_->append(receipt("b", "2026-01-01T10:00:00Z")).ok());
  const std::string secret = store_->secret(kTransferReferenceSecret).value();
  Result<std::vector<std::int64_t>> seqs = store_->record_transfers(batches(secret));
  ASSERT_TRUE(seqs.ok()) << seqs.problems().front().message;
  EXPECT_EQ(seqs.value(), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(store_->last_transfer_seq("acme").value(), 3);
  EXPECT_EQ(store_->last_transfer_seq("beta").value(), 4);
  EXPECT_EQ(store_->last_transfer_seq("gamma").value(), 0);

  Result<std::vector<Transfer>> of_a = store_->transfers_of("a");
  ASSERT_TRUE(of_a.ok());
  ASSERT_EQ(of_a.value().size(), 2u);
  EXPECT_EQ(of_a.value()[0].partner_id, "acme");
  EXPECT_EQ(of_a.value()[0].channels, (std::vector<std::string>{"postal", "email"}));
  EXPECT_EQ(of_a.value()[0].file_sha256, std::string(64, 'a'));
  EXPECT_EQ(of_a.value()[0].notice_due, "2026-02-15");
  EXPECT_EQ(of_a.value()[0].at, "2026-01-15T10:00:00Z");
  EXPECT_EQ(of_a.value()[0].seq, 3);
  EXPECT_EQ(of_a.value()[1].partner_id, "beta");
  EXPECT_EQ(of_a.value()[1].reference, transfer_reference(secret, "beta", "a"));
  EXPECT_TRUE(of_a.value()[1].notice_acknowledged_at.empty());
  EXPECT_EQ(store_->chain_root_of_reference("acme", transfer_reference(secret, "acme", "b")).value(), "b");
  EXPECT_FALSE(store_->chain_root_of_reference("beta", transfer_reference(secret, "acme", "b")).value().has_value());

  // The entry names the file, its hash and the rows' digest.
  std::string entry;
  ASSERT_TRUE(store_->read_log(3, 3, [&](std::int64_t, std::string_view e, std::string_view) { entry = e; }).empty());
  const Json parsed = Json::parse(entry);
  EXPECT_EQ(parsed["kind"], "transfer");
  EXPECT_EQ(parsed["partnerId"], "acme");
  EXPECT_EQ(parsed["rows"], 2);
  EXPECT_EQ(parsed["fileSha256"], std::string(64, 'a'));
  EXPECT_EQ(parsed["rowsSha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(codes(false).empty());
  EXPECT_TRUE(codes(true).empty());

  // Acknowledgements: bound the same way, and read back with the transfers.
  NoticeAck ack;
  ack.line = 2;
  ack.reference = transfer_reference(secret, "acme", "a");
  ack.sent_at = "2026-01-20";
  Result<std::int64_t> ack_seq = store_->record_notice_acks("acme", std::string(64, 'c'), {ack});
  ASSERT_TRUE(ack_seq.ok());
  EXPECT_EQ(ack_seq.value(), 5);
  EXPECT_EQ(store_->transfers_of("a").value()[0].notice_acknowledged_at, "2026-01-20");
  EXPECT_TRUE(store_->transfers_of("a").value()[1].notice_acknowledged_at.empty());  // beta did not
  Result<std::vector<Transfer>> status = store_->notice_status();
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status.value().size(), 3u);  // (acme, a), (acme, b), (beta, a)
  EXPECT_TRUE(codes(false).empty());
}

TEST_F(TransfersTest, AlteredAddedOrDeletedRowsAreCaught) {
  ASSERT_TRUE(store_->append(receipt("a", "2026-01-01T10:00:00Z")).ok());
  const std::string secret = store_->secret(kTransferReferenceSecret).value();
  ASSERT_TRUE(store_->record_transfers(batches(secret)).ok());
  ASSERT_TRUE(codes(false).empty());
  sql("CREATE TABLE saved AS SELECT * FROM transfers");
  // Altered: a channel added to what a partner got.
  sql("UPDATE transfers SET channels = '[\"postal\",\"email\",\"sms\"]' WHERE partner_id = 'acme' AND chain_root = "
      "'a'");
  EXPECT_TRUE(has(codes(false), "ledger_transfer_mismatch"));
  EXPECT_TRUE(has(codes(true), "ledger_transfer_mismatch"));
  // Deleted.
  sql("DELETE FROM transfers; INSERT INTO transfers SELECT * FROM saved; DELETE FROM transfers WHERE chain_root = 'b'");
  EXPECT_TRUE(has(codes(false), "ledger_transfer_mismatch"));
  // Added to an existing entry.
  sql("DELETE FROM transfers; INSERT INTO transfers SELECT * FROM saved; INSERT INTO transfers(seq, partner_id, "
      "reference, chain_root, channels, at, file_sha256, notice_due) SELECT seq, partner_id, 'x', 'x', channels, at, "
      "file_sha256, notice_due FROM saved WHERE chain_root = 'b'");
  EXPECT_TRUE(has(codes(false), "ledger_transfer_mismatch"));
  EXPECT_TRUE(has(codes(true), "ledger_transfer_mismatch"));
  // Added under an entry that is not a transfer.
  sql("DELETE FROM transfers; INSERT INTO transfers SELECT * FROM saved; INSERT INTO transfers(seq, partner_id, "
      "reference, chain_root, channels, at, file_sha256, notice_due) VALUES (1, 'acme', 'x', 'x', '[]', "
      "'2026-01-01T00:00:00Z', '', '2026-02-01')");
  EXPECT_TRUE(has(codes(false), "ledger_unlogged_transfer"));
  EXPECT_TRUE(has(codes(true), "ledger_unlogged_transfer"));
  // The channels read alike however the list is written (the plain form is
  // read by hand, any other by the JSON parser): spaces or an escaped letter
  // change nothing the row states; another name, or one in capitals, does.
  for (const char* same_list : {R"([ "postal" , "email" ])", R"(["postal","email"])"}) {
    sql(std::string("DELETE FROM transfers; INSERT INTO transfers SELECT * FROM saved; UPDATE transfers SET channels "
                    "= '") +
        same_list + "' WHERE partner_id = 'acme' AND chain_root = 'a'");
    EXPECT_TRUE(codes(false).empty()) << same_list;
  }
  for (const char* other_list : {R"(["postal","EMAIL"])", R"(["postal","email",])", R"(["postal""email"])"}) {
    sql(std::string("DELETE FROM transfers; INSERT INTO transfers SELECT * FROM saved; UPDATE transfers SET channels "
                    "= '") +
        other_list + "' WHERE partner_id = 'acme' AND chain_root = 'a'");
    EXPECT_TRUE(has(codes(false), "ledger_transfer_mismatch")) << other_list;
  }
  // Put back: verifies again.
  sql("DELETE FROM transfers; INSERT INTO transfers SELECT * FROM saved; DROP TABLE saved");
  EXPECT_TRUE(codes(false).empty());
  // An acknowledgement edited.
  NoticeAck ack;
  ack.line = 2;
  ack.reference = "r";
  ack.sent_at = "2026-01-20";
  ASSERT_TRUE(store_->record_notice_acks("acme", "", {ack}).ok());
  EXPECT_TRUE(codes(false).empty());
  sql("UPDATE notice_acks SET sent_at = '2026-01-10'");
  EXPECT_TRUE(has(codes(false), "ledger_notice_ack_mismatch"));
  EXPECT_TRUE(has(codes(true), "ledger_notice_ack_mismatch"));
}

TEST_F(TransfersTest, PurgesKeepTransferRows) {
  ASSERT_TRUE(store_->append(receipt("a", "2026-01-01T10:00:00Z")).ok());
  ASSERT_TRUE(store_->append(receipt("b", "2026-01-01T10:00:00Z")).ok());
  const std::string secret = store_->secret(kTransferReferenceSecret).value();
  ASSERT_TRUE(store_->record_transfers(batches(secret)).ok());
  Result<PurgeReport> purge = store_->purge(calendar::parse_rfc3339("2026-03-01T00:00:00Z").value());
  ASSERT_TRUE(purge.ok());
  EXPECT_EQ(purge.value().removed.size(), 2u);
  EXPECT_EQ(store_->transfers_of("a").value().size(), 2u);  // the proof of what left stays
  EXPECT_EQ(store_->chain_root_of_reference("acme", transfer_reference(secret, "acme", "a")).value(), "a");
  EXPECT_TRUE(codes(false).empty());
  EXPECT_TRUE(codes(true).empty());
}

TEST_F(TransfersTest, RefusesABatchWithoutPartnerOrTime) {
  std::vector<TransferBatch> bad = batches("s");
  bad[1].at = "yesterday";
  Result<std::vector<std::int64_t>> refused = store_->record_transfers(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.problems().front().code, "ledger_bad_transfer");
  EXPECT_EQ(refused.problems().front().path, "/1/at");
  EXPECT_EQ(store_->last_transfer_seq("acme").value(), 0);  // nothing recorded
}

// Schema 9: what each partner holds per person, kept with every transfer
// entry, and its SHA-256 stated in the entry.
std::vector<Holding> holdings_of(ConsentStore& store, const std::string& partner, bool folded = false) {
  std::vector<Holding> out;
  auto visit = [&out](const Holding& h) { out.push_back(h); };
  const Problems problems =
      folded ? store.ConsentStore::for_each_holding(partner, visit) : store.for_each_holding(partner, visit);
  EXPECT_TRUE(problems.empty());
  return out;
}

std::string digest_of(const std::vector<Holding>& holdings) {
  HoldingsDigest digest;
  for (const Holding& h : holdings) digest.add(h);
  return digest.hex();
}

Json entry_at(ConsentStore& store, std::int64_t seq) {
  Json out;
  EXPECT_TRUE(
      store
          .read_log(seq, seq,
                    [&out](std::int64_t, std::string_view entry, std::string_view) { out = Json::parse(entry); })
          .empty());
  return out;
}

bool same(const std::vector<Holding>& a, const std::vector<Holding>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].partner_id != b[i].partner_id || a[i].chain_root != b[i].chain_root || a[i].reference != b[i].reference ||
        a[i].channels != b[i].channels || a[i].notice_due != b[i].notice_due) {
      return false;
    }
  }
  return true;
}

TEST_F(TransfersTest, HoldingsFoldEveryRowAndTheirDigestIsInTheEntry) {
  const std::string secret = store_->secret(kTransferReferenceSecret).value();
  std::vector<TransferBatch> first = batches(secret);
  first[0].file_rows = 5;  // the file had more rows than the ledger records
  ASSERT_TRUE(store_->record_transfers(first).ok());
  // Later: acme gets a again with SMS only (a later notice date: the first stays), and c.
  TransferBatch later = batches(secret)[0];
  later.at = "2026-03-01T10:00:00Z";
  later.rows = {{transfer_reference(secret, "acme", "a"), "a", {"sms"}, "2026-04-01"},
                {transfer_reference(secret, "acme", "c"), "c", {"phone"}, "2026-04-01"}};
  Result<std::vector<std::int64_t>> seqs = store_->record_transfers({later});
  ASSERT_TRUE(seqs.ok()) << seqs.problems().front().message;

  const std::vector<Holding> acme = holdings_of(*store_, "acme");
  ASSERT_EQ(acme.size(), 3u);  // chain-root order
  EXPECT_EQ(acme[0].chain_root, "a");
  EXPECT_EQ(acme[0].reference, transfer_reference(secret, "acme", "a"));
  EXPECT_EQ(acme[0].channels, (std::vector<std::string>{"postal", "email", "sms"}));  // every channel ever sent
  EXPECT_EQ(acme[0].notice_due, "2026-02-15");                                        // of the first transfer (R8)
  EXPECT_EQ(acme[1].channels, (std::vector<std::string>{"email"}));
  EXPECT_EQ(acme[2].chain_root, "c");
  EXPECT_EQ(acme[2].notice_due, "2026-04-01");
  // The table is what the rows fold to, and each entry states its digest.
  EXPECT_TRUE(same(acme, holdings_of(*store_, "acme", true)));
  EXPECT_EQ(entry_at(*store_, seqs.value()[0])["holdingsSha256"], digest_of(acme));
  EXPECT_EQ(entry_at(*store_, 1)["fileRows"], 5);
  EXPECT_FALSE(entry_at(*store_, 2).contains("fileRows"));  // not given: not stated
  EXPECT_EQ(entry_at(*store_, 2)["holdingsSha256"], digest_of(holdings_of(*store_, "beta")));
  EXPECT_TRUE(codes(false).empty());
  EXPECT_TRUE(codes(true).empty());
}

TEST_F(TransfersTest, AnEditedHoldingIsCaughtByLedgerVerify) {
  const std::string secret = store_->secret(kTransferReferenceSecret).value();
  ASSERT_TRUE(store_->record_transfers(batches(secret)).ok());
  ASSERT_TRUE(codes(false).empty());
  sql("CREATE TABLE saved AS SELECT * FROM transfer_holdings");
  for (const char* edit : {"UPDATE transfer_holdings SET channels = 1 WHERE chain_root = 'a' AND partner_id = 'acme'",
                           "UPDATE transfer_holdings SET notice_due = '2027-01-01' WHERE partner_id = 'beta'",
                           "DELETE FROM transfer_holdings WHERE chain_root = 'b'",
                           "INSERT INTO transfer_holdings VALUES ('beta', 'b', 'x', 4, '2026-02-15')"}) {
    sql(std::string(edit));
    EXPECT_TRUE(has(codes(false), "ledger_holdings_mismatch")) << edit;
    sql("DELETE FROM transfer_holdings; INSERT INTO transfer_holdings SELECT * FROM saved");
    EXPECT_TRUE(codes(false).empty());
  }
}

TEST_F(TransfersTest, LedgerVerifyNamesEveryEditedHolding) {
  const std::string secret = store_->secret(kTransferReferenceSecret).value();
  ASSERT_TRUE(store_->record_transfers(batches(secret)).ok());
  // Both of acme's people (two ranges of people: a and b), and a holding of
  // a partner no row names at all.
  sql("UPDATE transfer_holdings SET notice_due = '2027-01-01' WHERE partner_id = 'acme'; INSERT INTO "
      "transfer_holdings VALUES ('gamma', '0a', 'x', 1, '2026-02-15')");
  Result<ChainReport> report = store_->verify_chain();
  ASSERT_TRUE(report.ok());
  std::vector<std::pair<std::int64_t, std::string>> found;
  for (const ChainProblem& p : report.value().problems) {
    EXPECT_EQ(p.code, "ledger_holdings_mismatch");
    found.emplace_back(p.seq, p.message);
  }
  const std::string edited = ": the transfer_holdings table was edited behind the ledger's back.";
  const std::vector<std::pair<std::int64_t, std::string>> expected = {
      {0, "What partner gamma holds of person 0a does not follow from any transfer row" + edited},
      {1, "What partner acme holds of person a does not follow from the transfer rows" + edited},
      {1, "What partner acme holds of person b does not follow from the transfer rows" + edited}};
  EXPECT_EQ(found, expected);
}

TEST_F(TransfersTest, RefusesAChannelThatIsNone) {
  std::vector<TransferBatch> bad = batches("s");
  bad[0].rows[1].channels = {"fax"};
  Result<std::vector<std::int64_t>> refused = store_->record_transfers(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.problems().front().path, "/0/rows/1/channels");
}

// A schema-8 ledger (transfers, no holdings table) gets the table from its
// rows when opened.
TEST_F(TransfersTest, TheSchemaNineStepBuildsTheHoldingsFromTheRows) {
  const std::string secret = store_->secret(kTransferReferenceSecret).value();
  ASSERT_TRUE(store_->record_transfers(batches(secret)).ok());
  TransferBatch later = batches(secret)[0];
  later.rows = {{transfer_reference(secret, "acme", "a"), "a", {"phone"}, "2026-05-01"}};
  ASSERT_TRUE(store_->record_transfers({later}).ok());
  const std::vector<Holding> acme = holdings_of(*store_, "acme");
  sql("DROP TABLE transfer_holdings; PRAGMA user_version = 8");
  EXPECT_TRUE(same(holdings_of(*store_, "acme"), acme));  // sql() reopened the store: migrated again
  EXPECT_EQ(holdings_of(*store_, "acme")[0].channels, (std::vector<std::string>{"postal", "phone", "email"}));
  EXPECT_EQ(holdings_of(*store_, "acme")[0].notice_due, "2026-02-15");
  EXPECT_EQ(holdings_of(*store_, "beta").size(), 1u);
  EXPECT_TRUE(codes(false).empty());
}

}  // namespace
}  // namespace cachet::ledger
