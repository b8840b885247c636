// The HTTP server under `cachet serve` with limits a slow or abusive client
// cannot get round: cpp-httplib 0.11 times out each recv() on its own, so a
// client trickling one byte a second keeps a worker forever, and its pool of 8
// workers queues every other connection behind such clients.
//
// GuardedServer gives each connection a worker right away, up to
// max_connections (beyond it a connection is answered 503 and closed at once,
// on the accepting thread, without reading it), and gives each request
// deadlines for the whole of its headers, the whole of its body, and the
// whole of its response. Deadlines are per request, not per connection:
// each request on a keep-alive connection starts a new header deadline,
// and the keep-alive wait between requests is bounded too, so a connection
// holds a worker for at most keep_alive_max_requests requests of bounded
// length. (A per-connection deadline would either cut long-lived keep-alive
// connections that behave, or be so long that it protects nothing.)
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>

namespace cachet::server {

struct ConnectionLimits {
  int header_timeout_seconds = 10;  // request line and headers, from their first byte
  int body_timeout_seconds = 30;    // the body, from the end of the headers; also the response's write
  std::size_t max_connections = 128;
  int keep_alive_timeout_seconds = 2;  // idle wait for the next request (and for the first one)
  std::size_t keep_alive_max_requests = 100;
};

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(const ConnectionLimits& limits);

  // Runs once a request's headers are read, before its body (method and
  // media type checks); answer Handled to reply without reading the body.
  void set_request_check(HandlerWithResponse check) { check_ = std::move(check); }

  // For handlers: close the connection after this response (the body, or
  // the rest of it, was not read, so the next bytes are not a request).
  static void close_after_response();
  // For handlers: the current request ran past one of its deadlines.
  static bool request_timed_out();

 private:
  bool process_and_close_socket(socket_t sock) override;

  ConnectionLimits limits_;
  HandlerWithResponse check_;
  std::atomic<std::size_t> active_{0};
};

}  // namespace cachet::server
