// The ConsentStore contract on both backends (store.h, open.h): the same
// cases against a SQLite file and a PostgreSQL database. The PostgreSQL
// cases need a server: CACHET_TEST_PG_URL, a base URL such as
// postgresql://cachet@127.0.0.1:5432 whose user may create databases
// (scripts/test-server.sh starts one with scripts/pg-test-server.sh); without
// it they are skipped, and say so.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cachet/calendar.h"
#include "cachet/jws.h"
#include "cachet/ledger/digest.h"
#include "cachet/ledger/open.h"
#include "cachet/ledger/store.h"
#include "cachet/ledger/webhooks.h"

namespace cachet::ledger {
namespace {

enum class Backend { kSqlite, kPostgres };

std::string pg_base() {
  const char* url = std::getenv("CACHET_TEST_PG_URL");
  return url ? url : "";
}

// Runs one SQL statement on the PostgreSQL server; "" or libpq's error.
std::string pg_exec(const std::string& url, const std::string& statement) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, statement.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) error = PQerrorMessage(conn);
    PQclear(r);
  }
  PQfinish(conn);
  return error;
}

NewReceipt receipt(const std::string& id, const std::string& supersedes = "", const std::string& challenge = "") {
  Json payload = {{"version", "cachet-receipt/1"},
                  {"receiptId", id},
                  {"issuedAt", "2026-01-01T10:00:00Z"},
                  {"channels", {{"email", {{"basis", "consent"}, {"decision", "granted"}}}}},
                  {"retention", {{"months", 1}}}};
  if (!supersedes.empty()) payload["supersedes"] = supersedes;
  NewReceipt r;
  r.receipt_id = id;
  r.payload = payload.dump();
  r.payload_sha256 = sha256_hex(r.payload);
  r.jws = Json{{"payload", b64url_encode(r.payload)}, {"signatures", Json::array()}}.dump();
  r.verification = R"({"ok":true})";
  r.countersigner_kid = "kid-1";
  r.issued_at = "2026-01-01T10:00:00Z";
  r.collection_method = supersedes.empty() ? "web-form" : "preference-centre";
  r.supersedes = supersedes;
  r.retention_months = 1;
  r.challenge = challenge;
  return r;
}

std::int64_t unix_at(const char* rfc3339) { return calendar::parse_rfc3339(rfc3339).value_or(0); }

