// Registers the handover endpoints on the App (see server/README.md, "Adding a module").
#pragma once

#include <memory>

#include "auth/auth.h"

namespace gem {
class App;
// Embedded (SQLite under data_dir) or, with GEM_REDIS_URL, shared through Redis.
void register_handover(App& app, std::shared_ptr<auth::Store> accounts);
}  // namespace gem
