// The notice the person reads (R1, R2, R3, R5, R6, R7). French wording follows
// the CNIL's examples on transmitting data to partners; every text may be
// replaced per locale through config texts.<locale>.<key>.
#include "cachet/notice.h"

#include <algorithm>

#include "cachet/canonical_json.h"

namespace cachet {
namespace {

// "a", "a et b", "a, b et c".
std::string join_list(const std::vector<std::string>& items, bool fr) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? (fr ? " et " : " and ") : ", ";
    out += items[i];
  }
  return out;
}

// The texts of one locale; French is the reference wording (CNIL examples).
class Wording {
 public:
  Wording(const Config& config, std::string_view locale)
      : config_(config), locale_(locale), fr_(locale == "fr"), org_(config.controller.name) {}

  std::string heading() const {
    return fr_ ? "Transmission de vos coordonnées à nos partenaires" : "Passing your contact details to our partners";
  }

  std::string intro(const std::string& purpose) const {
    if (fr_) {
      return org_ + ", responsable du traitement, souhaite transmettre vos coordonnées à des partenaires commerciaux. Finalité : " +
             purpose + ".";
    }
    return org_ + ", the data controller, would like to pass your contact details to business partners. Purpose: " + purpose + ".";
  }

  std::string recipients() const {
    const Recipients& r = config_.recipients;
    std::string who;
    const std::size_t listed = config_.partners.entries.size();
    if (r.approximate_count) {
      const int n = *r.approximate_count;
      who = fr_ ? (n == 1 ? "un partenaire commercial" : "environ " + std::to_string(n) + " partenaires commerciaux")
                : (n == 1 ? "one business partner" : "about " + std::to_string(n) + " business partners");
    } else if (listed > 0) {
      who = fr_ ? (listed == 1 ? "un partenaire commercial" : std::to_string(listed) + " partenaires commerciaux")
                : (listed == 1 ? "one business partner" : std::to_string(listed) + " business partners");
    } else {
      who = fr_ ? "des partenaires commerciaux de " + org_ : org_ + "'s business partners";
    }
    std::string out = (fr_ ? "Destinataires : " : "Recipients: ") + who;
    if (!r.sectors.empty()) {
      const std::string sectors = join_list(in_locale(r.sectors), fr_);
      if (fr_) {
        out += (r.sectors.size() == 1 ? " du secteur " : " des secteurs ") + sectors;
      } else {
        out += " in the " + sectors + (r.sectors.size() == 1 ? " sector" : " sectors");
      }
    }
    out += ".";
    if (!r.offer_types.empty()) {
      out += (fr_ ? " Types d'offres : " : " Types of offers: ") + join_list(in_locale(r.offer_types), fr_) + ".";
    }
    return out;
  }

  std::string partner_summary() const {
    std::size_t n = config_.partners.entries.size();
    if (n == 0 && config_.recipients.approximate_count) n = static_cast<std::size_t>(*config_.recipients.approximate_count);
    if (n == 0) return fr_ ? "Voir la liste des partenaires" : "See the list of partners";
    if (n == 1) return fr_ ? "Voir le partenaire" : "See the partner";
    return fr_ ? "Voir la liste des " + std::to_string(n) + " partenaires" : "See the list of " + std::to_string(n) + " partners";
  }

  std::string partner_list_title() const {
    return fr_ ? "Les partenaires commerciaux de " + org_ : org_ + "'s business partners";
  }

  // Objection box (R1): "Je m'oppose à ce que ..." for the channels given.
  std::string objection_label(bool postal, bool phone) const {
    if (fr_) {
      const std::string what = postal && phone ? "mes coordonnées postales et téléphoniques"
                               : postal        ? "mes coordonnées postales"
                                               : "mes coordonnées téléphoniques";
      return "Je m'oppose à ce que " + what + " soient transmises à des partenaires commerciaux de " + org_ +
             " à des fins de prospection commerciale";
    }
    const std::string what = postal && phone ? "my postal address and phone number"
                             : postal        ? "my postal address"
                                             : "my phone number";
    return "I object to " + what + " being passed to " + org_ + "'s business partners for their marketing";
  }

  std::string objection_hint() const {
    return fr_ ? "Vous pourrez aussi vous y opposer plus tard, à tout moment." : "You can also object later, at any time.";
  }

  // Consent box (R4, R5, R6): one per electronic channel, unchecked.
  std::string consent_label(Channel channel, PartnerProspecting prospecting) const {
    const bool on_behalf = prospecting == PartnerProspecting::kOnBehalf;
    const bool sms = channel == Channel::kSms;
    if (fr_) {
      std::string out = sms ? "J'accepte que mon numéro de téléphone mobile soit transmis"
                            : "J'accepte que mon adresse électronique soit transmise";
      out += " à des partenaires commerciaux de " + org_;
      if (on_behalf) out += sms ? " à des fins de prospection commerciale par SMS" : " à des fins de prospection commerciale";
      return out;
    }
    std::string out = sms ? "I agree that my mobile phone number may be passed to " : "I agree that my email address may be passed to ";
    out += org_ + "'s business partners";
    if (on_behalf) out += sms ? " for their marketing by SMS" : " for their marketing";
    return out;
  }

