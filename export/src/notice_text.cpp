// The information a partner owes the person at first contact, and within one
// month at the latest (R8): who transmitted the data, the person's rights,
// notably to object and to withdraw consent, and how to exercise them.
#include <string>

#include "cachet/export/export.h"
#include "cachet/receipt.h"

namespace cachet::exporter {
namespace {

std::string channel_name(Channel channel, bool fr) {
  switch (channel) {
    case Channel::kPostal: return fr ? "courrier postal" : "post";
    case Channel::kPhone: return fr ? "téléphone" : "telephone";
    case Channel::kEmail: return fr ? "courrier électronique" : "email";
    case Channel::kSms: return "SMS";
  }
  return "";
}

std::string join(const std::vector<std::string>& items, bool fr) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? (fr ? " et " : " and ") : ", ";
    out += items[i];
  }
  return out;
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

std::string names(const std::vector<Channel>& channels, bool fr) {
  std::vector<std::string> out;
  for (const Channel c : channels) out.push_back(channel_name(c, fr));
  return join(out, fr);
}

std::string render(const Config& config, const Partner& partner, std::string_view transfer_date,
                   std::string_view deadline, bool fr) {
  std::vector<Channel> objectable, consented, transmission_only;
  channels_of(config, partner, objectable, consented, transmission_only);
  const std::string controller = config.controller.name;
  const std::string contact = config.controller.rights_contact;
  std::string out;
  if (fr) {
    out += "Information de premier contact due par " + partner.name + " (" + partner.id + ")\n";
    out += "Données reçues de " + controller + " le " + std::string(transfer_date.substr(0, 10)) + ".\n";
    out += "À donner à chaque personne lors du premier contact, et au plus tard le " + std::string(deadline) +
           " (un mois après la transmission ; recommandation CNIL sur la transmission de données à des "
           "partenaires).\n";
    if (!transmission_only.empty()) {
      out += "Attention : pour " + names(transmission_only, true) + ", " + controller +
             " a recueilli le consentement à la seule transmission ; vous devez recueillir vous-même le "
             "consentement de la personne avant de la prospecter par ce canal.\n";
    }
    out += "Chaque ligne du fichier porte une référence (colonne « reference ») : indiquez-la lorsque vous "
           "relayez une opposition ou un retrait à " + controller + ".\n";
    out += "\n----- Texte à communiquer à la personne -----\n\n";
    out += "Bonjour,\n\n";
    out += "Vos coordonnées nous ont été transmises par " + controller + " le " +
           readable_time(std::string(transfer_date.substr(0, 10)), "fr") + ", pour vous adresser des offres commerciales";
    const std::string purpose = config.purpose.get("fr", config.locale);
    if (!purpose.empty()) out += " (" + purpose + ")";
    out += ".\n\nVos droits :\n";
    if (!objectable.empty()) {
      out += "- Vous pouvez vous opposer à tout moment, simplement et gratuitement, à recevoir nos offres par " +
             names(objectable, true) + ".\n";
    }
    if (!consented.empty()) {
      out += "- Vous pouvez retirer à tout moment votre consentement à recevoir nos offres par " +
             names(consented, true) + " ; le retrait est aussi simple que l'a été le consentement.\n";
    }
    out += "- Vous disposez aussi des droits d'accès, de rectification, d'effacement et de limitation, et du droit "
           "d'introduire une réclamation auprès de la CNIL (www.cnil.fr).\n\n";
    out += "Pour exercer ces droits :\n";
    out += "- auprès de nous, " + partner.name + " (politique de confidentialité : " + partner.privacy_policy_url +
           ") : nous relayons votre opposition ou votre retrait à " + controller + " ;\n";
    out += "- ou directement auprès de " + controller + " : " + contact + " (politique de confidentialité : " +
           config.controller.privacy_policy_url + ").\n";
  } else {
    out += "First-contact notice owed by " + partner.name + " (" + partner.id + ")\n";
    out += "Data received from " + controller + " on " + std::string(transfer_date.substr(0, 10)) + ".\n";
    out += "Give it to each person at the first contact, and no later than " + std::string(deadline) +
           " (one month after the transfer; CNIL guidance on transmitting data to partners).\n";
    if (!transmission_only.empty()) {
      out += "Note: for " + names(transmission_only, false) + ", " + controller +
             " collected consent to the transmission only; you must collect the person's consent yourself before "
             "sending offers through that channel.\n";
    }
    out += "Each row of the file carries a reference (column \"reference\"): quote it when you relay an objection "
           "or a withdrawal to " + controller + ".\n";
    out += "\n----- Text to give to the person -----\n\n";
    out += "Hello,\n\n";
    out += "Your contact details were passed on to us by " + controller + " on " +
           readable_time(std::string(transfer_date.substr(0, 10)), "en") + ", so that we can send you commercial offers";
    const std::string purpose = config.purpose.get("en", config.locale);
    if (!purpose.empty()) out += " (" + purpose + ")";
    out += ".\n\nYour rights:\n";
    if (!objectable.empty()) {
      out += "- You can object at any time, simply and free of charge, to receiving our offers by " +
             names(objectable, false) + ".\n";
    }
    if (!consented.empty()) {
      out += "- You can withdraw at any time your consent to receiving our offers by " + names(consented, false) +
             "; withdrawing is as easy as giving consent was.\n";
    }
    out += "- You also have the rights of access, rectification, erasure and restriction, and the right to lodge a "
           "complaint with the CNIL (www.cnil.fr).\n\n";
    out += "To exercise these rights:\n";
    out += "- with us, " + partner.name + " (privacy policy: " + partner.privacy_policy_url +
           "): we relay your objection or withdrawal to " + controller + ";\n";
    out += "- or directly with " + controller + ": " + contact + " (privacy policy: " +
           config.controller.privacy_policy_url + ").\n";
  }
  return out;
}

}  // namespace

PartnerNoticeText partner_notice(const Config& config, const Partner& partner, std::string_view transfer_date,
                                 std::string_view deadline) {
  return PartnerNoticeText{render(config, partner, transfer_date, deadline, true),
                           render(config, partner, transfer_date, deadline, false)};
}

}  // namespace cachet::exporter
