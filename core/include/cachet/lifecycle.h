// A person's consent over time (DESIGN.md 2.1): the rules that decide what a
// box means, which contact serves a channel, how a later change supersedes an
// earlier receipt, and what may go to which partner. The widget, the server,
// the preference centre, the relayed import and the export all call these
// functions; none of them spells a rule out again.
//
// Vocabulary
//   act         one receipt: something the person did (ticked boxes on a form,
//               clicked in the preference centre, told a partner), at the time
//               the receipt's issuedAt states: the time of the person's act.
//   informed    a channel is informed when the latest receipt records a
//               decision for it; a channel the person never saw is never sent.
//   bound list  the partner list the person was shown and accepted (R7). A
//               receipt made where no list was shown (preference centre,
//               relayed by a partner) never widens it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/choices.h"
#include "cachet/config.h"
#include "cachet/json.h"
#include "cachet/notice.h"
#include "cachet/problem.h"

namespace cachet {

// --- what a decision means ----------------------------------------------------

// R1, R4: legitimate-interest channels take objected / not-objected; consent
// channels take granted / not-granted / withdrawn.
[[nodiscard]] bool fits_basis(Decision decision, Basis basis);
// A box as the person left it: ticked means "I object" on a legitimate-interest
// box and "I agree" on a consent box (R5: unticked is the default).
[[nodiscard]] Decision box_decision(Basis basis, bool ticked);
// What stops a channel, given its basis: an objection, or a withdrawal of consent.
[[nodiscard]] Decision stopping_decision(Basis basis);
// True when the decision already stops the channel (nothing more to do).
[[nodiscard]] bool stops(Decision decision);
// R1 (object simply): a box pre-selected because the browser sent Global
// Privacy Control. Only objections, never a consent (R5).
[[nodiscard]] bool preselected_by_gpc(Basis basis, bool global_privacy_control);

// --- which contact serves a channel ---------------------------------------------

// The contact kind a channel's messages go to (R9: one value per channel).
// SMS goes to the mobile number when there is one (`has_mobile`: the form has
// a mobile field, or the receipt binds a mobile digest), else to the phone number.
[[nodiscard]] std::string_view contact_kind_for(Channel channel, bool has_mobile);
// The channels a contact kind serves (the boxes a contact problem concerns).
[[nodiscard]] std::vector<Channel> channels_served_by(std::string_view contact_kind, bool has_mobile);
// The contact a granted consent on `channel` must be bound to at signup (R4);
// nullopt for channels that need none (objections).
[[nodiscard]] std::optional<std::string> contact_required_for(const Config& config, Channel channel, Decision decision);

// --- from boxes to decisions ------------------------------------------------------

// The widget sends box states: {"boxes": {"object-postal-phone": true, ...},
// "contacts": {...}}; a box left out is unticked. The result is the choices
// object parse_choices() reads: {"decisions": {...}, "contacts": {...}}.
// Problems: choice_unknown_box, choice_wrong_type.
[[nodiscard]] Result<Json> decisions_from_boxes(const Config& config, const Notice& notice, const Json& box_states);
// Box id -> initially ticked: every box unticked (R5), except objections when
// the browser sent Global Privacy Control.
[[nodiscard]] std::map<std::string, bool> initial_box_states(const Notice& notice, bool global_privacy_control);

// --- a person's state -----------------------------------------------------------

// Collection methods where the person was shown the notice with its partner
// list (web form, paper form, phone call): such a receipt sets the bound list.
// Elsewhere (preference centre, relayed by a partner) the list never widens.
[[nodiscard]] bool shows_partner_list(std::string_view collection_method);
// Methods where the person answered every box, so every channel was acted on.
[[nodiscard]] bool acts_on_every_channel(std::string_view collection_method);

struct ChannelState {
  Basis basis = Basis::kConsent;
  Decision decision = Decision::kNotGranted;
  std::optional<PartnerProspecting> partner_prospecting;
  std::string acted_at;  // RFC 3339: when the person last acted on this channel
};

// The person's state after a chain of receipts (DESIGN.md 2.1).
struct ConsentState {
  std::string latest_receipt_id;
  std::string latest_issued_at;
  std::string locale;                        // locale of the latest notice shown
  std::map<Channel, ChannelState> channels;  // informed channels only
  std::vector<std::string> partner_ids;      // the bound list (R7)
  Json notice = Json::object();              // the notice block the latest receipt binds
  Json subject = Json::object();             // the latest receipt's subject (salt and digests)
};

// Folds a chain of verified receipt payloads, oldest first. Problems:
// lifecycle_empty_chain, lifecycle_bad_receipt (a payload that is not a
// receipt: callers pass verified payloads).
[[nodiscard]] Result<ConsentState> consent_state(const std::vector<const Json*>& payloads_oldest_first);

// The bound list after one more receipt: a receipt that showed the list sets
// it; any other keeps only partners on both lists (never wider).
[[nodiscard]] std::vector<std::string> bound_partner_list(const std::vector<std::string>& previous,
                                                          const std::vector<std::string>& receipt_list,
                                                          std::string_view collection_method);

// --- a change after signup ------------------------------------------------------

// The time of a person's act as receipts carry it ("2026-11-30T10:00:00Z"),
// from RFC 3339 UTC or a date alone, never later than `not_after` (the time
// the controller learnt of it; RFC 3339 UTC, or empty for no bound). A date
// alone stands for the end of that day: when a partner relays "2026-11-30", a
// choice the person made on the 30th is not known to come after it, and the
// request to stop is honoured (ties go to the objection). nullopt when
// unreadable.
[[nodiscard]] std::optional<std::string> act_time(std::string_view text, std::string_view not_after = {});

// What the person asked for, by whatever path carried it.
struct Change {
  std::string collection_method;          // "preference-centre", "relayed-by-partner", ...
  std::string acted_at;                   // RFC 3339 or YYYY-MM-DD: when the person acted
  std::map<Channel, Decision> requested;  // the decisions asked for, per channel
  // The person was shown the current config's notice and partner list and
  // accepted it (preference centre, new partners asked with unchecked boxes).
  bool accepts_current_list = false;
};

// What happened to one requested channel.
enum class ChangeOutcome {
  kApplied,
  kAlreadyInEffect,  // the state already says so
  kStale,            // the person acted on this channel after the requested act (the latest act wins)
  kNotInformed,      // the person was never informed about this channel: nothing to change
  kNotOffered,       // the decision does not fit the channel's basis, or is not one a change may make
};
[[nodiscard]] std::string_view to_string(ChangeOutcome outcome);

struct Superseding {
  Choices choices;                            // decisions for every channel the new receipt records
  std::map<Channel, ChangeOutcome> outcomes;  // one per requested channel
  bool changed = false;                       // false: no new receipt is needed
  // What the new receipt binds: the previous receipt's notice block (carried
  // as is, so the list never widens), or null when the person accepted the
  // current config's notice (the receipt then binds it).
  Json carried_notice;
  Json carried_channels;  // the channel entries to record (basis, partnerProspecting), by name
};

// supersede(previous state, change, what was shown): the new decisions, and
// the notice and partner list the new receipt binds. A requested decision
// applies only when it fits the channel's basis, the channel was informed, and
// no later act of the person on that channel exists (ordering by the person's
// time, whatever path carried either act). Problems: lifecycle_bad_time.
[[nodiscard]] Result<Superseding> supersede(const ConsentState& previous, const Change& change, const Config& current);

// --- what may go to a partner -------------------------------------------------------

enum class TransferReason {
  kAllowed,
  kNotInformed,        // no decision recorded for the channel
  kPartnerNotListed,   // R7: not on the list the person was shown and accepted
  kChannelNotOffered,  // the partner does not receive this channel (config)
  kObjected,           // R1
  kWithdrawn,          // R10
  kNoConsent,          // R4
  kRetentionOver,      // R9
};
[[nodiscard]] std::string_view to_string(TransferReason reason);

// The decision part of may_transfer, for callers that keep their own compact
// form of a person (the export): nullopt decision = not informed. R4: email
// and SMS need consent whatever a receipt's basis says.
[[nodiscard]] TransferReason channel_verdict(Channel channel, std::optional<Basis> basis,
                                             std::optional<Decision> decision);

struct TransferVerdict {
  bool allowed = false;
  TransferReason reason = TransferReason::kNotInformed;
};
// May `channel` of this person go to `partner` at `at_unix`?
// `retention_until_unix`: nullopt when the ledger states none.
[[nodiscard]] TransferVerdict may_transfer(const ConsentState& state, const Partner& partner, Channel channel,
                                           std::int64_t at_unix, std::optional<std::int64_t> retention_until_unix);

// The channels that may go to `partner` now (may_transfer on each channel).
[[nodiscard]] std::vector<Channel> channels_to_partner(const ConsentState& state, const Partner& partner,
                                                       std::int64_t at_unix,
                                                       std::optional<std::int64_t> retention_until_unix);

// --- partners added after the person chose --------------------------------------

// A partner of the current config that the person's consent does not cover
// (DESIGN.md 2.1: "new partners are shown and asked, unchecked"), with the
// channels that would go to it were the person to accept it.
struct UncoveredPartner {
  const Partner* partner = nullptr;  // into the config
  std::vector<Channel> channels;     // may_transfer with the partner on the bound list
};
// The partners of `config` off the person's bound list (bound_partner_list:
// a change never widens it) for which at least one channel would go were
// the person to accept them: those worth asking about. Empty when the
// person's consent covers every partner, or when nothing would go anyway
// (objected, withdrawn, retention over).
[[nodiscard]] std::vector<UncoveredPartner> uncovered_partners(const ConsentState& state, const Config& config,
                                                               std::int64_t at_unix,
                                                               std::optional<std::int64_t> retention_until_unix);

}  // namespace cachet
