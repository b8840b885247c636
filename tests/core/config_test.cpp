// Config lint (DESIGN.md 3.1, rules R1-R9): the fixture folder is the
// regression suite; the tests below cover what one fixture cannot show.
#include "cachet/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cachet/json.h"
#include "test_crypto.h"

namespace cachet {
namespace {

using testing::fixtures_dir;
using testing::read_fixture;

using CodePaths = std::multiset<std::pair<std::string, std::string>>;

CodePaths code_paths(const Problems& problems) {
  CodePaths out;
  for (const Problem& p : problems) out.emplace(p.code, p.path);
  return out;
}

CodePaths expected_code_paths(const Json& list) {
  CodePaths out;
  for (const Json& item : list) out.emplace(item.at("code").get<std::string>(), item.at("path").get<std::string>());
  return out;
}

std::string describe(const CodePaths& set) {
  std::string out;
  for (const auto& [code, path] : set) out += "  " + code + " at \"" + path + "\"\n";
  return out.empty() ? "  (none)\n" : out;
}

std::vector<std::string> lint_fixture_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures_dir() + "/lint", ec)) {
    const std::string file = entry.path().filename().string();
    const std::string suffix = ".expected.json";
    if (file.size() > suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0) continue;
    if (file.size() > 5 && file.compare(file.size() - 5, 5, ".json") == 0)
      names.push_back(file.substr(0, file.size() - 5));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Json parse(const std::string& text) {
  Result<Json> parsed = parse_json_strict(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.problems().front().message);
  return parsed.ok() ? parsed.value() : Json();
}

bool has(const Problems& problems, const std::string& code, const std::string& path) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const Problem& p) { return p.code == code && p.path == path; });
}

// --- the fixture folder: one file per rule / code --------------------------------

TEST(LintFixtures, EveryFixtureGivesExactlyItsExpectedProblems) {
  const std::vector<std::string> names = lint_fixture_names();
  ASSERT_GE(names.size(), 60u) << "fixtures not found in " << fixtures_dir() << "/lint";
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const Json expected = parse(read_fixture("lint/" + name + ".expected.json"));
    const LintReport report = lint_config(read_fixture("lint/" + name + ".json"));
    const CodePaths want_errors = expected_code_paths(expected.at("errors"));
    const CodePaths want_warnings = expected_code_paths(expected.at("warnings"));
    EXPECT_EQ(code_paths(report.errors), want_errors) << "errors got:\n"
                                                      << describe(code_paths(report.errors)) << "want:\n"
                                                      << describe(want_errors);
    EXPECT_EQ(code_paths(report.warnings), want_warnings) << "warnings got:\n"
                                                          << describe(code_paths(report.warnings)) << "want:\n"
                                                          << describe(want_warnings);
    EXPECT_EQ(report.ok(), want_errors.empty());
  }
}

// Every message is a finished sentence: no placeholder left, never the bare code.
TEST(LintFixtures, EveryMessageIsAFilledInSentenceInEveryLanguage) {
  const std::regex placeholder(R"(\{[a-z]+\})");
  const std::regex own_locale(R"re("locale"\s*:\s*"(fr|en)")re");
  for (const std::string& name : lint_fixture_names()) {
    SCOPED_TRACE(name);
    const std::string original = read_fixture("lint/" + name + ".json");
    for (const std::string& locale : supported_locales()) {
      SCOPED_TRACE(locale);
      // Force the message locale by rewriting the config's own locale when it has one.
      const std::string text = std::regex_replace(original, own_locale, "\"locale\": \"" + locale + "\"",
                                                  std::regex_constants::format_first_only);
      const LintReport report = lint_config(text, locale);
      for (const Problems* list : {&report.errors, &report.warnings}) {
        for (const Problem& p : *list) {
          EXPECT_FALSE(p.message.empty()) << p.code;
          EXPECT_NE(p.message, p.code);
          EXPECT_FALSE(std::regex_search(p.message, placeholder)) << p.message;
          EXPECT_FALSE(p.message[0] >= 'a' && p.message[0] <= 'z') << "a sentence starts with a capital: " << p.message;
        }
      }
    }
  }
}

