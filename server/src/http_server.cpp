// `cachet serve` (http.h). Every handler answers JSON errors
// {"error": {"code", "message", "problems"?}} with a 4xx status for bad
// input, never a stack trace; the core never throws and an exception handler
// turns anything unexpected into a bare 500.
#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "cachet/ledger/accept.h"
#include "cachet/ledger/change.h"
#include "cachet/lifecycle.h"
#include "cachet/receipt.h"
#include "cachet/server/http.h"
#include "ingest.h"
#include "pages.h"
#include "tokens.h"
#include "util.h"

namespace cachet::server {

using ledger::Accepted;
using ledger::AppendStatus;
using ledger::ChangeContext;
using ledger::consent_state_of;
using ledger::ConsentStore;
using ledger::record_change;
using ledger::RecordedChange;

namespace {

constexpr const char* kAgent = "cachet-server/0.1.0";
constexpr const char* kCsp =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(dump(body) + "\n", "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, const std::string& code, const std::string& message,
                const Problems& problems = {}) {
  Json error = {{"code", code}, {"message", message}};
  if (!problems.empty()) error["problems"] = problems_to_json(problems);
  send_json(res, status, Json{{"error", error}});
}

// A problem coming out of the ledger or the core, answered with the status
// its kind calls for (problem.h: one classification for every edge).
void send_problems(httplib::Response& res, const Problems& problems) {
  const ProblemKind kind = problem_kind(problems);
  if (kind == ProblemKind::kUnavailable) {
    // Storage failures: say so, without internals.
    send_error(res, http_status_for(kind), "storage_unavailable",
               "The consent ledger is unavailable; try again later.");
    return;
  }
  const std::string code = problems.empty() ? "receipt_invalid" : problems.front().code;
  const std::string message = problems.empty() ? "The receipt was refused." : problems.front().message;
  send_error(res, http_status_for(kind), code, message, problems);
}

class Service {
 public:
  Service(const ServeOptions& options, const Config& config, ConsentStore& store, const CryptoProvider& crypto,
          std::string challenge_secret, std::string link_secret)
      : options_(options),
        config_(config),
        store_(store),
        crypto_(crypto),
        challenge_secret_(std::move(challenge_secret)),
        link_secret_(std::move(link_secret)) {}

  // Where the preference page is served, for receipts that name it: the
  // public URL, else this server's own loopback address.
  void set_page_base(std::string base) { page_base_ = std::move(base); }

