// The notice bundle of `cachet build` (core/include/cachet/bundle.h): what it
// carries, that it is refused for a config with lint errors, that it is the
// same bytes every time, and that its digests are the ones receipts and the
// ledger use.
#include "cachet/bundle.h"

#include <gtest/gtest.h>

#include "cachet/canonical_json.h"
#include "cachet/jws.h"
#include "cachet/lifecycle.h"
#include "cachet/messages.h"
#include "cachet/notice.h"
#include "cachet/publication.h"
#include "test_crypto.h"

namespace cachet {
namespace {

using testing::make_test_crypto;
using testing::read_fixture;

Json parse(const std::string& text) {
  Result<Json> parsed = parse_json_strict(text);
  EXPECT_TRUE(parsed.ok());
  return parsed.ok() ? parsed.value() : Json();
}

TEST(BundleTest, CarriesEveryLocaleTheLintResultAndTheReceiptsDigests) {
  const auto crypto = make_test_crypto();
  const std::string config_text = read_fixture("configs/societe-x.json");
  Result<std::string> built = build_bundle(config_text, *crypto);
  ASSERT_TRUE(built.ok()) << built.problems().front().message;
  const std::string& text = built.value();
  ASSERT_EQ(text.back(), '\n');
  const Json bundle = parse(text.substr(0, text.size() - 1));
  // The file is canonical JSON, and its integrity is the SHA-256 of the canonical content.
  EXPECT_TRUE(is_canonical(bundle, text.substr(0, text.size() - 1)));
  ASSERT_TRUE(bundle.contains("content"));
  const Json& content = bundle["content"];
  const Result<std::string> canonical_content = canonicalize(content);
  ASSERT_TRUE(canonical_content.ok());
  EXPECT_EQ(bundle["integritySha256"], hex_encode(crypto->sha256(canonical_content.value())));

  const Config config = load_config(config_text).value();
  const PublishedVersion version = published_version(config, *crypto).value();
  EXPECT_EQ(content["bundleVersion"], 1);
  EXPECT_EQ(content["configVersion"], config.config_version);
  EXPECT_EQ(content["configSha256"], version.digest);  // the ledger's published version
  EXPECT_EQ(content["partnerListSha256"], version.partner_list_sha256);
  EXPECT_EQ(content["defaultLocale"], "fr");
  EXPECT_EQ(content["supportedLocales"], Json(supported_locales()));
  EXPECT_EQ(content["host"], widget_host_settings(config));
  EXPECT_EQ(content["lint"], lint_config(config_text).to_json());
  EXPECT_EQ(content["lint"]["ok"], true);

  ASSERT_EQ(content["locales"].size(), supported_locales().size());
  for (const std::string& locale : supported_locales()) {
    SCOPED_TRACE(locale);
    const Json& entry = content["locales"][locale];
    const Notice notice = build_notice(config, locale).value();
    EXPECT_EQ(entry["notice"], notice.to_json());
    EXPECT_EQ(entry["noticeSha256"], version.notice_sha256.at(locale));  // the receipt's notice.sha256
    EXPECT_EQ(entry["ui"], texts_with_prefix("ui.", locale));
    // Without GPC every box is unticked (R5); with it the objections are (R1).
    bool some_gpc_box = false;
    for (const auto& [id, ticked] : initial_box_states(notice, false)) {
      EXPECT_EQ(entry["initialBoxes"]["default"][id], ticked);
    }
    for (const auto& [id, ticked] : initial_box_states(notice, true)) {
      EXPECT_EQ(entry["initialBoxes"]["globalPrivacyControl"][id], ticked);
      some_gpc_box = some_gpc_box || ticked;
    }
    EXPECT_TRUE(some_gpc_box);
    for (const auto& [id, ticked] : entry["initialBoxes"]["default"].items()) {
      EXPECT_EQ(ticked, false) << id;
    }
  }
}

TEST(BundleTest, IsTheSameBytesEveryTime) {
  const auto crypto = make_test_crypto();
  const std::string config_text = read_fixture("configs/societe-x.json");
  const Result<std::string> first = build_bundle(config_text, *crypto);
  const Result<std::string> second = build_bundle(config_text, *crypto);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first.value(), second.value());
  // Member order and spacing do not matter: the digest is of the canonical config.
  const std::string reformatted = parse(config_text).dump(4);
  const Result<std::string> third = build_bundle(reformatted, *crypto);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(first.value(), third.value());
  // Another config gives another bundle.
  Json changed = parse(config_text);
  changed["configVersion"] = "2027-01-01";
  const Result<std::string> other = build_bundle(changed.dump(), *crypto);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(first.value(), other.value());
}

TEST(BundleTest, RefusesAConfigWithLintErrorsWithTheLintProblems) {
  const auto crypto = make_test_crypto();
  const std::string config_text = read_fixture("lint/email-without-consent.json");
  const LintReport report = lint_config(config_text);
  ASSERT_FALSE(report.ok());
  const Result<std::string> built = build_bundle(config_text, *crypto);
  ASSERT_FALSE(built.ok());
  ASSERT_EQ(built.problems().size(), report.errors.size());
  for (std::size_t i = 0; i < report.errors.size(); ++i) {
    EXPECT_EQ(built.problems()[i].code, report.errors[i].code);
    EXPECT_EQ(built.problems()[i].path, report.errors[i].path);
  }
  EXPECT_FALSE(build_bundle("{not json", *crypto).ok());
}

TEST(BundleTest, CarriesOnlyTheLocalesAskedForAndTheDefault) {
  const auto crypto = make_test_crypto();
  const std::string config_text = read_fixture("configs/societe-x.json");  // default locale fr
  const Result<std::string> en_only = build_bundle(config_text, *crypto, "en", {"en"});
  ASSERT_TRUE(en_only.ok());
  const Json content = parse(en_only.value().substr(0, en_only.value().size() - 1))["content"];
  ASSERT_EQ(content["locales"].size(), 2U);  // en, and fr, the default
  EXPECT_TRUE(content["locales"].contains("en"));
  EXPECT_TRUE(content["locales"].contains("fr"));
  const Result<std::string> all = build_bundle(config_text, *crypto);
  ASSERT_TRUE(all.ok());
  // The same notices and digests as the full bundle, locale for locale.
  const Json full = parse(all.value().substr(0, all.value().size() - 1))["content"];
  EXPECT_EQ(content["locales"]["en"], full["locales"]["en"]);
  EXPECT_EQ(content["configSha256"], full["configSha256"]);

  const Result<std::string> unknown = build_bundle(config_text, *crypto, "en", {"xx"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.problems().front().code, "bundle_locale_unsupported");
  EXPECT_NE(unknown.problems().front().message.find("xx"), std::string::npos);
}

TEST(BundleTest, PhasesRefuseMissingOrMisplacedDigests) {
  Result<BundlePlan> plan = plan_bundle(read_fixture("configs/societe-x.json"));
  ASSERT_TRUE(plan.ok());
  std::map<std::string, std::string> digests;
  for (const auto& [name, bytes] : plan.value().digest_inputs) digests[name] = std::string(64, 'a');
  EXPECT_TRUE(bundle_content(plan.value().content, digests).ok());

  auto missing = digests;
  missing.erase("config");
  const Result<std::string> no_config = bundle_content(plan.value().content, missing);
  ASSERT_FALSE(no_config.ok());
  EXPECT_EQ(no_config.problems().front().code, "bundle_missing_digest");
  EXPECT_EQ(no_config.problems().front().path, "/configSha256");

  auto unknown = digests;
  unknown["notice/xx"] = std::string(64, 'a');
  EXPECT_EQ(bundle_content(plan.value().content, unknown).problems().front().code, "bundle_bad_digest");
  auto upper = digests;
  upper["partnerList"] = std::string(64, 'A');
  EXPECT_EQ(bundle_content(plan.value().content, upper).problems().front().path, "/partnerListSha256");
}

}  // namespace
}  // namespace cachet
