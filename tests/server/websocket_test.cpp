// The HTTP/WebSocket layer on a real loopback socket: routing and hooks, frames both ways, sends
// from another thread, the frame size limit, Origin refusal before the handshake, and a graceful
// stop that closes sockets with the reason and runs the stopping callbacks.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "http/server.h"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using namespace gem::http;

namespace {

struct Running {
  Router router;
  std::unique_ptr<Server> server;
  std::thread thread;
  std::atomic<int> stopping_calls{0};
  std::vector<std::string> log;
  std::mutex log_mutex;

  Running() {
    router.get("/hello/{name}", [](const Request& r) { return Response::json(200, {{"hello", r.param("name")}}); });
    router.websocket("/echo", [](std::shared_ptr<WebSocketSession> session) {
      std::weak_ptr<WebSocketSession> weak = session;
      session->on_message([weak](const std::string& text) {
        auto s = weak.lock();
        if (!s) return;
        if (text == "from-thread") {
          std::thread([s] { s->send("sent from another thread"); }).detach();
        } else if (text == "bye") {
          s->close("bye yourself");
        } else {
          s->send("echo:" + text);
        }
      });
    }, 64);
    Hooks hooks;
    hooks.before = [](const Request& r) -> std::optional<Response> {
      if (r.origin() && *r.origin() != "https://ok.example") return Response::error(403, "forbidden_origin", "no");
      return std::nullopt;
    };
    hooks.after = [](const Request&, Response& r) { r.header("X-Test", "after"); };
    hooks.access_log = [this](const Request& r, int status, std::chrono::microseconds) {
      std::lock_guard lock(log_mutex);
      log.push_back(r.method + " " + r.path + " " + std::to_string(status));
    };
    ServerOptions options;
    options.port = 0;
    server = std::make_unique<Server>(options, router, hooks);
    server->on_stopping([this] { ++stopping_calls; });
    server->listen();
    thread = std::thread([this] { server->run(); });
  }
  ~Running() {
    server->stop("test over");
    thread.join();
  }
};

struct Client {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  beast::flat_buffer buffer;

  void connect(std::uint16_t port, std::string origin = "https://ok.example") {
    tcp::resolver resolver(ioc);
    net::connect(ws.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
    ws.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
      req.set(beast::http::field::origin, origin);
    }));
    ws.handshake("127.0.0.1", "/echo");
  }
  std::string read() {
    buffer.consume(buffer.size());
    ws.read(buffer);
    return beast::buffers_to_string(buffer.data());
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(websocket_layer)

BOOST_AUTO_TEST_CASE(http_routes_and_hooks) {
  Running r;
  net::io_context ioc;
  tcp::socket socket(ioc);
  tcp::resolver resolver(ioc);
  net::connect(socket, resolver.resolve("127.0.0.1", std::to_string(r.server->port())));
  beast::http::request<beast::http::string_body> req{beast::http::verb::get, "/hello/gem?secret=1", 11};
  req.set(beast::http::field::host, "127.0.0.1");
  beast::http::write(socket, req);
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(socket, buffer, res);
  BOOST_TEST(res.result_int() == 200);
  BOOST_TEST(res.body() == R"({"hello":"gem"})");
  BOOST_TEST(res["X-Test"] == "after");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::lock_guard lock(r.log_mutex);
  BOOST_TEST(r.log.back() == "GET /hello/gem 200", "the access log gets the path without the query");
}

BOOST_AUTO_TEST_CASE(frames_both_ways_and_from_other_threads) {
  Running r;
  Client c;
  c.connect(r.server->port());
  c.ws.write(net::buffer(std::string("hallo")));
  BOOST_TEST(c.read() == "echo:hallo");
  c.ws.write(net::buffer(std::string("from-thread")));
  BOOST_TEST(c.read() == "sent from another thread");
  c.ws.write(net::buffer(std::string("bye")));
  beast::error_code ec;
  c.buffer.consume(c.buffer.size());
  c.ws.read(c.buffer, ec);
  BOOST_TEST((ec == websocket::error::closed));
  BOOST_TEST(std::string(c.ws.reason().reason.c_str()) == "bye yourself");
}

BOOST_AUTO_TEST_CASE(oversized_frames_close_the_socket) {
  Running r;
  Client c;
  c.connect(r.server->port());
  c.ws.write(net::buffer(std::string(65, 'x')));  // the route allows 64 bytes
  beast::error_code ec;
  c.ws.read(c.buffer, ec);
  BOOST_TEST((ec == websocket::error::closed));
  BOOST_TEST(c.ws.reason().code == websocket::close_code::too_big);
}

BOOST_AUTO_TEST_CASE(a_refused_origin_gets_no_handshake) {
  Running r;
  Client c;
  BOOST_CHECK_THROW(c.connect(r.server->port(), "https://evil.example"), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(stop_closes_sockets_with_the_reason) {
  Running r;
  auto port = r.server->port();
  Client c;
  c.connect(port);
  c.ws.write(net::buffer(std::string("ping")));
  BOOST_TEST(c.read() == "echo:ping");
  r.server->stop("shutdown");
  beast::error_code ec;
  c.buffer.consume(c.buffer.size());
  c.ws.read(c.buffer, ec);
  BOOST_TEST((ec == websocket::error::closed));
  BOOST_TEST(std::string(c.ws.reason().reason.c_str()) == "shutdown");
  BOOST_TEST(c.ws.reason().code == websocket::close_code::going_away);
  r.thread.join();
  r.thread = std::thread([] {});  // run() has returned: the server is down
  BOOST_TEST(r.stopping_calls == 1);
  Client late;
  BOOST_CHECK_THROW(late.connect(port), boost::system::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
