// Registers sign-in for staff (/v1/agent/login, /logout, /session) and returns the account store
// other modules use to know who is signed in: `store->current(request)` (read) or
// `store->require(request, state_changing)` (401 / 403 csrf as http::HttpError).
#pragma once

#include <memory>

#include "auth/auth.h"

namespace gem {
class App;
std::shared_ptr<auth::Store> register_auth(App& app);
}  // namespace gem