  void install(httplib::Server& server) {
    server.set_payload_max_length(options_.max_body);
    // Short keep-alive: a stop (SIGTERM) waits for idle connections to time out.
    server.set_keep_alive_timeout(2);
    server.set_read_timeout(10);
    server.set_default_headers({{"Content-Security-Policy", kCsp},
                                {"X-Content-Type-Options", "nosniff"},
                                {"Referrer-Policy", "no-referrer"},
                                {"X-Frame-Options", "DENY"},
                                {"Cross-Origin-Opener-Policy", "same-origin"}});
    server.set_file_extension_and_mimetype_mapping("wasm", "application/wasm");
    server.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
    server.set_file_extension_and_mimetype_mapping("json", "application/json");
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
      send_error(res, 500, "internal_error", "The server could not handle this request.");
    });
    server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      switch (res.status) {
        case 413:
          send_error(res, 413, "body_too_large", "The request body is too large.");
          break;
        case 404:
          send_error(res, 404, "not_found", "Nothing here.");
          break;
        case 405:
          send_error(res, 405, "method_not_allowed", "This method is not allowed here.");
          break;
        default:
          send_error(res, res.status, "http_error", "The request could not be handled.");
      }
      return httplib::Server::HandlerResponse::Handled;
    }));
    for (const std::string& dir : options_.static_dirs) server.set_mount_point("/", dir);

    server.Get("/api/health", [](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, Json{{"ok", true}});
    });
    server.Get("/api/challenge", [this](const httplib::Request&, httplib::Response& res) { challenge(res); });
    post(server, "/api/receipts", &Service::post_receipt);
    post(server, "/api/verify", &Service::verify);
    server.Get(R"(/api/receipts/([0-9A-Za-z-]{1,64}))",
               [this](const httplib::Request& req, httplib::Response& res) { get_receipt(req, res); });
    server.Get("/api/people", [this](const httplib::Request& req, httplib::Response& res) { people(req, res); });
    post(server, "/api/preference-link", &Service::preference_link);
    server.Get("/api/preferences",
               [this](const httplib::Request& req, httplib::Response& res) { preferences_json(req, res); });
    post(server, "/api/preferences", &Service::change_json);
    server.Get("/preferences",
               [this](const httplib::Request& req, httplib::Response& res) { preferences_page(req, res); });
    post(server, "/preferences", &Service::change_form);
    post(server, "/signup", &Service::signup);
    // Browsers ask for it on every page; static dirs may provide one, else "no icon".
    server.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    server.Get("/cachet-server.css", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "max-age=3600");
      res.set_content(server_stylesheet(), "text/css; charset=utf-8");
    });
  }

 private:
  using Handler = void (Service::*)(const httplib::Request&, httplib::Response&);

  // POST routes read their bodies here rather than in cpp-httplib: 0.11
  // refuses a body announced by a Content-Length over the limit (413) before
  // reading it, but reads a chunked body whole into memory, however large
  // (a 200 MB one raised the server to 270 MB before it was refused). Here a
  // chunked body stops at --max-body too, and is answered 413.
  void post(httplib::Server& server, const char* pattern, Handler handler) {
    server.Post(pattern, [this, handler](const httplib::Request& req, httplib::Response& res,
                                         const httplib::ContentReader& read_body) {
      httplib::Request with_body = req;
      bool too_large = false;
      const bool read = read_body([&](const char* data, std::size_t length) {
        if (length > options_.max_body - with_body.body.size()) {
          too_large = true;
          return false;
        }
        with_body.body.append(data, length);
        return true;
      });
      if (too_large || res.status == 413) {
        res.set_header("Connection", "close");  // the rest of the body is never read
        send_error(res, 413, "body_too_large", "The request body is too large.");
        return;
      }
      if (!read) {
        send_error(res, 400, "body_unreadable", "The request body could not be read.");
        return;
      }
      // What cpp-httplib does for the routes it reads itself.
      if (with_body.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
        httplib::detail::parse_query_text(with_body.body, with_body.params);
      }
      (this->*handler)(with_body, res);
    });
  }
  // --- helpers ---------------------------------------------------------------

  bool is_admin(const httplib::Request& req) const {
    if (options_.admin_token.empty()) return false;
    const std::string header = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) return false;
    return constant_time_equal(header.substr(prefix.size()), options_.admin_token);
  }

  bool require_admin(const httplib::Request& req, httplib::Response& res) const {
    if (is_admin(req)) return true;
    send_error(res, options_.admin_token.empty() ? 403 : 401, "admin_required",
               options_.admin_token.empty()
                   ? "This endpoint is disabled: start the server with --admin-token to use it."
                   : "This endpoint needs the admin token (Authorization: Bearer ...).");
    return false;
  }

  // A JSON body, strictly parsed; answers 400/415 itself when it is not one.
  std::optional<Json> json_body(const httplib::Request& req, httplib::Response& res) const {
    const std::string type = req.get_header_value("Content-Type");
    if (!type.empty() && type.find("application/json") == std::string::npos) {
      send_error(res, 415, "unsupported_media_type", "Send the body as application/json.");
      return std::nullopt;
    }
    Result<Json> parsed = parse_json_strict(req.body, ParseLimits{options_.max_body, 64});
    if (!parsed.ok()) {
      send_error(res, 400, "malformed_json", "The request body is not valid JSON.", parsed.problems());
      return std::nullopt;
    }
    return std::move(parsed).value();
  }

  std::string link_path(const std::string& chain_root, std::int64_t expires) const {
    return "/preferences?token=" + make_preference_token(link_secret_, chain_root, expires);
  }
  Json link_json(const std::string& chain_root) const {
    const std::int64_t expires = now_unix() + options_.link_ttl_seconds;
    const std::string path = link_path(chain_root, expires);
    return Json{{"path", path}, {"url", options_.public_url + path}, {"expiresAt", format_rfc3339(expires)}};
  }

  std::string page_url() const {
    if (options_.public_url.rfind("https://", 0) == 0) return options_.public_url + "/preferences";
    return "";
  }

  std::string locale_of(const httplib::Request& req) const {
    // The core's one rule: the asked locale, else the config's, else English.
    const std::string lang = req.has_param("lang") ? req.get_param_value("lang") : "";
    return std::string(text_locale(lang, config_.locale));
  }

  // --- receipts ----------------------------------------------------------------

  struct Submitted {
    int status = 0;  // 200 (already stored) or 201
    Accepted accepted;
  };

  // The receipt text out of a request: a JSON body that is the JWS itself or
  // {"receipt": JWS | "JWS text"}, or a form field named like the config's
  // receiptInput (cachet_receipt).
  std::optional<std::string> receipt_text(const httplib::Request& req, httplib::Response& res) const {
    const std::string type = req.get_header_value("Content-Type");
    if (type.find("application/x-www-form-urlencoded") == 0) {
      if (!req.has_param(config_.receipt_input)) {
        send_error(res, 400, "receipt_missing", "The form carries no " + config_.receipt_input + " field.");
        return std::nullopt;
      }
      return req.get_param_value(config_.receipt_input);
    }
    std::optional<Json> body = json_body(req, res);
    if (!body) return std::nullopt;
    if (body->is_object() && body->contains("receipt")) {
      const Json& inner = (*body)["receipt"];
      if (inner.is_string()) return inner.get<std::string>();
      if (inner.is_object()) return dump(inner);
      send_error(res, 400, "receipt_missing", "\"receipt\" must be the receipt (a JWS object or its JSON text).");
      return std::nullopt;
    }
    if (body->is_object() && body->contains("payload")) return req.body;
    send_error(res, 400, "receipt_missing", "The body is neither a receipt (JWS JSON) nor {\"receipt\": ...}.");
    return std::nullopt;
  }

  // Verify, check challenge and authority, countersign, append (ingest.cpp).
  // Answers errors itself.
  std::optional<Submitted> submit(const httplib::Request& req, httplib::Response& res, const std::string& text) {
    const IngestSettings settings{options_.controller_key, challenge_secret_, link_secret_, options_.require_challenge};
    IngestOutcome outcome =
        ingest_receipt(store_, crypto_, settings,
                       IngestRequest{text, is_admin(req), req.get_header_value("X-Cachet-Preference-Token")});
    if (outcome.ingested) return Submitted{outcome.ingested->status, std::move(outcome.ingested->accepted)};
    if (outcome.status != 0) {
      send_error(res, outcome.status, outcome.code, outcome.message);
    } else {
      send_problems(res, outcome.problems);
    }
    return std::nullopt;
  }

  Json receipt_response(const Accepted& accepted, bool with_link) const {
    Json out = {{"receiptId", accepted.stored.receipt_id},
                {"status", accepted.status == AppendStatus::kDuplicate ? "already-stored" : "stored"},
                {"chainRoot", accepted.stored.chain_root},
                {"receivedAt", accepted.stored.received_at},
                {"ledger", {{"seq", accepted.stored.seq}, {"entryHash", accepted.stored.entry_hash}}},
                {"receipt", accepted.jws}};
    if (with_link) out["preferences"] = link_json(accepted.stored.chain_root);
    return out;
  }

  void post_receipt(const httplib::Request& req, httplib::Response& res) {
    const std::optional<std::string> text = receipt_text(req, res);
    if (!text) return;
    std::optional<Submitted> submitted = submit(req, res, *text);
    if (!submitted) return;
    send_json(res, submitted->status, receipt_response(submitted->accepted, options_.show_preference_links));
  }

  void verify(const httplib::Request& req, httplib::Response& res) {
    const std::optional<std::string> text = receipt_text(req, res);
    if (!text) return;
    VerifyOptions verify_options;
    if (req.has_param("trusted") && req.get_param_value("trusted") == "1") {
      verify_options.trusted_controller_key = options_.controller_key;
    }
    Result<VerifiedReceipt> verified = verify_receipt(*text, crypto_, verify_options);
    const std::string locale = locale_of(req);
    if (!verified.ok()) {
      send_json(res, 200, Json{{"ok", false}, {"problems", problems_to_json(verified.problems())}});
      return;
    }
    const VerifiedReceipt& v = verified.value();
    Result<Json> pub = public_jwk(options_.controller_key);
    Result<std::string> kid = pub.ok() ? jwk_thumbprint(pub.value(), crypto_) : Result<std::string>(pub.problems());
    send_json(res, 200,
              Json{{"ok", true},
                   {"receiptId", v.receipt_id},
                   {"payloadSha256", v.payload_sha256},
                   {"countersigned", v.countersigned},
                   {"countersignerKid", v.countersigner_kid},
                   {"countersignedByThisServer", kid.ok() && v.countersigned && v.countersigner_kid == kid.value()},
                   {"payload", v.payload},
                   {"text", render_receipt_text(v.payload, locale)}});
  }

  void get_receipt(const httplib::Request& req, httplib::Response& res) {
    if (!require_admin(req, res)) return;
    auto state = store_.state_of(req.matches[1].str());
    if (!state.ok()) {
      if (problem_kind(state.problems()) == ProblemKind::kNotFound) {
        send_error(res, 404, state.problems().front().code, "No stored receipt has this id.");
      } else {
        send_problems(res, state.problems());
      }
      return;
    }
    auto found = store_.find(req.matches[1].str());
    Json out = state_json(state.value(), locale_of(req), true);
    if (found.ok() && found.value()) out["receipt"] = stored_json(*found.value(), "", true);
    send_json(res, 200, out);
  }

  void people(const httplib::Request& req, httplib::Response& res) {
    if (!require_admin(req, res)) return;
    Json list = Json::array();
    const Problems problems = store_.for_each_person([&](const PersonState& person) {
      list.push_back(state_json(person, "", false));
      return list.size() < 10000;
    });
    if (!problems.empty()) {
      send_problems(res, problems);
      return;
    }
    send_json(res, 200, Json{{"people", list}});
  }

  // --- preference centre (R1 "at any time", R10) --------------------------------

  // Besides the challenge, the salt and key for keyed contact digests
  // (receipt version 2, docs/receipt.md): k = HMAC-SHA256(the controller's
  // digest secret, digestSalt). The widget hashes the contacts under k; the
  // receipt carries the salt, from which only the controller re-derives k.
  void challenge(httplib::Response& res) const {
    const std::int64_t expires = now_unix() + options_.challenge_ttl_seconds;
    const std::string nonce = random_bytes(16);
    const std::string salt = random_bytes(16);
    if (nonce.size() != 16 || salt.size() != 16) {
      send_error(res, 500, "internal_error", "No random bytes available.");
      return;
    }
    Result<std::string> secret = contact_digest_secret(options_.controller_key, crypto_);
    const std::string digest_salt = base64url_encode(salt);
    const std::string key = secret.ok() ? contact_digest_key(secret.value(), digest_salt, crypto_) : std::string();
    if (key.size() != 32) {
      send_error(res, 500, "internal_error", "The contact digest key could not be derived.");
      return;
    }
    send_json(res, 200,
              Json{{"challenge", make_challenge(challenge_secret_, expires, nonce)},
                   {"expiresAt", format_rfc3339(expires)},
                   {"digestSalt", digest_salt},
                   {"digestKey", base64url_encode(key)}});
  }

  void preference_link(const httplib::Request& req, httplib::Response& res) {
    if (!options_.show_preference_links && !require_admin(req, res)) return;
    std::optional<Json> body = json_body(req, res);
    if (!body) return;
    const std::string id = string_at(*body, {"receiptId"});
    if (id.empty()) {
      send_error(res, 400, "receipt_id_missing", "Give {\"receiptId\": \"...\"}.");
      return;
    }
    auto state = store_.state_of(id);
    if (!state.ok()) {
      send_error(res, 404, "ledger_unknown_receipt", "No stored receipt has this id.");
      return;
    }
    send_json(res, 200, link_json(state.value().chain_root));
  }

  // The person a token opens, or an error answered (401 for a bad or expired link).
  std::optional<PersonState> person_for(const std::string& token, httplib::Response& res) {
    const auto checked = check_preference_token(link_secret_, token, now_unix());
    if (!checked) {
      send_error(res, 401, "link_invalid", "This preference link is invalid or has expired; ask for a new one.");
      return std::nullopt;
    }
    auto state = store_.state_of(checked->chain_root);
    if (!state.ok()) {
      send_error(res, 404, "ledger_unknown_receipt", "Your receipts are no longer held (retention period over).");
      return std::nullopt;
    }
    return std::move(state).value();
  }

  void preferences_json(const httplib::Request& req, httplib::Response& res) {
    auto person = person_for(req.get_param_value("token"), res);
    if (!person) return;
    send_json(res, 200, state_json(*person, locale_of(req), true));
  }

  // One preference-centre change. What it means (does it fit, is it stale,
  // which notice and partner list the new receipt binds) is the core's
  // (lifecycle.h); recording it is the ledger's (change.h).
  Result<RecordedChange> change(const PersonState& person, const std::string& channel_name, const std::string& action) {
    Change change;
    change.collection_method = "preference-centre";
    change.acted_at = format_rfc3339(now_unix());
    std::optional<Channel> channel;
    if (action == "accept-partners") {
      change.accepts_current_list = true;
    } else {
      channel = channel_from_string(channel_name);
      if (!channel) return Problem{"preference_unknown_channel", "/channel", "This channel is not offered."};
      if (action == "object") {
        change.requested[*channel] = Decision::kObjected;
      } else if (action == "unobject") {
        change.requested[*channel] = Decision::kNotObjected;
      } else if (action == "withdraw") {
        change.requested[*channel] = Decision::kWithdrawn;
      } else {
        return Problem{"preference_bad_action", "/action",
                       "The action is object, unobject, withdraw or accept-partners."};
      }
    }
    ChangeContext context;
    context.issued_at = change.acted_at;
    // Accepting new partners is recorded as a web form: the page showed them,
    // with an unchecked box (R5, R7).
    context.page_url = change.accepts_current_list ? page_base_ + "/preferences" : page_url();
    context.agent = kAgent;
    context.accept.controller_key = options_.controller_key;
    Result<RecordedChange> recorded = record_change(store_, crypto_, config_, person, change, context);
    if (!recorded.ok() || !channel) return recorded;
    switch (recorded.value().superseding.outcomes.at(*channel)) {
      case ChangeOutcome::kNotInformed:
        return Problem{"preference_not_informed", "/channel",
                       "You were never informed about this channel: nothing of it is passed on, and there is "
                       "nothing to change."};
      case ChangeOutcome::kNotOffered:
        return Problem{"preference_bad_action", "/action",
                       "This change is not offered for this channel (object and unobject for postal mail and "
                       "phone, withdraw for a consent)."};
      default:
        return recorded;
    }
  }

  // The stored receipt a change answers with: the new one, or the latest when nothing changed.
  static Accepted answered(const PersonState& person, const RecordedChange& recorded) {
    if (recorded.accepted) return *recorded.accepted;
    return Accepted{AppendStatus::kDuplicate, person.latest, Json::parse(person.latest.jws, nullptr, false)};
  }

  void change_json(const httplib::Request& req, httplib::Response& res) {
    std::optional<Json> body = json_body(req, res);
    if (!body) return;
    std::lock_guard<std::mutex> lock(change_mutex_);  // one change at a time: no racing supersedes
    auto person = person_for(string_at(*body, {"token"}), res);
    if (!person) return;
    Result<RecordedChange> recorded = change(*person, string_at(*body, {"channel"}), string_at(*body, {"action"}));
    if (!recorded.ok()) {
      const std::string code = recorded.problems().front().code;
      if (code.rfind("preference_", 0) == 0) {
        send_error(res, 400, code, recorded.problems().front().message);
      } else {
        send_problems(res, recorded.problems());
      }
      return;
    }
    const bool unchanged = !recorded.value().accepted;
    Json out = receipt_response(answered(*person, recorded.value()), false);
    out["status"] = unchanged ? "unchanged" : "stored";
    auto state = store_.state_of(person->chain_root);
    if (state.ok()) out["state"] = state_json(state.value(), locale_of(req), false);
    send_json(res, unchanged ? 200 : 201, out);
  }

  // The person a preference link names, or an error page already written to `res`
  // (401 for a bad or expired link, 404 when the person's receipts were purged).
  std::optional<std::pair<PreferenceToken, PersonState>> person_from_link(const httplib::Request& req,
                                                                          httplib::Response& res,
                                                                          const std::string& locale) {
    const auto checked = check_preference_token(link_secret_, req.get_param_value("token"), now_unix());
    res.set_header("Cache-Control", "no-store");
    if (!checked) {
      res.status = 401;
      res.set_content(render_message_page(locale, MessageKind::kLinkInvalid, config_), "text/html; charset=utf-8");
      return std::nullopt;
    }
    auto state = store_.state_of(checked->chain_root);
    if (!state.ok()) {
      res.status = 404;
      res.set_content(render_message_page(locale, MessageKind::kPersonGone, config_), "text/html; charset=utf-8");
      return std::nullopt;
    }
    return std::make_pair(*checked, std::move(state).value());
  }

  void preferences_page(const httplib::Request& req, httplib::Response& res) {
    const std::string locale = locale_of(req);
    const std::string token = req.get_param_value("token");
    const auto person = person_from_link(req, res, locale);
    if (!person) return;
    const auto& [link, state] = *person;
    PreferencePage page;
    page.locale = locale;
    page.token = token;
    page.expires_at = format_rfc3339(link.expires_at);
    page.changed = req.get_param_value("changed");
    Result<ConsentState> consent = consent_state_of(state);
    if (!consent.ok()) {
      res.status = 500;
      res.set_content(render_message_page(locale, MessageKind::kChangeFailed, config_), "text/html; charset=utf-8");
      return;
    }
    res.set_content(render_preferences_page(page, state, coverage_of(consent.value(), config_, now_unix()), config_),
                    "text/html; charset=utf-8");
  }

  void change_form(const httplib::Request& req, httplib::Response& res) {
    const std::string locale = locale_of(req);
    const std::string token = req.get_param_value("token");
    std::lock_guard<std::mutex> lock(change_mutex_);
    const auto person = person_from_link(req, res, locale);
    if (!person) return;
    const PersonState& state = person->second;
    const std::string channel = req.get_param_value("channel");
    const std::string action = req.get_param_value("action");
    const std::string back = "/preferences?token=" + token + "&lang=" + locale + "&changed=";
    // New partners are accepted only with the box ticked (R5): unticked, nothing widens.
    if (action == "accept-partners" && req.get_param_value("accept") != "yes") {
      res.set_redirect(back + "accept-missing", 303);
      return;
    }
    Result<RecordedChange> recorded = change(state, channel, action);
    if (!recorded.ok()) {
      const ProblemKind kind = problem_kind(recorded.problems());
      res.status = kind == ProblemKind::kUnavailable ? http_status_for(kind) : 400;
      res.set_content(render_message_page(locale, MessageKind::kChangeFailed, config_), "text/html; charset=utf-8");
      return;
    }
    // Post/redirect/get: reloading the page does not repeat the change.
    const bool unchanged = !recorded.value().accepted;
    res.set_redirect(back + (unchanged                     ? std::string("none")
                             : action == "accept-partners" ? "partners"
                                                           : channel),
                     303);
  }

  // The demo's signup form posts here (no script needed): store the receipt,
  // show it and the preference link. The form's other fields are ignored: the
  // ledger keeps receipts, never contact values.
  void signup(const httplib::Request& req, httplib::Response& res) {
    const std::string locale = locale_of(req);
    res.set_header("Cache-Control", "no-store");
    httplib::Response inner;
    std::optional<std::string> text = receipt_text(req, inner);
    std::optional<Submitted> submitted;
    if (text) submitted = submit(req, inner, *text);
    if (!submitted) {
      res.status = inner.status >= 400 ? inner.status : 400;
      const Json error = Json::parse(inner.body, nullptr, false);
      std::string message;
      if (!error.is_discarded() && error.contains("error")) message = string_at(error["error"], {"message"});
      res.set_content(render_signup_error(locale, message, config_), "text/html; charset=utf-8");
      return;
    }
    const Accepted& a = submitted->accepted;
    SignupResult result;
    result.locale = locale;
    result.receipt_text = render_receipt_text(a.stored.payload, locale);
    result.receipt_json = a.jws.dump(2, ' ', false, Json::error_handler_t::replace);
    result.receipt_id = a.stored.receipt_id;
    if (options_.show_preference_links) {
      const Json link = link_json(a.stored.chain_root);
      result.preference_path = string_at(link, {"path"}) + "&lang=" + locale;
      result.link_expires_at = string_at(link, {"expiresAt"});
    }
    res.status = submitted->status;
    res.set_content(render_signup_result(result, config_), "text/html; charset=utf-8");
  }

  // --- JSON views ---------------------------------------------------------------

  Json stored_json(const StoredReceipt& r, const std::string& locale, bool with_jws) const {
    Json out = {{"receiptId", r.receipt_id},
                {"issuedAt", r.issued_at},
                {"receivedAt", r.received_at},
                {"collectionMethod", r.collection_method},
                {"supersedes", r.supersedes},
                {"supersededBy", r.superseded_by},
                {"payloadSha256", r.payload_sha256},
                {"countersignerKid", r.countersigner_kid},
                {"seq", r.seq},
                {"entryHash", r.entry_hash},
                {"channels", r.payload.is_object() && r.payload.contains("channels") ? r.payload["channels"] : Json()}};
    if (!locale.empty()) out["text"] = render_receipt_text(r.payload, locale);
    if (with_jws) out["receipt"] = Json::parse(r.jws, nullptr, false);
    return out;
  }

  static Json coverage_json(const std::vector<PartnerCoverage>& partners) {
    Json out = Json::array();
    for (const PartnerCoverage& p : partners) {
      Json channels = Json::array();
      for (const Channel c : p.channels) channels.push_back(to_string(c));
      out.push_back(
          {{"id", p.id}, {"name", p.name}, {"privacyPolicyUrl", p.privacy_policy_url}, {"channels", channels}});
    }
    return out;
  }

  Json state_json(const PersonState& person, const std::string& locale, bool with_history) const {
    Json out = {{"chainRoot", person.chain_root},
                {"latestReceiptId", person.latest.receipt_id},
                {"retentionUntil", person.retention_until},
                {"channels", person.latest.payload.is_object() && person.latest.payload.contains("channels")
                                 ? person.latest.payload["channels"]
                                 : Json::object()}};
    // What the person's consent covers, and who they were never shown (issue 11).
    if (Result<ConsentState> consent = consent_state_of(person); consent.ok()) {
      const Coverage coverage = coverage_of(consent.value(), config_, now_unix());
      out["partners"] = coverage_json(coverage.accepted);
      out["newPartners"] = coverage_json(coverage.not_shown);
    }
    if (with_history) {
      Json history = Json::array();
      for (const StoredReceipt& r : person.history) history.push_back(stored_json(r, locale, false));
      out["history"] = history;
    }
    return out;
  }

  const ServeOptions& options_;
  const Config& config_;
  ConsentStore& store_;
  const CryptoProvider& crypto_;
  const std::string challenge_secret_;
  const std::string link_secret_;
  std::mutex change_mutex_;
  std::string page_base_;
};

}  // namespace

