// `cachet serve` (http.h). Every handler answers JSON errors
// {"error": {"code", "message", "problems"?}} with a 4xx status for bad
// input, never a stack trace; the core never throws and an exception handler
// turns anything unexpected into a bare 500.
#include <httplib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "cachet/calendar.h"
#include "cachet/ledger/accept.h"
#include "cachet/ledger/change.h"
#include "cachet/ledger/head.h"
#include "cachet/ledger/rights.h"
#include "cachet/lifecycle.h"
#include "cachet/messages.h"
#include "cachet/partner_page.h"
#include "cachet/publication.h"
#include "cachet/receipt.h"
#include "cachet/server/http.h"
#include "connection_limits.h"
#include "ingest.h"
#include "link_mailer.h"
#include "media_type.h"
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
        link_secret_(std::move(link_secret)),
        address_requests_(options.link_requests_per_address, 3600),
        ip_requests_(options.link_requests_per_ip, 3600) {}
  ~Service() { link_jobs_.stop(); }  // the queued requests are sent before the store goes
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Where delivery failures of preference links are reported.
  void set_log(std::ostream& log) { log_ = &log; }

  // Where the preference page is served, for receipts that name it: the
  // public URL, else this server's own loopback address.
  void set_page_base(std::string base) { page_base_ = std::move(base); }
  // The published config versions receipts may match (set before serving).
  void set_accepted_versions(std::vector<PublishedVersion> versions) { accepted_versions_ = std::move(versions); }
  // When the current partner list was first published (publication.h
  // partner_list_since): the partner page's date.
  void set_partner_list_since(std::string since) { partner_list_since_ = std::move(since); }

  void install(GuardedServer& server) {
    // httplib refuses a body announced over this before reading it; the POST
    // routes apply --max-body themselves (post()), and --max-upload to the
    // files of multipart forms, which are dropped as they are read.
    server.set_payload_max_length(std::max(options_.max_body, options_.max_upload));
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
          if (GuardedServer::request_timed_out()) {
            // The headers did not arrive within --header-timeout (connection_limits.h).
            send_error(res, 408, "request_timeout", "The request took too long to arrive.");
            break;
          }
          send_error(res, res.status, "http_error", "The request could not be handled.");
      }
      return httplib::Server::HandlerResponse::Handled;
    }));
    for (const std::string& dir : options_.static_dirs) server.set_mount_point("/", dir);

    server.set_request_check(
        [this](const httplib::Request& req, httplib::Response& res) { return check_request(req, res); });

    get(server, "/api/health", [](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, Json{{"ok", true}});
    });
    get(server, "/api/challenge", [this](const httplib::Request&, httplib::Response& res) { challenge(res); });
    // Receipts come as JSON from scripts and the widget, or as the form field
    // of a page without script.
    post(server, "/api/receipts", &Service::post_receipt, kBodyJson | kBodyForm);
    post(server, "/api/verify", &Service::verify, kBodyJson | kBodyForm);
    get(server, R"(/api/receipts/([0-9A-Za-z-]{1,64}))",
        [this](const httplib::Request& req, httplib::Response& res) { get_receipt(req, res); });
    get(server, "/api/people", [this](const httplib::Request& req, httplib::Response& res) { people(req, res); });
    post(server, "/api/preference-link", &Service::preference_link, kBodyJson);
    // The person's own request for a link (a page's form, or JSON): docs/rights.md.
    post(server, "/api/preference-link/request", &Service::link_request, kBodyJson | kBodyForm);
    post(server, "/api/erasure", &Service::erasure, kBodyJson);
    get(server, "/api/preferences",
        [this](const httplib::Request& req, httplib::Response& res) { preferences_json(req, res); });
    post(server, "/api/preferences", &Service::change_json, kBodyJson);
    get(server, "/preferences",
        [this](const httplib::Request& req, httplib::Response& res) { preferences_page(req, res); });
    // HTML forms: a host's signup form may carry a file input (multipart); its
    // files are dropped, its text fields read like a urlencoded form's.
    post(server, "/preferences", &Service::change_form, kBodyForm | kBodyMultipart);
    post(server, "/signup", &Service::signup, kBodyForm | kBodyMultipart | kBodyJson);
    // Browsers ask for it on every page; static dirs may provide one, else "no icon".
    // The partner page (R3, R7), generated from the config being served:
    // /partenaires in French, /partners in English, ?lang= to choose (and
    // the other languages: /partners?lang=de).
    get(server, "/partenaires",
        [this](const httplib::Request& req, httplib::Response& res) { partner_page(req, res, "fr"); });
    get(server, "/partners",
        [this](const httplib::Request& req, httplib::Response& res) { partner_page(req, res, "en"); });
    get(server, "/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    get(server, "/cachet-server.css", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "max-age=3600");
      res.set_content(server_stylesheet(), "text/css; charset=utf-8");
    });
  }

 private:
  using Handler = void (Service::*)(const httplib::Request&, httplib::Response&);

  // Known paths and the methods they answer, for 405 and OPTIONS.
  struct Route {
    std::string source;
    std::regex pattern;
    std::set<std::string> methods;
  };

  void allow(const char* pattern, const char* method) {
    for (Route& route : routes_) {
      if (route.source == pattern) {
        route.methods.insert(method);
        return;
      }
    }
    routes_.push_back(Route{pattern, std::regex(pattern), {method}});
  }

  void get(GuardedServer& server, const char* pattern, httplib::Server::Handler handler) {
    allow(pattern, "GET");
    server.Get(pattern, std::move(handler));
  }

  // Once the headers are read, before any body. A known path asked with a
  // method it does not serve: 405 with Allow (RFC 9110 15.5.6), or 204 with
  // Allow for OPTIONS. HEAD goes wherever GET does (httplib answers it from
  // the GET handler). Unknown paths fall through to the static directories
  // and 404.
  httplib::Server::HandlerResponse check_request(const httplib::Request& req, httplib::Response& res) const {
    std::set<std::string> methods;
    for (const Route& route : routes_) {
      if (std::regex_match(req.path, route.pattern)) methods.insert(route.methods.begin(), route.methods.end());
    }
    // Only post() reads bodies within --max-body; httplib would read any
    // other into memory (chunked ones whole, and up to --max-upload with a
    // length), only to drop it.
    const bool posts_here = req.method == "POST" && methods.count("POST") != 0;
    if (!posts_here && (req.has_header("Transfer-Encoding") || announced_length(req) > options_.max_body)) {
      close_unread(res);
      send_error(res, 413, "body_too_large", "Only the POST endpoints take a body, of at most --max-body bytes.");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (methods.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (methods.count("GET") != 0) methods.insert("HEAD");
    if (methods.count(req.method) != 0) return httplib::Server::HandlerResponse::Unhandled;
    std::string allowed;
    for (const std::string& method : methods) allowed += (allowed.empty() ? "" : ", ") + method;
    res.set_header("Allow", allowed);
    // The body (if any) is not read: the connection cannot carry another request.
    if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) close_unread(res);
    if (req.method == "OPTIONS") {
      res.status = 204;
    } else {
      send_error(res, 405, "method_not_allowed", req.method + " is not allowed here; use " + allowed + ".");
    }
    return httplib::Server::HandlerResponse::Handled;
  }

  // Content-Length as a number (0 when absent; the largest size_t when it is
  // not a plain number, which httplib refuses anyway).
  static std::size_t announced_length(const httplib::Request& req) {
    if (!req.has_header("Content-Length")) return 0;
    const std::string text = req.get_header_value("Content-Length");
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::numeric_limits<std::size_t>::max();
    return value;
  }

  static void close_unread(httplib::Response& res) {
    res.set_header("Connection", "close");
    GuardedServer::close_after_response();
  }

  // POST routes read their bodies here rather than in cpp-httplib: 0.11
  // refuses a body announced by a Content-Length over the limit (413) before
  // reading it, but reads a chunked body whole into memory, however large
  // (a 200 MB one raised the server to 270 MB before it was refused). Here a
  // chunked body stops at --max-body too, and is answered 413. The media type
  // is checked first (media_type.h): 415 naming the accepted ones, unread.
  void post(GuardedServer& server, const char* pattern, Handler handler, unsigned accepted) {
    allow(pattern, "POST");
    server.Post(pattern, [this, handler, accepted](const httplib::Request& req, httplib::Response& res,
                                                   const httplib::ContentReader& read_body) {
      const unsigned kind = body_kind(req.get_header_value("Content-Type"));
      // httplib's own test (a prefix, case-sensitive) decides which reader it
      // can run: reading a multipart body with the plain reader throws.
      if ((kind & accepted) == 0 || (kind == kBodyMultipart) != req.is_multipart_form_data()) {
        close_unread(res);
        send_error(res, 415, "unsupported_media_type",
                   "Send the body as " + describe_body_kinds(accepted) + " (Content-Type).");
        return;
      }
      httplib::Request with_body = req;
      // A body announced over --max-body is refused before it is read
      // (multipart ones may carry files up to --max-upload).
      bool too_large = kind != kBodyMultipart && announced_length(req) > options_.max_body;
      bool read = false;
      if (!too_large && kind == kBodyMultipart) {
        read = read_multipart(read_body, with_body, too_large);
      } else if (!too_large) {
        read = read_body([&](const char* data, std::size_t size) {
          if (size > options_.max_body - with_body.body.size()) {
            too_large = true;
            return false;
          }
          with_body.body.append(data, size);
          return true;
        });
      }
      if (too_large || res.status == 413) {
        close_unread(res);  // the rest of the body is never read
        send_error(res, 413, "body_too_large", "The request body is too large.");
        return;
      }
      if (!read) {
        close_unread(res);
        if (GuardedServer::request_timed_out()) {
          send_error(res, 408, "request_timeout", "The request body took too long to arrive.");
        } else {
          send_error(res, 400, "body_unreadable", "The request body could not be read.");
        }
        return;
      }
      // What cpp-httplib does for the routes it reads itself.
      if (kind == kBodyForm) httplib::detail::parse_query_text(with_body.body, with_body.params);
      (this->*handler)(with_body, res);
    });
  }

  // A multipart form: text fields become params (as a urlencoded form's,
  // within --max-body); files are read and dropped (within --max-upload):
  // the ledger keeps receipts, never what a form uploads.
  bool read_multipart(const httplib::ContentReader& read_body, httplib::Request& req, bool& too_large) const {
    bool is_file = false;
    std::size_t text_bytes = 0;
    std::size_t file_bytes = 0;
    std::vector<std::pair<std::string, std::string>> fields;
    const bool read = read_body(
        [&](const httplib::MultipartFormData& part) {
          is_file = !part.filename.empty();
          if (!is_file) fields.emplace_back(part.name, "");
          return true;
        },
        [&](const char* data, std::size_t size) {
          std::size_t& used = is_file ? file_bytes : text_bytes;
          const std::size_t limit = is_file ? options_.max_upload : options_.max_body;
          if (size > limit - used) {
            too_large = true;
            return false;
          }
          used += size;
          if (!is_file) fields.back().second.append(data, size);
          return true;
        });
    for (auto& field : fields) req.params.emplace(std::move(field.first), std::move(field.second));
    return read;
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
    if (body_kind(req.get_header_value("Content-Type")) != kBodyJson) {
      send_error(res, 415, "unsupported_media_type", "Send the body as application/json (Content-Type).");
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

  void partner_page(const httplib::Request& req, httplib::Response& res, const char* path_locale) const {
    const std::string locale = req.has_param("lang") ? locale_of(req) : std::string(path_locale);
    PartnerPageOptions page;
    page.updated_at = partner_list_since_;
    page.stylesheet_href = "/cachet-server.css";
    for (const std::string& other : supported_locales()) {
      if (other == locale) continue;
      page.alternates.emplace_back(other, other == "fr"   ? "/partenaires"
                                          : other == "en" ? "/partners"
                                                          : "/partners?lang=" + other);
    }
    Result<std::string> html = render_partner_page(config_, locale, page);
    if (!html.ok()) {
      send_error(res, 500, html.problems().front().code, html.problems().front().message);
      return;
    }
    res.set_content(html.value(), "text/html; charset=utf-8");
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
    const unsigned kind = body_kind(req.get_header_value("Content-Type"));
    if (kind == kBodyForm || kind == kBodyMultipart) {
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
    IngestSettings settings{options_.controller_key, challenge_secret_, link_secret_};
    settings.require_challenge = options_.require_challenge;
    settings.admin_configured = !options_.admin_token.empty();
    settings.accepted_versions = &accepted_versions_;
    settings.issued_at_skew_seconds = options_.issued_at_skew_seconds;
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
      // Each problem keeps its stable code and technical message, and gets a
      // sentence the person reads in the page's language.
      Json problems = problems_to_json(verified.problems());
      for (Json& problem : problems) {
        problem["explanation"] = verification_problem_text(problem.value("code", ""), locale);
      }
      send_json(res, 200, Json{{"ok", false}, {"problems", std::move(problems)}});
      return;
    }
    const VerifiedReceipt& v = verified.value();
    Result<Json> pub = public_jwk(options_.controller_key);
    Result<std::string> kid = pub.ok() ? jwk_thumbprint(pub.value(), crypto_) : Result<std::string>(pub.problems());
    Json out{{"ok", true},
             {"receiptId", v.receipt_id},
             {"payloadSha256", v.payload_sha256},
             {"countersigned", v.countersigned},
             {"countersignerKid", v.countersigner_kid},
             {"countersignedByThisServer", kid.ok() && v.countersigned && v.countersigner_kid == kid.value()},
             {"payload", v.payload},
             {"text", render_receipt_text(v.payload, locale)}};
    if (!standing(v, locale, out, res)) return;
    send_json(res, 200, out);
  }

  // Whether a verified receipt is the one in force: a valid signature says the
  // receipt was not altered, not that its choices still hold. Only for the
  // exact stored receipt (same payload), so a receipt id alone reveals nothing.
  // Fills "standing" (current, superseded, not-in-ledger, different) and
  // "standingText"; answers the error itself when the ledger fails.
  bool standing(const VerifiedReceipt& v, const std::string& locale, Json& out, httplib::Response& res) {
    auto found = store_.find(v.receipt_id);
    if (!found.ok()) {
      send_problems(res, found.problems());
      return false;
    }
    const TextArgs org{{"controller", config_.controller.name}};
    if (!found.value()) {
      out["standing"] = Json{{"status", "not-in-ledger"}};
      out["standingText"] = text("page.verify.not_in_ledger", locale, org);
      return true;
    }
    const StoredReceipt& stored = *found.value();
    if (stored.payload_sha256 != v.payload_sha256) {
      out["standing"] = Json{{"status", "different"}};
      out["standingText"] = text("page.verify.different", locale, org);
      return true;
    }
    if (stored.superseded_by.empty()) {
      out["standing"] = Json{{"status", "current"}};
      out["standingText"] = text("page.verify.current", locale);
      return true;
    }
    auto successor = store_.find(stored.superseded_by);
    if (!successor.ok()) {
      send_problems(res, successor.problems());
      return false;
    }
    const std::string replaced_at = successor.value() ? successor.value()->received_at : std::string();
    out["standing"] = Json{{"status", "superseded"}, {"supersededBy", stored.superseded_by}, {"at", replaced_at}};
    out["standingText"] = text("page.verify.superseded", locale,
                               {{"date", readable_time(replaced_at, locale)}, {"receiptId", stored.superseded_by}});
    return true;
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
      if (problem_kind(state.problems()) == ProblemKind::kNotFound) {
        send_error(res, 404, "ledger_unknown_receipt", "No stored receipt has this id.");
      } else {
        send_problems(res, state.problems());
      }
      return;
    }
    send_json(res, 200, link_json(state.value().chain_root));
  }

  // --- the person's rights (docs/rights.md) ------------------------------------

  bool delivers_links() const { return !options_.mail_command.empty() || !options_.mail_webhook.empty(); }

  // "Send me my preference link": the same answer whether or not the person
  // is known (the lookup and the sending happen on the link worker, after the
  // answer), 429 beyond the per-address or per-IP rate, 400 for no valid
  // contact, 503 when the server sends no links. A form gets a page.
  void link_request(const httplib::Request& req, httplib::Response& res) {
    const bool form = body_kind(req.get_header_value("Content-Type")) == kBodyForm;
    std::string email;
    std::string phone;
    std::string lang;
    if (form) {
      email = req.get_param_value("email");
      phone = req.get_param_value("phone");
      lang = req.get_param_value("lang");
    } else {
      std::optional<Json> body = json_body(req, res);
      if (!body) return;
      email = string_at(*body, {"email"});
      phone = string_at(*body, {"phone"});
      lang = string_at(*body, {"lang"});
    }
    const std::string locale(text_locale(lang, config_.locale));
    auto answer = [&](int status, LinkRequestNote note, const std::string& code, const std::string& message,
                      const std::string& expires_at) {
      if (form) {
        res.status = status;
        res.set_header("Cache-Control", "no-store");
        res.set_content(render_link_request_page(locale, note, expires_at, config_), "text/html; charset=utf-8");
      } else if (status >= 400) {
        send_error(res, status, code, message);
      } else {
        send_json(res, status, Json{{"status", "accepted"}, {"message", message}, {"expiresAt", expires_at}});
      }
    };
    if (!delivers_links()) {
      send_error(res, 503, "link_delivery_unavailable",
                 "This server sends no preference links: start it with --mail-command or --mail-webhook.");
      return;
    }
    const bool by_email = !email.empty();
    const std::string channel = by_email ? "email" : "phone";
    const std::string value = by_email ? email : phone;
    const std::optional<std::string> normalized = normalize_contact(channel, value);
    if ((by_email && !phone.empty()) || !normalized) {
      answer(400, LinkRequestNote::kMissing, "link_request_bad_contact", text("link_request.missing", locale), "");
      return;
    }
    const std::int64_t now = now_unix();
    if (!ip_requests_.allow(req.remote_addr, now) || !address_requests_.allow(channel + ":" + *normalized, now)) {
      res.set_header("Retry-After", "3600");
      answer(429, LinkRequestNote::kLimited, "rate_limited", text("link_request.limited", locale), "");
      return;
    }
    const std::string expires_at = format_rfc3339(now + options_.link_ttl_seconds);
    const bool locale_given = !lang.empty();
    const bool queued = link_jobs_.submit(
        [this, channel, value, locale, locale_given] { send_links(channel, value, locale, locale_given); });
    if (!queued) {
      send_error(res, 503, "busy", "Too many requests are waiting; try again later.");
      return;
    }
    answer(form ? 200 : 202, LinkRequestNote::kSent, "",
           text("link_request.sent", locale, {{"date", readable_time(expires_at, locale)}}), expires_at);
  }

  // On the link worker: every person the contact finds gets a fresh link,
  // in the language asked for, else the one of their latest receipt.
  void send_links(const std::string& channel, const std::string& value, const std::string& locale, bool locale_given) {
    Result<std::string> secret = contact_digest_secret(options_.controller_key, crypto_);
    auto found = ledger::find_people(store_, {channel, value}, secret.ok() ? secret.value() : std::string(), crypto_);
    if (!found.ok()) {
      report("cannot look up a preference-link request: " + found.problems().front().code);
      return;
    }
    for (const ledger::PersonMatch& person : found.value()) {
      std::string l = locale;
      if (!locale_given) {
        auto latest = store_.find(person.latest_receipt_id);
        if (latest.ok() && latest.value()) {
          l = text_locale(string_at(latest.value()->payload, {"notice", "locale"}), locale);
        }
      }
      const std::int64_t expires = now_unix() + options_.link_ttl_seconds;
      LinkMessage message;
      message.address = trim_copy(value);
      message.channel = channel;
      message.link = page_base_ + link_path(person.chain_root, expires) + "&lang=" + l;
      message.locale = l;
      message.expires_at = format_rfc3339(expires);
      const std::string date = readable_time(message.expires_at, l);
      message.subject = text("link_mail.subject", l, {{"org", config_.controller.name}});
      message.text =
          text("link_mail.text", l, {{"org", config_.controller.name}, {"date", date}, {"link", message.link}});
      const std::string json = dump(message.to_json());
      const std::string failed = !options_.mail_command.empty()
                                     ? deliver_by_command(options_.mail_command, json, options_.mail_timeout_seconds)
                                     : deliver_by_webhook(options_.mail_webhook, json, options_.mail_timeout_seconds);
      if (!failed.empty()) report("a preference link was not delivered: " + failed);
    }
  }

  static std::string trim_copy(const std::string& text) {
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
  }

  void report(const std::string& line) {
    if (log_ == nullptr) return;
    static std::mutex log_mutex;
    std::lock_guard<std::mutex> lock(log_mutex);
    *log_ << "error: " << line << "\n";
  }

  // The right to erasure (GDPR art. 17), admin only: {"receiptId", "requestedAt"?}
  // -> the proof of erasure (store.h erase).
  void erasure(const httplib::Request& req, httplib::Response& res) {
    if (!require_admin(req, res)) return;
    std::optional<Json> body = json_body(req, res);
    if (!body) return;
    const std::string id = string_at(*body, {"receiptId"});
    if (id.empty()) {
      send_error(res, 400, "receipt_id_missing", "Give {\"receiptId\": \"...\"} (any receipt of the person).");
      return;
    }
    const std::int64_t now = now_unix();
    std::string requested = string_at(*body, {"requestedAt"});
    if (requested.empty()) requested = format_rfc3339(now);
    std::lock_guard<std::mutex> lock(change_mutex_);  // no preference change races the erasure
    Result<ledger::ErasureReport> erased = store_.erase(id, requested, now);
    if (!erased.ok()) {
      if (problem_kind(erased.problems()) == ProblemKind::kNotFound) {
        send_error(res, 404, "ledger_unknown_receipt", erased.problems().front().message);
      } else {
        send_problems(res, erased.problems());
      }
      return;
    }
    send_json(res, 200, Json{{"erasure", erased.value().to_json()}});
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
      if (problem_kind(state.problems()) == ProblemKind::kNotFound) {
        send_error(res, 404, "ledger_unknown_receipt", "Your receipts are no longer held (retention period over).");
      } else {
        send_problems(res, state.problems());  // ledger_tampered: 409, nothing is acted on
      }
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
    context.accept.accepted_versions = &accepted_versions_;
    context.accept.max_skew_seconds = options_.issued_at_skew_seconds;
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
      // Where the person can get a new link themselves, the page offers it.
      res.set_content(delivers_links() ? render_link_request_page(locale, LinkRequestNote::kLinkInvalid, "", config_)
                                       : render_message_page(locale, MessageKind::kLinkInvalid, config_),
                      "text/html; charset=utf-8");
      return std::nullopt;
    }
    auto state = store_.state_of(checked->chain_root);
    if (!state.ok()) {
      const ProblemKind kind = problem_kind(state.problems());
      // A person purged (404) or a ledger that no longer verifies (409): nothing is shown or changed.
      res.status = kind == ProblemKind::kNotFound ? 404 : http_status_for(kind);
      res.set_content(
          render_message_page(
              locale, kind == ProblemKind::kNotFound ? MessageKind::kPersonGone : MessageKind::kChangeFailed, config_),
          "text/html; charset=utf-8");
      return std::nullopt;
    }
    return std::make_pair(*checked, std::move(state).value());
  }

  void preferences_page(const httplib::Request& req, httplib::Response& res) {
    const std::string locale = locale_of(req);
    const std::string token = req.get_param_value("token");
    if (token.empty() && delivers_links()) {
      // No link in hand: the form that sends one.
      res.set_header("Cache-Control", "no-store");
      res.set_content(render_link_request_page(locale, LinkRequestNote::kNone, "", config_),
                      "text/html; charset=utf-8");
      return;
    }
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
      res.status = kind == ProblemKind::kUnavailable || kind == ProblemKind::kConflict ? http_status_for(kind) : 400;
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
      // No receipt: no consent recorded, nothing stored, nothing transferred
      // (docs/widget.md); the person is told so in their language.
      if (!error.is_discarded() && error.contains("error") &&
          string_at(error["error"], {"code"}) == "receipt_missing") {
        message = cachet::text("page.error.no_receipt", locale);
      }
      res.set_content(render_signup_error(locale, message, config_), "text/html; charset=utf-8");
      return;
    }
    const Accepted& a = submitted->accepted;
    SignupResult result;
    result.locale = locale;
    result.receipt_text = render_receipt_text(a.stored.payload, locale, &config_);
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
  std::vector<PublishedVersion> accepted_versions_;
  std::string partner_list_since_;
  std::vector<Route> routes_;
  std::ostream* log_ = nullptr;
  RateLimiter address_requests_;
  RateLimiter ip_requests_;
  JobQueue link_jobs_;  // last: stopped (in ~Service) while the rest still stands
};

