// GET /v1/live/{gm}/opening-hours | appointments | waste | status (docs/protocol.md).
#include <chrono>
#include <iostream>
#include <memory>

#include "app.h"
#include "config/labels.h"
#include "live/provider.h"
#include "live/sqlite_provider.h"
#include "live/validation.h"
#include "ops/metrics.h"
#include "safety/rate_limiter.h"

namespace gem {
namespace {

using nlohmann::json;
using namespace live;

// Application status per client: 10 look-ups at once, then one every 6 seconds. A resident asks a few
// times; enumerating references with this limit takes longer than the references live.
constexpr double kStatusPerSecond = 1.0 / 6, kStatusBurst = 10;

json label(const Label& l) { return {{"nl", l.nl}, {"en", l.en}}; }

json periods(const std::vector<Period>& ps) {
  json out = json::array();
  for (const auto& p : ps) out.push_back({{"from", clock(p.from)}, {"to", clock(p.to)}});
  return out;
}

const Label& stream_label(const std::string& stream) {
  static const std::map<std::string, Label> labels = {
      {"rest", {"Restafval", "General waste"}},
      {"gft", {"Groente-, fruit- en tuinafval", "Food and garden waste"}},
      {"papier", {"Oud papier en karton", "Paper and cardboard"}},
      {"pmd", {"Plastic, metaal en drinkpakken", "Plastic, metal and drink cartons"}},
      {"glas", {"Glas", "Glass"}},
      {"textiel", {"Textiel", "Textiles"}}};
  return labels.at(stream);
}

http::Response cached(http::Response r, const char* cache_control) {
  r.header("Cache-Control", cache_control);
  return r;
}

// A provider failure (its upstream is down) is not the resident's fault: 503, and the widget says so.
template <typename F>
http::Response guarded(F&& answer) {
  try {
    return answer();
  } catch (const http::HttpError&) {
    throw;
  } catch (const std::exception& e) {
    std::cerr << "gem-server: live-data provider failed: " << e.what() << "\n";
    return http::Response::error(503, "unavailable", "the municipality's system did not answer; try again later");
  }
}

}  // namespace

void register_live(App& app) {
  const auto& config = app.config();
  std::filesystem::create_directories(config.data_dir);
  auto registry = std::make_unique<Registry>();
  registry->add("sqlite", std::make_shared<SqliteProvider>(config.data_dir / "live.sqlite", config.live_seed));
  for (const auto& [code, m] : config.municipalities) registry->for_municipality(m);  // fail at start, not per request
  app.set_live(std::move(registry));
  auto labels = std::make_shared<Labels>(load_labels(config.labels));
  auto now = [] { return amsterdam(std::chrono::system_clock::now()); };
  auto& router = app.router();

  router.get("/v1/live/{gm}/opening-hours", [&app, now](const http::Request& req) {
    const auto& m = app.municipality(req.param("gm"));
    only_query(req, {});
    return guarded([&] {
      auto t = now();
      auto week = app.live().for_municipality(m).opening_hours(m, t.date, 7);
      bool open_now = false;
      for (const auto& p : week.at(0).periods) open_now = open_now || (t.minutes >= p.from && t.minutes < p.to);
      json days = json::array();
      for (const auto& d : week) {
        days.push_back({{"date", iso_date(d.date)}, {"periods", periods(d.periods)},
                        {"exception", d.exception ? label(*d.exception) : json(nullptr)}});
      }
      json body = {{"municipality", m.code}, {"open_now", open_now},
                   {"today", {{"date", iso_date(t.date)}, {"periods", periods(week.at(0).periods)}}},
                   {"week", days}, {"phone", m.phone}};
      return cached(http::Response::json(200, body), "public, max-age=300");
    });
  });

  router.get("/v1/live/{gm}/appointments", [&app, labels, now](const http::Request& req) {
    const auto& m = app.municipality(req.param("gm"));
    only_query(req, {"product", "limit"});
    auto product = req.query("product");
    if (!product || product->empty()) throw http::bad_request("product", "required: a product label such as paspoort");
    if (!labels->products.count(*product)) throw http::bad_request("product", "not a product label of the label set");
    int limit = 3;
    if (auto l = req.query("limit")) limit = parse_int("limit", *l, 1, 10);
    return guarded([&] {
      auto slots = app.live().for_municipality(m).appointments(m, *product, now(), limit);
      json list = json::array();
      for (const auto& s : slots) {
        list.push_back({{"start", iso_datetime(s.date, s.minutes)},
                        {"location", {{"name", s.location.name}, {"address", s.location.address}}}});
      }
      json body = {{"municipality", m.code}, {"product", *product}, {"slots", list},
                   {"booking_url", m.booking_url.empty() ? json(nullptr) : json(m.booking_url)}};
      return cached(http::Response::json(200, body), "public, max-age=60");
    });
  });

  router.get("/v1/live/{gm}/waste", [&app, now](const http::Request& req) {
    const auto& m = app.municipality(req.param("gm"));
    only_query(req, {"postcode", "house_number"});
    auto postcode = req.query("postcode");
    auto number = req.query("house_number");
    if (!postcode) throw http::bad_request("postcode", "required");
    if (!number) throw http::bad_request("house_number", "required");
    auto address = parse_house_number(*number, parse_postcode(*postcode));
    return guarded([&] {
      auto found = app.live().for_municipality(m).waste(m, address, now().date, 28);
      if (!found) return http::Response::error(404, "not_found", "no collection calendar for this address in this municipality");
      json list = json::array();
      for (const auto& c : *found) {
        list.push_back({{"date", iso_date(c.date)}, {"stream", c.stream}, {"label", label(stream_label(c.stream))}});
      }
      json body = {{"municipality", m.code}, {"postcode", address.postcode},
                   {"house_number", std::to_string(address.house_number) + address.addition}, {"collections", list}};
      return cached(http::Response::json(200, body), "private, max-age=3600");
    });
  });

  // A reference alone is enumerable (about 10^4 a year): the look-up also needs the postcode and house
  // number the application was made for, and has a strict limit of its own per client.
  auto status_limiter = std::make_shared<RateLimiter>(kStatusPerSecond, kStatusBurst);
  router.get("/v1/live/{gm}/status", [&app, labels, status_limiter](const http::Request& req) {
    if (int wait = status_limiter->take(http::address_block(req.client_ip))) {
      app.metrics().rate_limited("status");
      auto r = http::Response::error(429, "rate_limited", "too many status look-ups; try again later");
      r.header("Retry-After", std::to_string(wait));
      return r;
    }
    const auto& m = app.municipality(req.param("gm"));
    only_query(req, {"reference", "product", "postcode", "house_number"});
    auto reference = req.query("reference");
    if (!reference) throw http::bad_request("reference", "required");
    auto ref = parse_reference(*reference);
    auto postcode = req.query("postcode");
    auto number = req.query("house_number");
    if (!postcode) throw http::bad_request("postcode", "required: the postcode the application was made for");
    if (!number) throw http::bad_request("house_number", "required: the house number the application was made for");
    auto address = parse_house_number(*number, parse_postcode(*postcode));
    auto product = req.query("product");
    if (product && !labels->products.count(*product)) throw http::bad_request("product", "not a product label of the label set");
    return guarded([&] {
      auto s = app.live().for_municipality(m).status(m, ref, address);
      // A wrong address or product answers like an unknown reference: no hint that the number exists.
      if (!s || (product && s->product != *product)) {
        return cached(http::Response::error(404, "not_found", "no application with this reference for this address"), "no-store");
      }
      json body = {{"municipality", m.code}, {"reference", s->reference}, {"product", s->product}, {"status", s->status},
                   {"label", label(s->label)}, {"updated", s->updated}};
      return cached(http::Response::json(200, body), "no-store");
    });
  });
}

}  // namespace gem
