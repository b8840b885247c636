// Signed webhooks (server/include/cachet/server/webhooks.h): the Standard
// Webhooks reference vector (the specification's libraries all test it),
// secret rotation, and the configuration checks with their problem codes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "cachet/openssl_crypto.h"
#include "cachet/server/webhooks.h"

namespace cachet::server {
namespace {

constexpr const char* kVectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

TEST(WebhookSigning, ReproducesTheStandardWebhooksReferenceSignature) {
  const auto crypto = make_openssl_crypto();
  auto secrets = parse_webhook_secrets(kVectorSecret, "test");
  ASSERT_TRUE(secrets.ok());
  ASSERT_EQ(secrets.value().size(), 1u);
  EXPECT_EQ(webhook_signature(*crypto, secrets.value(), "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
                              R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  // Any change to the id, the timestamp or the body changes it.
  EXPECT_NE(webhook_signature(*crypto, secrets.value(), "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265331",
                              R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSigning, SignsWithEverySecretForRotation) {
  const auto crypto = make_openssl_crypto();
  const std::string fresh = new_webhook_secret(*crypto);
  ASSERT_EQ(fresh.rfind("whsec_", 0), 0u);
  auto secrets = parse_webhook_secrets("# new first\n" + fresh + "\n\n" + kVectorSecret + "\n", "rotation");
  ASSERT_TRUE(secrets.ok());
  ASSERT_EQ(secrets.value().size(), 2u);
  EXPECT_EQ(secrets.value()[0].size(), 32u);
  const std::string header = webhook_signature(*crypto, secrets.value(), "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
                                               R"({"test": 2432232314})");
  const auto space = header.find(' ');
  ASSERT_NE(space, std::string::npos);
  EXPECT_EQ(header.rfind("v1,", 0), 0u);
  EXPECT_EQ(header.substr(space + 1), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSigning, RefusesBadSecretsNamingTheLine) {
  auto bad = parse_webhook_secrets("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\nsecret\nwhsec_c2hvcnQ=\nwhsec_***\n", "f");
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.problems().size(), 3u);
  for (const Problem& p : bad.problems()) EXPECT_EQ(p.code, "webhook_bad_secret");
  EXPECT_NE(bad.problems()[0].message.find("f, line 2: a webhook secret starts with whsec_"), std::string::npos);
  EXPECT_NE(bad.problems()[1].message.find("line 3: a webhook secret holds 24 to 64 random bytes; this one holds 5"),
            std::string::npos);
  EXPECT_NE(bad.problems()[2].message.find("line 4: the part after whsec_ is not base64"), std::string::npos);
  auto empty = parse_webhook_secrets("# nothing\n", "empty");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.problems()[0].message.find("holds no webhook secret"), std::string::npos);
}

TEST(WebhookSigning, ChecksEndpointUrls) {
  EXPECT_FALSE(check_webhook_url("https://crm.example/hooks/cachet", ""));
  EXPECT_FALSE(check_webhook_url("http://127.0.0.1:8080/h", ""));
  for (const char* bad : {"ftp://x", "https://", "https:///path", "crm.example/hook", "https://a b/"}) {
    const auto p = check_webhook_url(bad, "/endpoints/0/url");
    ASSERT_TRUE(p) << bad;
    EXPECT_EQ(p->code, "webhook_bad_url");
    EXPECT_EQ(p->path, "/endpoints/0/url");
  }
}

TEST(WebhookSigning, LoadsAnEndpointsFileReportingEveryProblemAtOnce) {
  char tmpl[] = "/tmp/cachet-webhook-signing-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  std::ofstream(dir + "/crm.whsec") << kVectorSecret << "\n";
  const std::string file = dir + "/webhooks.json";
  auto ok = load_webhook_endpoints(
      R"({"endpoints": [{"url": "https://crm.example/h", "secretFile": "crm.whsec", "events": ["person.erased"]}]})",
      file);
  ASSERT_TRUE(ok.ok()) << ok.problems().front().message;
  ASSERT_EQ(ok.value().size(), 1u);
  EXPECT_EQ(ok.value()[0].secrets.size(), 1u);
  EXPECT_EQ(ok.value()[0].events, std::vector<std::string>{"person.erased"});

  auto bad = load_webhook_endpoints(R"({"endpoints": [{"url": "ftp://x", "secretFile": "missing.whsec",
      "events": ["consent.given"], "retries": 3}, {"url": "https://crm.example/h"}], "extra": 1})",
                                    file);
  ASSERT_FALSE(bad.ok());
  std::vector<std::string> where;
  for (const Problem& p : bad.problems()) where.push_back(p.code + " " + p.path);
  EXPECT_EQ(where, (std::vector<std::string>{
                       "webhook_bad_config /extra", "webhook_bad_config /endpoints/0/retries",
                       "webhook_bad_url /endpoints/0/url", "webhook_bad_config /endpoints/0/secretFile",
                       "webhook_unknown_event /endpoints/0/events/0", "webhook_bad_config /endpoints/1/secretFile"}));
  EXPECT_FALSE(load_webhook_endpoints("[]", file).ok());
  std::remove((dir + "/crm.whsec").c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace cachet::server
