#include "link_mailer.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <utility>

extern char** environ;

namespace cachet::server {

Json LinkMessage::to_json() const {
  return Json{{"kind", "preference-link"}, {"address", address},      {"channel", channel}, {"link", link},
              {"locale", locale},          {"expiresAt", expires_at}, {"subject", subject}, {"text", text}};
}

std::string deliver_by_command(const std::string& command, const std::string& json, int timeout_seconds) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return "cannot create a pipe";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  // The server blocks SIGINT/SIGTERM in every thread and ignores SIGPIPE: the
  // mailer starts with neither.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::string shell = "/bin/sh";
  std::string dash_c = "-c";
  std::string cmd = command;
  char* argv[] = {shell.data(), dash_c.data(), cmd.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[0]);
  if (spawned != 0) {
    close(fds[1]);
    return "cannot start the mail command";
  }
  // Writes the whole message (a few hundred bytes: within the pipe's buffer);
  // a command that exits without reading it fails below on its exit status.
  std::size_t written = 0;
  while (written < json.size()) {
    const ssize_t n = write(fds[1], json.data() + written, json.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return "lost the mail command";
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return "the mail command took longer than " + std::to_string(timeout_seconds) + " s and was stopped";
    }
    usleep(20 * 1000);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  if (WIFEXITED(status)) return "the mail command exited with status " + std::to_string(WEXITSTATUS(status));
  return "the mail command was killed by a signal";
}

std::string deliver_by_webhook(const std::string& url, const std::string& json, int timeout_seconds) {
  HttpAnswer answer = post_json(url, json, {}, timeout_seconds);
  if (answer.status == 0) return "the webhook could not be reached (" + answer.error + ")";
  return answer.error;
}

HttpAnswer post_json(const std::string& url, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers, int timeout_seconds) {
  // scheme://host[:port] and the path after it.
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return HttpAnswer{0, "the webhook URL has no scheme"};
  const std::size_t path_start = url.find('/', scheme_end + 3);
  const std::string base = path_start == std::string::npos ? url : url.substr(0, path_start);
  const std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  httplib::Client client(base);
  client.set_connection_timeout(timeout_seconds, 0);
  client.set_read_timeout(timeout_seconds, 0);
  client.set_write_timeout(timeout_seconds, 0);
  httplib::Headers extra;
  for (const auto& [name, value] : headers) extra.emplace(name, value);
  const httplib::Result res = client.Post(path, extra, body, "application/json");
  if (!res) return HttpAnswer{0, httplib::to_string(res.error())};
  if (res->status < 200 || res->status > 299) {
    return HttpAnswer{res->status, "the webhook answered " + std::to_string(res->status)};
  }
  return HttpAnswer{res->status, ""};
}

bool RateLimiter::allow(const std::string& key, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, fresh] = hits_.try_emplace(key);
  if (fresh) {
    order_.emplace_back(now, key);
    while (hits_.size() > max_keys_ && !order_.empty()) {
      if (order_.front().second != key) hits_.erase(order_.front().second);
      order_.pop_front();
    }
    it = hits_.find(key);
  }
  std::deque<std::int64_t>& times = it->second;
  while (!times.empty() && times.front() <= now - window_) times.pop_front();
  times.push_back(now);
  return times.size() <= limit_;
}

JobQueue::JobQueue(std::size_t max_queued) : max_queued_(max_queued), thread_([this] { run(); }) {}

bool JobQueue::submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || jobs_.size() >= max_queued_) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void JobQueue::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JobQueue::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, nothing left
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace cachet::server
