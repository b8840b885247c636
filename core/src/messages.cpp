#include "messages.h"

namespace cachet::detail {
namespace {

struct Entry {
  std::string_view id;
  std::string_view en;
  std::string_view fr;
};

// One table for every lint message (docs/lint-codes.md lists the codes).
// Placeholders: {where} a JSON Pointer, {key} a member name, {value} the value given.
constexpr Entry kMessages[] = {
    // --- words used inside messages --------------------------------------
    {"where.top", "the top level", "la racine"},
    {"type.null", "null", "null"},
    {"type.boolean", "a boolean", "un booléen"},
    {"type.integer", "an integer", "un nombre entier"},
    {"type.number", "a number", "un nombre"},
    {"type.string", "a string", "une chaîne de caractères"},
    {"type.array", "an array", "un tableau"},
    {"type.object", "an object", "un objet"},
    {"type.localized", "a string or an object {\"fr\": …, \"en\": …}", "une chaîne ou un objet {\"fr\": …, \"en\": …}"},
    {"channel.postal", "postal mail", "courrier postal"},
    {"channel.phone", "phone", "téléphone"},
    {"channel.email", "email", "courrier électronique"},
    {"channel.sms", "SMS", "SMS"},

    // --- JSON text ------------------------------------------------------------
    {"json", "The config is not acceptable JSON: {detail}", "La configuration n'est pas un JSON acceptable : {detail}"},

    // --- structure --------------------------------------------------------------
    {"config_not_object", "The config must be a JSON object, not {actual}.",
     "La configuration doit être un objet JSON, et non {actual}."},
    {"config_unknown_key", "Unknown member \"{key}\" in {where}; remove it (unknown members are refused so that a typo cannot weaken consent).",
     "Membre inconnu « {key} » dans {where} ; supprimez-le (les membres inconnus sont refusés pour qu'une faute de frappe ne puisse pas affaiblir le consentement)."},
    {"config_unknown_key.suggest", "Unknown member \"{key}\" in {where}; did you mean \"{suggestion}\"?",
     "Membre inconnu « {key} » dans {where} ; vouliez-vous dire « {suggestion} » ?"},
    {"config_wrong_type", "{where} must be {expected}, not {actual}.", "{where} doit être {expected}, et non {actual}."},
    {"config_missing_member", "{where} lacks the required member \"{key}\".",
     "Il manque le membre obligatoire « {key} » dans {where}."},
    {"config_empty_value", "{where} must not be empty.", "{where} ne doit pas être vide."},
    {"config_invalid_value", "{where} must be one of {allowed}, not \"{value}\".",
     "{where} doit valoir {allowed}, et non « {value} »."},
    {"config_number_out_of_range", "{where} must be a whole number from {min} to {max}.",
     "{where} doit être un nombre entier compris entre {min} et {max}."},
    {"config_url_not_https", "{where} must be an absolute https: URL; \"{value}\" is not one.",
     "{where} doit être une URL absolue en https: ; « {value} » n'en est pas une."},
    {"config_url_invalid", "{where} is not a well-formed https: URL: it needs a host name and no spaces, control characters, backslashes or user name.",
     "{where} n'est pas une URL https: bien formée : il faut un nom d'hôte, sans espace, caractère de contrôle, barre oblique inverse ni nom d'utilisateur."},
    {"config_invalid_date", "{where} must be a date written YYYY-MM-DD, not \"{value}\".",
     "{where} doit être une date au format AAAA-MM-JJ, et non « {value} »."},
    {"config_locale_unsupported", "{where}: the locale \"{value}\" is not supported; use \"fr\" or \"en\".",
     "{where} : la langue « {value} » n'est pas prise en charge ; utilisez « fr » ou « en »."},
    {"config_no_channels", "Configure at least one channel in /channels: postal, phone, email or sms.",
     "Configurez au moins un canal dans /channels : postal, phone, email ou sms."},
    {"config_duplicate_partner_id", "The partner id \"{value}\" is used twice (first at {first}); ids must be unique.",
     "L'identifiant de partenaire « {value} » est utilisé deux fois (d'abord en {first}) ; les identifiants doivent être uniques."},
    {"config_invalid_partner_id", "{where}: a partner id has 1 to 64 letters, digits, '.', '_' or '-' and does not start with '.'.",
     "{where} : un identifiant de partenaire compte 1 à 64 lettres, chiffres, « . », « _ » ou « - » et ne commence pas par « . »."},
    {"config_partner_channel_not_configured", "{where}: the channel \"{value}\" is not configured in /channels.",
     "{where} : le canal « {value} » n'est pas configuré dans /channels."},
    {"config_invalid_input_name", "{where} must be an input name of 1 to 64 letters, digits, '_' or '-'.",
     "{where} doit être un nom de champ de 1 à 64 lettres, chiffres, « _ » ou « - »."},
    {"config_jurisdiction_invalid", "{where} must be a two-letter country code in capitals, such as \"FR\".",
     "{where} doit être un code pays de deux lettres majuscules, par exemple « FR »."},
    {"config_theme_invalid", "{where} must be {kind}.", "{where} doit être {kind}."},
    {"theme.color", "a hexadecimal colour such as \"#0a58ca\"", "une couleur hexadécimale, par exemple « #0a58ca »"},
    {"theme.length", "a CSS length such as \"4px\" or \"0.5rem\"", "une longueur CSS, par exemple « 4px » ou « 0.5rem »"},
    {"theme.font", "a list of font names (letters, digits, spaces, commas, quotes, '-')",
     "une liste de polices (lettres, chiffres, espaces, virgules, guillemets, « - »)"},

    // --- rules (DESIGN.md section 1) --------------------------------------------
    {"rule_r2_purpose_missing", "R2: state the purpose of the transmission in /purpose; the person must read it before choosing.",
     "R2 : indiquez la finalité de la transmission dans /purpose ; la personne doit la lire avant de choisir."},
    {"rule_r2_recipients_missing", "R2: postal and phone transmission (legitimate interest) must state the types of recipients: /recipients with sectors or offerTypes.",
     "R2 : la transmission pour le courrier et le téléphone (intérêt légitime) doit indiquer les catégories de destinataires : /recipients avec sectors ou offerTypes."},
    {"rule_r2_recipients_missing.count", "R2: give the approximate number of partners in /recipients/approximateCount (there is no inline partner list to count).",
     "R2 : indiquez le nombre approximatif de partenaires dans /recipients/approximateCount (aucune liste de partenaires n'est fournie pour les compter)."},
    {"rule_r3_partner_list_missing", "R3/R7: {channel} consent needs the partner list at the moment of consent: list the partners in /partners/entries or link it with /partners/listUrl.",
     "R3/R7 : le consentement pour le canal {channel} exige la liste des partenaires au moment du choix : listez-les dans /partners/entries ou donnez le lien /partners/listUrl."},
    {"rule_r3_partner_incomplete", "R3: the partner at {where} lacks \"{key}\"; each partner needs an id, a name and the https: link to its privacy policy.",
     "R3 : il manque « {key} » au partenaire en {where} ; chaque partenaire doit avoir un identifiant, un nom et le lien https: vers sa politique de confidentialité."},
    {"rule_r4_consent_required", "R4: partners' prospecting by {channel} needs the person's consent; set {where} to \"consent\".",
     "R4 : la prospection des partenaires par {channel} exige le consentement de la personne ; {where} doit valoir « consent »."},
    {"rule_r5_prechecked", "R5: a box is always shown unchecked; remove {where}.",
     "R5 : une case est toujours présentée décochée ; supprimez {where}."},
    {"rule_r6_partner_prospecting_missing", "R6: say in {where}/partnerProspecting whether consent is collected on behalf of the partners (\"on-behalf\") or for the transmission only (\"transmission-only\").",
     "R6 : indiquez dans {where}/partnerProspecting si le consentement est recueilli pour le compte des partenaires (« on-behalf ») ou pour la seule transmission (« transmission-only »)."},
    {"rule_r8_controller_missing", "R8: name the organisation that transmits the data in /controller/name; partners must tell people who it is.",
     "R8 : nommez l'organisme qui transmet les données dans /controller/name ; les partenaires doivent l'indiquer aux personnes."},
    {"rule_r8_rights_contact_missing", "R8: give the contact where people object or withdraw in /controller/rightsContact (an email address or an https: URL).",
     "R8 : indiquez où les personnes peuvent s'opposer ou retirer leur consentement dans /controller/rightsContact (une adresse électronique ou une URL https:)."},
    {"rule_r8_rights_contact_invalid", "R8: {where} must be an email address or an https: URL, not \"{value}\".",
     "R8 : {where} doit être une adresse électronique ou une URL https:, et non « {value} »."},
    {"rule_r9_retention_missing", "R9: set how long contact data is kept, in months, in /retention/months.",
     "R9 : indiquez la durée de conservation des coordonnées, en mois, dans /retention/months."},
    {"rule_r9_retention_invalid", "R9: {where} must be a positive whole number of months (at most {max}).",
     "R9 : {where} doit être un nombre entier de mois strictement positif (au plus {max})."},

    // --- warnings (CNIL recommendations) ---------------------------------------
    {"rule_r9_retention_long", "R9: {value} months is longer than the 3 years (36 months) the CNIL recommends for prospects' data.",
     "R9 : {value} mois dépassent les 3 ans (36 mois) recommandés par la CNIL pour les données de prospects."},
    {"rule_r6_transmission_only", "R6: with \"transmission-only\" each partner must collect consent itself before prospecting; the CNIL recommends \"on-behalf\" consent for named partners.",
     "R6 : avec « transmission-only », chaque partenaire doit recueillir lui-même le consentement avant de prospecter ; la CNIL recommande un consentement « on-behalf » pour des partenaires nommés."},
    {"rule_r3_list_not_dated", "R3: give /partners/updatedAt so that people can see the partner list is up to date.",
     "R3 : indiquez /partners/updatedAt pour que l'on voie que la liste des partenaires est à jour."},
    {"rule_r7_short_list_by_link", "R7: with about {value} partners the list is short enough to show on the form; add it to /partners/entries rather than only a link.",
     "R7 : avec environ {value} partenaires, la liste est assez courte pour figurer sur le formulaire ; ajoutez-la dans /partners/entries plutôt qu'un simple lien."},
    {"rule_r2_approximate_count_missing", "R2: give the approximate number of partners in /recipients/approximateCount.",
     "R2 : indiquez le nombre approximatif de partenaires dans /recipients/approximateCount."},
    {"config_combine_objection_off", "{value} boxes will be shown; set combineObjection to true to offer one objection box for postal mail and phone and keep the choice simple.",
     "{value} cases seront affichées ; mettez combineObjection à true pour proposer une seule case d'opposition pour le courrier et le téléphone et garder un choix simple."},
    {"config_field_missing", "The widget cannot check the contact {channel} consent needs: set /fields/{key} to the CSS selector of that form field.",
     "Le widget ne peut pas vérifier la coordonnée qu'exige le consentement {channel} : indiquez dans /fields/{key} le sélecteur CSS de ce champ."},
};

}  // namespace

std::string_view message_locale(std::string_view locale) { return locale == "fr" ? "fr" : "en"; }

bool has_message(std::string_view id) {
  for (const Entry& entry : kMessages) {
    if (entry.id == id) return true;
  }
  return false;
}

std::string message(std::string_view id, std::string_view locale, const MessageArgs& args) {
  std::string_view text = id;
  for (const Entry& entry : kMessages) {
    if (entry.id == id) {
      text = message_locale(locale) == "fr" ? entry.fr : entry.en;
      break;
    }
  }
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      const std::size_t close = text.find('}', i);
      if (close != std::string_view::npos) {
        const std::string_view name = text.substr(i + 1, close - i - 1);
        bool replaced = false;
        for (const auto& [arg_name, value] : args) {
          if (arg_name == name) {
            out += value;
            replaced = true;
            break;
          }
        }
        if (replaced) {
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i];
    ++i;
  }
  return out;
}

}  // namespace cachet::detail
