// Deadlines and a connection cap for cpp-httplib (connection_limits.h).
#include "connection_limits.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace cachet::server {

namespace {

using Clock = std::chrono::steady_clock;

// A socket stream whose reads and writes fail once the current phase's
// deadline has passed, however the bytes trickle in. httplib reads headers
// byte by byte through Stream::read, so reads are buffered here, as its own
// SocketStream does.
class DeadlineStream final : public httplib::Stream {
 public:
  // `write_timeout`: how long a response may take to send, from its first byte.
  DeadlineStream(socket_t sock, Clock::duration write_timeout) : sock_(sock), write_timeout_(write_timeout) {}

  void start_request(Clock::duration header_timeout) {
    read_deadline_ = Clock::now() + header_timeout;
    write_deadline_ = Clock::time_point::max();
  }
  void headers_read(Clock::duration body_timeout) { read_deadline_ = Clock::now() + body_timeout; }
  bool timed_out() const { return timed_out_; }
  bool has_buffered() const { return begin_ < end_; }

  bool is_readable() const override { return has_buffered() || wait(POLLIN, read_deadline_); }
  bool is_writable() const override { return wait(POLLOUT, write_deadline()); }

  ssize_t read(char* ptr, size_t size) override {
    if (!has_buffered()) {
      const ssize_t n =
          transfer(POLLIN, read_deadline_, [&] { return ::recv(sock_, buffer_.data(), buffer_.size(), MSG_DONTWAIT); });
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_.data() + begin_, n);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    return transfer(POLLOUT, write_deadline(), [&] { return ::send(sock_, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL); });
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address(true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address(false, ip, port); }
  socket_t socket() const override { return sock_; }

 private:
  // The response's deadline starts with its first byte written.
  Clock::time_point write_deadline() const {
    if (write_deadline_ == Clock::time_point::max()) write_deadline_ = Clock::now() + write_timeout_;
    return write_deadline_;
  }

  // One recv or send that never blocks past `deadline` (the socket's own
  // SO_RCVTIMEO/SO_SNDTIMEO, which httplib sets, would let one call run over).
  template <typename Call>
  ssize_t transfer(decltype(pollfd::events) events, Clock::time_point deadline, const Call& call) const {
    for (;;) {
      if (!wait(events, deadline)) return -1;
      const ssize_t n = call();
      if (n >= 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) return n;
    }
  }

  bool wait(decltype(pollfd::events) events, Clock::time_point deadline) const {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        timed_out_ = true;
        return false;
      }
      pollfd fd{sock_, events, 0};
      const int ready = ::poll(&fd, 1, static_cast<int>(std::min<long long>(left, 1000)));
      if (ready > 0) return true;  // readable, writable, or an error recv/send will report
      if (ready < 0 && errno != EINTR) return false;
    }
  }

  void address(bool remote, std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t length = sizeof(addr);
    auto* raw = reinterpret_cast<sockaddr*>(&addr);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    if ((remote ? ::getpeername(sock_, raw, &length) : ::getsockname(sock_, raw, &length)) != 0) return;
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (addr.ss_family == AF_INET) {
      const auto* v4 =
          reinterpret_cast<const sockaddr_in*>(&addr);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
      ::inet_ntop(AF_INET, &v4->sin_addr, text.data(), text.size());
      port = ntohs(v4->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      const auto* v6 =
          reinterpret_cast<const sockaddr_in6*>(&addr);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
      ::inet_ntop(AF_INET6, &v6->sin6_addr, text.data(), text.size());
      port = ntohs(v6->sin6_port);
    }
    ip = text.data();
  }

  socket_t sock_;
  std::array<char, 4096> buffer_{};
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  Clock::time_point read_deadline_ = Clock::time_point::max();
  mutable Clock::time_point write_deadline_ = Clock::time_point::max();
  Clock::duration write_timeout_;
  mutable bool timed_out_ = false;
};

// The connection the current worker thread serves: handlers reach it
// through GuardedServer's static functions (httplib gives them no handle).
struct Connection {
  DeadlineStream& stream;
  bool close = false;
};
thread_local Connection* current = nullptr;
// Set on the accepting thread while it turns a connection away.
thread_local bool refusing = false;

// Admits a connection only when a worker is free for it at once; otherwise
// runs the connection's task on the accepting thread with `refusing` set, so
// that it is answered 503 and closed without being read.
class AdmissionQueue final : public httplib::TaskQueue {
 public:
  AdmissionQueue(std::size_t workers, std::atomic<std::size_t>& active)
      : pool_(workers), workers_(workers), active_(active) {}

