// Redis-backed Store and Bus (GEM_REDIS_URL=redis://HOST:PORT/DB): state shared by all instances.
#pragma once

#include <memory>
#include <string>

#include "handover/store.h"

namespace gem::handover {

// Throw std::invalid_argument for a malformed URL, std::runtime_error when Redis is unreachable.
std::unique_ptr<Store> make_redis_store(const std::string& url);
std::unique_ptr<Bus> make_redis_bus(const std::string& url);

}  // namespace gem::handover
