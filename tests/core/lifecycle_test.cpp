// A person's consent over time (core/include/cachet/lifecycle.h): the rules,
// the three faults found after signup (partner list widened by the preference
// centre, a channel never informed recorded as allowed, a stale relayed
// request applied), and a property test over generated histories checked
// against a small independent model of what the person was shown and did.
#include "cachet/lifecycle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "cachet/canonical_json.h"
#include "cachet/notice.h"
#include "cachet/receipt.h"
#include "test_crypto.h"

namespace cachet {
namespace {

using testing::read_fixture;

// The demo config with one partner fewer and no SMS channel: list v1. The
// fixture itself (6 partners, SMS) is list v2, published later.
Json config_v1_json() {
  Json v1 = Json::parse(read_fixture("configs/societe-x.json"));
  v1["configVersion"] = "2026-10-01";
  v1["partners"]["entries"].erase(v1["partners"]["entries"].size() - 1);  // financiere-orion comes with v2
  v1["channels"].erase("sms");
  v1["recipients"]["approximateCount"] = 5;
  return v1;
}

Config load(const Json& json) {
  Result<Config> loaded = load_config(json.dump());
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.problems().front().message);
  return loaded.ok() ? loaded.value() : Config{};
}

std::string uuid(std::uint64_t n) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "00000000-0000-4000-8000-%012llx", static_cast<unsigned long long>(n));
  return buffer;
}

std::string rfc3339(std::int64_t seconds) {
  // 2026-01-01T00:00:00Z plus seconds, within one year (tests stay inside 2026).
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::int64_t day = seconds / 86400;
  const std::int64_t rest = seconds % 86400;
  int month = 0;
  while (day >= kDays[month]) day -= kDays[month++];
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "2026-%02d-%02lldT%02lld:%02lld:%02lldZ", month + 1,
                static_cast<long long>(day + 1), static_cast<long long>(rest / 3600),
                static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
  return buffer;
}

// A receipt payload as the core makes it; the digests are placeholders (the
// rules read decisions, lists and times, never digests).
Json make_payload(const Config& config, const Choices& choices, const ReceiptContext& context) {
  Result<ReceiptPlan> plan = plan_receipt(config, choices, context);
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.problems().front().path + ": " + plan.problems().front().message);
  if (!plan.ok()) return Json();
  std::map<std::string, std::string> digests;
  for (const auto& [name, unused] : plan.value().digest_inputs) digests[name] = std::string(64, 'a');
  Result<std::string> payload = finish_receipt_payload(plan.value(), digests);
  EXPECT_TRUE(payload.ok()) << (payload.ok() ? "" : payload.problems().front().message);
  return payload.ok() ? Json::parse(payload.value()) : Json();
}

// A person's chain of receipts, and the ways it grows.
class Person {
 public:
  // Signup on the web form: box states as the widget sends them.
  Person(const Config& config, const Json& boxes, std::int64_t at) {
    Result<Notice> notice = build_notice(config, "fr");
    EXPECT_TRUE(notice.ok());
    Json box_states = {{"boxes", boxes},
                       {"contacts",
                        {{"email", "marie@example.fr"},
                         {"mobile", "+33612345678"},
                         {"phone", "+33612345678"},
                         {"postal", "1 rue des Lilas 75001 Paris"}}}};
    Result<Json> decisions = decisions_from_boxes(config, notice.value(), box_states);
    EXPECT_TRUE(decisions.ok());
    Result<Choices> choices = parse_choices(config, decisions.value(), "fr");
    EXPECT_TRUE(choices.ok()) << (choices.ok() ? "" : choices.problems().front().message);
    ReceiptContext context = base_context(at, "web-form");
    context.page_url = "https://x.example/inscription";
    context.salt = base64url_encode(std::string(16, '\x2a'));
    push(make_payload(config, choices.value(), context));
  }

  ConsentState state() const {
    std::vector<const Json*> chain;
    for (const Json& p : payloads_) chain.push_back(&p);
    Result<ConsentState> folded = consent_state(chain);
    EXPECT_TRUE(folded.ok()) << (folded.ok() ? "" : folded.problems().front().message);
    return folded.ok() ? folded.value() : ConsentState{};
  }

