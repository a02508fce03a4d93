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

// Whether `done()` holds within 5 s: the server updates its counts on its own threads.
bool eventually(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

struct Running {
  Router router;
  std::unique_ptr<Server> server;
  std::thread thread;
  std::atomic<int> stopping_calls{0};
  std::vector<std::string> log;
  std::mutex log_mutex;

  explicit Running(const std::function<void(ServerOptions&)>& tweak = {}) {
    router.get("/hello/{name}", [](const Request& r) { return Response::json(200, {{"hello", r.param("name")}}); });
    router.add_async("GET", "/slow", [](const Request&, Respond respond) {
      std::thread([respond] {
        std::this_thread::sleep_for(std::chrono::seconds(2));
        respond(Response::json(200, {{"slow", true}}));
      }).detach();
    });
    router.websocket("/echo", [](std::shared_ptr<WebSocketSession> session) {
      std::weak_ptr<WebSocketSession> weak = session;
      session->on_message([weak](const std::string& text) {
        auto s = weak.lock();
        if (!s) return;
        if (text == "from-thread") {
          std::thread([s] { s->send("sent from another thread"); }).detach();
        } else if (text == "bye") {
          s->close("bye yourself");
        } else if (text == "flood") {
          for (int i = 0; i < 2000; ++i) s->send(std::string(4096, 'x'));  // 8 MB
        } else if (text == "policy") {
          s->close("rate_limited", CloseCode::policy_violation);
        } else {
          s->send("echo:" + text);
        }
      });
    }, 64);
    // No limit of its own: the server's (limits.frame_bytes).
    router.websocket("/default", [](std::shared_ptr<WebSocketSession>) {});
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
    if (tweak) tweak(options);
    server = std::make_unique<Server>(options, router, hooks);
    server->on_stopping([this](auto) { ++stopping_calls; });
    server->listen();
    thread = std::thread([this] { server->run(); });
  }
  ~Running() {
    server->stop("test over");
    thread.join();
  }
};

// One raw HTTP exchange on a fresh connection: the response's first line and whether the server
// closed the connection after it.
struct RawExchange {
  std::string status_line;
  bool closed = false;
};
RawExchange raw_exchange(std::uint16_t port, const std::string& request) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  tcp::resolver resolver(ioc);
  net::connect(socket, resolver.resolve("127.0.0.1", std::to_string(port)));
  std::string received;
  beast::error_code ec;
  // A refused connection may be closed before the request is written: that is a reset, not a test error.
  net::write(socket, net::buffer(request), ec);
  if (ec) return {"", ec == net::error::connection_reset || ec == net::error::broken_pipe};
  char chunk[4096];
  socket.non_blocking(false);
  struct timeval tv{2, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (!ec) {
    auto n = socket.read_some(net::buffer(chunk), ec);
    received.append(chunk, n);
  }
  RawExchange out;
  out.status_line = received.substr(0, received.find("\r\n"));
  out.closed = ec == net::error::eof || ec == net::error::connection_reset;
  return out;
}

struct Client {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  beast::flat_buffer buffer;

  void connect(std::uint16_t port, std::string origin = "https://ok.example", std::string path = "/echo") {
    tcp::resolver resolver(ioc);
    net::connect(ws.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
    ws.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
      req.set(beast::http::field::origin, origin);
    }));
    ws.handshake("127.0.0.1", path);
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

BOOST_AUTO_TEST_CASE(routes_without_a_frame_limit_get_the_servers) {
  Running r([](ServerOptions& o) { o.max_frame_bytes = 300; });
  Client c;
  c.connect(r.server->port(), "https://ok.example", "/default");
  c.ws.write(net::buffer(std::string(301, 'x')));
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

BOOST_AUTO_TEST_CASE(a_peer_that_does_not_read_is_dropped) {
  Running r([](ServerOptions& o) { o.max_queued_bytes = 256 * 1024; });
  Client c;
  c.connect(r.server->port());
  c.ws.write(net::buffer(std::string("flood")));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // not reading meanwhile
  std::size_t received = 0;
  beast::error_code ec;
  while (!ec) {
    c.buffer.consume(c.buffer.size());
    received += c.ws.read(c.buffer, ec);
  }
  BOOST_TEST(received < 4u * 1024 * 1024, "the server dropped the connection instead of queueing 8 MB: " << received);
  // The server forgets the socket on its own thread, just after the client has seen the close.
  BOOST_TEST(eventually([&] { return r.server->stats().websockets == 0u; }));
}

BOOST_AUTO_TEST_CASE(a_policy_close_carries_its_code) {
  Running r;
  Client c;
  c.connect(r.server->port());
  c.ws.write(net::buffer(std::string("policy")));
  beast::error_code ec;
  c.ws.read(c.buffer, ec);
  BOOST_TEST((ec == websocket::error::closed));
  BOOST_TEST(c.ws.reason().code == websocket::close_code::policy_error);
  BOOST_TEST(std::string(c.ws.reason().reason.c_str()) == "rate_limited");
}

BOOST_AUTO_TEST_CASE(ambiguous_framing_is_refused_and_the_connection_closed) {
  Running r;
  auto port = r.server->port();
  auto gzip = raw_exchange(port, "POST /hello/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n");
  BOOST_TEST(gzip.status_line == "HTTP/1.1 400 Bad Request");
  BOOST_TEST(gzip.closed);
  auto two_hosts = raw_exchange(port, "GET /hello/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  BOOST_TEST(two_hosts.status_line == "HTTP/1.1 400 Bad Request");
  BOOST_TEST(two_hosts.closed);
  auto no_host = raw_exchange(port, "GET /hello/x HTTP/1.1\r\n\r\n");
  BOOST_TEST(no_host.status_line == "HTTP/1.1 400 Bad Request");
  auto fine = raw_exchange(port, "GET /hello/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  BOOST_TEST(fine.status_line == "HTTP/1.1 200 OK");
}

BOOST_AUTO_TEST_CASE(a_wrong_method_gets_405_with_allow) {
  Running r;
  net::io_context ioc;
  tcp::socket socket(ioc);
  tcp::resolver resolver(ioc);
  net::connect(socket, resolver.resolve("127.0.0.1", std::to_string(r.server->port())));
  beast::http::request<beast::http::string_body> req{beast::http::verb::delete_, "/hello/gem", 11};
  req.set(beast::http::field::host, "127.0.0.1");
  beast::http::write(socket, req);
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(socket, buffer, res);
  BOOST_TEST(res.result_int() == 405);
  BOOST_TEST(res["Allow"] == "GET, HEAD");
}

BOOST_AUTO_TEST_CASE(an_async_handler_holds_no_network_thread) {
  Running r([](ServerOptions& o) { o.threads = 1; });
  auto port = r.server->port();
  auto slow = std::async(std::launch::async, [port] {
    return raw_exchange(port, "GET /slow HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // The only network thread answers the fast request while the slow one is still being worked on
  // (it answers after 2 s): an order, not a timing bound, so a loaded machine cannot fail it.
  auto fast = raw_exchange(port, "GET /hello/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  BOOST_TEST(fast.status_line == "HTTP/1.1 200 OK");
  BOOST_TEST((slow.wait_for(std::chrono::seconds(0)) == std::future_status::timeout));
  BOOST_TEST(slow.get().status_line == "HTTP/1.1 200 OK");
}

BOOST_AUTO_TEST_CASE(connections_are_capped_per_address) {
  Running r([](ServerOptions& o) { o.max_connections_per_ip = 2; });
  auto port = r.server->port();
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  std::vector<tcp::socket> held;
  for (int i = 0; i < 2; ++i) {
    held.emplace_back(ioc);
    net::connect(held.back(), resolver.resolve("127.0.0.1", std::to_string(port)));
  }
  BOOST_TEST_REQUIRE(eventually([&] { return r.server->stats().http_connections == 2u; }), "the server accepted both");
  auto third = raw_exchange(port, "GET /hello/x HTTP/1.1\r\nHost: a\r\n\r\n");
  BOOST_TEST(third.status_line == "");
  BOOST_TEST(third.closed);
  BOOST_TEST(r.server->stats().refused_connections == 1u);
  held.clear();  // the two close: their places are free again
  BOOST_TEST_REQUIRE(eventually([&] { return r.server->stats().http_connections == 0u; }), "the server saw both close");
  BOOST_TEST(raw_exchange(port, "GET /hello/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").status_line == "HTTP/1.1 200 OK");
}

BOOST_AUTO_TEST_SUITE_END()