class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      if (pg_base().empty()) GTEST_SKIP() << "CACHET_TEST_PG_URL is not set: no PostgreSQL to test against";
      static int count = 0;
      database_ = "backends_" + std::to_string(getpid()) + "_" + std::to_string(++count);
      ASSERT_EQ(pg_exec(pg_base() + "/postgres", "CREATE DATABASE " + database_), "");
      db_ = pg_base() + "/" + database_;
    } else {
      char tmpl[] = "/tmp/cachet-backends-test-XXXXXX";
      ASSERT_NE(mkdtemp(tmpl), nullptr);
      dir_ = tmpl;
      db_ = dir_ + "/ledger.db";
    }
    store_ = open();
  }
  void TearDown() override {
    store_.reset();
    if (!database_.empty()) pg_exec(pg_base() + "/postgres", "DROP DATABASE IF EXISTS " + database_);
    if (!dir_.empty()) {
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db_ + suffix).c_str());
      rmdir(dir_.c_str());
    }
  }
  std::unique_ptr<ConsentStore> open() {
    auto opened = open_store(db_);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.problems().front().message);
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  // Edits the ledger behind the store's back.
  void sql(const std::string& statement) {
    if (GetParam() == Backend::kPostgres) {
      EXPECT_EQ(pg_exec(db_, statement), "");
      return;
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  static std::string code_of(const Problems& problems) { return problems.empty() ? "" : problems.front().code; }

  std::string dir_, database_, db_;
  std::unique_ptr<ConsentStore> store_;
};

TEST_P(BackendTest, AppendsSupersedesAndRefusesAsTheContractSays) {
  auto a = store_->append(receipt("a", "", "challenge-1"));
  ASSERT_TRUE(a.ok()) << a.problems().front().message;
  EXPECT_EQ(a.value().stored.seq, 1);
  EXPECT_EQ(a.value().stored.entry_hash.size(), 64u);
  auto again = store_->append(receipt("a", "", "challenge-1"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().status, AppendStatus::kDuplicate);
  NewReceipt replay = receipt("a");
  replay.payload_sha256 = sha256_hex("something else");
  EXPECT_EQ(code_of(store_->append(replay).problems()), "ledger_replay");
  EXPECT_EQ(code_of(store_->append(receipt("x", "", "challenge-1")).problems()), "ledger_challenge_used");
  EXPECT_EQ(code_of(store_->append(receipt("y", "missing")).problems()), "ledger_unknown_supersedes");
  ASSERT_TRUE(store_->append(receipt("b", "a")).ok());
  EXPECT_EQ(code_of(store_->append(receipt("c", "a")).problems()), "ledger_already_superseded");
  ASSERT_TRUE(store_->append(receipt("d")).ok());
  // A refused receipt left nothing behind: its challenge is still free.
  EXPECT_TRUE(store_->append(receipt("x", "", "challenge-2")).ok());
  auto used = store_->challenge_used("challenge-1");
  ASSERT_TRUE(used.ok());
  EXPECT_TRUE(used.value());

  auto state = store_->state_of("a");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state.value().chain_root, "a");
  EXPECT_EQ(state.value().latest.receipt_id, "b");
  ASSERT_EQ(state.value().history.size(), 2u);
  EXPECT_EQ(state.value().history[0].superseded_by, "b");
  EXPECT_FALSE(state.value().retention_until.empty());
  EXPECT_EQ(code_of(store_->state_of("nope").problems()), "ledger_unknown_receipt");

  std::vector<std::string> people;
  ASSERT_TRUE(store_
                  ->for_each_person(
                      [&](const PersonState& p) {
                        people.push_back(p.chain_root + ":" + p.latest.receipt_id + ":" +
                                         std::to_string(p.history.size()));
                        return true;
                      },
                      /*with_history=*/true)
                  .empty());
  EXPECT_EQ(people, (std::vector<std::string>{"a:b:2", "d:d:1", "x:x:1"}));
}

TEST_P(BackendTest, ChainsEventsHeadsAndVerifies) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  auto event = store_->record_event("export", Json{{"file", "out.csv"}});
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event.value(), 2);
  EXPECT_EQ(code_of(store_->record_event("receipt", Json::object()).problems()), "ledger_bad_event");
  ASSERT_TRUE(store_->append(receipt("b", "a")).ok());
  auto tip = store_->tip();
  ASSERT_TRUE(tip.ok());
  EXPECT_EQ(tip.value().seq, 3);
  auto hash = store_->entry_hash(3);
  ASSERT_TRUE(hash.ok() && hash.value());
  EXPECT_EQ(*hash.value(), tip.value().hash);
  std::vector<std::int64_t> seqs;
  ASSERT_TRUE(store_->read_log(1, 3, [&](std::int64_t seq, std::string_view, std::string_view) { seqs.push_back(seq); })
                  .empty());
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(code_of(store_->read_log(1, 9, [](std::int64_t, std::string_view, std::string_view) {})),
            "ledger_tampered");
  ASSERT_TRUE(store_->store_head(2, "h2", "2026-01-01T00:00:00Z", "kid", "jws-2").empty());
  ASSERT_TRUE(store_->store_head(3, "h3", "2026-01-01T00:00:00Z", "kid", "jws-3").empty());
  EXPECT_EQ(store_->latest_head().value().value_or(""), "jws-3");
  EXPECT_EQ(store_->head_covering(1).value().value_or(""), "jws-2");

  auto report = store_->verify_chain();
  ASSERT_TRUE(report.ok()) << report.problems().front().message;
  EXPECT_TRUE(report.value().ok());
  EXPECT_EQ(report.value().entries, 3);
  EXPECT_EQ(report.value().receipts, 2);
  EXPECT_EQ(report.value().head, tip.value().hash);
  std::vector<std::string> records;
  auto checked = store_->verify_records([&](const ReceiptRecord& r) { records.push_back(r.receipt_id); });
  ASSERT_TRUE(checked.ok());
  EXPECT_TRUE(checked.value().ok());
  EXPECT_EQ(records, (std::vector<std::string>{"a", "b"}));
}

