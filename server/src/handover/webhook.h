// The generic webhook adapter: conversation events go out as signed JSON POSTs to the vendor's URL;
// the vendor's agent events come back signed to POST /v1/handover/webhook/{gm}.
// Signature: X-Gem-Timestamp (Unix seconds) and X-Gem-Signature "sha256=" + hex HMAC-SHA256 of
// "<timestamp>.<body>" with the shared secret; older than five minutes is refused, and so is a
// signature already used (remember_webhook_nonce), so a captured event cannot be replayed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "handover/adapter.h"
#include "handover/store.h"

namespace gem::handover {

std::string webhook_signature(const std::string& secret, const std::string& timestamp, const std::string& body);
bool webhook_signature_valid(const std::string& secret, const std::string& timestamp, const std::string& signature,
                             const std::string& body, std::chrono::system_clock::time_point now);

enum class Nonce { fresh, replayed, too_many };

// Records an accepted signature in the store (shared by all instances with Redis) for as long as its
// timestamp is valid. `replayed`: seen before; `too_many`: more than `max_kept` events of this
// municipality within the window (the vendor retries later). Expired entries are dropped on the way.
Nonce remember_webhook_nonce(Store& store, const std::string& gm, const std::string& timestamp, const std::string& signature,
                             std::chrono::system_clock::time_point now, std::size_t max_kept = 5000);

class WebhookAdapter final : public VendorAdapter {
 public:
  using Clock = std::chrono::steady_clock;
  // `url`: http://host[:port]/path (TLS terminates at a local proxy). Throws std::invalid_argument.
  // At most `max_pending` events wait; more are dropped (and counted), never queued without bound.
  WebhookAdapter(std::string url, std::string secret, std::size_t max_pending = 1000);
  ~WebhookAdapter() override;
  void notify(const nlohmann::json& event) override;
  // Blocks until everything queued so far was delivered or given up, or until `deadline`; from then
  // on nothing is retried and the connection under way is cut (shutdown keeps its one deadline).
  // True when everything was delivered; false when anything was given up or left at the deadline.
  bool flush(Clock::time_point deadline = Clock::time_point::max());
  // Events given up so far: queue full, three failed tries, or still waiting at the deadline.
  std::size_t dropped() const;

 private:
  void run();
  bool post(const std::string& body);

  std::string host_, port_, path_, secret_;
  std::size_t max_pending_;
  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::string> pending_;
  bool busy_ = false, stopping_ = false;
  Clock::time_point give_up_at_ = Clock::time_point::max();
  std::size_t dropped_ = 0;
  std::thread worker_;
};

}  // namespace gem::handover