  std::string consent_hint(PartnerProspecting prospecting) const {
    std::string out;
    if (prospecting == PartnerProspecting::kTransmissionOnly) {
      out = fr_ ? "Chaque partenaire vous demandera votre accord avant de vous adresser de la prospection. "
                : "Each partner will ask for your consent before sending you marketing. ";
    }
    return out + (fr_ ? "Vous pourrez retirer votre consentement à tout moment." : "You can withdraw your consent at any time.");
  }

  // R1, R8, R10: object or withdraw at any time, free of charge; partners say where the data came from.
  std::string rights() const {
    const std::string& contact = config_.controller.rights_contact;
    const bool url = contact.rfind("https://", 0) == 0 || contact.rfind("HTTPS://", 0) == 0;
    if (fr_) {
      return "Vous pouvez vous opposer à la transmission de vos coordonnées ou retirer votre consentement à tout moment, "
             "gratuitement, " +
             std::string(url ? "sur " : "en écrivant à ") + contact +
             ". Chaque partenaire vous indiquera, dès son premier contact et au plus tard dans un délai d'un mois, que vos "
             "coordonnées lui ont été transmises par " +
             org_ + ".";
    }
    return "You may object to the transfer of your details or withdraw your consent at any time, free of charge, " +
           std::string(url ? "at " : "by writing to ") + contact +
           ". Each partner will tell you, at first contact and within one month at the latest, that " + org_ +
           " passed your details on.";
  }

  std::string privacy_policy_label() const {
    return fr_ ? "Politique de confidentialité de " + org_ : org_ + "'s privacy policy";
  }

 private:
  std::vector<std::string> in_locale(const std::vector<LocalizedText>& texts) const {
    std::vector<std::string> out;
    out.reserve(texts.size());
    for (const LocalizedText& text : texts) out.push_back(text.get(locale_, config_.locale));
    return out;
  }

  const Config& config_;
  std::string locale_;
  bool fr_;
  const std::string& org_;
};

// texts.<locale>.<key> when the config overrides it.
const Json* override_for(const Config& config, std::string_view locale, std::string_view key) {
  if (!config.texts.is_object()) return nullptr;
  const auto by_locale = config.texts.find(std::string(locale));
  if (by_locale == config.texts.end() || !by_locale->is_object()) return nullptr;
  const auto it = by_locale->find(std::string(key));
  return it == by_locale->end() ? nullptr : &*it;
}

void apply_text(const Config& config, std::string_view locale, std::string_view key, std::string& text) {
  const Json* v = override_for(config, locale, key);
  if (v && v->is_string()) text = v->get<std::string>();
}

void apply_box(const Config& config, std::string_view locale, NoticeBox& box) {
  const Json* boxes = override_for(config, locale, "boxes");
  if (!boxes || !boxes->is_object()) return;
  const auto it = boxes->find(box.id);
  if (it == boxes->end() || !it->is_object()) return;
  const auto label = it->find("label");
  if (label != it->end() && label->is_string()) box.label = label->get<std::string>();
  const auto hint = it->find("hint");
  if (hint != it->end() && hint->is_string()) box.hint = hint->get<std::string>();
}

Json channel_names(const std::vector<Channel>& channels) {
  Json out = Json::array();
  for (const Channel c : channels) out.push_back(std::string(to_string(c)));
  return out;
}

}  // namespace

Json Notice::to_json() const {
  Json partner_list = Json::array();
  for (const NoticePartner& p : partners) {
    partner_list.push_back({{"id", p.id}, {"name", p.name}, {"privacyPolicyUrl", p.privacy_policy_url}, {"sector", p.sector}});
  }
  Json box_list = Json::array();
  for (const NoticeBox& b : boxes) {
    box_list.push_back({{"id", b.id},
                        {"basis", std::string(to_string(b.basis))},
                        {"channels", channel_names(b.channels)},
                        {"label", b.label},
                        {"hint", b.hint},
                        {"checked", false}});  // R5: always shown unchecked
  }
  return {{"locale", locale},
          {"configVersion", config_version},
          {"heading", heading},
          {"intro", intro},
          {"recipients", recipients},
          {"partnerSummary", partner_summary},
          {"partnerListTitle", partner_list_title},
          {"partnerListUrl", partner_list_url},
          {"partnerListUpdatedAt", partner_list_updated_at},
          {"partners", std::move(partner_list)},
          {"boxes", std::move(box_list)},
          {"rights", rights},
          {"privacyPolicyLabel", privacy_policy_label},
          {"privacyPolicyUrl", privacy_policy_url}};
}

