// Human handover over HTTP (docs/protocol.md): GET /v1/handover/{gm}/availability, the resident
// WebSocket /v1/handover, the agent WebSocket /v1/agent/socket and the vendor webhook
// POST /v1/handover/webhook/{gm}. Frames are never logged: they carry what residents type.
#include "handover/routes.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>
#include <type_traits>

#include <sodium.h>

#include "app.h"
#include "handover/hub.h"
#include "handover/redis_store.h"
#include "handover/webhook.h"
#include "live/calendar.h"
#include "live/provider.h"
#include "ops/metrics.h"
#include "safety/rate_limiter.h"
#include "static/static_files.h"

namespace gem {
namespace {

using nlohmann::json;

handover::Send sender(const std::shared_ptr<http::WebSocketSession>& session) {
  return [weak = std::weak_ptr<http::WebSocketSession>(session)](const std::string& frame) {
    if (auto s = weak.lock()) s->send(frame);
  };
}

// A flooding socket gets one `rate_limited` error instead of reaching the hub (the widget sends a
// typing frame at most every 3 s; people do not send 5 messages a second), and is closed (1008) when
// it keeps flooding: 100 more refused frames before the limit lets one through again.
void wire(const std::shared_ptr<http::WebSocketSession>& session, std::shared_ptr<handover::Hub::Peer> peer,
          std::shared_ptr<RateLimiter> limiter) {
  std::weak_ptr<http::WebSocketSession> weak = session;
  // A key per socket that is never used again (a freed session's address is: a new socket there
  // inherited a closed flooder's empty bucket and lost its first frames).
  static std::atomic<std::uint64_t> sockets{0};
  std::string key = std::to_string(++sockets);
  session->on_message([peer, limiter, weak, key, refused = 0](const std::string& frame) mutable {
    if (limiter->take(key) == 0) {
      refused = 0;
      return peer->receive(frame);
    }
    auto s = weak.lock();
    if (!s) return;
    if (++refused == 1) s->send(json{{"type", "error"}, {"error", "rate_limited"}, {"reason", "too many frames; slow down"}}.dump());
    if (refused > 100) s->close("rate_limited", http::CloseCode::policy_violation);
  });
  session->on_close([peer] { peer->closed(); });
}

// Runs the hub's sweep every few seconds until shutdown, and checkpoints the store soon after a
// conversation was deleted (so its text leaves the write-ahead log at once, not on a network thread).
class Sweeper {
 public:
  explicit Sweeper(handover::Store& store) : store_(store) {}
  ~Sweeper() { stop(); }
  void start(std::shared_ptr<handover::Hub> hub) {
    hub_ = std::move(hub);
    thread_ = std::thread([this] { run(); });
  }
  void checkpoint_soon() {
    {
      std::lock_guard lock(mutex_);
      checkpoint_ = true;
    }
    wake_.notify_all();
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    auto next_sweep = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!stopping_) {
      wake_.wait_until(lock, next_sweep, [this] { return stopping_ || checkpoint_; });
      if (stopping_) break;
      bool sweep = std::chrono::steady_clock::now() >= next_sweep;
      checkpoint_ = false;
      lock.unlock();
      try {
        if (sweep) hub_->sweep();  // checkpoints too
        else store_.checkpoint();
      } catch (const std::exception& e) {
        std::cerr << "gem-server: handover sweep failed: " << e.what() << "\n";
      }
      lock.lock();
      if (sweep) next_sweep = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    }
  }
  handover::Store& store_;
  std::shared_ptr<handover::Hub> hub_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false, checkpoint_ = false;
  std::thread thread_;
};

// This instance's name in the shared store, kept in the data folder so that a restart (also after
// kill -9) withdraws what the previous run left there. A second live process on the same folder gets
// a fresh name (the file lock tells).
std::string instance_name(const std::filesystem::path& data_dir) {
  auto file = data_dir / "handover-instance";
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return {};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return {};
  }
  // Held (and the descriptor kept open) for the life of the process.
  std::string name;
  std::ifstream(file) >> name;
  if (name.size() != 16 || name.find_first_not_of("0123456789abcdef") != std::string::npos) {
    unsigned char raw[8];
    randombytes_buf(raw, sizeof raw);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    name = hex;
    std::ofstream(file, std::ios::trunc) << name << "\n";
  }
  return name;
}

