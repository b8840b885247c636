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

#include "cachet/jws.h"
#include "cachet/ledger/digest.h"
#include "cachet/ledger/open.h"
#include "cachet/ledger/store.h"

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
  for (int w = 0; w < kWriters; ++w) stores.push_back(open());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
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
  }
  store_.reset();
  auto there = migrate_ledger(source, db_);
  ASSERT_TRUE(there.ok()) << there.problems().front().message;
  EXPECT_TRUE(there.value().destination.ok());
  EXPECT_EQ(there.value().destination.head, there.value().source.head);
  store_ = open();
  EXPECT_EQ(store_->secret("links").value(), secret);
  EXPECT_EQ(store_->latest_head().value().value_or(""), "jws-2");
  EXPECT_TRUE(store_->challenge_used("challenge-1").value());
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
  copy.value().reset();
  for (const std::string& f : {source, back}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((f + suffix).c_str());
  }
  rmdir(dir.c_str());
}

TEST(PostgresLedger, RefusesWhatItCannotDoYetByName) {
  if (pg_base().empty()) GTEST_SKIP() << "CACHET_TEST_PG_URL is not set: no PostgreSQL to test against";
  auto store = open_store(pg_base() + "/postgres");
  ASSERT_TRUE(store.ok());
  auto purge = store.value()->purge(0);
  ASSERT_FALSE(purge.ok());
  EXPECT_EQ(purge.problems().front().code, "ledger_unsupported");
  EXPECT_NE(purge.problems().front().message.find("PostgreSQL"), std::string::npos);
  EXPECT_EQ(store.value()->record_transfers({}).problems().front().code, "ledger_unsupported");
  EXPECT_EQ(store.value()->erase("a", "2026-01-01", 0).problems().front().code, "ledger_unsupported");
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
