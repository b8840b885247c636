// The SQLite consent ledger on its own: append, supersede chains, replay,
// the hash chain catching edits behind its back, retention purges (R9, R10).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>

#include "cachet/calendar.h"
#include "cachet/jws.h"
#include "cachet/ledger/change.h"
#include "cachet/ledger/digest.h"
#include "cachet/ledger/head.h"
#include "cachet/ledger/store.h"
#include "cachet/openssl_crypto.h"
#include "cachet/publication.h"
#include "test_crypto.h"

namespace cachet::ledger {
namespace {

// The core's calendar, which the ledger reads and writes its times with.
using calendar::add_months;
using calendar::format_rfc3339;
using calendar::parse_rfc3339;

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cachet-ledger-test-XXXXXX";
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
  // A stand-in for a verified receipt: the ledger checks structure, not signatures.
 public:
  static NewReceipt receipt_for_test(const std::string& id, const std::string& supersedes = "",
                                     const std::string& email_decision = "granted",
                                     const std::string& received_at = "") {
    return receipt(id, supersedes, email_decision, received_at);
  }

 protected:
  static NewReceipt receipt(const std::string& id, const std::string& supersedes = "",
                            const std::string& email_decision = "granted", const std::string& received_at = "") {
    Json payload = {{"version", "cachet-receipt/1"},
                    {"receiptId", id},
                    {"issuedAt", "2026-01-01T10:00:00Z"},
                    {"channels", {{"email", {{"basis", "consent"}, {"decision", email_decision}}}}},
                    {"retention", {{"months", 1}}}};
    if (!supersedes.empty()) payload["supersedes"] = supersedes;
    NewReceipt r;
    r.receipt_id = id;
    r.payload = payload.dump();
    r.payload_sha256 = sha256_hex(r.payload);
    r.jws = Json{{"payload", b64url_encode(r.payload)}, {"signatures", Json::array()}}.dump();
    r.verification = R"({"ok":true})";
    r.countersigner_kid = "kid-1";
    r.received_at = received_at;
    r.issued_at = "2026-01-01T10:00:00Z";
    r.collection_method = supersedes.empty() ? "web-form" : "preference-centre";
    r.supersedes = supersedes;
    r.retention_months = 1;
    return r;
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
  std::string first_code() {
    auto report = store_->verify_chain();
    EXPECT_TRUE(report.ok());
    if (!report.ok() || report.value().problems.empty()) return "";
    return report.value().problems.front().code;
  }

  std::string dir_;
  std::string path_;
  std::unique_ptr<ConsentStore> store_;
};

TEST_F(LedgerTest, AppendsAndReadsBack) {
  auto out = store_->append(receipt("a"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value().status, AppendStatus::kAppended);
  EXPECT_EQ(out.value().stored.seq, 1);
  EXPECT_EQ(out.value().stored.chain_root, "a");
  EXPECT_EQ(out.value().stored.entry_hash.size(), 64u);
  auto found = store_->find("a");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found.value().has_value());
  EXPECT_EQ(found.value()->payload["channels"]["email"]["decision"], "granted");
  EXPECT_FALSE(found.value()->received_at.empty());
  auto missing = store_->find("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value().has_value());
  EXPECT_EQ(first_code(), "");
}

TEST_F(LedgerTest, SameReceiptTwiceIsIdempotentDifferentPayloadIsReplay) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  auto again = store_->append(receipt("a"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().status, AppendStatus::kDuplicate);
  auto replay = store_->append(receipt("a", "", "not-granted"));
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.problems().front().code, "ledger_replay");
  auto report = store_->verify_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().entries, 1);
}

TEST_F(LedgerTest, SupersedeChainsFormOnePersonAndNeverFork) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  ASSERT_TRUE(store_->append(receipt("b")).ok());
  auto update = store_->append(receipt("a2", "a", "withdrawn"));
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(update.value().stored.chain_root, "a");

  auto unknown = store_->append(receipt("x", "does-not-exist"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.problems().front().code, "ledger_unknown_supersedes");
  auto fork = store_->append(receipt("a3", "a"));
  ASSERT_FALSE(fork.ok());
  EXPECT_EQ(fork.problems().front().code, "ledger_already_superseded");

  auto state = store_->state_of("a");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state.value().latest.receipt_id, "a2");
  ASSERT_EQ(state.value().history.size(), 2u);
  EXPECT_EQ(state.value().history[0].superseded_by, "a2");
  EXPECT_EQ(state.value().latest.payload["channels"]["email"]["decision"], "withdrawn");
  EXPECT_EQ(store_->state_of("a2").value().chain_root, "a");

  std::vector<std::string> latest;
  EXPECT_TRUE(store_
                  ->for_each_person([&](const PersonState& p) {
                    latest.push_back(p.latest.receipt_id);
                    return true;
                  })
                  .empty());
  EXPECT_EQ(latest, (std::vector<std::string>{"a2", "b"}));
  EXPECT_EQ(first_code(), "");
}

TEST_F(LedgerTest, EditOfAStoredReceiptIsDetected) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  ASSERT_TRUE(store_->append(receipt("b")).ok());
  store_.reset();
  sql("UPDATE receipts SET jws = replace(jws, 'signatures', 'signaturez') WHERE receipt_id = 'b'");
  open();
  auto report = store_->verify_chain();
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report.value().ok());
  EXPECT_EQ(report.value().problems.front().code, "ledger_entry_mismatch");
  EXPECT_EQ(report.value().problems.front().receipt_id, "b");
  EXPECT_EQ(report.value().problems.front().seq, 2);
}

TEST_F(LedgerTest, PayloadEditIsDetected) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  store_.reset();
  sql("UPDATE receipts SET payload = replace(payload, 'granted', 'withdrawn')");
  open();
  EXPECT_EQ(first_code(), "ledger_payload_mismatch");
}

TEST_F(LedgerTest, DeletionAndLogEditsAreDetected) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  ASSERT_TRUE(store_->append(receipt("b")).ok());
  ASSERT_TRUE(store_->append(receipt("c")).ok());
  store_.reset();
  sql("DELETE FROM receipts WHERE receipt_id = 'b'");
  open();
  EXPECT_EQ(first_code(), "ledger_receipt_missing");
  store_.reset();
  sql("DELETE FROM log WHERE seq = 2");
  open();
  EXPECT_EQ(first_code(), "ledger_gap");
  store_.reset();
  sql("UPDATE log SET entry = replace(entry, 'kid-1', 'kid-2') WHERE seq = 1");
  open();
  EXPECT_EQ(first_code(), "ledger_hash_mismatch");
}

TEST_F(LedgerTest, PurgeRemovesExpiredPeopleAndKeepsTheChainVerifiable) {
  ASSERT_TRUE(store_->append(receipt("old", "", "granted", "2026-01-31T10:00:00Z")).ok());
  ASSERT_TRUE(store_->append(receipt("old2", "old", "withdrawn", "2026-02-10T10:00:00Z")).ok());
  ASSERT_TRUE(store_->append(receipt("new", "", "granted", "2026-03-01T10:00:00Z")).ok());
  // Retention runs from the person's latest receipt: 2026-02-10 + 1 month.
  auto early = store_->purge(parse_rfc3339("2026-03-09T10:00:00Z").value());
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early.value().removed.empty());
  auto purge = store_->purge(parse_rfc3339("2026-03-10T10:00:00Z").value());
  ASSERT_TRUE(purge.ok());
  EXPECT_EQ(purge.value().removed, (std::vector<std::string>{"old", "old2"}));
  EXPECT_EQ(purge.value().seq, 4);
  EXPECT_FALSE(store_->find("old").value().has_value());
  EXPECT_TRUE(store_->find("new").value().has_value());
  EXPECT_EQ(first_code(), "");
  // A purged id cannot be reused.
  auto reuse = store_->append(receipt("old"));
  ASSERT_FALSE(reuse.ok());
  EXPECT_EQ(reuse.problems().front().code, "ledger_replay");
  // Editing the purge record is detected.
  store_.reset();
  sql("UPDATE log SET entry = replace(entry, 'retention', 'retentioN') WHERE kind = 'purge'");
  open();
  EXPECT_EQ(first_code(), "ledger_hash_mismatch");
}

TEST_F(LedgerTest, ChallengesAreConsumedOnce) {
  NewReceipt a = receipt("a");
  a.challenge = "chal-1";
  ASSERT_TRUE(store_->append(a).ok());
  EXPECT_TRUE(store_->challenge_used("chal-1").value());
  EXPECT_FALSE(store_->challenge_used("chal-2").value());
  NewReceipt b = receipt("b");
  b.challenge = "chal-1";
  auto again = store_->append(b);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.problems().front().code, "ledger_challenge_used");
  EXPECT_FALSE(store_->find("b").value().has_value());  // rolled back
}