// "handover": {"vendors": {…}, "max_queue": 50, …}: the hub's limits (HubOptions), each optional.
handover::HubOptions hub_options(const json& section, const Config& config) {
  handover::HubOptions options;
  static const std::set<std::string> known{"vendors", "max_queue", "max_conversations_per_address", "max_messages",
                                           "max_conversation_bytes", "abandon_unseen_seconds", "abandon_seconds"};
  for (const auto& [key, value] : section.items())
    if (!known.count(key)) throw ConfigError("config.handover." + key + ": unknown key");
  auto whole = [&](const char* key, auto& field, std::int64_t low, std::int64_t high) {
    if (!section.contains(key)) return;
    const json& v = section[key];
    if (!v.is_number_integer() || v.get<std::int64_t>() < low || v.get<std::int64_t>() > high)
      throw ConfigError("config.handover." + std::string(key) + ": expected a whole number from " + std::to_string(low) +
                        " to " + std::to_string(high));
    field = static_cast<std::remove_reference_t<decltype(field)>>(v.get<std::int64_t>());
  };
  whole("max_queue", options.max_queue, 1, 100000);
  whole("max_conversations_per_address", options.max_conversations_per_address, 1, 1000);
  whole("max_messages", options.max_messages, 1, 100000);
  whole("max_conversation_bytes", options.max_conversation_bytes, 1024, 64 * 1024 * 1024);
  std::int64_t unseen = options.abandon_unseen_after.count(), abandon = options.abandon_after.count();
  whole("abandon_unseen_seconds", unseen, 5, 86400);
  whole("abandon_seconds", abandon, 5, 86400);
  options.abandon_unseen_after = std::chrono::seconds(unseen);
  options.abandon_after = std::chrono::seconds(abandon);
  options.frames.frame_bytes = config.max_frame_bytes;
  options.instance = instance_name(config.data_dir);
  return options;
}

// One hub per process, with what it needs kept alive as long as the server runs.
struct Module {
  std::unique_ptr<handover::Store> store;
  std::unique_ptr<handover::Bus> bus;
  std::shared_ptr<handover::Hub> hub;
  std::map<std::string, std::string> webhook_secrets;  // by municipality
  std::vector<std::shared_ptr<handover::WebhookAdapter>> adapters;
  std::unique_ptr<Sweeper> sweeper;
  std::shared_ptr<RateLimiter> frames = std::make_shared<RateLimiter>(5, 20);  // per socket
};

}  // namespace

