// The lint's texts (docs/lint-codes.md lists the codes): the message id is the
// problem code, or "code.variant" for a second wording of the same code.
// Placeholders: {where} a JSON Pointer, {key} a member name, {value} the value given.
#include "messages_table.h"

namespace cachet::detail {
namespace {

constexpr TextEntry kLint[] = {
    // --- words used inside messages --------------------------------------
    {"where.top", {{"fr", "la racine"}, {"en", "the top level"}}},
    {"type.null", {{"fr", "null"}, {"en", "null"}}},
    {"type.boolean", {{"fr", "un booléen"}, {"en", "a boolean"}}},
    {"type.integer", {{"fr", "un nombre entier"}, {"en", "an integer"}}},
    {"type.number", {{"fr", "un nombre"}, {"en", "a number"}}},
    {"type.string", {{"fr", "une chaîne de caractères"}, {"en", "a string"}}},
    {"type.array", {{"fr", "un tableau"}, {"en", "an array"}}},
    {"type.object", {{"fr", "un objet"}, {"en", "an object"}}},
    {"type.localized",
     {{"fr", "une chaîne ou un objet {\"fr\": …, \"en\": …}"}, {"en", "a string or an object {\"fr\": …, \"en\": …}"}}},
    {"channel.postal", {{"fr", "courrier postal"}, {"en", "postal mail"}}},
    {"channel.phone", {{"fr", "téléphone"}, {"en", "phone"}}},
    {"channel.email", {{"fr", "courrier électronique"}, {"en", "email"}}},
    {"channel.sms", {{"fr", "SMS"}, {"en", "SMS"}}},
    // --- JSON text ------------------------------------------------------------
    {"json",
     {{"fr", "La configuration n'est pas un JSON acceptable : {detail}"},
      {"en", "The config is not acceptable JSON: {detail}"}}},
    // --- structure --------------------------------------------------------------
    {"config_not_object",
     {{"fr", "La configuration doit être un objet JSON, et non {actual}."},
      {"en", "The config must be a JSON object, not {actual}."}}},
    {"config_unknown_key",
     {{"fr",
       "Membre inconnu « {key} » dans {where} ; supprimez-le (les membres inconnus sont refusés pour qu'une faute de "
       "frappe ne puisse pas affaiblir le consentement)."},
      {"en",
       "Unknown member \"{key}\" in {where}; remove it (unknown members are refused so that a typo cannot weaken "
       "consent)."}}},
    {"config_unknown_key.suggest",
     {{"fr", "Membre inconnu « {key} » dans {where} ; vouliez-vous dire « {suggestion} » ?"},
      {"en", "Unknown member \"{key}\" in {where}; did you mean \"{suggestion}\"?"}}},
    {"config_wrong_type",
     {{"fr", "{where} doit être {expected}, et non {actual}."}, {"en", "{where} must be {expected}, not {actual}."}}},
    {"config_missing_member",
     {{"fr", "Il manque le membre obligatoire « {key} » dans {where}."},
      {"en", "{where} lacks the required member \"{key}\"."}}},
    {"config_empty_value", {{"fr", "{where} ne doit pas être vide."}, {"en", "{where} must not be empty."}}},
    {"config_invalid_value",
     {{"fr", "{where} doit valoir {allowed}, et non « {value} »."},
      {"en", "{where} must be one of {allowed}, not \"{value}\"."}}},
    {"config_number_out_of_range",
     {{"fr", "{where} doit être un nombre entier compris entre {min} et {max}."},
      {"en", "{where} must be a whole number from {min} to {max}."}}},
    {"config_url_not_https",
     {{"fr", "{where} doit être une URL absolue en https: ; « {value} » n'en est pas une."},
      {"en", "{where} must be an absolute https: URL; \"{value}\" is not one."}}},
    {"config_url_invalid",
     {{"fr",
       "{where} n'est pas une URL https: bien formée : il faut un nom d'hôte, sans espace, caractère de contrôle, "
       "barre oblique inverse ni nom d'utilisateur."},
      {"en",
       "{where} is not a well-formed https: URL: it needs a host name and no spaces, control characters, backslashes "
       "or user name."}}},
    {"config_invalid_date",
     {{"fr", "{where} doit être une date au format AAAA-MM-JJ, et non « {value} »."},
      {"en", "{where} must be a date written YYYY-MM-DD, not \"{value}\"."}}},
    {"config_locale_unsupported",
     {{"fr", "{where} : la langue « {value} » n'est pas prise en charge ; utilisez {allowed}."},
      {"en", "{where}: the locale \"{value}\" is not supported; use {allowed}."}}},
    {"config_no_channels",
     {{"fr", "Configurez au moins un canal dans /channels : postal, phone, email ou sms."},
      {"en", "Configure at least one channel in /channels: postal, phone, email or sms."}}},
    {"config_duplicate_partner_id",
     {{"fr",
       "L'identifiant de partenaire « {value} » est utilisé deux fois (d'abord en {first}) ; les identifiants doivent "
       "être uniques."},
      {"en", "The partner id \"{value}\" is used twice (first at {first}); ids must be unique."}}},
    {"config_invalid_partner_id",
     {{"fr",
       "{where} : un identifiant de partenaire compte 1 à 64 lettres, chiffres, « . », « _ » ou « - » et ne commence "
       "pas par « . »."},
      {"en", "{where}: a partner id has 1 to 64 letters, digits, '.', '_' or '-' and does not start with '.'."}}},
    {"config_partner_channel_not_configured",
     {{"fr", "{where} : le canal « {value} » n'est pas configuré dans /channels."},
      {"en", "{where}: the channel \"{value}\" is not configured in /channels."}}},
    {"config_invalid_input_name",
     {{"fr", "{where} doit être un nom de champ de 1 à 64 lettres, chiffres, « _ » ou « - »."},
      {"en", "{where} must be an input name of 1 to 64 letters, digits, '_' or '-'."}}},
    {"config_jurisdiction_invalid",
     {{"fr", "{where} doit être un code pays de deux lettres majuscules, par exemple « FR »."},
      {"en", "{where} must be a two-letter country code in capitals, such as \"FR\"."}}},
    {"config_theme_invalid", {{"fr", "{where} doit être {kind}."}, {"en", "{where} must be {kind}."}}},
    {"config_theme_contrast",
     {{"fr",
       "{where} : {pair} n'a qu'un contraste de {ratio}:1 en thème {scheme} ; les WCAG 2.2 (niveau AA) demandent "
       "{minimum}:1. Choisissez une couleur plus contrastée, ou fixez theme.colorScheme au thème de votre site."},
      {"en",
       "{where}: {pair} has a contrast of only {ratio}:1 in the {scheme} scheme; WCAG 2.2 level AA needs {minimum}:1. "
       "Choose a more contrasting colour, or set theme.colorScheme to your site's scheme."}}},
    {"config_theme_contrast_scheme",
     {{"fr",
       "{where} : {pair} n'a qu'un contraste de {ratio}:1 en thème {scheme} (les WCAG 2.2, niveau AA, demandent "
       "{minimum}:1) ; le widget restera donc en thème {other}, même sur une page en thème {scheme}. Indiquez "
       "theme.colorScheme « {value} », ou choisissez des couleurs lisibles dans les deux thèmes."},
      {"en",
       "{where}: {pair} has a contrast of only {ratio}:1 in the {scheme} scheme (WCAG 2.2 level AA needs {minimum}:1), "
       "so the widget stays in the {other} scheme, even on a {scheme} page. Set theme.colorScheme to \"{value}\", or "
       "choose colours that read well in both."}}},
    {"theme.pair.text", {{"fr", "le texte sur le fond du widget"}, {"en", "the text on the widget's background"}}},
    {"theme.pair.muted",
     {{"fr", "le texte secondaire (aides sous les cases) sur ce fond"},
      {"en", "the secondary text (hints under the boxes) on this background"}}},
    {"theme.pair.error", {{"fr", "le texte des erreurs sur ce fond"}, {"en", "the error text on this background"}}},
    {"theme.pair.link",
     {{"fr", "la couleur d'accent (liens, contour de focus, cases cochées) sur le fond du widget"},
      {"en", "the accent colour (links, focus outline, ticked boxes) on the widget's background"}}},
    {"theme.pair.button",
     {{"fr", "le texte des boutons sur la couleur d'accent"}, {"en", "the button text on the accent colour"}}},
    {"theme.pair.border",
     {{"fr", "la bordure du widget sur son fond"}, {"en", "the widget's border on its background"}}},
    {"theme.scheme.light", {{"fr", "clair"}, {"en", "light"}}},
    {"theme.scheme.dark", {{"fr", "sombre"}, {"en", "dark"}}},
    {"theme.color",
     {{"fr", "une couleur hexadécimale, par exemple « #0a58ca »"}, {"en", "a hexadecimal colour such as \"#0a58ca\""}}},
    {"theme.length",
     {{"fr", "une longueur CSS, par exemple « 4px » ou « 0.5rem »"},
      {"en", "a CSS length such as \"4px\" or \"0.5rem\""}}},
    {"theme.font",
     {{"fr", "une liste de polices (lettres, chiffres, espaces, virgules, guillemets, « - »)"},
      {"en", "a list of font names (letters, digits, spaces, commas, quotes, '-')"}}},
    // --- rules (DESIGN.md section 1) --------------------------------------------
    {"rule_r2_purpose_missing",
     {{"fr", "R2 : indiquez la finalité de la transmission dans /purpose ; la personne doit la lire avant de choisir."},
      {"en", "R2: state the purpose of the transmission in /purpose; the person must read it before choosing."}}},
    {"rule_r2_recipients_missing",
     {{"fr",
       "R2 : la transmission pour le courrier et le téléphone (intérêt légitime) doit indiquer les catégories de "
       "destinataires : /recipients avec sectors ou offerTypes."},
      {"en",
       "R2: postal and phone transmission (legitimate interest) must state the types of recipients: /recipients with "
       "sectors or offerTypes."}}},
    {"rule_r2_recipients_missing.count",
     {{"fr",
       "R2 : indiquez le nombre approximatif de partenaires dans /recipients/approximateCount (aucune liste de "
       "partenaires n'est fournie pour les compter)."},
      {"en",
       "R2: give the approximate number of partners in /recipients/approximateCount (there is no inline partner list "
       "to count)."}}},
    {"rule_r3_partner_list_missing",
     {{"fr",
       "R3/R7 : le consentement pour le canal {channel} exige la liste des partenaires au moment du choix : listez-les "
       "dans /partners/entries ou donnez le lien /partners/listUrl."},
      {"en",
       "R3/R7: {channel} consent needs the partner list at the moment of consent: list the partners in "
       "/partners/entries or link it with /partners/listUrl."}}},
    {"rule_r3_partner_incomplete",
     {{"fr",
       "R3 : il manque « {key} » au partenaire en {where} ; chaque partenaire doit avoir un identifiant, un nom et le "
       "lien https: vers sa politique de confidentialité."},
      {"en",
       "R3: the partner at {where} lacks \"{key}\"; each partner needs an id, a name and the https: link to its "
       "privacy policy."}}},
    {"rule_r4_consent_required",
     {{"fr",
       "R4 : la prospection des partenaires par {channel} exige le consentement de la personne ; {where} doit valoir « "
       "consent »."},
      {"en", "R4: partners' prospecting by {channel} needs the person's consent; set {where} to \"consent\"."}}},
    {"rule_r5_prechecked",
     {{"fr", "R5 : une case est toujours présentée décochée ; supprimez {where}."},
      {"en", "R5: a box is always shown unchecked; remove {where}."}}},
    {"rule_r6_partner_prospecting_missing",
     {{"fr",
       "R6 : indiquez dans {where}/partnerProspecting si le consentement est recueilli pour le compte des partenaires "
       "(« on-behalf ») ou pour la seule transmission (« transmission-only »)."},
      {"en",
       "R6: say in {where}/partnerProspecting whether consent is collected on behalf of the partners (\"on-behalf\") "
       "or for the transmission only (\"transmission-only\")."}}},
    {"rule_r8_controller_missing",
     {{"fr",
       "R8 : nommez l'organisme qui transmet les données dans /controller/name ; les partenaires doivent l'indiquer "
       "aux personnes."},
      {"en",
       "R8: name the organisation that transmits the data in /controller/name; partners must tell people who it is."}}},
    {"rule_r8_rights_contact_missing",
     {{"fr",
       "R8 : indiquez où les personnes peuvent s'opposer ou retirer leur consentement dans /controller/rightsContact "
       "(une adresse électronique ou une URL https:)."},
      {"en",
       "R8: give the contact where people object or withdraw in /controller/rightsContact (an email address or an "
       "https: URL)."}}},
    {"rule_r8_rights_contact_invalid",
     {{"fr", "R8 : {where} doit être une adresse électronique ou une URL https:, et non « {value} »."},
      {"en", "R8: {where} must be an email address or an https: URL, not \"{value}\"."}}},
    {"rule_r9_retention_missing",
     {{"fr", "R9 : indiquez la durée de conservation des coordonnées, en mois, dans /retention/months."},
      {"en", "R9: set how long contact data is kept, in months, in /retention/months."}}},
    {"rule_r9_retention_invalid",
     {{"fr", "R9 : {where} doit être un nombre entier de mois strictement positif (au plus {max})."},
      {"en", "R9: {where} must be a positive whole number of months (at most {max})."}}},
    // --- warnings (CNIL recommendations) ---------------------------------------
    {"rule_r9_retention_long",
     {{"fr", "R9 : {value} mois dépassent les 3 ans (36 mois) recommandés par la CNIL pour les données de prospects."},
      {"en", "R9: {value} months is longer than the 3 years (36 months) the CNIL recommends for prospects' data."}}},
    {"rule_r6_transmission_only",
     {{"fr",
       "R6 : avec « transmission-only », chaque partenaire doit recueillir lui-même le consentement avant de "
       "prospecter ; la CNIL recommande un consentement « on-behalf » pour des partenaires nommés."},
      {"en",
       "R6: with \"transmission-only\" each partner must collect consent itself before prospecting; the CNIL "
       "recommends \"on-behalf\" consent for named partners."}}},
    {"rule_r8_partner_contact_missing",
     {{"fr",
       "R8 : {where} n'a pas de « contact » (adresse électronique et/ou postale) : la notice de premier contact ne "
       "donnera que sa politique de confidentialité pour s'opposer ou retirer son consentement auprès de lui."},
      {"en",
       "R8: {where} has no \"contact\" (email and/or postal address): the first-contact notice will only give its "
       "privacy policy as the way to object or withdraw consent with it."}}},
    {"rule_r8_partner_contact_invalid",
     {{"fr", "R8 : {where} doit être une adresse électronique (reçu {value})."},
      {"en", "R8: {where} must be an email address (got {value})."}}},
    {"rule_r3_list_not_dated",
     {{"fr", "R3 : indiquez /partners/updatedAt pour que l'on voie que la liste des partenaires est à jour."},
      {"en", "R3: give /partners/updatedAt so that people can see the partner list is up to date."}}},
    {"rule_r7_short_list_by_link",
     {{"fr",
       "R7 : avec environ {value} partenaires, la liste est assez courte pour figurer sur le formulaire ; ajoutez-la "
       "dans /partners/entries plutôt qu'un simple lien."},
      {"en",
       "R7: with about {value} partners the list is short enough to show on the form; add it to /partners/entries "
       "rather than only a link."}}},
    {"rule_r2_approximate_count_missing",
     {{"fr", "R2 : indiquez le nombre approximatif de partenaires dans /recipients/approximateCount."},
      {"en", "R2: give the approximate number of partners in /recipients/approximateCount."}}},
    {"config_combine_objection_off",
     {{"fr",
       "{value} cases seront affichées ; mettez combineObjection à true pour proposer une seule case d'opposition pour "
       "le courrier et le téléphone et garder un choix simple."},
      {"en",
       "{value} boxes will be shown; set combineObjection to true to offer one objection box for postal mail and phone "
       "and keep the choice simple."}}},
    {"config_field_missing",
     {{"fr",
       "Le widget ne peut pas vérifier la coordonnée qu'exige le consentement {channel} : indiquez dans /fields/{key} "
       "le sélecteur CSS de ce champ."},
      {"en",
       "The widget cannot check the contact {channel} consent needs: set /fields/{key} to the CSS selector of that "
       "form field."}}},

    {"config_field_unbound",
     {{"fr",
       "Aucun champ du formulaire n'est lié à la coordonnée du canal {channel} : les reçus ne diront pas quelle "
       "coordonnée l'opposition protège. Indiquez dans /fields/{key} le sélecteur CSS de ce champ."},
      {"en",
       "No form field is bound to the {channel} contact: receipts will not say which contact the objection "
       "protects. Set /fields/{key} to the CSS selector of that form field."}}},

    // --- words used by several areas -------------------------------------------
    {"list.and", {{"fr", " et "}, {"en", " and "}}},
    {"list.or", {{"fr", " ou "}, {"en", " or "}}},
    {"quote", {{"fr", "« {value} »"}, {"en", "\"{value}\""}}},

    // --- texts in several languages (warning) ------------------------------------
    {"text_missing_locale",
     {{"fr",
       "{where} est donné par langue mais sans texte en « {value} », une langue de la configuration ; en « {value} », "
       "la notice affichera le texte d'une autre langue."},
      {"en",
       "{where} is given per language but has no \"{value}\" text, a language the config uses; in \"{value}\" the "
       "notice will show another language's text."}}},
    {"text_missing_locale.texts",
     {{"fr",
       "{where} remplace un texte en « {key} » mais pas en « {value} », une langue de la configuration ; en « {value} "
       "», la notice gardera le texte de Cachet."},
      {"en",
       "{where} overrides a text in \"{key}\" but not in \"{value}\", a language the config uses; in \"{value}\" the "
       "notice will keep Cachet's own wording."}}},

    // --- building the notice ---------------------------------------------------
    {"notice_locale_unsupported",
     {{"fr", "La langue « {value} » n'est pas prise en charge ; utilisez {allowed}."},
      {"en", "The locale \"{value}\" is not supported; use {allowed}."}}},
};

}  // namespace

TextTable lint_texts() { return {kLint, sizeof(kLint) / sizeof(kLint[0])}; }

}  // namespace cachet::detail
