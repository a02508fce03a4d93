// POST /v1/events, GET /v1/dashboard/{gm} and the /dashboard page (docs/protocol.md).
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "analytics/events.h"
#include "app.h"
#include "live/calendar.h"
#include "static/static_files.h"

namespace gem {

void register_analytics(App& app) {
  const auto& config = app.config();
  std::shared_ptr<analytics::Store> store;
  if (config.postgres_url.empty()) {
    std::filesystem::create_directories(config.data_dir);
    store = analytics::open_sqlite_store((config.data_dir / "analytics.sqlite").string());
  } else {
    store = analytics::open_postgres_store(config.postgres_url);
  }
  auto labels = std::make_shared<Labels>(load_labels(config.labels));
  auto& router = app.router();

  router.post("/v1/events", [&app, store, labels](const http::Request& req) {
    auto type = req.header("Content-Type").value_or("");
    if (type.rfind("application/json", 0) != 0 && type.rfind("text/plain", 0) != 0) {
      throw http::bad_request("Content-Type", "send application/json");
    }
    auto batch = analytics::parse_events(req.json_body(), *labels);
    app.municipality(batch.municipality);
    if (!app.origin_allowed(req, batch.municipality)) {
      return http::Response::error(403, "forbidden_origin", "this origin is not allowed for this municipality");
    }
    auto today = live::iso_date(live::amsterdam(std::chrono::system_clock::now()).date);
    store->add(batch.municipality, today, batch.counts);
    return http::Response::empty(204);
  });

  router.get("/v1/dashboard/{gm}", [&app, store](const http::Request& req) {
    auto staff = app.staff(req);
    if (!staff) return http::Response::error(401, "unauthorized", "sign in first");
    const auto& m = app.municipality(req.param("gm"));
    bool allowed = staff->role == "admin" ||
                   std::find(staff->municipalities.begin(), staff->municipalities.end(), m.code) != staff->municipalities.end();
    if (!allowed) return http::Response::error(403, "forbidden", "this account does not work for this municipality");
    auto today = live::amsterdam(std::chrono::system_clock::now()).date;
    auto date = [&](const char* field, live::Date fallback) {
      auto text = req.query(field);
      if (!text) return fallback;
      auto d = live::parse_date(*text);
      if (!d) throw http::bad_request(field, "expected a date YYYY-MM-DD");
      return *d;
    };
    auto to = date("to", today);
    auto from = date("from", to - std::chrono::days(27));
    if (from > to) throw http::bad_request("from", "must not be after to");
    if (to - from > std::chrono::days(366)) throw http::bad_request("from", "at most 366 days at a time");
    auto summary = analytics::summarise(store->range(m.code, live::iso_date(from), live::iso_date(to)));
    summary["municipality"] = m.code;
    summary["name"] = m.name;
    summary["from"] = live::iso_date(from);
    summary["to"] = live::iso_date(to);
    auto r = http::Response::json(200, summary);
    r.header("Cache-Control", "no-store");
    return r;
  });

  // The page and its script and style; the page asks /v1/dashboard itself and shows sign-in on 401.
  auto files = std::make_shared<StaticFiles>(std::vector<StaticMount>{{"/dashboard", config.web / "dashboard/index.html"},
                                                                      {"/dashboard/", config.web / "dashboard"}});
  router.get("/dashboard", [files](const http::Request& req) { return files->serve(req); });
  router.get("/dashboard/{file}", [files](const http::Request& req) { return files->serve(req); });
}

}  // namespace gem
