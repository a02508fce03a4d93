#include "ops/readiness.h"

#include <unistd.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

namespace gem::ops {

bool directory_writable(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_directory(dir, ec) && access(dir.c_str(), W_OK | X_OK) == 0;
}

bool redis_reachable(const std::string& url, std::chrono::milliseconds timeout) {
  // redis://[user:password@]host[:port][/db]: only host and port matter for reachability.
  std::string rest = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  if (auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  rest = rest.substr(0, rest.find('/'));
  std::string host = rest;
  int port = 6379;
  if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.find(']') == std::string::npos) {
    host = rest.substr(0, colon);
    port = std::atoi(rest.c_str() + colon + 1);
  }
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  redisContext* c = redisConnectWithTimeout(host.c_str(), port, tv);
  if (!c) return false;
  bool ok = false;
  if (!c->err && redisSetTimeout(c, tv) == REDIS_OK) {
    auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
    ok = reply != nullptr;
    if (reply) freeReplyObject(reply);
  }
  redisFree(c);
  return ok;
}

bool postgres_reachable(const std::string& url) {
  std::string conninfo = url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=1";
  return PQping(conninfo.c_str()) == PQPING_OK;
}

}  // namespace gem::ops
