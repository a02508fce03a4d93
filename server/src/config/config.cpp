#include "config/config.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <fstream>
#include <set>

namespace gem {
namespace {

using nlohmann::json;

void only_keys(const json& object, const std::string& where, std::initializer_list<const char*> allowed) {
  std::set<std::string> known(allowed.begin(), allowed.end());
  for (const auto& [key, _] : object.items()) {
    if (!known.count(key)) throw ConfigError(where + ": unknown key \"" + key + "\"");
  }
}

template <typename T>
void read(const json& object, const char* key, T& out, const std::string& where) {
  if (!object.contains(key)) return;
  try {
    out = object.at(key).get<T>();
  } catch (const json::exception&) {
    throw ConfigError(where + "." + key + ": wrong type");
  }
}

long to_number(const std::string& name, const std::string& text, long min, long max) {
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < min || value > max) {
    throw ConfigError(name + "=\"" + text + "\": expected a whole number from " + std::to_string(min) + " to " +
                      std::to_string(max));
  }
  return value;
}

bool valid_origin(const std::string& origin) {
  // scheme://host[:port], no path: what browsers send in the Origin header.
  auto scheme = origin.find("://");
  if (scheme == std::string::npos) return false;
  auto s = origin.substr(0, scheme);
  if (s != "https" && s != "http") return false;
  auto rest = origin.substr(scheme + 3);
  return !rest.empty() && rest.find('/') == std::string::npos;
}

Municipality parse_municipality(const std::string& code, const json& j) {
  std::string where = "municipalities." + code;
  if (!is_municipality_code(code)) throw ConfigError(where + ": a municipality code is GM followed by four digits");
  if (!j.is_object()) throw ConfigError(where + ": expected an object");
  only_keys(j, where, {"name", "origins", "phone", "contact_form_url", "callback_url", "booking_url", "live_provider",
                       "live_options"});
  Municipality m;
  m.code = code;
  read(j, "name", m.name, where);
  read(j, "origins", m.origins, where);
  read(j, "phone", m.phone, where);
  read(j, "contact_form_url", m.contact_form_url, where);
  read(j, "callback_url", m.callback_url, where);
  read(j, "booking_url", m.booking_url, where);
  read(j, "live_provider", m.live_provider, where);
  if (j.contains("live_options")) {
    if (!j["live_options"].is_object()) throw ConfigError(where + ".live_options: expected an object");
    m.live_options = j["live_options"];
  }
  if (m.name.empty()) throw ConfigError(where + ".name: required");
  for (const auto& o : m.origins) {
    if (!valid_origin(o)) throw ConfigError(where + ".origins: \"" + o + "\" is not an origin like https://www.example.nl");
  }
  return m;
}

}  // namespace

std::pair<std::string, std::uint16_t> split_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  const std::string what = "metrics_listen / GEM_METRICS_LISTEN: \"" + listen + "\": expected HOST:PORT such as 127.0.0.1:9464";
  if (colon == std::string::npos || colon == 0) throw ConfigError(what);
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned char buffer[sizeof(in6_addr)];
  if (inet_pton(AF_INET, host.c_str(), buffer) != 1 && inet_pton(AF_INET6, host.c_str(), buffer) != 1) throw ConfigError(what);
  try {
    return {host, static_cast<std::uint16_t>(to_number("port", listen.substr(colon + 1), 0, 65535))};
  } catch (const ConfigError&) {
    throw ConfigError(what);
  }
}