TEST(LintMessages, AProblemAtTheTopLevelStillReadsAsASentence) {
  const LintReport missing = lint_config("{}", "en");
  ASSERT_FALSE(missing.errors.empty());
  EXPECT_EQ(missing.errors[0].path, "");
  EXPECT_EQ(missing.errors[0].message.rfind("The top level lacks the required member", 0), 0u)
      << missing.errors[0].message;
  const LintReport fr = lint_config("{}", "fr");
  ASSERT_FALSE(fr.errors.empty());
  EXPECT_EQ(fr.errors[0].message.rfind("Il manque le membre obligatoire", 0), 0u) << fr.errors[0].message;
  EXPECT_NE(fr.errors[0].message.find("dans la racine."), std::string::npos) << fr.errors[0].message;
}

TEST(LintMessages, TextsInListsAreCheckedLikeEveryLocalizedText) {
  Result<Json> parsed = parse_json_strict(read_fixture("configs/societe-x.json"));
  ASSERT_TRUE(parsed.ok());
  Json c = parsed.value();
  c["recipients"]["sectors"] = {"", {{"pt", "seguros"}}, {{"fr", "banque"}, {"en", "banking"}}};
  c["recipients"]["offerTypes"] = {7};
  c["partners"]["entries"][0]["sector"] = {{"fr", " "}};
  const LintReport report = lint_config(c.dump(), "en");
  std::vector<std::pair<std::string, std::string>> found;
  for (const Problem& p : report.errors) found.emplace_back(p.code, p.path);
  for (const auto& expected :
       std::vector<std::pair<std::string, std::string>>{{"config_empty_value", "/recipients/sectors/0"},
                                                        {"config_locale_unsupported", "/recipients/sectors/1/pt"},
                                                        {"config_wrong_type", "/recipients/offerTypes/0"},
                                                        {"config_empty_value", "/partners/entries/0/sector/fr"}}) {
    EXPECT_NE(std::find(found.begin(), found.end(), expected), found.end()) << expected.first << " " << expected.second;
  }
  EXPECT_EQ(report.errors.size(), 4u);
}

// --- valid examples ---------------------------------------------------------------

TEST(ConfigExamples, SocieteXIsValidWithoutWarnings) {
  const LintReport report = lint_config(read_fixture("configs/societe-x.json"));
  EXPECT_TRUE(report.ok()) << report.to_json().dump(2);
  EXPECT_TRUE(report.warnings.empty()) << report.to_json().dump(2);

  Result<Config> loaded = load_config(read_fixture("configs/societe-x.json"));
  ASSERT_TRUE(loaded.ok());
  const Config& c = loaded.value();
  EXPECT_EQ(c.config_version, "2026-11-01");
  EXPECT_EQ(c.locale, "fr");
  EXPECT_EQ(c.controller.name, "Société X");
  EXPECT_EQ(c.controller.rights_contact, "dpo@x.example");
  EXPECT_EQ(c.purpose.get("en", c.locale), "our partners' marketing");
  EXPECT_EQ(c.purpose.get("fr", c.locale), "prospection commerciale de nos partenaires");
  ASSERT_EQ(c.recipients.sectors.size(), 2u);
  EXPECT_EQ(c.recipients.sectors[0].get("en", c.locale), "assurance");
  EXPECT_EQ(c.recipients.sectors[1].get("fr", c.locale), "banque");
  EXPECT_EQ(c.recipients.approximate_count, 6);
  ASSERT_EQ(c.channels.size(), 4u);
  EXPECT_EQ(c.channels[0].channel, Channel::kPostal);
  EXPECT_EQ(c.channels[0].basis, Basis::kLegitimateInterest);
  EXPECT_EQ(c.channels[3].channel, Channel::kSms);
  EXPECT_EQ(c.channels[3].partner_prospecting, PartnerProspecting::kOnBehalf);
  ASSERT_NE(c.find(Channel::kEmail), nullptr);
  EXPECT_EQ(c.find(Channel::kEmail)->basis, Basis::kConsent);
  EXPECT_TRUE(c.combine_objection);
  EXPECT_EQ(c.retention_months, 36);
  EXPECT_EQ(c.fields.at("mobile"), "[name=mobile]");
  EXPECT_EQ(c.receipt_input, "cachet_receipt");
  EXPECT_EQ(c.jurisdiction, "FR");
  EXPECT_EQ(c.theme.at("accent").get<std::string>(), "#0a58ca");
  ASSERT_EQ(c.partners.entries.size(), 6u);
  EXPECT_EQ(c.partners.list_url, "https://x.example/partenaires");
  EXPECT_EQ(c.partners.updated_at, "2026-11-01");
  // Crédit du Lac lists postal+email, Habitat Serein postal+phone; the others get every channel.
  EXPECT_EQ(c.partners_for(Channel::kPostal).size(), 6u);
  EXPECT_EQ(c.partners_for(Channel::kEmail).size(), 5u);
  EXPECT_EQ(c.partners_for(Channel::kSms).size(), 4u);
  EXPECT_TRUE(c.raw.is_object());
}

