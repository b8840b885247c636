// The notice (R1-R7): exact wording of what the person reads, and the
// canonical bytes whose digests a receipt carries.
#include "cachet/notice.h"

#include <gtest/gtest.h>

#include <string>

#include "cachet/canonical_json.h"
#include "cachet/config.h"
#include "test_crypto.h"

namespace cachet {
namespace {

using testing::read_fixture;

Json fixture_json(const std::string& name) {
  Result<Json> parsed = parse_json_strict(read_fixture(name));
  EXPECT_TRUE(parsed.ok());
  return parsed.ok() ? parsed.value() : Json::object();
}

Config load(const Json& config) {
  Result<Config> loaded = load_config(config.dump());
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? ""
                                           : loaded.problems().front().code + " " + loaded.problems().front().path);
  return loaded.ok() ? loaded.value() : Config{};
}

Notice notice_for(const Json& config, const char* locale) {
  Result<Notice> notice = build_notice(load(config), locale);
  EXPECT_TRUE(notice.ok());
  return notice.ok() ? notice.value() : Notice{};
}

const Json& societe_x() {
  static const Json config = fixture_json("configs/societe-x.json");
  return config;
}

TEST(Notice, FrenchBoxesFollowTheCnilWording) {
  const Notice n = notice_for(societe_x(), "fr");
  ASSERT_EQ(n.boxes.size(), 3u);
  EXPECT_EQ(n.boxes[0].id, "object-postal-phone");
  EXPECT_EQ(n.boxes[0].basis, Basis::kLegitimateInterest);
  EXPECT_EQ(n.boxes[0].channels, (std::vector<Channel>{Channel::kPostal, Channel::kPhone}));
  EXPECT_EQ(n.boxes[0].label,
            "Je m'oppose à ce que mes coordonnées postales et téléphoniques soient transmises aux partenaires "
            "commerciaux de Société X à des fins de prospection commerciale par courrier postal et/ou par téléphone "
            "(hors appels automatisés)");
  EXPECT_EQ(n.boxes[0].partner_link, "partenaires commerciaux de Société X");
  EXPECT_EQ(n.boxes[1].id, "consent-email");
  EXPECT_EQ(n.boxes[1].basis, Basis::kConsent);
  EXPECT_EQ(n.boxes[1].label,
            "J'accepte que mon adresse électronique soit transmise aux partenaires commerciaux de Société X afin de "
            "recevoir leurs offres commerciales par courrier électronique");
  EXPECT_EQ(n.boxes[2].id, "consent-sms");
  EXPECT_EQ(n.boxes[2].channels, (std::vector<Channel>{Channel::kSms}));
  EXPECT_EQ(n.boxes[2].label,
            "J'accepte que mon numéro de téléphone mobile soit transmis aux partenaires commerciaux de Société X afin "
            "de recevoir leurs offres commerciales par SMS");
  // R6, on behalf: the box says whose consent it collects.
  EXPECT_EQ(n.boxes[1].hint,
            "Société X recueille ce consentement pour le compte des partenaires listés, et d'eux seuls. Vous pourrez "
            "retirer votre consentement à tout moment.");
  for (const NoticeBox& box : n.boxes) EXPECT_EQ(box.partner_link, "partenaires commerciaux de Société X") << box.id;
}

TEST(Notice, EnglishBoxes) {
  const Notice n = notice_for(societe_x(), "en");
  ASSERT_EQ(n.boxes.size(), 3u);
  EXPECT_EQ(n.boxes[0].label,
            "I object to my postal address and phone number being passed to Société X's business partners for their "
            "marketing by post and/or by phone (excluding automated calls)");
  EXPECT_EQ(n.boxes[1].label,
            "I agree that my email address may be passed to Société X's business partners so that they may send me "
            "offers by email");
  EXPECT_EQ(n.boxes[2].label,
            "I agree that my mobile phone number may be passed to Société X's business partners so that they may send "
            "me offers by SMS");
  EXPECT_EQ(n.boxes[2].hint,
            "Société X collects this consent on behalf of the listed partners, and only them. You can withdraw your "
            "consent at any time.");
  EXPECT_EQ(n.boxes[2].partner_link, "Société X's business partners");
  EXPECT_EQ(
      n.intro,
      "Société X, the data controller, would like to pass your contact details to business partners. Purpose: our "
      "partners' marketing.");
}

TEST(Notice, FrenchTextsStatePurposeRecipientsPartnersAndRights) {
  const Notice n = notice_for(societe_x(), "fr");
  EXPECT_EQ(n.locale, "fr");
  EXPECT_EQ(n.config_version, "2026-11-01");
  EXPECT_EQ(n.heading, "Transmission de vos coordonnées à nos partenaires");
  EXPECT_EQ(n.intro,
            "Société X, responsable du traitement, souhaite transmettre vos coordonnées à des partenaires commerciaux. "
            "Finalité : prospection commerciale de nos partenaires.");
  EXPECT_EQ(n.recipients,
            "Destinataires : environ 6 partenaires commerciaux des secteurs assurance et banque. Types d'offres : "
            "offres de crédit et assurance habitation.");
  EXPECT_EQ(n.partner_summary, "Voir la liste des 6 partenaires");
  EXPECT_EQ(n.partner_list_url, "https://x.example/partenaires");
  EXPECT_EQ(n.partner_list_updated_at, "2026-11-01");
  ASSERT_EQ(n.partners.size(), 6u);
  EXPECT_EQ(n.partners[0].name, "ACME Assurances");
  EXPECT_EQ(n.partners[0].privacy_policy_url, "https://acme-assurances.example/confidentialite");
  EXPECT_EQ(
      n.rights,
      "Vous pouvez vous opposer à la transmission de vos coordonnées ou retirer votre consentement à tout moment, "
      "gratuitement, en écrivant à dpo@x.example. Chaque partenaire vous indiquera, dès son premier contact et au "
      "plus tard dans un délai d'un mois, que vos coordonnées lui ont été transmises par Société X.");
  EXPECT_EQ(n.privacy_policy_label, "Politique de confidentialité de Société X");
  EXPECT_EQ(n.privacy_policy_url, "https://x.example/confidentialite");
}

TEST(Notice, EnglishRightsWithAnUrlContact) {
  const Notice n = notice_for(fixture_json("configs/northwind-en.json"), "en");
  EXPECT_EQ(n.rights,
            "You may object to the transfer of your details or withdraw your consent at any time, free of charge, at "
            "https://northwind.example/my-data. Each partner will tell you, at first contact and within one month at "
            "the latest, that Northwind Travel passed your details on.");
  EXPECT_EQ(n.partner_summary, "See the list of 3 partners");
  EXPECT_EQ(n.recipients,
            "Recipients: about 3 business partners in the travel and hotels sectors. Types of offers: holiday offers.");
  ASSERT_EQ(n.boxes.size(), 2u);
  EXPECT_EQ(n.boxes[0].id, "object-postal");
  EXPECT_EQ(n.boxes[0].label,
            "I object to my postal address being passed to Northwind Travel's business partners for their marketing "
            "by post");
  EXPECT_EQ(n.boxes[1].id, "consent-email");
  // The French notice of an English config uses the French purpose.
  EXPECT_NE(notice_for(fixture_json("configs/northwind-en.json"), "fr")
                .intro.find("prospection commerciale de nos partenaires voyage"),
            std::string::npos);
}

// A config whose own locale is a new language gives its texts in it
// (tests/fixtures/configs/alpenblick-de.json): the whole notice reads German.
TEST(Notice, GermanConfigRendersAGermanNotice) {
  const Notice n = notice_for(fixture_json("configs/alpenblick-de.json"), "de");
  EXPECT_EQ(n.locale, "de");
  EXPECT_EQ(n.heading, "Weitergabe Ihrer Kontaktdaten an unsere Partner");
  EXPECT_EQ(n.intro,
            "Alpenblick Reisen GmbH als Verantwortlicher möchte Ihre Kontaktdaten an Geschäftspartner weitergeben. "
            "Zweck: Werbung unserer Partner für Reisen und Versicherungen.");
  EXPECT_EQ(n.recipients,
            "Empfänger: etwa 3 Geschäftspartner aus den Branchen Reisen und Versicherungen. Art der Angebote: "
            "Urlaubsangebote und Reiseversicherungen.");
  EXPECT_EQ(n.partner_summary, "Liste der 3 Partner anzeigen");
  ASSERT_EQ(n.boxes.size(), 3u);
  EXPECT_EQ(n.boxes[0].id, "object-postal-phone");
  EXPECT_EQ(n.boxes[0].label,
            "Ich widerspreche der Weitergabe meiner Postanschrift und Telefonnummer an die Geschäftspartner von "
            "Alpenblick Reisen GmbH zu Werbezwecken per Post und/oder Telefon (ausgenommen automatisierte Anrufe)");
  EXPECT_EQ(n.boxes[0].partner_link, "Geschäftspartner von Alpenblick Reisen GmbH");
  EXPECT_EQ(n.boxes[0].hint, "Sie können auch später jederzeit widersprechen.");
  EXPECT_EQ(n.boxes[1].label,
            "Ich willige ein, dass meine E-Mail-Adresse an die Geschäftspartner von Alpenblick Reisen GmbH "
            "weitergegeben wird, damit diese mir ihre Werbeangebote per E-Mail senden");
  EXPECT_EQ(n.boxes[1].hint,
            "Alpenblick Reisen GmbH holt diese Einwilligung im Namen der aufgeführten Partner ein, und nur für diese. "
            "Sie können Ihre Einwilligung jederzeit widerrufen.");
  EXPECT_EQ(n.boxes[2].label,
            "Ich willige ein, dass meine Mobilfunknummer an die Geschäftspartner von Alpenblick Reisen GmbH "
            "weitergegeben wird, damit diese mir ihre Werbeangebote per SMS senden");
  EXPECT_EQ(n.rights,
            "Sie können der Weitergabe Ihrer Kontaktdaten jederzeit und kostenlos widersprechen oder Ihre Einwilligung "
            "widerrufen, per E-Mail an datenschutz@alpenblick.example. Jeder Partner teilt Ihnen bei der ersten "
            "Kontaktaufnahme, spätestens jedoch innerhalb eines Monats, mit, dass er Ihre Kontaktdaten von Alpenblick "
            "Reisen GmbH erhalten hat.");
  EXPECT_EQ(n.privacy_policy_label, "Datenschutzerklärung von Alpenblick Reisen GmbH");
  ASSERT_EQ(n.partners.size(), 3u);
  EXPECT_EQ(n.partners[0].sector, "Reisen");
  EXPECT_EQ(n.partners[2].channels_text, "Kanäle: Post und E-Mail");
  // The English notice of the same config uses its English texts.
  const Notice en = notice_for(fixture_json("configs/alpenblick-de.json"), "en");
  EXPECT_NE(en.intro.find("our partners' travel and insurance offers"), std::string::npos) << en.intro;
}

// Every new language renders the whole notice for a config in that locale,
// with the CNIL's precision on the objection box (R1) and no word left in
// French or English.
TEST(Notice, EachNewLanguageRendersTheWholeNotice) {
  struct Expected {
    const char* locale;
    const char* purpose;
    const char* objection;
    const char* email;
    const char* rights_start;
  };
  const std::vector<Expected> all = {
      {"es", "prospección comercial de nuestros socios",
       "Me opongo a que mis datos de contacto postales y telefónicos sean cedidos a los socios comerciales de Société "
       "X "
       "con fines de prospección comercial por correo postal y/o por teléfono (excepto llamadas automatizadas)",
       "Acepto que mi dirección de correo electrónico sea cedida a los socios comerciales de Société X para recibir "
       "sus "
       "ofertas comerciales por correo electrónico",
       "Puede oponerse a la cesión de sus datos de contacto o retirar su consentimiento en cualquier momento, de forma "
       "gratuita, escribiendo a dpo@x.example."},
      {"de", "Werbung unserer Partner",
       "Ich widerspreche der Weitergabe meiner Postanschrift und Telefonnummer an die Geschäftspartner von Société X "
       "zu Werbezwecken per Post und/oder Telefon (ausgenommen automatisierte Anrufe)",
       "Ich willige ein, dass meine E-Mail-Adresse an die Geschäftspartner von Société X weitergegeben wird, damit "
       "diese mir ihre Werbeangebote per E-Mail senden",
       "Sie können der Weitergabe Ihrer Kontaktdaten jederzeit und kostenlos widersprechen oder Ihre Einwilligung "
       "widerrufen, per E-Mail an dpo@x.example."},
      {"it", "marketing dei nostri partner",
       "Mi oppongo a che i miei dati di contatto postali e telefonici siano comunicati ai partner commerciali di "
       "Société X per finalità di marketing per posta e/o per telefono (escluse le chiamate automatizzate)",
       "Acconsento a che il mio indirizzo e-mail sia comunicato ai partner commerciali di Société X per ricevere le "
       "loro offerte commerciali via e-mail",
       "Può opporsi alla comunicazione dei suoi dati di contatto o revocare il suo consenso in qualsiasi momento, "
       "gratuitamente, scrivendo a dpo@x.example."},
  };
  for (const Expected& e : all) {
    SCOPED_TRACE(e.locale);
    Json c = societe_x();
    c["locale"] = e.locale;
    c["purpose"] = {{e.locale, e.purpose}, {"fr", "prospection commerciale de nos partenaires"}};
    c["recipients"]["sectors"] = {"Société X"};  // a proper name reads the same in every language
    c["recipients"].erase("offerTypes");
    for (Json& p : c["partners"]["entries"]) p["sector"] = "Société X";
    c["texts"] = Json::object();
    const LintReport report = lint_config(c.dump());
    EXPECT_TRUE(report.ok()) << report.to_json().dump(2);
    EXPECT_TRUE(report.warnings.empty()) << report.to_json().dump(2);
    const Notice n = notice_for(c, e.locale);
    EXPECT_EQ(n.locale, e.locale);
    EXPECT_NE(n.intro.find(e.purpose), std::string::npos) << n.intro;
    ASSERT_EQ(n.boxes.size(), 3u);
    EXPECT_EQ(n.boxes[0].label, e.objection);
    EXPECT_NE(n.boxes[0].label.find(n.boxes[0].partner_link), std::string::npos);
    EXPECT_EQ(n.boxes[1].label, e.email);
    EXPECT_EQ(n.rights.rfind(e.rights_start, 0), 0u) << n.rights;
    // Nothing the person reads is left in French or English.
    std::string all_text = n.heading + "\n" + n.intro + "\n" + n.recipients + "\n" + n.partner_summary + "\n" +
                           n.partner_list_title + "\n" + n.rights + "\n" + n.privacy_policy_label;
    for (const NoticeBox& box : n.boxes) all_text += "\n" + box.label + "\n" + box.hint;
    for (const NoticePartner& partner : n.partners) all_text += "\n" + partner.channels_text;
    for (const char* other : {"partenaire", "coordonnées", "Vous ", "partners", " the ", "You "}) {
      EXPECT_EQ(all_text.find(other), std::string::npos) << other << " in " << all_text;
    }
  }
}

TEST(Notice, SeparateObjectionBoxesWithoutCombineObjection) {
  Json c = societe_x();
  c["combineObjection"] = false;
  const Notice n = notice_for(c, "fr");
  ASSERT_EQ(n.boxes.size(), 4u);
  EXPECT_EQ(n.boxes[0].id, "object-postal");
  EXPECT_EQ(
      n.boxes[0].label,
      "Je m'oppose à ce que mes coordonnées postales soient transmises aux partenaires commerciaux de Société X à "
      "des fins de prospection commerciale par courrier postal");
  EXPECT_EQ(n.boxes[1].id, "object-phone");
  EXPECT_EQ(n.boxes[1].channels, (std::vector<Channel>{Channel::kPhone}));
  EXPECT_EQ(n.boxes[1].label,
            "Je m'oppose à ce que mes coordonnées téléphoniques soient transmises aux partenaires commerciaux de "
            "Société X à des fins de prospection commerciale par téléphone (hors appels automatisés)");
  EXPECT_EQ(notice_for(c, "en").boxes[1].label,
            "I object to my phone number being passed to Société X's business partners for their marketing by phone "
            "(excluding automated calls)");
}

TEST(Notice, TransmissionOnlyConsentOmitsThePartnersProspecting) {
  Json c = societe_x();
  c["channels"]["email"]["partnerProspecting"] = "transmission-only";
  c["channels"]["sms"]["partnerProspecting"] = "transmission-only";
  const Notice fr = notice_for(c, "fr");
  EXPECT_EQ(fr.boxes[1].label,
            "J'accepte que mon adresse électronique soit transmise aux partenaires commerciaux de Société X");
  EXPECT_EQ(fr.boxes[2].label,
            "J'accepte que mon numéro de téléphone mobile soit transmis aux partenaires commerciaux de Société X");
  EXPECT_EQ(
      fr.boxes[1].hint,
      "Chaque partenaire vous demandera votre accord avant de vous adresser de la prospection. Vous pourrez retirer "
      "votre consentement à tout moment.");
  EXPECT_EQ(notice_for(c, "en").boxes[1].label,
            "I agree that my email address may be passed to Société X's business partners");
}

TEST(Notice, PartnerListShowsTheChannelsEachPartnerReceives) {
  const Notice fr = notice_for(societe_x(), "fr");
  ASSERT_EQ(fr.partners.size(), 6u);
  EXPECT_EQ(fr.partners[0].channels,
            (std::vector<Channel>{Channel::kPostal, Channel::kPhone, Channel::kEmail, Channel::kSms}));
  EXPECT_EQ(fr.partners[0].channels_text,
            "Canaux : courrier postal, téléphone (hors appels automatisés), courrier électronique et SMS");
  // credit-du-lac lists ["postal", "email"]; habitat-serein ["postal", "phone"].
  EXPECT_EQ(fr.partners[2].channels_text, "Canaux : courrier postal et courrier électronique");
  const Notice en = notice_for(societe_x(), "en");
  EXPECT_EQ(en.partners[4].channels_text, "Channels: post and phone (excluding automated calls)");
  const Json j = en.to_json();
  EXPECT_EQ(j.at("partners")[4].at("channels"), Json::array({"postal", "phone"}));
  EXPECT_EQ(j.at("partners")[4].at("channelsText"), "Channels: post and phone (excluding automated calls)");
}

TEST(Notice, ToJsonIsCamelCaseWithUncheckedBoxes) {
  const Json j = notice_for(societe_x(), "fr").to_json();
  for (const char* key : {"locale", "configVersion", "heading", "intro", "recipients", "partnerSummary",
                          "partnerListTitle", "partnerListUrl", "partnerListUpdatedAt", "partners", "boxes", "rights",
                          "privacyPolicyLabel", "privacyPolicyUrl"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.size(), 14u);
  ASSERT_EQ(j.at("boxes").size(), 3u);
  for (const Json& box : j.at("boxes")) {
    EXPECT_EQ(box.at("checked"), false);  // R5
    EXPECT_EQ(box.size(), 7u);
    EXPECT_TRUE(box.at("partnerLink").is_string());
  }
  EXPECT_EQ(j.at("boxes")[0].at("basis"), "legitimate-interest");
  EXPECT_EQ(j.at("boxes")[0].at("channels"), Json::array({"postal", "phone"}));
  EXPECT_EQ(j.at("partners")[0].at("privacyPolicyUrl"), "https://acme-assurances.example/confidentialite");
}

TEST(Notice, ConfigTextsOverrideTheBuiltInOnes) {
  Json c = societe_x();
  c["texts"]["fr"]["heading"] = "Vos coordonnées et nos partenaires";
  c["texts"]["fr"]["boxes"]["consent-email"]["label"] = "Oui, transmettez mon courriel à vos partenaires";
  c["texts"]["fr"]["boxes"]["consent-email"]["hint"] = "";
  c["texts"]["en"]["rights"] = "Write to dpo@x.example at any time.";
  const Notice fr = notice_for(c, "fr");
  EXPECT_EQ(fr.heading, "Vos coordonnées et nos partenaires");
  EXPECT_EQ(fr.boxes[1].label, "Oui, transmettez mon courriel à vos partenaires");
  EXPECT_EQ(fr.boxes[1].hint, "");
  // The replaced label no longer names the partners: nothing in it links.
  EXPECT_EQ(fr.boxes[1].partner_link, "");
  EXPECT_EQ(fr.boxes[0].partner_link, "partenaires commerciaux de Société X");
  EXPECT_NE(fr.rights, "Write to dpo@x.example at any time.");
  const Notice en = notice_for(c, "en");
  EXPECT_EQ(en.rights, "Write to dpo@x.example at any time.");
  EXPECT_EQ(en.heading, "Passing your contact details to our partners");
}

TEST(Notice, UnsupportedLocaleIsAProblem) {
  Result<Notice> n = build_notice(load(societe_x()), "pt");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.problems()[0].code, "notice_locale_unsupported");
}

TEST(Notice, MarkupInPartnerNamesStaysLiteralText) {
  Json c = societe_x();
  c["partners"]["entries"][0]["name"] = "<img src=x onerror=alert(1)>";
  const Notice n = notice_for(c, "fr");
  EXPECT_EQ(n.partners[0].name, "<img src=x onerror=alert(1)>");
  EXPECT_EQ(n.to_json().at("partners")[0].at("name"), "<img src=x onerror=alert(1)>");
  EXPECT_NE(canonical_notice(n).find("<img src=x onerror=alert(1)>"), std::string::npos);
}

// --- canonical bytes (the receipt's digests) ------------------------------------------------

TEST(NoticeCanonical, BytesAreStableAndCanonical) {
  const Notice n = notice_for(societe_x(), "fr");
  const std::string bytes = canonical_notice(n);
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes, canonical_notice(notice_for(societe_x(), "fr")));
  EXPECT_EQ(
      bytes.rfind(
          "{\"boxes\":[{\"basis\":\"legitimate-interest\",\"channels\":[\"postal\",\"phone\"],\"checked\":false,", 0),
      0u)
      << bytes.substr(0, 120);
  Result<std::string> again = canonicalize_text(bytes);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), bytes);
  EXPECT_NE(bytes, canonical_notice(notice_for(societe_x(), "en")));
}

