// "Send me my preference link" (issue 13; docs/rights.md): a person asks for
// a fresh preference-centre link by giving a contact value; the server looks
// them up off the request thread (so the answer, and its timing, is the same
// whether or not they are known: no enumeration) and hands each link to the
// operator's mailer, a command or a webhook. Requests are rate-limited per
// address and per client IP.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cachet/json.h"

namespace cachet::server {

// What the mailer gets, as one JSON object (docs/rights.md):
// {"kind": "preference-link", "address", "channel": "email" | "phone",
//  "link", "locale", "expiresAt", "subject", "text"}.
struct LinkMessage {
  std::string address;  // the contact value the person gave, as given (trimmed)
  std::string channel;  // "email" or "phone"
  std::string link;     // absolute URL of the preference centre
  std::string locale;
  std::string expires_at;  // RFC 3339
  std::string subject;     // in `locale`, from the message table
  std::string text;        // idem, the link in it
  Json to_json() const;
};

// Runs `command` with /bin/sh -c, the JSON on its standard input, and waits
// at most `timeout_seconds` (then kills it). Empty on success (exit 0), else
// a reason for the server log (never the address).
std::string deliver_by_command(const std::string& command, const std::string& json, int timeout_seconds);
// POSTs the JSON (application/json) to `url` (http:// or https://); empty on
// a 2xx answer, else a reason for the log.
std::string deliver_by_webhook(const std::string& url, const std::string& json, int timeout_seconds);

// The one HTTP client of the server (cpp-httplib), shared by the mailer's
// webhook above and the signed consent webhooks (webhooks.cpp): POSTs `body`
// as application/json with `headers` added. `status` is the HTTP status (0
// when no answer came); `error` is empty on a 2xx, else a reason for the
// log (never the body).
struct HttpAnswer {
  int status = 0;
  std::string error;
};
HttpAnswer post_json(const std::string& url, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers, int timeout_seconds);

// At most `limit` attempts per key within `window_seconds` (a sliding
// window); every attempt counts, allowed or not. Keeps at most `max_keys`
// keys (the oldest are dropped first), so a flood cannot grow it unbounded.
class RateLimiter {
 public:
  RateLimiter(std::size_t limit, std::int64_t window_seconds, std::size_t max_keys = 100000)
      : limit_(limit), window_(window_seconds), max_keys_(max_keys) {}
  bool allow(const std::string& key, std::int64_t now);

 private:
  std::size_t limit_;
  std::int64_t window_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<std::int64_t>> hits_;
  std::deque<std::pair<std::int64_t, std::string>> order_;  // first-seen order, for dropping keys
};

// One worker thread running queued jobs in order; at most `max_queued`
// waiting (submit refuses more). stop() runs what is queued, then joins.
class JobQueue {
 public:
  explicit JobQueue(std::size_t max_queued = 1000);
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;
  ~JobQueue() { stop(); }
  bool submit(std::function<void()> job);
  void stop();

 private:
  void run();
  std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cachet::server
