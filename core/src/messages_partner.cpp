// The notice a partner owes each person at first contact, and within one month
// at the latest (R8), as the exporter writes it (export/src/notice_text.cpp):
// first the partner's instructions, then the text to give to the person.
#include "messages_table.h"

namespace cachet::detail {
namespace {

constexpr TextEntry kPartner[] = {
    // --- the first-contact notice a partner owes the person (R8) ---
    {"partner.channel.postal", {{"fr", "courrier postal"}, {"en", "post"}}},
    // Legitimate interest covers non-automated calls only; automated calls need consent.
    {"partner.channel.phone",
     {{"fr", "téléphone (hors appels automatisés)"}, {"en", "telephone (excluding automated calls)"}}},
    {"partner.channel.email", {{"fr", "courrier électronique"}, {"en", "email"}}},
    {"partner.channel.sms", {{"fr", "SMS"}, {"en", "SMS"}}},
    {"partner.title",
     {{"fr", "Information de premier contact due par {partner} ({id})"},
      {"en", "First-contact notice owed by {partner} ({id})"}}},
    {"partner.received",
     {{"fr", "Données reçues de {controller} le {date}."}, {"en", "Data received from {controller} on {date}."}}},
    {"partner.deadline",
     {{"fr",
       "À donner à chaque personne lors du premier contact, et au plus tard le {deadline} (un mois après la "
       "transmission ; recommandation CNIL sur la transmission de données à des partenaires)."},
      {"en",
       "Give it to each person at the first contact, and no later than {deadline} (one month after the transfer; CNIL "
       "guidance on transmitting data to partners)."}}},
    {"partner.transmission_only",
     {{"fr",
       "Attention : pour {channels}, {controller} a recueilli le consentement à la seule transmission ; vous devez "
       "recueillir vous-même le consentement de la personne avant de la prospecter par ce canal."},
      {"en",
       "Note: for {channels}, {controller} collected consent to the transmission only; you must collect the person's "
       "consent yourself before sending offers through that channel."}}},
    {"partner.reference",
     {{"fr",
       "Chaque ligne du fichier porte une référence (colonne « reference ») : indiquez-la lorsque vous relayez une "
       "opposition ou un retrait à {controller}."},
      {"en",
       "Each row of the file carries a reference (column \"reference\"): quote it when you relay an objection or a "
       "withdrawal to {controller}."}}},
    {"partner.separator",
     {{"fr", "----- Texte à communiquer à la personne -----"}, {"en", "----- Text to give to the person -----"}}},
    {"partner.hello", {{"fr", "Bonjour,"}, {"en", "Hello,"}}},
    {"partner.origin",
     {{"fr",
       "Vos coordonnées nous ont été transmises par {controller} le {date}, pour vous adresser des offres "
       "commerciales{purpose}."},
      {"en",
       "Your contact details were passed on to us by {controller} on {date}, so that we can send you commercial "
       "offers{purpose}."}}},
    {"partner.rights", {{"fr", "Vos droits :"}, {"en", "Your rights:"}}},
    {"partner.rights.object",
     {{"fr",
       "- Vous pouvez vous opposer à tout moment, simplement et gratuitement, à recevoir nos offres par {channels}."},
      {"en", "- You can object at any time, simply and free of charge, to receiving our offers by {channels}."}}},
    {"partner.rights.withdraw",
     {{"fr",
       "- Vous pouvez retirer à tout moment votre consentement à recevoir nos offres par {channels} ; le retrait est "
       "aussi simple que l'a été le consentement."},
      {"en",
       "- You can withdraw at any time your consent to receiving our offers by {channels}; withdrawing is as easy as "
       "giving consent was."}}},
    // R6, transmission only: the person consented to the transmission, not to
    // the partner's offers; the partner must ask first. Say what they can do, and where.
    {"partner.rights.transmission_only",
     {{"fr",
       "- Vous avez accepté que {controller} nous transmette vos coordonnées pour {channels}, mais vous n'avez pas "
       "encore accepté nos offres par ce canal : nous ne vous en enverrons pas sans vous avoir d'abord demandé votre "
       "accord, que vous serez libre de refuser. Vous pouvez à tout moment retirer votre consentement à cette "
       "transmission auprès de {controller} ({controller_contact}), et nous demander d'effacer ces coordonnées."},
      {"en",
       "- You agreed that {controller} pass on your contact details for {channels} to us, but you have not agreed to "
       "our offers through that channel: we will not send you any without first asking for your consent, which you "
       "are free to refuse. You can withdraw at any time your consent to that transmission with {controller} "
       "({controller_contact}), and ask us to erase those details."}}},
    {"partner.rights.other",
     {{"fr",
       "- Vous disposez aussi des droits d'accès, de rectification, d'effacement et de limitation, et du droit "
       "d'introduire une réclamation auprès de la CNIL (www.cnil.fr)."},
      {"en",
       "- You also have the rights of access, rectification, erasure and restriction, and the right to lodge a "
       "complaint with the CNIL (www.cnil.fr)."}}},
    {"partner.exercise", {{"fr", "Pour exercer ces droits :"}, {"en", "To exercise these rights:"}}},
    {"partner.exercise.partner",
     {{"fr",
       "- auprès de nous, {partner} (politique de confidentialité : {policy}) : nous relayons votre opposition ou "
       "votre retrait à {controller} ;"},
      {"en",
       "- with us, {partner} (privacy policy: {policy}): we relay your objection or withdrawal to {controller};"}}},
    {"partner.exercise.partner_contact",
     {{"fr",
       "- auprès de nous, {partner} : {contact} (politique de confidentialité : {policy}) ; nous relayons votre "
       "opposition ou votre retrait à {controller} ;"},
      {"en",
       "- with us, {partner}: {contact} (privacy policy: {policy}); we relay your objection or withdrawal to "
       "{controller};"}}},
    {"partner.contact.email", {{"fr", "{email}"}, {"en", "{email}"}}},
    {"partner.contact.postal", {{"fr", "par courrier : {postal}"}, {"en", "by post: {postal}"}}},
    {"partner.contact.both", {{"fr", "{email}, ou par courrier : {postal}"}, {"en", "{email}, or by post: {postal}"}}},
    {"partner.exercise.controller",
     {{"fr", "- ou directement auprès de {controller} : {contact} (politique de confidentialité : {policy})."},
      {"en", "- or directly with {controller}: {contact} (privacy policy: {policy})."}}},
};

}  // namespace

TextTable partner_texts() { return {kPartner, sizeof(kPartner) / sizeof(kPartner[0])}; }

}  // namespace cachet::detail
