// JWS (RFC 7515) JSON serialisation for Cachet receipts. Parsing is strict on
// purpose: every way a header could weaken verification (alg "none", HMAC with
// a public key as secret, a key outside the protected header, crit extensions we
// do not understand, unencoded payloads) is refused with its own code.
#include "cachet/jws.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <utility>

namespace cachet {
namespace {

constexpr char kBase64UrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Value of each byte as a base64url character, or -1 outside the alphabet
// (RFC 4648 section 5).
struct Base64UrlValues {
  signed char of[256];
  constexpr Base64UrlValues() : of() {
    for (signed char& v : of) v = -1;
    for (int i = 0; i < 64; ++i) of[static_cast<unsigned char>(kBase64UrlAlphabet[i])] = static_cast<signed char>(i);
  }
};
constexpr Base64UrlValues kBase64UrlValues;

int base64url_value(char c) { return kBase64UrlValues.of[static_cast<unsigned char>(c)]; }

// Our own serialisation of a header never throws: strings we did not parse
// ourselves may hold invalid UTF-8, which is replaced rather than thrown on.
std::string dump_compact(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

bool is_ed25519_alg(std::string_view alg) { return alg == "Ed25519" || alg == "EdDSA"; }

// RFC 7638 section 3.2: the required members of each key type.
struct KeyShape {
  const char* kty;
  const char* crv;
  bool has_y;
};

std::optional<KeyShape> shape_for_alg(std::string_view alg) {
  if (is_ed25519_alg(alg)) return KeyShape{"OKP", "Ed25519", false};  // RFC 8037 section 2
  if (alg == "ES256") return KeyShape{"EC", "P-256", true};           // RFC 7518 section 3.4
  return std::nullopt;
}

std::string string_member(const Json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

Problem jwk_problem(std::string_view path, std::string message) {
  return {"jws_jwk_invalid", std::string(path), std::move(message)};
}

// Checks one 32-byte coordinate ("x", "y") of a public JWK.
void check_coordinate(const Json& jwk, const char* name, std::string_view path, Problems& problems) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    problems.push_back(jwk_problem(path, std::string("The JWK has no \"") + name + "\" string member."));
    return;
  }
  const auto bytes = base64url_decode(it->get_ref<const std::string&>());
  if (!bytes) {
    problems.push_back(jwk_problem(path, std::string("The JWK member \"") + name + "\" is not valid base64url."));
  } else if (bytes->size() != 32) {
    problems.push_back(jwk_problem(path, std::string("The JWK member \"") + name + "\" must encode 32 bytes, not " +
                                             std::to_string(bytes->size()) + "."));
  }
}

// parse_json_strict reports why a text is refused; the reasons that are about
// limits or duplicate names keep their precise json_* code, the rest are
// "this is not JSON" from the JWS point of view.
Problems jws_text_problems(const Problems& parse_problems) {
  Problems out;
  for (const Problem& p : parse_problems) {
    if (p.code == "json_too_large" || p.code == "json_too_deep" || p.code == "json_duplicate_key") {
      out.push_back(p);
    } else {
      out.push_back({"jws_not_json", p.path, "The JWS is not valid JSON: " + p.message});
    }
  }
  return out;
}

// Decodes a base64url member that must be a string; reports under `code_missing`
// when absent or not a string, jws_bad_base64url when it does not decode.
std::optional<std::string> decode_member(const Json& object, const char* name, std::string_view object_path,
                                         const char* code_missing, const std::string& missing_message,
                                         Problems& problems) {
  const auto it = object.find(name);
  if (it == object.end()) {
    problems.push_back({code_missing, std::string(object_path), missing_message});
    return std::nullopt;
  }
  if (!it->is_string()) {
    problems.push_back({code_missing, pointer_append(object_path, name),
                        std::string("The member \"") + name + "\" must be a base64url string."});
    return std::nullopt;
  }
  auto bytes = base64url_decode(it->get_ref<const std::string&>());
  if (!bytes) {
    problems.push_back({"jws_bad_base64url", pointer_append(object_path, name),
                        std::string("The member \"") + name +
                            "\" is not unpadded base64url (RFC 7515 section 2): only A-Z, a-z, 0-9, '-' and '_' "
                            "are allowed, with no '=' padding or whitespace."});
  }
  return bytes;
}

void check_members(const Json& object, std::initializer_list<std::string_view> allowed, std::string_view object_path,
                   Problems& problems) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& name = it.key();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      problems.push_back(
          {"jws_unknown_member", pointer_append(object_path, name),
           "The member \"" + name + "\" is not part of a JWS in JSON serialisation (RFC 7515 section 7.2)."});
    }
  }
}

