#include "handover/webhook.h"

#include <iostream>
#include <regex>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace gem::handover {

namespace beast = boost::beast;
namespace asio = boost::asio;

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
  if (now - sent > std::chrono::minutes(5) || sent - now > std::chrono::minutes(5)) return false;
  std::string expected = webhook_signature(secret, timestamp, body);
  return signature.size() == expected.size() && CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
}

WebhookAdapter::WebhookAdapter(std::string url, std::string secret) : secret_(std::move(secret)) {
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
    pending_.push_back(event.dump());
  }
  wake_.notify_one();
}

void WebhookAdapter::flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return pending_.empty() && !busy_; });
}

void WebhookAdapter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, nothing left
    std::string body = std::move(pending_.front());
    pending_.pop_front();
    busy_ = true;
    lock.unlock();
    // Three tries, a second apart; events keep their order.
    bool delivered = false;
    for (int attempt = 0; attempt < 3 && !(delivered = post(body)); ++attempt) std::this_thread::sleep_for(std::chrono::seconds(1));
    // Only the host: the event itself may carry what the resident wrote.
    if (!delivered) std::cerr << "gem-server: webhook to " << host_ << " failed three times; one event dropped\n";
    lock.lock();
    busy_ = false;
    idle_.notify_all();
  }
}

bool WebhookAdapter::post(const std::string& body) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(asio::ip::tcp::resolver(io).resolve(host_, port_));
    std::string timestamp = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    beast::http::request<beast::http::string_body> request(beast::http::verb::post, path_, 11);
    request.set(beast::http::field::host, host_);
    request.set(beast::http::field::content_type, "application/json");
    request.set("X-Gem-Timestamp", timestamp);
    request.set("X-Gem-Signature", webhook_signature(secret_, timestamp, body));
    request.body() = body;
    request.prepare_payload();
    beast::http::write(stream, request);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> response;
    beast::http::read(stream, buffer, response);
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    return response.result_int() / 100 == 2;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace gem::handover