// The config this server serves is published in the ledger (once per
// version, hash-chained), then the versions still accepted are read back:
// this one, and earlier ones within the grace period (docs/server.md,
// "Published config versions").
Result<std::vector<PublishedVersion>> publish_and_accept(const ServeOptions& options, const Config& config,
                                                         ConsentStore& store, const CryptoProvider& crypto) {
  Result<PublishedVersion> current = published_version(config, crypto);
  if (!current.ok()) return current.problems();
  const std::int64_t started = now_unix();
  Result<PublishedVersion> stored = store.publish(current.value(), calendar::format_rfc3339(started));
  if (!stored.ok()) return stored.problems();
  Result<std::vector<PublishedVersion>> published = store.published_versions();
  if (!published.ok()) return published.problems();
  return accepted_versions(published.value(), stored.value().digest, started, started,
                           options.previous_config_grace_seconds);
}
// Signs the chain head (head.h) every `interval` seconds when the log moved
// since the last signed head, and once more when stopped: a head the
// operator can ship elsewhere (docs/server.md, "Signed chain heads").
class HeadSigner {
 public:
  HeadSigner(ConsentStore& store, const CryptoProvider& crypto, const Json& key, int interval, std::ostream& log)
      : store_(store), crypto_(crypto), key_(key), interval_(interval), log_(log) {
    if (interval_ <= 0) return;
    auto latest = store_.latest_head();
    if (latest.ok() && latest.value()) {
      auto head = ledger::verify_head(*latest.value(), crypto_);
      if (head.ok()) signed_seq_ = head.value().seq;
    }
    thread_ = std::thread([this] { run(); });
  }
  HeadSigner(const HeadSigner&) = delete;
  HeadSigner& operator=(const HeadSigner&) = delete;
  ~HeadSigner() { stop(); }