TEST_F(LedgerTest, SurvivesReopenAndKeepsSecrets) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  const std::string secret = store_->secret("challenge").value();
  EXPECT_EQ(secret.size(), 32u);
  open();
  EXPECT_EQ(store_->secret("challenge").value(), secret);
  EXPECT_NE(store_->secret("preferences").value(), secret);
  EXPECT_TRUE(store_->find("a").value().has_value());
}

TEST_F(LedgerTest, EventsAreChainedAndChecked) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  auto seq = store_->record_event("export", Json{{"partner", "acme"}, {"rows", 12}, {"ratio", 0.5}});
  ASSERT_TRUE(seq.ok()) << seq.problems().front().message;
  EXPECT_EQ(seq.value(), 2);
  ASSERT_TRUE(store_->append(receipt("b")).ok());
  EXPECT_EQ(store_->find("b").value()->seq, 3);
  EXPECT_EQ(first_code(), "");
  EXPECT_FALSE(store_->record_event("purge", Json::object()).ok());
  store_.reset();
  sql("UPDATE log SET entry = replace(entry, 'acme', 'acmf') WHERE kind = 'event'");
  open();
  EXPECT_EQ(first_code(), "ledger_hash_mismatch");
}

TEST_F(LedgerTest, MigratesASchemaOneFile) {
  store_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  // Schema 1 as shipped first: the log allowed only 'receipt' and 'purge' entries.
  sql(R"sql(
CREATE TABLE log (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('receipt', 'purge')),
  receipt_id TEXT, entry TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX log_receipt ON log(receipt_id);
CREATE TABLE receipts (receipt_id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE REFERENCES log(seq),
  jws TEXT NOT NULL, payload TEXT NOT NULL, payload_sha256 TEXT NOT NULL, verification TEXT NOT NULL,
  countersigner_kid TEXT NOT NULL, received_at TEXT NOT NULL, issued_at TEXT NOT NULL,
  collection_method TEXT NOT NULL, chain_root TEXT NOT NULL, supersedes TEXT, retention_months INTEGER NOT NULL);
CREATE UNIQUE INDEX receipts_supersedes ON receipts(supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX receipts_chain ON receipts(chain_root, seq);
CREATE TABLE used_challenges (challenge TEXT PRIMARY KEY, receipt_id TEXT NOT NULL);
CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
PRAGMA user_version = 1;
)sql");
  open();
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  ASSERT_TRUE(store_->record_event("export", Json::object()).ok());
  ASSERT_TRUE(store_->append(receipt("a2", "a", "withdrawn")).ok());
  EXPECT_EQ(first_code(), "");
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0),
            9);  // the latest schema (6: transfers, 7: erasure entries, 8: webhook outbox, 9: holdings)
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// The log entry of a receipt as the first ledgers wrote it (nlohmann/json,
// members sorted): verify_chain's direct writer must give the same bytes.
std::string reference_entry(const StoredReceipt& r, const NewReceipt& in, const std::string& record_sha256) {
  Json entry = Json::object();
  entry["kind"] = "receipt";
  entry["seq"] = r.seq;
  entry["receiptId"] = r.receipt_id;
  entry["jwsSha256"] = sha256_hex(in.jws);
  entry["payloadSha256"] = in.payload_sha256;
  entry["verification"] = in.verification;
  entry["countersignerKid"] = in.countersigner_kid;
  entry["receivedAt"] = r.received_at;
  entry["issuedAt"] = in.issued_at;
  entry["chainRoot"] = r.chain_root;
  entry["supersedes"] = in.supersedes;
  entry["collectionMethod"] = in.collection_method;
  entry["retentionMonths"] = static_cast<std::int64_t>(in.retention_months);
  entry["recordSha256"] = record_sha256;  // schema 3
  return entry.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A compact record as nlohmann/json writes it: canonical_record's direct
// writer must give the same bytes.
std::string reference_record(const ReceiptRecord& r) {
  Json record = Json::object();
  record["chainRoot"] = r.chain_root;
  Json channels = Json::object();
  for (const auto& [name, c] : {std::pair<const char*, const ReceiptRecord::ChannelState*>{"email", &r.email},
                                {"phone", &r.phone},
                                {"postal", &r.postal},
                                {"sms", &r.sms}}) {
    Json channel = Json::object();
    if (!c->basis.empty()) channel["basis"] = c->basis;
    if (!c->decision.empty()) channel["decision"] = c->decision;
    if (!channel.empty()) channels[name] = channel;
  }
  record["channels"] = channels;
  record["collectionMethod"] = r.collection_method;
  record["countersignerKid"] = r.countersigner_kid;
  Json digests = Json::object();
  for (const auto& [name, d] : {std::pair<const char*, const std::string*>{"email", &r.digests.email},
                                {"mobile", &r.digests.mobile},
                                {"phone", &r.digests.phone},
                                {"postal", &r.digests.postal}}) {
    if (!d->empty()) digests[name] = *d;
  }
  record["digests"] = digests;
  record["issuedAt"] = r.issued_at;
  record["jwsSha256"] = r.jws_sha256;
  record["partnerIds"] = Json::parse(r.partner_ids);
  record["payloadSha256"] = r.payload_sha256;
  record["receiptId"] = r.receipt_id;
  record["receivedAt"] = r.received_at;
  record["retentionMonths"] = static_cast<std::int64_t>(r.retention_months);
  record["salt"] = r.salt;
  record["supersedes"] = r.supersedes;
  record["verification"] = r.verification;
  record["verified"] = r.verified;
  return record.dump(-1, ' ', false, Json::error_handler_t::replace);
}

TEST_F(LedgerTest, LogEntriesKeepTheirFormatForAnyText) {
  std::vector<NewReceipt> inputs;
  inputs.push_back(receipt("plain"));
  NewReceipt quotes = receipt("quotes");
  quotes.verification = R"({"ok":true,"note":"a \\ back\\slash and \"quotes\" / slash"})";
  inputs.push_back(quotes);
  NewReceipt accents = receipt("accents");
  accents.countersigner_kid = "cl\xc3\xa9-\x7f";  // non-ASCII and DEL go through nlohmann
  accents.verification = std::string(R"({"ok":true,"tab":")") + "\t" + "\"}";
  inputs.push_back(accents);
  NewReceipt del = receipt("del");
  del.countersigner_kid = "abcdefgh\x7fijklmnopqrstuvw";  // DEL inside an eight-byte block goes through nlohmann
  del.verification = R"({"ok":true,"x":"0123456789\\abcdef\"0123456789"})";
  inputs.push_back(del);
  NewReceipt control = receipt("control");
  control.collection_method = std::string("paper\n") + '\x01';
  inputs.push_back(control);
  NewReceipt rich = receipt("rich");  // a payload with every record member, some of them unusual
  Json payload = Json::parse(rich.payload);
  payload["channels"]["postal"] = {{"basis", "legitimate-interest"}, {"decision", "objected"}};
  payload["channels"]["sms"] = {{"decision", "gr\u00e2nted \"x\""}};
  payload["subject"] = {{"salt", "s\u00e9l"}, {"digests", {{"email", std::string(64, 'a')}, {"mobile", "b"}}}};
  payload["notice"] = {{"partnerIds", {"acme", "b\u00eata", 3, "with space", "q\"uote"}}};
  rich.payload = payload.dump();
  rich.payload_sha256 = sha256_hex(rich.payload);
  rich.jws = Json{{"payload", b64url_encode(rich.payload)}, {"signatures", Json::array()}}.dump();
  inputs.push_back(rich);
  NewReceipt simple = receipt("simple");  // the all-ASCII path, with a partner list
  payload = Json::parse(simple.payload);
  payload["notice"] = {{"partnerIds", {"acme", "beta"}}};
  simple.payload = payload.dump();
  simple.payload_sha256 = sha256_hex(simple.payload);
  simple.jws = Json{{"payload", b64url_encode(simple.payload)}, {"signatures", Json::array()}}.dump();
  inputs.push_back(simple);
  auto appended = store_->append_many(inputs);
  ASSERT_TRUE(appended.ok()) << appended.problems().front().message;
  ASSERT_EQ(appended.value().size(), inputs.size());
  std::map<std::string, std::string> record_hashes;
  auto report = store_->verify_records([&](const ReceiptRecord& r) {
    EXPECT_EQ(canonical_record(r), reference_record(r)) << r.receipt_id;
    record_hashes[r.receipt_id] = sha256_hex(canonical_record(r));
  });
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok());
  ASSERT_EQ(record_hashes.size(), inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const StoredReceipt& stored = appended.value()[i].stored;
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT entry FROM log WHERE seq = ?1", -1, &st, nullptr), SQLITE_OK);
    sqlite3_bind_int64(st, 1, stored.seq);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))),
              reference_entry(stored, inputs[i], record_hashes[stored.receipt_id]))
        << inputs[i].receipt_id;
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  EXPECT_EQ(first_code(), "");
}