TEST(ConfigExamples, EnglishExampleIsValidWithoutWarnings) {
  const LintReport report = lint_config(read_fixture("configs/northwind-en.json"));
  EXPECT_TRUE(report.ok()) << report.to_json().dump(2);
  EXPECT_TRUE(report.warnings.empty()) << report.to_json().dump(2);
  Result<Config> loaded = load_config(read_fixture("configs/northwind-en.json"));
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.value().locale, "en");
  EXPECT_EQ(loaded.value().channels.size(), 2u);
  EXPECT_EQ(loaded.value().find(Channel::kSms), nullptr);
  EXPECT_EQ(loaded.value().controller.rights_contact, "https://northwind.example/my-data");
  EXPECT_EQ(loaded.value().retention_months, 24);
  EXPECT_EQ(loaded.value().receipt_input, "cachet_receipt");  // default
}

TEST(ConfigExamples, GermanExampleIsValidWithoutWarnings) {
  const std::string text = read_fixture("configs/alpenblick-de.json");
  const LintReport report = lint_config(text);
  EXPECT_TRUE(report.ok()) << report.to_json().dump(2);
  EXPECT_TRUE(report.warnings.empty()) << report.to_json().dump(2);
  Result<Config> loaded = load_config(text);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.value().locale, "de");
  EXPECT_EQ(loaded.value().purpose.get("de", "de"), "Werbung unserer Partner für Reisen und Versicherungen");
  // A German config must give its texts in German: drop one and lint says so, in German.
  Result<Json> parsed = parse_json_strict(text);
  ASSERT_TRUE(parsed.ok());
  Json c = parsed.value();
  c["purpose"].erase("de");
  const LintReport missing = lint_config(c.dump());
  ASSERT_EQ(missing.warnings.size(), 1u) << missing.to_json().dump(2);
  EXPECT_EQ(missing.warnings[0].code, "text_missing_locale");
  EXPECT_EQ(missing.warnings[0].path, "/purpose");
  EXPECT_EQ(missing.warnings[0].message,
            "/purpose ist pro Sprache angegeben, aber ohne Text in „de“, einer Sprache der Konfiguration; in „de“ "
            "zeigt der Hinweis den Text einer anderen Sprache.");
}

// --- all at once, in the right language -------------------------------------------

