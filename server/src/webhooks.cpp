// Signed consent webhooks (webhooks.h; docs/webhooks.md).
#include "cachet/server/webhooks.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "cachet/json.h"
#include "cachet/jws.h"
#include "link_mailer.h"

namespace cachet::server {
namespace {

// Standard base64 (RFC 4648 section 4, padded) through the core's base64url,
// as the specification serialises secrets and signatures.
std::string base64_encode(std::string_view bytes) {
  std::string out = base64url_encode(bytes);
  for (char& c : out) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string url(text);
  while (!url.empty() && url.back() == '=') url.pop_back();
  for (char& c : url) {
    if (c == '-' || c == '_') return std::nullopt;  // not the standard alphabet
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return base64url_decode(url);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

}  // namespace

const std::vector<std::string>& webhook_event_types() {
  static const std::vector<std::string> types = {"receipt.accepted", "consent.withdrawn", "consent.objected",
                                                 "person.erased",    "person.purged",     "export.completed"};
  return types;
}

Result<std::vector<std::string>> parse_webhook_secrets(std::string_view text, std::string_view source) {
  std::vector<std::string> out;
  Problems problems;
  std::istringstream lines{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const std::string s = trim(line);
    if (s.empty() || s[0] == '#') continue;
    const std::string where = std::string(source) + ", line " + std::to_string(number);
    if (s.rfind("whsec_", 0) != 0) {
      problems.push_back({"webhook_bad_secret", "",
                          where + ": a webhook secret starts with whsec_ (make one with `cachet webhooks secret`)."});
      continue;
    }
    const auto key = base64_decode(std::string_view(s).substr(6));
    if (!key) {
      problems.push_back({"webhook_bad_secret", "", where + ": the part after whsec_ is not base64."});
      continue;
    }
    if (key->size() < 24 || key->size() > 64) {
      problems.push_back({"webhook_bad_secret", "",
                          where + ": a webhook secret holds 24 to 64 random bytes; this one holds " +
                              std::to_string(key->size()) + "."});
      continue;
    }
    out.push_back(*key);
  }
  if (problems.empty() && out.empty()) {
    problems.push_back({"webhook_bad_secret", "", std::string(source) + " holds no webhook secret (whsec_...)."});
  }
  if (!problems.empty()) return problems;
  return out;
}

std::string new_webhook_secret(const CryptoProvider& crypto) {
  return "whsec_" + base64_encode(crypto.random_bytes(32));
}

std::string webhook_signature(const CryptoProvider& crypto, const std::vector<std::string>& secrets,
                              std::string_view id, std::string_view timestamp, std::string_view body) {
  std::string content;
  content.reserve(id.size() + timestamp.size() + body.size() + 2);
  content.append(id).append(".").append(timestamp).append(".").append(body);
  std::string out;
  for (const std::string& key : secrets) {
    if (!out.empty()) out.push_back(' ');
    out += "v1," + base64_encode(crypto.hmac_sha256(key, content));
  }
  return out;
}

std::optional<Problem> check_webhook_url(std::string_view url, std::string_view where) {
  const bool http = url.rfind("http://", 0) == 0;
  const bool https = url.rfind("https://", 0) == 0;
  const std::size_t host_start = http ? 7 : 8;
  const bool has_space = std::any_of(url.begin(), url.end(), [](char c) { return c <= ' ' || c == 0x7f; });
  if ((!http && !https) || url.size() <= host_start || url[host_start] == '/' || has_space) {
    return Problem{"webhook_bad_url", std::string(where),
                   "The webhook endpoint \"" + std::string(url) +
                       "\" is not an http:// or https:// URL with a host (https://crm.example/hooks/cachet)."};
  }
  return std::nullopt;
}

Result<std::vector<WebhookEndpoint>> load_webhook_endpoints(std::string_view json_text, const std::string& file) {
  const Json doc = Json::parse(json_text, nullptr, false);
  auto bad = [&](const std::string& path, const std::string& message) {
    return Problem{"webhook_bad_config", path, file + ": " + message};
  };
  if (doc.is_discarded() || !doc.is_object()) return bad("", "the webhook file is not a JSON object.");
  Problems problems;
  for (const auto& [key, value] : doc.items()) {
    if (key != "endpoints") problems.push_back(bad("/" + key, "unknown member \"" + key + "\" (only \"endpoints\")."));
  }
  if (!doc.contains("endpoints") || !doc["endpoints"].is_array() || doc["endpoints"].empty()) {
    problems.push_back(bad("/endpoints", "\"endpoints\" must be a non-empty array of {\"url\", \"secretFile\"}."));
    return problems;
  }
  const std::filesystem::path dir = std::filesystem::path(file).parent_path();
  std::vector<WebhookEndpoint> out;
  for (std::size_t i = 0; i < doc["endpoints"].size(); ++i) {
    const Json& e = doc["endpoints"][i];
    const std::string at = "/endpoints/" + std::to_string(i);
    if (!e.is_object()) {
      problems.push_back(bad(at, "each endpoint is an object {\"url\", \"secretFile\", \"events\"}."));
      continue;
    }
    for (const auto& [key, value] : e.items()) {
      if (key != "url" && key != "secretFile" && key != "events") {
        std::string member = at;
        member.append("/").append(key);
        std::string message = "unknown member \"";
        message.append(key).append("\" (url, secretFile, events).");
        problems.push_back(bad(member, message));
      }
    }
    WebhookEndpoint endpoint;
    if (!e.contains("url") || !e["url"].is_string()) {
      problems.push_back(bad(at + "/url", "the endpoint needs a \"url\" (string)."));
    } else {
      endpoint.url = e["url"].get<std::string>();
      if (auto p = check_webhook_url(endpoint.url, at + "/url")) {
        p->message = file + ": " + p->message;
        problems.push_back(*p);
      }
    }
    if (!e.contains("secretFile") || !e["secretFile"].is_string()) {
      problems.push_back(bad(at + "/secretFile", "the endpoint needs a \"secretFile\" (a file holding whsec_...)."));
    } else {
      std::filesystem::path secret_path = e["secretFile"].get<std::string>();
      if (secret_path.is_relative()) secret_path = dir / secret_path;
      std::ifstream in(secret_path, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) {
        problems.push_back(bad(at + "/secretFile", "cannot read the secret file " + secret_path.string() + "."));
      } else {
        auto secrets = parse_webhook_secrets(text.str(), secret_path.string());
        if (secrets.ok()) {
          endpoint.secrets = secrets.value();
        } else {
          for (Problem p : secrets.problems()) {
            p.path = at + "/secretFile";
            problems.push_back(p);
          }
        }
      }
    }
    if (e.contains("events")) {
      if (!e["events"].is_array() || e["events"].empty()) {
        problems.push_back(bad(at + "/events", "\"events\" is a non-empty array of event types."));
      } else {
        for (std::size_t j = 0; j < e["events"].size(); ++j) {
          const Json& t = e["events"][j];
          const auto& known = webhook_event_types();
          if (!t.is_string() || std::find(known.begin(), known.end(), t.get<std::string>()) == known.end()) {
            std::string message = file;
            message.append(": unknown event type ").append(t.dump()).append(" (known: ");
            for (std::size_t k = 0; k < known.size(); ++k) message.append(k == 0 ? "" : ", ").append(known[k]);
            message.append(").");
            problems.push_back(Problem{"webhook_unknown_event", at + "/events/" + std::to_string(j), message});
          } else {
            endpoint.events.push_back(t.get<std::string>());
          }
        }
      }
    }
    out.push_back(std::move(endpoint));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (!out[i].url.empty() && out[i].url == out[j].url) {
        problems.push_back(
            bad("/endpoints/" + std::to_string(i) + "/url", "the endpoint " + out[i].url + " is listed twice."));
      }
    }
  }
  if (!problems.empty()) return problems;
  return out;
}

PassReport deliver_due(ledger::WebhookOutbox& outbox, const WebhookOptions& options, const CryptoProvider& crypto,
                       std::ostream& log) {
  PassReport report;
  for (const WebhookEndpoint& endpoint : options.endpoints) {
    // One delivery claimed at a time, just before it is sent: its lease
    // (policy.lease_ms) covers its own request only, so a process killed
    // mid-request holds back one event for one lease, not a whole batch.
    for (int n = 0; n < options.batch; ++n) {
      auto due = outbox.claim(endpoint.url, now_ms(), 1, options.policy);
      if (!due.ok()) {
        report.problems = due.problems();
        return report;
      }
      if (due.value().empty()) break;
      for (const ledger::WebhookDelivery& d : due.value()) {
        if (!endpoint.events.empty() &&
            std::find(endpoint.events.begin(), endpoint.events.end(), d.type) == endpoint.events.end()) {
          auto skipped = outbox.skip(d, now_ms());
          if (!skipped.ok()) {
            report.problems = skipped.problems();
            return report;
          }
          ++report.skipped;
          continue;
        }
        const std::int64_t sent_ms = now_ms();
        const std::string timestamp = std::to_string(sent_ms / 1000);
        const HttpAnswer answer =
            post_json(d.endpoint, d.body,
                      {{"webhook-id", d.id},
                       {"webhook-timestamp", timestamp},
                       {"webhook-signature", webhook_signature(crypto, endpoint.secrets, d.id, timestamp, d.body)}},
                      options.timeout_seconds);
        ledger::AttemptOutcome outcome{answer.status, answer.error};
        if (answer.status == 0) outcome.error = "no answer (" + answer.error + ")";
        auto state = outbox.record_attempt(d, outcome, now_ms(), options.policy);
        if (!state.ok()) {
          report.problems = state.problems();
          return report;
        }
        std::string line;
        switch (state.value()) {
          case ledger::DeliveryState::kDelivered:
            ++report.delivered;
            break;
          case ledger::DeliveryState::kRetry:
            ++report.retrying;
            line = "webhook: " + d.type + " " + d.id + " to " + d.endpoint + ", attempt " +
                   std::to_string(d.attempts + 1) + ": " + outcome.error + "; next attempt in " +
                   std::to_string(ledger::retry_delay_ms(options.policy, d.attempts + 1)) + " ms\n";
            break;
          case ledger::DeliveryState::kFailed:
            ++report.failed;
            line = "webhook: " + d.type + " " + d.id + " to " + d.endpoint + " failed after " +
                   std::to_string(d.attempts + 1) + " attempts (" + outcome.error +
                   "); `cachet webhooks retry` sends it again\n";
            break;
          case ledger::DeliveryState::kGone:
            ++report.gone;
            line = "webhook: " + d.endpoint +
                   " answered 410 Gone: no more events are sent to it until `cachet webhooks "
                   "retry --endpoint " +
                   d.endpoint + "`\n";
            break;
          case ledger::DeliveryState::kSkipped:
            ++report.skipped;
            break;
        }
        if (!line.empty()) log << line << std::flush;
      }
    }
  }
  return report;
}

WebhookDispatcher::WebhookDispatcher(std::unique_ptr<ledger::WebhookOutbox> outbox, WebhookOptions options,
                                     const CryptoProvider& crypto, std::ostream& log)
    : outbox_(std::move(outbox)), options_(std::move(options)), crypto_(crypto), log_(log) {}

void WebhookDispatcher::start() {
  sigset_t stop_signals;
  sigset_t previous;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  thread_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

void WebhookDispatcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookDispatcher::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const PassReport report = deliver_due(*outbox_, options_, crypto_, log_);
    for (const Problem& p : report.problems) log_ << "error: webhooks: " << p.message << "\n" << std::flush;
    lock.lock();
    // A full batch: more may be due at once; else wait for the next poll.
    const int sent = report.delivered + report.retrying + report.failed + report.gone + report.skipped;
    if (sent >= options_.batch && report.problems.empty()) continue;
    wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [this] { return stopping_; });
  }
}

}  // namespace cachet::server