TEST_F(LedgerTest, AppendManyIsAllOrNothing) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  auto bad = store_->append_many({receipt("b"), receipt("c", "nope"), receipt("d")});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.problems().front().code, "ledger_unknown_supersedes");
  EXPECT_EQ(bad.problems().front().path, "/1/supersedes");
  EXPECT_FALSE(store_->find("b").value().has_value());
  auto good = store_->append_many({receipt("b"), receipt("b2", "b", "withdrawn"), receipt("a")});
  ASSERT_TRUE(good.ok()) << good.problems().front().message;
  EXPECT_EQ(good.value()[1].stored.chain_root, "b");
  EXPECT_EQ(good.value()[2].status, AppendStatus::kDuplicate);
  EXPECT_EQ(first_code(), "");
  EXPECT_EQ(store_->verify_chain().value().receipts, 3);
}

TEST_F(LedgerTest, CompactRecordsMatchTheParsedPayload) {
  NewReceipt rich = receipt("r1");
  Json payload = Json::parse(rich.payload);
  payload["channels"]["postal"] = {{"basis", "legitimate-interest"}, {"decision", "objected"}};
  payload["channels"]["sms"] = {{"basis", "consent"}, {"decision", 3}};  // not a string: reads as empty
  payload["subject"] = {{"salt", "c2FsdHNhbHRzYWx0c2FsdA"}, {"digests", {{"email", std::string(64, 'a')}}}};
  payload["notice"] = {{"partnerIds", {"acme", "beta"}}};
  rich.payload = payload.dump();
  rich.payload_sha256 = sha256_hex(rich.payload);
  rich.jws = Json{{"payload", b64url_encode(rich.payload)}, {"signatures", Json::array()}}.dump();
  NewReceipt broken = receipt("r2");
  broken.payload = "{not json";
  broken.payload_sha256 = sha256_hex(broken.payload);
  broken.jws = Json{{"payload", b64url_encode(broken.payload)}, {"signatures", Json::array()}}.dump();
  broken.verification = R"({"ok":false})";
  ASSERT_TRUE(store_->append_many({rich, broken, receipt("r3", "r1", "withdrawn", "2026-02-01T00:00:00Z")}).ok());
  // The SQLite store's records (derived at acceptance) against the ones the
  // default implementation derives from the stored receipts.
  std::vector<ReceiptRecord> fast, generic;
  auto fast_report = store_->verify_records([&](const ReceiptRecord& r) { fast.push_back(r); });
  auto generic_report = store_->ConsentStore::verify_records([&](const ReceiptRecord& r) { generic.push_back(r); });
  ASSERT_TRUE(fast_report.ok() && fast_report.value().ok());
  ASSERT_TRUE(generic_report.ok()) << generic_report.problems().front().message;
  ASSERT_TRUE(generic_report.value().ok()) << generic_report.value().to_json().dump();
  ASSERT_EQ(fast.size(), 3u);
  ASSERT_EQ(generic.size(), 3u);
  for (std::size_t i = 0; i < fast.size(); ++i) {
    EXPECT_EQ(canonical_record(fast[i]), canonical_record(generic[i])) << fast[i].receipt_id;
    EXPECT_EQ(fast[i].receipt_seq, generic[i].receipt_seq);
  }
  EXPECT_TRUE(fast[0].verified);
  EXPECT_EQ(fast[0].postal.decision, "objected");
  EXPECT_EQ(fast[0].sms.basis, "consent");
  EXPECT_EQ(fast[0].sms.decision, "");
  EXPECT_EQ(fast[0].digests.email, std::string(64, 'a'));
  EXPECT_EQ(fast[0].salt, "c2FsdHNhbHRzYWx0c2FsdA");
  EXPECT_EQ(fast[0].partner_ids, R"(["acme","beta"])");
  EXPECT_FALSE(fast[1].verified);
  EXPECT_EQ(fast[1].email.decision, "");
  EXPECT_EQ(fast[1].partner_ids, "[]");
  EXPECT_EQ(fast[2].chain_root, "r1");
  EXPECT_EQ(fast[2].email.decision, "withdrawn");
  EXPECT_EQ(retention_end(fast[2].received_at, fast[2].retention_months), 1772323200);  // 2026-03-01T00:00:00Z
}

TEST_F(LedgerTest, StoredReceiptsTheLogDoesNotAccountForAreDetected) {
  ASSERT_TRUE(store_->append(receipt("old", "", "granted", "2026-01-01T10:00:00Z")).ok());
  ASSERT_TRUE(store_->append(receipt("keep", "", "granted", "2026-06-01T10:00:00Z")).ok());
  store_.reset();
  sql("CREATE TABLE saved AS SELECT * FROM receipts WHERE receipt_id = 'old'");
  open();
  ASSERT_EQ(store_->purge(parse_rfc3339("2026-03-01T00:00:00Z").value()).value().removed,
            std::vector<std::string>{"old"});
  EXPECT_EQ(first_code(), "");
  // The purged receipt put back.
  store_.reset();
  sql("INSERT INTO receipts SELECT * FROM saved");
  open();
  EXPECT_EQ(first_code(), "ledger_purged_receipt_present");
  // A receipt inserted behind the ledger's back.
  store_.reset();
  sql("DELETE FROM receipts WHERE receipt_id = 'old'; INSERT INTO receipts SELECT 'ghost', 99, jws, payload, "
      "payload_sha256, verification, countersigner_kid, received_at, issued_at, collection_method, 'ghost', NULL, "
      "retention_months FROM saved");
  open();
  auto report = store_->verify_chain();
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report.value().problems.size(), 1u);
  EXPECT_EQ(report.value().problems.front().code, "ledger_unlogged_receipt");
  EXPECT_EQ(report.value().problems.front().receipt_id, "ghost");
  // A stored receipt moved to another receipt's position.
  store_.reset();
  sql("DELETE FROM receipts WHERE receipt_id = 'ghost'; UPDATE receipts SET seq = 1 WHERE receipt_id = 'keep'");
  open();
  EXPECT_EQ(first_code(), "ledger_entry_mismatch");
}

