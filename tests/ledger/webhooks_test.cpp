// The webhook outbox (schema 8; ledger/include/cachet/ledger/webhooks.h):
// an event per consent entry, written in the entry's own transaction (a
// failed write leaves neither, a failing outbox write takes the entry back),
// kept across reopening, claimed with a lease, retried on the documented
// exponential schedule, given up after the last attempt, stopped by 410.
#include "cachet/ledger/webhooks.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cachet/ledger/digest.h"
#include "cachet/ledger/store.h"

namespace cachet::ledger {
namespace {

constexpr const char* kHook = "http://127.0.0.1:9/hook";
constexpr std::int64_t kNow = 1'800'000'000'000;  // unix ms

class WebhookOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cachet-webhooks-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/ledger.db";
    open();
  }
  void TearDown() override {
    outbox_.reset();
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
    rmdir(dir_.c_str());
  }
  void open() {
    outbox_.reset();
    store_.reset();
    auto opened = open_sqlite_store(path_);
    ASSERT_TRUE(opened.ok()) << opened.problems().front().message;
    store_ = std::move(opened).value();
    auto box = open_webhook_outbox(path_);
    ASSERT_TRUE(box.ok()) << box.problems().front().message;
    outbox_ = std::move(box).value();
  }
  static NewReceipt receipt(const std::string& id, const std::string& supersedes = "",
                            const std::string& email = "granted", const std::string& postal = "not-objected") {
    const Json payload = {{"version", "cachet-receipt/1"},
                          {"receiptId", id},
                          {"issuedAt", "2026-01-01T10:00:00Z"},
                          {"channels",
                           {{"email", {{"basis", "consent"}, {"decision", email}}},
                            {"postal", {{"basis", "legitimate-interest"}, {"decision", postal}}}}},
                          {"subject", {{"salt", "c2FsdA"}, {"digests", {{"email", "ab12"}}}}},
                          {"notice", {{"partnerIds", {"acme"}}}},
                          {"retention", {{"months", 12}}}};
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
    r.retention_months = 12;
    return r;
  }
  std::vector<WebhookDelivery> events() {
    auto all = outbox_->events();
    EXPECT_TRUE(all.ok());
    return all.ok() ? all.value() : std::vector<WebhookDelivery>{};
  }
  std::int64_t log_entries() {
    auto tip = store_->tip();
    EXPECT_TRUE(tip.ok());
    return tip.ok() ? tip.value().seq : -1;
  }
  void raw_sql(const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
  std::string dir_, path_;
  std::unique_ptr<ConsentStore> store_;
  std::unique_ptr<WebhookOutbox> outbox_;
};

TEST_F(WebhookOutboxTest, EveryConsentEntryHasItsEventOfTheRightType) {
  ASSERT_TRUE(store_->append(receipt("r1")).ok());
  ASSERT_TRUE(store_->append(receipt("r2", "r1", "withdrawn")).ok());
  ASSERT_TRUE(store_->append(receipt("r3", "r2", "withdrawn", "objected")).ok());
  ASSERT_TRUE(store_->append(receipt("r4", "r3", "granted", "objected")).ok());
  ASSERT_TRUE(
      store_
          ->record_event(
              "export",
              {{"agent", "test"},
               {"rows", 3},
               {"out", "/secret/path"},
               {"partners",
                {{{"id", "acme"}, {"file", "partner-acme.csv"}, {"sha256", "ff"}, {"rows", 1}, {"transferSeq", 5}}}}})
          .ok());
  ASSERT_TRUE(store_->record_event("note", Json::object()).ok());  // not a consent event
  ASSERT_TRUE(store_->erase("r2", "2026-02-01", kNow / 1000).ok());

  const auto all = events();
  ASSERT_EQ(all.size(), 6u);
  const std::vector<std::string> types = {"receipt.accepted", "consent.withdrawn", "consent.objected",
                                          "receipt.accepted", "export.completed",  "person.erased"};
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].type, types[i]) << i;

  const Json first = Json::parse(all[0].body);
  EXPECT_EQ(first["type"], "receipt.accepted");
  EXPECT_EQ(first["data"]["ledgerSeq"], 1);
  EXPECT_EQ(first["data"]["receiptId"], "r1");
  EXPECT_EQ(first["data"]["chainRoot"], "r1");
  EXPECT_TRUE(first["data"]["supersedes"].is_null());
  EXPECT_EQ(first["data"]["channels"]["email"],
            Json({{"basis", "consent"}, {"decision", "granted"}, {"previousDecision", nullptr}, {"allowed", true}}));
  EXPECT_FALSE(first["data"]["channels"].contains("sms"));  // the receipt says nothing of it
  EXPECT_EQ(first["data"]["partnerIds"], Json::array({"acme"}));
  EXPECT_EQ(all[0].id, "msg_" + Json::parse(all[0].body)["data"]["entryHash"].get<std::string>().substr(0, 32));

  const Json withdrawn = Json::parse(all[1].body);
  EXPECT_EQ(withdrawn["data"]["channels"]["email"]["previousDecision"], "granted");
  EXPECT_EQ(withdrawn["data"]["channels"]["email"]["allowed"], false);
  EXPECT_EQ(withdrawn["data"]["stopped"], Json::array({"email"}));
  EXPECT_EQ(withdrawn["data"]["supersedes"], "r1");
  EXPECT_EQ(withdrawn["data"]["collectionMethod"], "preference-centre");
  EXPECT_EQ(Json::parse(all[2].body)["data"]["stopped"], Json::array({"postal"}));

  const Json exported = Json::parse(all[4].body);
  EXPECT_EQ(exported["data"]["partners"][0]["rows"], 1);
  EXPECT_EQ(exported["data"]["partners"][0]["transferSeq"], 5);
  EXPECT_EQ(all[4].body.find("/secret/path"), std::string::npos);  // only the summary travels

  const Json erased = Json::parse(all[5].body);
  EXPECT_EQ(erased["data"]["chainRoots"], Json::array({"r1"}));
  EXPECT_EQ(erased["data"]["receiptIds"], Json::array({"r1", "r2", "r3", "r4"}));
  EXPECT_EQ(erased["data"]["requestedAt"], "2026-02-01");
  // Data minimisation: no digest, salt or payload leaves in an event.
  for (const WebhookDelivery& e : all) {
    EXPECT_EQ(e.body.find("ab12"), std::string::npos) << e.body;
    EXPECT_EQ(e.body.find("c2FsdA"), std::string::npos) << e.body;
  }
}