  // Stops the timer and signs a last head when the log moved.
  void stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    sign_if_moved();
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(interval_), [this] { return stopping_; })) {
      lock.unlock();
      sign_if_moved();
      lock.lock();
    }
  }
  void sign_if_moved() {
    auto tip = store_.tip();
    if (!tip.ok() || tip.value().seq == 0 || tip.value().seq == signed_seq_) return;
    auto head = ledger::sign_and_store_head(store_, key_, crypto_);
    if (!head.ok()) {
      std::lock_guard<std::mutex> lock(log_mutex());
      log_ << "error: cannot sign the chain head: " << head.problems().front().message << "\n";
      return;
    }
    signed_seq_ = head.value().seq;
  }
  static std::mutex& log_mutex() {
    static std::mutex m;
    return m;
  }

  ConsentStore& store_;
  const CryptoProvider& crypto_;
  const Json& key_;
  const int interval_;
  std::ostream& log_;
  std::int64_t signed_seq_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

int serve(const ServeOptions& options, const Config& config, ConsentStore& store, const CryptoProvider& crypto,
          std::ostream& out, std::ostream& log) {
#if defined(__GLIBC__)
  // glibc hands memory back to the kernel as soon as 128 KiB are free at the
  // top of a heap, and every worker thread has its own: under load that was
  // an madvise, a TLB shootdown on every core and page faults again for
  // nearly every request (several percent of the accept path's CPU under
  // `perf`, docs/performance.md). A long-running server keeps what it used.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
  auto challenge_secret = store.secret("challenge");
  auto link_secret = store.secret("preference-links");
  if (!challenge_secret.ok() || !link_secret.ok()) {
    log << "error: cannot read the server secrets from the ledger.\n";
    return 2;
  }
  Result<std::vector<PublishedVersion>> accepted = publish_and_accept(options, config, store, crypto);
  if (!accepted.ok()) {
    log << "error: cannot publish the config in the ledger: " << accepted.problems().front().message << "\n";
    return 2;
  }
  Service service(options, config, store, crypto, challenge_secret.value(), link_secret.value());
  service.set_accepted_versions(std::move(accepted).value());
  service.set_log(log);
  if (Result<std::vector<PublishedVersion>> published = store.published_versions(); published.ok()) {
    Result<PublishedVersion> current = published_version(config, crypto);
    if (current.ok()) service.set_partner_list_since(partner_list_since(published.value(), current.value().digest));
  }
  ConnectionLimits limits;
  limits.header_timeout_seconds = options.header_timeout_seconds;
  limits.body_timeout_seconds = options.body_timeout_seconds;
  limits.max_connections = options.max_connections;
  GuardedServer server(limits);
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
  HeadSigner heads(store, crypto, options.controller_key, options.head_interval_seconds, log);
  server.listen_after_bind();
  heads.stop();  // the last head covers every receipt acknowledged before the stop
  // listen returned on its own (error): wake the stopper so it can be joined.
  // The stopper waits in sigwait() for SIGTERM: the signal wakes it, it does not end it.
  if (!signalled) pthread_kill(stopper.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
  stopper.join();
  return 0;
}

}  // namespace cachet::server
