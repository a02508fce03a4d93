// Store and Bus on Redis (hiredis), for several gem-server instances behind a load balancer:
// every instance sees the same queues and conversations, and events cross by pub/sub.
#include "handover/redis_store.h"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <thread>

#include <hiredis/hiredis.h>
#include <sodium.h>

namespace gem::handover {
namespace {

const std::string kPrefix = "gem:handover:";
const std::string kChannel = "gem:handover:events";
constexpr std::int64_t kBusMessageMaxAge = 30;  // seconds: a replayed old bus message is dropped

struct Address {
  std::string host;
  int port = 6379;
  int db = 0;
  std::optional<std::string> username, password;
};

Address parse_url(const RedisOptions& options) {
  static const std::regex pattern(R"(redis://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\])(?::(\d{1,5}))?(?:/(\d{1,2}))?/?)");
  std::smatch m;
  if (!std::regex_match(options.url, m, pattern))
    throw std::invalid_argument("GEM_REDIS_URL must look like redis://HOST:PORT/DB (credentials go in GEM_REDIS_USERNAME/GEM_REDIS_PASSWORD)");
  Address a{m[1], m[2].matched ? std::stoi(m[2]) : 6379, m[3].matched ? std::stoi(m[3]) : 0, options.username, options.password};
  if (a.host.front() == '[') a.host = a.host.substr(1, a.host.size() - 2);
  return a;
}

using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

Reply run(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  return Reply(static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())),
               freeReplyObject);
}

redisContext* connect(const Address& a) {
  timeval timeout{2, 0};
  redisContext* c = redisConnectWithTimeout(a.host.c_str(), a.port, timeout);
  std::string where = "redis " + a.host + ":" + std::to_string(a.port);
  if (!c || c->err) {
    std::string message = c ? c->errstr : "out of memory";
    redisFree(c);
    throw std::runtime_error(where + ": " + message);
  }
  auto check = [&](const std::vector<std::string>& args, const std::string& what) {
    Reply r = run(c, args);
    if (!r || r->type == REDIS_REPLY_ERROR) {
      std::string detail = r ? std::string(r->str, r->len) : c->errstr;
      redisFree(c);
      throw std::runtime_error(where + ": " + what + ": " + detail);
    }
  };
  if (a.password) {
    if (a.username) check({"AUTH", *a.username, *a.password}, "sign-in with GEM_REDIS_USERNAME/GEM_REDIS_PASSWORD failed");
    else check({"AUTH", *a.password}, "sign-in with GEM_REDIS_PASSWORD failed");
  }
  check({"PING"}, "no answer to PING (does it need GEM_REDIS_PASSWORD?)");
  if (a.db) check({"SELECT", std::to_string(a.db)}, "cannot select database " + std::to_string(a.db));
  return c;
}

// One connection for commands, reconnected after an I/O error (but never inside a transaction:
// a new connection would not be watching).
class Connection {
 public:
  explicit Connection(Address address) : address_(std::move(address)), context_(connect(address_)) {}
  ~Connection() { redisFree(context_); }

  Reply command(const std::vector<std::string>& args) {
    std::lock_guard lock(mutex_);
    return locked_command(args, true);
  }
  // Holds the connection for a WATCH … EXEC sequence.
  std::unique_lock<std::mutex> hold() { return std::unique_lock(mutex_); }
  Reply locked_command(const std::vector<std::string>& args, bool may_reconnect) {
    for (int attempt = 0;; ++attempt) {
      if (!context_) context_ = connect(address_);
      Reply reply = run(context_, args);
      if (reply) {
        if (reply->type == REDIS_REPLY_ERROR) throw std::runtime_error("redis: " + std::string(reply->str, reply->len));
        return reply;
      }
      std::string message = context_->errstr;
      redisFree(context_);
      context_ = nullptr;
      if (attempt == 1 || !may_reconnect) throw std::runtime_error("redis: " + message);
    }
  }

 private:
  Address address_;
  std::mutex mutex_;
  redisContext* context_;
};