// Writes a schema-2 ledger the way the schema-2 code did (log entries
// without recordSha256, no records table): `stored` receipts in order, after
// a receipt "gone" that a purge entry then removed.
void write_schema2(const std::string& path, const std::vector<NewReceipt>& stored) {
  std::string sql = R"sql(
CREATE TABLE log (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('receipt', 'purge', 'event')),
  receipt_id TEXT, entry TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX log_receipt ON log(receipt_id);
CREATE TABLE receipts (receipt_id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE REFERENCES log(seq),
  jws TEXT NOT NULL, payload TEXT NOT NULL, payload_sha256 TEXT NOT NULL, verification TEXT NOT NULL,
  countersigner_kid TEXT NOT NULL, received_at TEXT NOT NULL, issued_at TEXT NOT NULL,
  collection_method TEXT NOT NULL, chain_root TEXT NOT NULL, supersedes TEXT, retention_months INTEGER NOT NULL);
CREATE UNIQUE INDEX receipts_supersedes ON receipts(supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX receipts_chain ON receipts(chain_root, seq);
CREATE TABLE used_challenges (challenge TEXT PRIMARY KEY, receipt_id TEXT NOT NULL);
CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
PRAGMA user_version = 2;
)sql";
  std::string prev(32, '\0');
  std::map<std::string, std::string> roots;
  auto quote = [](const std::string& text) {
    std::string out = "'";
    for (const char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  };
  auto log = [&](std::int64_t seq, const std::string& kind, const std::string& id, const Json& entry) {
    const std::string text = entry.dump(-1, ' ', false, Json::error_handler_t::replace);
    const std::string hash = sha256_hex(prev + text);
    prev = sha256_raw(prev + text);
    sql += "INSERT INTO log VALUES (" + std::to_string(seq) + ", " + quote(kind) + ", " +
           (id.empty() ? std::string("NULL") : quote(id)) + ", " + quote(text) + ", " + quote(hash) + ");\n";
    return hash;
  };
  auto receipt_entry = [](std::int64_t seq, const NewReceipt& in, const std::string& root) {
    return Json{{"kind", "receipt"},
                {"seq", seq},
                {"receiptId", in.receipt_id},
                {"jwsSha256", sha256_hex(in.jws)},
                {"payloadSha256", in.payload_sha256},
                {"verification", in.verification},
                {"countersignerKid", in.countersigner_kid},
                {"receivedAt", in.received_at},
                {"issuedAt", in.issued_at},
                {"chainRoot", root},
                {"supersedes", in.supersedes},
                {"collectionMethod", in.collection_method},
                {"retentionMonths", in.retention_months}};
  };
  NewReceipt gone = LedgerTest::receipt_for_test("gone", "", "granted", "2025-01-01T10:00:00Z");
  const std::string gone_hash = log(1, "receipt", "gone", receipt_entry(1, gone, "gone"));
  log(2, "purge", "",
      Json{{"kind", "purge"},
           {"seq", 2},
           {"at", "2025-03-01T00:00:00Z"},
           {"reason", "retention"},
           {"removed", Json::array({Json{{"receiptId", "gone"}, {"entryHash", gone_hash}, {"chainRoot", "gone"}}})}});
  std::int64_t seq = 2;
  for (const NewReceipt& in : stored) {
    ++seq;
    const std::string root = in.supersedes.empty() ? in.receipt_id : roots.at(in.supersedes);
    roots[in.receipt_id] = root;
    log(seq, "receipt", in.receipt_id, receipt_entry(seq, in, root));
    sql += "INSERT INTO receipts VALUES (" + quote(in.receipt_id) + ", " + std::to_string(seq) + ", " + quote(in.jws) +
           ", " + quote(in.payload) + ", " + quote(in.payload_sha256) + ", " + quote(in.verification) + ", " +
           quote(in.countersigner_kid) + ", " + quote(in.received_at) + ", " + quote(in.issued_at) + ", " +
           quote(in.collection_method) + ", " + quote(root) + ", " +
           (in.supersedes.empty() ? std::string("NULL") : quote(in.supersedes)) + ", " +
           std::to_string(in.retention_months) + ");\n";
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST_F(LedgerTest, MigratesASchemaTwoFileIntoCompactRecords) {
  store_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  write_schema2(path_, {receipt("old", "", "granted", "2026-01-31T10:00:00Z"),
                        receipt("old2", "old", "withdrawn", "2026-02-10T10:00:00Z"),
                        receipt("keep", "", "granted", "2026-06-01T10:00:00Z"),
                        receipt("keep2", "keep", "withdrawn", "2026-06-02T10:00:00Z")});
  open();  // migrates: entries 1-6 as they were, 7 the migration, 8-11 one 'record' entry a receipt
  auto records_of = [&]() {
    std::vector<ReceiptRecord> out;
    auto report = store_->verify_records([&](const ReceiptRecord& r) { out.push_back(r); });
    EXPECT_TRUE(report.ok());
    return std::make_pair(report.ok() ? report.value() : ChainReport{}, out);
  };
  auto [report, records] = records_of();
  EXPECT_TRUE(report.ok()) << report.to_json().dump();
  EXPECT_EQ(report.entries, 11);
  EXPECT_EQ(report.receipts, 4);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].receipt_id, "old");
  EXPECT_EQ(records[0].receipt_seq, 3);
  EXPECT_EQ(records[0].entry_seq, 8);
  EXPECT_EQ(records[3].receipt_id, "keep2");
  EXPECT_EQ(records[3].chain_root, "keep");
  EXPECT_EQ(records[3].email.decision, "withdrawn");
  EXPECT_EQ(records[3].email.basis, "consent");
  EXPECT_TRUE(records[3].verified);
  EXPECT_EQ(records[3].partner_ids, "[]");
  const auto full = store_->verify_chain();
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE(full.value().ok()) << full.value().to_json().dump();
  EXPECT_EQ(full.value().head, report.head);
  // Reads check receipts logged in the schema-1/2 form against that form.
  auto migrated = store_->state_of("keep");
  ASSERT_TRUE(migrated.ok()) << migrated.problems().front().message;
  EXPECT_EQ(migrated.value().latest.receipt_id, "keep2");
  EXPECT_TRUE(store_->for_each_person([](const PersonState&) { return true; }, true).empty());
  // Purging migrated receipts names their 'record' entries too; both checks still pass.
  store_.reset();
  sql("CREATE TABLE before_purge AS SELECT * FROM records");
  open();
  auto purge = store_->purge(parse_rfc3339("2026-03-10T10:00:00Z").value());
  ASSERT_TRUE(purge.ok());
  EXPECT_EQ(purge.value().removed, (std::vector<std::string>{"old", "old2"}));
  ASSERT_TRUE(store_->append(receipt("new")).ok());
  EXPECT_EQ(first_code(), "");
  std::tie(report, records) = records_of();
  EXPECT_TRUE(report.ok()) << report.to_json().dump();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].receipt_id, "new");
  EXPECT_EQ(records[2].entry_seq, records[2].receipt_seq);
  // A back-filled record edited: both checks name it.
  store_.reset();
  sql("CREATE TABLE saved AS SELECT * FROM records");
  sql("UPDATE records SET email_decision = 'granted' WHERE receipt_id = 'keep2'");
  open();
  EXPECT_EQ(first_code(), "ledger_record_mismatch");
  std::tie(report, records) = records_of();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.problems.front().code, "ledger_record_mismatch");
  EXPECT_EQ(report.problems.front().receipt_id, "keep2");
  // Deleted: the older choice must not win silently (R10).
  store_.reset();
  sql("DELETE FROM records WHERE receipt_id = 'keep2'");
  open();
  EXPECT_EQ(first_code(), "ledger_record_missing");
  std::tie(report, records) = records_of();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.problems.front().code, "ledger_record_missing");
  // A purged person's record put back.
  store_.reset();
  sql("DELETE FROM records; INSERT INTO records SELECT * FROM saved; "
      "INSERT INTO records SELECT * FROM before_purge WHERE receipt_id = 'old'");
  open();
  std::tie(report, records) = records_of();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.problems.front().code, "ledger_purged_receipt_present");
  EXPECT_EQ(first_code(), "ledger_purged_receipt_present");
}

// Erasing a person whose receipts were stored before schema 3 (issue 13):
// the erasure entry names each receipt's entry and the 'record' entry that
// back-filled its record, so both checks account for the records it removed.
TEST_F(LedgerTest, ErasureOfMigratedReceiptsNamesTheirRecordEntries) {
  store_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  write_schema2(path_, {receipt("old", "", "granted", "2026-01-31T10:00:00Z"),
                        receipt("old2", "old", "withdrawn", "2026-02-10T10:00:00Z"),
                        receipt("keep", "", "granted", "2026-06-01T10:00:00Z")});
  open();
  auto erased = store_->erase("old2", "2026-11-30", parse_rfc3339("2026-12-01T00:00:00Z").value());
  ASSERT_TRUE(erased.ok()) << erased.problems().front().message;
  EXPECT_EQ(erased.value().removed, (std::vector<std::string>{"old", "old2"}));
  const Json entry = Json::parse(erased.value().entry);
  ASSERT_EQ(entry["removed"].size(), 2u);
  EXPECT_TRUE(entry["removed"][0].contains("recordEntryHash"));
  EXPECT_EQ(entry["kind"], "erasure");
  EXPECT_EQ(first_code(), "");
  std::vector<std::string> visited;
  auto report = store_->verify_records([&](const ReceiptRecord& r) { visited.push_back(r.receipt_id); });
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok()) << report.value().to_json().dump();
  EXPECT_EQ(visited, (std::vector<std::string>{"keep"}));
}

TEST_F(LedgerTest, CompactRecordsAreBoundToTheChain) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  ASSERT_TRUE(store_->append(receipt("b")).ok());
  ASSERT_TRUE(store_->record_event("export", Json::object()).ok());
  auto count = [&]() {
    int n = 0;
    auto report = store_->verify_records([&](const ReceiptRecord&) { ++n; });
    return std::make_pair(report.ok() && report.value().ok() ? "" : report.value().problems.front().code, n);
  };
  EXPECT_EQ(count(), std::make_pair(std::string(""), 2));
  store_.reset();
  sql("UPDATE records SET salt = 'x' WHERE receipt_id = 'a'");
  open();
  EXPECT_EQ(count().first, "ledger_record_mismatch");
  EXPECT_EQ(first_code(), "ledger_record_mismatch");
  store_.reset();
  sql("UPDATE records SET salt = '' WHERE receipt_id = 'a'; "
      "INSERT INTO records SELECT 3, 3, 'ghost', chain_root, supersedes, collection_method, countersigner_kid, "
      "received_at, issued_at, retention_months, jws_sha256, payload_sha256, verification, verified, postal_decision, "
      "postal_basis, phone_decision, phone_basis, email_decision, email_basis, sms_decision, sms_basis, salt, "
      "digest_email, digest_phone, digest_mobile, digest_postal, partner_ids FROM records WHERE receipt_id = 'a'");
  open();
  EXPECT_EQ(count().first, "ledger_unlogged_record");  // on the event entry
  EXPECT_EQ(first_code(), "ledger_unlogged_record");
  store_.reset();
  sql("DELETE FROM records WHERE receipt_id = 'ghost'; DELETE FROM records WHERE receipt_id = 'b'");
  open();
  EXPECT_EQ(count().first, "ledger_record_missing");
  EXPECT_EQ(first_code(), "ledger_record_missing");
}