bool is_municipality_code(std::string_view code) {
  if (code.size() != 6 || code.substr(0, 2) != "GM") return false;
  for (char c : code.substr(2)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

const Municipality* Config::municipality(const std::string& code) const {
  auto it = municipalities.find(code);
  return it == municipalities.end() ? nullptr : &it->second;
}

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

Config parse_config(const json& j, const std::filesystem::path& base_dir, const Environment& env) {
  if (!j.is_object()) throw ConfigError("the configuration must be a JSON object");
  only_keys(j, "config", {"root", "bind", "port", "threads", "data_dir", "hsts", "limits", "redis_url", "postgres_url",
                          "static", "trusted_proxies", "municipalities", "live_seed", "labels", "web", "handover", "dashboard", "samples",
                          "metrics_listen"});
  Config c;
  c.raw = j;
  std::string root = ".";
  read(j, "root", root, "config");
  auto base = (base_dir / root).lexically_normal();
  auto resolve = [&](const std::filesystem::path& p) { return p.is_absolute() ? p : (base / p).lexically_normal(); };

  read(j, "bind", c.bind, "config");
  if (j.contains("port")) {
    if (!j["port"].is_number_integer() || j["port"].get<long>() < 0 || j["port"].get<long>() > 65535) {
      throw ConfigError("config.port: expected a whole number from 0 to 65535");
    }
    c.port = static_cast<std::uint16_t>(j["port"].get<long>());
  }
  read(j, "threads", c.threads, "config");
  if (c.threads < 1 || c.threads > 256) throw ConfigError("config.threads: expected 1 to 256");
  std::string data_dir = c.data_dir.string();
  read(j, "data_dir", data_dir, "config");
  c.data_dir = resolve(data_dir);
  read(j, "hsts", c.hsts, "config");
  std::string live_seed = c.live_seed.string(), labels = c.labels.string(), web = c.web.string();
  read(j, "live_seed", live_seed, "config");
  read(j, "labels", labels, "config");
  read(j, "web", web, "config");
  c.live_seed = resolve(live_seed);
  c.labels = resolve(labels);
  c.web = resolve(web);
  read(j, "trusted_proxies", c.trusted_proxies, "config");
  read(j, "redis_url", c.redis_url, "config");
  read(j, "postgres_url", c.postgres_url, "config");
  read(j, "metrics_listen", c.metrics_listen, "config");

  if (j.contains("limits")) {
    const auto& l = j["limits"];
    if (!l.is_object()) throw ConfigError("config.limits: expected an object");
    only_keys(l, "limits", {"body_bytes", "frame_bytes", "rate_per_second", "rate_burst", "connections",
                            "connections_per_ip", "queued_bytes"});
    read(l, "connections", c.max_connections, "limits");
    read(l, "connections_per_ip", c.max_connections_per_ip, "limits");
    read(l, "queued_bytes", c.max_queued_bytes, "limits");
    if (c.max_connections_per_ip < 1) throw ConfigError("limits.connections_per_ip: expected at least 1");
    if (c.max_queued_bytes < 65536) throw ConfigError("limits.queued_bytes: expected at least 65536");
    read(l, "body_bytes", c.max_body_bytes, "limits");
    read(l, "frame_bytes", c.max_frame_bytes, "limits");
    read(l, "rate_per_second", c.rate_per_second, "limits");
    read(l, "rate_burst", c.rate_burst, "limits");
    if (c.max_body_bytes < 256 || c.max_frame_bytes < 256) throw ConfigError("limits: sizes below 256 bytes are not usable");
    if (c.rate_per_second <= 0 || c.rate_burst < 1) throw ConfigError("limits: rate_per_second must be > 0 and rate_burst >= 1");
  }

  if (j.contains("static")) {
    if (!j["static"].is_array()) throw ConfigError("config.static: expected an array of {\"prefix\", \"dir\"}");
    for (const auto& s : j["static"]) {
      if (!s.is_object()) throw ConfigError("config.static: expected {\"prefix\", \"dir\"} objects");
      only_keys(s, "static[]", {"prefix", "dir"});
      StaticMount m;
      std::string dir;
      read(s, "prefix", m.prefix, "static[]");
      read(s, "dir", dir, "static[]");
      if (m.prefix.empty() || m.prefix.front() != '/' || dir.empty()) {
        throw ConfigError("config.static: each mount needs a \"prefix\" starting with '/' and a \"dir\"");
      }
      m.dir = resolve(dir);
      c.static_mounts.push_back(std::move(m));
    }
  }

  if (j.contains("municipalities")) {
    if (!j["municipalities"].is_object()) throw ConfigError("config.municipalities: expected an object keyed by GM code");
    for (const auto& [code, m] : j["municipalities"].items()) c.municipalities.emplace(code, parse_municipality(code, m));
  }

  // Environment overrides: for containers and tests.
  if (auto v = env("GEM_BIND")) c.bind = *v;
  if (auto v = env("GEM_PORT")) c.port = static_cast<std::uint16_t>(to_number("GEM_PORT", *v, 0, 65535));
  if (auto v = env("GEM_THREADS")) c.threads = static_cast<int>(to_number("GEM_THREADS", *v, 1, 256));
  if (auto v = env("GEM_DATA_DIR")) {
    if (v->empty()) throw ConfigError("GEM_DATA_DIR is empty");
    c.data_dir = std::filesystem::absolute(*v).lexically_normal();
  }
  if (auto v = env("GEM_REDIS_URL")) c.redis_url = *v;
  if (auto v = env("GEM_POSTGRES_URL")) c.postgres_url = *v;
  if (auto v = env("GEM_METRICS_LISTEN")) c.metrics_listen = *v;
  if (auto v = env("GEM_MAX_CONNECTIONS")) c.max_connections = static_cast<std::size_t>(to_number("GEM_MAX_CONNECTIONS", *v, 1, 1000000));
  if (auto v = env("GEM_HSTS")) c.hsts = to_number("GEM_HSTS", *v, 0, 1) == 1;
  if (auto v = env("GEM_RATE_PER_SECOND")) c.rate_per_second = static_cast<double>(to_number("GEM_RATE_PER_SECOND", *v, 1, 1000000));
  if (auto v = env("GEM_TRUSTED_PROXIES")) {
    c.trusted_proxies.clear();
    std::string_view rest = *v;
    while (!rest.empty()) {
      auto end = rest.find(',');
      if (auto one = rest.substr(0, end); !one.empty()) c.trusted_proxies.emplace_back(one);
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    }
  }
  for (const auto& proxy : c.trusted_proxies) {
    unsigned char buffer[sizeof(in6_addr)];
    if (inet_pton(AF_INET, proxy.c_str(), buffer) != 1 && inet_pton(AF_INET6, proxy.c_str(), buffer) != 1) {
      throw ConfigError("trusted_proxies / GEM_TRUSTED_PROXIES: \"" + proxy + "\" is not an IP address");
    }
  }
  if (auto v = env("GEM_RATE_BURST")) c.rate_burst = static_cast<double>(to_number("GEM_RATE_BURST", *v, 1, 1000000));
  if (!c.metrics_listen.empty()) split_listen(c.metrics_listen);
  if (!c.redis_url.empty() && c.redis_url.rfind("redis://", 0) != 0) {
    throw ConfigError("redis_url / GEM_REDIS_URL: expected redis://host:port");
  }
  if (!c.postgres_url.empty() && c.postgres_url.rfind("postgresql://", 0) != 0 && c.postgres_url.rfind("postgres://", 0) != 0) {
    throw ConfigError("postgres_url / GEM_POSTGRES_URL: expected postgresql://user@host:port/database");
  }
  return c;
}

Config load_config(const std::filesystem::path& file, const Environment& env) {
  std::ifstream in(file);
  if (!in) throw ConfigError("cannot read the configuration file " + file.string());
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw ConfigError(file.string() + ": not valid JSON (" + e.what() + ")");
  }
  try {
    return parse_config(j, std::filesystem::absolute(file).parent_path(), env);
  } catch (const ConfigError& e) {
    throw ConfigError(file.string() + ": " + e.what());
  }
}

}  // namespace gem
