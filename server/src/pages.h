// Server-rendered pages (preference centre, signup result, messages), in
// French or English. No script and no inline style: they run under the
// server's CSP (style-src 'self', script-src 'self'). Every dynamic string is
// HTML-escaped; nothing from a config or a person reaches markup unescaped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cachet/config.h"
#include "cachet/ledger/store.h"
#include "cachet/lifecycle.h"

namespace cachet::server {

using ledger::PersonState;
using ledger::StoredReceipt;

std::string html_escape(const std::string& text);
std::string server_stylesheet();

// What a person's consent covers, partner by partner (issue 11: the
// preference centre shows it): the partners on the list they accepted, and
// the current config's partners their consent does not cover, with the
// channels each would receive (lifecycle.h channels_to_partner and
// uncovered_partners: the core's rules, not re-spelled here).
struct PartnerCoverage {
  std::string id;
  std::string name;                // the id when the current config no longer names it
  std::string privacy_policy_url;  // may be empty
  std::vector<Channel> channels;
};
struct Coverage {
  std::vector<PartnerCoverage> accepted;
  std::vector<PartnerCoverage> not_shown;  // uncovered_partners: asked, with an unchecked box
};
Coverage coverage_of(const ConsentState& state, const Config& config, std::int64_t now_unix);

struct PreferencePage {
  std::string locale;  // one of supported_locales()
  std::string token;
  std::string expires_at;  // RFC 3339
  std::string changed;     // channel just changed, "partners", "none", "accept-missing", or empty
};
std::string render_preferences_page(const PreferencePage& pg, const PersonState& person, const Coverage& coverage,
                                    const Config& config);

struct SignupResult {
  std::string locale;
  std::string receipt_id;
  std::string receipt_text;     // render_receipt_text
  std::string receipt_json;     // the countersigned JWS, pretty-printed
  std::string preference_path;  // empty unless links are shown on screen (demo)
  std::string link_expires_at;
};
std::string render_signup_result(const SignupResult& result, const Config& config);
std::string render_signup_error(const std::string& locale, const std::string& message, const Config& config);

enum class MessageKind { kLinkInvalid, kPersonGone, kChangeFailed };
// A sentence the person reads, in `locale`, for a receipt verification
// problem code (jws_*, receipt_*): what kind of failure it is.
std::string verification_problem_text(std::string_view code, const std::string& locale);

std::string render_message_page(const std::string& locale, MessageKind kind, const Config& config);

// The "send me my preference link" form (docs/rights.md), with a note above
// it: why the person is here (their link expired) or what their request did.
enum class LinkRequestNote { kNone, kLinkInvalid, kSent, kMissing, kLimited };
std::string render_link_request_page(const std::string& locale, LinkRequestNote note, const std::string& expires_at,
                                     const Config& config);

}  // namespace cachet::server