void register_handover(App& app, std::shared_ptr<auth::Store> accounts) {
  const Config& config = app.config();
  auto module = std::make_shared<Module>();
  std::filesystem::create_directories(config.data_dir);
  const json section = config.raw.value("handover", json::object());
  if (!section.is_object()) throw ConfigError("config.handover: expected an object");
  handover::HubOptions options = hub_options(section, config);
  if (!config.redis_url.empty()) {
    handover::RedisOptions redis;
    try {
      redis = handover::redis_options_from_environment(config.redis_url);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(e.what());
    }
    module->store = handover::make_redis_store(redis);
    module->bus = handover::make_redis_bus(redis);
  } else {
    module->store = handover::make_sqlite_store((config.data_dir / "handover.sqlite").string());
    module->bus = handover::make_local_bus();
  }
  handover::Directory directory = [&app](const std::string& gm) -> std::optional<handover::Municipality> {
    const Municipality* m = app.config().municipality(gm);
    if (!m) return std::nullopt;
    auto today = app.live().today(*m, live::amsterdam(std::chrono::system_clock::now()));
    handover::Municipality out;
    out.open_now = today.open_now;
    for (const auto& p : today.day.periods) out.today.push_back({{"from", live::clock(p.from)}, {"to", live::clock(p.to)}});
    out.alternatives = {{"phone", m->phone}, {"contact_form_url", m->contact_form_url}, {"callback_url", m->callback_url}};
    return out;
  };
  module->sweeper = std::make_unique<Sweeper>(*module->store);
  options.deleted = [sweeper = module->sweeper.get()] { sweeper->checkpoint_soon(); };  // the module outlives the hub
  module->hub = std::make_shared<handover::Hub>(*module->store, *module->bus, std::move(directory), options);

  // "handover": {"vendors": {"GM0363": {"webhook_url": "http://…", "secret": "…"}}}
  const json vendors = section.value("vendors", json::object());
  for (const auto& [gm, vendor] : vendors.items()) {
    if (!config.municipality(gm)) throw ConfigError("config.handover.vendors: " + gm + " is not a configured municipality");
    try {
      auto adapter = std::make_shared<handover::WebhookAdapter>(vendor.at("webhook_url").get<std::string>(), vendor.at("secret").get<std::string>());
      module->webhook_secrets[gm] = vendor.at("secret").get<std::string>();
      module->adapters.push_back(adapter);
      module->hub->attach_vendor(gm, adapter);
    } catch (const std::exception& e) {
      throw ConfigError("config.handover.vendors." + gm + ": " + e.what());
    }
  }

  auto& router = app.router();
  router.get("/v1/handover/{gm}/availability", [&app, module](const http::Request& req) {
    app.municipality(req.param("gm"));
    auto answer = module->hub->availability(req.param("gm"));
    if (!answer) throw http::HttpError(404, "unknown_municipality", "this municipality is not configured");
    auto r = http::Response::json(200, *answer);
    r.header("Cache-Control", "no-store");
    return r;
  });

  // The `start` frame carries the consented transcript: up to 64 KiB; the hub holds others to 4 KiB.
  router.websocket("/v1/handover", [&app, module](std::shared_ptr<http::WebSocketSession> session) {
    std::weak_ptr<http::WebSocketSession> weak = session;  // the session owns the peer: no cycle
    auto peer = module->hub->connect_resident(sender(session), [&app, weak](const std::string& gm) {
      auto s = weak.lock();
      return s && app.origin_allowed(s->request(), gm);
    }, session->request().client_ip);
    wire(session, peer, module->frames);
  }, 64 * 1024);

  router.websocket("/v1/agent/socket", [module, accounts](std::shared_ptr<http::WebSocketSession> session) {
    auto signed_in = accounts->current(session->request());
    auto origin = session->request().origin();
    if (!origin || !session->request().is_own_origin(*origin) || !signed_in) {
      session->send(json{{"type", "error"}, {"error", signed_in ? "forbidden_origin" : "unauthorized"},
                         {"reason", signed_in ? "the console must be opened from this server" : "sign in first"}}.dump());
      session->close(signed_in ? "forbidden_origin" : "unauthorized");
      return;
    }
    const auth::Account& a = signed_in->account;
    if (!a.handles_conversations()) {  // editors read shared samples, not residents' live conversations
      session->send(json{{"type", "error"}, {"error", "forbidden"}, {"reason", "this account does not take conversations"}}.dump());
      session->close("forbidden");
      return;
    }
    accounts->watch(session->request(), session);  // sign-out, a new password or expiry closes it
    wire(session, module->hub->connect_agent({a.username, a.display_name, a.municipalities}, sender(session)), module->frames);
  });

  router.post("/v1/handover/webhook/{gm}", [&app, module](const http::Request& req) {
    const std::string gm = req.param("gm");
    app.municipality(gm);
    auto secret = module->webhook_secrets.find(gm);
    if (secret == module->webhook_secrets.end()) throw http::HttpError(404, "not_found", "this municipality has no vendor webhook");
    if (!handover::webhook_signature_valid(secret->second, req.header("X-Gem-Timestamp").value_or(""),
                                           req.header("X-Gem-Signature").value_or(""), req.body, std::chrono::system_clock::now()))
      return http::Response::error(401, "unauthorized", "missing, wrong or expired X-Gem-Signature");
    switch (handover::remember_webhook_nonce(*module->store, gm, *req.header("X-Gem-Timestamp"), *req.header("X-Gem-Signature"),
                                             std::chrono::system_clock::now())) {
      case handover::Nonce::replayed:
        return http::Response::error(409, "replayed", "this signed event was already received");
      case handover::Nonce::too_many: {
        auto r = http::Response::error(503, "busy", "too many events in five minutes; try again later");
        r.header("Retry-After", "5");
        return r;
      }
      case handover::Nonce::fresh:
        break;
    }
    if (!module->hub->vendor_event(gm, req.json_body()))
      return http::Response::error(404, "not_found", "no such conversation, or the event does not apply to it");
    return http::Response::empty(204);
  });

  // The agent console: a page plus its script and style (server/web/agent).
  auto files = std::make_shared<StaticFiles>(std::vector<StaticMount>{{"/agent", config.web / "agent/index.html"},
                                                                      {"/agent/", config.web / "agent"}});
  router.get("/agent", [files](const http::Request& req) { return files->serve(req); });
  router.get("/agent/{file}", [files](const http::Request& req) { return files->serve(req); });

  app.metrics().gauge("gem_handover_queue_length", "Residents waiting for an agent, per municipality.", "municipality",
                      [module, &config] {
                        std::vector<std::pair<std::string, double>> out;
                        for (const auto& [gm, _] : config.municipalities) out.emplace_back(gm, module->hub->counts(gm).queue_length);
                        return out;
                      });
  module->sweeper->start(module->hub);
  app.on_shutdown([module](auto deadline) {
    module->sweeper->stop();
    module->hub->shutdown();
    // Events still waiting for a vendor get until a second before the deadline; that second is for
    // the sockets' goodbyes (residents reconnect to another instance).
    for (auto& adapter : module->adapters) adapter->flush(deadline - std::chrono::seconds(1));
  });
}

}  // namespace gem
