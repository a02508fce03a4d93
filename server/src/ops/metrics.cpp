#include "ops/metrics.h"

#include <sstream>

namespace gem::ops {
namespace {

// Label values are route patterns and codes we chose, but escape anyway (exposition format 0.0.4).
std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

void Metrics::request(const std::string& route, int status, std::chrono::microseconds duration) {
  const double seconds = static_cast<double>(duration.count()) / 1e6;
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  auto& h = latency_[route];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::rate_limited(const std::string& limit) {
  std::lock_guard lock(mutex_);
  ++rate_limited_[limit];
}

void Metrics::gauge(std::string name, std::string help, std::string label, Read read, bool counter) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(label), std::move(read), counter});
}

std::string Metrics::render() const {
  std::ostringstream out;
  std::vector<Gauge> gauges;
  {
    std::lock_guard lock(mutex_);
    out << "# HELP gem_http_requests_total HTTP responses by route pattern and status.\n"
           "# TYPE gem_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      out << "gem_http_requests_total{route=" << quoted(key.first) << ",status=\"" << key.second << "\"} " << n << "\n";
    }
    out << "# HELP gem_http_request_duration_seconds Time from a complete request to its response written.\n"
           "# TYPE gem_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        out << "gem_http_request_duration_seconds_bucket{route=" << quoted(route) << ",le=\"" << kBuckets[i] << "\"} "
            << h.buckets[i] << "\n";
      }
      out << "gem_http_request_duration_seconds_bucket{route=" << quoted(route) << ",le=\"+Inf\"} " << h.count << "\n";
      out << "gem_http_request_duration_seconds_sum{route=" << quoted(route) << "} " << h.sum << "\n";
      out << "gem_http_request_duration_seconds_count{route=" << quoted(route) << "} " << h.count << "\n";
    }
    out << "# HELP gem_rate_limited_total Requests refused by a rate limit.\n"
           "# TYPE gem_rate_limited_total counter\n";
    for (const auto& [limit, n] : rate_limited_) out << "gem_rate_limited_total{limit=" << quoted(limit) << "} " << n << "\n";
    gauges = gauges_;
  }
  // Read outside the lock: a gauge may ask a store.
  for (const auto& g : gauges) {
    out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << (g.counter ? " counter\n" : " gauge\n");
    for (const auto& [label, value] : g.read()) {
      out << g.name;
      if (!g.label.empty()) out << "{" << g.label << "=" << quoted(label) << "}";
      out << " " << value << "\n";
    }
  }
  return out.str();
}

}  // namespace gem::ops
