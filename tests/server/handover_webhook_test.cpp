// The generic webhook adapter's contract, against a real HTTP receiver on loopback: what it sends,
// how it signs, and that the signature check refuses tampering and replays.
#include <boost/test/unit_test.hpp>

#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "handover/keys.h"
#include "handover/webhook.h"

using namespace gem::handover;
namespace beast = boost::beast;
namespace asio = boost::asio;

namespace {

// Accepts `expected` requests, records them, answers 204.
struct Receiver {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  std::vector<beast::http::request<beast::http::string_body>> requests;
  std::thread thread;

  explicit Receiver(int expected) {
    thread = std::thread([this, expected] {
      for (int i = 0; i < expected; ++i) {
        asio::ip::tcp::socket socket(io);
        acceptor.accept(socket);
        beast::flat_buffer buffer;
        beast::http::request<beast::http::string_body> request;
        beast::http::read(socket, buffer, request);
        requests.push_back(request);
        beast::http::response<beast::http::empty_body> response(beast::http::status::no_content, 11);
        beast::http::write(socket, response);
      }
    });
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/gem/events"; }
};

const std::string kSecret = "a shared secret of some length";

}  // namespace

BOOST_AUTO_TEST_CASE(webhook_posts_signed_events_in_order) {
  Receiver receiver(2);
  {
    WebhookAdapter adapter(receiver.url(), kSecret);
    adapter.notify({{"event", "queued"}, {"conversation", "c1"}, {"municipality", "GM0599"}, {"transcript", nlohmann::json::array()}});
    adapter.notify({{"event", "message"}, {"conversation", "c1"}, {"municipality", "GM0599"}, {"text", "Hallo"}});
    BOOST_TEST(adapter.flush());  // both delivered
  }
  receiver.thread.join();
  BOOST_REQUIRE_EQUAL(receiver.requests.size(), 2u);
  auto now = std::chrono::system_clock::now();
  for (auto& request : receiver.requests) {
    BOOST_TEST(request.method_string() == "POST");
    BOOST_TEST(request.target() == "/gem/events");
    BOOST_TEST(request[beast::http::field::content_type] == "application/json");
    std::string timestamp(request["X-Gem-Timestamp"]), signature(request["X-Gem-Signature"]);
    BOOST_TEST(signature.rfind("sha256=", 0) == 0);
    BOOST_TEST(webhook_signature_valid(kSecret, timestamp, signature, request.body(), now));
    BOOST_TEST(!webhook_signature_valid("another secret entirely", timestamp, signature, request.body(), now));
  }
  BOOST_TEST(nlohmann::json::parse(receiver.requests[0].body())["event"] == "queued");
  BOOST_TEST(nlohmann::json::parse(receiver.requests[1].body())["text"] == "Hallo");
}

BOOST_AUTO_TEST_CASE(signature_check_refuses_tampering_and_stale_timestamps) {
  auto now = std::chrono::system_clock::now();
  std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  std::string body = R"({"event":"message","conversation":"c1","text":"Hallo"})";
  std::string signature = webhook_signature(kSecret, ts, body);
  // Known answer, from `printf '1700000000.{}' | openssl dgst -sha256 -hmac key`.
  BOOST_TEST(webhook_signature("key", "1700000000", "{}") ==
             "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae");
  BOOST_TEST(webhook_signature_valid(kSecret, ts, signature, body, now));
  BOOST_TEST(!webhook_signature_valid(kSecret, ts, signature, body + " ", now));
  BOOST_TEST(!webhook_signature_valid(kSecret, ts, signature, body, now + std::chrono::minutes(6)));
  BOOST_TEST(!webhook_signature_valid(kSecret, "", signature, body, now));
  BOOST_TEST(!webhook_signature_valid(kSecret, ts, "", body, now));
  BOOST_CHECK_THROW(WebhookAdapter("https://vendor.example/hook", kSecret), std::invalid_argument);
  BOOST_CHECK_THROW(WebhookAdapter("http://vendor.example/hook", "short"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_signature_is_accepted_once_while_its_timestamp_is_valid_and_the_cache_is_bounded) {
  auto store = make_sqlite_store(":memory:");
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  auto at = [](std::chrono::system_clock::time_point t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  };
  BOOST_TEST((remember_webhook_nonce(*store, "GM0344", at(now), "sha256=a", now, 2) == Nonce::fresh));
  BOOST_TEST((remember_webhook_nonce(*store, "GM0344", at(now), "sha256=a", now, 2) == Nonce::replayed));
  BOOST_TEST((remember_webhook_nonce(*store, "GM0599", at(now), "sha256=a", now, 2) == Nonce::fresh));  // per municipality
  BOOST_TEST((remember_webhook_nonce(*store, "GM0344", at(now), "sha256=b", now, 2) == Nonce::fresh));
  BOOST_TEST((remember_webhook_nonce(*store, "GM0344", at(now), "sha256=c", now, 2) == Nonce::too_many));
  // Six minutes on, the first two have expired (their timestamps are refused anyway) and make room.
  auto later = now + std::chrono::minutes(6);
  BOOST_TEST((remember_webhook_nonce(*store, "GM0344", at(later), "sha256=c", later, 2) == Nonce::fresh));
  BOOST_TEST(store->hash_all(keys::webhook_nonces("GM0344")).size() == 1u);
}

BOOST_AUTO_TEST_CASE(flush_is_false_when_an_event_was_given_up) {
  // A vendor that is not there: the event fails its three tries and is dropped; the queue is then empty, but
  // nothing was delivered.
  asio::io_context io;
  unsigned short port;
  {
    asio::ip::tcp::acceptor closed{io, {asio::ip::make_address("127.0.0.1"), 0}};
    port = closed.local_endpoint().port();
  }
  WebhookAdapter adapter("http://127.0.0.1:" + std::to_string(port) + "/gem", kSecret);
  adapter.notify({{"event", "queued"}, {"conversation", "c1"}});
  BOOST_TEST(!adapter.flush());
  BOOST_TEST(adapter.dropped() == 1u);
}

BOOST_AUTO_TEST_CASE(the_queue_is_bounded_and_flush_keeps_the_deadline_when_the_vendor_hangs) {
  // A vendor that accepts connections and never answers.
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
  std::string url = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/gem";
  WebhookAdapter adapter(url, kSecret, 3);
  for (int i = 0; i < 6; ++i) adapter.notify({{"event", "message"}, {"text", std::to_string(i)}});
  // One is on its way (or about to be), three wait; the rest were dropped.
  BOOST_TEST(adapter.dropped() >= 2u);
  BOOST_TEST(adapter.dropped() <= 3u);
  auto started = std::chrono::steady_clock::now();
  BOOST_TEST(!adapter.flush(started + std::chrono::milliseconds(300)));
  auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST(took < std::chrono::milliseconds(1500));  // the 300 ms deadline plus a loaded machine's scheduling
  BOOST_TEST(adapter.dropped() >= 5u);  // what still waited was given up at the deadline
}