  // A change through supersede(), recorded as the core says (when it changed anything).
  Superseding change(const Config& config, const Change& change, std::int64_t issued_at_seconds,
                     const std::string& issued_at = "") {
    Result<Superseding> next = supersede(state(), change, config);
    EXPECT_TRUE(next.ok()) << (next.ok() ? "" : next.problems().front().message);
    if (!next.ok() || !next.value().changed) return next.ok() ? next.value() : Superseding{};
    // Accepting the current list happens on a page that shows it: a web form.
    ReceiptContext context =
        base_context(issued_at_seconds, change.accepts_current_list ? "web-form" : change.collection_method);
    if (!issued_at.empty()) context.issued_at = issued_at;
    if (change.accepts_current_list) context.page_url = "https://x.example/preferences";
    if (change.collection_method == "relayed-by-partner") context.relayed_by = "acme-assurances";
    context.supersedes = latest_id();
    context.carried_subject = payloads_.back()["subject"];
    context.carried_notice = next.value().carried_notice;
    context.carried_channels = next.value().carried_channels;
    push(make_payload(config, next.value().choices, context));
    return next.value();
  }

  // A new paper form under `config`, every box answered.
  void paper(const Config& config, const Json& boxes, std::int64_t at) {
    Result<Notice> notice = build_notice(config, "fr");
    Result<Json> decisions = decisions_from_boxes(config, notice.value(), Json{{"boxes", boxes}});
    EXPECT_TRUE(decisions.ok());
    Result<Choices> choices = parse_choices(config, decisions.value(), "fr", true);
    EXPECT_TRUE(choices.ok()) << (choices.ok() ? "" : choices.problems().front().message);
    ReceiptContext context = base_context(at, "paper");
    context.supersedes = latest_id();
    context.carried_subject = payloads_.back()["subject"];
    push(make_payload(config, choices.value(), context));
  }

  const Json& latest() const { return payloads_.back(); }
  std::string latest_id() const { return payloads_.back()["receiptId"].get<std::string>(); }

 private:
  ReceiptContext base_context(std::int64_t at, const std::string& method) {
    ReceiptContext c;
    c.receipt_id = uuid(++next_id_);
    c.issued_at = rfc3339(at);
    c.locale = "fr";
    c.collection_method = method;
    c.agent = "lifecycle-test";
    return c;
  }
  void push(Json payload) {
    ASSERT_TRUE(payload.is_object());
    payloads_.push_back(std::move(payload));
  }

  std::vector<Json> payloads_;
  static inline std::uint64_t next_id_ = 0;
};

