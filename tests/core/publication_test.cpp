// Published config versions (core/include/cachet/publication.h): the server
// countersigns only receipts matching a version it published and still
// accepts. Each finding of issue 12 is a case here: a foreign controller, a
// notice or partner list never shown, an unknown config version, a retention
// or issue time the receipt chose itself, a split objection under one box.
#include "cachet/publication.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "cachet/calendar.h"
#include "cachet/canonical_json.h"
#include "cachet/jws.h"
#include "cachet/notice.h"
#include "cachet/receipt.h"
#include "test_crypto.h"

namespace cachet {
namespace {

using testing::make_test_crypto;
using testing::read_fixture;

constexpr const char* kIssuedAt = "2026-11-30T10:00:00Z";

class PublicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Config> loaded = load_config(read_fixture("configs/societe-x.json"));
    ASSERT_TRUE(loaded.ok());
    config_ = loaded.value();
    Result<PublishedVersion> v = published_version(config_, *crypto_);
    ASSERT_TRUE(v.ok()) << v.problems().front().message;
    versions_ = {v.value()};
    check_.now_unix = *calendar::parse_utc_timestamp(kIssuedAt) + 5;
  }

  // A receipt payload as the widget makes it from the config (one decision per box).
  Json payload(const std::string& locale = "fr", const std::string& method = "web-form") const {
    Result<Choices> choices = parse_choices(
        config_, Json::parse(R"({"decisions": {"postal": "objected", "phone": "objected", "email": "granted",
                        "sms": "not-granted"}, "contacts": {"email": "marie@example.fr"}})"),
        "fr");
    EXPECT_TRUE(choices.ok());
    ReceiptContext c;
    c.receipt_id = "2f1c6a1e-3b7d-4c5e-9a41-6c0f2b8e7d10";
    c.issued_at = kIssuedAt;
    c.locale = locale;
    c.collection_method = method;
    if (method == "web-form") c.page_url = "https://x.example/inscription";
    c.agent = "cachet-widget/0.1.0";
    c.salt = base64url_encode(std::string(16, '\x2a'));
    Result<Json> jws = issue_receipt(config_, choices.value(), c, *crypto_);
    EXPECT_TRUE(jws.ok());
    return Json::parse(*base64url_decode(jws.value()["payload"].get<std::string>()));
  }

  Problems problems(const Json& p) const {
    Result<const PublishedVersion*> r = check_against_published(p, versions_, check_);
    return r.ok() ? Problems{} : r.problems();
  }

  static bool has(const Problems& problems, const std::string& code, const std::string& path) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const Problem& p) { return p.code == code && p.path == path; });
  }

  std::unique_ptr<CryptoProvider> crypto_ = make_test_crypto();
  Config config_;
  std::vector<PublishedVersion> versions_;
  PublicationCheck check_;
};

TEST_F(PublicationTest, ReceiptsOfThePublishedConfigMatchInEveryLocale) {
  for (const char* locale : {"fr", "en"}) {
    Result<const PublishedVersion*> r = check_against_published(payload(locale), versions_, check_);
    ASSERT_TRUE(r.ok()) << r.problems().front().code << " " << r.problems().front().path;
    EXPECT_EQ(r.value(), &versions_.front());
  }
  EXPECT_TRUE(problems(payload("fr", "paper")).empty());
}

TEST_F(PublicationTest, TheDigestsAreTheOnesReceiptsCarry) {
  const Json p = payload("en");
  const PublishedVersion& v = versions_.front();
  EXPECT_EQ(p["notice"]["sha256"], v.notice_sha256.at("en"));
  EXPECT_EQ(p["notice"]["partnerListSha256"], v.partner_list_sha256);
  EXPECT_EQ(v.digest, hex_encode(crypto_->sha256(canonicalize(config_.raw).value())));
}

TEST_F(PublicationTest, EvilCorpWithAnUnknownVersionIsRefused) {
  Json p = payload();
  p["controller"]["name"] = "Evil Corp";
  p["notice"]["configVersion"] = "1999";
  p["notice"]["sha256"] = std::string(64, '0');
  const Problems found = problems(p);
  EXPECT_TRUE(has(found, "receipt_unknown_config_version", "/notice/configVersion"));
  EXPECT_TRUE(has(found, "receipt_controller_mismatch", "/controller"));
  EXPECT_EQ(problem_kind(found), ProblemKind::kInvalid);
}

TEST_F(PublicationTest, EachForeignFieldIsNamed) {
  Json p = payload();
  p["notice"]["sha256"] = std::string(64, '0');
  EXPECT_TRUE(has(problems(p), "receipt_notice_mismatch", "/notice/sha256"));
  p = payload();
  p["controller"]["name"] = "Evil Corp";
  EXPECT_TRUE(has(problems(p), "receipt_controller_mismatch", "/controller"));
  p = payload();
  p["notice"]["partnerListSha256"] = std::string(64, 'a');
  EXPECT_TRUE(has(problems(p), "receipt_partner_list_mismatch", "/notice/partnerListSha256"));
  p = payload();
  p["notice"]["partnerIds"].push_back("evil");
  EXPECT_TRUE(has(problems(p), "receipt_partner_list_mismatch", "/notice/partnerIds"));
  p = payload();
  p["notice"]["locale"] = "pt";  // no language the published version has
  EXPECT_TRUE(has(problems(p), "receipt_notice_mismatch", "/notice/locale"));
  p = payload();
  p["jurisdiction"] = "US";
  EXPECT_TRUE(has(problems(p), "receipt_jurisdiction_mismatch", "/jurisdiction"));
}