TEST(LintReport, FiveMistakesGiveFiveErrorsInOnePass) {
  const LintReport report = lint_config(read_fixture("lint/five-mistakes-at-once.json"));
  ASSERT_EQ(report.errors.size(), 5u) << report.to_json().dump(2);
  std::set<std::string> codes;
  for (const Problem& p : report.errors) codes.insert(p.code);
  EXPECT_EQ(codes, (std::set<std::string>{"rule_r4_consent_required", "rule_r5_prechecked", "config_url_not_https",
                                          "config_unknown_key", "rule_r9_retention_missing"}));
  EXPECT_FALSE(report.ok());
}

TEST(LintReport, LoadConfigRefusesWithTheSameErrors) {
  const std::string text = read_fixture("lint/five-mistakes-at-once.json");
  Result<Config> loaded = load_config(text);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(code_paths(loaded.problems()), code_paths(lint_config(text).errors));
  // Warnings alone do not stop a config from loading.
  EXPECT_TRUE(load_config(read_fixture("lint/transmission-only.json")).ok());
}

TEST(LintReport, ToJsonHasOkErrorsAndWarnings) {
  const Json j = lint_config(read_fixture("lint/transmission-only.json")).to_json();
  EXPECT_EQ(j.at("ok"), true);
  EXPECT_TRUE(j.at("errors").empty());
  ASSERT_EQ(j.at("warnings").size(), 1u);
  EXPECT_EQ(j.at("warnings")[0].at("code"), "rule_r6_transmission_only");
  EXPECT_EQ(j.at("warnings")[0].at("path"), "/channels/email/partnerProspecting");
  EXPECT_TRUE(j.at("warnings")[0].at("message").is_string());

  const Json bad = lint_config(read_fixture("lint/email-without-consent.json")).to_json();
  EXPECT_EQ(bad.at("ok"), false);
  EXPECT_EQ(bad.at("errors")[0].size(), 3u);  // exactly code, path, message
  EXPECT_EQ(bad.at("errors")[0].at("path"), "/channels/email/basis");
}

TEST(LintMessages, TypoSuggestsTheClosestKnownKey) {
  const std::string text = read_fixture("lint/unknown-key-typo.json");  // locale fr
  const LintReport fr = lint_config(text);
  ASSERT_EQ(fr.errors.size(), 1u);
  EXPECT_NE(fr.errors[0].message.find("vouliez-vous dire « combineObjection »"), std::string::npos)
      << fr.errors[0].message;

  Json en = parse(text);
  en["locale"] = "en";
  const LintReport report = lint_config(en.dump());
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].message.find("did you mean \"combineObjection\"?"), std::string::npos)
      << report.errors[0].message;

  const LintReport nested = lint_config(read_fixture("lint/unknown-nested-key.json"));
  ASSERT_TRUE(has(nested.errors, "config_unknown_key", "/controller/privacyPolicyURL"));
  for (const Problem& p : nested.errors) {
    if (p.code == "config_unknown_key") {
      EXPECT_NE(p.message.find("« privacyPolicyUrl »"), std::string::npos) << p.message;
    }
  }
}

TEST(LintMessages, FarFromAnyKeyGivesNoSuggestion) {
  Json c = parse(read_fixture("lint/valid-minimal.json"));
  c["locale"] = "en";
  c["wholly-unrelated"] = 1;
  const LintReport report = lint_config(c.dump());
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].code, "config_unknown_key");
  EXPECT_EQ(report.errors[0].message.find("did you mean"), std::string::npos) << report.errors[0].message;
}

TEST(LintMessages, ConfigLocaleWinsOverTheCallersLocale) {
  const std::string fr_text = read_fixture("lint/email-without-consent.json");
  const LintReport fr = lint_config(fr_text, "en");
  ASSERT_EQ(fr.errors.size(), 1u);
  EXPECT_EQ(fr.errors[0].message,
            "R4 : la prospection des partenaires par courrier électronique exige le consentement de la personne ; "
            "/channels/email/basis doit valoir « consent ».");

  Json en = parse(fr_text);
  en["locale"] = "en";
  const LintReport report = lint_config(en.dump(), "fr");
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].message,
            "R4: partners' prospecting by email needs the person's consent; set /channels/email/basis to \"consent\".");
}

