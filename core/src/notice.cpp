// The notice the person reads (R1, R2, R3, R5, R6, R7). French wording follows
// the CNIL's examples on transmitting data to partners; every text may be
// replaced per locale through config texts.<locale>.<key>.
#include "cachet/notice.h"

#include <algorithm>

#include "cachet/canonical_json.h"
#include "cachet/messages.h"

namespace cachet {
namespace {

// The texts of one locale, from the message table (core/src/messages_person.cpp).
class Wording {
 public:
  Wording(const Config& config, std::string_view locale)
      : config_(config), locale_(locale), org_(config.controller.name) {}

  std::string heading() const { return t("notice.heading"); }

  std::string intro(const std::string& purpose) const {
    return t("notice.intro", {{"org", org_}, {"purpose", purpose}});
  }

  std::string recipients() const {
    const Recipients& r = config_.recipients;
    std::string who;
    const std::size_t listed = config_.partners.entries.size();
    if (r.approximate_count) {
      const int n = *r.approximate_count;
      who = n == 1 ? t("notice.recipients.one") : t("notice.recipients.about", {{"count", std::to_string(n)}});
    } else if (listed > 0) {
      who =
          listed == 1 ? t("notice.recipients.one") : t("notice.recipients.count", {{"count", std::to_string(listed)}});
    } else {
      who = t("notice.recipients.unknown", {{"org", org_}});
    }
    std::string sectors;
    if (!r.sectors.empty()) {
      sectors = t(r.sectors.size() == 1 ? "notice.recipients.sector" : "notice.recipients.sectors",
                  {{"sectors", join_list(in_locale(r.sectors), locale_)}});
    }
    std::string out = t("notice.recipients", {{"who", who}, {"sectors", sectors}});
    if (!r.offer_types.empty()) {
      out += t("notice.recipients.offers", {{"offers", join_list(in_locale(r.offer_types), locale_)}});
    }
    return out;
  }

  std::string partner_summary() const {
    std::size_t n = config_.partners.entries.size();
    if (n == 0 && config_.recipients.approximate_count) {
      n = static_cast<std::size_t>(*config_.recipients.approximate_count);
    }
    if (n == 0) return t("notice.partner_summary");
    if (n == 1) return t("notice.partner_summary.one");
    return t("notice.partner_summary.many", {{"count", std::to_string(n)}});
  }

  std::string partner_list_title() const { return t("notice.partner_list_title", {{"org", org_}}); }

  // The words naming the partners, linked to the list inside each box's sentence.
  std::string partners_link() const { return t("notice.partners_link", {{"org", org_}}); }

  // "... soient transmises aux partenaires commerciaux de X ... par courrier
  // postal et/ou par téléphone (hors appels automatisés)" for the channels given.
  std::string transfer(bool postal, bool phone) const {
    const char* what = postal && phone ? "notice.transfer.postal_phone"
                       : postal        ? "notice.transfer.postal"
                                       : "notice.transfer.phone";
    const char* by = postal && phone ? "notice.by.postal_phone" : postal ? "notice.by.postal" : "notice.by.phone";
    return t("notice.transfer", {{"what", t(what)}, {"partners", partners_link()}, {"by", t(by)}});
  }

  // Objection box (R1): "Je m'oppose à ce que ..." for the channels given.
  std::string objection_label(bool postal, bool phone) const {
    return t("notice.objection.label", {{"transfer", transfer(postal, phone)}});
  }

  // Consent for postal/phone is stricter than required: the objection's positive twin.
  std::string objectable_consent_label(bool postal, bool phone) const {
    return t("notice.consent.label", {{"transfer", transfer(postal, phone)}});
  }

  std::string objection_hint() const { return t("notice.objection.hint"); }

  // Consent box (R4, R5, R6): one per electronic channel, unchecked.
  std::string consent_label(Channel channel, PartnerProspecting prospecting) const {
    const bool on_behalf = prospecting == PartnerProspecting::kOnBehalf;
    const bool sms = channel == Channel::kSms;
    const char* id = sms ? (on_behalf ? "notice.consent.sms" : "notice.consent.sms.transmission_only")
                         : (on_behalf ? "notice.consent.email" : "notice.consent.email.transmission_only");
    return t(id, {{"partners", partners_link()}});
  }

  // R6: on behalf of the named partners, or each partner asks itself.
  std::string consent_hint(PartnerProspecting prospecting) const {
    const std::string hint = t("notice.consent.hint");
    if (prospecting == PartnerProspecting::kTransmissionOnly) {
      return t("notice.consent.hint.transmission_only", {{"hint", hint}});
    }
    return t("notice.consent.hint.on_behalf", {{"org", org_}, {"hint", hint}});
  }

