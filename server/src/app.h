// The application: configuration, routes, the safety layer every request passes (CORS allow-list,
// per-IP rate limit, security headers, access log), static files and shutdown hooks.
// Modules add themselves with a register_*(App&) function called from main.cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "http/http.h"
#include "http/server.h"

namespace gem {

namespace live {
class Registry;
}
namespace ops {
class Metrics;
}

// A signed-in member of staff, as the module that owns accounts (auth) reports it.
struct Staff {
  std::string username, display_name;
  std::string role;                         // "agent" | "editor" | "admin"
  std::vector<std::string> municipalities;  // GM codes
};
using StaffLookup = std::function<std::optional<Staff>(const http::Request&)>;

class App {
 public:
  explicit App(Config config);
  ~App();

  const Config& config() const { return config_; }
  http::Router& router() { return router_; }

  // The configured municipality for a {gm} value: 400 invalid_request when it is not a GM code,
  // 404 unknown_municipality when it is not configured (thrown as http::HttpError).
  const Municipality& municipality(const std::string& gm) const;
  // May this request (its Origin header) act for municipality `gm`? No Origin or the server's
  // own origin: yes. Routes with a {gm} parameter are checked before the handler runs; call this
  // when the municipality arrives later (a JSON body, a WebSocket message).
  bool origin_allowed(const http::Request& request, const std::string& gm) const;

  // Live data providers (set up by register_live).
  live::Registry& live();
  void set_live(std::unique_ptr<live::Registry> registry);

  // Who is signed in on this request (session cookie); set by the accounts module.
  void set_staff_lookup(StaffLookup lookup) { staff_lookup_ = std::move(lookup); }
  // nullopt when nobody is signed in or no accounts module is registered.
  std::optional<Staff> staff(const http::Request& request) const;

  // Runs on SIGTERM/SIGINT after the server stopped accepting and before sockets close
  // (in registration order): persist state, tell clients goodbye. Every hook ends by `deadline`, the
  // one shutdown deadline of the whole process (the server's watchdog exits when it passes).
  void on_shutdown(std::function<void(std::chrono::steady_clock::time_point deadline)> hook);

  // Prometheus metrics (served on config.metrics_listen); modules add gauges such as queue lengths.
  ops::Metrics& metrics();
  // GET /readyz answers 503 while any check says false (e.g. a store that cannot be reached).
  void add_readiness_check(std::string name, std::function<bool()> check);

  // Listens, prints "gem-server listening on http://HOST:PORT" and serves until a signal.
  int run();

  // The headers every response carries (exposed for tests).
  static void add_security_headers(http::Response& response, bool hsts);

 private:
  std::optional<http::Response> before(const http::Request& request);
  http::Response readiness() const;
  void after(const http::Request& request, http::Response& response) const;
  bool origin_allowed_anywhere(const http::Request& request) const;
  bool origin_allowed_for_route(const http::Request& request) const;

  struct MetricsServer;
  std::unique_ptr<MetricsServer> start_metrics(http::Server& main);

  struct Parts;
  Config config_;
  http::Router router_;
  std::unique_ptr<Parts> parts_;
  std::vector<std::function<void(std::chrono::steady_clock::time_point)>> shutdown_hooks_;
  StaffLookup staff_lookup_;
};

// Modules (each in its own folder); main.cpp calls them in order.
void register_live(App& app);
void register_analytics(App& app);

}  // namespace gem
