// Redis-backed Store and Bus (GEM_REDIS_URL=redis://HOST:PORT/DB): state shared by all instances.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "handover/store.h"

namespace gem::handover {

// From the environment (never the config file): GEM_REDIS_USERNAME and GEM_REDIS_PASSWORD (an ACL
// user, or only the password for `requirepass`), GEM_BUS_SECRET (HMAC-SHA256 key for bus messages,
// shared by all instances, at least 32 characters; required). TLS is not available: Debian 12's
// hiredis (0.14) has no hiredis_ssl, so GEM_REDIS_TLS=1 or a rediss:// URL is refused with that reason.
struct RedisOptions {
  std::string url;
  std::optional<std::string> username, password;
  std::string bus_secret;
};
// Throws std::invalid_argument naming the variable that is wrong or missing.
RedisOptions redis_options_from_environment(const std::string& url);

// Throw std::invalid_argument for a malformed URL, std::runtime_error when Redis is unreachable or
// refuses the credentials.
std::unique_ptr<Store> make_redis_store(const RedisOptions& options);
// Every message is signed with the bus secret; messages without a valid, fresh signature are dropped.
std::unique_ptr<Bus> make_redis_bus(const RedisOptions& options);

}  // namespace gem::handover