// Issue 12: a stored receipt edited behind the ledger's back is never handed
// out by a read (state_of, for_each_person, find), whatever part was edited.
TEST_F(LedgerTest, ReadsRefuseATamperedReceipt) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  ASSERT_TRUE(store_->append(receipt("b")).ok());
  ASSERT_TRUE(store_->append(receipt("a2", "a", "withdrawn")).ok());
  ASSERT_TRUE(store_->append(receipt("a3", "a2", "withdrawn")).ok());
  ASSERT_TRUE(store_->state_of("a").ok());
  EXPECT_TRUE(store_->for_each_person([](const PersonState&) { return true; }, true).empty());
  // `id`: the receipt named; `person`: the one read (default: the same).
  auto expect_refused = [&](const std::string& edit, const std::string& id, const std::string& person = "") {
    SCOPED_TRACE(edit);
    store_.reset();
    sql("CREATE TABLE IF NOT EXISTS saved_receipts AS SELECT * FROM receipts; "
        "CREATE TABLE IF NOT EXISTS saved_records AS SELECT * FROM records; "
        "CREATE TABLE IF NOT EXISTS saved_log AS SELECT * FROM log");
    sql(edit);
    open();
    auto state = store_->state_of(person.empty() ? id : person);
    ASSERT_FALSE(state.ok());
    EXPECT_EQ(state.problems().front().code, "ledger_tampered");
    EXPECT_EQ(state.problems().front().path, "/receipts/" + id);
    EXPECT_NE(state.problems().front().message.find("cachet ledger verify"), std::string::npos);
    EXPECT_EQ(problem_kind(state.problems()), ProblemKind::kConflict);
    std::vector<std::string> visited;
    // With the history: every receipt handed out is checked (without, the
    // latest of each person only, which is all export-state prints).
    const Problems listed = store_->for_each_person(
        [&](const PersonState& each) {
          visited.push_back(each.chain_root);
          return true;
        },
        true);
    ASSERT_FALSE(listed.empty());
    EXPECT_EQ(listed.front().code, "ledger_tampered");
    EXPECT_EQ(visited, std::vector<std::string>{});  // "a" comes first: its state is never handed out
    if (person.empty()) {
      EXPECT_FALSE(store_->find(id).ok());
    }
    // Restore for the next edit.
    store_.reset();
    sql("DELETE FROM receipts; INSERT INTO receipts SELECT * FROM saved_receipts; "
        "DELETE FROM records; INSERT INTO records SELECT * FROM saved_records; "
        "DELETE FROM log; INSERT INTO log SELECT * FROM saved_log");
    open();
    ASSERT_TRUE(store_->state_of("a").ok());
  };
  // The decision, in the payload column only (what the inspector did).
  expect_refused("UPDATE receipts SET payload = replace(payload, 'withdrawn', 'granted') WHERE receipt_id = 'a2'",
                 "a2");
  // A column the log entry records.
  expect_refused("UPDATE receipts SET received_at = '2020-01-01T00:00:00Z' WHERE receipt_id = 'a2'", "a2");
  // The payload and its digest together: the JWS no longer carries it.
  const NewReceipt granted = receipt("a2", "a", "granted");
  expect_refused("UPDATE receipts SET payload = '" + granted.payload + "', payload_sha256 = '" +
                     granted.payload_sha256 + "' WHERE receipt_id = 'a2'",
                 "a2");
  // The chain link: the entry's stored hash no longer follows the one before.
  expect_refused("UPDATE log SET hash = '" + std::string(64, '0') + "' WHERE seq = 3", "a2");
  // The entry before it removed.
  expect_refused("DELETE FROM log WHERE seq = 2", "a2");
  // The latest receipt (a withdrawal) deleted: the older choice must not come back (R10).
  expect_refused("DELETE FROM records WHERE receipt_id = 'a3'; DELETE FROM receipts WHERE receipt_id = 'a3'", "a2",
                 "a");
  // Its `supersedes` cleared instead: it would pose as a person of its own.
  expect_refused("UPDATE receipts SET supersedes = NULL, chain_root = 'a3' WHERE receipt_id = 'a3'", "a2", "a");
  // A receipt in the middle of the history deleted.
  expect_refused("DELETE FROM records WHERE receipt_id = 'a2'; DELETE FROM receipts WHERE receipt_id = 'a2'", "a3",
                 "a");
}

// The signatures of the receipts a change acts on: a JWS that does not verify
// (these test receipts carry no signature at all) is refused.
TEST_F(LedgerTest, StoredSignaturesAreCheckedBeforeActing) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  auto state = store_->state_of("a");
  ASSERT_TRUE(state.ok());
  const Problems problems = verify_stored_signatures(state.value(), *make_openssl_crypto());
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems.front().code, "ledger_tampered");
  EXPECT_EQ(problems.front().path, "/receipts/a");
}

class HeadTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    crypto_ = make_openssl_crypto();
    auto key = crypto_->generate_ed25519();
    ASSERT_TRUE(key.ok());
    key_ = key.value();
  }
  // verify_chain, then the stored head and `extra` (a head kept elsewhere).
  std::vector<std::string> verify_codes(const std::optional<std::string>& extra = std::nullopt) {
    auto report = store_->verify_chain();
    EXPECT_TRUE(report.ok());
    if (!report.ok()) return {"io"};
    ChainReport r = report.value();
    auto stored = store_->latest_head();
    EXPECT_TRUE(stored.ok());
    for (const std::optional<std::string>& text : {stored.ok() ? stored.value() : std::nullopt, extra}) {
      if (!text) continue;
      auto head = verify_head(*text, *crypto_, key_);
      EXPECT_TRUE(head.ok()) << head.problems().front().message;
      if (head.ok()) {
        EXPECT_TRUE(check_against_head(*store_, head.value(), "head", r).empty());
      }
    }
    std::vector<std::string> codes;
    for (const ChainProblem& p : r.problems) codes.push_back(p.code);
    return codes;
  }
  std::unique_ptr<CryptoProvider> crypto_;
  Json key_;
};

TEST_F(HeadTest, SignsAndVerifiesAHead) {
  auto empty = sign_and_store_head(*store_, key_, *crypto_);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.problems().front().code, "ledger_empty");
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  ASSERT_TRUE(store_->append(receipt("b")).ok());
  auto head = sign_and_store_head(*store_, key_, *crypto_);
  ASSERT_TRUE(head.ok()) << head.problems().front().message;
  auto tip = store_->tip();
  ASSERT_TRUE(tip.ok());
  EXPECT_EQ(head.value().seq, 2);
  EXPECT_EQ(tip.value().seq, 2);
  EXPECT_EQ(head.value().hash, tip.value().hash);
  // The head is not a log entry.
  EXPECT_EQ(store_->tip().value().seq, 2);
  auto stored = store_->latest_head();
  ASSERT_TRUE(stored.ok() && stored.value());
  auto verified = verify_head(*stored.value(), *crypto_, key_);
  ASSERT_TRUE(verified.ok()) << verified.problems().front().message;
  EXPECT_EQ(verified.value().seq, 2);
  EXPECT_EQ(verified.value().hash, tip.value().hash);
  EXPECT_EQ(verified.value().kid, head.value().kid);
  // The protected header: typ, the public jwk and its thumbprint as kid.
  const Json& jws = head.value().jws;
  const Json header = Json::parse(base64url_decode(jws["signatures"][0]["protected"].get<std::string>()).value());
  EXPECT_EQ(header["typ"], "cachet-chain-head+jws");
  EXPECT_EQ(header["alg"], "Ed25519");
  EXPECT_FALSE(header["jwk"].contains("d"));
  EXPECT_EQ(header["kid"], head.value().kid);
  const Json payload = Json::parse(base64url_decode(jws["payload"].get<std::string>()).value());
  EXPECT_EQ(payload["version"], "cachet-chain-head/1");
  EXPECT_EQ(payload["seq"], 2);
  EXPECT_EQ(verify_codes(), std::vector<std::string>{});

  // Another seq under the same signature: refused.
  Json forged = jws;
  Json other = payload;
  other["seq"] = 1;
  forged["payload"] = base64url_encode(other.dump());
  auto bad = verify_head(forged.dump(), *crypto_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.problems().front().code, "head_bad_signature");
  // Signed by another key than the controller's given.
  auto other_key = crypto_->generate_ed25519();
  ASSERT_TRUE(other_key.ok());
  auto untrusted = verify_head(jws.dump(), *crypto_, other_key.value());
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.problems().front().code, "head_untrusted_key");
  // Well signed, but not a head's members.
  auto odd = sign_jws(Json{{"version", "cachet-chain-head/1"}, {"a", 1}, {"b", 2}, {"c", 3}}.dump(), key_, *crypto_,
                      Json{{"typ", "cachet-chain-head+jws"}, {"kid", head.value().kid}});
  ASSERT_TRUE(odd.ok());
  auto odd_head = verify_head(odd.value().dump(), *crypto_);
  ASSERT_FALSE(odd_head.ok());
  EXPECT_EQ(odd_head.problems().front().code, "head_malformed");
  // A receipt-like JWS is not a head.
  auto receipt_jws = sign_jws(payload.dump(), key_, *crypto_, Json{{"typ", "cachet-receipt+jws"}});
  ASSERT_TRUE(receipt_jws.ok());
  auto wrong_type = verify_head(receipt_jws.value().dump(), *crypto_);
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.problems().front().code, "head_malformed");
}