Result<Notice> build_notice(const Config& config, std::string_view locale) {
  const auto& locales = supported_locales();
  if (std::find(locales.begin(), locales.end(), locale) == locales.end()) {
    return Problem{"notice_locale_unsupported", "",
                   config.locale == "fr" ? "La langue « " + std::string(locale) + " » n'est pas prise en charge ; utilisez « fr » ou « en »."
                                         : "The locale \"" + std::string(locale) + "\" is not supported; use \"fr\" or \"en\"."};
  }
  const Wording words(config, locale);
  Notice n;
  n.locale = std::string(locale);
  n.config_version = config.config_version;
  n.heading = words.heading();
  n.intro = words.intro(config.purpose.get(locale, config.locale));
  n.recipients = words.recipients();
  n.partner_summary = words.partner_summary();
  n.partner_list_title = words.partner_list_title();
  n.partner_list_url = config.partners.list_url;
  n.partner_list_updated_at = config.partners.updated_at;
  for (const Partner& p : config.partners.entries) {
    n.partners.push_back({p.id, p.name, p.privacy_policy_url, p.sector.get(locale, config.locale)});
  }

  // R1: objection boxes for legitimate-interest channels, postal+phone combined on request.
  const ChannelConfig* postal = config.find(Channel::kPostal);
  const ChannelConfig* phone = config.find(Channel::kPhone);
  const bool object_postal = postal && postal->basis == Basis::kLegitimateInterest;
  const bool object_phone = phone && phone->basis == Basis::kLegitimateInterest;
  if (object_postal && object_phone && config.combine_objection) {
    n.boxes.push_back({"object-postal-phone", Basis::kLegitimateInterest, {Channel::kPostal, Channel::kPhone},
                       words.objection_label(true, true), words.objection_hint()});
  } else {
    if (object_postal) {
      n.boxes.push_back({"object-postal", Basis::kLegitimateInterest, {Channel::kPostal},
                         words.objection_label(true, false), words.objection_hint()});
    }
    if (object_phone) {
      n.boxes.push_back({"object-phone", Basis::kLegitimateInterest, {Channel::kPhone},
                         words.objection_label(false, true), words.objection_hint()});
    }
  }
  // R4/R5/R6: one consent box per consent channel (postal/phone on consent too, if so configured).
  for (const ChannelConfig& c : config.channels) {
    if (c.basis != Basis::kConsent) continue;
    const PartnerProspecting prospecting = c.partner_prospecting.value_or(PartnerProspecting::kOnBehalf);
    NoticeBox box{"consent-" + std::string(to_string(c.channel)), Basis::kConsent, {c.channel}, "", words.consent_hint(prospecting)};
    if (c.channel == Channel::kEmail || c.channel == Channel::kSms) {
      box.label = words.consent_label(c.channel, prospecting);
    } else {
      // Consent for postal/phone is stricter than required; phrase it like an objection's positive twin.
      const std::string objection = words.objection_label(c.channel == Channel::kPostal, c.channel == Channel::kPhone);
      box.label = locale == "fr" ? "J'accepte que " + objection.substr(std::string("Je m'oppose à ce que ").size())
                                 : "I agree to " + objection.substr(std::string("I object to ").size());
    }
    n.boxes.push_back(std::move(box));
  }

  n.rights = words.rights();
  n.privacy_policy_label = words.privacy_policy_label();
  n.privacy_policy_url = config.controller.privacy_policy_url;

  apply_text(config, locale, "heading", n.heading);
  apply_text(config, locale, "intro", n.intro);
  apply_text(config, locale, "recipients", n.recipients);
  apply_text(config, locale, "partnerSummary", n.partner_summary);
  apply_text(config, locale, "partnerListTitle", n.partner_list_title);
  apply_text(config, locale, "rights", n.rights);
  apply_text(config, locale, "privacyPolicyLabel", n.privacy_policy_label);
  for (NoticeBox& box : n.boxes) apply_box(config, locale, box);
  return n;
}

std::string canonical_notice(const Notice& notice) {
  Result<std::string> bytes = canonicalize(notice.to_json());
  return bytes.ok() ? std::move(bytes).value() : std::string();
}

std::string canonical_partner_list(const Config& config) {
  Json entries = Json::array();
  for (const Partner& p : config.partners.entries) {
    // The channels the partner actually receives (none listed = every configured channel).
    std::vector<Channel> channels = p.channels;
    if (channels.empty()) {
      for (const ChannelConfig& c : config.channels) channels.push_back(c.channel);
    }
    entries.push_back({{"id", p.id},
                       {"name", p.name},
                       {"privacyPolicyUrl", p.privacy_policy_url},
                       {"sector", p.sector.as_given()},  // one string stays one: the hashes of such lists do not change
                       {"channels", channel_names(channels)}});
  }
  const Json list = {{"listUrl", config.partners.list_url},
                     {"updatedAt", config.partners.updated_at},
                     {"entries", std::move(entries)}};
  Result<std::string> bytes = canonicalize(list);
  return bytes.ok() ? std::move(bytes).value() : std::string();
}

}  // namespace cachet
