// The lint's texts (docs/lint-codes.md lists the codes): the message id is the
// problem code, or "code.variant" for a second wording of the same code.
// Placeholders: {where} a JSON Pointer, {key} a member name, {value} the value given.
#include "messages_table.h"

namespace cachet::detail {
namespace {

constexpr TextEntry kLint[] = {
    // --- words used inside messages --------------------------------------
    {"where.top",
     {{"fr", "la racine"},
      {"en", "the top level"},
      {"es", "la raíz"},
      {"de", "die oberste Ebene"},
      {"it", "la radice"}}},
    {"type.null", {{"fr", "null"}, {"en", "null"}, {"es", "null"}, {"de", "null"}, {"it", "null"}}},
    {"type.boolean",
     {{"fr", "un booléen"},
      {"en", "a boolean"},
      {"es", "un booleano"},
      {"de", "ein boolescher Wert"},
      {"it", "un booleano"}}},
    {"type.integer",
     {{"fr", "un nombre entier"},
      {"en", "an integer"},
      {"es", "un número entero"},
      {"de", "eine ganze Zahl"},
      {"it", "un numero intero"}}},
    {"type.number",
     {{"fr", "un nombre"}, {"en", "a number"}, {"es", "un número"}, {"de", "eine Zahl"}, {"it", "un numero"}}},
    {"type.string",
     {{"fr", "une chaîne de caractères"},
      {"en", "a string"},
      {"es", "una cadena de caracteres"},
      {"de", "eine Zeichenkette"},
      {"it", "una stringa"}}},
    {"type.array",
     {{"fr", "un tableau"}, {"en", "an array"}, {"es", "una matriz"}, {"de", "ein Array"}, {"it", "un array"}}},
    {"type.object",
     {{"fr", "un objet"}, {"en", "an object"}, {"es", "un objeto"}, {"de", "ein Objekt"}, {"it", "un oggetto"}}},
    {"type.localized",
     {{"fr", "une chaîne ou un objet {\"fr\": …, \"en\": …}"},
      {"en", "a string or an object {\"fr\": …, \"en\": …}"},
      {"es", "una cadena o un objeto {\"es\": …, \"en\": …}"},
      {"de", "eine Zeichenkette oder ein Objekt {\"de\": …, \"en\": …}"},
      {"it", "una stringa o un oggetto {\"it\": …, \"en\": …}"}}},
    {"channel.postal",
     {{"fr", "courrier postal"}, {"en", "postal mail"}, {"es", "correo postal"}, {"de", "Post"}, {"it", "posta"}}},
    {"channel.phone",
     {{"fr", "téléphone"}, {"en", "phone"}, {"es", "teléfono"}, {"de", "Telefon"}, {"it", "telefono"}}},
    {"channel.email",
     {{"fr", "courrier électronique"},
      {"en", "email"},
      {"es", "correo electrónico"},
      {"de", "E-Mail"},
      {"it", "e-mail"}}},
    {"channel.sms", {{"fr", "SMS"}, {"en", "SMS"}, {"es", "SMS"}, {"de", "SMS"}, {"it", "SMS"}}},
    // --- JSON text ------------------------------------------------------------
    {"json",
     {{"fr", "La configuration n'est pas un JSON acceptable : {detail}"},
      {"en", "The config is not acceptable JSON: {detail}"},
      {"es", "La configuración no es un JSON aceptable: {detail}"},
      {"de", "Die Konfiguration ist kein zulässiges JSON: {detail}"},
      {"it", "La configurazione non è un JSON accettabile: {detail}"}}},
    // --- structure --------------------------------------------------------------
    {"config_not_object",
     {{"fr", "La configuration doit être un objet JSON, et non {actual}."},
      {"en", "The config must be a JSON object, not {actual}."},
      {"es", "La configuración debe ser un objeto JSON, no {actual}."},
      {"de", "Die Konfiguration muss ein JSON-Objekt sein, nicht {actual}."},
      {"it", "La configurazione deve essere un oggetto JSON, non {actual}."}}},
    {"config_unknown_key",
     {{"fr",
       "Membre inconnu « {key} » dans {where} ; supprimez-le (les membres inconnus sont refusés pour qu'une faute de "
       "frappe ne puisse pas affaiblir le consentement)."},
      {"en",
       "Unknown member \"{key}\" in {where}; remove it (unknown members are refused so that a typo cannot weaken "
       "consent)."},
      {"es",
       "Miembro desconocido «{key}» en {where}; elimínelo (los miembros desconocidos se rechazan para que una errata "
       "no pueda debilitar el consentimiento)."},
      {"de",
       "Unbekanntes Element „{key}“ in {where}; entfernen Sie es (unbekannte Elemente werden abgelehnt, damit ein "
       "Tippfehler die Einwilligung nicht schwächen kann)."},
      {"it",
       "Membro sconosciuto «{key}» in {where}; lo rimuova (i membri sconosciuti sono rifiutati affinché un errore di "
       "battitura non possa indebolire il consenso)."}}},
    {"config_unknown_key.suggest",
     {{"fr", "Membre inconnu « {key} » dans {where} ; vouliez-vous dire « {suggestion} » ?"},
      {"en", "Unknown member \"{key}\" in {where}; did you mean \"{suggestion}\"?"},
      {"es", "Miembro desconocido «{key}» en {where}; ¿quería decir «{suggestion}»?"},
      {"de", "Unbekanntes Element „{key}“ in {where}; meinten Sie „{suggestion}“?"},
      {"it", "Membro sconosciuto «{key}» in {where}; intendeva «{suggestion}»?"}}},
    {"config_wrong_type",
     {{"fr", "{where} doit être {expected}, et non {actual}."},
      {"en", "{where} must be {expected}, not {actual}."},
      {"es", "{where} debe ser {expected}, no {actual}."},
      {"de", "{where} muss {expected} sein, nicht {actual}."},
      {"it", "{where} deve essere {expected}, non {actual}."}}},
    {"config_missing_member",
     {{"fr", "Il manque le membre obligatoire « {key} » dans {where}."},
      {"en", "{where} lacks the required member \"{key}\"."},
      {"es", "Falta el miembro obligatorio «{key}» en {where}."},
      {"de", "In {where} fehlt das Pflichtelement „{key}“."},
      {"it", "Manca il membro obbligatorio «{key}» in {where}."}}},
    {"config_empty_value",
     {{"fr", "{where} ne doit pas être vide."},
      {"en", "{where} must not be empty."},
      {"es", "{where} no debe estar vacío."},
      {"de", "{where} darf nicht leer sein."},
      {"it", "{where} non deve essere vuoto."}}},
    {"config_invalid_value",
     {{"fr", "{where} doit valoir {allowed}, et non « {value} »."},
      {"en", "{where} must be one of {allowed}, not \"{value}\"."},
      {"es", "{where} debe ser {allowed}, no «{value}»."},
      {"de", "{where} muss {allowed} sein, nicht „{value}“."},
      {"it", "{where} deve valere {allowed}, non «{value}»."}}},
    {"config_number_out_of_range",
     {{"fr", "{where} doit être un nombre entier compris entre {min} et {max}."},
      {"en", "{where} must be a whole number from {min} to {max}."},
      {"es", "{where} debe ser un número entero entre {min} y {max}."},
      {"de", "{where} muss eine ganze Zahl von {min} bis {max} sein."},
      {"it", "{where} deve essere un numero intero compreso tra {min} e {max}."}}},
    {"config_url_not_https",
     {{"fr", "{where} doit être une URL absolue en https: ; « {value} » n'en est pas une."},
      {"en", "{where} must be an absolute https: URL; \"{value}\" is not one."},
      {"es", "{where} debe ser una URL absoluta https:; «{value}» no lo es."},
      {"de", "{where} muss eine absolute https:-URL sein; „{value}“ ist keine."},
      {"it", "{where} deve essere un URL assoluto https:; «{value}» non lo è."}}},
    {"config_url_invalid",
     {{"fr",
       "{where} n'est pas une URL https: bien formée : il faut un nom d'hôte, sans espace, caractère de contrôle, "
       "barre oblique inverse ni nom d'utilisateur."},
      {"en",
       "{where} is not a well-formed https: URL: it needs a host name and no spaces, control characters, backslashes "
       "or user name."},
      {"es",
       "{where} no es una URL https: bien formada: necesita un nombre de host, sin espacios, caracteres de control, "
       "barras invertidas ni nombre de usuario."},
      {"de",
       "{where} ist keine wohlgeformte https:-URL: Sie braucht einen Hostnamen und darf keine Leerzeichen, "
       "Steuerzeichen, umgekehrten Schrägstriche oder Benutzernamen enthalten."},
      {"it",
       "{where} non è un URL https: ben formato: serve un nome host, senza spazi, caratteri di controllo, barre "
       "rovesciate né nome utente."}}},
    {"config_invalid_date",
     {{"fr", "{where} doit être une date au format AAAA-MM-JJ, et non « {value} »."},
      {"en", "{where} must be a date written YYYY-MM-DD, not \"{value}\"."},
      {"es", "{where} debe ser una fecha con el formato AAAA-MM-DD, no «{value}»."},
      {"de", "{where} muss ein Datum im Format JJJJ-MM-TT sein, nicht „{value}“."},
      {"it", "{where} deve essere una data nel formato AAAA-MM-GG, non «{value}»."}}},
    {"config_locale_unsupported",
     {{"fr", "{where} : la langue « {value} » n'est pas prise en charge ; utilisez {allowed}."},
      {"en", "{where}: the locale \"{value}\" is not supported; use {allowed}."},
      {"es", "{where}: el idioma «{value}» no es compatible; utilice {allowed}."},
      {"de", "{where}: Die Sprache „{value}“ wird nicht unterstützt; verwenden Sie {allowed}."},
      {"it", "{where}: la lingua «{value}» non è supportata; utilizzi {allowed}."}}},
    {"config_no_channels",
     {{"fr", "Configurez au moins un canal dans /channels : postal, phone, email ou sms."},
      {"en", "Configure at least one channel in /channels: postal, phone, email or sms."},
      {"es", "Configure al menos un canal en /channels: postal, phone, email o sms."},
      {"de", "Konfigurieren Sie mindestens einen Kanal in /channels: postal, phone, email oder sms."},
      {"it", "Configuri almeno un canale in /channels: postal, phone, email o sms."}}},
    {"config_duplicate_partner_id",
     {{"fr",
       "L'identifiant de partenaire « {value} » est utilisé deux fois (d'abord en {first}) ; les identifiants doivent "
       "être uniques."},
      {"en", "The partner id \"{value}\" is used twice (first at {first}); ids must be unique."},
      {"es",
       "El identificador de socio «{value}» se usa dos veces (primero en {first}); los identificadores deben ser "
       "únicos."},
      {"de",
       "Die Partnerkennung „{value}“ wird zweimal verwendet (zuerst bei {first}); Kennungen müssen eindeutig sein."},
      {"it",
       "L'identificativo di partner «{value}» è usato due volte (prima in {first}); gli identificativi devono essere "
       "univoci."}}},
    {"config_invalid_partner_id",
     {{"fr",
       "{where} : un identifiant de partenaire compte 1 à 64 lettres, chiffres, « . », « _ » ou « - » et ne commence "
       "pas par « . »."},
      {"en", "{where}: a partner id has 1 to 64 letters, digits, '.', '_' or '-' and does not start with '.'."},
      {"es", "{where}: un identificador de socio tiene de 1 a 64 letras, cifras, «.», «_» o «-» y no empieza por «.»."},
      {"de",
       "{where}: Eine Partnerkennung besteht aus 1 bis 64 Buchstaben, Ziffern, „.“, „_“ oder „-“ und beginnt nicht mit "
       "„.“."},
      {"it",
       "{where}: un identificativo di partner ha da 1 a 64 lettere, cifre, «.», «_» o «-» e non inizia con «.»."}}},
    {"config_partner_channel_not_configured",
     {{"fr", "{where} : le canal « {value} » n'est pas configuré dans /channels."},
      {"en", "{where}: the channel \"{value}\" is not configured in /channels."},
      {"es", "{where}: el canal «{value}» no está configurado en /channels."},
      {"de", "{where}: Der Kanal „{value}“ ist in /channels nicht konfiguriert."},
      {"it", "{where}: il canale «{value}» non è configurato in /channels."}}},
    {"config_invalid_input_name",
     {{"fr", "{where} doit être un nom de champ de 1 à 64 lettres, chiffres, « _ » ou « - »."},
      {"en", "{where} must be an input name of 1 to 64 letters, digits, '_' or '-'."},
      {"es", "{where} debe ser un nombre de campo de 1 a 64 letras, cifras, «_» o «-»."},
      {"de", "{where} muss ein Feldname aus 1 bis 64 Buchstaben, Ziffern, „_“ oder „-“ sein."},
      {"it", "{where} deve essere un nome di campo di 1-64 lettere, cifre, «_» o «-»."}}},
    {"config_jurisdiction_invalid",
     {{"fr", "{where} doit être un code pays de deux lettres majuscules, par exemple « FR »."},
      {"en", "{where} must be a two-letter country code in capitals, such as \"FR\"."},
      {"es", "{where} debe ser un código de país de dos letras mayúsculas, por ejemplo «FR»."},
      {"de", "{where} muss ein Ländercode aus zwei Großbuchstaben sein, zum Beispiel „FR“."},
      {"it", "{where} deve essere un codice paese di due lettere maiuscole, ad esempio «FR»."}}},
    {"config_theme_invalid",
     {{"fr", "{where} doit être {kind}."},
      {"en", "{where} must be {kind}."},
      {"es", "{where} debe ser {kind}."},
      {"de", "{where} muss {kind} sein."},
      {"it", "{where} deve essere {kind}."}}},
    {"config_theme_contrast",
     {{"fr",
       "{where} : {pair} n'a qu'un contraste de {ratio}:1 en thème {scheme} ; les WCAG 2.2 (niveau AA) demandent "
       "{minimum}:1. Choisissez une couleur plus contrastée, ou fixez theme.colorScheme au thème de votre site."},
      {"en",
       "{where}: {pair} has a contrast of only {ratio}:1 in the {scheme} scheme; WCAG 2.2 level AA needs {minimum}:1. "
       "Choose a more contrasting colour, or set theme.colorScheme to your site's scheme."},
      {"es",
       "{where}: {pair} solo tiene un contraste de {ratio}:1 en el tema {scheme}; las WCAG 2.2 (nivel AA) exigen "
       "{minimum}:1. Elija un color con más contraste, o fije theme.colorScheme en el tema de su sitio."},
      {"de",
       "{where}: {pair} hat im {scheme} Farbschema nur einen Kontrast von {ratio}:1; WCAG 2.2 (Stufe AA) verlangt "
       "{minimum}:1. Wählen Sie eine kontrastreichere Farbe oder setzen Sie theme.colorScheme auf das Farbschema Ihrer "
       "Website."},
      {"it",
       "{where}: {pair} ha solo un contrasto di {ratio}:1 nel tema {scheme}; le WCAG 2.2 (livello AA) richiedono "
       "{minimum}:1. Scelga un colore più contrastato, o imposti theme.colorScheme sul tema del suo sito."}}},
    {"config_theme_contrast_scheme",
     {{"fr",
       "{where} : {pair} n'a qu'un contraste de {ratio}:1 en thème {scheme} (les WCAG 2.2, niveau AA, demandent "
       "{minimum}:1) ; le widget restera donc en thème {other}, même sur une page en thème {scheme}. Indiquez "
       "theme.colorScheme « {value} », ou choisissez des couleurs lisibles dans les deux thèmes."},
      {"en",
       "{where}: {pair} has a contrast of only {ratio}:1 in the {scheme} scheme (WCAG 2.2 level AA needs {minimum}:1), "
       "so the widget stays in the {other} scheme, even on a {scheme} page. Set theme.colorScheme to \"{value}\", or "
       "choose colours that read well in both."},
      {"es",
       "{where}: {pair} solo tiene un contraste de {ratio}:1 en el tema {scheme} (las WCAG 2.2, nivel AA, exigen "
       "{minimum}:1); por tanto, el widget permanecerá en el tema {other}, incluso en una página con tema {scheme}. "
       "Indique theme.colorScheme «{value}», o elija colores legibles en ambos temas."},
      {"de",
       "{where}: {pair} hat im {scheme} Farbschema nur einen Kontrast von {ratio}:1 (WCAG 2.2, Stufe AA, verlangt "
       "{minimum}:1); das Widget bleibt daher im {other} Farbschema, auch auf einer Seite im {scheme} Farbschema. "
       "Setzen Sie theme.colorScheme auf „{value}“ oder wählen Sie Farben, die in beiden Farbschemata lesbar sind."},
      {"it",
       "{where}: {pair} ha solo un contrasto di {ratio}:1 nel tema {scheme} (le WCAG 2.2, livello AA, richiedono "
       "{minimum}:1); il widget resterà quindi nel tema {other}, anche su una pagina con tema {scheme}. Imposti "
       "theme.colorScheme a «{value}», o scelga colori leggibili in entrambi i temi."}}},
    {"theme.pair.text",
     {{"fr", "le texte sur le fond du widget"},
      {"en", "the text on the widget's background"},
      {"es", "el texto sobre el fondo del widget"},
      {"de", "der Text auf dem Hintergrund des Widgets"},
      {"it", "il testo sullo sfondo del widget"}}},
    {"theme.pair.muted",
     {{"fr", "le texte secondaire (aides sous les cases) sur ce fond"},
      {"en", "the secondary text (hints under the boxes) on this background"},
      {"es", "el texto secundario (ayudas bajo las casillas) sobre este fondo"},
      {"de", "der Nebentext (Hinweise unter den Kästchen) auf diesem Hintergrund"},
      {"it", "il testo secondario (suggerimenti sotto le caselle) su questo sfondo"}}},
    {"theme.pair.error",
     {{"fr", "le texte des erreurs sur ce fond"},
      {"en", "the error text on this background"},
      {"es", "el texto de los errores sobre este fondo"},
      {"de", "der Fehlertext auf diesem Hintergrund"},
      {"it", "il testo degli errori su questo sfondo"}}},
    {"theme.pair.link",
     {{"fr", "la couleur d'accent (liens, contour de focus, cases cochées) sur le fond du widget"},
      {"en", "the accent colour (links, focus outline, ticked boxes) on the widget's background"},
      {"es", "el color de acento (enlaces, contorno de foco, casillas marcadas) sobre el fondo del widget"},
      {"de", "die Akzentfarbe (Links, Fokusrahmen, angekreuzte Kästchen) auf dem Hintergrund des Widgets"},
      {"it", "il colore di accento (link, contorno del focus, caselle selezionate) sullo sfondo del widget"}}},
    {"theme.pair.button",
     {{"fr", "le texte des boutons sur la couleur d'accent"},
      {"en", "the button text on the accent colour"},
      {"es", "el texto de los botones sobre el color de acento"},
      {"de", "der Text der Schaltflächen auf der Akzentfarbe"},
      {"it", "il testo dei pulsanti sul colore di accento"}}},
    {"theme.pair.border",
     {{"fr", "la bordure du widget sur son fond"},
      {"en", "the widget's border on its background"},
      {"es", "el borde del widget sobre su fondo"},
      {"de", "der Rahmen des Widgets auf seinem Hintergrund"},
      {"it", "il bordo del widget sul suo sfondo"}}},
    {"theme.scheme.light", {{"fr", "clair"}, {"en", "light"}, {"es", "claro"}, {"de", "hellen"}, {"it", "chiaro"}}},
    {"theme.scheme.dark", {{"fr", "sombre"}, {"en", "dark"}, {"es", "oscuro"}, {"de", "dunklen"}, {"it", "scuro"}}},
    {"theme.color",
     {{"fr", "une couleur hexadécimale, par exemple « #0a58ca »"},
      {"en", "a hexadecimal colour such as \"#0a58ca\""},
      {"es", "un color hexadecimal, por ejemplo «#0a58ca»"},
      {"de", "eine hexadezimale Farbe, zum Beispiel „#0a58ca“"},
      {"it", "un colore esadecimale, ad esempio «#0a58ca»"}}},
    {"theme.length",
     {{"fr", "une longueur CSS, par exemple « 4px » ou « 0.5rem »"},
      {"en", "a CSS length such as \"4px\" or \"0.5rem\""},
      {"es", "una longitud CSS, por ejemplo «4px» o «0.5rem»"},
      {"de", "eine CSS-Länge, zum Beispiel „4px“ oder „0.5rem“"},
      {"it", "una lunghezza CSS, ad esempio «4px» o «0.5rem»"}}},
    {"theme.font",
     {{"fr", "une liste de polices (lettres, chiffres, espaces, virgules, guillemets, « - »)"},
      {"en", "a list of font names (letters, digits, spaces, commas, quotes, '-')"},
      {"es", "una lista de fuentes (letras, cifras, espacios, comas, comillas, «-»)"},
      {"de", "eine Liste von Schriftarten (Buchstaben, Ziffern, Leerzeichen, Kommas, Anführungszeichen, „-“)"},
      {"it", "un elenco di caratteri (lettere, cifre, spazi, virgole, virgolette, «-»)"}}},
    // --- rules (DESIGN.md section 1) --------------------------------------------
    {"rule_r2_purpose_missing",
     {{"fr", "R2 : indiquez la finalité de la transmission dans /purpose ; la personne doit la lire avant de choisir."},
      {"en", "R2: state the purpose of the transmission in /purpose; the person must read it before choosing."},
      {"es", "R2: indique la finalidad de la cesión en /purpose; la persona debe leerla antes de elegir."},
      {"de", "R2: Geben Sie den Zweck der Weitergabe in /purpose an; die Person muss ihn vor ihrer Wahl lesen."},
      {"it", "R2: indichi la finalità della comunicazione in /purpose; la persona deve leggerla prima di scegliere."}}},
    {"rule_r2_recipients_missing",
     {{"fr",
       "R2 : la transmission pour le courrier et le téléphone (intérêt légitime) doit indiquer les catégories de "
       "destinataires : /recipients avec sectors ou offerTypes."},
      {"en",
       "R2: postal and phone transmission (legitimate interest) must state the types of recipients: /recipients with "
       "sectors or offerTypes."},
      {"es",
       "R2: la cesión para correo postal y teléfono (interés legítimo) debe indicar las categorías de destinatarios: "
       "/recipients con sectors u offerTypes."},
      {"de",
       "R2: Die Weitergabe für Post und Telefon (berechtigtes Interesse) muss die Kategorien von Empfängern angeben: "
       "/recipients mit sectors oder offerTypes."},
      {"it",
       "R2: la comunicazione per posta e telefono (legittimo interesse) deve indicare le categorie di destinatari: "
       "/recipients con sectors o offerTypes."}}},
    {"rule_r2_recipients_missing.count",
     {{"fr",
       "R2 : indiquez le nombre approximatif de partenaires dans /recipients/approximateCount (aucune liste de "
       "partenaires n'est fournie pour les compter)."},
      {"en",
       "R2: give the approximate number of partners in /recipients/approximateCount (there is no inline partner list "
       "to count)."},
      {"es",
       "R2: indique el número aproximado de socios en /recipients/approximateCount (no se facilita ninguna lista de "
       "socios para contarlos)."},
      {"de",
       "R2: Geben Sie die ungefähre Anzahl der Partner in /recipients/approximateCount an (es gibt keine Partnerliste, "
       "um sie zu zählen)."},
      {"it",
       "R2: indichi il numero approssimativo di partner in /recipients/approximateCount (non è fornito alcun elenco di "
       "partner per contarli)."}}},
    {"rule_r3_partner_list_missing",
     {{"fr",
       "R3/R7 : le consentement pour le canal {channel} exige la liste des partenaires au moment du choix : listez-les "
       "dans /partners/entries ou donnez le lien /partners/listUrl."},
      {"en",
       "R3/R7: {channel} consent needs the partner list at the moment of consent: list the partners in "
       "/partners/entries or link it with /partners/listUrl."},
      {"es",
       "R3/R7: el consentimiento para el canal {channel} exige la lista de socios en el momento de la elección: "
       "enumérelos en /partners/entries o facilite el enlace /partners/listUrl."},
      {"de",
       "R3/R7: Die Einwilligung für den Kanal {channel} erfordert die Partnerliste im Moment der Wahl: Führen Sie die "
       "Partner in /partners/entries auf oder verlinken Sie sie mit /partners/listUrl."},
      {"it",
       "R3/R7: il consenso per il canale {channel} richiede l'elenco dei partner al momento della scelta: li elenchi "
       "in /partners/entries o fornisca il link /partners/listUrl."}}},
    {"rule_r3_partner_incomplete",
     {{"fr",
       "R3 : il manque « {key} » au partenaire en {where} ; chaque partenaire doit avoir un identifiant, un nom et le "
       "lien https: vers sa politique de confidentialité."},
      {"en",
       "R3: the partner at {where} lacks \"{key}\"; each partner needs an id, a name and the https: link to its "
       "privacy policy."},
      {"es",
       "R3: al socio en {where} le falta «{key}»; cada socio debe tener un identificador, un nombre y el enlace https: "
       "a su política de privacidad."},
      {"de",
       "R3: Dem Partner bei {where} fehlt „{key}“; jeder Partner braucht eine Kennung, einen Namen und den https:-Link "
       "zu seiner Datenschutzerklärung."},
      {"it",
       "R3: al partner in {where} manca «{key}»; ogni partner deve avere un identificativo, un nome e il link https: "
       "alla sua informativa sulla privacy."}}},
    {"rule_r4_consent_required",
     {{"fr",
       "R4 : la prospection des partenaires par {channel} exige le consentement de la personne ; {where} doit valoir « "
       "consent »."},
      {"en", "R4: partners' prospecting by {channel} needs the person's consent; set {where} to \"consent\"."},
      {"es",
       "R4: la prospección de los socios por {channel} exige el consentimiento de la persona; {where} debe ser "
       "«consent»."},
      {"de",
       "R4: Werbung der Partner per {channel} erfordert die Einwilligung der Person; setzen Sie {where} auf "
       "„consent“."},
      {"it",
       "R4: il marketing dei partner via {channel} richiede il consenso della persona; {where} deve valere "
       "«consent»."}}},
    {"rule_r5_prechecked",
     {{"fr", "R5 : une case est toujours présentée décochée ; supprimez {where}."},
      {"en", "R5: a box is always shown unchecked; remove {where}."},
      {"es", "R5: una casilla siempre se presenta sin marcar; elimine {where}."},
      {"de", "R5: Ein Kästchen wird immer nicht angekreuzt angezeigt; entfernen Sie {where}."},
      {"it", "R5: una casella è sempre presentata non selezionata; rimuova {where}."}}},
    {"rule_r6_partner_prospecting_missing",
     {{"fr",
       "R6 : indiquez dans {where}/partnerProspecting si le consentement est recueilli pour le compte des partenaires "
       "(« on-behalf ») ou pour la seule transmission (« transmission-only »)."},
      {"en",
       "R6: say in {where}/partnerProspecting whether consent is collected on behalf of the partners (\"on-behalf\") "
       "or for the transmission only (\"transmission-only\")."},
      {"es",
       "R6: indique en {where}/partnerProspecting si el consentimiento se recaba en nombre de los socios («on-behalf») "
       "o solo para la cesión («transmission-only»)."},
      {"de",
       "R6: Geben Sie in {where}/partnerProspecting an, ob die Einwilligung im Namen der Partner („on-behalf“) oder "
       "nur für die Weitergabe („transmission-only“) eingeholt wird."},
      {"it",
       "R6: indichi in {where}/partnerProspecting se il consenso è raccolto per conto dei partner («on-behalf») o per "
       "la sola comunicazione («transmission-only»)."}}},
    {"rule_r8_controller_missing",
     {{"fr",
       "R8 : nommez l'organisme qui transmet les données dans /controller/name ; les partenaires doivent l'indiquer "
       "aux personnes."},
      {"en",
       "R8: name the organisation that transmits the data in /controller/name; partners must tell people who it is."},
      {"es",
       "R8: indique el organismo que cede los datos en /controller/name; los socios deben comunicarlo a las personas."},
      {"de",
       "R8: Nennen Sie die Organisation, die die Daten weitergibt, in /controller/name; die Partner müssen sie den "
       "Personen mitteilen."},
      {"it",
       "R8: indichi l'organizzazione che comunica i dati in /controller/name; i partner devono indicarla alle "
       "persone."}}},
    {"rule_r8_rights_contact_missing",
     {{"fr",
       "R8 : indiquez où les personnes peuvent s'opposer ou retirer leur consentement dans /controller/rightsContact "
       "(une adresse électronique ou une URL https:)."},
      {"en",
       "R8: give the contact where people object or withdraw in /controller/rightsContact (an email address or an "
       "https: URL)."},
      {"es",
       "R8: indique en /controller/rightsContact dónde pueden las personas oponerse o retirar su consentimiento (una "
       "dirección de correo electrónico o una URL https:)."},
      {"de",
       "R8: Geben Sie in /controller/rightsContact an, wo Personen widersprechen oder ihre Einwilligung widerrufen "
       "können (eine E-Mail-Adresse oder eine https:-URL)."},
      {"it",
       "R8: indichi in /controller/rightsContact dove le persone possono opporsi o revocare il consenso (un indirizzo "
       "e-mail o un URL https:)."}}},
    {"rule_r8_rights_contact_invalid",
     {{"fr", "R8 : {where} doit être une adresse électronique ou une URL https:, et non « {value} »."},
      {"en", "R8: {where} must be an email address or an https: URL, not \"{value}\"."},
      {"es", "R8: {where} debe ser una dirección de correo electrónico o una URL https:, no «{value}»."},
      {"de", "R8: {where} muss eine E-Mail-Adresse oder eine https:-URL sein, nicht „{value}“."},
      {"it", "R8: {where} deve essere un indirizzo e-mail o un URL https:, non «{value}»."}}},
    {"rule_r9_retention_missing",
     {{"fr", "R9 : indiquez la durée de conservation des coordonnées, en mois, dans /retention/months."},
      {"en", "R9: set how long contact data is kept, in months, in /retention/months."},
      {"es", "R9: indique el plazo de conservación de los datos de contacto, en meses, en /retention/months."},
      {"de", "R9: Geben Sie in /retention/months an, wie viele Monate die Kontaktdaten gespeichert werden."},
      {"it", "R9: indichi il periodo di conservazione dei dati di contatto, in mesi, in /retention/months."}}},
    {"rule_r9_retention_invalid",
     {{"fr", "R9 : {where} doit être un nombre entier de mois strictement positif (au plus {max})."},
      {"en", "R9: {where} must be a positive whole number of months (at most {max})."},
      {"es", "R9: {where} debe ser un número entero de meses estrictamente positivo (como máximo {max})."},
      {"de", "R9: {where} muss eine positive ganze Zahl von Monaten sein (höchstens {max})."},
      {"it", "R9: {where} deve essere un numero intero di mesi strettamente positivo (al massimo {max})."}}},
    // --- warnings (CNIL recommendations) ---------------------------------------
    {"rule_r9_retention_long",
     {{"fr", "R9 : {value} mois dépassent les 3 ans (36 mois) recommandés par la CNIL pour les données de prospects."},
      {"en", "R9: {value} months is longer than the 3 years (36 months) the CNIL recommends for prospects' data."},
      {"es",
       "R9: {value} meses superan los 3 años (36 meses) que recomienda la CNIL para los datos de clientes "
       "potenciales."},
      {"de",
       "R9: {value} Monate überschreiten die 3 Jahre (36 Monate), die die CNIL für Daten von Interessenten empfiehlt."},
      {"it",
       "R9: {value} mesi superano i 3 anni (36 mesi) raccomandati dalla CNIL per i dati dei potenziali clienti."}}},
    {"rule_r6_transmission_only",
     {{"fr",
       "R6 : avec « transmission-only », chaque partenaire doit recueillir lui-même le consentement avant de "
       "prospecter ; la CNIL recommande un consentement « on-behalf » pour des partenaires nommés."},
      {"en",
       "R6: with \"transmission-only\" each partner must collect consent itself before prospecting; the CNIL "
       "recommends \"on-behalf\" consent for named partners."},
      {"es",
       "R6: con «transmission-only», cada socio debe recabar por sí mismo el consentimiento antes de hacer "
       "prospección; la CNIL recomienda un consentimiento «on-behalf» para socios nombrados."},
      {"de",
       "R6: Bei „transmission-only“ muss jeder Partner die Einwilligung selbst einholen, bevor er Werbung sendet; die "
       "CNIL empfiehlt eine Einwilligung „on-behalf“ für namentlich genannte Partner."},
      {"it",
       "R6: con «transmission-only», ogni partner deve raccogliere da sé il consenso prima di fare marketing; la CNIL "
       "raccomanda un consenso «on-behalf» per partner nominati."}}},
    {"rule_r8_partner_contact_missing",
     {{"fr",
       "R8 : {where} n'a pas de « contact » (adresse électronique et/ou postale) : la notice de premier contact ne "
       "donnera que sa politique de confidentialité pour s'opposer ou retirer son consentement auprès de lui."},
      {"en",
       "R8: {where} has no \"contact\" (email and/or postal address): the first-contact notice will only give its "
       "privacy policy as the way to object or withdraw consent with it."},
      {"es",
       "R8: {where} no tiene «contact» (dirección de correo electrónico y/o postal): la información de primer contacto "
       "solo indicará su política de privacidad como vía para oponerse o retirar el consentimiento ante él."},
      {"de",
       "R8: {where} hat keinen „contact“ (E-Mail- und/oder Postanschrift): Die Information bei Erstkontakt nennt dann "
       "nur seine Datenschutzerklärung als Weg, ihm gegenüber zu widersprechen oder die Einwilligung zu widerrufen."},
      {"it",
       "R8: {where} non ha «contact» (indirizzo e-mail e/o postale): l'informativa di primo contatto indicherà solo la "
       "sua informativa sulla privacy come modo per opporsi o revocare il consenso presso di lui."}}},
    {"rule_r8_partner_contact_invalid",
     {{"fr", "R8 : {where} doit être une adresse électronique (reçu {value})."},
      {"en", "R8: {where} must be an email address (got {value})."},
      {"es", "R8: {where} debe ser una dirección de correo electrónico (recibido: {value})."},
      {"de", "R8: {where} muss eine E-Mail-Adresse sein (erhalten: {value})."},
      {"it", "R8: {where} deve essere un indirizzo e-mail (ricevuto: {value})."}}},
    {"rule_r3_list_not_dated",
     {{"fr", "R3 : indiquez /partners/updatedAt pour que l'on voie que la liste des partenaires est à jour."},
      {"en", "R3: give /partners/updatedAt so that people can see the partner list is up to date."},
      {"es", "R3: indique /partners/updatedAt para que se vea que la lista de socios está actualizada."},
      {"de", "R3: Geben Sie /partners/updatedAt an, damit erkennbar ist, dass die Partnerliste aktuell ist."},
      {"it", "R3: indichi /partners/updatedAt perché si veda che l'elenco dei partner è aggiornato."}}},
    {"rule_r7_short_list_by_link",
     {{"fr",
       "R7 : avec environ {value} partenaires, la liste est assez courte pour figurer sur le formulaire ; ajoutez-la "
       "dans /partners/entries plutôt qu'un simple lien."},
      {"en",
       "R7: with about {value} partners the list is short enough to show on the form; add it to /partners/entries "
       "rather than only a link."},
      {"es",
       "R7: con unos {value} socios, la lista es lo bastante corta para figurar en el formulario; añádala en "
       "/partners/entries en lugar de un simple enlace."},
      {"de",
       "R7: Mit etwa {value} Partnern ist die Liste kurz genug für das Formular; fügen Sie sie in /partners/entries "
       "ein statt nur eines Links."},
      {"it",
       "R7: con circa {value} partner, l'elenco è abbastanza breve da figurare nel modulo; lo aggiunga in "
       "/partners/entries anziché un semplice link."}}},
    {"rule_r2_approximate_count_missing",
     {{"fr", "R2 : indiquez le nombre approximatif de partenaires dans /recipients/approximateCount."},
      {"en", "R2: give the approximate number of partners in /recipients/approximateCount."},
      {"es", "R2: indique el número aproximado de socios en /recipients/approximateCount."},
      {"de", "R2: Geben Sie die ungefähre Anzahl der Partner in /recipients/approximateCount an."},
      {"it", "R2: indichi il numero approssimativo di partner in /recipients/approximateCount."}}},
    {"config_combine_objection_off",
     {{"fr",
       "{value} cases seront affichées ; mettez combineObjection à true pour proposer une seule case d'opposition pour "
       "le courrier et le téléphone et garder un choix simple."},
      {"en",
       "{value} boxes will be shown; set combineObjection to true to offer one objection box for postal mail and phone "
       "and keep the choice simple."},
      {"es",
       "Se mostrarán {value} casillas; ponga combineObjection a true para ofrecer una sola casilla de oposición para "
       "correo postal y teléfono y mantener una elección sencilla."},
      {"de",
       "Es werden {value} Kästchen angezeigt; setzen Sie combineObjection auf true, um ein einziges "
       "Widerspruchskästchen für Post und Telefon anzubieten und die Wahl einfach zu halten."},
      {"it",
       "Saranno mostrate {value} caselle; imposti combineObjection a true per offrire una sola casella di opposizione "
       "per posta e telefono e mantenere la scelta semplice."}}},
    {"config_field_missing",
     {{"fr",
       "Le widget ne peut pas vérifier la coordonnée qu'exige le consentement {channel} : indiquez dans /fields/{key} "
       "le sélecteur CSS de ce champ."},
      {"en",
       "The widget cannot check the contact {channel} consent needs: set /fields/{key} to the CSS selector of that "
       "form field."},
      {"es",
       "El widget no puede comprobar el dato de contacto que exige el consentimiento {channel}: indique en "
       "/fields/{key} el selector CSS de ese campo."},
      {"de",
       "Das Widget kann die Kontaktangabe, die die Einwilligung für {channel} erfordert, nicht prüfen: Geben Sie in "
       "/fields/{key} den CSS-Selektor dieses Formularfelds an."},
      {"it",
       "Il widget non può verificare il dato di contatto richiesto dal consenso {channel}: indichi in /fields/{key} il "
       "selettore CSS di quel campo."}}},

    {"config_field_unbound",
     {{"fr",
       "Aucun champ du formulaire n'est lié à la coordonnée du canal {channel} : les reçus ne diront pas quelle "
       "coordonnée l'opposition protège. Indiquez dans /fields/{key} le sélecteur CSS de ce champ."},
      {"en",
       "No form field is bound to the {channel} contact: receipts will not say which contact the objection "
       "protects. Set /fields/{key} to the CSS selector of that form field."},
      {"es",
       "Ningún campo del formulario está vinculado al dato de contacto del canal {channel}: los recibos no dirán qué "
       "dato de contacto protege la oposición. Indique en /fields/{key} el selector CSS de ese campo."},
      {"de",
       "Kein Formularfeld ist mit der Kontaktangabe des Kanals {channel} verknüpft: Die Quittungen sagen nicht, welche "
       "Kontaktangabe der Widerspruch schützt. Geben Sie in /fields/{key} den CSS-Selektor dieses Formularfelds an."},
      {"it",
       "Nessun campo del modulo è collegato al dato di contatto del canale {channel}: le ricevute non diranno quale "
       "dato di contatto protegge l'opposizione. Indichi in /fields/{key} il selettore CSS di quel campo."}}},

    // --- texts in several languages (warning) ------------------------------------
    {"text_missing_locale",
     {{"fr",
       "{where} est donné par langue mais sans texte en « {value} », une langue de la configuration ; en « {value} », "
       "la notice affichera le texte d'une autre langue."},
      {"en",
       "{where} is given per language but has no \"{value}\" text, a language the config uses; in \"{value}\" the "
       "notice will show another language's text."},
      {"es",
       "{where} se da por idioma pero sin texto en «{value}», un idioma de la configuración; en «{value}», el aviso "
       "mostrará el texto de otro idioma."},
      {"de",
       "{where} ist pro Sprache angegeben, aber ohne Text in „{value}“, einer Sprache der Konfiguration; in „{value}“ "
       "zeigt der Hinweis den Text einer anderen Sprache."},
      {"it",
       "{where} è fornito per lingua ma senza testo in «{value}», una lingua della configurazione; in «{value}», "
       "l'informativa mostrerà il testo di un'altra lingua."}}},
    {"text_missing_locale.texts",
     {{"fr",
       "{where} remplace un texte en « {key} » mais pas en « {value} », une langue de la configuration ; en « {value} "
       "», la notice gardera le texte de Cachet."},
      {"en",
       "{where} overrides a text in \"{key}\" but not in \"{value}\", a language the config uses; in \"{value}\" the "
       "notice will keep Cachet's own wording."},
      {"es",
       "{where} sustituye un texto en «{key}» pero no en «{value}», un idioma de la configuración; en «{value}», el "
       "aviso mantendrá el texto de Cachet."},
      {"de",
       "{where} ersetzt einen Text in „{key}“, aber nicht in „{value}“, einer Sprache der Konfiguration; in „{value}“ "
       "behält der Hinweis den Text von Cachet."},
      {"it",
       "{where} sostituisce un testo in «{key}» ma non in «{value}», una lingua della configurazione; in «{value}», "
       "l'informativa manterrà il testo di Cachet."}}},
};

}  // namespace

TextTable lint_texts() { return {kLint, sizeof(kLint) / sizeof(kLint[0])}; }

}  // namespace cachet::detail
