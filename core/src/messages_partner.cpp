// The notice a partner owes each person at first contact, and within one month
// at the latest (R8), as the exporter writes it (export/src/notice_text.cpp):
// first the partner's instructions, then the text to give to the person.
#include "messages_table.h"

namespace cachet::detail {
namespace {

constexpr TextEntry kPartner[] = {
    // --- the first-contact notice a partner owes the person (R8) ---
    {"partner.channel.postal",
     {{"fr", "courrier postal"}, {"en", "post"}, {"es", "correo postal"}, {"de", "Post"}, {"it", "posta"}}},
    // Legitimate interest covers non-automated calls only; automated calls need consent.
    {"partner.channel.phone",
     {{"fr", "téléphone (hors appels automatisés)"},
      {"en", "telephone (excluding automated calls)"},
      {"es", "teléfono (excepto llamadas automatizadas)"},
      {"de", "Telefon (ausgenommen automatisierte Anrufe)"},
      {"it", "telefono (escluse le chiamate automatizzate)"}}},
    {"partner.channel.email",
     {{"fr", "courrier électronique"},
      {"en", "email"},
      {"es", "correo electrónico"},
      {"de", "E-Mail"},
      {"it", "e-mail"}}},
    {"partner.channel.sms", {{"fr", "SMS"}, {"en", "SMS"}, {"es", "SMS"}, {"de", "SMS"}, {"it", "SMS"}}},
    {"partner.title",
     {{"fr", "Information de premier contact due par {partner} ({id})"},
      {"en", "First-contact notice owed by {partner} ({id})"},
      {"es", "Información de primer contacto debida por {partner} ({id})"},
      {"de", "Pflichtinformation bei Erstkontakt durch {partner} ({id})"},
      {"it", "Informativa di primo contatto dovuta da {partner} ({id})"}}},
    {"partner.received",
     {{"fr", "Données reçues de {controller} le {date}."},
      {"en", "Data received from {controller} on {date}."},
      {"es", "Datos recibidos de {controller} el {date}."},
      {"de", "Daten erhalten von {controller} am {date}."},
      {"it", "Dati ricevuti da {controller} il {date}."}}},
    {"partner.deadline",
     {{"fr",
       "À donner à chaque personne lors du premier contact, et au plus tard le {deadline} (un mois après la "
       "transmission ; recommandation CNIL sur la transmission de données à des partenaires)."},
      {"en",
       "Give it to each person at the first contact, and no later than {deadline} (one month after the transfer; CNIL "
       "guidance on transmitting data to partners)."},
      {"es",
       "Debe facilitarse a cada persona en el primer contacto, y a más tardar el {deadline} (un mes después de la "
       "cesión; recomendación de la CNIL sobre la cesión de datos a socios)."},
      {"de",
       "Jeder Person beim ersten Kontakt mitzuteilen, spätestens jedoch am {deadline} (ein Monat nach der Weitergabe; "
       "Empfehlung der CNIL zur Weitergabe von Daten an Partner)."},
      {"it",
       "Da fornire a ogni persona al primo contatto, e al più tardi il {deadline} (un mese dopo la comunicazione; "
       "raccomandazione della CNIL sulla comunicazione di dati a partner)."}}},
    {"partner.transmission_only",
     {{"fr",
       "Attention : pour {channels}, {controller} a recueilli le consentement à la seule transmission ; vous devez "
       "recueillir vous-même le consentement de la personne avant de la prospecter par ce canal."},
      {"en",
       "Note: for {channels}, {controller} collected consent to the transmission only; you must collect the person's "
       "consent yourself before sending offers through that channel."},
      {"es",
       "Atención: para {channels}, {controller} recabó el consentimiento solo para la cesión; usted debe recabar por "
       "sí mismo el consentimiento de la persona antes de enviarle prospección comercial por ese canal."},
      {"de",
       "Achtung: Für {channels} hat {controller} die Einwilligung nur für die Weitergabe eingeholt; Sie müssen die "
       "Einwilligung der Person selbst einholen, bevor Sie ihr über diesen Kanal Werbung senden."},
      {"it",
       "Attenzione: per {channels}, {controller} ha raccolto il consenso alla sola comunicazione; deve raccogliere lei "
       "stesso il consenso della persona prima di inviarle comunicazioni commerciali tramite questo canale."}}},
    {"partner.reference",
     {{"fr",
       "Chaque ligne du fichier porte une référence (colonne « reference ») : indiquez-la lorsque vous relayez une "
       "opposition ou un retrait à {controller}."},
      {"en",
       "Each row of the file carries a reference (column \"reference\"): quote it when you relay an objection or a "
       "withdrawal to {controller}."},
      {"es",
       "Cada línea del fichero lleva una referencia (columna «reference»): indíquela cuando transmita una oposición o "
       "una retirada a {controller}."},
      {"de",
       "Jede Zeile der Datei trägt eine Referenz (Spalte „reference“): Geben Sie sie an, wenn Sie einen Widerspruch "
       "oder Widerruf an {controller} weiterleiten."},
      {"it",
       "Ogni riga del file riporta un riferimento (colonna «reference»): lo indichi quando inoltra un'opposizione o "
       "una revoca a {controller}."}}},
    {"partner.separator",
     {{"fr", "----- Texte à communiquer à la personne -----"},
      {"en", "----- Text to give to the person -----"},
      {"es", "----- Texto que debe comunicarse a la persona -----"},
      {"de", "----- Text für die betroffene Person -----"},
      {"it", "----- Testo da comunicare alla persona -----"}}},
    {"partner.hello",
     {{"fr", "Bonjour,"},
      {"en", "Hello,"},
      {"es", "Estimado/a señor/a:"},
      {"de", "Guten Tag,"},
      {"it", "Buongiorno,"}}},
    {"partner.origin",
     {{"fr",
       "Vos coordonnées nous ont été transmises par {controller} le {date}, pour vous adresser des offres "
       "commerciales{purpose}."},
      {"en",
       "Your contact details were passed on to us by {controller} on {date}, so that we can send you commercial "
       "offers{purpose}."},
      {"es", "{controller} nos cedió sus datos de contacto el {date}, para enviarle ofertas comerciales{purpose}."},
      {"de",
       "Ihre Kontaktdaten wurden uns am {date} von {controller} übermittelt, um Ihnen Werbeangebote zu "
       "senden{purpose}."},
      {"it",
       "I suoi dati di contatto ci sono stati comunicati da {controller} il {date}, per inviarle offerte "
       "commerciali{purpose}."}}},
    {"partner.rights",
     {{"fr", "Vos droits :"},
      {"en", "Your rights:"},
      {"es", "Sus derechos:"},
      {"de", "Ihre Rechte:"},
      {"it", "I suoi diritti:"}}},
    {"partner.rights.object",
     {{"fr",
       "- Vous pouvez vous opposer à tout moment, simplement et gratuitement, à recevoir nos offres par {channels}."},
      {"en", "- You can object at any time, simply and free of charge, to receiving our offers by {channels}."},
      {"es",
       "- Puede oponerse en cualquier momento, de forma sencilla y gratuita, a recibir nuestras ofertas por "
       "{channels}."},
      {"de", "- Sie können dem Erhalt unserer Angebote per {channels} jederzeit einfach und kostenlos widersprechen."},
      {"it",
       "- Può opporsi in qualsiasi momento, in modo semplice e gratuito, a ricevere le nostre offerte per "
       "{channels}."}}},
    {"partner.rights.withdraw",
     {{"fr",
       "- Vous pouvez retirer à tout moment votre consentement à recevoir nos offres par {channels} ; le retrait est "
       "aussi simple que l'a été le consentement."},
      {"en",
       "- You can withdraw at any time your consent to receiving our offers by {channels}; withdrawing is as easy as "
       "giving consent was."},
      {"es",
       "- Puede retirar en cualquier momento su consentimiento a recibir nuestras ofertas por {channels}; retirarlo es "
       "tan sencillo como lo fue darlo."},
      {"de",
       "- Sie können Ihre Einwilligung in den Erhalt unserer Angebote per {channels} jederzeit widerrufen; der "
       "Widerruf ist so einfach wie die Erteilung der Einwilligung."},
      {"it",
       "- Può revocare in qualsiasi momento il suo consenso a ricevere le nostre offerte per {channels}; revocarlo è "
       "semplice quanto lo è stato darlo."}}},
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
       "({controller_contact}), and ask us to erase those details."},
      {"es",
       "- Usted aceptó que {controller} nos cediera sus datos de contacto para {channels}, pero todavía no ha aceptado "
       "nuestras ofertas por ese canal: no le enviaremos ninguna sin pedirle antes su consentimiento, que usted es "
       "libre de negar. Puede retirar en cualquier momento su consentimiento a esta cesión ante {controller} "
       "({controller_contact}) y pedirnos que suprimamos esos datos de contacto."},
      {"de",
       "- Sie haben eingewilligt, dass {controller} uns Ihre Kontaktdaten für {channels} übermittelt, aber unseren "
       "Angeboten über diesen Kanal noch nicht zugestimmt: Wir senden Ihnen keine, ohne Sie zuvor um Ihre Einwilligung "
       "zu bitten, die Sie frei verweigern können. Sie können Ihre Einwilligung in diese Weitergabe jederzeit "
       "gegenüber {controller} ({controller_contact}) widerrufen und von uns die Löschung dieser Kontaktdaten "
       "verlangen."},
      {"it",
       "- Lei ha acconsentito a che {controller} ci comunicasse i suoi dati di contatto per {channels}, ma non ha "
       "ancora accettato le nostre offerte tramite questo canale: non gliene invieremo senza averle prima chiesto il "
       "consenso, che lei è libero/a di rifiutare. Può revocare in qualsiasi momento il suo consenso a questa "
       "comunicazione presso {controller} ({controller_contact}) e chiederci di cancellare tali dati di contatto."}}},
    {"partner.rights.other",
     {{"fr",
       "- Vous disposez aussi des droits d'accès, de rectification, d'effacement et de limitation, et du droit "
       "d'introduire une réclamation auprès de la CNIL (www.cnil.fr)."},
      {"en",
       "- You also have the rights of access, rectification, erasure and restriction, and the right to lodge a "
       "complaint with the CNIL (www.cnil.fr)."},
      {"es",
       "- También dispone de los derechos de acceso, rectificación, supresión y limitación, y del derecho a presentar "
       "una reclamación ante la CNIL (www.cnil.fr)."},
      {"de",
       "- Sie haben außerdem das Recht auf Auskunft, Berichtigung, Löschung und Einschränkung sowie das Recht, "
       "Beschwerde bei der CNIL (www.cnil.fr) einzulegen."},
      {"it",
       "- Dispone inoltre dei diritti di accesso, rettifica, cancellazione e limitazione, e del diritto di proporre "
       "reclamo alla CNIL (www.cnil.fr)."}}},
    {"partner.exercise",
     {{"fr", "Pour exercer ces droits :"},
      {"en", "To exercise these rights:"},
      {"es", "Para ejercer estos derechos:"},
      {"de", "So üben Sie diese Rechte aus:"},
      {"it", "Per esercitare questi diritti:"}}},
    {"partner.exercise.partner",
     {{"fr",
       "- auprès de nous, {partner} (politique de confidentialité : {policy}) : nous relayons votre opposition ou "
       "votre retrait à {controller} ;"},
      {"en", "- with us, {partner} (privacy policy: {policy}): we relay your objection or withdrawal to {controller};"},
      {"es",
       "- ante nosotros, {partner} (política de privacidad: {policy}): transmitimos su oposición o su retirada a "
       "{controller};"},
      {"de",
       "- bei uns, {partner} (Datenschutzerklärung: {policy}): Wir leiten Ihren Widerspruch oder Widerruf an "
       "{controller} weiter;"},
      {"it",
       "- presso di noi, {partner} (informativa sulla privacy: {policy}): inoltriamo la sua opposizione o revoca a "
       "{controller};"}}},
    {"partner.exercise.partner_contact",
     {{"fr",
       "- auprès de nous, {partner} : {contact} (politique de confidentialité : {policy}) ; nous relayons votre "
       "opposition ou votre retrait à {controller} ;"},
      {"en",
       "- with us, {partner}: {contact} (privacy policy: {policy}); we relay your objection or withdrawal to "
       "{controller};"},
      {"es",
       "- ante nosotros, {partner}: {contact} (política de privacidad: {policy}); transmitimos su oposición o su "
       "retirada a {controller};"},
      {"de",
       "- bei uns, {partner}: {contact} (Datenschutzerklärung: {policy}); wir leiten Ihren Widerspruch oder Widerruf "
       "an {controller} weiter;"},
      {"it",
       "- presso di noi, {partner}: {contact} (informativa sulla privacy: {policy}); inoltriamo la sua opposizione o "
       "revoca a {controller};"}}},
    {"partner.contact.email",
     {{"fr", "{email}"}, {"en", "{email}"}, {"es", "{email}"}, {"de", "{email}"}, {"it", "{email}"}}},
    {"partner.contact.postal",
     {{"fr", "par courrier : {postal}"},
      {"en", "by post: {postal}"},
      {"es", "por correo postal: {postal}"},
      {"de", "per Post: {postal}"},
      {"it", "per posta: {postal}"}}},
    {"partner.contact.both",
     {{"fr", "{email}, ou par courrier : {postal}"},
      {"en", "{email}, or by post: {postal}"},
      {"es", "{email}, o por correo postal: {postal}"},
      {"de", "{email} oder per Post: {postal}"},
      {"it", "{email}, oppure per posta: {postal}"}}},
    {"partner.exercise.controller",
     {{"fr", "- ou directement auprès de {controller} : {contact} (politique de confidentialité : {policy})."},
      {"en", "- or directly with {controller}: {contact} (privacy policy: {policy})."},
      {"es", "- o directamente ante {controller}: {contact} (política de privacidad: {policy})."},
      {"de", "- oder direkt bei {controller}: {contact} (Datenschutzerklärung: {policy})."},
      {"it", "- oppure direttamente presso {controller}: {contact} (informativa sulla privacy: {policy})."}}},
};

}  // namespace

TextTable partner_texts() { return {kPartner, sizeof(kPartner) / sizeof(kPartner[0])}; }

}  // namespace cachet::detail