TEST_P(BackendTest, KeepsSecretsAcrossReopening) {
  auto first = store_->secret("challenge");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value().size(), 32u);
  store_ = open();
  auto second = store_->secret("challenge");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value(), first.value());
  EXPECT_NE(store_->secret("other").value(), first.value());
}

TEST_P(BackendTest, SeesAReceiptEditedBehindItsBack) {
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  ASSERT_TRUE(store_->append(receipt("b")).ok());
  sql("UPDATE receipts SET received_at = '2020-01-01T00:00:00Z' WHERE receipt_id = 'a'");
  auto report = store_->verify_chain();
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report.value().ok());
  EXPECT_EQ(report.value().problems.front().receipt_id, "a");
  EXPECT_EQ(code_of(store_->find("a").problems()), "ledger_tampered");
  EXPECT_TRUE(store_->find("b").ok());
}

// Several stores (connections; on PostgreSQL, as several server processes
// would) appending at once: every append lands, seqs are 1..N, the chain holds.
TEST_P(BackendTest, SerialisesAppendsFromSeveralConnections) {
  constexpr int kWriters = 4;
  constexpr int kEach = 25;
  std::vector<std::unique_ptr<ConsentStore>> stores;
  stores.reserve(kWriters);
  for (int w = 0; w < kWriters; ++w) stores.push_back(open());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        if (!stores[w]->append(receipt("w" + std::to_string(w) + "-" + std::to_string(i))).ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto report = store_->verify_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok());
  EXPECT_EQ(report.value().entries, kWriters * kEach);
  EXPECT_EQ(report.value().receipts, kWriters * kEach);
}

// Purges, erasures and transfers from one connection while others append:
// each takes the chain lock (or SQLite's write lock), so the chain holds.
TEST_P(BackendTest, PurgesAndErasesWhileOthersAppend) {
  constexpr int kEach = 15;
  std::vector<std::unique_ptr<ConsentStore>> writers;
  writers.reserve(2);
  for (int w = 0; w < 2; ++w) writers.push_back(open());
  std::unique_ptr<ConsentStore> remover = open();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(3);
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        NewReceipt r = receipt("p" + std::to_string(w) + "-" + std::to_string(i));
        r.received_at = "2026-01-01T10:00:00Z";  // due for purging at once
        if (!writers[w]->append(r).ok()) ++failures;
      }
    });
  }
  threads.emplace_back([&] {
    TransferBatch batch;
    batch.partner_id = "acme";
    batch.at = "2026-01-05T09:00:00Z";
    batch.rows = {{"ref", "p0-0", {"email"}, "2026-02-05"}};
    for (int round = 0; round < 6; ++round) {
      if (!remover->purge(unix_at("2026-06-01T00:00:00Z")).ok()) ++failures;
      if (!remover->record_transfers({batch}).ok()) ++failures;
      const Result<ErasureReport> erased = remover->erase("p1-3", "2026-01-20", unix_at("2026-01-21T08:00:00Z"));
      if (!erased.ok() && erased.problems().front().code != "ledger_unknown_receipt") ++failures;
    }
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto report = store_->verify_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok()) << report.value().to_json().dump();
  EXPECT_GE(report.value().entries, 2 * kEach + 6);  // the receipts and six transfers, at least
}