TEST_F(PublicationTest, RetentionComesFromTheConfig) {
  for (const std::int64_t months : {0, 1200, 99999999}) {
    Json p = payload();
    p["retention"]["months"] = months;
    EXPECT_TRUE(has(problems(p), "receipt_retention_mismatch", "/retention/months")) << months;
  }
}

TEST_F(PublicationTest, IssuedAtMustBeCloseToArrival) {
  for (const char* at : {"1970-01-01T00:00:00Z", "2099-01-01T00:00:00Z"}) {
    Json p = payload();
    p["issuedAt"] = at;
    EXPECT_TRUE(has(problems(p), "receipt_issued_at_skew", "/issuedAt")) << at;
  }
  // Off the web the act may come earlier than its arrival, not later, and
  // not before the version was first served.
  versions_.front().first_served_at = "2026-11-01T00:00:00Z";
  Json paper = payload("fr", "paper");
  paper["issuedAt"] = "2026-11-20T00:00:00Z";
  EXPECT_TRUE(problems(paper).empty());
  paper["issuedAt"] = "1970-01-01T00:00:00Z";
  EXPECT_TRUE(has(problems(paper), "receipt_issued_at_skew", "/issuedAt"));
  paper["issuedAt"] = "2099-01-01T00:00:00Z";
  EXPECT_TRUE(has(problems(paper), "receipt_issued_at_skew", "/issuedAt"));
}

TEST_F(PublicationTest, OneCombinedBoxCarriesOneDecision) {
  ASSERT_TRUE(config_.combine_objection);
  Json p = payload();
  p["channels"]["phone"]["decision"] = "not-objected";
  EXPECT_TRUE(has(problems(p), "receipt_boxes_mismatch", "/channels/phone/decision"));
  // Without combineObjection, two boxes: two decisions are fine.
  Json raw = config_.raw;
  raw["combineObjection"] = false;
  Result<Config> two = load_config(raw.dump());
  ASSERT_TRUE(two.ok());
  Result<PublishedVersion> v = published_version(two.value(), *crypto_);
  ASSERT_TRUE(v.ok());
  config_ = two.value();
  versions_ = {v.value()};
  p = payload();
  p["channels"]["phone"]["decision"] = "not-objected";
  EXPECT_TRUE(problems(p).empty()) << problems(p).front().code;
}

TEST_F(PublicationTest, BoxesNotOfferedOrChangedAreRefused) {
  Json p = payload();
  p["channels"].erase("sms");
  EXPECT_TRUE(has(problems(p), "receipt_boxes_mismatch", "/channels/sms"));
  p = payload();
  p["channels"]["email"]["partnerProspecting"] = "transmission-only";
  EXPECT_TRUE(has(problems(p), "receipt_boxes_mismatch", "/channels/email/partnerProspecting"));
  // A config without SMS offers no SMS box.
  Json raw = config_.raw;
  raw["channels"].erase("sms");
  Result<Config> no_sms = load_config(raw.dump());
  ASSERT_TRUE(no_sms.ok());
  versions_ = {published_version(no_sms.value(), *crypto_).value()};
  EXPECT_TRUE(has(problems(payload()), "receipt_boxes_mismatch", "/channels/sms"));
}

TEST_F(PublicationTest, AChangeAfterSignupMayCarryTheSupersededNotice) {
  const Json first = payload();
  Json older_notice = first["notice"];
  older_notice["configVersion"] = "2026-10-01";  // a version no longer accepted
  older_notice["sha256"] = std::string(64, 'b');
  Json change = first;
  change["supersedes"] = "2f1c6a1e-3b7d-4c5e-9a41-6c0f2b8e7d10";
  change["receiptId"] = "3f1c6a1e-3b7d-4c5e-9a41-6c0f2b8e7d10";
  change["notice"] = older_notice;
  change["channels"]["phone"]["decision"] = "not-objected";  // the preference centre, channel by channel
  change["collection"]["method"] = "preference-centre";
  // Without the superseded receipt's notice, it is an unknown version.
  EXPECT_TRUE(has(problems(change), "receipt_unknown_config_version", "/notice/configVersion"));
  check_.superseded_notice = &older_notice;
  EXPECT_TRUE(problems(change).empty()) << problems(change).front().code;
  // It still takes controller and retention from an accepted version.
  change["retention"]["months"] = 1200;
  EXPECT_TRUE(has(problems(change), "receipt_retention_mismatch", "/retention/months"));
  // A notice block that is not the superseded one is checked as any other.
  change["retention"]["months"] = 36;
  change["notice"]["sha256"] = std::string(64, 'c');
  EXPECT_TRUE(has(problems(change), "receipt_unknown_config_version", "/notice/configVersion"));
}