std::string text(const redisReply* r) { return std::string(r->str, r->len); }

std::vector<std::string> strings(const Reply& r) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r->elements; ++i) out.push_back(text(r->element[i]));
  return out;
}
std::map<std::string, std::string> fields(const Reply& r) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i + 1 < r->elements; i += 2) out[text(r->element[i])] = text(r->element[i + 1]);
  return out;
}

std::vector<std::string> command_for(const Transaction::Write& w) {
  const std::string key = kPrefix + w.key;
  switch (w.kind) {
    case Transaction::Write::set: return {"SET", key, w.field_or_value};
    case Transaction::Write::del: return {"DEL", key};
    case Transaction::Write::push_back: return {"RPUSH", key, w.field_or_value};
    case Transaction::Write::push_front: return {"LPUSH", key, w.field_or_value};
    case Transaction::Write::remove: return {"LREM", key, "0", w.field_or_value};
    case Transaction::Write::hash_set: return {"HSET", key, w.field_or_value, w.value};
    case Transaction::Write::hash_del: return {"HDEL", key, w.field_or_value};
  }
  throw std::logic_error("unknown write");
}

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
    return strings(redis_.command({"LRANGE", kPrefix + list, "0", "-1"}));
  }

  void hash_set(const std::string& hash, const std::string& field, const std::string& value) override {
    redis_.command({"HSET", kPrefix + hash, field, value});
  }
  void hash_del(const std::string& hash, const std::string& field) override { redis_.command({"HDEL", kPrefix + hash, field}); }
  std::map<std::string, std::string> hash_all(const std::string& hash) override {
    return fields(redis_.command({"HGETALL", kPrefix + hash}));
  }

  // WATCH, read and decide, MULTI, the writes, EXEC; EXEC answers nil when a watched key changed.
  bool update(const std::vector<std::string>& watched, const std::function<bool(Transaction&)>& decide) override {
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto hold = redis_.hold();
      std::vector<std::string> watch{"WATCH"};
      for (const auto& key : watched) watch.push_back(kPrefix + key);
      if (watched.size()) redis_.locked_command(watch, true);
      Reads reads(redis_);
      try {
        bool decided = decide(reads);
        if (!decided || reads.writes().empty()) {
          redis_.locked_command({"UNWATCH"}, false);
          return decided;
        }
        redis_.locked_command({"MULTI"}, false);
        for (const auto& w : reads.writes()) redis_.locked_command(command_for(w), false);
        if (redis_.locked_command({"EXEC"}, false)->type != REDIS_REPLY_NIL) return true;
      } catch (...) {
        // Leave the connection clean for the next caller (no half-open MULTI, no WATCH).
        for (const char* reset : {"DISCARD", "UNWATCH"}) try {
            redis_.locked_command({reset}, false);
          } catch (const std::exception&) {
          }
        throw;
      }
    }
    throw std::runtime_error("redis: an update kept conflicting with other writers");
  }

 private:
  class Reads final : public Transaction {
   public:
    explicit Reads(Connection& redis) : redis_(redis) {}
    std::optional<std::string> get(const std::string& key) override {
      auto r = redis_.locked_command({"GET", kPrefix + key}, false);
      if (r->type != REDIS_REPLY_STRING) return std::nullopt;
      return text(r.get());
    }
    std::vector<std::string> range(const std::string& list) override {
      return strings(redis_.locked_command({"LRANGE", kPrefix + list, "0", "-1"}, false));
    }
    std::map<std::string, std::string> hash_all(const std::string& hash) override {
      return fields(redis_.locked_command({"HGETALL", kPrefix + hash}, false));
    }
   private:
    Connection& redis_;
  };

  Connection redis_;
};

std::string hmac_hex(const std::string& secret, const std::string& message) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  std::string hex(sizeof mac * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac, sizeof mac);
  hex.pop_back();
  return hex;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// On the channel: "<hex HMAC-SHA256 of '<unix seconds> <message>'> <unix seconds> <message>".