// A server restart or failover drops the connection: the operation that
// finds it dropped fails (ledger_io), the next ones work on a new one.
TEST_P(BackendTest, ReconnectsAfterTheServerDroppedTheConnection) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "PostgreSQL only: a SQLite file has no connection to lose";
  ASSERT_TRUE(store_->append(receipt("a")).ok());
  ASSERT_EQ(
      pg_exec(pg_base() + "/postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                                           database_ + "' AND pid <> pg_backend_pid()"),
      "");
  auto lost = store_->append(receipt("b"));
  if (!lost.ok()) {
    EXPECT_EQ(lost.problems().front().code, "ledger_io");
    ASSERT_TRUE(store_->append(receipt("b")).ok());
  }
  ASSERT_TRUE(store_->append(receipt("c")).ok());
  auto report = store_->verify_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok());
  EXPECT_EQ(report.value().receipts, 3);
}

// `cachet ledger migrate`: SQLite -> PostgreSQL -> SQLite, the same head at
// each end; secrets and heads travel too; a non-empty destination is refused.
TEST_P(BackendTest, MigratesToTheOtherBackendAndBack) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "the PostgreSQL instance migrates both ways";
  char tmpl[] = "/tmp/cachet-migrate-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string source = dir + "/source.db", back = dir + "/back.db";
  std::string secret;
  {
    auto sqlite = open_store(source);
    ASSERT_TRUE(sqlite.ok());
    ASSERT_TRUE(sqlite.value()->append(receipt("a", "", "challenge-1")).ok());
    ASSERT_TRUE(sqlite.value()->append(receipt("b", "a")).ok());
    ASSERT_TRUE(sqlite.value()->store_head(2, "h", "2026-01-01T00:00:00Z", "kid", "jws-2").empty());
    secret = sqlite.value()->secret("links").value();
    // One event delivered, one not yet: the copy must know which.
    auto box = open_webhook_outbox(source);
    ASSERT_TRUE(box.ok());
    auto claimed = box.value()->claim("https://crm.example/hook", 1000, 1, RetryPolicy());
    ASSERT_TRUE(claimed.ok());
    ASSERT_EQ(claimed.value().size(), 1u);
    ASSERT_TRUE(box.value()->record_attempt(claimed.value()[0], {200, ""}, 1000, RetryPolicy()).ok());
  }
  std::vector<WebhookDelivery> source_events = open_webhook_outbox(source).value()->events().value();
  ASSERT_EQ(source_events.size(), 2u);
  store_.reset();
  auto there = migrate_ledger(source, db_);
  ASSERT_TRUE(there.ok()) << there.problems().front().message;
  EXPECT_TRUE(there.value().destination.ok());
  EXPECT_EQ(there.value().destination.head, there.value().source.head);
  store_ = open();
  EXPECT_EQ(store_->secret("links").value(), secret);
  EXPECT_EQ(store_->latest_head().value().value_or(""), "jws-2");
  EXPECT_TRUE(store_->challenge_used("challenge-1").value());
  {
    auto box = open_webhook_outbox(db_);
    ASSERT_TRUE(box.ok());
    auto copied = box.value()->events().value();
    ASSERT_EQ(copied.size(), source_events.size());
    for (std::size_t i = 0; i < copied.size(); ++i) EXPECT_EQ(copied[i].body, source_events[i].body);
    auto status = box.value()->status().value();
    ASSERT_EQ(status.endpoints.size(), 1u);
    EXPECT_EQ(status.endpoints[0].delivered, 1);
    EXPECT_EQ(status.endpoints[0].pending, 1);
    // Only what the source had not delivered goes out from the new ledger.
    auto next = box.value()->claim("https://crm.example/hook", 2000, 10, RetryPolicy()).value();
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].seq, 2);
  }
  ASSERT_TRUE(store_->append(receipt("c", "b")).ok());
  ASSERT_TRUE(store_->store_head(3, "h3", "2026-01-01T00:00:00Z", "kid", "jws-3").empty());
  auto again = migrate_ledger(source, db_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.problems().front().code, "ledger_migrate_not_empty");
  auto returned = migrate_ledger(db_, back);
  ASSERT_TRUE(returned.ok()) << returned.problems().front().message;
  EXPECT_EQ(returned.value().destination.entries, 3);
  auto copy = open_store(back);
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy.value()->state_of("a").value().latest.receipt_id, "c");
  EXPECT_EQ(copy.value()->latest_head().value().value_or(""), "jws-3");
  EXPECT_EQ(open_webhook_outbox(back).value()->events().value().size(), 3u);  // a, b and c's receipts
  copy.value().reset();
  for (const std::string& f : {source, back}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((f + suffix).c_str());
  }
  rmdir(dir.c_str());
}

