// Signed chain heads (head.h; docs/server.md, "Signed chain heads").
#include "cachet/ledger/head.h"

#include <utility>

#include "cachet/calendar.h"
#include "cachet/canonical_json.h"
#include "cachet/jws.h"

namespace cachet::ledger {
namespace {

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Problem malformed(const std::string& path, const std::string& message) {
  return Problem{"head_malformed", path, "The signed chain head is malformed: " + message};
}

}  // namespace

Result<ChainHead> sign_head(std::int64_t seq, std::string_view hash, const Json& private_jwk,
                            const CryptoProvider& crypto, std::string_view signed_at) {
  Result<Json> pub = public_jwk(private_jwk);
  if (!pub.ok()) return pub.problems();
  Result<std::string> kid = jwk_thumbprint(pub.value(), crypto);
  if (!kid.ok()) return kid.problems();
  ChainHead head;
  head.seq = seq;
  head.hash = std::string(hash);
  head.signed_at = signed_at.empty() ? calendar::format_rfc3339(calendar::now_unix()) : std::string(signed_at);
  head.kid = kid.value();
  const Json payload = {{"version", kHeadVersion}, {"seq", seq}, {"hash", head.hash}, {"signedAt", head.signed_at}};
  Result<std::string> bytes = canonicalize(payload);
  if (!bytes.ok()) return bytes.problems();
  Result<Json> jws = sign_jws(bytes.value(), private_jwk, crypto, Json{{"typ", kHeadType}, {"kid", head.kid}});
  if (!jws.ok()) return jws.problems();
  head.jws = std::move(jws).value();
  return head;
}

Result<ChainHead> verify_head(std::string_view jws_text, const CryptoProvider& crypto,
                              const std::optional<Json>& trusted_key) {
  Result<ParsedJws> parsed = parse_jws(jws_text);
  if (!parsed.ok()) {
    Problems problems = parsed.problems();
    problems.insert(problems.begin(), malformed("", "it is not a JWS in the JSON serialisation."));
    return problems;
  }
  const ParsedJws& jws = parsed.value();
  if (jws.signatures.size() != 1) return malformed("/signatures", "it must carry exactly one signature.");
  const JwsSignature& sig = jws.signatures.front();
  if (!sig.protected_header.is_object() || sig.protected_header.value("typ", Json()) != Json(kHeadType)) {
    return malformed("/signatures/0/protected", std::string("its typ is not ") + kHeadType + ".");
  }
  Result<std::string> kid = jwk_thumbprint(sig.jwk, crypto);
  if (!kid.ok() || sig.protected_header.value("kid", Json()) != Json(kid.value())) {
    return malformed("/signatures/0/protected", "its kid is not the RFC 7638 thumbprint of its jwk.");
  }
  Problems bad = verify_signatures(jws, crypto);
  if (!bad.empty()) {
    return Problem{"head_bad_signature", "/signatures/0",
                   "The signature of the chain head does not verify: the head was altered."};
  }
  if (trusted_key) {
    Result<Json> pub = public_jwk(*trusted_key);
    Result<std::string> trusted_kid =
        pub.ok() ? jwk_thumbprint(pub.value(), crypto) : Result<std::string>(pub.problems());
    if (!trusted_kid.ok() || trusted_kid.value() != kid.value()) {
      return Problem{"head_untrusted_key", "/signatures/0/protected",
                     "The chain head was signed by key " + kid.value() + ", not by the controller key given."};
    }
  }
  Result<Json> payload = parse_json_strict(jws.payload);
  if (!payload.ok() || !payload.value().is_object() || !is_canonical(payload.value(), jws.payload)) {
    return malformed("/payload", "its payload is not canonical JSON (RFC 8785).");
  }
  const Json& p = payload.value();
  if (p.size() != 4 || p.value("version", Json()) != Json(kHeadVersion) || !p.contains("seq") || !p.contains("hash") ||
      !p.contains("signedAt")) {
    return malformed("/payload", std::string("its payload is not a ") + kHeadVersion + " object.");
  }
  ChainHead head;
  if (!p["seq"].is_number_integer() || p["seq"].get<std::int64_t>() < 1) {
    return malformed("/payload/seq", "seq must be a positive integer.");
  }
  head.seq = p["seq"].get<std::int64_t>();
  if (!p["hash"].is_string() || !is_hex64(p["hash"].get<std::string>())) {
    return malformed("/payload/hash", "hash must be 64 lower-case hex digits.");
  }
  head.hash = p["hash"].get<std::string>();
  if (!p["signedAt"].is_string() || !calendar::parse_rfc3339(p["signedAt"].get<std::string>())) {
    return malformed("/payload/signedAt", "signedAt must be an RFC 3339 time.");
  }
  head.signed_at = p["signedAt"].get<std::string>();
  head.kid = kid.value();
  head.jws = jws.document;
  return head;
}

Result<ChainHead> sign_and_store_head(ConsentStore& store, const Json& private_jwk, const CryptoProvider& crypto) {
  Result<LogTip> tip = store.tip();
  if (!tip.ok()) return tip.problems();
  if (tip.value().seq == 0) {
    return Problem{"ledger_empty", "", "The ledger's log has no entry yet: there is no head to sign."};
  }
  Result<ChainHead> head = sign_head(tip.value().seq, tip.value().hash, private_jwk, crypto);
  if (!head.ok()) return head;
  const ChainHead& h = head.value();
  Problems stored =
      store.store_head(h.seq, h.hash, h.signed_at, h.kid, h.jws.dump(-1, ' ', false, Json::error_handler_t::replace));
  if (!stored.empty()) return stored;
  return head;
}

Problems check_against_head(ConsentStore& store, const ChainHead& head, std::string_view origin, ChainReport& report) {
  Result<std::optional<std::string>> at = store.entry_hash(head.seq);
  if (!at.ok()) return at.problems();
  const std::string where = "the " + std::string(origin) + " (signed " + head.signed_at + ")";
  if (!at.value()) {
    Result<LogTip> tip = store.tip();
    if (!tip.ok()) return tip.problems();
    if (tip.value().seq >= head.seq) {  // a hole where the head's entry was (also a ledger_gap)
      report.problems.push_back(ChainProblem{head.seq, "", "ledger_head_mismatch",
                                             "Log entry " + std::to_string(head.seq) + ", which " + where +
                                                 " covers, is missing: the log was rewritten."});
      return {};
    }
    report.problems.push_back(ChainProblem{head.seq, "", "ledger_truncated",
                                           "The log ends at entry " + std::to_string(tip.value().seq) + ", but " +
                                               where + " covers " + std::to_string(head.seq) +
                                               " entries: entries after " + std::to_string(tip.value().seq) +
                                               " were cut off (or the log was rolled back)."});
  } else if (*at.value() != head.hash) {
    report.problems.push_back(ChainProblem{head.seq, "", "ledger_head_mismatch",
                                           "Log entry " + std::to_string(head.seq) + " no longer hashes to what " +
                                               where + " states: the log up to it was rewritten."});
  }
  return {};
}

}  // namespace cachet::ledger
