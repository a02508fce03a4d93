// Configuration: defaults, relative paths, environment overrides, and clear errors.
#include <boost/test/unit_test.hpp>

#include <map>

#include "config/config.h"

using gem::ConfigError;
using nlohmann::json;

namespace {

gem::Environment env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

std::string error_of(const json& j, std::map<std::string, std::string> e = {}) {
  try {
    gem::parse_config(j, "/srv/gem", env(std::move(e)));
  } catch (const ConfigError& err) {
    return err.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(the_demo_config_loads) {
  auto c = gem::load_config(GEM_SOURCE_DIR "/server/config/gem-server.json", env({}));
  BOOST_TEST(c.municipalities.size() == 5u);
  const auto* r = c.municipality("GM0599");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->name == "Rotterdam");
  BOOST_TEST(r->phone == "14 010");
  BOOST_TEST(r->origins.at(0) == "https://www.rotterdam.nl");
  BOOST_TEST(c.live_seed == std::filesystem::path(GEM_SOURCE_DIR "/server/data/live-data.json").lexically_normal());
  BOOST_TEST(!c.municipality("GM9999"));
}

BOOST_AUTO_TEST_CASE(relative_paths_and_environment) {
  json j = {{"root", ".."}, {"data_dir", "data"}, {"port", 9000}, {"static", {{{"prefix", "/gem/"}, {"dir", "build/widget"}}}}};
  auto c = gem::parse_config(j, "/srv/gem/config", env({}));
  BOOST_TEST(c.port == 9000);
  BOOST_TEST(c.data_dir.string() == "/srv/gem/data");
  BOOST_TEST(c.static_mounts.at(0).dir.string() == "/srv/gem/build/widget");

  auto o = gem::parse_config(j, "/srv/gem/config",
                             env({{"GEM_PORT", "0"}, {"GEM_BIND", "0.0.0.0"}, {"GEM_DATA_DIR", "/var/lib/gem"},
                                  {"GEM_REDIS_URL", "redis://127.0.0.1:6379"}, {"GEM_POSTGRES_URL", "postgresql://gem@localhost/gem"}}));
  BOOST_TEST(o.port == 0);
  BOOST_TEST(o.bind == "0.0.0.0");
  BOOST_TEST(o.data_dir.string() == "/var/lib/gem");
  BOOST_TEST(o.redis_url == "redis://127.0.0.1:6379");
  BOOST_TEST(o.postgres_url == "postgresql://gem@localhost/gem");
}

BOOST_AUTO_TEST_CASE(errors_name_the_key) {
  BOOST_TEST(error_of({{"prot", 1}}).find("unknown key \"prot\"") != std::string::npos);
  BOOST_TEST(error_of({{"port", 70000}}).find("config.port") != std::string::npos);
  BOOST_TEST(error_of({{"threads", "two"}}).find("config.threads: wrong type") != std::string::npos);
  BOOST_TEST(error_of({{"limits", {{"body_bytes", 10}}}}).find("limits") != std::string::npos);
  BOOST_TEST(error_of({{"static", {{{"prefix", "gem"}, {"dir", "x"}}}}}).find("config.static") != std::string::npos);
  BOOST_TEST(error_of({{"municipalities", {{"GM0599", {{"origins", json::array()}}}}}}).find("GM0599.name: required") != std::string::npos);
  BOOST_TEST(error_of({{"municipalities", {{"0599", {{"name", "R"}}}}}}).find("four digits") != std::string::npos);
  BOOST_TEST(error_of({{"municipalities", {{"GM0599", {{"name", "R"}, {"origins", {"https://r.nl/path"}}}}}}}).find("not an origin") !=
             std::string::npos);
  BOOST_TEST(error_of({{"municipalities", {{"GM0599", {{"name", "R"}, {"colour", "red"}}}}}}).find("unknown key \"colour\"") !=
             std::string::npos);
  BOOST_TEST(error_of(json::object(), {{"GEM_PORT", "80a"}}).find("GEM_PORT=\"80a\"") != std::string::npos);
  BOOST_TEST(error_of(json::object(), {{"GEM_THREADS", "0"}}).find("GEM_THREADS") != std::string::npos);
  BOOST_TEST(error_of(json::object(), {{"GEM_REDIS_URL", "localhost:6379"}}).find("redis://") != std::string::npos);
  BOOST_TEST(error_of(json::array()).find("JSON object") != std::string::npos);
  BOOST_CHECK_THROW(gem::load_config("/nonexistent/gem.json", env({})), ConfigError);
}

BOOST_AUTO_TEST_CASE(municipality_codes) {
  BOOST_TEST(gem::is_municipality_code("GM0599"));
  BOOST_TEST(!gem::is_municipality_code("GM599"));
  BOOST_TEST(!gem::is_municipality_code("gm0599"));
  BOOST_TEST(!gem::is_municipality_code("GM05990"));
  BOOST_TEST(!gem::is_municipality_code("GM05a9"));
}

BOOST_AUTO_TEST_SUITE_END()
