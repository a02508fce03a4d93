#include "app.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>
#include <thread>

#include "live/provider.h"
#include "ops/metrics.h"
#include "ops/readiness.h"
#include "safety/rate_limiter.h"
#include "static/static_files.h"

namespace gem {
namespace {

const char* const kContentSecurityPolicy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; "
    "worker-src blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

bool listed(const Municipality& m, const std::string& origin) {
  for (const auto& o : m.origins) {
    if (o == origin) return true;
  }
  return false;
}

// Paths are logged, never query strings or bodies; control characters cannot forge log lines and a
// space cannot shift the fields after it ('%' is escaped too, so the line reads back unambiguously).
std::string loggable(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (c <= 0x20 || c == 0x7f || c == '%') {
      char hex[5];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace

struct App::Parts {
  explicit Parts(const Config& c) : limiter(c.rate_per_second, c.rate_burst), files(c.static_mounts) {}
  RateLimiter limiter;
  StaticFiles files;
  std::unique_ptr<live::Registry> live;
  std::mutex log_mutex;
  ops::Metrics metrics;
  std::vector<std::pair<std::string, std::function<bool()>>> readiness_checks;
};

App::App(Config config) : config_(std::move(config)), parts_(std::make_unique<Parts>(config_)) {
  // For load balancers and orchestrators: alive (the process answers) and ready (it can reach its stores).
  router_.get("/healthz", [](const http::Request&) {
    return http::Response::json(200, {{"status", "ok"}}).header("Cache-Control", "no-store");
  });
  router_.get("/readyz", [this](const http::Request&) { return readiness(); });
  add_readiness_check("data_dir", [this] { return ops::directory_writable(config_.data_dir); });
  if (!config_.redis_url.empty()) add_readiness_check("redis", [this] { return ops::redis_reachable(config_.redis_url); });
  if (!config_.postgres_url.empty()) add_readiness_check("postgres", [this] { return ops::postgres_reachable(config_.postgres_url); });
}

ops::Metrics& App::metrics() { return parts_->metrics; }

void App::add_readiness_check(std::string name, std::function<bool()> check) {
  parts_->readiness_checks.emplace_back(std::move(name), std::move(check));
}

http::Response App::readiness() const {
  nlohmann::json checks = nlohmann::json::object();
  bool ready = true;
  for (const auto& [name, check] : parts_->readiness_checks) {
    bool ok = false;
    try {
      ok = check();
    } catch (const std::exception&) {
    }
    checks[name] = ok ? "ok" : "unreachable";
    ready = ready && ok;
  }
  return http::Response::json(ready ? 200 : 503, {{"ready", ready}, {"checks", checks}}).header("Cache-Control", "no-store");
}

App::~App() = default;

const Municipality& App::municipality(const std::string& gm) const {
  if (!is_municipality_code(gm)) {
    throw http::HttpError(400, "invalid_request", "a municipality is GM followed by four digits", "municipality");
  }
  const auto* m = config_.municipality(gm);
  if (!m) throw http::HttpError(404, "unknown_municipality", "this municipality is not configured");
  return *m;
}

bool App::origin_allowed(const http::Request& request, const std::string& gm) const {
  auto origin = request.origin();
  if (!origin || request.is_own_origin(*origin)) return true;
  const auto* m = config_.municipality(gm);
  return m && listed(*m, *origin);
}

bool App::origin_allowed_anywhere(const http::Request& request) const {
  auto origin = request.origin();
  if (!origin || request.is_own_origin(*origin)) return true;
  for (const auto& [_, m] : config_.municipalities) {
    if (listed(m, *origin)) return true;
  }
  return false;
}

bool App::origin_allowed_for_route(const http::Request& request) const {
  auto gm = request.params.find("gm");
  return gm != request.params.end() && config_.municipality(gm->second) ? origin_allowed(request, gm->second)
                                                                        : origin_allowed_anywhere(request);
}

live::Registry& App::live() {
  if (!parts_->live) throw std::logic_error("live data is not set up (register_live)");
  return *parts_->live;
}

void App::set_live(std::unique_ptr<live::Registry> registry) { parts_->live = std::move(registry); }

std::optional<Staff> App::staff(const http::Request& request) const {
  return staff_lookup_ ? staff_lookup_(request) : std::nullopt;
}

void App::on_shutdown(std::function<void(std::chrono::steady_clock::time_point)> hook) { shutdown_hooks_.push_back(std::move(hook)); }

void App::add_security_headers(http::Response& r, bool hsts) {
  r.header("Content-Security-Policy", kContentSecurityPolicy);
  r.header("X-Content-Type-Options", "nosniff");
  r.header("Referrer-Policy", "no-referrer");
  r.header("X-Frame-Options", "DENY");
  r.header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  if (hsts) r.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

std::optional<http::Response> App::before(const http::Request& request) {
  bool api = request.path.rfind("/v1/", 0) == 0;
  if (api) {
    if (int wait = parts_->limiter.take(http::address_block(request.client_ip))) {
      parts_->metrics.rate_limited("api");
      auto r = http::Response::error(429, "rate_limited", "too many requests; try again later");
      r.header("Retry-After", std::to_string(wait));
      return r;
    }
  }
  if (!origin_allowed_for_route(request)) return http::Response::error(403, "forbidden_origin", "this origin is not allowed for this municipality");
  if (request.method == "OPTIONS" && request.origin()) {
    // CORS preflight for an allowed origin.
    auto r = http::Response::empty(204);
    r.header("Access-Control-Allow-Methods", "GET, POST");
    r.header("Access-Control-Allow-Headers", "Content-Type");
    r.header("Access-Control-Max-Age", "600");
    return r;
  }
  return std::nullopt;
}

void App::after(const http::Request& request, http::Response& response) const {
  add_security_headers(response, config_.hsts);
  auto origin = request.origin();
  if (origin && !request.is_own_origin(*origin) && origin_allowed_for_route(request)) {
    response.header("Access-Control-Allow-Origin", *origin);
    response.header("Vary", "Origin");
  }
}

// /metrics on its own address (config.metrics_listen), so it never shares the public listener: one
// thread, one route, no rate limit. It stops after the main server.
struct App::MetricsServer {
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
  void stop() {
    server->stop("shutdown");
    thread.join();
  }
};

std::unique_ptr<App::MetricsServer> App::start_metrics(http::Server& main) {
  if (config_.metrics_listen.empty()) return nullptr;
  auto& m = parts_->metrics;
  m.gauge("gem_open_connections", "Open client connections by kind.", "kind", [&main] {
    auto s = main.stats();
    return std::vector<std::pair<std::string, double>>{{"http", static_cast<double>(s.http_connections)},
                                                       {"websocket", static_cast<double>(s.websockets)}};
  });
  m.gauge("gem_max_connections", "The connection limit in force.", "", [&main] {
    return std::vector<std::pair<std::string, double>>{{"", static_cast<double>(main.max_connections())}};
  });
  m.gauge("gem_refused_connections_total", "Connections closed at once because a connection cap was reached.", "", [&main] {
    return std::vector<std::pair<std::string, double>>{{"", static_cast<double>(main.stats().refused_connections)}};
  }, /*counter=*/true);
  auto out = std::make_unique<MetricsServer>();
  out->router.get("/metrics", [&m](const http::Request&) {
    http::Response r;
    r.body = m.render();
    r.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    r.header("Cache-Control", "no-store");
    return r;
  });
  auto [host, port] = split_listen(config_.metrics_listen);
  http::ServerOptions options;
  options.bind = host;
  options.port = port;
  options.threads = 1;
  options.max_connections = 16;
  out->server = std::make_unique<http::Server>(options, out->router, http::Hooks{});
  out->server->listen();
  std::printf("gem-server metrics on http://%s:%u/metrics\n", host.c_str(), static_cast<unsigned>(out->server->port()));
  out->thread = std::thread([server = out->server.get()] { server->run(); });
  return out;
}

int App::run() {
  http::ServerOptions options;
  options.bind = config_.bind;
  options.port = config_.port;
  options.threads = config_.threads;
  options.max_body_bytes = config_.max_body_bytes;
  options.max_frame_bytes = config_.max_frame_bytes;
  options.max_connections = config_.max_connections;
  options.max_connections_per_ip = config_.max_connections_per_ip;
  options.max_queued_bytes = config_.max_queued_bytes;
  options.trusted_proxies = config_.trusted_proxies;
  http::Hooks hooks;
  hooks.before = [this](const http::Request& r) { return before(r); };
  hooks.after = [this](const http::Request& r, http::Response& res) { after(r, res); };
  hooks.fallback = [this](const http::Request& r) { return parts_->files.serve(r); };
  hooks.access_log = [this](const http::Request& r, int status, std::chrono::microseconds duration) {
    // Labelled by route pattern, never by path: a path may carry anything a client typed.
    bool file = r.route.empty() && (r.method == "GET" || r.method == "HEAD") && (status == 200 || status == 304);
    parts_->metrics.request(!r.route.empty() ? r.route : file ? "static" : "other", status, duration);
    auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::lock_guard lock(parts_->log_mutex);
    std::printf("%s %s %s %d %.3fms\n", when, r.method.c_str(), loggable(r.path).c_str(), status,
                static_cast<double>(duration.count()) / 1000.0);
    std::fflush(stdout);
  };
  http::Server server(options, router_, std::move(hooks));
  server.listen();
  auto metrics_server = start_metrics(server);
  for (auto& hook : shutdown_hooks_) server.on_stopping(hook);
  server.stop_on_signals();
  std::printf("gem-server listening on http://%s:%u\n", config_.bind.c_str(), static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  server.run();
  if (metrics_server) metrics_server->stop();
  std::printf("gem-server stopped\n");
  std::fflush(stdout);
  return 0;
}

}  // namespace gem