TEST_F(WebhookOutboxTest, AnEventIsWrittenInItsEntrysTransaction) {
  ASSERT_TRUE(store_->append(receipt("r1")).ok());
  // A refused write (replayed id) leaves neither an entry nor an event.
  NewReceipt replay = receipt("r1", "", "withdrawn");
  EXPECT_FALSE(store_->append(replay).ok());
  // One bad receipt in a batch takes the whole batch back, events included.
  EXPECT_FALSE(store_->append_many({receipt("b1"), receipt("b2", "nobody")}).ok());
  EXPECT_EQ(log_entries(), 1);
  EXPECT_EQ(events().size(), 1u);
  // And the other way: an outbox row that cannot be written takes the ledger
  // entry back (here an outbox that refuses every row, as a full disk would).
  raw_sql("CREATE TRIGGER refuse BEFORE INSERT ON webhook_outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END");
  const auto failed = store_->append(receipt("r2"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.problems().front().code, "ledger_io");
  EXPECT_EQ(log_entries(), 1);
  EXPECT_FALSE(store_->find("r2").value().has_value());
  const auto erased = store_->erase("r1", "2026-02-01", kNow / 1000);
  ASSERT_FALSE(erased.ok());
  EXPECT_TRUE(store_->find("r1").value().has_value());  // the erasure did not happen without its event
  raw_sql("DROP TRIGGER refuse");
  ASSERT_TRUE(store_->append(receipt("r2")).ok());
  EXPECT_EQ(events().size(), 2u);
  EXPECT_TRUE(store_->verify_chain().value().ok());
}

TEST_F(WebhookOutboxTest, PendingEventsSurviveReopeningAndAreLeased) {
  ASSERT_TRUE(store_->append(receipt("r1")).ok());
  ASSERT_TRUE(store_->append(receipt("r2")).ok());
  RetryPolicy policy;
  auto claimed = outbox_->claim(kHook, kNow, 10, policy);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed.value().size(), 2u);
  // A second dispatcher does not get the leased deliveries...
  EXPECT_TRUE(outbox_->claim(kHook, kNow + 1, 10, policy).value().empty());
  // ...and the process dies before sending: after reopening, once the lease
  // is over, the same events come again, same id and bytes.
  open();
  auto again = outbox_->claim(kHook, kNow + policy.lease_ms, 10, policy);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again.value().size(), 2u);
  EXPECT_EQ(again.value()[0].id, claimed.value()[0].id);
  EXPECT_EQ(again.value()[0].body, claimed.value()[0].body);
  EXPECT_EQ(again.value()[0].attempts, 0);
  // A second endpoint gets every event too, on its own schedule.
  EXPECT_EQ(outbox_->claim("http://127.0.0.1:9/other", kNow, 10, policy).value().size(), 2u);
  auto status = outbox_->status();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status.value().events, 2);
  ASSERT_EQ(status.value().endpoints.size(), 2u);
  EXPECT_EQ(status.value().endpoints[0].pending, 2);
}