// One signature object (general) or the JWS itself (flattened), at `base`.
// Appends the signature to `out` only when it has no problem.
void parse_signature(const Json& entry, const std::string& base, const std::string& payload_b64,
                     std::vector<JwsSignature>& out, Problems& problems) {
  const std::size_t problems_before = problems.size();
  const std::string protected_path = pointer_append(base, "protected");

  Json header = Json::object();
  bool header_ok = false;
  if (const auto decoded = decode_member(entry, "protected", base, "jws_protected_missing",
                                         "The signature has no \"protected\" header; Cachet needs alg and jwk "
                                         "integrity-protected (RFC 7515 section 7.2.1).",
                                         problems)) {
    auto parsed = parse_json_strict(*decoded);
    if (!parsed.ok()) {
      problems.push_back({"jws_protected_not_json", protected_path,
                          "The protected header is not valid JSON: " + parsed.problems().front().message});
    } else if (!parsed.value().is_object()) {
      problems.push_back({"jws_protected_not_json", protected_path, "The protected header must be a JSON object."});
    } else {
      header = std::move(parsed).value();
      header_ok = true;
    }
  }

  Json unprotected = Json::object();
  const std::string unprotected_path = pointer_append(base, "header");
  if (const auto it = entry.find("header"); it != entry.end()) {
    if (it->is_object()) {
      unprotected = *it;
    } else {
      problems.push_back({"jws_not_object", unprotected_path, "The unprotected \"header\" must be a JSON object."});
    }
  }

  auto signature = decode_member(entry, "signature", base, "jws_signature_missing",
                                 "The signature object has no \"signature\" member.", problems);

  // RFC 7515 section 7.2.1: the two headers are disjoint. alg and jwk must be
  // integrity-protected, else anyone could swap the key or algorithm.
  for (const auto& [name, value] : unprotected.items()) {
    const std::string path = pointer_append(unprotected_path, name);
    if (name == "alg" || name == "jwk") {
      problems.push_back(
          {"jws_header_in_unprotected", path,
           "The header parameter \"" + name + "\" must be in the protected header, not the unprotected one."});
    } else if (header.contains(name)) {
      problems.push_back({"jws_header_not_disjoint", path,
                          "The header parameter \"" + name +
                              "\" appears in both the protected and the unprotected header (RFC 7515 section 7.2.1)."});
    }
  }

  // RFC 7515 section 4.1.11: a verifier must refuse crit extensions it does not
  // understand; Cachet understands none. crit is refused wherever it appears.
  // RFC 7797: b64:false changes what is signed; Cachet receipts never use it.
  const std::array<std::pair<const Json*, const std::string*>, 2> headers{
      {{&header, &protected_path}, {&unprotected, &unprotected_path}}};
  for (const auto& [h, path] : headers) {
    if (h->contains("crit")) {
      problems.push_back(
          {"jws_crit_unsupported", *path,
           "The header lists critical extensions (\"crit\"); Cachet supports none (RFC 7515 section 4.1.11)."});
    }
    if (const auto b64 = h->find("b64"); b64 != h->end() && !(b64->is_boolean() && b64->get<bool>())) {
      problems.push_back({"jws_unencoded_payload", *path,
                          "The header sets \"b64\" to something other than true; unencoded payloads (RFC 7797) are "
                          "not accepted."});
    }
  }

  std::string alg;
  if (header_ok) {
    const auto alg_it = header.find("alg");
    if (alg_it == header.end() || !alg_it->is_string()) {
      problems.push_back({"jws_alg_missing", protected_path, "The protected header has no \"alg\" string."});
    } else {
      alg = alg_it->get<std::string>();
      if (!is_allowed_alg(alg)) {
        problems.push_back({"jws_alg_not_allowed", protected_path,
                            "The algorithm \"" + alg + "\" is not allowed; Cachet accepts Ed25519, EdDSA and ES256."});
      }
    }
    const auto jwk_it = header.find("jwk");
    if (jwk_it == header.end()) {
      problems.push_back({"jws_jwk_missing", protected_path,
                          "The protected header has no \"jwk\"; Cachet receipts carry their public key there."});
    } else if (is_allowed_alg(alg)) {
      Problems jwk_problems = check_jwk_for_alg(*jwk_it, alg, protected_path);
      problems.insert(problems.end(), jwk_problems.begin(), jwk_problems.end());
    }
  }

  if (problems.size() != problems_before || !signature) return;
  const std::string& protected_b64 = entry.find("protected")->get_ref<const std::string&>();
  std::string signing_input;
  signing_input.reserve(protected_b64.size() + 1 + payload_b64.size());
  signing_input += protected_b64;
  signing_input += '.';
  signing_input += payload_b64;
  Json jwk = header["jwk"];
  out.push_back({std::move(header), std::move(alg), std::move(jwk), std::move(signing_input), std::move(*signature)});
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kBase64UrlAlphabet[(n >> 18) & 63];
    out += kBase64UrlAlphabet[(n >> 12) & 63];
    out += kBase64UrlAlphabet[(n >> 6) & 63];
    out += kBase64UrlAlphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kBase64UrlAlphabet[(n >> 18) & 63];
    out += kBase64UrlAlphabet[(n >> 12) & 63];
    if (rest == 2) out += kBase64UrlAlphabet[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // A lone final character carries only 6 bits: never a whole byte.
  const std::size_t rest = text.size() % 4;
  if (rest == 1) return std::nullopt;
  const std::size_t whole = text.size() - rest;
  std::string out(whole / 4 * 3 + (rest == 0 ? 0 : rest - 1), '\0');
  const auto value = [&](std::size_t i) { return base64url_value(text[i]); };
  std::size_t o = 0;
  for (std::size_t i = 0; i < whole; i += 4) {
    const int a = value(i), b = value(i + 1), c = value(i + 2), d = value(i + 3);
    if ((a | b | c | d) < 0) return std::nullopt;
    const unsigned n = (static_cast<unsigned>(a) << 18) | (static_cast<unsigned>(b) << 12) |
                       (static_cast<unsigned>(c) << 6) | static_cast<unsigned>(d);
    out[o++] = static_cast<char>(n >> 16);
    out[o++] = static_cast<char>((n >> 8) & 0xFF);
    out[o++] = static_cast<char>(n & 0xFF);
  }
  if (rest != 0) {
    const int a = value(whole), b = value(whole + 1), c = rest == 3 ? value(whole + 2) : 0;
    if ((a | b | c) < 0) return std::nullopt;
    const unsigned n =
        (static_cast<unsigned>(a) << 18) | (static_cast<unsigned>(b) << 12) | (static_cast<unsigned>(c) << 6);
    // RFC 4648 section 3.5: the unused low bits of the last character must be
    // zero, so each byte string has exactly one encoding (no malleability).
    if ((n & (rest == 2 ? 0xFFFFu : 0xFFu)) != 0) return std::nullopt;
    out[o++] = static_cast<char>(n >> 16);
    if (rest == 3) out[o++] = static_cast<char>((n >> 8) & 0xFF);
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

bool is_allowed_alg(std::string_view alg) { return shape_for_alg(alg).has_value(); }

Problems check_jwk_for_alg(const Json& jwk, std::string_view alg, std::string_view path) {
  const auto shape = shape_for_alg(alg);
  if (!shape) {
    return {{"jws_alg_not_allowed", std::string(path),
             "The algorithm \"" + std::string(alg) + "\" is not allowed; Cachet accepts Ed25519, EdDSA and ES256."}};
  }
  if (!jwk.is_object()) return {jwk_problem(path, "The JWK must be a JSON object.")};

  Problems problems;
  const auto kty = jwk.find("kty");
  const auto crv = jwk.find("crv");
  if (kty == jwk.end() || !kty->is_string() || crv == jwk.end() || !crv->is_string()) {
    problems.push_back(jwk_problem(path, "The JWK needs \"kty\" and \"crv\" strings."));
  } else if (kty->get_ref<const std::string&>() != shape->kty || crv->get_ref<const std::string&>() != shape->crv) {
    problems.push_back({"jws_jwk_alg_mismatch", std::string(path),
                        "The algorithm \"" + std::string(alg) + "\" needs a " + shape->kty + " key on curve " +
                            shape->crv + ", not " + kty->get<std::string>() + "/" + crv->get<std::string>() + "."});
    return problems;  // the coordinates of another key type say nothing useful
  }
  check_coordinate(jwk, "x", path, problems);
  if (shape->has_y) check_coordinate(jwk, "y", path, problems);
  if (jwk.contains("d")) {
    problems.push_back(jwk_problem(path, "The JWK holds a private key (\"d\"); only the public key may be published."));
  }
  // RFC 7517 section 4.4: a key restricted to one algorithm must not sign with another.
  if (const auto key_alg = jwk.find("alg"); key_alg != jwk.end()) {
    const bool same =
        key_alg->is_string() && (key_alg->get_ref<const std::string&>() == alg ||
                                 (is_ed25519_alg(alg) && is_ed25519_alg(key_alg->get_ref<const std::string&>())));
    if (!same) {
      problems.push_back(
          {"jws_jwk_alg_mismatch", std::string(path),
           "The JWK is restricted by its \"alg\" member to another algorithm than \"" + std::string(alg) + "\"."});
    }
  }
  return problems;
}

Result<Json> public_jwk(const Json& jwk) {
  if (!jwk.is_object()) return jwk_problem("", "The JWK must be a JSON object.");
  const std::string kty = string_member(jwk, "kty");
  const char* alg = kty == "OKP" ? "Ed25519" : kty == "EC" ? "ES256" : nullptr;
  if (alg == nullptr) return jwk_problem("/kty", "The JWK \"kty\" must be \"OKP\" (Ed25519) or \"EC\" (P-256).");

  Json out = Json::object();
  for (const char* name : {"kty", "crv", "x", "y"}) {
    if (const auto it = jwk.find(name); it != jwk.end()) out[name] = *it;
  }
  if (kty == "OKP") out.erase("y");
  Problems problems = check_jwk_for_alg(out, alg, "");
  if (!problems.empty()) return problems;
  return out;
}

Result<std::string> jwk_thumbprint(const Json& jwk, const CryptoProvider& crypto) {
  auto pub = public_jwk(jwk);
  if (!pub.ok()) return pub.problems();
  const Json& key = pub.value();
  // RFC 7638 section 3.3: required members only, lexicographic order, no
  // whitespace. The values are checked base64url, so nothing needs escaping.
  std::string input = "{\"crv\":\"" + string_member(key, "crv") + "\",\"kty\":\"" + string_member(key, "kty") +
                      "\",\"x\":\"" + string_member(key, "x") + "\"";
  if (key.contains("y")) input += ",\"y\":\"" + string_member(key, "y") + "\"";
  input += "}";
  return base64url_encode(crypto.sha256(input));
}

Result<ParsedJws> parse_jws(std::string_view text) {
  auto document = parse_json_strict(text);
  if (!document.ok()) return jws_text_problems(document.problems());
  const Json& jws = document.value();
  if (!jws.is_object()) return Problem{"jws_not_object", "", "The JWS must be a JSON object (RFC 7515 section 7.2)."};

  Problems problems;
  ParsedJws out;
  const bool general = jws.contains("signatures");
  check_members(jws,
                general ? std::initializer_list<std::string_view>{"payload", "signatures"}
                        : std::initializer_list<std::string_view>{"payload", "protected", "header", "signature"},
                "", problems);

  if (auto payload =
          decode_member(jws, "payload", "", "jws_missing_payload", "The JWS has no \"payload\" member.", problems)) {
    out.payload = std::move(*payload);
    out.payload_b64 = jws.find("payload")->get_ref<const std::string&>();
  }

  if (general) {
    const Json& signatures = jws["signatures"];
    if (!signatures.is_array() || signatures.empty()) {
      problems.push_back({"jws_no_signatures", "/signatures", "\"signatures\" must be a non-empty array."});
    } else {
      for (std::size_t i = 0; i < signatures.size(); ++i) {
        const std::string base = pointer_append("/signatures", i);
        if (!signatures[i].is_object()) {
          problems.push_back({"jws_not_object", base, "Each entry of \"signatures\" must be a JSON object."});
          continue;
        }
        check_members(signatures[i], {"protected", "header", "signature"}, base, problems);
        parse_signature(signatures[i], base, out.payload_b64, out.signatures, problems);
      }
    }
  } else if (!jws.contains("protected") && !jws.contains("signature")) {
    problems.push_back({"jws_no_signatures", "", "The JWS has neither \"signatures\" nor a flattened \"signature\"."});
  } else {
    parse_signature(jws, "", out.payload_b64, out.signatures, problems);
  }

  if (!problems.empty()) return problems;
  if (general) {
    out.document = std::move(document).value();
  } else {
    // Flattened: normalise to the general serialisation, the form Cachet stores and countersigns.
    Json signature = {{"protected", jws["protected"]}, {"signature", jws["signature"]}};
    if (jws.contains("header")) signature["header"] = jws["header"];
    out.document = Json{{"payload", jws["payload"]}, {"signatures", Json::array({std::move(signature)})}};
  }
  return out;
}

Json make_protected_header(const Json& public_key, const Json& extra) {
  Json header = extra.is_object() ? extra : Json::object();
  // alg and jwk come from the key itself and cannot be overridden by `extra`.
  const std::string kty = public_key.is_object() ? string_member(public_key, "kty") : std::string();
  header["alg"] = kty == "EC" ? "ES256" : "Ed25519";  // RFC 9864 name; verifiers also accept EdDSA
  auto pub = public_jwk(public_key);
  header["jwk"] = pub.ok() ? pub.value() : Json::object();  // an empty jwk fails parse_jws loudly
  return header;
}

std::string make_signing_input(const Json& protected_header, std::string_view payload_b64) {
  // RFC 7515 section 5.1 step 5.
  std::string input = base64url_encode(dump_compact(protected_header));
  input += '.';
  input += payload_b64;
  return input;
}

Json add_signature(Json jws, std::string_view payload_b64, const Json& protected_header, std::string_view signature) {
  if (!jws.is_object()) jws = Json{{"payload", std::string(payload_b64)}, {"signatures", Json::array()}};
  // A flattened JWS becomes general so it can hold a second signature (RFC 7515 section 7.2.2).
  if (!jws.contains("signatures")) {
    Json first = Json::object();
    for (const char* name : {"protected", "header", "signature"}) {
      if (jws.contains(name)) {
        first[name] = jws[name];
        jws.erase(name);
      }
    }
    jws["signatures"] = Json::array();
    if (!first.empty()) jws["signatures"].push_back(std::move(first));
  }
  if (!jws["signatures"].is_array()) jws["signatures"] = Json::array();
  jws["signatures"].push_back(
      {{"protected", base64url_encode(dump_compact(protected_header))}, {"signature", base64url_encode(signature)}});
  return jws;
}

Result<Json> sign_jws(std::string_view payload, const Json& private_jwk, const CryptoProvider& crypto,
                      const Json& extra_header) {
  auto pub = public_jwk(private_jwk);
  if (!pub.ok()) return pub.problems();
  const Json header = make_protected_header(pub.value(), extra_header);
  const std::string payload_b64 = base64url_encode(payload);
  auto signature = crypto.sign(private_jwk, make_signing_input(header, payload_b64));
  if (!signature.ok()) return signature.problems();
  return add_signature(Json(), payload_b64, header, signature.value());
}

Problems verify_signatures(const ParsedJws& parsed, const CryptoProvider& crypto) {
  if (parsed.signatures.empty()) return {{"jws_no_signatures", "/signatures", "The JWS has no signature to verify."}};
  Problems problems;
  for (std::size_t i = 0; i < parsed.signatures.size(); ++i) {
    const JwsSignature& s = parsed.signatures[i];
    if (!crypto.verify(s.alg, s.jwk, s.signing_input, s.signature)) {
      problems.push_back({"jws_bad_signature", pointer_append("/signatures", i),
                          "Signature " + std::to_string(i) + " (" + s.alg +
                              ") does not verify: the receipt or its header was altered, or it was signed with "
                              "another key."});
    }
  }
  return problems;
}

}  // namespace cachet
