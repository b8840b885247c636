// The information a partner owes the person at first contact, and within one
// month at the latest (R8): who transmitted the data, the person's rights,
// notably to object and to withdraw consent, and how to exercise them.
#include <algorithm>
#include <string>

#include "cachet/export/export.h"
#include "cachet/messages.h"
#include "cachet/receipt.h"

namespace cachet::exporter {
namespace {

std::string channel_name(Channel channel, std::string_view locale) {
  return text("partner.channel." + std::string(to_string(channel)), locale);
}

std::string partner_contact(const Partner& partner, std::string_view locale) {
  const Partner::Contact& c = partner.contact;
  if (!c.email.empty() && !c.postal.empty()) {
    return text("partner.contact.both", locale, {{"email", c.email}, {"postal", c.postal}});
  }
  if (!c.email.empty()) return text("partner.contact.email", locale, {{"email", c.email}});
  if (!c.postal.empty()) return text("partner.contact.postal", locale, {{"postal", c.postal}});
  return "";
}

// Channels this partner receives, split by legal basis.
void channels_of(const Config& config, const Partner& partner, std::vector<Channel>& objectable,
                 std::vector<Channel>& consented, std::vector<Channel>& transmission_only) {
  for (const ChannelConfig& c : config.channels) {
    const auto partners = config.partners_for(c.channel);
    bool receives = false;
    for (const Partner* p : partners) receives = receives || p->id == partner.id;
    if (!receives) continue;
    if (c.basis == Basis::kLegitimateInterest) {
      objectable.push_back(c.channel);
    } else {
      consented.push_back(c.channel);
      if (c.partner_prospecting == PartnerProspecting::kTransmissionOnly) transmission_only.push_back(c.channel);
    }
  }
}

std::string names(const std::vector<Channel>& channels, std::string_view locale) {
  std::vector<std::string> out;
  out.reserve(channels.size());
  for (const Channel c : channels) out.push_back(channel_name(c, locale));
  return join_list(out, locale);
}

// The texts are the core's (partner.* in core/src/messages_partner.cpp).
std::string render(const Config& config, const Partner& partner, std::string_view transfer_date,
                   std::string_view deadline, std::string_view locale) {
  std::vector<Channel> objectable, consented, transmission_only;
  channels_of(config, partner, objectable, consented, transmission_only);
  const std::string controller = config.controller.name;
  const std::string contact = config.controller.rights_contact;
  const std::string day(transfer_date.substr(0, 10));
  const auto line = [locale](std::string_view id, const TextArgs& args = {}) { return text(id, locale, args) + "\n"; };
  std::string out;
  out += line("partner.title", {{"partner", partner.name}, {"id", partner.id}});
  out += line("partner.received", {{"controller", controller}, {"date", day}});
  out += line("partner.deadline", {{"deadline", std::string(deadline)}});
  if (!transmission_only.empty()) {
    out +=
        line("partner.transmission_only", {{"channels", names(transmission_only, locale)}, {"controller", controller}});
  }
  out += line("partner.reference", {{"controller", controller}});
  out += "\n" + line("partner.separator") + "\n";
  out += line("partner.hello") + "\n";
  const std::string purpose = config.purpose.get(locale, config.locale);
  out += line("partner.origin", {{"controller", controller},
                                 {"date", readable_time(day, locale)},
                                 {"purpose", purpose.empty() ? std::string() : " (" + purpose + ")"}});
  out += "\n" + line("partner.rights");
  if (!objectable.empty()) out += line("partner.rights.object", {{"channels", names(objectable, locale)}});
  // Consent on behalf of the partners: the person may withdraw it from us.
  // Transmission only: they consented to the transfer, not to our offers (R6).
  std::vector<Channel> on_behalf;
  for (const Channel c : consented) {
    if (std::find(transmission_only.begin(), transmission_only.end(), c) == transmission_only.end()) {
      on_behalf.push_back(c);
    }
  }
  if (!on_behalf.empty()) out += line("partner.rights.withdraw", {{"channels", names(on_behalf, locale)}});
  if (!transmission_only.empty()) {
    out += line(
        "partner.rights.transmission_only",
        {{"channels", names(transmission_only, locale)}, {"controller", controller}, {"controller_contact", contact}});
  }
  out += line("partner.rights.other") + "\n";
  out += line("partner.exercise");
  // R8: a real way to reach the partner, beside its privacy policy (config partners[].contact).
  const std::string reach = partner_contact(partner, locale);
  out += reach.empty()
             ? line("partner.exercise.partner",
                    {{"partner", partner.name}, {"policy", partner.privacy_policy_url}, {"controller", controller}})
             : line("partner.exercise.partner_contact", {{"partner", partner.name},
                                                         {"contact", reach},
                                                         {"policy", partner.privacy_policy_url},
                                                         {"controller", controller}});
  out += line("partner.exercise.controller",
              {{"controller", controller}, {"contact", contact}, {"policy", config.controller.privacy_policy_url}});
  return out;
}

}  // namespace

PartnerNoticeText partner_notice(const Config& config, const Partner& partner, std::string_view transfer_date,
                                 std::string_view deadline) {
  PartnerNoticeText out;
  for (const std::string& locale : supported_locales()) {
    out.by_locale.emplace_back(locale, render(config, partner, transfer_date, deadline, locale));
  }
  return out;
}

}  // namespace cachet::exporter
