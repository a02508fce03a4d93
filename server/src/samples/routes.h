// Registers the samples endpoints on the App (docs/protocol.md, "Samples"): the resident's consented
// POST /v1/samples, the editors' inbox and export under /v1/staff/samples, and the retention sweeper.
#pragma once

#include <memory>

#include "auth/auth.h"

namespace gem {
class App;
// Embedded (samples.sqlite under data_dir) or, with GEM_POSTGRES_URL, in PostgreSQL.
// Config: "samples": {"retention_days": 90, "per_address_per_hour": 20}.
void register_samples(App& app, std::shared_ptr<auth::Store> accounts);
}  // namespace gem