TEST_F(WebhookOutboxTest, RetriesFollowTheBackoffScheduleThenGiveUp) {
  RetryPolicy policy;
  policy.base_ms = 1000;
  policy.cap_ms = 10000;
  policy.max_attempts = 6;
  EXPECT_EQ(retry_delay_ms(policy, 1), 1000);
  EXPECT_EQ(retry_delay_ms(policy, 2), 2000);
  EXPECT_EQ(retry_delay_ms(policy, 3), 4000);
  EXPECT_EQ(retry_delay_ms(policy, 4), 8000);
  EXPECT_EQ(retry_delay_ms(policy, 5), 10000);   // capped
  EXPECT_EQ(retry_delay_ms(policy, 60), 10000);  // no overflow
  EXPECT_EQ(retry_delay_ms(RetryPolicy{}, 1), 5000);

  ASSERT_TRUE(store_->append(receipt("r1")).ok());
  std::int64_t now = kNow;
  for (int attempt = 1; attempt <= policy.max_attempts; ++attempt) {
    auto due = outbox_->claim(kHook, now, 10, policy);
    ASSERT_TRUE(due.ok());
    ASSERT_EQ(due.value().size(), 1u) << "attempt " << attempt;
    EXPECT_EQ(due.value()[0].attempts, attempt - 1);
    auto state = outbox_->record_attempt(due.value()[0], {500, "the webhook answered 500"}, now, policy);
    ASSERT_TRUE(state.ok());
    if (attempt == policy.max_attempts) {
      EXPECT_EQ(state.value(), DeliveryState::kFailed);
      break;
    }
    EXPECT_EQ(state.value(), DeliveryState::kRetry);
    const std::int64_t delay = retry_delay_ms(policy, attempt);
    EXPECT_TRUE(outbox_->claim(kHook, now + delay - 1, 10, policy).value().empty()) << "too early, " << attempt;
    now += delay;
  }
  EXPECT_TRUE(outbox_->claim(kHook, now + 86400000, 10, policy).value().empty());  // failed: no more attempts
  auto status = outbox_->status().value();
  ASSERT_EQ(status.endpoints.size(), 1u);
  EXPECT_EQ(status.endpoints[0].failed, 1);
  ASSERT_EQ(status.problems.size(), 1u);
  EXPECT_EQ(status.problems[0]["attempts"], policy.max_attempts);
  EXPECT_EQ(status.problems[0]["lastStatus"], 500);
  // An operator retries: pending again from the first attempt, then delivered.
  EXPECT_EQ(outbox_->retry("", now).value(), 1);
  auto due = outbox_->claim(kHook, now, 10, policy);
  ASSERT_EQ(due.value().size(), 1u);
  EXPECT_EQ(outbox_->record_attempt(due.value()[0], {204, ""}, now, policy).value(), DeliveryState::kDelivered);
  EXPECT_EQ(outbox_->status().value().endpoints[0].delivered, 1);
}

TEST_F(WebhookOutboxTest, GoneStopsTheEndpointUntilRetried) {
  ASSERT_TRUE(store_->append(receipt("r1")).ok());
  ASSERT_TRUE(store_->append(receipt("r2")).ok());
  const RetryPolicy policy;
  auto due = outbox_->claim(kHook, kNow, 1, policy);
  ASSERT_EQ(due.value().size(), 1u);
  EXPECT_EQ(outbox_->record_attempt(due.value()[0], {410, "gone"}, kNow, policy).value(), DeliveryState::kGone);
  // The other event waits: the endpoint is disabled.
  EXPECT_TRUE(outbox_->claim(kHook, kNow + 86400000, 10, policy).value().empty());
  auto status = outbox_->status().value();
  EXPECT_FALSE(status.endpoints[0].disabled_at.empty());
  EXPECT_EQ(status.endpoints[0].gone, 1);
  EXPECT_EQ(status.endpoints[0].pending, 1);
  EXPECT_EQ(outbox_->retry(kHook, kNow).value(), 1);
  EXPECT_EQ(outbox_->claim(kHook, kNow + policy.lease_ms, 10, policy).value().size(), 2u);
}

TEST_F(WebhookOutboxTest, APurgeIsAnEvent) {
  NewReceipt old = receipt("old");
  old.received_at = "2020-01-01T00:00:00Z";
  ASSERT_TRUE(store_->append(old).ok());
  ASSERT_TRUE(store_->purge(kNow / 1000).ok());
  const auto all = events();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].type, "person.purged");
  const Json data = Json::parse(all[1].body)["data"];
  EXPECT_EQ(data["chainRoots"], Json::array({"old"}));
  EXPECT_EQ(data["reason"], "retention");
}

}  // namespace
}  // namespace cachet::ledger