TEST_F(HeadTest, TruncationIsDetectedAgainstTheStoredHead) {
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(store_->append(receipt(id)).ok());
  ASSERT_TRUE(sign_and_store_head(*store_, key_, *crypto_).ok());
  ASSERT_TRUE(store_->append(receipt("d")).ok());  // after the head: the head still holds
  EXPECT_EQ(verify_codes(), std::vector<std::string>{});
  // Cut the last two entries off, with their receipts and records: the chain
  // alone still verifies, the head does not.
  store_.reset();
  sql("DELETE FROM records WHERE entry_seq >= 3; DELETE FROM receipts WHERE seq >= 3; DELETE FROM log WHERE seq >= 3");
  open();
  EXPECT_EQ(first_code(), "");
  EXPECT_EQ(verify_codes(), std::vector<std::string>{"ledger_truncated"});
  // Entry 3 written again with other content: the head's hash no longer matches.
  ASSERT_TRUE(store_->append(receipt("c-other")).ok());
  EXPECT_EQ(first_code(), "");
  EXPECT_EQ(verify_codes(), std::vector<std::string>{"ledger_head_mismatch"});
}

TEST_F(HeadTest, TruncationIsDetectedAgainstAHeadKeptElsewhere) {
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(store_->append(receipt(id)).ok());
  auto head = sign_and_store_head(*store_, key_, *crypto_);
  ASSERT_TRUE(head.ok());
  const std::string kept = head.value().jws.dump();  // shipped off the machine
  // Whoever cuts the log deletes the stored heads too.
  store_.reset();
  sql("DELETE FROM records WHERE entry_seq = 3; DELETE FROM receipts WHERE seq = 3; DELETE FROM log WHERE seq = 3; "
      "DELETE FROM chain_heads");
  open();
  EXPECT_EQ(first_code(), "");
  EXPECT_EQ(verify_codes(), std::vector<std::string>{});  // nothing left to compare with
  EXPECT_EQ(verify_codes(kept), std::vector<std::string>{"ledger_truncated"});
}

// A keyed (version 2) receipt's record names the scheme in its salt field,
// so the export knows how to check the digests without the payload.
TEST(ReceiptRecords, KeyedSubjectsNameTheirSchemeInTheSaltField) {
  const std::string keyed = R"({"receiptId":"r","subject":{"digest":"hmac-sha256","digests":{},"salt":"c2FsdA"}})";
  ReceiptRecord from_text;
  from_text.receipt_id = "r";
  derive_record_fields(std::string_view(keyed), from_text);
  EXPECT_EQ(from_text.salt, "hmac-sha256:c2FsdA");
  ReceiptRecord from_dom;
  from_dom.receipt_id = "r";
  derive_record_fields(Json::parse(keyed), from_dom);
  EXPECT_EQ(from_dom.salt, "hmac-sha256:c2FsdA");
  EXPECT_TRUE(split_record_salt(from_text.salt).keyed);
  EXPECT_EQ(split_record_salt(from_text.salt).salt, "c2FsdA");
  EXPECT_FALSE(split_record_salt("c2FsdA").keyed);
  EXPECT_EQ(split_record_salt("c2FsdA").salt, "c2FsdA");
}

TEST(ReceiptRecords, TextAndDomDerivationsAgree) {
  // The ledger derives records from the payload text (SAX, no DOM); the
  // export's --reverify path from a parsed payload. Same record, whatever the text.
  const std::vector<std::string> payloads = {
      R"({"receiptId":"r","channels":{"email":{"basis":"consent","decision":"granted"}},"subject":{"salt":"s",)"
      R"("digests":{"email":"aa","phone":"bb","mobile":"cc","postal":"dd"}},"notice":{"partnerIds":["a","b"]}})",
      R"({"receiptId":"r","channels":{"email":{"decision":"granted"}},"channels":{"sms":{"decision":"granted"}}})",
      R"({"receiptId":"x","receiptId":"r","subject":{"salt":"s","salt":3},"notice":{"partnerIds":["a"],"partnerIds":{}}})",
      R"({"receiptId":"r","notice":{"partnerIds":["a",["b"],{"c":"d"},"e",null,"f\u00e9"]},"other":{"receiptId":"z"}})",
      R"({"receiptId":"r","channels":{"email":{"decision":{"x":1},"basis":["consent"]},"phone":"objected"}})",
      R"({"receiptId":"r","subject":{"digests":{"email":"aa"},"digests":{"phone":"bb"}},"subject2":{"salt":"x"}})",
      R"({"receiptId":"r","subject":{"digest":"hmac-sha256","digests":{"email":"aa"},"salt":"s"}})",
      R"({"receiptId":"r","subject":{"digest":"hmac-sha256","digest":3,"salt":"s"}})",
      R"({"receiptId":"r","subject":{"salt":"s","digest":"hmac-sha256"},"subject":{"salt":"t"}})",
      R"([{"receiptId":"r"}])",
      R"({"receiptId":"r","channels":)",
      R"("just a string")",
      R"({"receiptId":"r\"q","channels":{"postal":{"decision":"objected","basis":"legitimate-interest","x":[1,{}]}}})",
      "{not json",
      "",
  };
  for (const std::string& verification :
       {std::string(R"({"ok":true})"), std::string(R"({"ok":true,"ok":false})"), std::string(R"({"ok":"true"})"),
        std::string(R"({"x":{"ok":true}})"), std::string(R"([{"ok":true}])"), std::string("nope")}) {
    for (const std::string& payload : payloads) {
      ReceiptRecord from_text;
      from_text.receipt_id = "r";
      from_text.verification = verification;
      ReceiptRecord from_dom = from_text;
      derive_record_fields(std::string_view(payload), from_text);
      derive_record_fields(Json::parse(payload, nullptr, false), from_dom);
      EXPECT_EQ(canonical_record(from_text), canonical_record(from_dom)) << verification << " " << payload;
    }
  }
  ReceiptRecord r;
  r.receipt_id = "r";
  r.verification = R"({"ok":true})";
  derive_record_fields(std::string_view(payloads[0]), r);
  EXPECT_TRUE(r.verified);
  EXPECT_EQ(r.email.decision, "granted");
  EXPECT_EQ(r.digests.postal, "dd");
  EXPECT_EQ(r.partner_ids, R"(["a","b"])");
}