TEST(LintMessages, UnreadableLocaleFallsBackToTheCallersLocale) {
  const std::string text = read_fixture("lint/locale-unsupported.json");  // "locale": "pt"
  const LintReport fr = lint_config(text, "fr");
  ASSERT_EQ(fr.errors.size(), 1u);
  EXPECT_NE(fr.errors[0].message.find("n'est pas prise en charge"), std::string::npos) << fr.errors[0].message;
  const LintReport en = lint_config(text, "en");
  EXPECT_NE(en.errors[0].message.find("is not supported"), std::string::npos) << en.errors[0].message;
  // An unsupported caller locale means English.
  EXPECT_EQ(lint_config(text, "pt").errors[0].message, en.errors[0].message);
}

TEST(LintMessages, JsonErrorsAreLocalizedToo) {
  const LintReport fr = lint_config("{\"a\": ", "fr");
  ASSERT_EQ(fr.errors.size(), 1u);
  EXPECT_EQ(fr.errors[0].code, "json_syntax");
  EXPECT_EQ(fr.errors[0].message.rfind("La configuration n'est pas un JSON acceptable", 0), 0u) << fr.errors[0].message;
  EXPECT_EQ(lint_config("{\"a\": ", "en").errors[0].message.rfind("The JSON text is malformed", 0), 0u);
}

// --- hostile input never crashes and is kept as data ------------------------------

TEST(LintHostile, WrongShapesAtEveryLevelAreReportedNotCrashed) {
  for (const char* text : {"null",
                           "0",
                           "true",
                           "\"x\"",
                           "[]",
                           "[{}]",
                           "{}",
                           "1e308",
                           "-1e308",
                           "{\"channels\": {\"email\": []}}",
                           "{\"channels\": {\"email\": {\"basis\": {}}}}",
                           "{\"partners\": {\"entries\": [null, 1, \"a\", [], {\"id\": {}}]}}",
                           "{\"partners\": {\"entries\": [{\"channels\": [null, {}, \"email\"]}]}}",
                           "{\"recipients\": {\"approximateCount\": -9223372036854775808}}",
                           "{\"recipients\": {\"approximateCount\": 18446744073709551615}}",
                           "{\"retention\": {\"months\": 1e400}}",
                           "{\"texts\": {\"fr\": {\"boxes\": []}}}",
                           "{\"texts\": {\"fr\": {\"boxes\": {\"consent-email\": 3}}}}",
                           "{\"theme\": {\"radius\": 4}}",
                           "{\"purpose\": {}}",
                           "{\"purpose\": []}",
                           "{\"controller\": {\"rightsContact\": \"@\"}}",
                           "{\"fields\": {\"email\": \"\"}}",
                           "\"\\ud800\"",
                           "{\"a\":1,\"a\":2}"}) {
    SCOPED_TRACE(text);
    const LintReport report = lint_config(text);
    EXPECT_FALSE(report.ok());
    for (const Problem& p : report.errors) EXPECT_FALSE(p.message.empty());
    EXPECT_FALSE(load_config(text).ok());
  }
}

TEST(LintHostile, DeepNestingIsRefusedByTheParser) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const LintReport report = lint_config(deep);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].code, "json_too_deep");
  std::string objects;
  for (int i = 0; i < 5000; ++i) objects += "{\"theme\":";
  objects += "1" + std::string(5000, '}');
  EXPECT_EQ(lint_config(objects).errors.at(0).code, "json_too_deep");
}

TEST(LintHostile, GiantArraysAreHandled) {
  Json c = parse(read_fixture("lint/valid-minimal.json"));
  Json sectors = Json::array();
  for (int i = 0; i < 50000; ++i) sectors.push_back(i);  // all the wrong type
  c["recipients"]["sectors"] = sectors;
  const LintReport report = lint_config(c.dump());
  EXPECT_EQ(report.errors.size(), 50000u);
  EXPECT_EQ(report.errors.back().path, "/recipients/sectors/49999");

  const LintReport too_large = lint_config(std::string(2 << 20, ' ') + "{}");
  ASSERT_EQ(too_large.errors.size(), 1u);
  EXPECT_EQ(too_large.errors[0].code, "json_too_large");
}

