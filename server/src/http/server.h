// The HTTP/1.1 + WebSocket server on Boost.Beast/Asio. It knows nothing about Gem: it routes with a
// Router and lets the application veto, decorate and log every exchange through Hooks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/http.h"

namespace gem::http {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;          // 0: any free port (see Server::port())
  std::size_t max_body_bytes = 16 * 1024;
  std::size_t max_frame_bytes = 4 * 1024;   // WebSocket routes that set no limit of their own
  int threads = 2;
  // A connection that makes no progress (reading a request, taking a response) this long is closed.
  std::chrono::seconds idle_timeout{30};
  // Open connections (HTTP and WebSocket) in total; 0: what the file-descriptor limit allows
  // (each connection may hold a socket and a file being sent).
  std::size_t max_connections = 0;
  // Per client address (IPv6: per /64); trusted proxies carry many clients and are not capped.
  std::size_t max_connections_per_ip = 64;
  // Frames waiting for a WebSocket peer that does not read: beyond this the connection is dropped.
  std::size_t max_queued_bytes = 1024 * 1024;
  // From stop() to the end of run(), shutdown hooks included.
  std::chrono::milliseconds shutdown_deadline{5000};
  // Reverse proxies whose X-Forwarded-For names the client (its last entry); others are ignored.
  std::vector<std::string> trusted_proxies;
};

struct Hooks {
  // Before routing's handler runs (params are filled): a response here answers instead (403, 429, …).
  // Also called for WebSocket upgrades, before the handshake is accepted.
  std::function<std::optional<Response>(const Request&)> before;
  // On every response, also errors and static files (security headers, CORS).
  std::function<void(const Request&, Response&)> after;
  // GET/HEAD requests no route matches (static files); none: 404.
  std::function<Response(const Request&)> fallback;
  // After each response is written: what the access log may know.
  std::function<void(const Request&, int status, std::chrono::microseconds duration)> access_log;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, Hooks hooks);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; throws std::runtime_error with the address when that fails.
  void listen();
  std::uint16_t port() const;
  // Serves on options.threads threads until stop() has finished; returns then.
  void run();
  // From any thread or a signal: stop accepting, call on_stopping (modules persist state and say
  // goodbye), close every WebSocket with `reason` and every idle connection, then return from run().
  void stop(std::string reason);
  // Runs once when stop() begins, before sockets are closed; gets the deadline of the whole stop
  // (options.shutdown_deadline from its start).
  void on_stopping(std::function<void(std::chrono::steady_clock::time_point deadline)> callback);
  // SIGINT/SIGTERM call stop("shutdown").
  void stop_on_signals();

  struct Stats {
    std::size_t http_connections = 0, websockets = 0;
    std::uint64_t refused_connections = 0;  // over the total or per-address cap
  };
  Stats stats() const;
  // The connection limit in force (options.max_connections, or derived from RLIMIT_NOFILE).
  std::size_t max_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gem::http
