// The texts of the person's rights (issue 13; docs/rights.md): the access
// report a person reads, the preference-link request form and the message
// handed to the mail command or webhook that sends a person their link.
// French is the reference wording.
#include "messages_table.h"

namespace cachet::detail {
namespace {

constexpr TextEntry kRights[] = {
    // --- the access report (GDPR art. 15) ---
    {"access.title", {{"fr", "Vos données chez {org}"}, {"en", "Your data held by {org}"}}},
    {"access.intro",
     {{"fr", "Ce rapport répond à votre demande d'accès (article 15 du RGPD). Il a été établi le {date}."},
      {"en", "This report answers your access request (GDPR article 15). It was made on {date}."}}},
    {"access.none",
     {{"fr", "Nous ne conservons aucun reçu lié à cette coordonnée."},
      {"en", "We hold no receipt tied to this contact."}}},
    {"access.held.heading", {{"fr", "Ce que nous conservons"}, {"en", "What we hold"}}},
    {"access.held.text",
     {{"fr",
       "Notre registre des consentements ne conserve pas vos coordonnées : seulement vos reçus signés et, pour "
       "chaque coordonnée, une empreinte qui permet de vérifier qu'un reçu vous concerne sans la révéler."},
      {"en",
       "Our consent ledger does not keep your contact details: only your signed receipts and, for each contact "
       "detail, a fingerprint that shows a receipt is about you without revealing it."}}},
    {"access.held.count",
     {{"fr", "Reçus conservés : {count} (du {first} au {last})."},
      {"en", "Receipts held: {count} (from {first} to {last})."}}},
    {"access.retention",
     {{"fr",
       "Ils seront effacés au plus tard le {date} (fin de la durée de conservation), sauf nouveau choix de votre "
       "part."},
      {"en",
       "They will be erased on {date} at the latest (end of the retention period), unless you make a new "
       "choice."}}},
    {"access.retention.none",
     {{"fr", "Aucune durée de conservation n'est enregistrée pour ces reçus."},
      {"en", "No retention period is recorded for these receipts."}}},
    {"access.digests", {{"fr", "Empreintes ({scheme}) :"}, {"en", "Fingerprints ({scheme}):"}}},
    {"access.digest.scheme.salted", {{"fr", "SHA-256 salé"}, {"en", "salted SHA-256"}}},
    {"access.digest.scheme.keyed", {{"fr", "HMAC-SHA256 à clé"}, {"en", "keyed HMAC-SHA256"}}},
    {"access.digest.item", {{"fr", "{kind} : {value}"}, {"en", "{kind}: {value}"}}},
    {"access.digest.email", {{"fr", "adresse électronique"}, {"en", "email address"}}},
    {"access.digest.phone", {{"fr", "téléphone"}, {"en", "phone"}}},
    {"access.digest.mobile", {{"fr", "téléphone mobile"}, {"en", "mobile phone"}}},
    {"access.digest.postal", {{"fr", "adresse postale"}, {"en", "postal address"}}},
    {"access.ledger_position",
     {{"fr", "Position dans le registre : entrée n° {seq}, empreinte {hash}."},
      {"en", "Position in the ledger: entry #{seq}, hash {hash}."}}},
    {"access.choices.heading", {{"fr", "Vos choix au fil du temps"}, {"en", "Your choices over time"}}},
    {"access.choice.heading", {{"fr", "Reçu du {date} ({method})"}, {"en", "Receipt of {date} ({method})"}}},
    {"access.shown.heading", {{"fr", "Le texte qui vous a été présenté"}, {"en", "The text you were shown"}}},
    {"access.shown.box",
     {{"fr", "Case (non cochée au départ) : {label}"}, {"en", "Box (unchecked at first): {label}"}}},
    {"access.shown.partners", {{"fr", "Partenaires présentés : {partners}"}, {"en", "Partners shown: {partners}"}}},
    {"access.shown.missing",
     {{"fr",
       "Le texte exact de cette notice n'est pas conservé dans notre registre (version {version}, empreinte "
       "{sha256})."},
      {"en", "The exact text of this notice is not kept in our ledger (version {version}, fingerprint {sha256})."}}},
    {"access.shown.carried",
     {{"fr", "Ce changement reprend la notice et la liste de partenaires de votre reçu précédent."},
      {"en", "This change keeps the notice and partner list of your previous receipt."}}},
    {"access.partners.heading",
     {{"fr", "Partenaires ayant reçu vos données"}, {"en", "Partners who received your data"}}},
    {"access.partners.none",
     {{"fr", "Vos données n'ont été transmises à aucun partenaire."},
      {"en", "Your data has not been passed to any partner."}}},
    {"access.partners.item", {{"fr", "{partner} : {channels}, le {date}"}, {"en", "{partner}: {channels}, on {date}"}}},
    {"access.rights",
     {{"fr",
       "Vous pouvez à tout moment demander l'effacement de vos données, vous opposer à leur transmission ou retirer "
       "votre consentement : {contact}."},
      {"en",
       "At any time you may ask for your data to be erased, object to its transmission or withdraw your consent: "
       "{contact}."}}},
    // --- "send me my preference link" (R1 "at any time", R10) ---
    {"link_request.title", {{"fr", "Recevoir mon lien personnel"}, {"en", "Get my personal link"}}},
    {"link_request.intro",
     {{"fr",
       "Indiquez l'adresse électronique ou le numéro de téléphone que vous nous avez donné : si nous conservons un "
       "choix à votre nom, nous vous y enverrons un nouveau lien vers vos préférences."},
      {"en",
       "Give the email address or phone number you gave us: if we hold a choice of yours, we will send a new link "
       "to your preferences there."}}},
    {"link_request.email", {{"fr", "Adresse électronique"}, {"en", "Email address"}}},
    {"link_request.phone", {{"fr", "ou numéro de téléphone"}, {"en", "or phone number"}}},
    {"link_request.submit", {{"fr", "M'envoyer mon lien"}, {"en", "Send me my link"}}},
    {"link_request.sent",
     {{"fr",
       "Si nous conservons un choix lié à cette coordonnée, un nouveau lien vient d'y être envoyé. Il est valable "
       "jusqu'au {date}."},
      {"en",
       "If we hold a choice tied to this contact, a new link has just been sent to it. It is valid until {date}."}}},
    {"link_request.missing",
     {{"fr", "Indiquez une adresse électronique ou un numéro de téléphone valide."},
      {"en", "Give a valid email address or phone number."}}},
    {"link_request.limited",
     {{"fr", "Trop de demandes : réessayez plus tard."}, {"en", "Too many requests: try again later."}}},
    {"link_mail.subject",
     {{"fr", "Votre lien vers vos préférences chez {org}"}, {"en", "Your link to your preferences with {org}"}}},
    {"link_mail.text",
     {{"fr",
       "Bonjour,\n\nVous avez demandé un lien vers vos choix de transmission de vos coordonnées aux partenaires de "
       "{org}. Ce lien personnel est valable jusqu'au {date} :\n\n{link}\n\nVous pouvez y retirer votre consentement "
       "ou vous opposer à tout moment. Si vous n'avez rien demandé, ignorez ce message."},
      {"en",
       "Hello,\n\nYou asked for a link to your choices about passing your contact details to {org}'s partners. This "
       "personal link is valid until {date}:\n\n{link}\n\nThere you can withdraw your consent or object at any time. "
       "If you asked for nothing, ignore this message."}}},
};

}  // namespace

TextTable rights_texts() { return {kRights, sizeof(kRights) / sizeof(kRights[0])}; }

}  // namespace cachet::detail
