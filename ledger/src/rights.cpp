// The person's rights (rights.h): finding a person by a contact value, and
// the access report with its text and HTML renderings. docs/rights.md.
#include "cachet/ledger/rights.h"

#include <map>
#include <unordered_map>
#include <utility>

#include "cachet/calendar.h"
#include "cachet/choices.h"
#include "cachet/messages.h"
#include "cachet/receipt.h"

namespace cachet::ledger {
namespace {

const std::string& digest_of(const ReceiptRecord& r, std::string_view kind) {
  if (kind == "email") return r.digests.email;
  if (kind == "phone") return r.digests.phone;
  if (kind == "mobile") return r.digests.mobile;
  return r.digests.postal;
}

Problem tampered_ledger(const ChainReport& report) {
  const ChainProblem& first = report.problems.front();
  return Problem{"ledger_tampered", "",
                 "The ledger does not verify (" + first.code + ": " + first.message +
                     "): nothing is answered from it. Run `cachet ledger verify` and restore it from a backup."};
}

}  // namespace

Result<std::vector<PersonMatch>> find_people(ConsentStore& store, const ContactQuery& query,
                                             std::string_view digest_secret, const CryptoProvider& crypto) {
  const std::vector<std::string_view> kinds = digest_kinds_of_contact(query.contact);
  if (kinds.empty()) {
    return Problem{"rights_bad_contact", "/contact",
                   "A person is found by \"email\", \"phone\" or \"address\", not \"" + query.contact + "\"."};
  }
  if (!normalize_contact(kinds.front(), query.value)) {
    return Problem{"rights_bad_contact", "/" + query.contact,
                   "The " + query.contact + " given is not a valid " + query.contact + "."};
  }
  // Every spelling of the value per kind, digested per receipt below.
  std::vector<std::vector<std::string>> spellings;
  spellings.reserve(kinds.size());
  for (const std::string_view kind : kinds) spellings.push_back(contact_spellings(kind, query.value));
  std::vector<PersonMatch> out;
  std::unordered_map<std::string, std::size_t> by_root;
  Result<ChainReport> report = store.verify_records([&](const ReceiptRecord& r) {
    if (!r.verified) return;  // never acted on (ledger verify reports it)
    const RecordSalt salt = split_record_salt(r.salt);
    for (std::size_t k = 0; k < kinds.size(); ++k) {
      const std::string_view kind = kinds[k];
      const std::string& held = digest_of(r, kind);
      if (held.empty()) continue;
      const auto names_person = [&](const std::string& spelling) {
        return contact_digest_hex(kind, spelling, salt.keyed, salt.salt, digest_secret, crypto) == held;
      };
      if (std::none_of(spellings[k].begin(), spellings[k].end(), names_person)) continue;
      auto [it, fresh] = by_root.emplace(r.chain_root, out.size());
      if (fresh) out.push_back(PersonMatch{r.chain_root, "", {}, {}});
      PersonMatch& match = out[it->second];
      if (match.receipt_ids.empty() || match.receipt_ids.back() != r.receipt_id) {
        match.receipt_ids.push_back(r.receipt_id);
      }
      bool known = false;
      for (const std::string& m : match.matched) known = known || m == kind;
      if (!known) match.matched.emplace_back(kind);
    }
  });
  if (!report.ok()) return report.problems();
  if (!report.value().ok()) return tampered_ledger(report.value());
  for (PersonMatch& match : out) {
    Result<PersonState> state = store.state_of(match.chain_root);
    if (!state.ok()) return state.problems();
    match.latest_receipt_id = state.value().latest.receipt_id;
  }
  return out;
}

namespace {

Json member_or(const Json& object, const char* name, Json fallback) {
  if (object.is_object() && object.contains(name)) return object[name];
  return fallback;
}

// The published version whose notice (in the receipt's locale) and partner
// list are the ones the receipt's digests name: the exact text shown.
Result<Json> shown_notice(ConsentStore& store, const Json& notice) {
  const std::string version = string_at(notice, {"configVersion"});
  const std::string locale = string_at(notice, {"locale"});
  const std::string sha256 = string_at(notice, {"sha256"});
  const std::string list_sha256 = string_at(notice, {"partnerListSha256"});
  if (version.empty() || sha256.empty()) return Json();
  Result<std::vector<PublishedVersion>> versions = store.find_published_by_version(version);
  if (!versions.ok()) return versions.problems();
  for (const PublishedVersion& v : versions.value()) {
    const auto digest = v.notice_sha256.find(locale);
    if (digest == v.notice_sha256.end() || digest->second != sha256) continue;
    Json shown = Json::object();
    shown["configDigest"] = v.digest;
    shown["firstServedAt"] = v.first_served_at;
    shown["notice"] = Json::parse(v.notices.at(locale), nullptr, false);
    if (v.partner_list_sha256 == list_sha256) shown["partnerList"] = Json::parse(v.partner_list, nullptr, false);
    return shown;
  }
  return Json();
}

}  // namespace

Result<Json> access_report(ConsentStore& store, std::string_view receipt_id, std::string_view locale,
                           std::int64_t now_unix) {
  Result<PersonState> state = store.state_of(receipt_id);
  if (!state.ok()) return state.problems();
  const PersonState& person = state.value();
  Json out = Json::object();
  // The person's language: the one asked for, else the one they last chose in.
  const std::string wanted =
      locale.empty() ? string_at(person.latest.payload, {"notice", "locale"}) : std::string(locale);
  out["locale"] = std::string(text_locale(wanted));
  out["generatedAt"] = calendar::format_rfc3339(now_unix);
  out["chainRoot"] = person.chain_root;
  out["latestReceiptId"] = person.latest.receipt_id;
  out["retentionUntil"] = person.retention_until;
  out["controller"] = member_or(person.latest.payload, "controller", Json::object());
  Json receipts = Json::array();
  for (const StoredReceipt& r : person.history) {
    const Json subject = member_or(r.payload, "subject", Json::object());
    const Json notice = member_or(r.payload, "notice", Json::object());
    Json item = Json::object();
    item["receiptId"] = r.receipt_id;
    item["issuedAt"] = r.issued_at;
    item["receivedAt"] = r.received_at;
    item["collectionMethod"] = r.collection_method;
    item["supersedes"] = r.supersedes;
    item["retentionMonths"] = r.retention_months;
    item["payloadSha256"] = r.payload_sha256;
    item["ledger"] = Json{{"seq", r.seq}, {"entryHash", r.entry_hash}};
    item["digestScheme"] = subject_is_keyed(subject) ? std::string(kKeyedDigestScheme) : std::string("sha256");
    item["digests"] = member_or(subject, "digests", Json::object());
    item["channels"] = member_or(r.payload, "channels", Json::object());
    item["notice"] = notice;
    Result<Json> shown = shown_notice(store, notice);
    if (!shown.ok()) return shown.problems();
    item["shown"] = shown.value();
    item["text"] = render_receipt_text(r.payload, out["locale"].get<std::string>());
    receipts.push_back(std::move(item));
  }
  // Partner names as the person was shown them (the notices kept above).
  std::map<std::string, std::string> names;
  for (const Json& r : receipts) {
    const Json& shown = r["shown"];
    if (!shown.is_object() || !shown.contains("notice")) continue;
    for (const Json& p : shown["notice"].value("partners", Json::array())) {
      const std::string id = string_at(p, {"id"});
      if (!id.empty()) names[id] = string_at(p, {"name"});
    }
  }
  out["receipts"] = std::move(receipts);
  Result<std::vector<Transfer>> transfers = store.transfers_of(person.chain_root);
  if (!transfers.ok()) return transfers.problems();
  Json sent = Json::array();
  for (const Transfer& t : transfers.value()) {
    Json item = {{"partnerId", t.partner_id},
                 {"channels", t.channels},
                 {"at", t.at},
                 {"fileSha256", t.file_sha256},
                 {"reference", t.reference},
                 {"noticeDue", t.notice_due},
                 {"noticeAcknowledgedAt", t.notice_acknowledged_at},
                 {"ledger", {{"seq", t.seq}}}};
    const auto name = names.find(t.partner_id);
    if (name != names.end() && !name->second.empty()) item["partnerName"] = name->second;
    sent.push_back(std::move(item));
  }
  out["transfers"] = std::move(sent);
  return out;
}

// --- renderings -------------------------------------------------------------

namespace {

std::string html_escape(std::string_view text) {
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

// The report's parts as sentences in its locale, shared by both renderings.
struct Section {
  int level = 2;  // 2: a part of the report; 3: one receipt within "your choices over time"
  std::string heading;
  std::vector<std::string> lines;  // paragraphs
  std::vector<std::string> items;  // a list after them
  std::string pre;                 // preformatted text after them (a receipt's copy)
};

std::string channel_names(const Json& channels, const std::string& l) {
  std::vector<std::string> names;
  if (channels.is_array()) {
    for (const Json& c : channels) {
      if (c.is_string()) names.push_back(text("receipt.channel." + c.get<std::string>(), l));
    }
  }
  return join_list(names, l);
}

std::vector<Section> sections_of(const Json& report) {
  const std::string l = string_at(report, {"locale"});
  const Json& controller = report["controller"];
  const std::string org = string_at(controller, {"name"});
  const Json& receipts = report["receipts"];
  std::vector<Section> out;

  Section held;
  held.heading = text("access.held.heading", l);
  held.lines.push_back(text("access.held.text", l));
  if (!receipts.empty()) {
    held.lines.push_back(text("access.held.count", l,
                              {{"count", std::to_string(receipts.size())},
                               {"first", readable_time(string_at(receipts.front(), {"receivedAt"}), l)},
                               {"last", readable_time(string_at(receipts.back(), {"receivedAt"}), l)}}));
  }
  const std::string until = string_at(report, {"retentionUntil"});
  held.lines.push_back(until.empty() ? text("access.retention.none", l)
                                     : text("access.retention", l, {{"date", readable_time(until, l)}}));
  // The fingerprints: the same across a chain unless a receipt gave new values.
  std::string last_digests;
  for (const Json& r : receipts) {
    const std::string digests = r["digests"].dump();
    if (digests == last_digests) continue;
    last_digests = digests;
    const bool keyed = string_at(r, {"digestScheme"}) == kKeyedDigestScheme;
    held.lines.push_back(
        text("access.digests", l,
             {{"scheme", text(keyed ? "access.digest.scheme.keyed" : "access.digest.scheme.salted", l)}}));
    for (const auto& [kind, value] : r["digests"].items()) {
      if (value.is_string()) {
        held.items.push_back(text("access.digest.item", l,
                                  {{"kind", text("access.digest." + kind, l)}, {"value", value.get<std::string>()}}));
      }
    }
  }
  out.push_back(std::move(held));

  Section choices;
  choices.heading = text("access.choices.heading", l);
  out.push_back(std::move(choices));
  for (const Json& r : receipts) {
    Section choice;
    choice.level = 3;
    choice.heading = text("access.choice.heading", l,
                          {{"date", readable_time(string_at(r, {"receivedAt"}), l)},
                           {"method", text("receipt.method." + string_at(r, {"collectionMethod"}), l)}});
    choice.lines.push_back(
        text("access.ledger_position", l,
             {{"seq", std::to_string(r["ledger"].value("seq", 0))}, {"hash", string_at(r["ledger"], {"entryHash"})}}));
    choice.pre = string_at(r, {"text"});
    const Json& shown = r["shown"];
    if (shown.is_object() && shown.contains("notice") && shown["notice"].is_object()) {
      const Json& notice = shown["notice"];
      choice.lines.push_back(text("access.shown.heading", l));
      for (const char* part : {"heading", "intro", "recipients"}) {
        const std::string said = string_at(notice, {part});
        if (!said.empty()) choice.items.push_back(said);
      }
      for (const Json& box : notice.value("boxes", Json::array())) {
        choice.items.push_back(text("access.shown.box", l, {{"label", string_at(box, {"label"})}}) + " (" +
                               channel_names(box.value("channels", Json::array()), l) + ")");
      }
      std::vector<std::string> partners;
      for (const Json& p : notice.value("partners", Json::array())) partners.push_back(string_at(p, {"name"}));
      if (!partners.empty()) {
        choice.items.push_back(text("access.shown.partners", l, {{"partners", join_list(partners, l)}}));
      }
      const std::string rights = string_at(notice, {"rights"});
      if (!rights.empty()) choice.items.push_back(rights);
    } else if (!string_at(r, {"supersedes"}).empty() && string_at(r, {"collectionMethod"}) != "web-form") {
      choice.lines.push_back(text("access.shown.carried", l));
    } else {
      choice.lines.push_back(text(
          "access.shown.missing", l,
          {{"version", string_at(r["notice"], {"configVersion"})}, {"sha256", string_at(r["notice"], {"sha256"})}}));
    }
    out.push_back(std::move(choice));
  }

  Section partners;
  partners.heading = text("access.partners.heading", l);
  const Json& transfers = report["transfers"];
  if (!transfers.is_array() || transfers.empty()) partners.lines.push_back(text("access.partners.none", l));
  if (transfers.is_array()) {
    for (const Json& t : transfers) {
      const std::string name = string_at(t, {"partnerName"});
      partners.items.push_back(text("access.partners.item", l,
                                    {{"partner", name.empty() ? string_at(t, {"partnerId"}) : name},
                                     {"channels", channel_names(t.value("channels", Json::array()), l)},
                                     {"date", readable_time(string_at(t, {"at"}), l)}}));
    }
  }
  const std::string contact = string_at(controller, {"rightsContact"});
  partners.lines.push_back(text("access.rights", l, {{"contact", contact.empty() ? org : contact}}));
  out.push_back(std::move(partners));
  return out;
}

}  // namespace

std::string render_access_text(const std::vector<Json>& reports, std::string_view locale) {
  if (reports.empty()) return text("access.none", text_locale(locale)) + "\n";
  std::string out;
  for (const Json& report : reports) {
    const std::string l = string_at(report, {"locale"});
    const std::string org = string_at(report["controller"], {"name"});
    if (!out.empty()) out += "\n\n";
    out += text("access.title", l, {{"org", org}}) + "\n";
    out += text("access.intro", l, {{"date", readable_time(string_at(report, {"generatedAt"}), l)}}) + "\n";
    for (const Section& s : sections_of(report)) {
      out.append(s.level == 2 ? "\n== " : "\n-- ").append(s.heading).append(s.level == 2 ? " ==\n" : " --\n");
      for (const std::string& line : s.lines) out += line + "\n";
      for (const std::string& item : s.items) out.append("  - ").append(item).append("\n");
      if (s.pre.empty()) continue;
      out += "\n";
      std::size_t start = 0;
      while (start < s.pre.size()) {
        const std::size_t end = s.pre.find('\n', start);
        out.append("    ").append(s.pre, start, end == std::string::npos ? std::string::npos : end - start);
        out += '\n';
        if (end == std::string::npos) break;
        start = end + 1;
      }
    }
  }
  return out;
}

std::string render_access_html(const std::vector<Json>& reports, std::string_view locale) {
  const std::string l(text_locale(reports.empty() ? locale : string_at(reports.front(), {"locale"})));
  const std::string org = reports.empty() ? std::string() : string_at(reports.front()["controller"], {"name"});
  const std::string title = text("access.title", l, {{"org", org}});
  std::string out = "<!DOCTYPE html>\n<html lang=\"" + html_escape(l) +
                    "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\">\n<title>" +
                    html_escape(title) + "</title>\n</head>\n<body>\n<main>\n<h1>" + html_escape(title) + "</h1>\n";
  if (reports.empty()) out += "<p>" + html_escape(text("access.none", l)) + "</p>\n";
  for (const Json& report : reports) {
    out.append("<article>\n<p>")
        .append(html_escape(text("access.intro", l, {{"date", readable_time(string_at(report, {"generatedAt"}), l)}})))
        .append("</p>\n");
    for (const Section& s : sections_of(report)) {
      const char* h = s.level == 2 ? "h2" : "h3";
      out.append("<section>\n<").append(h).append(">").append(html_escape(s.heading)).append("</").append(h);
      out.append(">\n");
      for (const std::string& line : s.lines) out.append("<p>").append(html_escape(line)).append("</p>\n");
      if (!s.items.empty()) {
        out += "<ul>\n";
        for (const std::string& item : s.items) out.append("<li>").append(html_escape(item)).append("</li>\n");
        out += "</ul>\n";
      }
      if (!s.pre.empty()) out.append("<pre>").append(html_escape(s.pre)).append("</pre>\n");
      out += "</section>\n";
    }
    out += "</article>\n";
  }
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace cachet::ledger
