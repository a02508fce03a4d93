// POST /v1/samples, GET /v1/staff/samples, POST /v1/staff/samples/{id}/label,
// DELETE /v1/staff/samples/{id}, GET /v1/staff/samples/export (docs/protocol.md).
#include "samples/routes.h"

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <stop_token>
#include <thread>

#include "app.h"
#include "safety/rate_limiter.h"
#include "samples/samples.h"

namespace gem {
namespace {

using nlohmann::json;

struct Options {
  int retention_days = 90;
  int per_address_per_hour = 20;
};

// "samples": {"retention_days": 90, "per_address_per_hour": 20}, each optional.
Options options(const json& section) {
  if (!section.is_object()) throw ConfigError("config.samples: expected an object");
  Options o;
  for (const auto& [key, value] : section.items()) {
    int* field = key == "retention_days" ? &o.retention_days : key == "per_address_per_hour" ? &o.per_address_per_hour : nullptr;
    if (!field) throw ConfigError("config.samples." + key + ": unknown key");
    if (!value.is_number_integer() || value.get<long>() < 1 || value.get<long>() > 3650)
      throw ConfigError("config.samples." + key + ": expected a whole number from 1 to 3650");
    *field = value.get<int>();
  }
  return o;
}

// Runs the retention sweep at start and every hour until stopped, off the network threads.
std::jthread sweep_hourly(samples::Retention& retention) {
  return std::jthread([&retention](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    while (!stop.stop_requested()) {
      try {
        retention.sweep();
      } catch (const std::exception& e) {
        std::cerr << "gem-server: samples retention sweep failed: " << e.what() << "\n";
      }
      wake.wait_for(lock, stop, std::chrono::hours(1), [] { return false; });  // wakes early on stop
    }
  });
}

struct Module {
  std::unique_ptr<samples::Store> store;
  std::unique_ptr<samples::Retention> retention;
  std::jthread sweeper;
  std::unique_ptr<RateLimiter> limiter;
  Labels labels;
};

http::Response no_store(http::Response r) {
  r.header("Cache-Control", "no-store");
  return r;
}

}  // namespace

void register_samples(App& app, std::shared_ptr<auth::Store> accounts) {
  const Config& config = app.config();
  auto o = options(config.raw.value("samples", json::object()));
  auto module = std::make_shared<Module>();
  if (config.postgres_url.empty()) {
    std::filesystem::create_directories(config.data_dir);
    module->store = samples::open_sqlite_store((config.data_dir / "samples.sqlite").string());
  } else {
    module->store = samples::open_postgres_store(config.postgres_url);
  }
  module->labels = load_labels(config.labels);
  module->limiter = std::make_unique<RateLimiter>(o.per_address_per_hour / 3600.0, o.per_address_per_hour);
  module->retention = std::make_unique<samples::Retention>(*module->store, o.retention_days);
  auto& router = app.router();

  router.post("/v1/samples", [&app, module](const http::Request& req) {
    if (req.body.size() > samples::kMaxBodyBytes)
      return http::Response::error(413, "too_large", "a sample is at most " + std::to_string(samples::kMaxBodyBytes) + " bytes");
    if (req.header("Content-Type").value_or("").rfind("application/json", 0) != 0)
      throw http::bad_request("Content-Type", "send application/json");
    // The address is a key in memory only, forgotten once its bucket is full again; it is never stored.
    if (int wait = module->limiter->take(req.client_ip)) {
      auto r = http::Response::error(429, "rate_limited", "too many samples from this address; try again later");
      r.header("Retry-After", std::to_string(wait));
      return r;
    }
    auto sample = samples::parse_sample(req.json_body(), module->labels);
    app.municipality(sample.municipality);
    if (!app.origin_allowed(req, sample.municipality))
      return http::Response::error(403, "forbidden_origin", "this origin is not allowed for this municipality");
    sample.id = samples::new_id();
    sample.date = samples::day_of(std::chrono::system_clock::now());
    module->store->add(sample);
    return http::Response::empty(204);
  });

  // Signed in, from the server's own pages, as an editor or admin.
  auto editor = [accounts](const http::Request& req, bool state_changing) {
    auth::require_own_origin(req);
    auto account = accounts->require(req, state_changing).account;
    if (!account.edits_samples()) throw http::HttpError(403, "forbidden", "samples are for editors and admins");
    return account;
  };
  // The sample behind {id}, when this account works for its municipality (otherwise: not found,
  // so that ids of other municipalities cannot be probed).
  auto owned = [module](const auth::Account& account, const std::string& id) {
    auto sample = module->store->get(id);
    if (!sample || !account.works_for(sample->municipality)) throw http::HttpError(404, "not_found", "no such sample");
    return *sample;
  };

  router.get("/v1/staff/samples", [&app, module, editor](const http::Request& req) {
    auto account = editor(req, false);
    auto gm = req.query("municipality");
    if (!gm) throw http::bad_request("municipality", "required: a GM code");
    const auto& m = app.municipality(*gm);
    if (!account.works_for(m.code)) return http::Response::error(403, "forbidden", "this account does not work for this municipality");
    auto list = module->store->list(m.code);
    // The taxonomy travels with the inbox, so the page offers exactly the labels the server accepts.
    json out = {{"samples", json::array()},
                {"failures", samples::failures(list)},
                {"taxonomy", {{"intents", module->labels.intents}, {"products", module->labels.products}, {"aspects", module->labels.aspects}}}};
    for (const auto& s : list) out["samples"].push_back(samples::to_json(s));
    return no_store(http::Response::json(200, out));
  });

  router.post("/v1/staff/samples/{id}/label", [module, editor, owned](const http::Request& req) {
    auto account = editor(req, true);
    auto sample = owned(account, req.param("id"));
    sample.label = samples::parse_label(req.json_body(), module->labels);
    module->store->set_label(sample.id, *sample.label);
    return no_store(http::Response::json(200, samples::to_json(sample)));
  });

  router.add("DELETE", "/v1/staff/samples/{id}", [module, editor, owned](const http::Request& req) {
    auto sample = owned(editor(req, true), req.param("id"));
    module->store->remove(sample.id);
    return http::Response::empty(204);
  });

  // Labelled samples for training (scripts/gem samples export): those an editor gave a taxonomy
  // label, of every municipality this account works for, or of one (?municipality=).
  router.get("/v1/staff/samples/export", [&app, module, editor](const http::Request& req) {
    auto account = editor(req, false);
    std::vector<std::string> gms;
    if (auto gm = req.query("municipality")) {
      if (!account.works_for(app.municipality(*gm).code))
        return http::Response::error(403, "forbidden", "this account does not work for this municipality");
      gms.push_back(*gm);
    } else {
      for (const auto& [code, _] : app.config().municipalities)
        if (account.works_for(code)) gms.push_back(code);
    }
    json out = {{"format", 1}, {"samples", json::array()}};
    for (const auto& gm : gms) {
      for (const auto& s : module->store->list(gm))
        if (s.label && s.label->kind == samples::Label::Kind::taxonomy) out["samples"].push_back(samples::to_json(s));
    }
    return no_store(http::Response::json(200, out));
  });

  module->sweeper = sweep_hourly(*module->retention);
  app.on_shutdown([module](std::chrono::steady_clock::time_point) {  // a stop request ends the hourly wait at once
    module->sweeper.request_stop();
    if (module->sweeper.joinable()) module->sweeper.join();
  });
}

}  // namespace gem
