// The notice: exactly what the person reads before choosing (R1, R2, R3, R5,
// R6, R7), per locale, and its canonical form whose SHA-256 a receipt carries.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cachet/config.h"

namespace cachet {

// One box the person may tick. Objection boxes cover legitimate-interest
// channels (one box for postal+phone when combineObjection); consent boxes
// cover exactly one electronic channel. Every box is shown unchecked (R5).
struct NoticeBox {
  std::string id;  // "object-postal-phone", "object-postal", "consent-email", ...
  Basis basis;
  std::vector<Channel> channels;
  std::string label;  // the sentence next to the box
  std::string hint;   // optional extra line (may be empty)
  // The words of `label` that name the partners (CNIL examples: "aux
  // partenaires [lien]"): the widget links them to the partner list. Empty
  // when a config text replaced the label and no longer contains them.
  std::string partner_link;
};

struct NoticePartner {
  std::string id;
  std::string name;
  std::string privacy_policy_url;
  std::string sector;
  std::vector<Channel> channels;  // the channels it receives (R3)
  std::string channels_text;      // "Reçoit vos coordonnées pour : courrier postal, …"
};

struct Notice {
  std::string locale;
  std::string config_version;
  std::string heading;             // e.g. "Transmission de vos coordonnées à nos partenaires"
  std::string intro;               // purpose + controller, R2
  std::string recipients;          // sectors, offer types, approximate number, R2
  std::string partner_summary;     // "12 partenaires" + link text, R3
  std::string partner_list_title;  // dialog title
  std::string partner_list_url;    // may be empty
  std::string partner_list_updated_at;
  std::vector<NoticePartner> partners;
  std::vector<NoticeBox> boxes;
  std::string rights;  // how to object / withdraw at any time, rights contact, R1/R8/R10
  std::string privacy_policy_label;
  std::string privacy_policy_url;

  Json to_json() const;
};

// Builds the notice for `locale` (must be a supported locale). Texts follow
// the CNIL examples; config `texts.<locale>.<key>` may override a text.
Result<Notice> build_notice(const Config& config, std::string_view locale);

// RFC 8785 canonical bytes of notice.to_json(): what the receipt's notice digest covers.
std::string canonical_notice(const Notice& notice);

// RFC 8785 canonical bytes of the partner list shown (ids, names, policy URLs,
// channels, list URL, updatedAt): what the receipt's partner-list digest covers (R7).
std::string canonical_partner_list(const Config& config);

}  // namespace cachet