const Partner* partner(const Config& config, const std::string& id) {
  for (const Partner& p : config.partners.entries) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

// --- the rules -------------------------------------------------------------------

TEST(LifecycleRules, DecisionsFitTheirBasis) {
  EXPECT_TRUE(fits_basis(Decision::kObjected, Basis::kLegitimateInterest));
  EXPECT_TRUE(fits_basis(Decision::kNotObjected, Basis::kLegitimateInterest));
  EXPECT_FALSE(fits_basis(Decision::kGranted, Basis::kLegitimateInterest));
  EXPECT_FALSE(fits_basis(Decision::kWithdrawn, Basis::kLegitimateInterest));
  EXPECT_TRUE(fits_basis(Decision::kGranted, Basis::kConsent));
  EXPECT_TRUE(fits_basis(Decision::kWithdrawn, Basis::kConsent));
  EXPECT_FALSE(fits_basis(Decision::kObjected, Basis::kConsent));
  EXPECT_EQ(box_decision(Basis::kConsent, false), Decision::kNotGranted);  // R5: unticked is no consent
  EXPECT_EQ(box_decision(Basis::kLegitimateInterest, true), Decision::kObjected);
  EXPECT_EQ(stopping_decision(Basis::kConsent), Decision::kWithdrawn);
  EXPECT_EQ(stopping_decision(Basis::kLegitimateInterest), Decision::kObjected);
}

TEST(LifecycleRules, GpcPreselectsObjectionsOnly) {
  EXPECT_TRUE(preselected_by_gpc(Basis::kLegitimateInterest, true));
  EXPECT_FALSE(preselected_by_gpc(Basis::kConsent, true));  // R5: never a consent
  EXPECT_FALSE(preselected_by_gpc(Basis::kLegitimateInterest, false));
  const Config config = load(Json::parse(read_fixture("configs/societe-x.json")));
  Result<Notice> notice = build_notice(config, "fr");
  ASSERT_TRUE(notice.ok());
  const auto initial = initial_box_states(notice.value(), true);
  EXPECT_TRUE(initial.at("object-postal-phone"));
  EXPECT_FALSE(initial.at("consent-email"));
  for (const auto& [id, ticked] : initial_box_states(notice.value(), false)) EXPECT_FALSE(ticked) << id;
}

TEST(LifecycleRules, WhichContactServesAChannel) {
  EXPECT_EQ(contact_kind_for(Channel::kSms, true), "mobile");
  EXPECT_EQ(contact_kind_for(Channel::kSms, false), "phone");
  EXPECT_EQ(contact_kind_for(Channel::kEmail, false), "email");
  EXPECT_EQ(channels_served_by("phone", false), (std::vector<Channel>{Channel::kPhone, Channel::kSms}));
  EXPECT_EQ(channels_served_by("phone", true), (std::vector<Channel>{Channel::kPhone}));
  EXPECT_EQ(channels_served_by("mobile", true), (std::vector<Channel>{Channel::kSms}));
}

TEST(LifecycleRules, BoxesBecomeDecisions) {
  const Config config = load(Json::parse(read_fixture("configs/societe-x.json")));
  Result<Notice> notice = build_notice(config, "fr");
  ASSERT_TRUE(notice.ok());
  Result<Json> out = decisions_from_boxes(
      config, notice.value(), Json::parse(R"({"boxes": {"object-postal-phone": true, "consent-email": true}})"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value()["decisions"],
            Json::parse(R"({"postal": "objected", "phone": "objected", "email": "granted", "sms": "not-granted"})"));
  Result<Json> unknown =
      decisions_from_boxes(config, notice.value(), Json::parse(R"({"boxes": {"consent-fax": true}})"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.problems().front().code, "choice_unknown_box");
  EXPECT_EQ(unknown.problems().front().path, "/boxes/consent-fax");
  Result<Json> not_bool =
      decisions_from_boxes(config, notice.value(), Json::parse(R"({"boxes": {"consent-email": "yes"}})"));
  ASSERT_FALSE(not_bool.ok());
  EXPECT_EQ(not_bool.problems().front().code, "choice_wrong_type");
}

TEST(LifecycleRules, ChannelVerdicts) {
  EXPECT_EQ(channel_verdict(Channel::kEmail, std::nullopt, std::nullopt), TransferReason::kNotInformed);
  EXPECT_EQ(channel_verdict(Channel::kEmail, Basis::kConsent, Decision::kGranted), TransferReason::kAllowed);
  EXPECT_EQ(channel_verdict(Channel::kEmail, Basis::kConsent, Decision::kWithdrawn), TransferReason::kWithdrawn);
  // R4: an email "not objected" is no consent, whatever the receipt's basis says.
  EXPECT_EQ(channel_verdict(Channel::kEmail, Basis::kLegitimateInterest, Decision::kNotObjected),
            TransferReason::kNoConsent);
  EXPECT_EQ(channel_verdict(Channel::kPostal, Basis::kLegitimateInterest, Decision::kNotObjected),
            TransferReason::kAllowed);
  EXPECT_EQ(channel_verdict(Channel::kPostal, Basis::kLegitimateInterest, Decision::kObjected),
            TransferReason::kObjected);
}

TEST(LifecycleRules, ActTimes) {
  EXPECT_EQ(act_time("2026-11-30"), "2026-11-30T23:59:59Z");
  EXPECT_EQ(act_time("2026-11-30T10:00:00.250Z"), "2026-11-30T10:00:00Z");
  EXPECT_EQ(act_time("2026-11-30", "2026-11-30T10:00:00Z"), "2026-11-30T10:00:00Z");
  EXPECT_EQ(act_time("2026-11-30T10:00:00+01:00"), std::nullopt);  // UTC only
  EXPECT_EQ(act_time("30/11/2026"), std::nullopt);
}

// --- the three faults ---------------------------------------------------------------

// Fault 1: the preference centre issued the new receipt with the current
// config's partner list, though the page showed none.
TEST(LifecycleFaults, PreferenceCentreNeverWidensThePartnerList) {
  const Config v1 = load(config_v1_json());
  const Config v2 = load(Json::parse(read_fixture("configs/societe-x.json")));
  Person person(v1, Json::parse(R"({"consent-email": true})"), 1000);
  Change object;
  object.collection_method = "preference-centre";
  object.acted_at = rfc3339(5000);
  object.requested[Channel::kPhone] = Decision::kObjected;
  const Superseding done = person.change(v2, object, 5000);
  EXPECT_EQ(done.outcomes.at(Channel::kPhone), ChangeOutcome::kApplied);
  EXPECT_EQ(person.latest()["notice"]["partnerIds"].size(), 5u);  // the list shown at signup, carried
  EXPECT_EQ(person.latest()["notice"]["configVersion"], "2026-10-01");
  const ConsentState state = person.state();
  const Partner* orion = partner(v2, "financiere-orion");
  ASSERT_NE(orion, nullptr);
  for (const Channel c : all_channels()) {
    EXPECT_FALSE(may_transfer(state, *orion, c, 0, std::nullopt).allowed) << to_string(c);
  }
  EXPECT_EQ(may_transfer(state, *orion, Channel::kPostal, 0, std::nullopt).reason, TransferReason::kPartnerNotListed);
  EXPECT_TRUE(may_transfer(state, *partner(v2, "acme-assurances"), Channel::kEmail, 0, std::nullopt).allowed);

  // Shown the new list and accepting it widens it, and only then.
  Change accept;
  accept.collection_method = "preference-centre";
  accept.acted_at = rfc3339(6000);
  accept.accepts_current_list = true;
  person.change(v2, accept, 6000);
  EXPECT_EQ(person.latest()["notice"]["partnerIds"].size(), 6u);
  EXPECT_TRUE(may_transfer(person.state(), *orion, Channel::kEmail, 0, std::nullopt).allowed);
}

// Issue 13: a config that adds a partner leaves people uncovered for it until
// they accept it (cachet ledger uncovered asks the core who they are).
TEST(LifecycleRules, UncoveredPartnersAreTheNewOnesSomethingWouldGoTo) {
  const Config v1 = load(config_v1_json());
  const Config v2 = load(Json::parse(read_fixture("configs/societe-x.json")));
  Person person(v1, Json::parse(R"({"consent-email": true})"), 1000);
  EXPECT_TRUE(uncovered_partners(person.state(), v1, 2000, std::nullopt).empty());
  std::vector<UncoveredPartner> missing = uncovered_partners(person.state(), v2, 2000, std::nullopt);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].partner->id, "financiere-orion");
  // SMS was never shown to this person: it never goes, accepted or not.
  EXPECT_EQ(missing[0].channels, (std::vector<Channel>{Channel::kPostal, Channel::kPhone, Channel::kEmail}));
  // Past retention nothing would go: nobody to ask.
  EXPECT_TRUE(uncovered_partners(person.state(), v2, 2000, 1500).empty());
  // Once the person accepted the current list, they are covered.
  Change accept;
  accept.collection_method = "preference-centre";
  accept.acted_at = rfc3339(6000);
  accept.accepts_current_list = true;
  person.change(v2, accept, 6000);
  EXPECT_TRUE(uncovered_partners(person.state(), v2, 7000, std::nullopt).empty());
  // Someone who objected to everything has nothing to be asked about.
  Person objector(v1, Json::parse(R"({"object-postal-phone": true})"), 1000);
  EXPECT_TRUE(uncovered_partners(objector.state(), v2, 2000, std::nullopt).empty());
}

// A receipt made before the fix (preference centre, current list) is read
// with the bound list anyway: the list of a receipt that showed none never widens.
TEST(LifecycleFaults, AnOldWideningReceiptIsNarrowedWhenRead) {
  Json signup = Json::parse(R"({"receiptId": "r1", "issuedAt": "2026-01-01T00:00:00Z",
      "collection": {"method": "web-form"}, "notice": {"partnerIds": ["a", "b"]},
      "channels": {"postal": {"basis": "legitimate-interest", "decision": "not-objected"}}})");
  Json widened = Json::parse(R"({"receiptId": "r2", "issuedAt": "2026-02-01T00:00:00Z",
      "collection": {"method": "preference-centre"}, "notice": {"partnerIds": ["a", "b", "c"]},
      "channels": {"postal": {"basis": "legitimate-interest", "decision": "not-objected"}}})");
  Result<ConsentState> state = consent_state({&signup, &widened});
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state.value().partner_ids, (std::vector<std::string>{"a", "b"}));
}

