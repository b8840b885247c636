// The message table (core/include/cachet/messages.h): every id has a text in
// every supported locale with the same {placeholders}, and every id the code
// asks for exists (the lookup of an unknown id yields the id itself, so the
// sources are scanned here rather than trusting a run to reach each text).
#include "cachet/messages.h"

#include <gtest/gtest.h>

#include <cctype>
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
  EXPECT_EQ(supported_locales(), (std::vector<std::string>{"fr", "en", "es", "de", "it"}));
  for (const char* locale : {"fr", "en", "es", "de", "it"}) EXPECT_TRUE(is_supported_locale(locale)) << locale;
  EXPECT_FALSE(is_supported_locale(""));
  EXPECT_FALSE(is_supported_locale("pt"));
  EXPECT_FALSE(is_supported_locale("DE"));
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
  EXPECT_EQ(text_locale("de", "fr"), "de");
  EXPECT_EQ(text_locale("pt", "fr"), "fr");
  EXPECT_EQ(text_locale("", "it"), "it");
  EXPECT_EQ(text_locale("pt", "xx"), "en");
  EXPECT_EQ(text_locale(""), "en");
  EXPECT_EQ(text("ui.close", "pt"), text("ui.close", "en"));
  EXPECT_EQ(text("ui.close", "de"), "Schließen");
  EXPECT_EQ(text("ui.close", "fr"), "Fermer");
}

TEST(Messages, PlaceholdersAreFilledAndAnUnknownIdIsDetectable) {
  EXPECT_EQ(text("ui.showPartners", "fr", {{"count", "12"}}), "Voir la liste des partenaires (12)");
  // A value is inserted as it is, never read again as a template.
  EXPECT_EQ(text("ui.updatedAt", "en", {{"date", "{count}"}}), "List updated on {count}.");
  EXPECT_FALSE(has_text("no.such.text"));
  EXPECT_EQ(text("no.such.text", "fr"), "no.such.text");
  EXPECT_EQ(join_list({"a", "b", "c"}, "fr"), "a, b et c");
  EXPECT_EQ(join_list({"a", "b", "c"}, "es"), "a, b y c");
  EXPECT_EQ(join_list({"a", "b"}, "de"), "a und b");
  EXPECT_EQ(join_list({"a", "b"}, "it"), "a e b");
  EXPECT_EQ(locale_choices("en"), "\"fr\", \"en\", \"es\", \"de\" or \"it\"");
  EXPECT_EQ(locale_choices("de"), "„fr“, „en“, „es“, „de“ oder „it“");
}

TEST(Messages, TheWidgetsWordsAreTheUiTexts) {
  const Json fr = texts_with_prefix("ui.", "fr");
  const Json en = texts_with_prefix("ui.", "pt");  // falls back to English
  EXPECT_EQ(fr.size(), en.size());
  EXPECT_EQ(fr.at("close"), "Fermer");
  EXPECT_EQ(en.at("close"), "Close");
  EXPECT_EQ(en.at("showPartners"), "See the list of partners ({count})");
  for (const std::string& locale : supported_locales()) {
    SCOPED_TRACE(locale);
    const Json words = texts_with_prefix("ui.", locale);
    EXPECT_EQ(words.size(), fr.size());
    for (const auto& [key, value] : words.items()) {
      EXPECT_EQ(value.get<std::string>(), text_template("ui." + key, locale)) << key;
    }
  }
  EXPECT_EQ(texts_with_prefix("ui.", "it").at("close"), "Chiudi");
}

// Each language keeps one word for the same thing across the table, so a
// person reads the same term in the notice, the receipt and the pages: the
// partners (es socios, de Partner, it partner), the privacy policy, the
// controller, the objection and the consent.
TEST(Messages, EachLanguageKeepsItsTerms) {
  struct Term {
    const char* locale;
    std::vector<const char*> ids;
    const char* word;
  };
  const std::vector<Term> terms = {
      {"es",
       {"notice.heading", "notice.partners_link", "ui.showPartners", "page.preferences.partners",
        "partners_page.caption"},
       "socio"},
      {"de",
       {"notice.heading", "notice.partners_link", "ui.showPartners", "page.preferences.partners",
        "partners_page.caption"},
       "Partner"},
      {"it",
       {"notice.heading", "notice.partners_link", "ui.showPartners", "page.preferences.partners",
        "partners_page.caption"},
       "partner"},
      {"es",
       {"notice.privacy_policy", "ui.policy", "receipt.privacy_policy", "partners_page.col.policy"},
       "olítica de privacidad"},
      {"de",
       {"notice.privacy_policy", "ui.policy", "receipt.privacy_policy", "partners_page.col.policy"},
       "Datenschutzerklärung"},
      {"it",
       {"notice.privacy_policy", "ui.policy", "receipt.privacy_policy", "partners_page.col.policy"},
       "nformativa sulla privacy"},
      {"es", {"notice.intro", "receipt.controller"}, "esponsable del tratamiento"},
      {"de", {"notice.intro", "receipt.controller"}, "Verantwortliche"},
      {"it", {"notice.intro", "receipt.controller"}, "itolare del trattamento"},
      {"es", {"notice.consent.hint", "receipt.decision.withdrawn", "page.preferences.withdraw"}, "consentimiento"},
      {"de", {"notice.consent.hint", "receipt.decision.withdrawn", "page.preferences.withdraw"}, "Einwilligung"},
      {"it", {"notice.consent.hint", "receipt.decision.withdrawn", "page.preferences.withdraw"}, "consenso"},
  };
  const auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  for (const Term& term : terms) {
    for (const char* id : term.ids) {
      EXPECT_NE(lower(text_template(id, term.locale)).find(lower(term.word)), std::string::npos)
          << id << " in " << term.locale << ": " << text_template(id, term.locale);
    }
  }
}

// The legitimate-interest box says which calls it covers (R1; automated calls
// need consent), as precisely as the CNIL's French wording, in every language.
TEST(Messages, TheObjectionBoxExcludesAutomatedCallsInEveryLanguage) {
  EXPECT_EQ(text("notice.by.postal_phone", "fr"), "par courrier postal et/ou par téléphone (hors appels automatisés)");
  EXPECT_EQ(text("notice.by.postal_phone", "es"),
            "por correo postal y/o por teléfono (excepto llamadas automatizadas)");
  EXPECT_EQ(text("notice.by.postal_phone", "de"), "per Post und/oder Telefon (ausgenommen automatisierte Anrufe)");
  EXPECT_EQ(text("notice.by.postal_phone", "it"), "per posta e/o per telefono (escluse le chiamate automatizzate)");
  for (const std::string& locale : supported_locales()) {
    for (const char* id : {"notice.by.phone", "notice.channel.phone", "receipt.channel.phone", "page.channel.phone",
                           "partner.channel.phone"}) {
      const std::string_view phone = text_template(id, locale);
      const std::string_view by = text_template("notice.by.postal_phone", locale);
      const std::string_view exclusion = by.substr(by.rfind('('));
      EXPECT_NE(phone.find(exclusion.substr(1, exclusion.size() - 2)), std::string_view::npos)
          << id << " in " << locale << ": " << phone;
    }
  }
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
