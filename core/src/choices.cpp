#include "cachet/choices.h"

#include <cctype>

#include "cachet/lifecycle.h"
#include "cachet/messages.h"
#include "cachet/notice.h"

namespace cachet {
namespace {

std::string trim(std::string_view value) {
  std::size_t begin = 0;
  std::size_t end = value.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(value[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(value[end - 1]))) --end;
  return std::string(value.substr(begin, end - begin));
}

std::string ascii_lower(std::string value) {
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value;
}

}  // namespace

std::string_view to_string(Decision decision) {
  switch (decision) {
    case Decision::kObjected:
      return "objected";
    case Decision::kNotObjected:
      return "not-objected";
    case Decision::kGranted:
      return "granted";
    case Decision::kNotGranted:
      return "not-granted";
    case Decision::kWithdrawn:
      return "withdrawn";
  }
  return "";
}

std::optional<Decision> decision_from_string(std::string_view name) {
  for (const Decision d :
       {Decision::kObjected, Decision::kNotObjected, Decision::kGranted, Decision::kNotGranted, Decision::kWithdrawn}) {
    if (to_string(d) == name) return d;
  }
  return std::nullopt;
}

bool is_plausible_email(std::string_view value) {
  // Deliberately loose (the form's own validation is the host's job): one '@',
  // something before it, a dotted domain after it, no spaces or controls.
  const std::size_t at = value.find('@');
  if (at == std::string_view::npos || at == 0 || value.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = value.substr(at + 1);
  const std::size_t dot = domain.find('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  for (const char c : value) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return value.size() <= 254;
}

bool is_plausible_phone(std::string_view value) {
  int digits = 0;
  for (const char c : value) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c == '+' && digits == 0) {
      continue;
    } else if (c != ' ' && c != '.' && c != '-' && c != '(' && c != ')') {
      return false;
    }
  }
  return digits >= 6 && digits <= 15;  // E.164 allows at most 15 digits
}

std::optional<std::string> normalize_contact(std::string_view kind, std::string_view value) {
  const std::string trimmed = trim(value);
  if (trimmed.empty()) return std::nullopt;
  if (kind == "email") {
    if (!is_plausible_email(trimmed)) return std::nullopt;
    return ascii_lower(trimmed);
  }
  if (kind == "phone" || kind == "mobile") {
    if (!is_plausible_phone(trimmed)) return std::nullopt;
    std::string out;
    for (const char c : trimmed) {
      if (c == '+' || std::isdigit(static_cast<unsigned char>(c))) out += c;
    }
    return out;
  }
  if (kind == "postal") {
    std::string out;
    bool in_space = false;
    for (const char c : trimmed) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        in_space = true;
        continue;
      }
      if (in_space && !out.empty()) out += ' ';
      in_space = false;
      out += c;
    }
    return ascii_lower(out);
  }
  return std::nullopt;
}

