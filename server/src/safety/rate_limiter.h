// Per-client token buckets: `rate` tokens a second up to `burst`. Thread-safe. Keys live in memory
// only and are forgotten once their bucket is full again.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gem {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double rate_per_second, double burst);

  // 0: allowed (a token was taken); otherwise the whole seconds to wait (for Retry-After).
  int take(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void forget_full(Clock::time_point now);

  double rate_, burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace gem