  // R3: the channels one partner receives, as the partner list shows them.
  std::string partner_channels(const std::vector<Channel>& channels) const {
    std::vector<std::string> names;
    names.reserve(channels.size());
    for (const Channel c : channels) names.push_back(t("notice.channel." + std::string(to_string(c))));
    return t("notice.partner.channels", {{"channels", join_list(names, locale_)}});
  }

  // R1, R8, R10: object or withdraw at any time, free of charge; partners say where the data came from.
  std::string rights() const {
    const std::string& contact = config_.controller.rights_contact;
    const bool url = contact.rfind("https://", 0) == 0 || contact.rfind("HTTPS://", 0) == 0;
    return t("notice.rights",
             {{"where", t(url ? "notice.rights.url" : "notice.rights.email", {{"contact", contact}})}, {"org", org_}});
  }

  std::string privacy_policy_label() const { return t("notice.privacy_policy", {{"org", org_}}); }

 private:
  std::string t(std::string_view id, const TextArgs& args = {}) const { return text(id, locale_, args); }

  std::vector<std::string> in_locale(const std::vector<LocalizedText>& texts) const {
    std::vector<std::string> out;
    out.reserve(texts.size());
    for (const LocalizedText& text : texts) out.push_back(text.get(locale_, config_.locale));
    return out;
  }

  const Config& config_;
  std::string locale_;
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
    partner_list.push_back({{"id", p.id},
                            {"name", p.name},
                            {"privacyPolicyUrl", p.privacy_policy_url},
                            {"sector", p.sector},
                            {"channels", channel_names(p.channels)},
                            {"channelsText", p.channels_text}});
  }
  Json box_list = Json::array();
  for (const NoticeBox& b : boxes) {
    box_list.push_back({{"id", b.id},
                        {"basis", std::string(to_string(b.basis))},
                        {"channels", channel_names(b.channels)},
                        {"label", b.label},
                        {"hint", b.hint},
                        {"partnerLink", b.partner_link},
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
  if (!is_supported_locale(locale)) {
    const std::string_view said = text_locale(config.locale);
    return Problem{
        "notice_locale_unsupported", "",
        text("notice_locale_unsupported", said, {{"value", std::string(locale)}, {"allowed", locale_choices(said)}})};
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
    const std::vector<Channel> channels = config.channels_of(p);
    n.partners.push_back({p.id, p.name, p.privacy_policy_url, p.sector.get(locale, config.locale), channels,
                          words.partner_channels(channels)});
  }

  // R1: objection boxes for legitimate-interest channels, postal+phone combined on request.
  const ChannelConfig* postal = config.find(Channel::kPostal);
  const ChannelConfig* phone = config.find(Channel::kPhone);
  const bool object_postal = postal && postal->basis == Basis::kLegitimateInterest;
  const bool object_phone = phone && phone->basis == Basis::kLegitimateInterest;
  if (object_postal && object_phone && config.combine_objection) {
    n.boxes.push_back({"object-postal-phone",
                       Basis::kLegitimateInterest,
                       {Channel::kPostal, Channel::kPhone},
                       words.objection_label(true, true),
                       words.objection_hint(),
                       {}});
  } else {
    if (object_postal) {
      n.boxes.push_back({"object-postal",
                         Basis::kLegitimateInterest,
                         {Channel::kPostal},
                         words.objection_label(true, false),
                         words.objection_hint(),
                         {}});
    }
    if (object_phone) {
      n.boxes.push_back({"object-phone",
                         Basis::kLegitimateInterest,
                         {Channel::kPhone},
                         words.objection_label(false, true),
                         words.objection_hint(),
                         {}});
    }
  }
  // R4/R5/R6: one consent box per consent channel (postal/phone on consent too, if so configured).
  for (const ChannelConfig& c : config.channels) {
    if (c.basis != Basis::kConsent) continue;
    const PartnerProspecting prospecting = c.partner_prospecting.value_or(PartnerProspecting::kOnBehalf);
    NoticeBox box{"consent-" + std::string(to_string(c.channel)),
                  Basis::kConsent,
                  {c.channel},
                  "",
                  words.consent_hint(prospecting),
                  {}};
    if (c.channel == Channel::kEmail || c.channel == Channel::kSms) {
      box.label = words.consent_label(c.channel, prospecting);
    } else {
      box.label = words.objectable_consent_label(c.channel == Channel::kPostal, c.channel == Channel::kPhone);
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
  const std::string link = words.partners_link();
  for (NoticeBox& box : n.boxes) {
    apply_box(config, locale, box);
    // A replaced label may no longer name the partners: then it links nothing.
    if (box.label.find(link) != std::string::npos) box.partner_link = link;
  }
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
