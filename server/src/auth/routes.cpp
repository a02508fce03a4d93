// POST /v1/agent/login, POST /v1/agent/logout, GET /v1/agent/session (docs/protocol.md).
#include "auth/routes.h"

#include <iostream>

#include "app.h"
#include "auth/shared_sessions.h"
#include "auth/worker_pool.h"
#include "handover/redis_store.h"
#include "ops/metrics.h"
#include "ops/periodic.h"

namespace gem {
namespace {

using nlohmann::json;

json session_body(const auth::Account& a, const std::string& csrf) {
  return {{"csrf", csrf}, {"name", a.display_name}, {"role", a.role}, {"municipalities", a.municipalities}};
}

http::Cookie session_cookie(std::string value, std::chrono::seconds max_age) {
  http::Cookie c;
  c.name = "gem_session";
  c.value = std::move(value);
  c.max_age = max_age;
  return c;  // HttpOnly, Secure, SameSite=Strict, Path=/ by default
}

std::string string_field(const json& body, const char* name, std::size_t max) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty() || it->get_ref<const std::string&>().size() > max)
    throw http::bad_request(name, std::string("`") + name + "` must be a non-empty string of at most " + std::to_string(max) + " bytes");
  return *it;
}

}  // namespace

std::shared_ptr<auth::Store> register_auth(App& app) {
  std::filesystem::create_directories(app.config().data_dir);
  const auto& redis = app.config().redis_url;
  auto store = std::make_shared<auth::Store>(
      auth::database_file(app.config().data_dir), [] { return std::chrono::system_clock::now(); }, std::chrono::hours(8),
      redis.empty() ? nullptr
                    : auth::shared_sessions(handover::make_redis_store(handover::redis_options_from_environment(redis))));
  auto limiter = std::make_shared<auth::LoginLimiter>();
  // Argon2id takes ~0.1 s of CPU and 64 MiB: one hashing thread, a few waiting, the rest 503.
  auto hashing = std::make_shared<auth::WorkerPool>(1, 4);
  auto& router = app.router();

  router.add_async("POST", "/v1/agent/login", [&app, store, limiter, hashing](const http::Request& req, http::Respond respond) {
    auth::require_own_origin(req);
    json body = req.json_body();
    std::string username = string_field(body, "username", 64);
    std::string password = string_field(body, "password", 1024);
    const std::string address = http::address_block(req.client_ip);
    if (int wait = limiter->retry_after(username, address)) {
      app.metrics().rate_limited("login");
      auto r = http::Response::error(429, "rate_limited", "too many failed sign-ins; try again later");
      r.header("Retry-After", std::to_string(wait));
      return respond(std::move(r));
    }
    bool queued = hashing->submit([store, limiter, respond, username, password, address] {
      try {
        auto account = store->verify(username, password);
        if (!account) {
          limiter->failed(username, address);
          return respond(http::Response::error(401, "unauthorized", "wrong user name or password"));
        }
        limiter->succeeded(username, address);
        auto session = store->create_session(*account);
        auto r = http::Response::json(200, session_body(*account, session.csrf));
        r.header("Cache-Control", "no-store");
        r.cookie(session_cookie(session.token, store->session_lifetime()));
        respond(std::move(r));
      } catch (const std::exception& e) {
        std::cerr << "gem-server: sign-in failed: " << e.what() << "\n";
        respond(http::Response::error(500, "internal", "the server could not handle this request"));
      }
    });
    if (!queued) {
      auto r = http::Response::error(503, "busy", "too many sign-ins at once; try again in a moment");
      r.header("Retry-After", "1");
      respond(std::move(r));
    }
  });

  router.post("/v1/agent/logout", [store](const http::Request& req) {
    auth::require_own_origin(req);
    store->require(req, true);
    store->end_session(req);
    auto r = http::Response::empty(204);
    r.cookie(session_cookie("", std::chrono::seconds(0)));
    return r;
  });

  // The console asks after a reload whether it is still signed in (and gets the CSRF token again).
  router.get("/v1/agent/session", [store](const http::Request& req) {
    auth::require_own_origin(req);
    auto session = store->require(req, false);
    auto r = http::Response::json(200, session_body(session.account, session.csrf));
    r.header("Cache-Control", "no-store");
    return r;
  });

  // Expired sessions (and ones ended on another instance) close their consoles' sockets.
  auto sweeper = std::make_shared<ops::Periodic>("session sweep", std::chrono::seconds(2), [store] { store->sweep(); });
  app.on_shutdown([sweeper, hashing](auto) { sweeper->stop(); });
  return store;
}

}  // namespace gem