TEST(ServerUtil, TimesAndEncodings) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(parse_rfc3339("2026-11-30T10:00:00Z").value(), 1796032800);
  EXPECT_EQ(parse_rfc3339("2026-11-30T11:00:00+01:00").value(), 1796032800);
  EXPECT_EQ(parse_rfc3339("2026-11-30T10:00:00.123Z").value(), 1796032800);
  EXPECT_FALSE(parse_rfc3339("2026-02-30T10:00:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339("yesterday").has_value());
  EXPECT_EQ(format_rfc3339(add_months(parse_rfc3339("2026-01-31T08:00:00Z").value(), 1)), "2026-02-28T08:00:00Z");
  EXPECT_EQ(format_rfc3339(add_months(parse_rfc3339("2026-11-30T00:00:00Z").value(), 36)), "2029-11-30T00:00:00Z");
  EXPECT_EQ(b64url_encode("any carnal pleas"), "YW55IGNhcm5hbCBwbGVhcw");
  EXPECT_EQ(b64url_decode("YW55IGNhcm5hbCBwbGVhcw").value(), "any carnal pleas");
  EXPECT_FALSE(b64url_decode("YW55=").has_value());
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Published config versions (schema 4): stored once, content-addressed, with a
// hash-chained 'publication' entry that verify_chain and verify_records check
// against the stored row.
class PublicationLedgerTest : public LedgerTest {
 protected:
  PublishedVersion version(const std::string& config_version = "2026-11-01") {
    Json raw = Json::parse(testing::read_fixture("configs/societe-x.json"));
    raw["configVersion"] = config_version;
    Result<Config> config = load_config(raw.dump());
    EXPECT_TRUE(config.ok());
    Result<PublishedVersion> v = published_version(config.value(), *crypto_);
    EXPECT_TRUE(v.ok());
    return v.value();
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
  std::unique_ptr<CryptoProvider> crypto_ = testing::make_test_crypto();
};

TEST_F(PublicationLedgerTest, PublishesOnceInTheHashChain) {
  const PublishedVersion v = version();
  auto first = store_->publish(v, "2026-11-01T09:00:00Z");
  ASSERT_TRUE(first.ok()) << first.problems().front().message;
  EXPECT_EQ(first.value().seq, 1);
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  // Idempotent: the same digest again is the stored version, no new entry.
  auto again = store_->publish(v, "2026-11-02T09:00:00Z");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().seq, 1);
  EXPECT_EQ(again.value().first_served_at, "2026-11-01T09:00:00Z");
  auto report = store_->verify_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok());
  EXPECT_EQ(report.value().entries, 2);
  EXPECT_TRUE(codes(true).empty());
  // A second version is a second entry; both read back in log order, with
  // the exact notices stored and their digests as receipts carry them.
  auto second = store_->publish(version("2026-12-01"), "2026-12-01T09:00:00Z");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value().seq, 3);
  auto all = store_->published_versions();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all.value().size(), 2U);
  EXPECT_EQ(all.value()[0].digest, v.digest);
  EXPECT_EQ(all.value()[0].notices, v.notices);
  EXPECT_EQ(all.value()[0].notice_sha256, v.notice_sha256);
  EXPECT_EQ(all.value()[0].partner_list_sha256, v.partner_list_sha256);
  EXPECT_EQ(all.value()[1].config_version, "2026-12-01");
  auto by_digest = store_->find_published(v.digest);
  ASSERT_TRUE(by_digest.ok());
  ASSERT_TRUE(by_digest.value().has_value());
  EXPECT_EQ(by_digest.value()->seq, 1);
  auto by_version = store_->find_published_by_version("2026-12-01");
  ASSERT_TRUE(by_version.ok());
  ASSERT_EQ(by_version.value().size(), 1U);
  EXPECT_EQ(by_version.value()[0].seq, 3);
  auto none = store_->find_published(std::string(64, '0'));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().has_value());
  EXPECT_EQ(first_code(), "");
}

TEST_F(PublicationLedgerTest, RefusesAVersionWhoseDigestsAreNotItsBytes) {
  PublishedVersion v = version();
  v.notices["fr"] += " ";
  auto published = store_->publish(v, "2026-11-01T09:00:00Z");
  ASSERT_FALSE(published.ok());
  EXPECT_EQ(published.problems().front().code, "ledger_bad_publication");
  EXPECT_FALSE(store_->publish(version(), "yesterday").ok());
}

TEST_F(PublicationLedgerTest, AnEditedNoticeIsCaught) {
  ASSERT_TRUE(store_->publish(version(), "2026-11-01T09:00:00Z").ok());
  sql("UPDATE publications SET notices = replace(notices, 'Société X', 'Evil Corp')");
  EXPECT_EQ(codes(false), std::vector<std::string>{"ledger_publication_mismatch"});
  EXPECT_EQ(codes(true), std::vector<std::string>{"ledger_publication_mismatch"});
}

TEST_F(PublicationLedgerTest, AnEditedConfigOrPartnerListIsCaught) {
  ASSERT_TRUE(store_->publish(version(), "2026-11-01T09:00:00Z").ok());
  sql("UPDATE publications SET partner_list = replace(partner_list, 'ACME', 'EVIL')");
  EXPECT_EQ(codes(false), std::vector<std::string>{"ledger_publication_mismatch"});
  open();
  sql("UPDATE publications SET partner_list = replace(partner_list, 'EVIL', 'ACME'), "
      "canonical_config = replace(canonical_config, '\"months\":36', '\"months\":1200')");
  EXPECT_EQ(codes(false), std::vector<std::string>{"ledger_publication_mismatch"});
  open();
  sql("UPDATE publications SET canonical_config = replace(canonical_config, '\"months\":1200', '\"months\":36'), "
      "config_version = '1999'");
  EXPECT_EQ(codes(false), std::vector<std::string>{"ledger_publication_mismatch"});
}

TEST_F(PublicationLedgerTest, AConfigThisCachetCannotLoadStillReadsBackAndMatchesNothing) {
  ASSERT_TRUE(store_->publish(version(), "2026-11-01T09:00:00Z").ok());
  sql("UPDATE publications SET canonical_config = '{\"configVersion\":\"2026-11-01\"}'");
  auto all = store_->published_versions();
  ASSERT_TRUE(all.ok()) << all.problems().front().message;
  ASSERT_EQ(all.value().size(), 1U);
  EXPECT_TRUE(all.value()[0].controller.is_null());
  EXPECT_EQ(all.value()[0].notices, version().notices);
  Json payload = {{"controller", version().controller}, {"notice", {{"configVersion", "2026-11-01"}}}};
  PublicationCheck check;
  check.now_unix = 0;
  EXPECT_FALSE(check_against_published(payload, all.value(), check).ok());
  EXPECT_EQ(codes(false), std::vector<std::string>{"ledger_publication_mismatch"});
}

TEST_F(PublicationLedgerTest, ADeletedOrInsertedVersionIsCaught) {
  ASSERT_TRUE(store_->publish(version(), "2026-11-01T09:00:00Z").ok());
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  sql("CREATE TABLE saved AS SELECT * FROM publications; DELETE FROM publications");
  EXPECT_EQ(codes(false), std::vector<std::string>{"ledger_publication_missing"});
  EXPECT_EQ(codes(true), std::vector<std::string>{"ledger_publication_missing"});
  // Put back at the receipt's position: no publication entry states it.
  sql("INSERT INTO publications SELECT * FROM saved; UPDATE publications SET seq = 2");
  const std::vector<std::string> found = codes(false);
  EXPECT_NE(std::find(found.begin(), found.end(), "ledger_unlogged_publication"), found.end());
}

}  // namespace
}  // namespace cachet::ledger

