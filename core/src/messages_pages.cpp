// The texts of the server's pages (server/src/pages.cpp): the preference
// centre, the signup result, the error pages. The receipt's own text and the
// collection methods come from messages_person.cpp (receipt.*).
#include "messages_table.h"

namespace cachet::detail {
namespace {

constexpr TextEntry kPages[] = {
    // --- words shared by the pages ---
    {"locale.name", {{"fr", "Français"}, {"en", "English"}}},
    {"page.home", {{"fr", "Retour à l'accueil"}, {"en", "Back to the home page"}}},
    // --- the partner page (R3, R7; core/src/partner_page.cpp) ---
    {"partners_page.languages", {{"fr", "Langues"}, {"en", "Languages"}}},
    {"partners_page.intro",
     {{"fr",
       "La liste complète et à jour des partenaires auxquels {org} peut transmettre vos coordonnées, selon vos choix, "
       "à des fins de prospection commerciale. Finalité : {purpose}."},
      {"en",
       "The complete, up-to-date list of the partners {org} may pass your contact details to, according to your "
       "choices, for marketing. Purpose: {purpose}."}}},
    {"partners_page.caption", {{"fr", "Partenaires ({count})"}, {"en", "Partners ({count})"}}},
    {"partners_page.col.name", {{"fr", "Partenaire"}, {"en", "Partner"}}},
    {"partners_page.col.sector", {{"fr", "Secteur"}, {"en", "Sector"}}},
    {"partners_page.col.channels", {{"fr", "Canaux"}, {"en", "Channels"}}},
    {"partners_page.col.policy", {{"fr", "Politique de confidentialité"}, {"en", "Privacy policy"}}},
    {"partners_page.col.contact", {{"fr", "Contact"}, {"en", "Contact"}}},
    {"partners_page.policy_of",
     {{"fr", "Politique de confidentialité ({partner})"}, {"en", "Privacy policy ({partner})"}}},
    {"partners_page.channels_rule",
     {{"fr",
       "Un partenaire ne reçoit vos coordonnées que pour les canaux indiqués : par courrier postal et par téléphone "
       "(hors appels automatisés) si vous ne vous y êtes pas opposé(e), par courrier électronique et par SMS si vous "
       "y avez consenti."},
      {"en",
       "A partner receives your contact details only for the channels shown: post and phone (excluding automated "
       "calls) unless you objected, email and SMS only if you consented."}}},
    // --- the preference centre (R1, R10) ---
    {"page.channel.postal", {{"fr", "Courrier postal"}, {"en", "Postal mail"}}},
    {"page.channel.phone",
     {{"fr", "Appels téléphoniques (hors appels automatisés)"}, {"en", "Phone calls (excluding automated calls)"}}},
    {"page.channel.email", {{"fr", "Courrier électronique (e-mail)"}, {"en", "Email"}}},
    {"page.channel.sms", {{"fr", "SMS"}, {"en", "Text messages (SMS)"}}},
    {"page.decision.objected", {{"fr", "Vous vous y opposez"}, {"en", "You object"}}},
    {"page.decision.not-objected", {{"fr", "Vous ne vous y opposez pas"}, {"en", "You do not object"}}},
    {"page.decision.granted", {{"fr", "Vous y avez consenti"}, {"en", "You consented"}}},
    {"page.decision.not-granted", {{"fr", "Vous n'y avez pas consenti"}, {"en", "You did not consent"}}},
    {"page.decision.withdrawn", {{"fr", "Vous avez retiré votre consentement"}, {"en", "You withdrew your consent"}}},
    {"page.method.phone", {{"fr", "par téléphone"}, {"en", "by phone"}}},
    {"page.preferences.title", {{"fr", "Vos choix de prospection"}, {"en", "Your marketing choices"}}},
    {"page.preferences.intro",
     {{"fr",
       "{org} transmet vos coordonnées à ses partenaires selon les choix ci-dessous. Vous pouvez les modifier à tout "
       "moment, gratuitement : chaque changement prend effet immédiatement et produit un nouveau reçu."},
      {"en",
       "{org} shares your contact details with its partners according to the choices below. You may change them at any "
       "time, free of charge: each change takes effect at once and produces a new receipt."}}},
    {"page.preferences.unchanged",
     {{"fr", "Ce choix était déjà enregistré : rien n'a changé."},
      {"en", "That choice was already recorded: nothing changed."}}},
    {"page.preferences.changed",
     {{"fr", "Votre choix est enregistré. Un nouveau reçu a été créé."},
      {"en", "Your choice is recorded. A new receipt was made."}}},
    {"page.preferences.caption", {{"fr", "Vos choix actuels"}, {"en", "Your current choices"}}},
    {"page.preferences.channel", {{"fr", "Canal"}, {"en", "Channel"}}},
    {"page.preferences.choice", {{"fr", "Votre choix"}, {"en", "Your choice"}}},
    {"page.preferences.change", {{"fr", "Modifier"}, {"en", "Change"}}},
    {"page.preferences.unobject", {{"fr", "Retirer mon opposition"}, {"en", "Withdraw my objection"}}},
    {"page.preferences.object", {{"fr", "Je m'oppose"}, {"en", "I object"}}},
    {"page.preferences.withdraw", {{"fr", "Retirer mon consentement"}, {"en", "Withdraw my consent"}}},
    {"page.preferences.consent_elsewhere",
     {{"fr", "Pour consentir, utilisez le formulaire d'inscription."}, {"en", "To consent, use the signup form."}}},
    {"page.preferences.not_recorded", {{"fr", "Non renseigné"}, {"en", "Not recorded"}}},
    {"page.preferences.not_informed",
     {{"fr", "Vous n'en avez pas été informé(e) : rien n'est transmis"},
      {"en", "You were not informed of it: nothing is passed on"}}},
    {"page.preferences.partners",
     {{"fr", "Partenaires concernés par vos choix"}, {"en", "Partners your choices apply to"}}},
    {"page.preferences.partners_intro",
     {{"fr",
       "Voici la liste des partenaires qui vous a été présentée et, pour chacun, ce qu'il peut recevoir selon vos "
       "choix actuels."},
      {"en",
       "This is the partner list you were shown and, for each partner, what it may receive under your current "
       "choices."}}},
    {"page.preferences.partner_receives", {{"fr", "peut recevoir : {channels}"}, {"en", "may receive: {channels}"}}},
    {"page.preferences.partner_receives_nothing",
     {{"fr", "ne reçoit rien de vous"}, {"en", "receives nothing of yours"}}},
    {"page.preferences.partner_policy",
     {{"fr", "politique de confidentialité de {partner}"}, {"en", "privacy policy of {partner}"}}},
    {"page.preferences.new_partners", {{"fr", "Nouveaux partenaires"}, {"en", "New partners"}}},
    {"page.preferences.new_partners_intro",
     {{"fr",
       "Ces partenaires ont été ajoutés depuis votre choix. Ils ne reçoivent rien de vous tant que vous ne l'avez pas "
       "accepté ; si vous l'acceptez, vos choix ci-dessus s'appliqueront aussi à eux."},
      {"en",
       "These partners were added since you chose. They receive nothing of yours unless you accept it; if you do, your "
       "choices above apply to them too."}}},
    {"page.preferences.accept_partners",
     {{"fr",
       "J'accepte que mes coordonnées soient aussi transmises à ces nouveaux partenaires, selon mes choix ci-dessus."},
      {"en", "I agree that my contact details may also be passed on to these new partners, under my choices above."}}},
    {"page.preferences.confirm", {{"fr", "Confirmer"}, {"en", "Confirm"}}},
    {"page.preferences.accept_missing",
     {{"fr", "Rien n'a changé : cochez la case pour accepter les nouveaux partenaires."},
      {"en", "Nothing changed: tick the box to accept the new partners."}}},
    {"page.preferences.partners_accepted",
     {{"fr", "C'est noté : vos choix s'appliquent désormais aussi aux nouveaux partenaires."},
      {"en", "Done: your choices now apply to the new partners too."}}},
    {"page.preferences.history", {{"fr", "Historique de vos reçus"}, {"en", "Your receipt history"}}},
    {"page.preferences.read_receipt", {{"fr", "Lire le reçu"}, {"en", "Read the receipt"}}},
    {"page.preferences.expiry",
     {{"fr", "Ce lien personnel expire le {date}. Pour toute question sur vos données : {contact}"},
      {"en", "This personal link expires on {date}. For any question about your data: {contact}"}}},
    // --- after signup ---
    {"page.signup.title", {{"fr", "Inscription enregistrée"}, {"en", "Signed up"}}},
    {"page.signup.heading",
     {{"fr", "Merci, votre inscription est enregistrée"}, {"en", "Thank you, you are signed up"}}},
    {"page.signup.intro",
     {{"fr",
       "Voici votre reçu de consentement, contresigné par {org}. Conservez-le : il prouve les choix que vous avez "
       "faits."},
      {"en", "Here is your consent receipt, countersigned by {org}. Keep it: it proves the choices you made."}}},
    {"page.signup.change_mind", {{"fr", "Changer d'avis à tout moment"}, {"en", "Change your mind at any time"}}},
    {"page.signup.demo_link",
     {{"fr", "Dans un vrai site, ce lien personnel vous serait envoyé par e-mail. Pour la démonstration, le voici :"},
      {"en", "On a real site this personal link would be emailed to you. For the demo, here it is:"}}},
    {"page.signup.open_preferences", {{"fr", "Ouvrir mon centre de préférences"}, {"en", "Open my preference centre"}}},
    {"page.signup.valid_until", {{"fr", "Valable jusqu'au {date}"}, {"en", "Valid until {date}"}}},
    {"page.signup.receipt", {{"fr", "Votre reçu"}, {"en", "Your receipt"}}},
    {"page.signup.signed",
     {{"fr", "Le reçu signé (JSON), à coller dans le vérificateur"},
      {"en", "The signed receipt (JSON), to paste into the verifier"}}},
    {"page.signup.signed_label", {{"fr", "Reçu signé"}, {"en", "Signed receipt"}}},
    {"page.signup.verify", {{"fr", "Vérifier un reçu"}, {"en", "Verify a receipt"}}},
    {"page.signup.demo_keeps",
     {{"fr", "Cette démonstration ne conserve que le reçu, jamais vos coordonnées."},
      {"en", "This demo keeps only the receipt, never your contact details."}}},
    // --- the receipt verifier (POST /api/verify) ---
    {"page.verify.current",
     {{"fr", "C'est le reçu en vigueur : les choix qu'il indique sont les choix actuels de la personne."},
      {"en", "This is the receipt in force: the choices it states are the person's current choices."}}},
    {"page.verify.superseded",
     {{"fr",
       "Ce reçu n'est plus en vigueur : il a été remplacé le {date} par le reçu {receiptId}. Les choix actuels sont "
       "ceux du reçu le plus récent."},
      {"en",
       "This receipt is no longer in force: it was replaced on {date} by receipt {receiptId}. The current choices "
       "are those of the latest receipt."}}},
    {"page.verify.not_in_ledger",
     {{"fr",
       "Ce reçu n'est pas dans le registre de {controller} (jamais reçu, ou supprimé à la fin de sa durée de "
       "conservation)."},
      {"en",
       "This receipt is not in {controller}'s ledger (never received, or removed when its retention period "
       "ended)."}}},
    {"page.verify.different",
     {{"fr",
       "Le registre de {controller} contient un reçu portant ce numéro, mais avec un autre contenu : ce "
       "document n'est pas le reçu enregistré."},
      {"en",
       "{controller}'s ledger holds a receipt with this id, but with other content: this document is not the "
       "stored receipt."}}},
    {"page.verify.problem.signature",
     {{"fr",
       "Une signature ne correspond pas : le reçu a été modifié après avoir été signé, ou signé avec une autre "
       "clé."},
      {"en", "A signature does not match: the receipt was changed after it was signed, or signed with another key."}}},
    {"page.verify.problem.countersignature",
     {{"fr", "La contresignature n'est pas celle de l'organisme attendu."},
      {"en", "The countersignature is not the expected organisation's."}}},
    {"page.verify.problem.format",
     {{"fr", "Ce document n'est pas un reçu signé bien formé (JSON signé au format JWS)."},
      {"en", "This document is not a well-formed signed receipt (signed JSON in the JWS format)."}}},
    {"page.verify.problem.content",
     {{"fr",
       "Le contenu du reçu ne suit pas le format des reçus Cachet : un élément manque ou a une valeur "
       "inattendue."},
      {"en",
       "The receipt's content does not follow the Cachet receipt format: an element is missing or has an "
       "unexpected value."}}},
    // --- errors ---
    {"page.error.title", {{"fr", "Erreur"}, {"en", "Error"}}},
    {"page.error.heading",
     {{"fr", "Votre inscription n'a pas pu être enregistrée"}, {"en", "Your signup could not be recorded"}}},
    {"page.error.invalid", {{"fr", "Le reçu est invalide."}, {"en", "The receipt is invalid."}}},
    {"page.error.retry", {{"fr", "Réessayer"}, {"en", "Try again"}}},
    {"page.error.no_receipt",
     {{"fr",
       "Vos choix concernant nos partenaires ne nous sont pas parvenus : rien n'a été enregistré, et vos coordonnées "
       "ne "
       "seront transmises à aucun partenaire."},
      {"en",
       "Your choices about our partners did not reach us: nothing was recorded, and your contact details will not be "
       "passed to any partner."}}},
    {"page.link_invalid.title", {{"fr", "Lien invalide ou expiré"}, {"en", "Invalid or expired link"}}},
    {"page.link_invalid.text",
     {{"fr", "Ce lien vers vos préférences n'est pas valide ou a expiré. Demandez-en un nouveau à {contact}."},
      {"en", "This preference link is not valid or has expired. Ask {contact} for a new one."}}},
    {"page.person_gone.title", {{"fr", "Aucune donnée"}, {"en", "No data"}}},
    {"page.person_gone.text",
     {{"fr", "Nous ne conservons plus de reçu vous concernant (durée de conservation écoulée)."},
      {"en", "We no longer hold any receipt about you (retention period over)."}}},
    {"page.change_failed.title", {{"fr", "Changement impossible"}, {"en", "Change not possible"}}},
    {"page.change_failed.text",
     {{"fr", "Ce changement n'a pas pu être enregistré. Réessayez depuis votre lien."},
      {"en", "This change could not be recorded. Try again from your link."}}},
};

}  // namespace

TextTable page_texts() { return {kPages, sizeof(kPages) / sizeof(kPages[0])}; }

}  // namespace cachet::detail
