// Staff sessions in the store the instances share (Redis, through the handover module's key-value
// Store): signed in on one instance, recognised on every other; signed out or a new password on one,
// ended everywhere (each instance's sweep closes the consoles it holds).
#pragma once

#include <memory>

#include "auth/auth.h"
#include "handover/store.h"

namespace gem::auth {

std::unique_ptr<SessionTable> shared_sessions(std::unique_ptr<handover::Store> store);

}  // namespace gem::auth