// Fault 2: a channel the earlier receipt never covered was recorded
// not-objected by the preference centre and objected by the relayed import.
TEST(LifecycleFaults, AChannelNeverInformedIsNeverRecordedNorSent) {
  const Config v1 = load(config_v1_json());
  const Config v2 = load(Json::parse(read_fixture("configs/societe-x.json")));
  Person person(v1, Json::object(), 1000);
  Change withdraw_sms;
  withdraw_sms.collection_method = "relayed-by-partner";
  withdraw_sms.acted_at = rfc3339(2000);
  withdraw_sms.requested[Channel::kSms] = Decision::kWithdrawn;
  withdraw_sms.requested[Channel::kPostal] = Decision::kObjected;
  const Superseding done = person.change(v2, withdraw_sms, 2000);
  EXPECT_EQ(done.outcomes.at(Channel::kSms), ChangeOutcome::kNotInformed);
  EXPECT_EQ(done.outcomes.at(Channel::kPostal), ChangeOutcome::kApplied);
  EXPECT_FALSE(person.latest()["channels"].contains("sms"));  // not recorded at all
  const ConsentState state = person.state();
  EXPECT_EQ(state.channels.count(Channel::kSms), 0u);
  EXPECT_EQ(may_transfer(state, *partner(v2, "acme-assurances"), Channel::kSms, 0, std::nullopt).reason,
            TransferReason::kNotInformed);
  Change object_phone;
  object_phone.collection_method = "preference-centre";
  object_phone.acted_at = rfc3339(3000);
  object_phone.requested[Channel::kPhone] = Decision::kObjected;
  person.change(v2, object_phone, 3000);
  EXPECT_FALSE(person.latest()["channels"].contains("sms"));
}