TEST_F(PublicationTest, AChangeRecordsOnlyChannelsThePersonWasInformedAbout) {
  const Json first = payload();
  Json change = first;
  change["supersedes"] = "2f1c6a1e-3b7d-4c5e-9a41-6c0f2b8e7d10";
  change["receiptId"] = "3f1c6a1e-3b7d-4c5e-9a41-6c0f2b8e7d10";
  change["collection"]["method"] = "preference-centre";
  change["channels"]["sms"]["decision"] = "withdrawn";
  // The current version no longer offers SMS; the person was informed under the earlier one.
  Json raw = config_.raw;
  raw["channels"].erase("sms");
  Result<Config> no_sms = load_config(raw.dump());
  ASSERT_TRUE(no_sms.ok());
  versions_ = {published_version(no_sms.value(), *crypto_).value()};
  const Json& notice = first["notice"];
  Json recorded = first["channels"];
  check_.superseded_notice = &notice;
  check_.superseded_channels = &recorded;
  EXPECT_TRUE(problems(change).empty()) << problems(change).front().code;
  // A channel neither recorded before nor offered now.
  recorded.erase("sms");
  EXPECT_TRUE(has(problems(change), "receipt_boxes_mismatch", "/channels/sms"));
  // A basis of its own.
  recorded = first["channels"];
  change["channels"]["postal"] = {
      {"basis", "consent"}, {"decision", "granted"}, {"shownUnchecked", true}, {"partnerProspecting", "on-behalf"}};
  EXPECT_TRUE(has(problems(change), "receipt_boxes_mismatch", "/channels/postal"));
}

TEST_F(PublicationTest, MisshapenPayloadsAreRefusedWithoutThrowing) {
  for (const char* text : {R"({"notice": 5, "channels": {"postal": 3}, "retention": "x", "controller": []})",
                           R"({"notice": {"configVersion": "2026-11-01", "partnerIds": 1}, "channels": [],
                               "collection": 2, "issuedAt": 7, "supersedes": "x"})",
                           "[]", "null"}) {
    const Json p = Json::parse(text);
    Result<const PublishedVersion*> r = check_against_published(p, versions_, check_);
    EXPECT_FALSE(r.ok()) << text;
  }
}

TEST_F(PublicationTest, EarlierVersionsAreAcceptedForTheGracePeriod) {
  PublishedVersion a = versions_.front();
  a.first_served_at = "2026-11-01T00:00:00Z";
  a.seq = 1;
  PublishedVersion b = a;
  b.digest = std::string(64, 'b');
  b.config_version = "2026-12-01";
  b.first_served_at = "2026-12-01T00:00:00Z";
  b.seq = 5;
  const std::int64_t switched = *calendar::parse_utc_timestamp("2026-12-01T00:00:00Z");
  const std::int64_t day = 86400;
  std::vector<PublishedVersion> accepted = accepted_versions({a, b}, b.digest, switched, switched + 10, day);
  ASSERT_EQ(accepted.size(), 2U);
  EXPECT_EQ(accepted[0].digest, b.digest);  // the current one first, without end
  EXPECT_FALSE(accepted[0].accepted_until.has_value());
  EXPECT_EQ(accepted[1].accepted_until, switched + day);
  // The receipt of A: accepted during the grace period, not after.
  versions_ = accepted;
  check_.now_unix = switched + 60;
  Json p = payload();
  p["issuedAt"] = calendar::format_rfc3339(switched + 30);
  EXPECT_TRUE(problems(p).empty());
  check_.now_unix = switched + day + 1;
  p["issuedAt"] = calendar::format_rfc3339(switched + day);
  EXPECT_TRUE(has(problems(p), "receipt_unknown_config_version", "/notice/configVersion"));
  // Past the grace already when computed: left out.
  EXPECT_EQ(accepted_versions({a, b}, b.digest, switched, switched + 2 * day, day).size(), 1U);
  // Back to A: A is current; B stopped being current when this server started.
  accepted = accepted_versions({a, b}, a.digest, switched + 100, switched + 100, 0);
  ASSERT_EQ(accepted.size(), 2U);
  EXPECT_EQ(accepted[0].digest, a.digest);
  EXPECT_EQ(accepted[1].accepted_until, switched + 100);
}

TEST_F(PublicationTest, AStoredVersionReadsBackWithTheStoredTexts) {
  const PublishedVersion& v = versions_.front();
  Result<PublishedVersion> back = stored_version(v.canonical_config, v.notices, v.partner_list, *crypto_);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().digest, v.digest);
  EXPECT_EQ(back.value().notice_sha256, v.notice_sha256);
  EXPECT_EQ(back.value().partner_list_sha256, v.partner_list_sha256);
  EXPECT_EQ(back.value().boxes.size(), v.boxes.size());
  EXPECT_TRUE(check_against_published(payload(), {back.value()}, check_).ok());
  EXPECT_FALSE(stored_version("{}", {}, "", *crypto_).ok());
}

}  // namespace
}  // namespace cachet
