#include "safety/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace gem {

RateLimiter::RateLimiter(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst) {}

int RateLimiter::take(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (now - last_sweep_ > std::chrono::seconds(60)) forget_full(now);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  auto& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
}

void RateLimiter::forget_full(Clock::time_point now) {
  last_sweep_ = now;
  std::erase_if(buckets_, [&](const auto& entry) {
    double elapsed = std::chrono::duration<double>(now - entry.second.updated).count();
    return entry.second.tokens + elapsed * rate_ >= burst_;
  });
}

}  // namespace gem
