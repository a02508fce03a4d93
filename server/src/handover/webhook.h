// The generic webhook adapter: conversation events go out as signed JSON POSTs to the vendor's URL;
// the vendor's agent events come back signed to POST /v1/handover/webhook/{gm}.
// Signature: X-Gem-Timestamp (Unix seconds) and X-Gem-Signature "sha256=" + hex HMAC-SHA256 of
// "<timestamp>.<body>" with the shared secret; older than five minutes is refused.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "handover/adapter.h"

namespace gem::handover {

std::string webhook_signature(const std::string& secret, const std::string& timestamp, const std::string& body);
bool webhook_signature_valid(const std::string& secret, const std::string& timestamp, const std::string& signature,
                             const std::string& body, std::chrono::system_clock::time_point now);

class WebhookAdapter final : public VendorAdapter {
 public:
  // `url`: http://host[:port]/path (TLS terminates at a local proxy). Throws std::invalid_argument.
  WebhookAdapter(std::string url, std::string secret);
  ~WebhookAdapter() override;
  void notify(const nlohmann::json& event) override;
  // Blocks until everything queued so far was delivered or given up (tests, shutdown).
  void flush();

 private:
  void run();
  bool post(const std::string& body);

  std::string host_, port_, path_, secret_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::string> pending_;
  bool busy_ = false, stopping_ = false;
  std::thread worker_;
};

}  // namespace gem::handover