// Receipts, transfers, an erasure, a purge and acknowledgements, at fixed
// times: the log is then the same bytes on either backend (but for the
// notice-ack entry's `at`, the time of the import).
struct Scenario {
  std::vector<std::pair<std::string, std::string>> log;  // (entry, hash), seq order
  Result<ErasureReport> erasure = ErasureReport{};
  Result<PurgeReport> purge = PurgeReport{};
  Result<std::vector<std::int64_t>> transfers = std::vector<std::int64_t>{};
  Result<std::int64_t> acks = 0;
  std::vector<WebhookDelivery> events;  // the webhook outbox, rendered
};

Scenario run_scenario(ConsentStore& store, const std::string& db) {
  Scenario out;
  auto add = [&store](const std::string& id, const std::string& supersedes, const char* received, int months) {
    NewReceipt r = receipt(id, supersedes);
    r.received_at = received;
    r.retention_months = months;
    EXPECT_TRUE(store.append(r).ok()) << id;
  };
  add("a", "", "2026-01-01T10:00:00Z", 1);
  add("b", "a", "2026-01-02T10:00:00Z", 1);
  add("c", "", "2026-01-03T10:00:00Z", 1);
  add("d", "", "2026-01-04T10:00:00Z", 0);  // no retention recorded: never purged automatically
  TransferBatch acme;
  acme.partner_id = "acme";
  acme.file = "partner-acme.csv";
  acme.file_sha256 = std::string(64, 'a');
  acme.at = "2026-01-05T09:00:00Z";
  acme.rows = {{"ref-a", "a", {"postal", "email"}, "2026-02-05"}, {"ref-c", "c", {"email"}, "2026-02-05"}};
  TransferBatch beta;  // a file with no row, and a changes file
  beta.partner_id = "beta";
  beta.file = "partner-beta.csv";
  beta.file_sha256 = std::string(64, 'b');
  beta.at = "2026-01-05T09:00:00Z";
  beta.changes_file = "partner-beta-changes.csv";
  beta.changes_sha256 = std::string(64, 'c');
  out.transfers = store.record_transfers({acme, beta});
  out.erasure = store.erase("c", "2026-01-20", unix_at("2026-01-21T08:00:00Z"));
  out.purge = store.purge(unix_at("2026-03-15T00:00:00Z"));
  NoticeAck ack;
  ack.line = 2;
  ack.reference = "ref-a";
  ack.sent_at = "2026-01-10";
  out.acks = store.record_notice_acks("acme", std::string(64, 'e'), {ack});
  auto tip = store.tip();
  EXPECT_TRUE(tip.ok());
  EXPECT_TRUE(store
                  .read_log(1, tip.ok() ? tip.value().seq : 0,
                            [&](std::int64_t, std::string_view entry, std::string_view hash) {
                              out.log.emplace_back(std::string(entry), std::string(hash));
                            })
                  .empty());
  auto outbox = open_webhook_outbox(db);
  EXPECT_TRUE(outbox.ok()) << (outbox.ok() ? "" : outbox.problems().front().message);
  if (outbox.ok()) {
    auto events = outbox.value()->events();
    EXPECT_TRUE(events.ok());
    if (events.ok()) out.events = std::move(events).value();
  }
  return out;
}