// Fault 3: a withdrawal relayed by a partner, dated before the person's own
// later consent, was applied once the latest receipt was itself a relayed one.
TEST(LifecycleFaults, AStaleRelayedRequestNeverWins) {
  const Config config = load(Json::parse(read_fixture("configs/societe-x.json")));
  Person person(config, Json::parse(R"({"consent-email": true})"), 10 * 86400);  // consent on 11 January
  Change postal;
  postal.collection_method = "relayed-by-partner";
  postal.acted_at = rfc3339(12 * 86400);
  postal.requested[Channel::kPostal] = Decision::kObjected;
  EXPECT_EQ(person.change(config, postal, 12 * 86400).outcomes.at(Channel::kPostal), ChangeOutcome::kApplied);
  Change stale;
  stale.collection_method = "relayed-by-partner";
  stale.acted_at = "2026-01-05";  // before the consent of 11 January
  stale.requested[Channel::kEmail] = Decision::kWithdrawn;
  const Superseding done = person.change(config, stale, 13 * 86400);
  EXPECT_EQ(done.outcomes.at(Channel::kEmail), ChangeOutcome::kStale);
  EXPECT_FALSE(done.changed);
  EXPECT_TRUE(
      may_transfer(person.state(), *partner(config, "acme-assurances"), Channel::kEmail, 0, std::nullopt).allowed);
  // The same request dated after the consent applies.
  stale.acted_at = "2026-01-12";
  EXPECT_EQ(person.change(config, stale, 13 * 86400).outcomes.at(Channel::kEmail), ChangeOutcome::kApplied);
}

