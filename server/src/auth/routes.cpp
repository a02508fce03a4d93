// POST /v1/agent/login, POST /v1/agent/logout, GET /v1/agent/session (docs/protocol.md).
#include "auth/routes.h"

#include "app.h"

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
  auto store = std::make_shared<auth::Store>(auth::database_file(app.config().data_dir));
  auto limiter = std::make_shared<auth::LoginLimiter>();
  auto& router = app.router();

  router.post("/v1/agent/login", [store, limiter](const http::Request& req) {
    auth::require_own_origin(req);
    json body = req.json_body();
    std::string username = string_field(body, "username", 64);
    std::string password = string_field(body, "password", 1024);
    const std::string ip_key = "ip:" + req.client_ip, user_key = "user:" + username;
    if (int wait = std::max(limiter->retry_after(ip_key), limiter->retry_after(user_key))) {
      auto r = http::Response::error(429, "rate_limited", "too many failed sign-ins; try again later");
      r.header("Retry-After", std::to_string(wait));
      return r;
    }
    auto account = store->verify(username, password);
    if (!account) {
      limiter->failed(ip_key);
      limiter->failed(user_key);
      return http::Response::error(401, "unauthorized", "wrong user name or password");
    }
    limiter->succeeded(user_key);
    auto session = store->create_session(*account);
    auto r = http::Response::json(200, session_body(*account, session.csrf));
    r.header("Cache-Control", "no-store");
    r.cookie(session_cookie(session.token, store->session_lifetime()));
    return r;
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

  return store;
}

}  // namespace gem