namespace cachet::ledger {
namespace {

// The chain check on every core (ChainCheckOptions::jobs; sqlite_verify.cpp
// run_blocks): the log is walked in blocks of 8192 entries on several
// connections. Whatever the number of threads, the report (every problem,
// its seq and message, the counts, the head) and the records visited, in
// order, must be the single thread's, for an intact ledger and for an edit
// anywhere: first entry, middle, last, either side of a block boundary,
// and across it (a purge in a later block naming receipts of an earlier one).
class ChainJobsTest : public LedgerTest {
 protected:
  static constexpr std::int64_t kBlock = 8192;
  void SetUp() override {
    LedgerTest::SetUp();
    std::vector<NewReceipt> batch;
    // Seq 1..40: people purged later (the purge entry lands in the last block).
    for (int i = 0; i < 40; ++i)
      batch.push_back(receipt("old" + std::to_string(i), "", "granted", "2026-01-01T10:00:00Z"));
    for (std::int64_t i = 40; i < 2 * kBlock + 50; ++i) {
      const std::string id = "p" + std::to_string(i);
      // Every tenth one updates the person before it (a chain across entries).
      const bool update = i % 10 == 0 && i > 40;
      batch.push_back(receipt(id, update ? "p" + std::to_string(i - 1) : "", update ? "withdrawn" : "granted",
                              "2026-06-01T10:00:00Z"));
    }
    ASSERT_TRUE(store_->append_many(batch).ok());
    auto purge = store_->purge(parse_rfc3339("2026-03-01T10:00:00Z").value());
    ASSERT_TRUE(purge.ok());
    ASSERT_EQ(purge.value().removed.size(), 40U);
    last_ = purge.value().seq;
    ASSERT_GT(last_, 2 * kBlock);
    store_.reset();
    template_ = dir_ + "/template.db";
    sql("PRAGMA wal_checkpoint(TRUNCATE)");
    copy(path_, template_);
    open();
  }
  void TearDown() override {
    std::remove(template_.c_str());
    LedgerTest::TearDown();
  }
  static void copy(const std::string& from, const std::string& to) {
    std::FILE* in = std::fopen(from.c_str(), "rb");
    std::FILE* out = std::fopen(to.c_str(), "wb");
    ASSERT_NE(in, nullptr);
    ASSERT_NE(out, nullptr);
    char buf[1 << 16];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) std::fwrite(buf, 1, n, out);
    std::fclose(in);
    std::fclose(out);
  }
  // The ledger as built, then `edit` applied behind the store's back.
  void tamper(const std::string& edit) {
    store_.reset();
    for (const char* suffix : {"-wal", "-shm"}) std::remove((path_ + suffix).c_str());
    copy(template_, path_);
    if (!edit.empty()) sql(edit);
    open();
  }
  static std::string describe(const ChainReport& r) {
    std::string out = std::to_string(r.entries) + " " + std::to_string(r.receipts) + " " + r.head + "\n";
    for (const ChainProblem& p : r.problems) {
      out += std::to_string(p.seq) + " " + p.receipt_id + " " + p.code + " " + p.message + "\n";
    }
    return out;
  }
  std::string chain(unsigned jobs) {
    ChainCheckOptions options;
    options.jobs = jobs;
    auto report = store_->verify_chain_with(options);
    EXPECT_TRUE(report.ok());
    return report.ok() ? describe(report.value()) : "io";
  }
  std::string records(unsigned jobs, std::vector<std::string>* visited = nullptr) {
    ChainCheckOptions options;
    options.jobs = jobs;
    std::vector<std::string> ids;
    auto report = store_->verify_records_with([&ids](const ReceiptRecord& r) { ids.push_back(r.receipt_id); }, options);
    EXPECT_TRUE(report.ok());
    if (visited) *visited = ids;
    std::string out = report.ok() ? describe(report.value()) : "io";
    for (const std::string& id : ids) out += id + ",";
    return out;
  }
  // Both checks give the same report on 1, 2 and 3 threads; returns the
  // first problem's "seq code" of each check (empty when it verifies).
  std::pair<std::string, std::string> same_on_every_thread_count() {
    const std::string chain1 = chain(1), records1 = records(1);
    EXPECT_EQ(chain(2), chain1);
    EXPECT_EQ(chain(3), chain1);
    EXPECT_EQ(records(2), records1);
    EXPECT_EQ(records(3), records1);
    // "seq id code message" (id empty for some): keep seq and code.
    auto first = [](const std::string& d) {
      std::istringstream lines(d);
      std::string line;
      std::getline(lines, line);  // the counts and head
      if (!std::getline(lines, line) || line.empty() || line[0] < '0' || line[0] > '9') return std::string();
      std::istringstream in(line);
      std::string seq, id, code;
      in >> seq >> id >> code;
      return seq + " " + (id.rfind("ledger_", 0) == 0 ? id : code);
    };
    return {first(chain1), first(records1)};
  }
  std::string template_;
  std::int64_t last_ = 0;
};

TEST_F(ChainJobsTest, AnIntactLedgerReportsTheSameOnEveryThreadCount) {
  tamper("");
  std::vector<std::string> visited;
  const auto [chain_first, records_first] = same_on_every_thread_count();
  EXPECT_EQ(chain_first, "");
  EXPECT_EQ(records_first, "");
  records(2, &visited);
  EXPECT_EQ(visited.size(), static_cast<std::size_t>(2 * kBlock + 10));
  EXPECT_EQ(visited.front(), "p40");
  EXPECT_EQ(visited.back(), "p" + std::to_string(2 * kBlock + 49));
}

TEST_F(ChainJobsTest, AnEditedEntryIsFoundWhereverItIs) {
  for (const std::int64_t seq : {std::int64_t{1}, std::int64_t{5000}, kBlock, kBlock + 1, 2 * kBlock, last_ - 1}) {
    SCOPED_TRACE(seq);
    tamper("UPDATE log SET entry = replace(entry, 'kid-1', 'kid-2') WHERE seq = " + std::to_string(seq));
    const auto [chain_first, records_first] = same_on_every_thread_count();
    EXPECT_EQ(chain_first, std::to_string(seq) + " ledger_hash_mismatch");
    EXPECT_EQ(records_first, std::to_string(seq) + " ledger_hash_mismatch");
  }
  // The last entry (the purge).
  tamper("UPDATE log SET entry = replace(entry, 'retention', 'retentioN') WHERE seq = " + std::to_string(last_));
  EXPECT_EQ(same_on_every_thread_count().first, std::to_string(last_) + " ledger_hash_mismatch");
}

TEST_F(ChainJobsTest, EditsAtAndAcrossBlockBoundariesAreFound) {
  // A stored hash rewritten at the end of a block: that entry, and the next
  // (first of the next block, which chains onto it), are reported.
  tamper("UPDATE log SET hash = '" + std::string(64, '0') + "' WHERE seq = " + std::to_string(kBlock));
  EXPECT_EQ(same_on_every_thread_count().first, std::to_string(kBlock) + " ledger_hash_mismatch");
  EXPECT_NE(chain(2).find(std::to_string(kBlock + 1) + " p" + std::to_string(kBlock) + " ledger_hash_mismatch"),
            std::string::npos);
  // An entry deleted at a block's start: a gap.
  tamper("DELETE FROM log WHERE seq = " + std::to_string(kBlock + 1));
  EXPECT_EQ(same_on_every_thread_count().second, std::to_string(kBlock + 2) + " ledger_gap");
  // A compact record edited on the last entry of a block.
  tamper("UPDATE records SET email_decision = 'objected' WHERE entry_seq = " + std::to_string(kBlock));
  same_on_every_thread_count();
  EXPECT_NE(records(2).find(std::to_string(kBlock) + " p" + std::to_string(kBlock - 1) + " ledger_record_mismatch"),
            std::string::npos);
  // A purged receipt put back (the purge entry is in the last block, the
  // receipt's entry in the first), and a receipt deleted without a purge.
  tamper("DELETE FROM receipts WHERE receipt_id = 'p9000'");
  EXPECT_EQ(same_on_every_thread_count().first, "9001 ledger_receipt_missing");
  tamper("DELETE FROM records WHERE receipt_id = 'p100'");
  EXPECT_EQ(same_on_every_thread_count().second, "101 ledger_record_missing");
}

TEST_F(ChainJobsTest, FromASignedHeadOnlyTheEntriesAfterItAreChecked) {
  tamper("");
  auto at = store_->entry_hash(kBlock + 5);
  ASSERT_TRUE(at.ok() && at.value());
  ChainCheckOptions options;
  options.after_seq = kBlock + 5;
  options.after_hash = *at.value();
  for (const unsigned jobs : {1U, 2U}) {
    options.jobs = jobs;
    std::vector<std::string> ids;
    auto report = store_->verify_records_with([&ids](const ReceiptRecord& r) { ids.push_back(r.receipt_id); }, options);
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report.value().ok()) << describe(report.value());
    EXPECT_EQ(report.value().after_seq, kBlock + 5);
    EXPECT_EQ(report.value().entries, last_ - (kBlock + 5));
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(2 * kBlock + 10));  // every live record, still
  }
  // An edit before the head is not rehashed; one after it is found.
  tamper("UPDATE log SET entry = replace(entry, 'kid-1', 'kid-2') WHERE seq = 100");
  auto before = store_->verify_records_with([](const ReceiptRecord&) {}, options);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before.value().ok());
  tamper("UPDATE log SET entry = replace(entry, 'kid-1', 'kid-2') WHERE seq = " + std::to_string(kBlock + 6));
  auto after = store_->verify_records_with([](const ReceiptRecord&) {}, options);
  ASSERT_TRUE(after.ok());
  ASSERT_FALSE(after.value().ok());
  EXPECT_EQ(after.value().problems.front().code, "ledger_hash_mismatch");
  EXPECT_EQ(after.value().problems.front().seq, kBlock + 6);
  // The head's own entry rewritten (hash and all): refused before anything else.
  tamper("UPDATE log SET hash = '" + std::string(64, 'a') + "' WHERE seq = " + std::to_string(kBlock + 5));
  auto rewritten = store_->verify_records_with([](const ReceiptRecord&) {}, options);
  ASSERT_TRUE(rewritten.ok());
  ASSERT_EQ(rewritten.value().problems.size(), 1U);
  EXPECT_EQ(rewritten.value().problems.front().code, "ledger_head_mismatch");
  // Cut off before the head.
  tamper("DELETE FROM log WHERE seq > " + std::to_string(kBlock));
  auto cut = store_->verify_records_with([](const ReceiptRecord&) {}, options);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut.value().problems.front().code, "ledger_truncated");
}

}  // namespace
}  // namespace cachet::ledger
