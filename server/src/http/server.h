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
  int threads = 2;
  std::chrono::seconds idle_timeout{30};
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
  // Runs once when stop() begins, before sockets are closed.
  void on_stopping(std::function<void()> callback);
  // SIGINT/SIGTERM call stop("shutdown").
  void stop_on_signals();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gem::http