Result<Choices> parse_choices(const Config& config, const Json& choices, std::string_view locale, bool superseding) {
  const auto say = [locale](std::string_view id, const TextArgs& args = {}) { return text(id, locale, args); };
  Problems problems;
  Choices out;
  out.superseding = superseding;

  if (!choices.is_object()) {
    return Problem{"choice_wrong_type", "", say("choice_wrong_type")};
  }
  for (const auto& [key, unused] : choices.items()) {
    if (key != "decisions" && key != "contacts") {
      problems.push_back({"choice_unknown_key", pointer_append("", key), say("choice_unknown_key", {{"key", key}})});
    }
  }

  // Contacts first: decisions are checked against them.
  if (choices.contains("contacts")) {
    const Json& contacts = choices["contacts"];
    if (!contacts.is_object()) {
      problems.push_back({"choice_wrong_type", "/contacts", say("choice_wrong_type.contacts")});
    } else {
      for (const auto& [kind, value] : contacts.items()) {
        const std::string path = pointer_append("/contacts", kind);
        if (kind != "email" && kind != "phone" && kind != "mobile" && kind != "postal") {
          problems.push_back({"choice_unknown_contact", path, say("choice_unknown_contact", {{"kind", kind}})});
        } else if (!value.is_string()) {
          problems.push_back({"choice_wrong_type", path, say("choice_wrong_type.contact")});
        } else if (!trim(value.get<std::string>()).empty()) {
          out.contacts[kind] = value.get<std::string>();
        }
      }
    }
  }

  const Json empty = Json::object();
  const Json* decisions = &empty;
  if (choices.contains("decisions")) {
    if (choices["decisions"].is_object()) {
      decisions = &choices["decisions"];
    } else {
      problems.push_back({"choice_wrong_type", "/decisions", say("choice_wrong_type.decisions")});
    }
  }
  for (const auto& [name, value] : decisions->items()) {
    const std::string path = pointer_append("/decisions", name);
    const std::optional<Channel> channel = channel_from_string(name);
    if (!channel || config.find(*channel) == nullptr) {
      problems.push_back({"choice_unknown_channel", path, say("choice_unknown_channel", {{"name", name}})});
    } else if (!value.is_string() || !decision_from_string(value.get<std::string>())) {
      problems.push_back({"choice_bad_decision", path, say("choice_bad_decision")});
    }
  }

  for (const ChannelConfig& channel_config : config.channels) {
    const Channel channel = channel_config.channel;
    const std::string name(to_string(channel));
    const std::string path = pointer_append("/decisions", name);
    const bool consent = channel_config.basis == Basis::kConsent;
    // A box left alone is the default: not objected, or consent not given (R5).
    Decision decision = box_decision(channel_config.basis, false);
    if (decisions->contains(name) && (*decisions)[name].is_string()) {
      const std::optional<Decision> given = decision_from_string((*decisions)[name].get<std::string>());
      if (!given) continue;  // reported above
      decision = *given;
    }
    if (!fits_basis(decision, channel_config.basis)) {
      problems.push_back({"choice_decision_basis_mismatch", path,
                          say(consent ? "choice_decision_basis_mismatch.consent"
                                      : "choice_decision_basis_mismatch.legitimate_interest",
                              {{"name", name}})});
      continue;
    }
    if (decision == Decision::kWithdrawn && !superseding) {
      problems.push_back({"choice_withdrawal_without_receipt", path, say("choice_withdrawal_without_receipt")});
      continue;
    }
    const std::optional<std::string> required = contact_required_for(config, channel, decision);
    if (required && !superseding) {
      // R4: the contact the partners would use must be there to bind the consent to.
      const std::string& kind = *required;
      const auto contact = out.contacts.find(kind);
      const std::string contact_path = pointer_append("/contacts", kind);
      if (contact == out.contacts.end()) {
        problems.push_back(
            {"choice_contact_missing", contact_path,
             say(channel == Channel::kEmail ? "choice_contact_missing.email" : "choice_contact_missing.sms")});
      } else if (!normalize_contact(kind, contact->second)) {
        problems.push_back(
            {"choice_contact_invalid", contact_path,
             say(channel == Channel::kEmail ? "choice_contact_invalid.email" : "choice_contact_invalid.phone")});
      }
    }
    out.decisions[channel] = decision;
  }

  // Contacts that are present must be well-formed even when no consent needs them.
  for (const auto& [kind, value] : out.contacts) {
    if (!normalize_contact(kind, value)) {
      const std::string path = pointer_append("/contacts", kind);
      bool already = false;
      for (const Problem& p : problems) already = already || p.path == path;
      if (!already) {
        problems.push_back({"choice_contact_invalid", path, say("choice_contact_invalid", {{"kind", kind}})});
      }
    }
  }

  // One box, one decision: channels the notice shows under one box (the
  // combined postal and phone objection, R1) cannot be answered apart at
  // signup. Later changes go channel by channel (the preference centre).
  if (!superseding && problems.empty()) {
    Result<Notice> notice = build_notice(config, locale);
    if (notice.ok()) {
      for (const NoticeBox& box : notice.value().boxes) {
        const auto first = out.decisions.find(box.channels.front());
        for (const Channel channel : box.channels) {
          const auto decided = out.decisions.find(channel);
          if (first == out.decisions.end() || decided == out.decisions.end() || decided->second == first->second) {
            continue;
          }
          problems.push_back({"choice_split_box", pointer_append("/decisions", std::string(to_string(channel))),
                              say("choice_split_box", {{"box", box.id}})});
        }
      }
    }
  }

  if (!problems.empty()) return problems;
  return out;
}

}  // namespace cachet
