// Privacy-preserving analytics: the widget's enumerated events (never text) become counters per
// municipality per day. No IP, no visitor id, no per-event rows.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/labels.h"

namespace gem::analytics {

// Counter name → count, e.g. "conversation_started", "answer.product.paspoort", "nps.9".
using Counts = std::map<std::string, std::int64_t>;

struct Batch {
  std::string municipality;
  Counts counts;
};

// Validates a POST /v1/events body (docs/protocol.md); throws http::HttpError 400 naming the field.
Batch parse_events(const nlohmann::json& body, const Labels& labels);

// Where counters live. Implementations are thread-safe.
class Store {
 public:
  virtual ~Store() = default;
  virtual void add(const std::string& gm, const std::string& date, const Counts& counts) = 0;
  // Daily counters for dates in [from, to] (YYYY-MM-DD), by date.
  virtual std::map<std::string, Counts> range(const std::string& gm, const std::string& from, const std::string& to) = 0;
};

std::unique_ptr<Store> open_sqlite_store(const std::string& file);
// postgresql://… (libpq); throws std::runtime_error when it cannot connect.
std::unique_ptr<Store> open_postgres_store(const std::string& url);

// The dashboard's figures over a range: totals, rates and top products.
nlohmann::json summarise(const std::map<std::string, Counts>& days);

}  // namespace gem::analytics