  void enqueue(std::function<void()> fn) override {
    if (active_.fetch_add(1) >= workers_) {
      active_.fetch_sub(1);
      refusing = true;
      fn();
      refusing = false;
      return;
    }
    pool_.enqueue(std::move(fn));  // process_and_close_socket releases the slot
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  std::size_t workers_;
  std::atomic<std::size_t>& active_;
};

void refuse(socket_t sock) {
  static const std::string body =
      R"({"error":{"code":"server_busy","message":"Too many connections; try again in a moment."}})"
      "\n";
  const std::string response =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
      "Retry-After: 1\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  // Never blocks the accepting thread: a full send buffer loses the answer, not the server.
  (void)::send(sock, response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(sock, SHUT_WR);
  ::close(sock);
}

// After a response that left request bytes unread, read and drop what the
// client is still sending before closing: closing with unread data makes the
// kernel send a reset, which can destroy the response before the client has
// read it. Like nginx's lingering_close: at most 5 s in all, and stop when
// the client pauses for 1 s (it has read the response and given up).
void linger_and_close(socket_t sock) {
  ::shutdown(sock, SHUT_WR);
  const auto until = Clock::now() + std::chrono::seconds(5);
  std::array<char, 16384> sink{};
  while (Clock::now() < until) {
    pollfd fd{sock, POLLIN, 0};
    if (::poll(&fd, 1, 1000) <= 0) break;
    const ssize_t n = ::recv(sock, sink.data(), sink.size(), 0);
    if (n <= 0) break;
  }
  ::close(sock);
}

}  // namespace

GuardedServer::GuardedServer(const ConnectionLimits& limits) : limits_(limits) {
  limits_.max_connections = std::max<std::size_t>(1, limits_.max_connections);
  keep_alive_max_count_ = std::max<std::size_t>(1, limits_.keep_alive_max_requests);
  keep_alive_timeout_sec_ = limits_.keep_alive_timeout_seconds;
  // httplib writes a response's headers and its body in separate send()s:
  // with Nagle's algorithm on, the body waits for the client's ACK of the
  // headers, which the client delays (up to 40 ms on Linux). That wait was
  // most of a receipt's latency under load (docs/performance.md).
  set_tcp_nodelay(true);
  // httplib's interface: it takes ownership of the raw pointer (a unique_ptr in listen_internal).
  new_task_queue = [this] {
    return std::make_unique<AdmissionQueue>(limits_.max_connections, active_)
        .release();  // NOLINT(cppcoreguidelines-owning-memory)
  };
  // httplib calls this once the headers are read, before it reads the body.
  Server::set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (current != nullptr) current->stream.headers_read(std::chrono::seconds(limits_.body_timeout_seconds));
    return check_ ? check_(req, res) : HandlerResponse::Unhandled;
  });
}

void GuardedServer::close_after_response() {
  if (current != nullptr) current->close = true;
}

bool GuardedServer::request_timed_out() { return current != nullptr && current->stream.timed_out(); }

bool GuardedServer::process_and_close_socket(socket_t sock) {
  if (refusing) {
    refuse(sock);
    return false;
  }
  DeadlineStream stream(sock, std::chrono::seconds(limits_.body_timeout_seconds));
  Connection connection{stream};
  current = &connection;
  bool ok = false;
  for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
    // Wait for the next request, as httplib's keep_alive() does: bounded, and
    // given up when the server stops (svr_sock_ closed).
    if (!stream.has_buffered()) {
      const auto until = Clock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
      bool readable = false;
      while (!readable && svr_sock_ != INVALID_SOCKET && Clock::now() < until) {
        pollfd fd{sock, POLLIN, 0};
        const int ready = ::poll(&fd, 1, 100);
        if (ready < 0 && errno != EINTR) break;
        readable = ready > 0;
      }
      if (!readable) break;
    }
    stream.start_request(std::chrono::seconds(limits_.header_timeout_seconds));
    bool closed = false;
    ok = process_request(stream, left == 1, closed, nullptr);
    if (!ok || closed || connection.close || stream.timed_out()) break;
  }
  current = nullptr;
  if (connection.close && !stream.timed_out()) {
    linger_and_close(sock);
  } else {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }
  active_.fetch_sub(1);
  return ok;
}

}  // namespace cachet::server
