// Operational metrics in the Prometheus text format (GET /metrics on metrics_listen): requests by
// route pattern and status, a latency histogram, open sockets, queue lengths, refusals. Labels are
// route patterns, statuses and municipality codes only: never a path, a query, an address or text.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace gem::ops {

class Metrics {
 public:
  // After each response; `route` is the matched pattern ("/v1/live/{gm}/status", "static", "other").
  void request(const std::string& route, int status, std::chrono::microseconds duration);
  // A request refused by a rate limit (connection refusals come from the server's own counters).
  void rate_limited(const std::string& limit);

  // Values read when /metrics is scraped: (label value, number) pairs under one label name.
  using Read = std::function<std::vector<std::pair<std::string, double>>()>;
  void gauge(std::string name, std::string help, std::string label, Read read, bool counter = false);

  std::string render() const;

  static constexpr std::array<double, 11> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Gauge {
    std::string name, help, label;
    Read read;
    bool counter;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;  // by route
  std::map<std::string, std::uint64_t> rate_limited_;
  std::vector<Gauge> gauges_;
};

}  // namespace gem::ops
