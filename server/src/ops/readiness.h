// What GET /readyz asks: can this instance reach what it stores into? Each check is quick (a
// second at most) and says only yes or no.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace gem::ops {

bool directory_writable(const std::filesystem::path& dir);
// A server that answers PING (even with NOAUTH) is reachable.
bool redis_reachable(const std::string& url, std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
bool postgres_reachable(const std::string& url);

}  // namespace gem::ops
