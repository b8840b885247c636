#include "pages.h"

#include <algorithm>

#include "cachet/receipt.h"

namespace cachet::server {
namespace {

bool fr(const std::string& locale) { return locale != "en"; }
const char* t(const std::string& locale, const char* french, const char* english) {
  return fr(locale) ? french : english;
}

// Query-string escaping for values we put into links (tokens, channel names).
std::string url_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (std::isalnum(b) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
  return out;
}

std::string page(const std::string& locale, const std::string& title, const std::string& body) {
  return "<!doctype html>\n<html lang=\"" + std::string(fr(locale) ? "fr" : "en") +
         "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, "
         "initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>" +
         html_escape(title) + "</title>\n<link rel=\"stylesheet\" href=\"/cachet-server.css\">\n</head>\n<body>\n" +
         "<main class=\"cachet-page\">\n" + body + "</main>\n</body>\n</html>\n";
}

std::string channel_label(const std::string& locale, const std::string& channel) {
  if (channel == "postal") return t(locale, "Courrier postal", "Postal mail");
  if (channel == "phone") return t(locale, "Appels téléphoniques", "Phone calls");
  if (channel == "email") return t(locale, "Courrier électronique (e-mail)", "Email");
  if (channel == "sms") return t(locale, "SMS", "Text messages (SMS)");
  return channel;
}

std::string decision_label(const std::string& locale, const std::string& decision) {
  if (decision == "objected") return t(locale, "Vous vous y opposez", "You object");
  if (decision == "not-objected") return t(locale, "Vous ne vous y opposez pas", "You do not object");
  if (decision == "granted") return t(locale, "Vous y avez consenti", "You consented");
  if (decision == "not-granted") return t(locale, "Vous n'y avez pas consenti", "You did not consent");
  if (decision == "withdrawn") return t(locale, "Vous avez retiré votre consentement", "You withdrew your consent");
  return decision;
}

std::string method_label(const std::string& locale, const std::string& method) {
  if (method == "web-form") return t(locale, "formulaire en ligne", "online form");
  if (method == "paper") return t(locale, "formulaire papier", "paper form");
  if (method == "phone") return t(locale, "par téléphone", "by phone");
  if (method == "preference-centre") return t(locale, "centre de préférences", "preference centre");
  if (method == "relayed-by-partner") return t(locale, "transmis par un partenaire", "relayed by a partner");
  return method;
}

std::string decision_of(const Json& payload, const std::string& channel) {
  if (!payload.is_object() || !payload.contains("channels") || !payload["channels"].is_object()) return "";
  const Json& channels = payload["channels"];
  if (!channels.contains(channel) || !channels[channel].is_object()) return "";
  const Json& entry = channels[channel];
  return entry.contains("decision") && entry["decision"].is_string() ? entry["decision"].get<std::string>() : "";
}

std::string hidden(const char* name, const std::string& value) {
  return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + html_escape(value) + "\">";
}

std::string action_form(const PreferencePage& page, const std::string& channel, const char* action,
                        const std::string& label, const char* css) {
  return "<form method=\"post\" action=\"/preferences\">" + hidden("token", page.token) + hidden("lang", page.locale) +
         hidden("channel", channel) + hidden("action", action) + "<button type=\"submit\" class=\"" + css + "\">" +
         html_escape(label) + "</button></form>";
}

std::string lang_switch(const std::string& locale, const std::string& query_prefix) {
  return "<p class=\"cachet-lang\"><a href=\"" + html_escape(query_prefix + (fr(locale) ? "en" : "fr")) +
         "\" hreflang=\"" + (fr(locale) ? "en" : "fr") + "\">" + (fr(locale) ? "English" : "Français") + "</a></p>\n";
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string render_preferences_page(const PreferencePage& pg, const PersonState& person, const Config& config) {
  const std::string& l = pg.locale;
  std::string body;
  body += lang_switch(l, "/preferences?token=" + url_encode(pg.token) + "&lang=");
  body += "<h1>" + html_escape(t(l, "Vos choix de prospection", "Your marketing choices")) + "</h1>\n";
  body += "<p>" +
          html_escape(fr(l) ? config.controller.name +
                                  " transmet vos coordonnées à ses partenaires selon les choix ci-dessous. Vous pouvez "
                                  "les modifier à tout moment, gratuitement : chaque changement prend effet "
                                  "immédiatement et produit un nouveau reçu."
                            : config.controller.name +
                                  " shares your contact details with its partners according to the choices below. "
                                  "You may change them at any time, free of charge: each change takes effect at once "
                                  "and produces a new receipt.") +
          "</p>\n";
  if (!pg.changed.empty()) {
    body += "<p class=\"cachet-notice\" role=\"status\">" +
            html_escape(pg.changed == "none" ? t(l, "Ce choix était déjà enregistré : rien n'a changé.",
                                                 "That choice was already recorded: nothing changed.")
                                             : t(l, "Votre choix est enregistré. Un nouveau reçu a été créé.",
                                                 "Your choice is recorded. A new receipt was made.")) +
            "</p>\n";
  }
  body += "<table class=\"cachet-state\">\n<caption>" + html_escape(t(l, "Vos choix actuels", "Your current choices")) +
          "</caption>\n<thead><tr><th scope=\"col\">" + html_escape(t(l, "Canal", "Channel")) +
          "</th><th scope=\"col\">" + html_escape(t(l, "Votre choix", "Your choice")) + "</th><th scope=\"col\">" +
          html_escape(t(l, "Modifier", "Change")) + "</th></tr></thead>\n<tbody>\n";
  for (const ChannelConfig& c : config.channels) {
    const std::string name(to_string(c.channel));
    const std::string decision = decision_of(person.latest.payload, name);
    std::string action;
    if (c.basis == Basis::kLegitimateInterest) {
      action = decision == "objected"
                   ? action_form(pg, name, "unobject", t(l, "Retirer mon opposition", "Withdraw my objection"),
                                 "cachet-button-secondary")
                   : action_form(pg, name, "object", t(l, "Je m'oppose", "I object"), "cachet-button");
    } else if (decision == "granted") {
      action =
          action_form(pg, name, "withdraw", t(l, "Retirer mon consentement", "Withdraw my consent"), "cachet-button");
    } else {
      action = "<span class=\"cachet-muted\">" +
               html_escape(
                   t(l, "Pour consentir, utilisez le formulaire d'inscription.", "To consent, use the signup form.")) +
               "</span>";
    }
    body += "<tr><th scope=\"row\">" + html_escape(channel_label(l, name)) + "</th><td>" +
            html_escape(decision.empty() ? t(l, "Non renseigné", "Not recorded") : decision_label(l, decision)) +
            "</td><td>" + action + "</td></tr>\n";
  }
  body += "</tbody>\n</table>\n";

  body += "<h2>" + html_escape(t(l, "Historique de vos reçus", "Your receipt history")) +
          "</h2>\n<ol class=\"cachet-history\">\n";
  // Newest first, numbered from the oldest: explicit values, since <ol reversed>
  // miscounts here when items hold block content.
  std::vector<StoredReceipt> history = person.history;
  std::reverse(history.begin(), history.end());
  std::size_t number = history.size();
  for (const StoredReceipt& r : history) {
    body += "<li value=\"" + std::to_string(number--) + "\"><p><strong>" + html_escape(readable_time(r.issued_at, l)) +
            "</strong> — " + html_escape(method_label(l, r.collection_method)) + " — <code>" + html_escape(r.receipt_id) +
            "</code></p>\n<details><summary>" + html_escape(t(l, "Lire le reçu", "Read the receipt")) +
            "</summary>\n<pre class=\"cachet-receipt\">" + html_escape(render_receipt_text(r.payload, l)) +
            "</pre></details></li>\n";
  }
  body += "</ol>\n";
  body += "<p class=\"cachet-muted\">" +
          html_escape((fr(l) ? "Ce lien personnel expire le " : "This personal link expires on ") +
                      readable_time(pg.expires_at, l) +
                      (fr(l) ? ". Pour toute question sur vos données : " : ". For any question about your data: ") +
                      config.controller.rights_contact) +
          "</p>\n";
  return page(l, t(l, "Vos choix de prospection", "Your marketing choices"), body);
}

std::string render_signup_result(const SignupResult& r, const Config& config) {
  const std::string& l = r.locale;
  std::string body;
  body += "<h1>" + html_escape(t(l, "Merci, votre inscription est enregistrée", "Thank you, you are signed up")) +
          "</h1>\n";
  body += "<p>" +
          html_escape(fr(l) ? "Voici votre reçu de consentement, contresigné par " + config.controller.name +
                                  ". Conservez-le : il prouve les choix que vous avez faits."
                            : "Here is your consent receipt, countersigned by " + config.controller.name +
                                  ". Keep it: it proves the choices you made.") +
          "</p>\n";
  if (!r.preference_path.empty()) {
    body += "<section class=\"cachet-card\"><h2>" +
            html_escape(t(l, "Changer d'avis à tout moment", "Change your mind at any time")) + "</h2><p>" +
            html_escape(t(l,
                          "Dans un vrai site, ce lien personnel vous serait envoyé par e-mail. Pour la démonstration, "
                          "le voici :",
                          "On a real site this personal link would be emailed to you. For the demo, here it is:")) +
            "</p><p><a class=\"cachet-button\" href=\"" + html_escape(r.preference_path) + "\">" +
            html_escape(t(l, "Ouvrir mon centre de préférences", "Open my preference centre")) +
            "</a></p><p class=\"cachet-muted\">" +
            html_escape((fr(l) ? "Valable jusqu'au " : "Valid until ") + readable_time(r.link_expires_at, l)) + "</p></section>\n";
  }
  body += "<h2>" + html_escape(t(l, "Votre reçu", "Your receipt")) + "</h2>\n<pre class=\"cachet-receipt\">" +
          html_escape(r.receipt_text) + "</pre>\n";
  body += "<details><summary>" +
          html_escape(t(l, "Le reçu signé (JSON), à coller dans le vérificateur",
                        "The signed receipt (JSON), to paste into the verifier")) +
          "</summary>\n<textarea class=\"cachet-jws\" readonly rows=\"12\" aria-label=\"" +
          html_escape(t(l, "Reçu signé", "Signed receipt")) + "\">" + html_escape(r.receipt_json) +
          "</textarea>\n<p><a href=\"/receipt.html\">" + html_escape(t(l, "Vérifier un reçu", "Verify a receipt")) +
          "</a></p></details>\n";
  body += "<p class=\"cachet-muted\">" +
          html_escape(t(l, "Cette démonstration ne conserve que le reçu, jamais vos coordonnées.",
                        "This demo keeps only the receipt, never your contact details.")) +
          "</p>\n<p><a href=\"/\">" + html_escape(t(l, "Retour à l'accueil", "Back to the home page")) + "</a></p>\n";
  return page(l, t(l, "Inscription enregistrée", "Signed up"), body);
}

std::string render_signup_error(const std::string& l, const std::string& message, const Config&) {
  std::string body =
      "<h1>" + html_escape(t(l, "Votre inscription n'a pas pu être enregistrée", "Your signup could not be recorded")) +
      "</h1>\n<p>" + html_escape(message.empty() ? t(l, "Le reçu est invalide.", "The receipt is invalid.") : message) +
      "</p>\n<p><a href=\"/\">" + html_escape(t(l, "Réessayer", "Try again")) + "</a></p>\n";
  return page(l, t(l, "Erreur", "Error"), body);
}

std::string render_message_page(const std::string& l, MessageKind kind, const Config& config) {
  std::string title;
  std::string text;
  switch (kind) {
    case MessageKind::kLinkInvalid:
      title = t(l, "Lien invalide ou expiré", "Invalid or expired link");
      text = fr(l) ? "Ce lien vers vos préférences n'est pas valide ou a expiré. Demandez-en un nouveau à " +
                         config.controller.rights_contact + "."
                   : "This preference link is not valid or has expired. Ask " + config.controller.rights_contact +
                         " for a new one.";
      break;
    case MessageKind::kPersonGone:
      title = t(l, "Aucune donnée", "No data");
      text = t(l, "Nous ne conservons plus de reçu vous concernant (durée de conservation écoulée).",
               "We no longer hold any receipt about you (retention period over).");
      break;
    case MessageKind::kChangeFailed:
      title = t(l, "Changement impossible", "Change not possible");
      text = t(l, "Ce changement n'a pas pu être enregistré. Réessayez depuis votre lien.",
               "This change could not be recorded. Try again from your link.");
      break;
  }
  return page(l, title, "<h1>" + html_escape(title) + "</h1>\n<p>" + html_escape(text) + "</p>\n");
}

std::string server_stylesheet() {
  return R"css(:root { color-scheme: light dark; --c-accent: #0a58ca; --c-fg: #1b1f24; --c-bg: #fff; --c-muted: #5b636d; --c-line: #d0d7de; }
@media (prefers-color-scheme: dark) { :root { --c-accent: #6ea8fe; --c-fg: #e6edf3; --c-bg: #0d1117; --c-muted: #9da7b1; --c-line: #30363d; } }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--c-fg); background: var(--c-bg); }
.cachet-page { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; }
a { color: var(--c-accent); }
.cachet-lang { text-align: right; margin: 0; }
.cachet-notice { border-left: 4px solid var(--c-accent); padding: .5rem .75rem; background: color-mix(in srgb, var(--c-accent) 10%, transparent); }
.cachet-state { width: 100%; border-collapse: collapse; margin: 1rem 0; }
.cachet-state caption { text-align: left; font-weight: 600; padding-bottom: .5rem; }
.cachet-state th, .cachet-state td { text-align: left; padding: .6rem .4rem; border-top: 1px solid var(--c-line); vertical-align: middle; }
.cachet-state form { margin: 0; }
.cachet-button, .cachet-button-secondary { display: inline-block; font: inherit; padding: .45rem .9rem; border-radius: 6px; border: 2px solid var(--c-accent); cursor: pointer; text-decoration: none; }
.cachet-button { background: var(--c-accent); color: var(--c-bg); }
.cachet-button-secondary { background: transparent; color: var(--c-accent); }
.cachet-button:focus-visible, .cachet-button-secondary:focus-visible, a:focus-visible, summary:focus-visible { outline: 3px solid var(--c-accent); outline-offset: 2px; }
.cachet-muted { color: var(--c-muted); font-size: .9rem; }
.cachet-history li { margin-bottom: 1rem; }
.cachet-receipt { white-space: pre-wrap; background: color-mix(in srgb, var(--c-fg) 6%, transparent); padding: .75rem; border-radius: 6px; font-size: .85rem; }
.cachet-jws { width: 100%; font: .8rem/1.4 ui-monospace, monospace; }
.cachet-card { border: 1px solid var(--c-line); border-radius: 8px; padding: .25rem 1rem 1rem; margin: 1rem 0; }
@media (forced-colors: active) { .cachet-button, .cachet-button-secondary { border: 2px solid ButtonText; } }
)css";
}

}  // namespace cachet::server
