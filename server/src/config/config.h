// gem-server's configuration: one JSON file plus GEM_* environment overrides.
// Unknown keys and wrong types are errors, so a typo never silently falls back to a default.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace gem {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Municipality {
  std::string code;                 // GM0599
  std::string name;                 // Rotterdam
  std::vector<std::string> origins; // websites allowed to call the API (CORS, WebSocket Origin)
  std::string phone;                // "14 010"
  std::string contact_form_url, callback_url, booking_url;
  std::string live_provider = "sqlite";  // which live-data provider answers for this municipality
  nlohmann::json live_options = nlohmann::json::object();  // provider-specific settings
};

struct StaticMount {
  std::string prefix;               // URL prefix ending in '/', or one exact path
  std::filesystem::path dir;        // directory (or file, for an exact path)
};

struct Config {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 2;
  std::filesystem::path data_dir = "gem-data";
  bool hsts = false;                // send Strict-Transport-Security (only behind TLS)
  std::size_t max_body_bytes = 16 * 1024;
  std::size_t max_frame_bytes = 4 * 1024;
  double rate_per_second = 10;      // per client IP, for /v1/ requests and WebSocket upgrades
  double rate_burst = 40;
  std::size_t max_connections = 0;            // open connections in total; 0: from the file-descriptor limit
  std::size_t max_connections_per_ip = 64;    // per client address (IPv6: per /64)
  std::size_t max_queued_bytes = 1024 * 1024; // per WebSocket whose peer does not read
  std::string metrics_listen;       // "127.0.0.1:9464": Prometheus /metrics there; empty: off
  std::vector<std::string> trusted_proxies;  // reverse proxies whose X-Forwarded-For is believed
  std::string redis_url;            // empty: in-process state only
  std::string postgres_url;         // empty: analytics in SQLite under data_dir
  std::vector<StaticMount> static_mounts;
  std::filesystem::path live_seed = "server/data/live-data.json";  // sample data for the SQLite provider
  std::filesystem::path labels = "models/gem-nlu.json";            // product/aspect label set
  std::filesystem::path web = "server/web";                        // staff pages (agent/, dashboard/)
  std::map<std::string, Municipality> municipalities;
  // The whole file, for modules' own sections (e.g. "handover").
  nlohmann::json raw = nlohmann::json::object();

  const Municipality* municipality(const std::string& code) const;
};

using Environment = std::function<std::optional<std::string>(const std::string& name)>;
Environment process_environment();

// Relative paths in the file resolve against its "root" (default: the file's directory);
// GEM_DATA_DIR resolves against the working directory.
Config load_config(const std::filesystem::path& file, const Environment& env);
Config parse_config(const nlohmann::json& json, const std::filesystem::path& base_dir, const Environment& env);

// "HOST:PORT" ("[::1]:9464" for IPv6) → host and port; ConfigError naming metrics_listen otherwise.
std::pair<std::string, std::uint16_t> split_listen(const std::string& listen);

// GM + four digits.
bool is_municipality_code(std::string_view code);

}  // namespace gem
