#include "cachet/choices.h"

#include <cctype>

#include "cachet/lifecycle.h"

namespace cachet {
namespace {

bool is_fr(std::string_view locale) { return locale == "fr"; }

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
  for (const Decision d : {Decision::kObjected, Decision::kNotObjected, Decision::kGranted, Decision::kNotGranted,
                           Decision::kWithdrawn}) {
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
  const bool fr = is_fr(locale);
  Problems problems;
  Choices out;
  out.superseding = superseding;

  if (!choices.is_object()) {
    return Problem{"choice_wrong_type", "",
                   fr ? "Les choix doivent être un objet JSON." : "The choices must be a JSON object."};
  }
  for (const auto& [key, unused] : choices.items()) {
    if (key != "decisions" && key != "contacts") {
      problems.push_back({"choice_unknown_key", pointer_append("", key),
                          fr ? "Membre inconnu « " + key + " » dans les choix."
                             : "Unknown member \"" + key + "\" in the choices."});
    }
  }

  // Contacts first: decisions are checked against them.
  if (choices.contains("contacts")) {
    const Json& contacts = choices["contacts"];
    if (!contacts.is_object()) {
      problems.push_back({"choice_wrong_type", "/contacts",
                          fr ? "« contacts » doit être un objet." : "\"contacts\" must be an object."});
    } else {
      for (const auto& [kind, value] : contacts.items()) {
        const std::string path = pointer_append("/contacts", kind);
        if (kind != "email" && kind != "phone" && kind != "mobile" && kind != "postal") {
          problems.push_back({"choice_unknown_contact", path,
                              fr ? "Type de coordonnée inconnu « " + kind + " » (email, phone, mobile, postal)."
                                 : "Unknown contact kind \"" + kind + "\" (email, phone, mobile, postal)."});
        } else if (!value.is_string()) {
          problems.push_back({"choice_wrong_type", path,
                              fr ? "La coordonnée doit être une chaîne." : "The contact value must be a string."});
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
      problems.push_back({"choice_wrong_type", "/decisions",
                          fr ? "« decisions » doit être un objet." : "\"decisions\" must be an object."});
    }
  }
  for (const auto& [name, value] : decisions->items()) {
    const std::string path = pointer_append("/decisions", name);
    const std::optional<Channel> channel = channel_from_string(name);
    if (!channel || config.find(*channel) == nullptr) {
      problems.push_back({"choice_unknown_channel", path,
                          fr ? "Le canal « " + name + " » n'est pas prévu par la configuration."
                             : "The channel \"" + name + "\" is not in the configuration."});
    } else if (!value.is_string() || !decision_from_string(value.get<std::string>())) {
      problems.push_back({"choice_bad_decision", path,
                          fr ? "Décision inconnue ; valeurs possibles : objected, not-objected, granted, "
                               "not-granted, withdrawn."
                             : "Unknown decision; expected objected, not-objected, granted, not-granted or "
                               "withdrawn."});
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
      problems.push_back(
          {"choice_decision_basis_mismatch", path,
           consent ? (fr ? "Le canal « " + name + " » repose sur le consentement : la décision doit être granted, "
                               "not-granted ou withdrawn."
                         : "The channel \"" + name + "\" rests on consent: the decision must be granted, "
                               "not-granted or withdrawn.")
                   : (fr ? "Le canal « " + name + " » repose sur l'intérêt légitime : la décision doit être "
                               "objected ou not-objected."
                         : "The channel \"" + name + "\" rests on legitimate interest: the decision must be "
                               "objected or not-objected.")});
      continue;
    }
    if (decision == Decision::kWithdrawn && !superseding) {
      problems.push_back({"choice_withdrawal_without_receipt", path,
                          fr ? "Un retrait de consentement doit remplacer un reçu existant."
                             : "A withdrawal must supersede an existing receipt."});
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
             channel == Channel::kEmail
                 ? (fr ? "Indiquez votre adresse électronique pour accepter de la recevoir des offres par e-mail."
                       : "Enter your email address to agree to receive offers by email.")
                 : (fr ? "Indiquez votre numéro de téléphone mobile pour accepter de recevoir des offres par SMS."
                       : "Enter your mobile number to agree to receive offers by text message.")});
      } else if (!normalize_contact(kind, contact->second)) {
        problems.push_back(
            {"choice_contact_invalid", contact_path,
             channel == Channel::kEmail
                 ? (fr ? "L'adresse électronique saisie n'est pas valide." : "The email address entered is not valid.")
                 : (fr ? "Le numéro de téléphone saisi n'est pas valide." : "The phone number entered is not valid.")});
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
        problems.push_back({"choice_contact_invalid", path,
                            fr ? "La coordonnée « " + kind + " » n'est pas valide."
                               : "The " + kind + " contact is not valid."});
      }
    }
  }

  if (!problems.empty()) return problems;
  return out;
}

}  // namespace cachet