TEST(LifecycleFaults, ChangesThatAreNotOffered) {
  const Config config = load(Json::parse(read_fixture("configs/societe-x.json")));
  Person person(config, Json::object(), 1000);
  Change grant;
  grant.collection_method = "preference-centre";
  grant.acted_at = rfc3339(2000);
  grant.requested[Channel::kEmail] = Decision::kGranted;     // a consent is given on a form, not by a click
  grant.requested[Channel::kPostal] = Decision::kWithdrawn;  // does not fit legitimate interest
  const Superseding done = person.change(config, grant, 2000);
  EXPECT_EQ(done.outcomes.at(Channel::kEmail), ChangeOutcome::kNotOffered);
  EXPECT_EQ(done.outcomes.at(Channel::kPostal), ChangeOutcome::kNotOffered);
  EXPECT_FALSE(done.changed);
  Change bad_time = grant;
  bad_time.acted_at = "yesterday";
  EXPECT_FALSE(supersede(person.state(), bad_time, config).ok());
}

// --- the property ---------------------------------------------------------------------

// An independent model of one person: the lists they were shown and accepted,
// the channels they were informed about, and every act with its time.
struct Model {
  std::set<std::string> accepted;  // the list the person last accepted
  std::set<Channel> informed;      // channels the person was last informed about
  struct Act {
    std::string at;
    Decision decision;
  };
  std::map<Channel, std::vector<Act>> acts;

  void shown(const Config& config) {
    accepted.clear();
    for (const Partner& p : config.partners.entries) accepted.insert(p.id);
    informed.clear();
    for (const ChannelConfig& c : config.channels) informed.insert(c.channel);
  }
  // The latest act by the person's own time; at equal times the one that stops wins.
  std::optional<Decision> effective(Channel channel) const {
    const auto it = acts.find(channel);
    if (it == acts.end() || it->second.empty()) return std::nullopt;
    const Act* best = nullptr;
    for (const Act& act : it->second) {
      if (best == nullptr || act.at > best->at || (act.at == best->at && stops(act.decision))) best = &act;
    }
    return best->decision;
  }
  bool allowed(const Config& config, const Partner& partner, Channel channel) const {
    if (!partner.channels.empty() &&
        std::find(partner.channels.begin(), partner.channels.end(), channel) == partner.channels.end()) {
      return false;
    }
    if (accepted.count(partner.id) == 0 || informed.count(channel) == 0) return false;
    const std::optional<Decision> decision = effective(channel);
    const ChannelConfig* configured = config.find(channel);
    if (!decision || configured == nullptr) return false;
    return configured->basis == Basis::kConsent ? *decision == Decision::kGranted : *decision == Decision::kNotObjected;
  }
};

Json random_boxes(const Config& config, std::mt19937& random) {
  Result<Notice> notice = build_notice(config, "fr");
  Json boxes = Json::object();
  for (const NoticeBox& box : notice.value().boxes) boxes[box.id] = random() % 2 == 0;
  return boxes;
}

void record_form(Model& model, const Config& config, const Json& boxes, const std::string& at) {
  model.shown(config);
  Result<Notice> notice = build_notice(config, "fr");
  for (const NoticeBox& box : notice.value().boxes) {
    for (const Channel c : box.channels)
      model.acts[c].push_back({at, box_decision(box.basis, boxes.value(box.id, false))});
  }
}