TEST(NoticeCanonical, ChangesWhenAPartnerChanges) {
  const std::string before = canonical_notice(notice_for(societe_x(), "fr"));
  const std::string list_before = canonical_partner_list(load(societe_x()));
  Json c = societe_x();
  c["partners"]["entries"][2]["privacyPolicyUrl"] = "https://credit-du-lac.example/nouvelle-politique";
  EXPECT_NE(canonical_notice(notice_for(c, "fr")), before);
  EXPECT_NE(canonical_partner_list(load(c)), list_before);
  Json renamed = societe_x();
  renamed["partners"]["entries"][0]["name"] = "ACME Assurances SA";
  EXPECT_NE(canonical_partner_list(load(renamed)), list_before);
  // What the person does not see does not move the digests.
  Json themed = societe_x();
  themed["theme"]["accent"] = "#000000";
  EXPECT_EQ(canonical_notice(notice_for(themed, "fr")), before);
  EXPECT_EQ(canonical_partner_list(load(themed)), list_before);
}

TEST(NoticeCanonical, PartnerListCarriesTheChannelsEachPartnerReceives) {
  const std::string list = canonical_partner_list(load(societe_x()));
  EXPECT_EQ(
      list.rfind("{\"entries\":[{\"channels\":[\"postal\",\"phone\",\"email\",\"sms\"],\"id\":\"acme-assurances\",", 0),
      0u)
      << list.substr(0, 120);
  EXPECT_NE(list.find("{\"channels\":[\"postal\",\"email\"],\"id\":\"credit-du-lac\""), std::string::npos);
  EXPECT_NE(list.find("\"listUrl\":\"https://x.example/partenaires\",\"updatedAt\":\"2026-11-01\"}"),
            std::string::npos);
}

