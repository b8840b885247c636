#include "cachet/lifecycle.h"

#include <algorithm>
#include <cctype>

#include "cachet/receipt.h"

namespace cachet {
namespace {

std::string string_of(const Json& object, const char* name) {
  if (!object.is_object()) return {};
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<Basis> basis_from_string(std::string_view name) {
  if (name == "consent") return Basis::kConsent;
  if (name == "legitimate-interest") return Basis::kLegitimateInterest;
  return std::nullopt;
}

std::optional<PartnerProspecting> prospecting_from_string(std::string_view name) {
  if (name == "on-behalf") return PartnerProspecting::kOnBehalf;
  if (name == "transmission-only") return PartnerProspecting::kTransmissionOnly;
  return std::nullopt;
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// "YYYY-MM-DDTHH:MM:SSZ" (sortable as text) from RFC 3339 UTC or a date alone.
std::optional<std::string> normalized_time(std::string_view text) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-' && all_digits(text.substr(0, 4)) &&
      all_digits(text.substr(5, 2)) && all_digits(text.substr(8, 2))) {
    return std::string(text) + "T23:59:59Z";
  }
  if (text.size() < 20 || (text.back() != 'Z' && text.back() != 'z') || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const std::string_view fraction = text.substr(19, text.size() - 20);
  if (!fraction.empty() && (fraction.front() != '.' || !all_digits(fraction.substr(1)))) return std::nullopt;
  for (const std::size_t at : {0, 5, 8, 11, 14, 17}) {
    if (!all_digits(text.substr(at, at == 0 ? 4 : 2))) return std::nullopt;
  }
  return std::string(text.substr(0, 19)) + "Z";
}

bool contains(const std::vector<std::string>& list, std::string_view id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

std::vector<std::string> partner_ids_of(const Json& notice) {
  std::vector<std::string> ids;
  if (!notice.is_object()) return ids;
  const auto it = notice.find(receipt_member::kPartnerIds);
  if (it == notice.end() || !it->is_array()) return ids;
  for (const Json& id : *it) {
    if (id.is_string()) ids.push_back(id.get<std::string>());
  }
  return ids;
}

bool is_email_or_sms(Channel channel) { return channel == Channel::kEmail || channel == Channel::kSms; }

}  // namespace

// --- what a decision means ------------------------------------------------------

bool fits_basis(Decision decision, Basis basis) {
  switch (decision) {
    case Decision::kObjected:
    case Decision::kNotObjected:
      return basis == Basis::kLegitimateInterest;
    case Decision::kGranted:
    case Decision::kNotGranted:
    case Decision::kWithdrawn:
      return basis == Basis::kConsent;
  }
  return false;
}

Decision box_decision(Basis basis, bool ticked) {
  if (basis == Basis::kConsent) return ticked ? Decision::kGranted : Decision::kNotGranted;
  return ticked ? Decision::kObjected : Decision::kNotObjected;
}

Decision stopping_decision(Basis basis) {
  return basis == Basis::kConsent ? Decision::kWithdrawn : Decision::kObjected;
}

bool stops(Decision decision) { return decision != Decision::kGranted && decision != Decision::kNotObjected; }

bool preselected_by_gpc(Basis basis, bool global_privacy_control) {
  return global_privacy_control && basis == Basis::kLegitimateInterest;
}

// --- which contact serves a channel -------------------------------------------------

std::string_view contact_kind_for(Channel channel, bool has_mobile) {
  switch (channel) {
    case Channel::kEmail:
      return "email";
    case Channel::kSms:
      return has_mobile ? "mobile" : "phone";
    case Channel::kPhone:
      return "phone";
    case Channel::kPostal:
      return "postal";
  }
  return "";
}

std::vector<Channel> channels_served_by(std::string_view contact_kind, bool has_mobile) {
  std::vector<Channel> out;
  for (const Channel channel : all_channels()) {
    if (contact_kind_for(channel, has_mobile) == contact_kind) out.push_back(channel);
  }
  return out;
}

std::optional<std::string> contact_required_for(const Config& config, Channel channel, Decision decision) {
  // R4: a consent is bound to the contact the partners would use.
  if (decision != Decision::kGranted) return std::nullopt;
  return std::string(contact_kind_for(channel, config.fields.count("mobile") != 0));
}

// --- from boxes to decisions -------------------------------------------------------

Result<Json> decisions_from_boxes(const Config& config, const Notice& notice, const Json& box_states) {
  if (!box_states.is_object()) {
    return Problem{"choice_wrong_type", "",
                   "The box states must be a JSON object {\"boxes\": {...}, \"contacts\": {...}}."};
  }
  Problems problems;
  const Json empty = Json::object();
  const Json* boxes = &empty;
  if (const auto it = box_states.find("boxes"); it != box_states.end()) {
    if (it->is_object()) {
      boxes = &*it;
    } else {
      problems.push_back({"choice_wrong_type", "/boxes", "\"boxes\" must be an object {box id: true or false}."});
    }
  }
  for (const auto& item : boxes->items()) {
    const std::string& id = item.key();
    const Json& ticked = item.value();
    const bool known =
        std::any_of(notice.boxes.begin(), notice.boxes.end(), [&](const NoticeBox& b) { return b.id == id; });
    if (!known) {
      problems.push_back(
          {"choice_unknown_box", pointer_append("/boxes", id), "The notice shows no box \"" + id + "\"."});
    } else if (!ticked.is_boolean()) {
      problems.push_back({"choice_wrong_type", pointer_append("/boxes", id), "A box state is true or false."});
    }
  }
  if (!problems.empty()) return problems;
  Json decisions = Json::object();
  for (const NoticeBox& box : notice.boxes) {
    const auto state = boxes->find(box.id);
    const bool ticked = state != boxes->end() && state->get<bool>();
    for (const Channel channel : box.channels) {
      if (config.find(channel) == nullptr) continue;
      decisions[std::string(to_string(channel))] = std::string(to_string(box_decision(box.basis, ticked)));
    }
  }
  Json out = {{"decisions", std::move(decisions)}};
  if (const auto contacts = box_states.find("contacts"); contacts != box_states.end()) out["contacts"] = *contacts;
  return out;
}

std::map<std::string, bool> initial_box_states(const Notice& notice, bool global_privacy_control) {
  std::map<std::string, bool> out;
  for (const NoticeBox& box : notice.boxes) out[box.id] = preselected_by_gpc(box.basis, global_privacy_control);
  return out;
}

// --- a person's state ---------------------------------------------------------------

bool shows_partner_list(std::string_view collection_method) {
  return collection_method == "web-form" || collection_method == "paper" || collection_method == "phone";
}

bool acts_on_every_channel(std::string_view collection_method) { return shows_partner_list(collection_method); }

std::vector<std::string> bound_partner_list(const std::vector<std::string>& previous,
                                            const std::vector<std::string>& receipt_list,
                                            std::string_view collection_method) {
  if (shows_partner_list(collection_method)) return receipt_list;
  std::vector<std::string> out;
  for (const std::string& id : receipt_list) {
    if (contains(previous, id)) out.push_back(id);
  }
  return out;
}

Result<ConsentState> consent_state(const std::vector<const Json*>& payloads_oldest_first) {
  if (payloads_oldest_first.empty()) {
    return Problem{"lifecycle_empty_chain", "", "A person's state needs at least one receipt."};
  }
  ConsentState state;
  bool first = true;
  for (const Json* payload_ptr : payloads_oldest_first) {
    const Json& payload = *payload_ptr;
    namespace m = receipt_member;
    const auto channels = payload.is_object() ? payload.find(m::kChannels) : payload.end();
    const std::string issued_at = string_of(payload, m::kIssuedAt);
    if (!payload.is_object() || channels == payload.end() || !channels->is_object() || issued_at.empty()) {
      return Problem{"lifecycle_bad_receipt", "", "A receipt of the chain is not a receipt payload."};
    }
    const std::string method = string_of(payload.value(m::kCollection, Json::object()), m::kMethod);
    const Json notice = payload.value(m::kNotice, Json::object());
    const std::vector<std::string> list = partner_ids_of(notice);
    state.partner_ids = first ? (shows_partner_list(method) ? list : std::vector<std::string>{})
                              : bound_partner_list(state.partner_ids, list, method);
    std::map<Channel, ChannelState> next;
    for (const auto& [name, entry] : channels->items()) {
      const std::optional<Channel> channel = channel_from_string(name);
      const std::optional<Basis> basis = basis_from_string(string_of(entry, m::kBasis));
      const std::optional<Decision> decision = decision_from_string(string_of(entry, m::kDecision));
      if (!channel || !basis || !decision || !fits_basis(*decision, *basis)) {
        return Problem{"lifecycle_bad_receipt", pointer_append("/channels", name),
                       "A receipt of the chain records a decision that does not fit its basis."};
      }
      ChannelState cs;
      cs.basis = *basis;
      cs.decision = *decision;
      cs.partner_prospecting = prospecting_from_string(string_of(entry, m::kPartnerProspecting));
      const auto before = state.channels.find(*channel);
      // The act touched this channel when the person answered every box, or
      // when the decision moved; otherwise the earlier act still dates it.
      const bool acted = first || acts_on_every_channel(method) || before == state.channels.end() ||
                         before->second.decision != *decision;
      cs.acted_at = acted ? issued_at : before->second.acted_at;
      next[*channel] = cs;
    }
    state.channels = std::move(next);
    state.latest_receipt_id = string_of(payload, m::kReceiptId);
    state.latest_issued_at = issued_at;
    state.locale = string_of(notice, m::kLocale);
    state.notice = notice;
    state.subject = payload.value(m::kSubject, Json::object());
    first = false;
  }
  return state;
}

// --- a change after signup ------------------------------------------------------------

std::optional<std::string> act_time(std::string_view text, std::string_view not_after) {
  std::optional<std::string> at = normalized_time(text);
  if (!at || not_after.empty()) return at;
  const std::optional<std::string> bound = normalized_time(not_after);
  if (!bound) return std::nullopt;
  return std::min(*at, *bound);
}

std::string_view to_string(ChangeOutcome outcome) {
  switch (outcome) {
    case ChangeOutcome::kApplied:
      return "applied";
    case ChangeOutcome::kAlreadyInEffect:
      return "already-in-effect";
    case ChangeOutcome::kStale:
      return "superseded-by-later-choice";
    case ChangeOutcome::kNotInformed:
      return "not-informed";
    case ChangeOutcome::kNotOffered:
      return "not-offered";
  }
  return "";
}

Result<Superseding> supersede(const ConsentState& previous, const Change& change, const Config& current) {
  const std::optional<std::string> act = act_time(change.acted_at);
  if (!act) {
    return Problem{"lifecycle_bad_time", "/actedAt",
                   "The time of the person's act must be YYYY-MM-DD or RFC 3339 UTC (2026-11-30T10:00:00Z)."};
  }
  Superseding out;
  std::map<Channel, ChannelState> channels = previous.channels;
  for (const auto& [channel, wanted] : change.requested) {
    ChangeOutcome& outcome = out.outcomes[channel];
    const auto it = channels.find(channel);
    if (it == channels.end()) {
      // Never informed: there is nothing to change, and nothing may be sent.
      outcome = ChangeOutcome::kNotInformed;
      continue;
    }
    ChannelState& state = it->second;
    // A change may object, lift an objection, or withdraw; a new consent is
    // only given where the person is shown the notice (a form, R5).
    const bool offered =
        fits_basis(wanted, state.basis) && wanted != Decision::kGranted && wanted != Decision::kNotGranted;
    const std::optional<std::string> last = normalized_time(state.acted_at);
    if (!offered) {
      outcome = ChangeOutcome::kNotOffered;
    } else if (last && *last > *act) {
      outcome = ChangeOutcome::kStale;  // R10: the person's latest act wins, whatever path carried it
    } else if (state.decision == wanted || (wanted == Decision::kWithdrawn && stops(state.decision))) {
      outcome = ChangeOutcome::kAlreadyInEffect;
    } else {
      outcome = ChangeOutcome::kApplied;
      state.decision = wanted;
      out.changed = true;
    }
  }

  // What the new receipt binds. By default the notice the previous receipt
  // bound, carried as is: the preference centre and a partner's relay show no
  // partner list, so the list cannot widen (R7).
  std::vector<Channel> recorded;
  if (change.accepts_current_list) {
    // The person was shown the current notice: it binds, for the channels it
    // still offers (a channel dropped from the config is no longer informed).
    for (const auto& [channel, state] : channels) {
      if (current.find(channel) != nullptr) recorded.push_back(channel);
    }
    std::vector<std::string> current_ids;
    for (const Partner& p : current.partners.entries) current_ids.push_back(p.id);
    if (current_ids != previous.partner_ids || string_of(previous.notice, "configVersion") != current.config_version) {
      out.changed = true;
    }
    out.carried_notice = Json();
  } else {
    for (const auto& [channel, state] : channels) recorded.push_back(channel);
    out.carried_notice = previous.notice;
  }
  out.choices.superseding = true;
  out.carried_channels = Json::object();
  for (const Channel channel : recorded) {
    const ChannelState& state = channels.at(channel);
    const ChannelConfig* configured = change.accepts_current_list ? current.find(channel) : nullptr;
    const Basis basis = configured != nullptr ? configured->basis : state.basis;
    Decision decision = state.decision;
    // The current notice may have changed a channel's basis: a decision that
    // no longer fits stops the channel until the person chooses again.
    if (!fits_basis(decision, basis)) decision = basis == Basis::kConsent ? Decision::kNotGranted : Decision::kObjected;
    out.choices.decisions[channel] = decision;
    Json entry = {{"basis", std::string(to_string(basis))}};
    const std::optional<PartnerProspecting> prospecting =
        configured != nullptr ? configured->partner_prospecting : state.partner_prospecting;
    if (prospecting) entry["partnerProspecting"] = std::string(to_string(*prospecting));
    out.carried_channels[std::string(to_string(channel))] = std::move(entry);
  }
  return out;
}

// --- what may go to a partner -------------------------------------------------------------

std::string_view to_string(TransferReason reason) {
  switch (reason) {
    case TransferReason::kAllowed:
      return "allowed";
    case TransferReason::kNotInformed:
      return "not-informed";
    case TransferReason::kPartnerNotListed:
      return "partner-not-listed";
    case TransferReason::kChannelNotOffered:
      return "channel-not-offered";
    case TransferReason::kObjected:
      return "objected";
    case TransferReason::kWithdrawn:
      return "withdrawn";
    case TransferReason::kNoConsent:
      return "no-consent";
    case TransferReason::kRetentionOver:
      return "retention-expired";
  }
  return "";
}

TransferReason channel_verdict(Channel channel, std::optional<Basis> basis, std::optional<Decision> decision) {
  if (!decision || !basis) return TransferReason::kNotInformed;
  switch (*decision) {
    case Decision::kWithdrawn:
      return TransferReason::kWithdrawn;
    case Decision::kObjected:
      return TransferReason::kObjected;
    case Decision::kNotGranted:
      return TransferReason::kNoConsent;
    case Decision::kNotObjected:
      // R4: email and SMS need consent whatever a receipt's basis says.
      return is_email_or_sms(channel) || *basis == Basis::kConsent ? TransferReason::kNoConsent
                                                                   : TransferReason::kAllowed;
    case Decision::kGranted:
      return *basis == Basis::kConsent ? TransferReason::kAllowed : TransferReason::kNoConsent;
  }
  return TransferReason::kNotInformed;
}

TransferVerdict may_transfer(const ConsentState& state, const Partner& partner, Channel channel, std::int64_t at_unix,
                             std::optional<std::int64_t> retention_until_unix) {
  const auto verdict = [](TransferReason reason) {
    return TransferVerdict{reason == TransferReason::kAllowed, reason};
  };
  if (retention_until_unix && *retention_until_unix <= at_unix) return verdict(TransferReason::kRetentionOver);
  if (!partner.channels.empty() &&
      std::find(partner.channels.begin(), partner.channels.end(), channel) == partner.channels.end()) {
    return verdict(TransferReason::kChannelNotOffered);
  }
  const auto it = state.channels.find(channel);
  if (it == state.channels.end()) return verdict(TransferReason::kNotInformed);
  if (!contains(state.partner_ids, partner.id)) return verdict(TransferReason::kPartnerNotListed);
  return verdict(channel_verdict(channel, it->second.basis, it->second.decision));
}

std::vector<Channel> channels_to_partner(const ConsentState& state, const Partner& partner, std::int64_t at_unix,
                                         std::optional<std::int64_t> retention_until_unix) {
  std::vector<Channel> out;
  for (const Channel c : all_channels()) {
    if (may_transfer(state, partner, c, at_unix, retention_until_unix).allowed) out.push_back(c);
  }
  return out;
}

std::vector<UncoveredPartner> uncovered_partners(const ConsentState& state, const Config& config, std::int64_t at_unix,
                                                 std::optional<std::int64_t> retention_until_unix) {
  std::vector<UncoveredPartner> out;
  for (const Partner& partner : config.partners.entries) {
    if (contains(state.partner_ids, partner.id)) continue;
    // As if the person accepted the current list (Change::accepts_current_list).
    ConsentState if_accepted = state;
    if_accepted.partner_ids.push_back(partner.id);
    UncoveredPartner uncovered{&partner, channels_to_partner(if_accepted, partner, at_unix, retention_until_unix)};
    if (!uncovered.channels.empty()) out.push_back(std::move(uncovered));
  }
  return out;
}

}  // namespace cachet