TEST(LifecycleProperty, NoTransferBeyondWhatThePersonWasShownAndTheLatestActWins) {
  const Config v1 = load(config_v1_json());
  const Config v2 = load(Json::parse(read_fixture("configs/societe-x.json")));
  std::mt19937 random(20261202);
  int checks = 0;
  int stale_seen = 0;
  for (int history = 0; history < 250; ++history) {
    std::int64_t now = 86400 * 30 + static_cast<std::int64_t>(random() % 86400);
    const Config* current = &v1;
    Model model;
    const Json signup_boxes = random_boxes(v1, random);
    Person person(v1, signup_boxes, now);
    record_form(model, v1, signup_boxes, rfc3339(now));
    const int events = 1 + static_cast<int>(random() % 12);
    for (int e = 0; e < events; ++e) {
      now += 1 + static_cast<std::int64_t>(random() % 200000);
      const ConsentState state = person.state();
      switch (random() % 6) {
        case 0:  // list v2 published
          current = &v2;
          break;
        case 1: {  // the preference centre offers what changes the state
          std::vector<std::pair<Channel, Decision>> offers;
          for (const auto& [channel, cs] : state.channels) {
            if (cs.basis == Basis::kLegitimateInterest) {
              offers.emplace_back(channel,
                                  cs.decision == Decision::kObjected ? Decision::kNotObjected : Decision::kObjected);
            } else if (cs.decision == Decision::kGranted) {
              offers.emplace_back(channel, Decision::kWithdrawn);
            }
          }
          if (offers.empty()) break;
          const auto [channel, wanted] = offers[random() % offers.size()];
          Change change;
          change.collection_method = "preference-centre";
          change.acted_at = rfc3339(now);
          change.requested[channel] = wanted;
          const Superseding done = person.change(*current, change, now);
          ASSERT_EQ(done.outcomes.at(channel), ChangeOutcome::kApplied);
          model.acts[channel].push_back({rfc3339(now), wanted});
          break;
        }
        case 2: {  // shown the current list in the preference centre, accepted
          Change change;
          change.collection_method = "preference-centre";
          change.acted_at = rfc3339(now);
          change.accepts_current_list = true;
          if (!person.change(*current, change, now).changed) break;  // the same list: nothing to accept
          std::set<Channel> still;
          for (const Channel c : model.informed) {
            if (current->find(c) != nullptr) still.insert(c);
          }
          model.accepted.clear();
          for (const Partner& p : current->partners.entries) model.accepted.insert(p.id);
          model.informed = still;
          // Confirming on a page that shows every current choice is an act on each.
          for (const Channel c : still) model.acts[c].push_back({rfc3339(now), *model.effective(c)});
          break;
        }
        case 3: {  // a new paper form, every box answered
          const Json boxes = random_boxes(*current, random);
          person.paper(*current, boxes, now);
          record_form(model, *current, boxes, rfc3339(now));
          break;
        }
        default: {  // a partner relays an objection or withdrawal, dated any time up to now
          const std::int64_t date = now - static_cast<std::int64_t>(random() % (86400 * 25));
          const bool date_only = random() % 2 == 0;
          const std::string said = date_only ? rfc3339(date).substr(0, 10) : rfc3339(date);
          const std::optional<std::string> acted = act_time(said, rfc3339(now));
          ASSERT_TRUE(acted);
          Change change;
          change.collection_method = "relayed-by-partner";
          change.acted_at = *acted;
          std::vector<Channel> targets;
          if (random() % 3 == 0) {
            for (const ChannelConfig& c : current->channels) targets.push_back(c.channel);
          } else {
            targets.push_back(current->channels[random() % current->channels.size()].channel);
          }
          for (const Channel c : targets) {
            const auto cs = state.channels.find(c);
            change.requested[c] =
                stopping_decision(cs != state.channels.end() ? cs->second.basis : current->find(c)->basis);
          }
          const Superseding done = person.change(*current, change, now, *acted);
          for (const Channel c : targets) {
            if (model.informed.count(c) == 0) {
              EXPECT_EQ(done.outcomes.at(c), ChangeOutcome::kNotInformed);
              continue;
            }
            const std::optional<Decision> before = model.effective(c);
            model.acts[c].push_back({*acted, change.requested[c]});
            if (done.outcomes.at(c) == ChangeOutcome::kStale) {
              ++stale_seen;
              EXPECT_EQ(model.effective(c), before) << "a stale request changed the latest act";
            }
          }
          break;
        }
      }
      const ConsentState after = person.state();
      for (const Partner& p : current->partners.entries) {
        for (const ChannelConfig& c : current->channels) {
          const TransferVerdict verdict = may_transfer(after, p, c.channel, 0, std::nullopt);
          ++checks;
          if (verdict.allowed) {
            ASSERT_EQ(model.accepted.count(p.id), 1u)
                << "history " << history << ": " << p.id << " was never on a list the person accepted";
            ASSERT_EQ(model.informed.count(c.channel), 1u) << "history " << history << ": never informed";
          }
          ASSERT_EQ(verdict.allowed, model.allowed(*current, p, c.channel))
              << "history " << history << " event " << e << ": partner " << p.id << ", channel " << to_string(c.channel)
              << ", verdict " << to_string(verdict.reason);
        }
      }
    }
  }
  EXPECT_GT(checks, 10000);
  EXPECT_GT(stale_seen, 10);  // the generator does reach the case the rule is about
}

}  // namespace
}  // namespace cachet