TEST(Notice, SectorsOfferTypesAndPartnerSectorsMayBeGivenPerLanguage) {
  Json c = societe_x();
  c["recipients"]["sectors"] = {{{"fr", "assurance"}, {"en", "insurance"}}, {{"fr", "banque"}, {"en", "banking"}}};
  c["recipients"]["offerTypes"] = {{{"fr", "offres de crédit"}, {"en", "credit offers"}}, "Assurance+"};
  c["partners"]["entries"][0]["sector"] = {{"fr", "assurance"}, {"en", "insurance"}};
  const Notice en = notice_for(c, "en");
  EXPECT_NE(en.recipients.find("in the insurance and banking sectors."), std::string::npos) << en.recipients;
  EXPECT_NE(en.recipients.find("Types of offers: credit offers and Assurance+."), std::string::npos) << en.recipients;
  EXPECT_EQ(en.partners[0].sector, "insurance");
  EXPECT_EQ(en.partners[1].sector, "banque");  // one string for every language
  const Notice fr = notice_for(c, "fr");
  EXPECT_NE(fr.recipients.find("des secteurs assurance et banque."), std::string::npos) << fr.recipients;
  EXPECT_NE(fr.recipients.find("Types d'offres : offres de crédit et Assurance+."), std::string::npos) << fr.recipients;
  EXPECT_EQ(fr.partners[0].sector, "assurance");
  // The partner list's digest covers both languages, and a single string stays
  // a string (the digests of existing lists do not move).
  const std::string list = canonical_partner_list(load(c));
  EXPECT_NE(list.find("\"sector\":{\"en\":\"insurance\",\"fr\":\"assurance\"}"), std::string::npos) << list;
  EXPECT_NE(list.find("\"sector\":\"banque\""), std::string::npos) << list;
  EXPECT_NE(list, canonical_partner_list(load(societe_x())));
}

}  // namespace
}  // namespace cachet
