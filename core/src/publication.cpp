#include "cachet/publication.h"

#include <algorithm>

#include "cachet/calendar.h"
#include "cachet/canonical_json.h"
#include "cachet/jws.h"
#include "cachet/messages.h"
#include "cachet/notice.h"

namespace cachet {
namespace {

std::string hex_sha256(const CryptoProvider& crypto, std::string_view data) { return hex_encode(crypto.sha256(data)); }

// What a config says that a receipt of it must repeat (receipt.cpp
// plan_receipt writes the same members from the same Config).
void fill_from_config(const Config& config, PublishedVersion& out) {
  out.config_version = config.config_version;
  out.controller = {{"name", config.controller.name},
                    {"privacyPolicyUrl", config.controller.privacy_policy_url},
                    {"rightsContact", config.controller.rights_contact}};
  out.jurisdiction = config.jurisdiction;
  out.default_locale = config.locale;
  out.partner_ids = Json::array();
  for (const Partner& partner : config.partners.entries) out.partner_ids.push_back(partner.id);
  out.partner_list_url = config.partners.list_url;
  out.retention_months = config.retention_months;
  out.channels = Json::object();
  for (const ChannelConfig& c : config.channels) {
    Json entry = {{"basis", to_string(c.basis)}};
    if (c.partner_prospecting) entry["partnerProspecting"] = to_string(*c.partner_prospecting);
    out.channels[std::string(to_string(c.channel))] = std::move(entry);
  }
}

// The boxes as the notice shows them (notice.h decides, combined objection included).
void fill_boxes(const Notice& notice, PublishedVersion& out) {
  out.boxes.clear();
  for (const NoticeBox& box : notice.boxes) {
    PublishedBox b{box.id, std::string(to_string(box.basis)), {}};
    for (const Channel c : box.channels) b.channels.emplace_back(to_string(c));
    out.boxes.push_back(std::move(b));
  }
}

Problem bad_config(const std::string& why) {
  return {"publication_bad_config", "", "The published config cannot be read back: " + why};
}

Problem refusal(const char* code, std::string path, std::string message) {
  return {code, std::move(path), std::move(message)};
}

std::string member_text(const Json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Controller, jurisdiction, retention: what every receipt takes from the
// config it was made with, a change after signup included.
void check_issuer(const Json& payload, const PublishedVersion& v, Problems& out) {
  if (payload.value("controller", Json()) != v.controller) {
    out.push_back(refusal("receipt_controller_mismatch", "/controller",
                          "The receipt names a controller other than the one this server published (\"" +
                              member_text(v.controller, "name") + "\")."));
  }
  if (member_text(payload, "jurisdiction") != v.jurisdiction) {
    out.push_back(refusal("receipt_jurisdiction_mismatch", "/jurisdiction",
                          "The receipt's jurisdiction is not the published config's (" + v.jurisdiction + ")."));
  }
  const Json retention = payload.value("retention", Json::object());
  const Json months = retention.is_object() ? retention.value("months", Json()) : Json();
  if (!months.is_number_integer() || months.get<std::int64_t>() != v.retention_months) {
    out.push_back(refusal("receipt_retention_mismatch", "/retention/months",
                          "The retention period is set by the published config (" + std::to_string(v.retention_months) +
                              " months), not by the receipt (R9)."));
  }
}

// The notice block: the exact notice and partner list this version shows.
void check_notice(const Json& notice, const PublishedVersion& v, Problems& out) {
  const std::string locale = member_text(notice, "locale");
  const auto shown = v.notice_sha256.find(locale);
  if (shown == v.notice_sha256.end()) {
    out.push_back(refusal("receipt_notice_mismatch", "/notice/locale",
                          "The published config shows no notice in the locale \"" + locale + "\"."));
  } else if (member_text(notice, "sha256") != shown->second) {
    out.push_back(refusal("receipt_notice_mismatch", "/notice/sha256",
                          "The notice digest is not the digest of the notice config version " + v.config_version +
                              " shows in " + locale + ": the person was not shown this notice by this controller."));
  }
  if (member_text(notice, "partnerListSha256") != v.partner_list_sha256) {
    out.push_back(refusal(
        "receipt_partner_list_mismatch", "/notice/partnerListSha256",
        "The partner list digest is not the digest of the list config version " + v.config_version + " shows (R7)."));
  }
  if (notice.value("partnerIds", Json()) != v.partner_ids) {
    out.push_back(refusal("receipt_partner_list_mismatch", "/notice/partnerIds",
                          "The partner ids are not those of the published list (R7)."));
  }
  if (member_text(notice, "partnerListUrl") != v.partner_list_url ||
      (v.partner_list_url.empty() && notice.contains("partnerListUrl"))) {
    out.push_back(refusal("receipt_partner_list_mismatch", "/notice/partnerListUrl",
                          "The partner list URL is not the published one (R3)."));
  }
}

// The channels: exactly the boxes shown, with their basis, one decision per box.
void check_boxes(const Json& channels, const PublishedVersion& v, Problems& out) {
  if (!channels.is_object()) return;  // the schema check reports it
  for (const auto& [name, entry] : channels.items()) {
    if (!entry.is_object()) continue;  // the schema check reports it
    const std::string path = pointer_append("/channels", name);
    const auto offered = v.channels.find(name);
    if (offered == v.channels.end()) {
      out.push_back(refusal("receipt_boxes_mismatch", path,
                            "The published config offers no " + name + " box: the person could not decide on it."));
      continue;
    }
    if (entry.value("basis", Json()) != offered->value("basis", Json())) {
      out.push_back(
          refusal("receipt_boxes_mismatch", pointer_append(path, "basis"),
                  "The basis differs from the published config's (" + offered->value("basis", std::string()) + ")."));
    }
    if (entry.value("partnerProspecting", Json()) != offered->value("partnerProspecting", Json())) {
      out.push_back(refusal("receipt_boxes_mismatch", pointer_append(path, "partnerProspecting"),
                            "partnerProspecting differs from the published config's (R6)."));
    }
  }
  for (const auto& [name, unused] : v.channels.items()) {
    if (!channels.contains(name)) {
      out.push_back(refusal("receipt_boxes_mismatch", pointer_append("/channels", name),
                            "The published notice shows a " + name +
                                " box, and the receipt records no decision "
                                "for it."));
    }
  }
  // One box, one decision (R1: combineObjection shows one objection box for postal and phone).
  for (const PublishedBox& box : v.boxes) {
    const Json* first = nullptr;
    for (const std::string& name : box.channels) {
      const auto entry = channels.find(name);
      if (entry == channels.end() || !entry->is_object()) continue;
      const Json decision = entry->value("decision", Json());
      if (first == nullptr) {
        first = &*entry;
      } else if (decision != first->value("decision", Json())) {
        out.push_back(refusal("receipt_boxes_mismatch", pointer_append(pointer_append("/channels", name), "decision"),
                              "The notice shows one box (" + box.id +
                                  ") for these channels, so they carry one decision; the receipt splits it."));
      }
    }
  }
}

// A change after signup: per channel, what the superseded receipt records
// or what the version offers, with the same basis (lifecycle.h supersede).
void check_change_channels(const Json& channels, const Json* superseded, const PublishedVersion& v, Problems& out) {
  if (!channels.is_object()) return;
  const auto same = [](const Json& a, const Json& b) {
    return a.is_object() && b.is_object() && a.value("basis", Json()) == b.value("basis", Json()) &&
           a.value("partnerProspecting", Json()) == b.value("partnerProspecting", Json());
  };
  for (const auto& [name, entry] : channels.items()) {
    const bool recorded = superseded != nullptr && superseded->is_object() && superseded->contains(name) &&
                          same(entry, (*superseded)[name]);
    const bool offered = v.channels.contains(name) && same(entry, v.channels[name]);
    if (!recorded && !offered) {
      out.push_back(refusal("receipt_boxes_mismatch", pointer_append("/channels", name),
                            "A change can only record a channel the person was informed about, with the basis they "
                            "were informed under."));
    }
  }
}

void check_issued_at(const Json& payload, const PublishedVersion* v, const PublicationCheck& check, Problems& out) {
  const std::optional<std::int64_t> issued = calendar::parse_utc_timestamp(member_text(payload, "issuedAt"));
  if (!issued) return;  // the schema check reports it
  const std::string method = member_text(payload.value("collection", Json::object()), "method");
  const std::string skew = std::to_string(check.max_skew_seconds);
  if (*issued > check.now_unix + check.max_skew_seconds) {
    out.push_back(refusal("receipt_issued_at_skew", "/issuedAt",
                          "issuedAt is later than the time the receipt arrived (allowed skew " + skew + " s)."));
  } else if (method == "web-form" && *issued < check.now_unix - check.max_skew_seconds) {
    // A form signs its receipt when the person submits it.
    out.push_back(
        refusal("receipt_issued_at_skew", "/issuedAt",
                "issuedAt is earlier than the time the web-form receipt arrived (allowed skew " + skew + " s)."));
  } else if (v != nullptr && !v->first_served_at.empty()) {
    // Off the web (paper, phone, relayed) the act may precede its arrival,
    // never the notice it answers.
    const std::optional<std::int64_t> served = calendar::parse_utc_timestamp(v->first_served_at);
    if (served && *issued < *served - check.max_skew_seconds) {
      out.push_back(refusal("receipt_issued_at_skew", "/issuedAt",
                            "issuedAt is before config version " + v->config_version + " was first published (" +
                                v->first_served_at + ")."));
    }
  }
}

}  // namespace

Result<PublishedVersion> published_version(const Config& config, const CryptoProvider& crypto) {
  Result<std::string> canonical = canonicalize(config.raw);
  if (!canonical.ok()) return bad_config("it is not RFC 8785 canonicalisable.");
  PublishedVersion out;
  out.canonical_config = std::move(canonical).value();
  out.digest = hex_sha256(crypto, out.canonical_config);
  fill_from_config(config, out);
  Problems problems;
  for (const std::string& locale : supported_locales()) {
    Result<Notice> notice = build_notice(config, locale);
    if (!notice.ok()) {
      problems.insert(problems.end(), notice.problems().begin(), notice.problems().end());
      continue;
    }
    // The bytes receipt.cpp plan_receipt hashes into notice.sha256.
    out.notices[locale] = canonical_notice(notice.value());
    out.notice_sha256[locale] = hex_sha256(crypto, out.notices[locale]);
    if (locale == config.locale || out.boxes.empty()) fill_boxes(notice.value(), out);
  }
  if (!problems.empty()) return problems;
  out.partner_list = canonical_partner_list(config);
  out.partner_list_sha256 = hex_sha256(crypto, out.partner_list);
  return out;
}

Result<PublishedVersion> stored_version(std::string_view canonical_config,
                                        const std::map<std::string, std::string>& notices,
                                        std::string_view partner_list, const CryptoProvider& crypto) {
  Result<Config> config = load_config(canonical_config);
  if (!config.ok()) return bad_config(config.problems().front().message);
  PublishedVersion out;
  out.canonical_config = std::string(canonical_config);
  out.digest = hex_sha256(crypto, canonical_config);
  fill_from_config(config.value(), out);
  for (const auto& [locale, bytes] : notices) {
    out.notices[locale] = bytes;
    out.notice_sha256[locale] = hex_sha256(crypto, bytes);
  }
  out.partner_list = std::string(partner_list);
  out.partner_list_sha256 = hex_sha256(crypto, partner_list);
  // The boxes are structure, not wording: rebuilt from the config.
  Result<Notice> notice = build_notice(config.value(), config.value().locale);
  if (!notice.ok()) return bad_config(notice.problems().front().message);
  fill_boxes(notice.value(), out);
  return out;
}

std::vector<PublishedVersion> accepted_versions(const std::vector<PublishedVersion>& published,
                                                std::string_view current_digest, std::int64_t started_unix,
                                                std::int64_t now_unix, std::int64_t grace_seconds) {
  std::vector<PublishedVersion> out;
  for (std::size_t i = 0; i < published.size(); ++i) {
    PublishedVersion v = published[i];
    if (v.digest == current_digest) {
      v.accepted_until.reset();
    } else {
      std::optional<std::int64_t> ended;
      for (std::size_t j = i + 1; j < published.size() && !ended; ++j) {
        if (published[j].digest != v.digest) ended = calendar::parse_utc_timestamp(published[j].first_served_at);
      }
      v.accepted_until = ended.value_or(started_unix) + grace_seconds;
      if (*v.accepted_until < now_unix) continue;
    }
    out.push_back(std::move(v));
  }
  // The current version first, then the newest: the first candidate's
  // problems are the ones reported.
  std::stable_sort(out.begin(), out.end(), [](const PublishedVersion& a, const PublishedVersion& b) {
    if (a.accepted_until.has_value() != b.accepted_until.has_value()) return !a.accepted_until.has_value();
    return a.seq > b.seq;
  });
  return out;
}

Result<const PublishedVersion*> check_against_published(const Json& payload,
                                                        const std::vector<PublishedVersion>& accepted,
                                                        const PublicationCheck& check) {
  if (!payload.is_object()) return Problem{"receipt_wrong_type", "", "The receipt payload must be a JSON object."};
  std::vector<const PublishedVersion*> live;
  for (const PublishedVersion& v : accepted) {
    if (!v.accepted_until || *v.accepted_until >= check.now_unix) live.push_back(&v);
  }
  Json notice = payload.value("notice", Json::object());
  if (!notice.is_object()) notice = Json::object();  // (verified receipts always have one; refused below)
  // A change after signup carrying the superseded receipt's notice block as
  // is: bound to what the person already had (checked when that receipt was
  // accepted); what the new receipt takes from the config must still match.
  const bool carried =
      payload.contains("supersedes") && check.superseded_notice != nullptr && *check.superseded_notice == notice;
  Problems first;
  bool tried = false;
  for (const PublishedVersion* v : live) {
    if (!carried && member_text(notice, "configVersion") != v->config_version) continue;
    Problems problems;
    check_issuer(payload, *v, problems);
    if (!carried) check_notice(notice, *v, problems);
    if (payload.contains("supersedes")) {
      check_change_channels(payload.value("channels", Json::object()), check.superseded_channels, *v, problems);
    } else {
      check_boxes(payload.value("channels", Json::object()), *v, problems);
    }
    check_issued_at(payload, carried ? nullptr : v, check, problems);
    if (problems.empty()) return v;
    if (!tried) first = std::move(problems);
    tried = true;
  }
  if (tried) return first;
  Problems problems;
  problems.push_back(refusal("receipt_unknown_config_version", "/notice/configVersion",
                             "This server has not published config version \"" + member_text(notice, "configVersion") +
                                 "\", or no longer accepts receipts for it: it countersigns only what it showed."));
  // Say what else is foreign, against the current version.
  if (!live.empty()) {
    Problems issuer;
    check_issuer(payload, *live.front(), issuer);
    for (Problem& p : issuer) {
      if (p.code == "receipt_controller_mismatch") problems.push_back(std::move(p));
    }
  }
  check_issued_at(payload, nullptr, check, problems);
  return problems;
}

std::string partner_list_since(const std::vector<PublishedVersion>& published, std::string_view current_digest) {
  // The entries alone: listUrl and updatedAt do not change who gets the data.
  const auto entries_of = [](const PublishedVersion& v) {
    const Json list = Json::parse(v.partner_list, nullptr, false);
    return list.is_object() && list.contains("entries") ? list["entries"] : Json();
  };
  std::size_t at = published.size();
  for (std::size_t i = 0; i < published.size(); ++i) {
    if (published[i].digest == current_digest) at = i;
  }
  if (at == published.size()) return "";
  const Json current = entries_of(published[at]);
  while (at > 0 && entries_of(published[at - 1]) == current) --at;
  return published[at].first_served_at;
}

}  // namespace cachet
