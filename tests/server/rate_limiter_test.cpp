// The token bucket: burst, refill over time, Retry-After, keys independent.
#include <boost/test/unit_test.hpp>

#include "safety/rate_limiter.h"

using gem::RateLimiter;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(rate_limiter)

BOOST_AUTO_TEST_CASE(burst_then_refill) {
  RateLimiter limiter(2.0, 4.0);  // 2 a second, bursts of 4
  auto t = RateLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 4; ++i) BOOST_TEST(limiter.take("10.0.0.1", t) == 0);
  int wait = limiter.take("10.0.0.1", t);
  BOOST_TEST(wait == 1);  // half a second rounds up to one
  BOOST_TEST(limiter.take("10.0.0.2", t) == 0, "another client has its own bucket");
  BOOST_TEST(limiter.take("10.0.0.1", t + 499ms) != 0);
  BOOST_TEST(limiter.take("10.0.0.1", t + 500ms) == 0, "one token after half a second");
  BOOST_TEST(limiter.take("10.0.0.1", t + 500ms) != 0);
  // Never more than the burst, however long the pause.
  auto later = t + 1h;
  for (int i = 0; i < 4; ++i) BOOST_TEST(limiter.take("10.0.0.1", later) == 0);
  BOOST_TEST(limiter.take("10.0.0.1", later) != 0);
}

BOOST_AUTO_TEST_CASE(retry_after_reflects_the_rate) {
  RateLimiter slow(0.1, 1.0);  // one request per ten seconds
  auto t = RateLimiter::Clock::time_point{} + 1h;
  BOOST_TEST(slow.take("a", t) == 0);
  BOOST_TEST(slow.take("a", t) == 10);
  BOOST_TEST(slow.take("a", t + 5s) == 5);
}

BOOST_AUTO_TEST_SUITE_END()
