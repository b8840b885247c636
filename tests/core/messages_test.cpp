// The message table (core/include/cachet/messages.h): every id has a text in
// every supported locale with the same {placeholders}, and every id the code
// asks for exists (the lookup of an unknown id yields the id itself, so the
// sources are scanned here rather than trusting a run to reach each text).
#include "cachet/messages.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "cachet/choices.h"
#include "cachet/config.h"
#include "test_crypto.h"

namespace cachet {
namespace {

std::set<std::string> placeholders(std::string_view text) {
  static const std::regex kPlaceholder(R"(\{([A-Za-z_]+)\})");
  std::set<std::string> out;
  const std::string s(text);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kPlaceholder); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

TEST(Messages, TheSupportedLocalesComeFromTheTable) {
  EXPECT_EQ(supported_locales(), (std::vector<std::string>{"fr", "en"}));
  EXPECT_TRUE(is_supported_locale("fr"));
  EXPECT_FALSE(is_supported_locale(""));
  EXPECT_FALSE(is_supported_locale("de"));
}

TEST(Messages, EveryIdIsUniqueAndHasANonEmptyTextWithTheSamePlaceholdersInEveryLocale) {
  const std::vector<std::string_view> ids = text_ids();
  ASSERT_GE(ids.size(), 200u);
  std::set<std::string_view> seen;
  for (const std::string_view id : ids) {
    SCOPED_TRACE(std::string(id));
    EXPECT_TRUE(seen.insert(id).second) << "duplicate id";
    const std::set<std::string> reference = placeholders(text_template(id, "en"));
    for (const std::string& locale : supported_locales()) {
      const std::string_view text = text_template(id, locale);
      EXPECT_FALSE(text.empty()) << "no text in " << locale;
      EXPECT_EQ(placeholders(text), reference) << "placeholders differ in " << locale;
    }
  }
}

TEST(Messages, OneFallbackRule) {
  EXPECT_EQ(text_locale("fr", "en"), "fr");
  EXPECT_EQ(text_locale("de", "fr"), "fr");
  EXPECT_EQ(text_locale("", "fr"), "fr");
  EXPECT_EQ(text_locale("de", "xx"), "en");
  EXPECT_EQ(text_locale(""), "en");
  EXPECT_EQ(text("ui.close", "de"), text("ui.close", "en"));
  EXPECT_EQ(text("ui.close", "fr"), "Fermer");
}

TEST(Messages, PlaceholdersAreFilledAndAnUnknownIdIsDetectable) {
  EXPECT_EQ(text("ui.showPartners", "fr", {{"count", "12"}}), "Voir la liste des partenaires (12)");
  // A value is inserted as it is, never read again as a template.
  EXPECT_EQ(text("ui.updatedAt", "en", {{"date", "{count}"}}), "List updated on {count}.");
  EXPECT_FALSE(has_text("no.such.text"));
  EXPECT_EQ(text("no.such.text", "fr"), "no.such.text");
  EXPECT_EQ(join_list({"a", "b", "c"}, "fr"), "a, b et c");
  EXPECT_EQ(locale_choices("en"), "\"fr\" or \"en\"");
}

TEST(Messages, TheWidgetsWordsAreTheUiTexts) {
  const Json fr = texts_with_prefix("ui.", "fr");
  const Json en = texts_with_prefix("ui.", "de");  // falls back to English
  EXPECT_EQ(fr.size(), en.size());
  EXPECT_EQ(fr.at("close"), "Fermer");
  EXPECT_EQ(en.at("close"), "Close");
  EXPECT_EQ(en.at("showPartners"), "See the list of partners ({count})");
}

// Every id the code names exists. Ids are string literals in the sources that
// look up texts; a family built at run time ("receipt.channel." + name) is
// checked value by value.
TEST(Messages, EveryIdTheCodeAsksForIsInTheTable) {
  const std::regex kId(
      R"re("((?:notice|receipt|page|partner|time|ui|list|locale|choice_[a-z_]+)\.[A-Za-z0-9_.-]*[A-Za-z0-9_])")re");
  const std::regex kCall(R"re(\b(?:say|text|t|line)\(\s*(?:l,\s*)?"([a-z][a-z_]*)")re");
  std::size_t found = 0;
  for (const char* file : {"core/src/notice.cpp", "core/src/choices.cpp", "core/src/receipt.cpp", "core/src/config.cpp",
                           "server/src/pages.cpp", "export/src/notice_text.cpp"}) {
    SCOPED_TRACE(file);
    const std::string source = testing::read_fixture(std::string("../../") + file);
    ASSERT_FALSE(source.empty());
    for (const std::regex* re : {&kId, &kCall}) {
      for (auto it = std::sregex_iterator(source.begin(), source.end(), *re); it != std::sregex_iterator(); ++it) {
        const std::string id = (*it)[1].str();
        if (has_text(id)) {
          ++found;
          continue;
        }
        ADD_FAILURE() << "the table lacks \"" << id << "\"";
      }
    }
  }
  EXPECT_GE(found, 100u);
  std::vector<std::string> families;
  for (const Channel c : all_channels()) {
    for (const char* prefix : {"receipt.channel.", "page.channel.", "partner.channel.", "channel."}) {
      families.push_back(prefix + std::string(to_string(c)));
    }
  }
  for (const char* d : {"objected", "not-objected", "granted", "not-granted", "withdrawn"}) {
    families.push_back(std::string("receipt.decision.") + d);
    families.push_back(std::string("page.decision.") + d);
  }
  for (const char* m : {"web-form", "paper", "phone", "preference-centre", "relayed-by-partner"}) {
    families.push_back(std::string("receipt.method.") + m);
  }
  for (int month = 1; month <= 12; ++month) families.push_back("time.month." + std::to_string(month));
  for (const std::string& id : families) EXPECT_TRUE(has_text(id)) << id;
}

}  // namespace
}  // namespace cachet
