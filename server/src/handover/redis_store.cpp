// Store and Bus on Redis (hiredis), for several gem-server instances behind a load balancer:
// every instance sees the same queues and conversations, and events cross by pub/sub.
#include "handover/redis_store.h"

#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <thread>

#include <hiredis/hiredis.h>

namespace gem::handover {
namespace {

const std::string kPrefix = "gem:handover:";
const std::string kChannel = "gem:handover:events";

struct Address {
  std::string host;
  int port = 6379;
  int db = 0;
};

Address parse_url(const std::string& url) {
  static const std::regex pattern(R"(redis://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\])(?::(\d{1,5}))?(?:/(\d{1,2}))?/?)");
  std::smatch m;
  if (!std::regex_match(url, m, pattern))
    throw std::invalid_argument("GEM_REDIS_URL must look like redis://HOST:PORT/DB (no password in the URL)");
  Address a{m[1], m[2].matched ? std::stoi(m[2]) : 6379, m[3].matched ? std::stoi(m[3]) : 0};
  if (a.host.front() == '[') a.host = a.host.substr(1, a.host.size() - 2);
  return a;
}

using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

redisContext* connect(const Address& a) {
  timeval timeout{2, 0};
  redisContext* c = redisConnectWithTimeout(a.host.c_str(), a.port, timeout);
  if (!c || c->err) {
    std::string message = c ? c->errstr : "out of memory";
    redisFree(c);
    throw std::runtime_error("redis " + a.host + ":" + std::to_string(a.port) + ": " + message);
  }
  if (a.db) {
    Reply r(static_cast<redisReply*>(redisCommand(c, "SELECT %d", a.db)), freeReplyObject);
    if (!r || r->type == REDIS_REPLY_ERROR) {
      redisFree(c);
      throw std::runtime_error("redis: cannot select database " + std::to_string(a.db));
    }
  }
  return c;
}

// One connection for commands, reconnected after an I/O error.
class Connection {
 public:
  explicit Connection(Address address) : address_(std::move(address)), context_(connect(address_)) {}
  ~Connection() { redisFree(context_); }

  Reply command(std::initializer_list<std::string> args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    std::lock_guard lock(mutex_);
    for (int attempt = 0;; ++attempt) {
      if (!context_) context_ = connect(address_);
      Reply reply(static_cast<redisReply*>(redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data())),
                  freeReplyObject);
      if (reply) {
        if (reply->type == REDIS_REPLY_ERROR) throw std::runtime_error(std::string("redis: ") + reply->str);
        return reply;
      }
      std::string message = context_->errstr;
      redisFree(context_);
      context_ = nullptr;
      if (attempt == 1) throw std::runtime_error("redis: " + message);
    }
  }

 private:
  Address address_;
  std::mutex mutex_;
  redisContext* context_;
};

std::string text(const redisReply* r) { return std::string(r->str, r->len); }

class RedisStore final : public Store {
 public:
  explicit RedisStore(const Address& address) : redis_(address) {}

  std::optional<std::string> get(const std::string& key) override {
    auto r = redis_.command({"GET", kPrefix + key});
    if (r->type != REDIS_REPLY_STRING) return std::nullopt;
    return text(r.get());
  }
  void set(const std::string& key, const std::string& value) override { redis_.command({"SET", kPrefix + key, value}); }
  void del(const std::string& key) override { redis_.command({"DEL", kPrefix + key}); }
  std::int64_t incr(const std::string& key) override { return redis_.command({"INCR", kPrefix + key})->integer; }

  void push_back(const std::string& list, const std::string& value) override { redis_.command({"RPUSH", kPrefix + list, value}); }
  void push_front(const std::string& list, const std::string& value) override { redis_.command({"LPUSH", kPrefix + list, value}); }
  std::int64_t remove(const std::string& list, const std::string& value) override {
    return redis_.command({"LREM", kPrefix + list, "0", value})->integer;
  }
  std::vector<std::string> range(const std::string& list) override {
    auto r = redis_.command({"LRANGE", kPrefix + list, "0", "-1"});
    std::vector<std::string> out;
    for (std::size_t i = 0; i < r->elements; ++i) out.push_back(text(r->element[i]));
    return out;
  }