TEST(LintHostile, MarkupInNamesIsKeptAsLiteralText) {
  const std::string name = "<img src=x onerror=alert(1)>";
  Result<Config> loaded = load_config(read_fixture("lint/hostile-partner-name.json"));
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.value().partners.entries[0].name, name);
  // Names in messages are echoed as typed, never escaped or interpreted.
  Json c = parse(read_fixture("lint/valid-minimal.json"));
  c["<script>"] = 1;
  const LintReport report = lint_config(c.dump());
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].path, "/<script>");
  EXPECT_NE(report.errors[0].message.find("« <script> »"), std::string::npos);
}

TEST(LintHostile, PointerTokensAreEscaped) {
  Json c = parse(read_fixture("lint/valid-minimal.json"));
  c["channels"]["a/b~c"] = Json::object();
  const LintReport report = lint_config(c.dump());
  EXPECT_TRUE(has(report.errors, "config_unknown_key", "/channels/a~1b~0c")) << report.to_json().dump(2);
}

// Byte-level mutations of a valid config: the lint must answer every time.
TEST(LintHostile, MutatedConfigsNeverCrash) {
  const std::string base = read_fixture("configs/societe-x.json");
  std::uint32_t state = 12345;
  const auto next = [&state] {
    state = state * 1103515245u + 12345u;
    return state >> 8;
  };
  const std::string alphabet = "{}[]\":,0-9eE.+ \\tnulrfas\x01\xc3\xa9\xff";
  for (int round = 0; round < 3000; ++round) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = next() % text.size();
      switch (next() % 3) {
        case 0:
          text[at] = alphabet[next() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1 + next() % 8);
          break;
        default:
          text.insert(at, 1, alphabet[next() % alphabet.size()]);
          break;
      }
    }
    const LintReport report = lint_config(text);
    if (report.ok()) {
      EXPECT_TRUE(load_config(text).ok());
    }
  }
}

// --- names and small helpers -----------------------------------------------------------

TEST(ConfigNames, ChannelsRoundTripInDisplayOrder) {
  ASSERT_EQ(all_channels().size(), 4u);
  const std::vector<std::string> names = {"postal", "phone", "email", "sms"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(to_string(all_channels()[i]), names[i]);
    EXPECT_EQ(channel_from_string(names[i]), all_channels()[i]);
  }
  EXPECT_FALSE(channel_from_string("Email").has_value());
  EXPECT_FALSE(channel_from_string("").has_value());
  EXPECT_EQ(to_string(Basis::kConsent), "consent");
  EXPECT_EQ(to_string(Basis::kLegitimateInterest), "legitimate-interest");
  EXPECT_EQ(to_string(PartnerProspecting::kOnBehalf), "on-behalf");
  EXPECT_EQ(to_string(PartnerProspecting::kTransmissionOnly), "transmission-only");
  EXPECT_EQ(supported_locales(),
            (std::vector<std::string>{"fr", "en", "es", "de", "it"}));  // derived from the message table
}

TEST(ConfigNames, LocalizedTextFallsBack) {
  LocalizedText one;
  one.by_locale[""] = "même texte";
  EXPECT_EQ(one.get("en", "fr"), "même texte");
  LocalizedText both;
  both.by_locale["fr"] = "bonjour";
  both.by_locale["en"] = "hello";
  EXPECT_EQ(both.get("en", "fr"), "hello");
  EXPECT_EQ(both.get("de", "fr"), "bonjour");
  LocalizedText only_fr;
  only_fr.by_locale["fr"] = "bonjour";
  EXPECT_EQ(only_fr.get("en", "fr"), "bonjour");
  EXPECT_EQ(only_fr.get("en", "en"), "bonjour");  // last resort: any text rather than none
  EXPECT_EQ(LocalizedText{}.get("fr", "fr"), "");
}