int serve(const ServeOptions& options, const Config& config, ConsentStore& store, const CryptoProvider& crypto,
          std::ostream& out, std::ostream& log) {
  auto challenge_secret = store.secret("challenge");
  auto link_secret = store.secret("preference-links");
  if (!challenge_secret.ok() || !link_secret.ok()) {
    log << "error: cannot read the server secrets from the ledger.\n";
    return 2;
  }
  Service service(options, config, store, crypto, challenge_secret.value(), link_secret.value());
  httplib::Server server;
  service.install(server);
  server.set_logger([&log](const httplib::Request& req, const httplib::Response& res) {
    // Never the query string: preference tokens travel there.
    static std::mutex log_mutex;
    std::lock_guard<std::mutex> lock(log_mutex);
    log << req.method << " " << req.path << " " << res.status << "\n";
  });

  // SIGINT/SIGTERM stop the server from a dedicated thread (sigwait), so no
  // handler touches server state asynchronously. Worker threads inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
    if (port <= 0) {
      log << "error: cannot listen on " << options.host << " (any port).\n";
      return 2;
    }
  } else if (!server.bind_to_port(options.host, port)) {
    log << "error: cannot listen on " << options.host << ":" << port << " (in use, or not allowed).\n";
    return 2;
  }
  const std::string shown_host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  out << "Listening on http://" << shown_host << ":" << port << std::endl;
  service.set_page_base(!options.public_url.empty() ? options.public_url
                                                    : "http://" + shown_host + ":" + std::to_string(port));

  std::atomic<bool> signalled{false};
  std::thread stopper([&server, &signalled, stop_signals] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    signalled = true;
    server.stop();
  });
  server.listen_after_bind();
  // listen returned on its own (error): wake the stopper so it can be joined.
  // The stopper waits in sigwait() for SIGTERM: the signal wakes it, it does not end it.
  if (!signalled) pthread_kill(stopper.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
  stopper.join();
  return 0;
}

}  // namespace cachet::server
