// Issue 11, end to end on a real SQLite ledger and the real export: what a
// person's consent covers after signup decides what each partner receives,
// on both export paths (the index, and --reverify).
#include <gtest/gtest.h>

#include "cachet/export/export.h"
#include "cachet/ledger/change.h"
#include "helpers.h"

namespace cachet::export_test {
namespace {

IssueSpec signup() {
  IssueSpec s;
  s.decisions = {{"postal", "not-objected"}, {"phone", "not-objected"}, {"email", "granted"}, {"sms", "not-granted"}};
  s.contacts = {{"email", "p@example.fr"}, {"postal", "3 place du Marché"}};
  return s;
}

using Fields = std::vector<std::string>;
const Fields kHeader = {"cachet_receipt_id", "email", "phone", "mobile", "address"};
Fields row(const std::string& id) { return {id, "p@example.fr", "", "", "3 place du Marché"}; }

// rowsWritten per partner, on each export path.
std::map<std::string, std::int64_t> written(World& w, const Config& config, const std::string& id, bool reverify) {
  exporter::ExportOptions options;
  options.contacts_path = w.write_contacts("c.csv", {kHeader, row(id)});
  options.out_dir = w.path(std::string(reverify ? "out-reverified-" : "out-") + std::to_string(++w.exports));
  options.at = "2026-11-30T10:00:00Z";
  options.reverify = reverify;
  auto outcome = exporter::run_export(config, *w.store, options);
  EXPECT_TRUE(outcome.ok()) << (outcome.ok() ? "" : outcome.problems().front().message);
  std::map<std::string, std::int64_t> out;
  if (!outcome.ok()) return out;
  for (const Json& p : outcome.value().report["partners"])
    out[p["id"].get<std::string>()] = p["rowsWritten"].get<std::int64_t>();
  return out;
}

// Fault 1 as it was: the preference centre issued the change with the
// current (grown) list. The person never saw newco: on a ledger written
// before the fix, the export narrows the list anyway.
TEST(LifecycleExport, AnOldWideningPreferenceReceiptSendsNothingToTheNewPartner) {
  World w;
  const Config grown = make_config(test_config_json("newco"));
  const std::string p1 = w.issue(signup());
  IssueSpec change = signup();
  change.contacts = Json::object();
  change.decisions["phone"] = "objected";
  change.supersedes = p1;
  change.method = "preference-centre";
  change.at = "2026-11-10T10:00:00Z";
  change.config = &grown;  // binds acme, beta, gamma and newco
  w.issue(change);
  for (const bool reverify : {false, true}) {
    auto rows = written(w, grown, p1, reverify);
    EXPECT_EQ(rows["newco"], 0) << reverify;
    EXPECT_EQ(rows["acme"], 1) << reverify;
  }
}

// Fault 1 fixed: a preference-centre change carries the list the person was
// shown; only accepting the new list, shown with an unchecked box, widens it.
TEST(LifecycleExport, APreferenceChangeBindsTheListThePersonWasShown) {
  World w;
  const Config grown = make_config(test_config_json("newco"));
  const std::string p1 = w.issue(signup());
  auto person = w.store->state_of(p1);
  ASSERT_TRUE(person.ok());
  Change object;
  object.collection_method = "preference-centre";
  object.acted_at = "2026-11-10T10:00:00Z";
  object.requested[Channel::kPhone] = Decision::kObjected;
  ledger::ChangeContext context;
  context.issued_at = object.acted_at;
  context.agent = "lifecycle-test";
  context.accept.controller_key = w.controller_key;
  auto recorded = ledger::record_change(*w.store, *w.crypto, grown, person.value(), object, context);
  ASSERT_TRUE(recorded.ok()) << recorded.problems().front().message;
  ASSERT_TRUE(recorded.value().accepted);
  EXPECT_EQ(recorded.value().accepted->stored.payload["notice"]["partnerIds"],
            Json::parse(R"(["acme", "beta", "gamma"])"));
  for (const bool reverify : {false, true}) EXPECT_EQ(written(w, grown, p1, reverify)["newco"], 0) << reverify;

  Change accept;
  accept.collection_method = "preference-centre";
  accept.acted_at = "2026-11-12T10:00:00Z";
  accept.accepts_current_list = true;
  context.issued_at = accept.acted_at;
  context.page_url = "https://x.example/preferences";
  auto now = w.store->state_of(p1);
  ASSERT_TRUE(now.ok());
  auto accepted = ledger::record_change(*w.store, *w.crypto, grown, now.value(), accept, context);
  ASSERT_TRUE(accepted.ok()) << accepted.problems().front().message;
  ASSERT_TRUE(accepted.value().accepted);
  EXPECT_EQ(accepted.value().accepted->stored.collection_method, "web-form");
  for (const bool reverify : {false, true}) EXPECT_EQ(written(w, grown, p1, reverify)["newco"], 1) << reverify;
}

// Fault 2: a channel the person was never informed about (SMS, added to the
// config after signup) is neither recorded by a change nor sent.
TEST(LifecycleExport, AChannelNeverInformedIsNotRecordedByAChange) {
  World w(test_config_json("", /*with_sms=*/false));
  const Config with_sms = make_config(test_config_json());
  IssueSpec first = signup();
  first.decisions.erase("sms");
  const std::string p1 = w.issue(first);
  auto person = w.store->state_of(p1);
  ASSERT_TRUE(person.ok());
  Change object;
  object.collection_method = "preference-centre";
  object.acted_at = "2026-11-10T10:00:00Z";
  object.requested[Channel::kPostal] = Decision::kObjected;
  object.requested[Channel::kSms] = Decision::kWithdrawn;
  ledger::ChangeContext context;
  context.issued_at = object.acted_at;
  context.agent = "lifecycle-test";
  context.accept.controller_key = w.controller_key;
  auto recorded = ledger::record_change(*w.store, *w.crypto, with_sms, person.value(), object, context);
  ASSERT_TRUE(recorded.ok()) << recorded.problems().front().message;
  EXPECT_EQ(recorded.value().superseding.outcomes.at(Channel::kSms), ChangeOutcome::kNotInformed);
  ASSERT_TRUE(recorded.value().accepted);
  EXPECT_FALSE(recorded.value().accepted->stored.payload["channels"].contains("sms"));
}

}  // namespace
}  // namespace cachet::export_test
