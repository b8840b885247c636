// Published config versions (DESIGN.md section 4: "the server countersigns
// only receipts that match a config version it published"). A version is
// what one config showed people: its controller, the exact notice per locale,
// the partner list, the boxes and the retention. The ledger stores each one
// once, content-addressed by the SHA-256 of the RFC 8785 canonical config;
// check_against_published() is the one rule saying whether a receipt matches
// a version the controller still accepts. Native only (the widget never
// needs it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachet/config.h"
#include "cachet/crypto.h"
#include "cachet/json.h"
#include "cachet/problem.h"

namespace cachet {

// One box the notice shows: the channels one decision covers (two for the
// combined objection box, R1) and its basis.
struct PublishedBox {
  std::string id;
  std::string basis;                  // "legitimate-interest" | "consent"
  std::vector<std::string> channels;  // channel names
};

struct PublishedVersion {
  std::string config_version;    // the config's configVersion
  std::string digest;            // hex SHA-256 of canonical_config: the version's content address
  std::string canonical_config;  // RFC 8785 bytes of the config as given
  Json controller;               // {"name", "privacyPolicyUrl", "rightsContact"}, as receipts carry it
  std::string jurisdiction;      // as receipts carry it
  std::string default_locale;    // the config's locale
  // The exact notice shown, per supported locale: its canonical bytes (what
  // a person read, EDPB 05/2020 para. 108) and their hex SHA-256, which is
  // the receipt's notice.sha256 (receipt.cpp plan_receipt hashes the same bytes).
  std::map<std::string, std::string> notices;
  std::map<std::string, std::string> notice_sha256;
  std::string partner_list;          // canonical_partner_list bytes (R7)
  std::string partner_list_sha256;   // hex: the receipt's notice.partnerListSha256
  Json partner_ids = Json::array();  // the receipt's notice.partnerIds
  std::string partner_list_url;      // the receipt's notice.partnerListUrl (empty: absent)
  int retention_months = 0;          // R9: the only retention a receipt of this version may state
  Json channels = Json::object();    // {name: {"basis", "partnerProspecting"?}}, as receipts record them
  std::vector<PublishedBox> boxes;   // the boxes shown (combineObjection: one box, one decision)

  // Filled by the ledger (publish / published_versions): when the version
  // was first served and its log entry; empty/0 for a version not stored.
  std::string first_served_at;
  std::int64_t seq = 0;
  // Until when receipts of this version are accepted (seconds since the
  // epoch); nullopt: the current version, accepted without end.
  std::optional<std::int64_t> accepted_until;
};

// The version a loaded config publishes: every notice built (notice.h
// build_notice + canonical_notice, per supported locale), hashed with
// `crypto`. Problems: the notice builder's, or publication_bad_config when
// the config cannot be canonicalised.
[[nodiscard]] Result<PublishedVersion> published_version(const Config& config, const CryptoProvider& crypto);

// A version as the ledger stored it: the canonical config plus the exact
// notices and partner list that were shown. The digests come from the
// stored bytes (not rebuilt: a later Cachet may word its default texts
// differently, what was shown stays what was stored); controller, boxes,
// channels and retention from the config. Problems: publication_bad_config.
[[nodiscard]] Result<PublishedVersion> stored_version(std::string_view canonical_config,
                                                      const std::map<std::string, std::string>& notices,
                                                      std::string_view partner_list, const CryptoProvider& crypto);

// Which published versions a controller still accepts (docs/server.md,
// "Published config versions"): the current one (digest `current_digest`)
// without end, and each earlier one until `grace_seconds` after it stopped
// being current. `published` is in log order (first served first); a
// version stops being current when the next one is first served, and the
// last one published, when it is not the current one, at `started_unix`
// (the server started with another config). Versions ending before
// `now_unix` are left out.
[[nodiscard]] std::vector<PublishedVersion> accepted_versions(const std::vector<PublishedVersion>& published,
                                                              std::string_view current_digest,
                                                              std::int64_t started_unix, std::int64_t now_unix,
                                                              std::int64_t grace_seconds);

// When the partner list of version `current_digest` was first published
// (R3: "complete and up to date"; the partner page's date, never typed by
// hand): the first_served_at of the earliest version in the unbroken run of
// versions, ending at the current one, whose partners (entries: ids, names,
// policies, sectors, channels) are the same. A new version that changes only
// texts keeps the date; one that adds, removes or changes a partner starts a
// new one. `published` is in log order. Empty when the digest is not there.
[[nodiscard]] std::string partner_list_since(const std::vector<PublishedVersion>& published,
                                             std::string_view current_digest);

struct PublicationCheck {
  std::int64_t now_unix = 0;            // arrival time
  std::int64_t max_skew_seconds = 600;  // issuedAt may be this far ahead of arrival (and behind, for a web form)
  // For a receipt with `supersedes`: the notice block of the superseded
  // stored receipt (nullptr when none). A change after signup carries it as
  // is (lifecycle.h supersede): such a receipt is bound to the older notice
  // the person already had, and only its controller, jurisdiction and
  // retention must match an accepted version.
  const Json* superseded_notice = nullptr;
  // Its channels block: a change after signup records decisions channel by
  // channel (preference centre, relayed objection), for the channels the
  // person was informed about, so the box check of a first receipt does not
  // apply to it; each channel must be one the superseded receipt records, or
  // one the matched version offers, with the same basis.
  const Json* superseded_channels = nullptr;
};

// Problems (kInvalid, 422), each with the JSON Pointer of the payload member:
//   receipt_unknown_config_version  /notice/configVersion: no accepted version has it
//   receipt_controller_mismatch     /controller
//   receipt_jurisdiction_mismatch   /jurisdiction
//   receipt_notice_mismatch         /notice/sha256 or /notice/locale: not the notice the version shows
//   receipt_partner_list_mismatch   /notice/partnerListSha256, /notice/partnerIds, /notice/partnerListUrl
//   receipt_boxes_mismatch          /channels/NAME...: a channel not offered, a basis or partner
//                                   prospecting that differs, and, for a first receipt (no
//                                   supersedes: the person answered the notice's boxes), a
//                                   configured channel left out or two decisions under one
//                                   (combined) box
//   receipt_retention_mismatch      /retention/months: not the version's retention (R9)
//   receipt_issued_at_skew          /issuedAt: later than arrival plus the skew; for a web form,
//                                   earlier than arrival minus the skew; for any receipt, before
//                                   the version was first served (minus the skew)
// On success, the version matched, an element of `accepted` (for a carried
// notice: the first accepted version whose controller and retention it matches).
[[nodiscard]] Result<const PublishedVersion*> check_against_published(const Json& payload,
                                                                      const std::vector<PublishedVersion>& accepted,
                                                                      const PublicationCheck& check);

}  // namespace cachet
