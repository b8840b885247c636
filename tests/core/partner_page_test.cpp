// The partner page (core/include/cachet/partner_page.h, R3, R7) and the date
// it shows (publication.h partner_list_since): generated from the config,
// never typed by hand. Native only, like the server pages.
#include "cachet/partner_page.h"

#include <gtest/gtest.h>

#include <string>

#include "cachet/config.h"
#include "cachet/publication.h"
#include "test_crypto.h"

namespace cachet {
namespace {

using testing::make_test_crypto;
using testing::read_fixture;

Json societe_x() {
  Json j = Json::parse(read_fixture("configs/societe-x.json"));
  return j;
}

Config load(const Json& j) {
  Result<Config> c = load_config(j.dump());
  EXPECT_TRUE(c.ok());
  return c.ok() ? c.value() : Config{};
}

std::string page(const Json& config, const char* locale, PartnerPageOptions options = {}) {
  Result<std::string> html = render_partner_page(load(config), locale, options);
  EXPECT_TRUE(html.ok());
  return html.ok() ? html.value() : "";
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(PartnerPage, FrenchListsEveryPartnerWithItsChannelsAndPolicy) {
  PartnerPageOptions options;
  options.updated_at = "2026-11-20T08:00:00Z";
  options.alternates = {{"en", "/partners"}};
  const std::string html = page(societe_x(), "fr", options);
  EXPECT_EQ(html.rfind("<!doctype html>\n<html lang=\"fr\">", 0), 0u);
  EXPECT_NE(html.find("<h1>Les partenaires commerciaux de Société X</h1>"), std::string::npos);
  EXPECT_NE(html.find("<caption>Partenaires (6)</caption>"), std::string::npos);
  EXPECT_EQ(count(html, "<th scope=\"row\">"), 6u);
  EXPECT_NE(html.find("<th scope=\"row\">Crédit du Lac</th><td>banque</td><td>courrier postal et courrier "
                      "électronique</td><td><a href=\"https://credit-du-lac.example/vie-privee\""),
            std::string::npos);
  EXPECT_NE(html.find("<td>courrier postal et téléphone (hors appels automatisés)</td>"), std::string::npos);
  EXPECT_NE(html.find("Liste mise à jour le 20 novembre 2026."), std::string::npos);
  EXPECT_NE(html.find("<a href=\"/partners\" hreflang=\"en\" lang=\"en\">English</a>"), std::string::npos);
  // Each partner's contact (R8), where the person objects or withdraws.
  EXPECT_NE(html.find(">Contact</th>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"mailto:donnees@credit-du-lac.example\""), std::string::npos);
  EXPECT_NE(html.find("10 rue de la Paix, 75002 Paris</td>"), std::string::npos);
}

TEST(PartnerPage, English) {
  const std::string html = page(societe_x(), "en");
  EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(html.find("<caption>Partners (6)</caption>"), std::string::npos);
  EXPECT_NE(html.find("<td>post and phone (excluding automated calls)</td>"), std::string::npos);
  EXPECT_NE(html.find(">Privacy policy (Habitat Serein)</a>"), std::string::npos);
  EXPECT_EQ(html.find("updated on"), std::string::npos);  // no date given, none shown
}

// R8: where the person reaches each partner (partners[].contact), when given.
TEST(PartnerPage, AContactColumnWhenTheConfigGivesOne) {
  Json c = societe_x();
  for (Json& entry : c["partners"]["entries"]) entry.erase("contact");
  EXPECT_EQ(page(c, "en").find(">Contact</th>"), std::string::npos);  // no column of empty cells
  c["partners"]["entries"][0]["contact"] = {{"email", "dpo@acme-assurances.example"},
                                            {"postal", "ACME, 1 rue <Haute>, 75001 Paris"}};
  ASSERT_TRUE(load_config(c.dump()).ok());
  const std::string html = page(c, "en");
  EXPECT_NE(html.find(">Contact</th>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"mailto:dpo@acme-assurances.example\""), std::string::npos);
  EXPECT_NE(html.find("ACME, 1 rue &lt;Haute&gt;, 75001 Paris"), std::string::npos);
}

TEST(PartnerPage, ConfigTextIsEscaped) {
  Json c = societe_x();
  c["partners"]["entries"][0]["name"] = "<script>alert(1)</script> & Cie";
  const std::string html = page(c, "fr");
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie"), std::string::npos);
}

TEST(PartnerPage, UnsupportedLocaleIsAProblem) {
  Result<std::string> html = render_partner_page(load(societe_x()), "pt", {});
  ASSERT_FALSE(html.ok());
  EXPECT_EQ(html.problems()[0].code, "notice_locale_unsupported");
}

TEST(PartnerPage, StaticDateComesFromTheOptionOrTheConfigVersion) {
  Json c = societe_x();
  EXPECT_EQ(partner_page_date(load(c), "2026-12-01"), "2026-12-01");
  EXPECT_EQ(partner_page_date(load(c), ""), "2026-11-01");  // configVersion
  EXPECT_EQ(partner_page_date(load(c), "2026-02-30"), "");  // not a date: refused
  c["configVersion"] = "v7";
  EXPECT_EQ(partner_page_date(load(c), ""), "");
}

TEST(PartnerPage, ASameSitePathIsAPartnerListUrl) {
  Json c = societe_x();
  c["partners"]["listUrl"] = "/partenaires";
  EXPECT_EQ(load(c).partners.list_url, "/partenaires");
  for (const char* bad : {"//evil.example/x", "/\\evil", "javascript:alert(1)", "http://x.example/p", "/a b"}) {
    c["partners"]["listUrl"] = bad;
    EXPECT_FALSE(lint_config(c.dump()).ok()) << bad;
  }
}

// The list's date is when its partners were first published, not when a
// later version changed only its texts.
TEST(PartnerListSince, TheRunOfVersionsWithTheSamePartners) {
  const auto crypto = make_test_crypto();
  const auto version = [&](const Json& j, const char* served) {
    Result<PublishedVersion> v = published_version(load(j), *crypto);
    EXPECT_TRUE(v.ok());
    PublishedVersion out = v.ok() ? v.value() : PublishedVersion{};
    out.first_served_at = served;
    return out;
  };
  Json a = societe_x();
  Json b = a;
  b["partners"]["entries"].push_back({{"id", "nouveau"},
                                      {"name", "Nouveau Partenaire"},
                                      {"privacyPolicyUrl", "https://nouveau.example/confidentialite"},
                                      {"sector", "banque"}});
  b["configVersion"] = "2026-12-01";
  Json c = b;  // same partners, other words
  c["configVersion"] = "2026-12-15";
  c["partners"]["updatedAt"] = "2026-12-15";
  c["texts"]["fr"]["heading"] = "Nos partenaires";
  const std::vector<PublishedVersion> published = {
      version(a, "2026-11-01T09:00:00Z"), version(b, "2026-12-01T10:00:00Z"), version(c, "2026-12-15T11:00:00Z")};
  EXPECT_EQ(partner_list_since(published, published[2].digest), "2026-12-01T10:00:00Z");
  EXPECT_EQ(partner_list_since(published, published[1].digest), "2026-12-01T10:00:00Z");
  EXPECT_EQ(partner_list_since(published, published[0].digest), "2026-11-01T09:00:00Z");
  EXPECT_EQ(partner_list_since(published, "0000"), "");
}

}  // namespace
}  // namespace cachet