  void hash_set(const std::string& hash, const std::string& field, const std::string& value) override {
    redis_.command({"HSET", kPrefix + hash, field, value});
  }
  void hash_del(const std::string& hash, const std::string& field) override { redis_.command({"HDEL", kPrefix + hash, field}); }
  std::map<std::string, std::string> hash_all(const std::string& hash) override {
    auto r = redis_.command({"HGETALL", kPrefix + hash});
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i + 1 < r->elements; i += 2) out[text(r->element[i])] = text(r->element[i + 1]);
    return out;
  }

 private:
  Connection redis_;
};

class RedisBus final : public Bus {
 public:
  explicit RedisBus(Address address) : address_(std::move(address)), publisher_(address_) {}
  ~RedisBus() override {
    stopping_ = true;
    {
      std::lock_guard lock(mutex_);
      // Unblocks the subscriber's read.
      if (subscriber_) ::shutdown(subscriber_->fd, SHUT_RDWR);
    }
    if (thread_.joinable()) thread_.join();
  }

  void publish(const std::string& message) override { publisher_.command({"PUBLISH", kChannel, message}); }

  void subscribe(std::function<void(const std::string&)> handler) override {
    {
      std::lock_guard lock(mutex_);
      handlers_.push_back(std::move(handler));
      if (thread_.joinable()) return;
    }
    // Subscribed before returning, so nothing published afterwards is missed.
    redisContext* c = subscribed();
    std::lock_guard lock(mutex_);
    subscriber_ = c;
    thread_ = std::thread([this] { listen(); });
  }

 private:
  redisContext* subscribed() {
    redisContext* c = connect(address_);
    redisSetTimeout(c, timeval{0, 0});  // waits for events indefinitely
    Reply r(static_cast<redisReply*>(redisCommand(c, "SUBSCRIBE %s", kChannel.c_str())), freeReplyObject);
    if (!r) {
      redisFree(c);
      throw std::runtime_error("redis: cannot subscribe");
    }
    return c;
  }

  void listen() {
    while (!stopping_) {
      redisContext* c;
      {
        std::lock_guard lock(mutex_);
        c = subscriber_;
      }
      void* raw = nullptr;
      if (c && redisGetReply(c, &raw) == REDIS_OK) {
        Reply r(static_cast<redisReply*>(raw), freeReplyObject);
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 && text(r->element[0]) == "message") {
          std::vector<std::function<void(const std::string&)>> handlers;
          {
            std::lock_guard lock(mutex_);
            handlers = handlers_;
          }
          for (auto& h : handlers) h(text(r->element[2]));
        }
        continue;
      }
      // Connection lost: reconnect (events in between are lost; the next queue change repairs views).
      {
        std::lock_guard lock(mutex_);
        redisFree(subscriber_);
        subscriber_ = nullptr;
      }
      if (stopping_) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      try {
        redisContext* fresh = subscribed();
        std::lock_guard lock(mutex_);
        subscriber_ = fresh;
      } catch (const std::exception&) {
      }
    }
    std::lock_guard lock(mutex_);
    redisFree(subscriber_);
    subscriber_ = nullptr;
  }

  Address address_;
  Connection publisher_;
  std::mutex mutex_;
  redisContext* subscriber_ = nullptr;
  std::vector<std::function<void(const std::string&)>> handlers_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Store> make_redis_store(const std::string& url) { return std::make_unique<RedisStore>(parse_url(url)); }
std::unique_ptr<Bus> make_redis_bus(const std::string& url) { return std::make_unique<RedisBus>(parse_url(url)); }

}  // namespace gem::handover