// Purge, erasure, transfers and notice acknowledgements: the contract on
// both backends, and on PostgreSQL the same log, entry for entry, as SQLite.
TEST_P(BackendTest, PurgesErasesAndRecordsTransfersAlike) {
  Scenario run = run_scenario(*store_, db_);
  ASSERT_TRUE(run.transfers.ok()) << run.transfers.problems().front().message;
  EXPECT_EQ(run.transfers.value(), (std::vector<std::int64_t>{5, 6}));
  ASSERT_TRUE(run.erasure.ok()) << run.erasure.problems().front().message;
  EXPECT_EQ(run.erasure.value().seq, 7);
  EXPECT_EQ(run.erasure.value().chain_root, "c");
  EXPECT_EQ(run.erasure.value().removed, (std::vector<std::string>{"c"}));
  ASSERT_TRUE(run.purge.ok()) << run.purge.problems().front().message;
  EXPECT_EQ(run.purge.value().seq, 8);
  EXPECT_EQ(run.purge.value().removed, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(run.acks.ok()) << run.acks.problems().front().message;
  EXPECT_EQ(run.acks.value(), 9);
  ASSERT_EQ(run.log.size(), 9u);
  EXPECT_EQ(run.log[6].second, run.erasure.value().hash);
  EXPECT_EQ(run.log[6].first, run.erasure.value().entry);
  const Json purge_entry = Json::parse(run.log[7].first);
  EXPECT_EQ(purge_entry["kind"], "purge");
  EXPECT_EQ(purge_entry["removed"][1]["chainRoot"], "a");
  EXPECT_EQ(purge_entry["removed"][1]["entryHash"], run.log[1].second);

  // The people removed are gone from every read; the others stay.
  EXPECT_FALSE(store_->find("a").value().has_value());
  EXPECT_EQ(code_of(store_->state_of("b").problems()), "ledger_unknown_receipt");
  EXPECT_EQ(code_of(store_->erase("c", "2026-01-20", 0).problems()), "ledger_unknown_receipt");
  EXPECT_EQ(code_of(store_->erase("d", "yesterday", 0).problems()), "ledger_bad_erasure");
  EXPECT_EQ(store_->state_of("d").value().latest.receipt_id, "d");
  auto again = store_->purge(unix_at("2027-01-01T00:00:00Z"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().seq, 0);  // nobody due (d has no retention): nothing appended
  EXPECT_EQ(store_->tip().value().seq, 9);

  // Transfer rows outlive the people, with the acknowledgement.
  auto of_a = store_->transfers_of("a");
  ASSERT_TRUE(of_a.ok());
  ASSERT_EQ(of_a.value().size(), 1u);
  EXPECT_EQ(of_a.value()[0].reference, "ref-a");
  EXPECT_EQ(of_a.value()[0].channels, (std::vector<std::string>{"postal", "email"}));
  EXPECT_EQ(of_a.value()[0].notice_acknowledged_at, "2026-01-10");
  EXPECT_EQ(of_a.value()[0].seq, 5);
  std::vector<std::string> to_acme;
  ASSERT_TRUE(store_
                  ->for_each_transfer_to("acme",
                                         [&](const Transfer& t) {
                                           to_acme.push_back(t.reference + ":" + t.chain_root + ":" + t.notice_due);
                                           return true;
                                         })
                  .empty());
  EXPECT_EQ(to_acme, (std::vector<std::string>{"ref-a:a:2026-02-05", "ref-c:c:2026-02-05"}));
  EXPECT_EQ(store_->last_transfer_seq("beta").value(), 6);
  EXPECT_EQ(store_->last_transfer_seq("nobody").value(), 0);
  EXPECT_EQ(store_->chain_root_of_reference("acme", "ref-c").value().value_or(""), "c");
  EXPECT_FALSE(store_->chain_root_of_reference("beta", "ref-a").value().has_value());
  auto status = store_->notice_status();
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status.value().size(), 2u);
  EXPECT_EQ(status.value()[0].reference, "ref-a");
  EXPECT_EQ(status.value()[0].notice_acknowledged_at, "2026-01-10");
  EXPECT_EQ(status.value()[1].reference, "ref-c");
  EXPECT_EQ(status.value()[1].notice_acknowledged_at, "");
  TransferBatch nameless;
  nameless.at = "2026-01-05T09:00:00Z";
  auto refused = store_->record_transfers({nameless});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.problems().front().code, "ledger_bad_transfer");
  EXPECT_EQ(refused.problems().front().path, "/0/partnerId");
  EXPECT_EQ(code_of(store_->record_notice_acks("", "", {}).problems()), "ledger_bad_transfer");

  // The chain verifies, purge and erasure entries accounted for.
  auto report = store_->verify_chain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().ok()) << report.value().to_json().dump();
  EXPECT_EQ(report.value().receipts, 1);
  std::vector<std::string> records;
  auto checked = store_->verify_records([&](const ReceiptRecord& r) { records.push_back(r.receipt_id); });
  ASSERT_TRUE(checked.ok());
  EXPECT_TRUE(checked.value().ok());
  EXPECT_EQ(records, (std::vector<std::string>{"d"}));

  // A transfer row deleted behind the ledger's back is seen.
  sql("DELETE FROM transfers WHERE reference = 'ref-c'");
  auto tampered = store_->verify_chain();
  ASSERT_TRUE(tampered.ok());
  ASSERT_FALSE(tampered.value().ok());
  EXPECT_EQ(tampered.value().problems.front().code, "ledger_transfer_mismatch");
  EXPECT_EQ(tampered.value().problems.front().seq, 5);

  if (GetParam() != Backend::kPostgres) return;
  // The same operations on a SQLite ledger write the same entries and hashes.
  char tmpl[] = "/tmp/cachet-backends-same-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string file = std::string(tmpl) + "/ledger.db";
  Scenario reference;
  {
    auto sqlite = open_store(file);
    ASSERT_TRUE(sqlite.ok());
    reference = run_scenario(*sqlite.value(), file);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((file + suffix).c_str());
  rmdir(tmpl);
  ASSERT_EQ(reference.log.size(), run.log.size());
  for (std::size_t i = 0; i + 1 < run.log.size(); ++i) {
    EXPECT_EQ(run.log[i].first, reference.log[i].first) << "entry " << i + 1;
    EXPECT_EQ(run.log[i].second, reference.log[i].second) << "entry " << i + 1;
  }
  Json last = Json::parse(run.log.back().first);
  Json last_reference = Json::parse(reference.log.back().first);
  last.erase("at");  // the import's time
  last_reference.erase("at");
  EXPECT_EQ(last, last_reference);
  // And the same webhook events, byte for byte (signed alike).
  ASSERT_EQ(run.events.size(), reference.events.size());
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    EXPECT_EQ(run.events[i].id, reference.events[i].id);
    EXPECT_EQ(run.events[i].body, reference.events[i].body);
  }
}

