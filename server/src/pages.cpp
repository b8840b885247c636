#include "pages.h"

#include <algorithm>

#include "cachet/messages.h"
#include "cachet/receipt.h"

namespace cachet::server {
namespace {

// Every text of these pages is in the core's message table (page.*, receipt.*).
std::string t(const std::string& locale, std::string_view id, const TextArgs& args = {}) {
  return text(id, locale, args);
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
  return "<!doctype html>\n<html lang=\"" + std::string(text_locale(locale)) +
         "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, "
         "initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>" +
         html_escape(title) + "</title>\n<link rel=\"stylesheet\" href=\"/cachet-server.css\">\n</head>\n<body>\n" +
         "<main class=\"cachet-page\">\n" + body + "</main>\n</body>\n</html>\n";
}

// A channel, decision or collection method as the page shows it; a value
// the table does not know is shown as it is.
std::string label(const std::string& locale, const std::string& id, const std::string& value) {
  return has_text(id) ? t(locale, id) : value;
}
std::string channel_label(const std::string& locale, const std::string& channel) {
  return label(locale, "page.channel." + channel, channel);
}
std::string decision_label(const std::string& locale, const std::string& decision) {
  return label(locale, "page.decision." + decision, decision);
}
// The collection methods read as on the receipt, but for the phone ("by phone").
std::string method_label(const std::string& locale, const std::string& method) {
  return label(locale, (method == "phone" ? "page.method." : "receipt.method.") + method, method);
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

// A link to the page in every other supported locale, each named in its own language.
std::string lang_switch(const std::string& locale, const std::string& query_prefix) {
  std::string links;
  for (const std::string& other : supported_locales()) {
    if (other == text_locale(locale)) continue;
    if (!links.empty()) links += " ";
    links.append("<a href=\"").append(html_escape(query_prefix + other)).append("\" hreflang=\"");
    // Each language named in itself, marked so (WCAG 3.1.2, language of parts).
    links.append(other).append("\" lang=\"").append(other).append("\">");
    links.append(html_escape(t(other, "locale.name"))).append("</a>");
  }
  return "<p class=\"cachet-lang\">" + links + "</p>\n";
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

Coverage coverage_of(const ConsentState& state, const Config& config, std::int64_t now_unix) {
  Coverage out;
  for (const std::string& id : state.partner_ids) {
    const auto it = std::find_if(config.partners.entries.begin(), config.partners.entries.end(),
                                 [&](const Partner& p) { return p.id == id; });
    if (it == config.partners.entries.end()) {
      out.accepted.push_back({id, id, "", {}});  // no longer a partner: nothing goes to it
    } else {
      out.accepted.push_back(
          {id, it->name, it->privacy_policy_url, channels_to_partner(state, *it, now_unix, std::nullopt)});
    }
  }
  // The core decides whom to ask (lifecycle.h uncovered_partners).
  for (const UncoveredPartner& u : uncovered_partners(state, config, now_unix, std::nullopt)) {
    out.not_shown.push_back({u.partner->id, u.partner->name, u.partner->privacy_policy_url, u.channels});
  }
  return out;
}

namespace {

std::string partner_list_html(const std::string& l, const std::vector<PartnerCoverage>& partners) {
  std::string out = "<ul class=\"cachet-partners\">\n";
  for (const PartnerCoverage& p : partners) {
    std::string channels;
    for (const Channel c : p.channels) {
      if (!channels.empty()) channels += ", ";
      channels += channel_label(l, std::string(to_string(c)));
    }
    out += "<li><strong>" + html_escape(p.name) + "</strong> — " +
           html_escape(channels.empty() ? t(l, "page.preferences.partner_receives_nothing")
                                        : t(l, "page.preferences.partner_receives", {{"channels", channels}}));
    if (!p.privacy_policy_url.empty()) {
      out += " — <a href=\"" + html_escape(p.privacy_policy_url) + "\" rel=\"noopener noreferrer\">" +
             html_escape(t(l, "page.preferences.partner_policy", {{"partner", p.name}})) + "</a>";
    }
    out += "</li>\n";
  }
  return out + "</ul>\n";
}

}  // namespace

std::string render_preferences_page(const PreferencePage& pg, const PersonState& person, const Coverage& coverage,
                                    const Config& config) {
  const std::string& l = pg.locale;
  std::string body;
  body += lang_switch(l, "/preferences?token=" + url_encode(pg.token) + "&lang=");
  body += "<h1>" + html_escape(t(l, "page.preferences.title")) + "</h1>\n";
  body += "<p>" + html_escape(t(l, "page.preferences.intro", {{"org", config.controller.name}})) + "</p>\n";
  if (!pg.changed.empty()) {
    const char* id = pg.changed == "none"             ? "page.preferences.unchanged"
                     : pg.changed == "accept-missing" ? "page.preferences.accept_missing"
                     : pg.changed == "partners"       ? "page.preferences.partners_accepted"
                                                      : "page.preferences.changed";
    body += "<p class=\"cachet-notice\" role=\"status\">" + html_escape(t(l, id)) + "</p>\n";
  }
  body += "<table class=\"cachet-state\">\n<caption>" + html_escape(t(l, "page.preferences.caption")) +
          "</caption>\n<thead><tr><th scope=\"col\">" + html_escape(t(l, "page.preferences.channel")) +
          "</th><th scope=\"col\">" + html_escape(t(l, "page.preferences.choice")) + "</th><th scope=\"col\">" +
          html_escape(t(l, "page.preferences.change")) + "</th></tr></thead>\n<tbody>\n";
  for (const ChannelConfig& c : config.channels) {
    const std::string name(to_string(c.channel));
    const std::string decision = decision_of(person.latest.payload, name);
    std::string action;
    if (decision.empty()) {
      // Never informed about this channel: nothing of it is sent, nothing to change.
      action = "<span class=\"cachet-muted\">" + html_escape(t(l, "page.preferences.not_informed")) + "</span>";
    } else if (c.basis == Basis::kLegitimateInterest) {
      action = decision == "objected"
                   ? action_form(pg, name, "unobject", t(l, "page.preferences.unobject"), "cachet-button-secondary")
                   : action_form(pg, name, "object", t(l, "page.preferences.object"), "cachet-button");
    } else if (decision == "granted") {
      action = action_form(pg, name, "withdraw", t(l, "page.preferences.withdraw"), "cachet-button");
    } else {
      action = "<span class=\"cachet-muted\">" + html_escape(t(l, "page.preferences.consent_elsewhere")) + "</span>";
    }
    body += "<tr><th scope=\"row\">" + html_escape(channel_label(l, name)) + "</th><td>" +
            html_escape(decision.empty() ? t(l, "page.preferences.not_recorded") : decision_label(l, decision)) +
            "</td><td>" + action + "</td></tr>\n";
  }
  body += "</tbody>\n</table>\n";

  // R3, R7: the partners the person's choices apply to, and, before anything
  // widens, the partners they were never shown, asked with an unchecked box.
  body += "<h2>" + html_escape(t(l, "page.preferences.partners")) + "</h2>\n<p>" +
          html_escape(t(l, "page.preferences.partners_intro")) + "</p>\n" + partner_list_html(l, coverage.accepted);
  if (!coverage.not_shown.empty()) {
    body += "<section class=\"cachet-card\" aria-labelledby=\"new-partners\"><h2 id=\"new-partners\">" +
            html_escape(t(l, "page.preferences.new_partners")) + "</h2>\n<p>" +
            html_escape(t(l, "page.preferences.new_partners_intro")) + "</p>\n" +
            partner_list_html(l, coverage.not_shown) + "<form method=\"post\" action=\"/preferences\">" +
            hidden("token", pg.token) + hidden("lang", pg.locale) + hidden("action", "accept-partners") +
            "<p><input type=\"checkbox\" id=\"accept-partners\" name=\"accept\" value=\"yes\"> "
            "<label for=\"accept-partners\">" +
            html_escape(t(l, "page.preferences.accept_partners")) +
            "</label></p><p><button type=\"submit\" class=\"cachet-button\">" +
            html_escape(t(l, "page.preferences.confirm")) + "</button></p></form></section>\n";
  }

  body += "<h2>" + html_escape(t(l, "page.preferences.history")) + "</h2>\n<ol class=\"cachet-history\">\n";
  // Newest first, numbered from the oldest: explicit values, since <ol reversed>
  // miscounts here when items hold block content.
  std::vector<StoredReceipt> history = person.history;
  std::reverse(history.begin(), history.end());
  std::size_t number = history.size();
  for (const StoredReceipt& r : history) {
    body += "<li value=\"" + std::to_string(number--) + "\"><p><strong>" + html_escape(readable_time(r.issued_at, l)) +
            "</strong> — " + html_escape(method_label(l, r.collection_method)) + " — <code>" +
            html_escape(r.receipt_id) + "</code></p>\n<details><summary>" +
            html_escape(t(l, "page.preferences.read_receipt")) + "</summary>\n<pre class=\"cachet-receipt\">" +
            html_escape(render_receipt_text(r.payload, l)) + "</pre></details></li>\n";
  }
  body += "</ol>\n";
  body += "<p class=\"cachet-muted\">" +
          html_escape(t(l, "page.preferences.expiry",
                        {{"date", readable_time(pg.expires_at, l)}, {"contact", config.controller.rights_contact}})) +
          "</p>\n";
  return page(l, t(l, "page.preferences.title"), body);
}

std::string render_signup_result(const SignupResult& r, const Config& config) {
  const std::string& l = r.locale;
  std::string body;
  body += "<h1>" + html_escape(t(l, "page.signup.heading")) + "</h1>\n";
  body += "<p>" + html_escape(t(l, "page.signup.intro", {{"org", config.controller.name}})) + "</p>\n";
  if (!r.preference_path.empty()) {
    body += "<section class=\"cachet-card\"><h2>" + html_escape(t(l, "page.signup.change_mind")) + "</h2><p>" +
            html_escape(t(l, "page.signup.demo_link")) + "</p><p><a class=\"cachet-button\" href=\"" +
            html_escape(r.preference_path) + "\">" + html_escape(t(l, "page.signup.open_preferences")) +
            "</a></p><p class=\"cachet-muted\">" +
            html_escape(t(l, "page.signup.valid_until", {{"date", readable_time(r.link_expires_at, l)}})) +
            "</p></section>\n";
  }
  body += "<h2>" + html_escape(t(l, "page.signup.receipt")) + "</h2>\n<pre class=\"cachet-receipt\">" +
          html_escape(r.receipt_text) + "</pre>\n";
  body += "<details><summary>" + html_escape(t(l, "page.signup.signed")) +
          "</summary>\n<textarea class=\"cachet-jws\" readonly rows=\"12\" aria-label=\"" +
          html_escape(t(l, "page.signup.signed_label")) + "\">" + html_escape(r.receipt_json) +
          "</textarea>\n<p><a href=\"/receipt.html\">" + html_escape(t(l, "page.signup.verify")) +
          "</a></p></details>\n";
  body += "<p class=\"cachet-muted\">" + html_escape(t(l, "page.signup.demo_keeps")) + "</p>\n<p><a href=\"/\">" +
          html_escape(t(l, "page.home")) + "</a></p>\n";
  return page(l, t(l, "page.signup.title"), body);
}

std::string render_signup_error(const std::string& l, const std::string& message, const Config&) {
  std::string body = "<h1>" + html_escape(t(l, "page.error.heading")) + "</h1>\n<p>" +
                     html_escape(message.empty() ? t(l, "page.error.invalid") : message) + "</p>\n<p><a href=\"/\">" +
                     html_escape(t(l, "page.error.retry")) + "</a></p>\n";
  return page(l, t(l, "page.error.title"), body);
}

std::string render_message_page(const std::string& l, MessageKind kind, const Config& config) {
  std::string title;
  std::string text;
  switch (kind) {
    case MessageKind::kLinkInvalid:
      title = t(l, "page.link_invalid.title");
      text = t(l, "page.link_invalid.text", {{"contact", config.controller.rights_contact}});
      break;
    case MessageKind::kPersonGone:
      title = t(l, "page.person_gone.title");
      text = t(l, "page.person_gone.text");
      break;
    case MessageKind::kChangeFailed:
      title = t(l, "page.change_failed.title");
      text = t(l, "page.change_failed.text");
      break;
  }
  return page(l, title, "<h1>" + html_escape(title) + "</h1>\n<p>" + html_escape(text) + "</p>\n");
}

std::string render_link_request_page(const std::string& l, LinkRequestNote note, const std::string& expires_at,
                                     const Config& config) {
  std::string body = "<h1>" + html_escape(t(l, "link_request.title")) + "</h1>\n";
  std::string said;
  switch (note) {
    case LinkRequestNote::kNone:
      break;
    case LinkRequestNote::kLinkInvalid:
      said = t(l, "page.link_invalid.text", {{"contact", config.controller.rights_contact}});
      break;
    case LinkRequestNote::kSent:
      said = t(l, "link_request.sent", {{"date", readable_time(expires_at, l)}});
      break;
    case LinkRequestNote::kMissing:
      said = t(l, "link_request.missing");
      break;
    case LinkRequestNote::kLimited:
      said = t(l, "link_request.limited");
      break;
  }
  if (!said.empty()) body += "<p class=\"cachet-notice\" role=\"status\">" + html_escape(said) + "</p>\n";
  body += "<p>" + html_escape(t(l, "link_request.intro")) + "</p>\n";
  body += "<form method=\"post\" action=\"/api/preference-link/request\" class=\"cachet-card\">\n" + hidden("lang", l) +
          "<p><label for=\"cachet-link-email\">" + html_escape(t(l, "link_request.email")) +
          "</label><br><input id=\"cachet-link-email\" name=\"email\" type=\"email\" autocomplete=\"email\"></p>\n"
          "<p><label for=\"cachet-link-phone\">" +
          html_escape(t(l, "link_request.phone")) +
          "</label><br><input id=\"cachet-link-phone\" name=\"phone\" type=\"tel\" autocomplete=\"tel\"></p>\n"
          "<p><button type=\"submit\" class=\"cachet-button\">" +
          html_escape(t(l, "link_request.submit")) + "</button></p>\n</form>\n";
  return page(l, t(l, "link_request.title"), body);
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

std::string verification_problem_text(std::string_view code, const std::string& locale) {
  const auto starts = [&](std::string_view prefix) { return code.substr(0, prefix.size()) == prefix; };
  const char* id = "page.verify.problem.content";
  if (code == "jws_bad_signature" || code == "receipt_bad_countersignature") {
    id = "page.verify.problem.signature";
  } else if (code == "receipt_untrusted_countersigner" || code == "receipt_not_countersigned") {
    id = "page.verify.problem.countersignature";
  } else if (starts("jws_") || code == "receipt_payload_not_json" || code == "receipt_not_canonical") {
    id = "page.verify.problem.format";
  }
  return text(id, locale);
}

}  // namespace cachet::server
