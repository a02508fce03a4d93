#include "handover/webhook.h"

#include <cstdlib>
#include <iostream>
#include <regex>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "handover/keys.h"

namespace gem::handover {

namespace beast = boost::beast;
namespace asio = boost::asio;

namespace {
// How far a timestamp may be from now, either way (also how long a used signature is remembered).
constexpr std::chrono::minutes signature_window{5};
}  // namespace

std::string webhook_signature(const std::string& secret, const std::string& timestamp, const std::string& body) {
  std::string signed_text = timestamp + "." + body;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(signed_text.data()),
       signed_text.size(), digest, &length);
  static const char* digits = "0123456789abcdef";
  std::string hex = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    hex += digits[digest[i] >> 4];
    hex += digits[digest[i] & 15];
  }
  return hex;
}

bool webhook_signature_valid(const std::string& secret, const std::string& timestamp, const std::string& signature,
                             const std::string& body, std::chrono::system_clock::time_point now) {
  static const std::regex digits("[0-9]{1,12}");
  if (!std::regex_match(timestamp, digits)) return false;
  auto sent = std::chrono::system_clock::time_point(std::chrono::seconds(std::stoll(timestamp)));
  if (now - sent > signature_window || sent - now > signature_window) return false;
  std::string expected = webhook_signature(secret, timestamp, body);
  return signature.size() == expected.size() && CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
}

Nonce remember_webhook_nonce(Store& store, const std::string& gm, const std::string& timestamp, const std::string& signature,
                             std::chrono::system_clock::time_point now, std::size_t max_kept) {
  const std::string key = keys::webhook_nonces(gm);
  const auto oldest = std::chrono::duration_cast<std::chrono::seconds>((now - signature_window).time_since_epoch()).count();
  Nonce result = Nonce::fresh;
  store.update({key}, [&](Transaction& tx) {
    auto seen = tx.hash_all(key);
    if (seen.contains(signature)) {
      result = Nonce::replayed;
      return false;
    }
    std::size_t kept = 0;
    for (const auto& [used, sent] : seen) {
      // Past the window its timestamp is refused anyway: no need to remember it.
      if (std::strtoll(sent.c_str(), nullptr, 10) < oldest) tx.hash_del(key, used);
      else ++kept;
    }
    result = kept >= max_kept ? Nonce::too_many : Nonce::fresh;
    if (result == Nonce::fresh) tx.hash_set(key, signature, timestamp);
    return true;
  });
  return result;
}

WebhookAdapter::WebhookAdapter(std::string url, std::string secret, std::size_t max_pending)
    : secret_(std::move(secret)), max_pending_(max_pending) {
  static const std::regex pattern(R"(http://([A-Za-z0-9.\-]+)(?::(\d{1,5}))?(/[^\s]*)?)");
  std::smatch m;
  if (!std::regex_match(url, m, pattern)) throw std::invalid_argument("webhook url must be http://host[:port]/path");
  if (secret_.size() < 16) throw std::invalid_argument("webhook secret must be at least 16 characters");
  host_ = m[1];
  port_ = m[2].matched ? std::string(m[2]) : "80";
  path_ = m[3].matched ? std::string(m[3]) : "/";
  worker_ = std::thread([this] { run(); });
}

WebhookAdapter::~WebhookAdapter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void WebhookAdapter::notify(const nlohmann::json& event) {
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= max_pending_) {
      // Only the host and a count (at 1, 2, 4, 8 … drops): the event may carry what the resident wrote.
      const auto dropped = ++dropped_;
      if ((dropped & (dropped - 1)) == 0)
        std::cerr << "gem-server: webhook queue to " << host_ << " is full; " << dropped_ << " event(s) dropped so far\n";
      return;
    }
    pending_.push_back(event.dump());
  }
  wake_.notify_one();
}

bool WebhookAdapter::flush(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  auto idle = [this] { return pending_.empty() && !busy_; };
  // Idle is not enough: an event given up on the way (at the deadline, say) was not delivered.
  const auto dropped_before = dropped_;
  if (deadline == Clock::time_point::max()) {
    idle_.wait(lock, idle);
    return dropped_ == dropped_before;
  }
  give_up_at_ = deadline;  // retries and the connection under way end by then
  wake_.notify_all();
  if (idle_.wait_until(lock, deadline, idle)) return dropped_ == dropped_before;
  if (!pending_.empty()) {
    dropped_ += pending_.size();
    std::cerr << "gem-server: webhook to " << host_ << ": " << pending_.size() << " event(s) not sent before the shutdown deadline\n";
    pending_.clear();
  }
  idle_.wait(lock, [this] { return !busy_; });  // post() notices the deadline within 50 ms
  return false;
}

std::size_t WebhookAdapter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void WebhookAdapter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, nothing left
    std::string body = std::move(pending_.front());
    pending_.pop_front();
    busy_ = true;
    // Three tries, a second apart, never past give_up_at_; events keep their order.
    bool delivered = false;
    for (int attempt = 0; attempt < 3 && !delivered && Clock::now() < give_up_at_; ++attempt) {
      if (attempt > 0 && wake_.wait_for(lock, std::chrono::seconds(1), [this] { return Clock::now() >= give_up_at_; })) break;
      lock.unlock();
      delivered = post(body);
      lock.lock();
    }
    // Only the host: the event itself may carry what the resident wrote.
    if (!delivered) {
      ++dropped_;
      std::cerr << "gem-server: webhook to " << host_ << " failed; one event dropped\n";
    }
    busy_ = false;
    idle_.notify_all();
  }
}

bool WebhookAdapter::post(const std::string& body) {
  auto give_up_at = [this] {
    std::lock_guard lock(mutex_);
    return give_up_at_;
  };
  // One exchange, asynchronous so that it is bounded as a whole: five seconds, or less when a
  // shutdown deadline comes first (beast's timeouts do not apply to blocking calls).
  const auto until = std::min(Clock::now() + std::chrono::seconds(5), give_up_at());
  asio::io_context io;
  beast::tcp_stream stream(io);
  asio::ip::tcp::resolver resolver(io);
  std::string timestamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  beast::http::request<beast::http::string_body> request(beast::http::verb::post, path_, 11);
  request.set(beast::http::field::host, host_);
  request.set(beast::http::field::content_type, "application/json");
  request.set("X-Gem-Timestamp", timestamp);
  request.set("X-Gem-Signature", webhook_signature(secret_, timestamp, body));
  request.body() = body;
  request.prepare_payload();
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> response;
  bool delivered = false;

  resolver.async_resolve(host_, port_, [&](beast::error_code ec, asio::ip::tcp::resolver::results_type endpoints) {
    if (ec) return;
    stream.expires_at(until);
    stream.async_connect(endpoints, [&](beast::error_code ec, const asio::ip::tcp::endpoint&) {
      if (ec) return;
      beast::http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
        if (ec) return;
        beast::http::async_read(stream, buffer, response, [&](beast::error_code ec, std::size_t) {
          if (ec) return;
          delivered = response.result_int() / 100 == 2;
          beast::error_code ignored;
          stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        });
      });
    });
  });
  while (!io.stopped()) {
    io.run_for(std::chrono::milliseconds(50));
    if (!io.stopped() && Clock::now() >= std::min(until, give_up_at())) {
      resolver.cancel();
      stream.close();
      io.run();  // the handlers see operation_aborted
    }
  }
  return delivered;
}

}  // namespace gem::handover
