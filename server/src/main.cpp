// gem-server: live data and human handover for the Gem widget, plus its static files.
//   gem-server [--config FILE]     (or GEM_CONFIG=FILE; GEM_* variables override the file)
//   gem-server [--config FILE] add-account NAME --role agent|editor|admin --municipality GM0599 …
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app.h"
#include "auth/routes.h"
#include "handover/routes.h"
#include "samples/routes.h"

// The data directory holds staff accounts and conversations in progress: the service user only.
void private_data_dir(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
}

int main(int argc, char** argv) {
  ::umask(077);  // every file the server or SQLite creates: readable by its owner only
  std::string config_file;
  std::optional<std::vector<std::string>> add_account;  // the sub-command's arguments
  if (const char* env = std::getenv("GEM_CONFIG")) config_file = env;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_file = argv[++i];
    } else if (std::strcmp(argv[i], "add-account") == 0) {
      add_account.emplace(argv + i + 1, argv + argc);
      break;
    } else {
      std::cerr << "usage: gem-server [--config FILE]   (or GEM_CONFIG=FILE)\n";
      return 2;
    }
  }
  if (config_file.empty()) {
    std::cerr << "gem-server: no configuration: pass --config FILE or set GEM_CONFIG (example: server/config/gem-server.json)\n";
    return 2;
  }
  try {
    gem::App app(gem::load_config(config_file, gem::process_environment()));
    private_data_dir(app.config().data_dir);
    if (add_account) {
      return gem::auth::add_account_command(gem::auth::database_file(app.config().data_dir), *add_account, std::cin, std::cout, std::cerr);
    }
    // Modules, each in its own folder. A new module adds one line here (see server/README.md).
    gem::register_live(app);
    gem::register_analytics(app);
    auto accounts = gem::register_auth(app);
    // The dashboard (analytics) asks who is signed in through the App, not the accounts module.
    app.set_staff_lookup([accounts](const gem::http::Request& request) -> std::optional<gem::Staff> {
      auto session = accounts->current(request);
      if (!session) return std::nullopt;
      const auto& a = session->account;
      return gem::Staff{a.username, a.display_name, a.role, a.municipalities};
    });
    gem::register_handover(app, accounts);
    gem::register_samples(app, accounts);
    return app.run();
  } catch (const gem::ConfigError& e) {
    std::cerr << "gem-server: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "gem-server: " << e.what() << "\n";
    return 1;
  }
}