// The webhook outbox: filled in the transaction of each entry (receipts,
// erasure, purge, export), nothing for a refused append, and delivered,
// retried, disabled and re-enabled the same way on both backends.
TEST_P(BackendTest, KeepsTheWebhookOutbox) {
  run_scenario(*store_, db_);
  ASSERT_TRUE(store_->record_event("export", Json{{"agent", "test"}, {"rows", 2}}).ok());
  ASSERT_TRUE(store_->record_event("note", Json{{"x", 1}}).ok());  // not an export: no event
  NewReceipt replay = receipt("d");
  replay.payload_sha256 = sha256_hex("other");
  EXPECT_EQ(code_of(store_->append(replay).problems()), "ledger_replay");  // refused: queues nothing
  auto box = open_webhook_outbox(db_);
  ASSERT_TRUE(box.ok()) << box.problems().front().message;
  auto events = box.value()->events();
  ASSERT_TRUE(events.ok());
  std::vector<std::string> seen;
  for (const WebhookDelivery& e : events.value()) {
    seen.push_back(std::to_string(e.seq) + ":" + Json::parse(e.body)["type"].get<std::string>());
    EXPECT_EQ(e.id, "msg_" + store_->entry_hash(e.seq).value().value_or("").substr(0, 32)) << e.seq;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"1:receipt.accepted", "2:receipt.accepted", "3:receipt.accepted",
                                            "4:receipt.accepted", "7:person.erased", "8:person.purged",
                                            "10:export.completed"}));
  const Json erased = Json::parse(events.value()[4].body);
  EXPECT_EQ(erased["data"]["chainRoots"], Json::array({"c"}));
  EXPECT_EQ(erased["timestamp"], "2026-01-21T08:00:00Z");

  RetryPolicy policy;
  policy.max_attempts = 3;
  const std::string hook = "https://crm.example/hook";
  auto claimed = box.value()->claim(hook, 1000, 100, policy);
  ASSERT_TRUE(claimed.ok()) << claimed.problems().front().message;
  ASSERT_EQ(claimed.value().size(), 7u);
  EXPECT_EQ(claimed.value()[0].body, events.value()[0].body);
  EXPECT_TRUE(box.value()->claim(hook, 1000, 100, policy).value().empty());  // leased
  const auto& d = claimed.value();
  EXPECT_EQ(box.value()->record_attempt(d[0], {200, ""}, 2000, policy).value(), DeliveryState::kDelivered);
  EXPECT_EQ(box.value()->record_attempt(d[1], {500, "boom"}, 2000, policy).value(), DeliveryState::kRetry);
  EXPECT_EQ(box.value()->skip(d[2], 2000).value(), DeliveryState::kSkipped);
  EXPECT_EQ(box.value()->record_attempt(d[3], {410, ""}, 2000, policy).value(), DeliveryState::kGone);
  auto status = box.value()->status();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status.value().events, 7);
  ASSERT_EQ(status.value().endpoints.size(), 1u);
  const EndpointStatus& e = status.value().endpoints[0];
  EXPECT_EQ(e.delivered, 1);
  EXPECT_EQ(e.skipped, 1);
  EXPECT_EQ(e.gone, 1);
  EXPECT_EQ(e.pending, 4);
  EXPECT_FALSE(e.disabled_at.empty());
  ASSERT_EQ(status.value().problems.size(), 2u);
  EXPECT_EQ(status.value().problems[0]["lastError"], "boom");
  EXPECT_EQ(status.value().problems[1]["state"], "gone");
  EXPECT_TRUE(box.value()->claim(hook, 999999999, 100, policy).value().empty());  // disabled by the 410
  EXPECT_EQ(box.value()->retry("", 3000).value(), 1);
  auto again = box.value()->claim(hook, 999999999, 100, policy);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().size(), 5u);  // the retried one, the one that failed once, and the three never tried
  EXPECT_EQ(again.value()[0].attempts, 1);
  // A second endpoint gets every event the outbox holds.
  EXPECT_EQ(box.value()->claim("https://other.example/", 1000, 100, policy).value().size(), 7u);
}

TEST(PostgresLedger, NamesTheServerNeverThePassword) {
  auto store = open_store("postgresql://someone:hunter2-secret@127.0.0.1:1/ledgerdb");
  ASSERT_FALSE(store.ok());
  const std::string message = store.problems().front().message;
  EXPECT_EQ(store.problems().front().code, "ledger_io");
  EXPECT_NE(message.find("ledgerdb"), std::string::npos) << message;
  EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_TRUE(is_postgres_url("postgres://h/db"));
  EXPECT_FALSE(is_postgres_url("./postgresql.db"));
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& backend) {
                           return backend.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace cachet::ledger
