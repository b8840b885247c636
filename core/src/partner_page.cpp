#include "cachet/partner_page.h"

#include "cachet/calendar.h"
#include "cachet/messages.h"
#include "cachet/notice.h"
#include "cachet/receipt.h"

namespace cachet {
namespace {

// Text and attribute values alike (the five characters of HTML's syntax).
std::string escape(std::string_view text) {
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
        out += c;
    }
  }
  return out;
}

std::string link(std::string_view href, std::string_view text) {
  return "<a href=\"" + escape(href) + "\" rel=\"noopener noreferrer\">" + escape(text) + "</a>";
}

// Where the person reaches the partner (R8): the email as a mailto: link, the
// postal address as text.
std::string contact_html(const Partner::Contact& contact) {
  std::string out;
  if (!contact.email.empty()) out += link("mailto:" + contact.email, contact.email);
  if (!contact.email.empty() && !contact.postal.empty()) out += "<br>";
  out += escape(contact.postal);
  return out;
}

const Partner* partner_by_id(const Config& config, std::string_view id) {
  for (const Partner& p : config.partners.entries) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

}  // namespace

std::string partner_page_date(const Config& config, std::string_view given) {
  if (!given.empty()) return calendar::is_date(given) ? std::string(given) : "";
  if (calendar::is_date(config.config_version)) return config.config_version;
  return "";
}

Result<std::string> render_partner_page(const Config& config, std::string_view locale,
                                        const PartnerPageOptions& options) {
  Result<Notice> built = build_notice(config, locale);
  if (!built.ok()) return built.problems();
  const Notice& notice = built.value();
  const std::string l(locale);
  const auto t = [&l](std::string_view id, const TextArgs& args = {}) { return text(id, l, args); };
  const std::string& org = config.controller.name;

  bool any_contact = false;
  for (const Partner& p : config.partners.entries) {
    any_contact = any_contact || !p.contact.email.empty() || !p.contact.postal.empty();
  }

  std::string out = "<!doctype html>\n<html lang=\"" + escape(l) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + escape(notice.partner_list_title) + "</title>\n";
  if (!options.stylesheet_href.empty()) {
    out += "<link rel=\"stylesheet\" href=\"" + escape(options.stylesheet_href) + "\">\n";
  }
  for (const auto& [other, href] : options.alternates) {
    out += "<link rel=\"alternate\" hreflang=\"" + escape(other) + "\" href=\"" + escape(href) + "\">\n";
  }
  out += "</head>\n<body>\n";
  if (!options.alternates.empty()) {
    out += "<nav aria-label=\"" + escape(t("partners_page.languages")) + "\"><ul>";
    for (const auto& [other, href] : options.alternates) {
      out += "<li><a href=\"" + escape(href) + "\" hreflang=\"" + escape(other) + "\" lang=\"" + escape(other) + "\">" +
             escape(text("locale.name", other)) + "</a></li>";
    }
    out += "</ul></nav>\n";
  }
  out += "<main>\n<h1>" + escape(notice.partner_list_title) + "</h1>\n";
  out += "<p>" + escape(t("partners_page.intro", {{"org", org}, {"purpose", config.purpose.get(l, config.locale)}})) +
         "</p>\n";
  out += "<p>" + escape(notice.recipients) + "</p>\n";
  // The day, as people read it (a publication time counts by its UTC day).
  const std::string day = options.updated_at.substr(0, 10);
  if (calendar::is_date(day)) {
    out += "<p>" + escape(t("ui.updatedAt", {{"date", readable_time(day, l)}})) + "</p>\n";
  }

  out += "<table>\n<caption>" +
         escape(t("partners_page.caption", {{"count", std::to_string(notice.partners.size())}})) + "</caption>\n";
  out += "<thead><tr><th scope=\"col\">" + escape(t("partners_page.col.name")) + "</th><th scope=\"col\">" +
         escape(t("partners_page.col.sector")) + "</th><th scope=\"col\">" + escape(t("partners_page.col.channels")) +
         "</th><th scope=\"col\">" + escape(t("partners_page.col.policy")) + "</th>";
  if (any_contact) out += "<th scope=\"col\">" + escape(t("partners_page.col.contact")) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const NoticePartner& p : notice.partners) {
    std::vector<std::string> names;
    for (const Channel c : p.channels) names.push_back(t("notice.channel." + std::string(to_string(c))));
    out += "<tr id=\"" + escape("partner-" + p.id) + "\"><th scope=\"row\">" + escape(p.name) + "</th><td>" +
           escape(p.sector) + "</td><td>" + escape(join_list(names, l)) + "</td><td>" +
           link(p.privacy_policy_url, t("partners_page.policy_of", {{"partner", p.name}})) + "</td>";
    if (any_contact) {
      const Partner* partner = partner_by_id(config, p.id);
      out += "<td>" + (partner != nullptr ? contact_html(partner->contact) : std::string()) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  out += "<p>" + escape(t("partners_page.channels_rule")) + "</p>\n";
  out += "<p>" + escape(notice.rights) + "</p>\n";
  if (!notice.privacy_policy_url.empty()) {
    out += "<p>" + link(notice.privacy_policy_url, notice.privacy_policy_label) + "</p>\n";
  }
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace cachet