// --- the JSON Schema stays in step with the lint ------------------------------------------

const Json& resolve(const Json& schema, const Json& node) {
  const auto ref = node.find("$ref");
  if (ref == node.end() || !ref->is_string()) return node;
  const std::string prefix = "#/$defs/";
  const std::string target = ref->get<std::string>();
  return schema.at("$defs").at(target.substr(prefix.size()));
}

TEST(ConfigSchema, EveryMemberTheSchemaNamesIsAcceptedByTheLint) {
  const Json schema = parse(read_fixture("../../schema/cachet-config.schema.json"));
  EXPECT_EQ(schema.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema.at("additionalProperties"), false);
  const Json& top = schema.at("properties");
  for (const auto& item : top.items()) {
    SCOPED_TRACE(item.key());
    EXPECT_TRUE(item.value().contains("description") || resolve(schema, item.value()).contains("description"));
    Json probe = Json::object();
    probe[item.key()] = nullptr;
    EXPECT_FALSE(has(lint_config(probe.dump()).errors, "config_unknown_key", pointer_append("", item.key())));
    const Json& def = resolve(schema, item.value());
    if (!def.contains("properties") || item.key() == "texts") continue;
    for (const auto& sub : def.at("properties").items()) {
      Json nested = Json::object();
      nested[item.key()][sub.key()] = nullptr;
      EXPECT_FALSE(has(lint_config(nested.dump()).errors, "config_unknown_key",
                       pointer_append(pointer_append("", item.key()), sub.key())))
          << sub.key();
    }
  }
}

TEST(ConfigSchema, EveryTopLevelKeyTheLintAcceptsIsInTheSchema) {
  const Json schema = parse(read_fixture("../../schema/cachet-config.schema.json"));
  const Json& top = schema.at("properties");
  const std::vector<std::string> accepted = {"$schema",          "configVersion", "locale",   "controller",
                                             "purpose",          "recipients",    "partners", "channels",
                                             "combineObjection", "retention",     "fields",   "receiptInput",
                                             "jurisdiction",     "texts",         "theme"};
  for (const std::string& key : accepted) {
    EXPECT_TRUE(top.contains(key)) << key;
    Json probe = Json::object();
    probe[key] = nullptr;
    EXPECT_FALSE(has(lint_config(probe.dump()).errors, "config_unknown_key", pointer_append("", key))) << key;
  }
  EXPECT_EQ(top.size(), accepted.size());
  // Whatever the example uses, the schema knows.
  const Json example = parse(read_fixture("configs/societe-x.json"));
  for (const auto& item : example.items()) EXPECT_TRUE(top.contains(item.key())) << item.key();
}

// The schema's languages are the message table's: the locale enum, the
// texts.<locale> members and the per-language texts, in the table's order.
TEST(ConfigSchema, ItsLanguagesAreTheMessageTables) {
  const Json schema = parse(read_fixture("../../schema/cachet-config.schema.json"));
  const Json locales(supported_locales());
  EXPECT_EQ(schema.at("properties").at("locale").at("enum"), locales);
  std::vector<std::string> texts, localized;
  for (const auto& item : schema.at("properties").at("texts").at("properties").items()) texts.push_back(item.key());
  const Json& per_language = schema.at("$defs").at("localizedText").at("oneOf").at(1).at("properties");
  for (const auto& item : per_language.items()) localized.push_back(item.key());
  std::vector<std::string> sorted = supported_locales();
  std::sort(sorted.begin(), sorted.end());  // nlohmann keeps object members sorted
  EXPECT_EQ(texts, sorted);
  EXPECT_EQ(localized, sorted);
}

}  // namespace
}  // namespace cachet