std::string signed_message(const std::string& secret, const std::string& message) {
  std::string body = std::to_string(unix_now()) + " " + message;
  return hmac_hex(secret, body) + " " + body;
}

std::optional<std::string> verified_message(const std::string& secret, const std::string& wire) {
  auto space = wire.find(' ');
  if (space != 2 * crypto_auth_hmacsha256_BYTES) return std::nullopt;
  std::string body = wire.substr(space + 1);
  std::string expected = hmac_hex(secret, body);
  if (sodium_memcmp(expected.data(), wire.data(), expected.size()) != 0) return std::nullopt;
  auto second = body.find(' ');
  if (second == std::string::npos) return std::nullopt;
  std::int64_t sent = std::strtoll(body.substr(0, second).c_str(), nullptr, 10);
  if (std::llabs(unix_now() - sent) > kBusMessageMaxAge) return std::nullopt;
  return body.substr(second + 1);
}

class RedisBus final : public Bus {
 public:
  RedisBus(Address address, std::string secret)
      : address_(std::move(address)), secret_(std::move(secret)), publisher_(address_) {}
  ~RedisBus() override {
    stopping_ = true;
    {
      std::lock_guard lock(mutex_);
      // Unblocks the subscriber's read.
      if (subscriber_) ::shutdown(subscriber_->fd, SHUT_RDWR);
    }
    if (thread_.joinable()) thread_.join();
  }

  void publish(const std::string& message) override { publisher_.command({"PUBLISH", kChannel, signed_message(secret_, message)}); }

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
    Reply r = run(c, {"SUBSCRIBE", kChannel});
    if (!r) {
      redisFree(c);
      throw std::runtime_error("redis: cannot subscribe");
    }
    return c;
  }

  void receive(const std::string& wire) {
    auto message = verified_message(secret_, wire);
    if (!message) {
      // Said once: whoever publishes without the secret is not one of us (never log the content).
      if (!warned_.exchange(true)) std::cerr << "gem-server: dropped a bus message without a valid signature\n";
      return;
    }
    std::vector<std::function<void(const std::string&)>> handlers;
    {
      std::lock_guard lock(mutex_);
      handlers = handlers_;
    }
    for (auto& h : handlers) h(*message);
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
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 && text(r->element[0]) == "message") receive(text(r->element[2]));
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
  std::string secret_;
  Connection publisher_;
  std::mutex mutex_;
  redisContext* subscriber_ = nullptr;
  std::vector<std::function<void(const std::string&)>> handlers_;
  std::atomic<bool> stopping_{false}, warned_{false};
  std::thread thread_;
};

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

}  // namespace

RedisOptions redis_options_from_environment(const std::string& url) {
  RedisOptions options{url, environment("GEM_REDIS_USERNAME"), environment("GEM_REDIS_PASSWORD"), {}};
  if (url.rfind("rediss://", 0) == 0 || environment("GEM_REDIS_TLS").value_or("0") != "0")
    throw std::invalid_argument(
        "GEM_REDIS_TLS / rediss://: TLS to Redis is not available (Debian 12's hiredis 0.14 has no TLS); "
        "reach Redis over a private network or a local TLS tunnel (see server/README.md)");
  if (options.username && !options.password) throw std::invalid_argument("GEM_REDIS_USERNAME needs GEM_REDIS_PASSWORD");
  options.bus_secret = environment("GEM_BUS_SECRET").value_or("");
  if (options.bus_secret.size() < 32)
    throw std::invalid_argument("GEM_BUS_SECRET: with GEM_REDIS_URL, set a secret of at least 32 characters shared by all instances "
                                "(it signs the messages between them)");
  return options;
}

std::unique_ptr<Store> make_redis_store(const RedisOptions& options) { return std::make_unique<RedisStore>(parse_url(options)); }
std::unique_ptr<Bus> make_redis_bus(const RedisOptions& options) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  return std::make_unique<RedisBus>(parse_url(options), options.bus_secret);
}

}  // namespace gem::handover
