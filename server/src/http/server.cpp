#include "http/server.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace gem::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Something the server must close on shutdown.
struct Closable {
  virtual ~Closable() = default;
  virtual void shutdown(const std::string& reason) = 0;
};

struct Shared {
  Shared(ServerOptions o, const Router& r, Hooks h) : options(std::move(o)), router(r), hooks(std::move(h)) {}
  ServerOptions options;
  const Router& router;
  Hooks hooks;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::unordered_map<Closable*, std::weak_ptr<Closable>> open;

  void add(const std::shared_ptr<Closable>& c) {
    std::lock_guard lock(mutex);
    open[c.get()] = c;
  }
  void remove(Closable* c) {
    std::lock_guard lock(mutex);
    open.erase(c);
  }
};

std::string serialize(const Cookie& c) {
  std::string s = c.name + "=" + c.value + "; Path=" + c.path;
  if (c.max_age) s += "; Max-Age=" + std::to_string(c.max_age->count());
  if (c.http_only) s += "; HttpOnly";
  if (c.secure) s += "; Secure";
  if (!c.same_site.empty()) s += "; SameSite=" + c.same_site;
  return s;
}

// Beast request → our Request; nullopt when the target is not a valid origin-form path.
std::optional<Request> convert(const bhttp::request<bhttp::string_body>& in, const std::string& client_ip) {
  Request r;
  r.method = std::string(in.method_string());
  std::string_view target = in.target();
  auto q = target.find('?');
  auto path = percent_decode(target.substr(0, q), false);
  if (!path || path->empty() || path->front() != '/') return std::nullopt;
  r.path = std::move(*path);
  if (q != std::string_view::npos) r.query_string = std::string(target.substr(q + 1));
  for (const auto& field : in) r.headers[std::string(field.name_string())] = std::string(field.value());
  r.body = in.body();
  r.client_ip = client_ip;
  return r;
}

// Behind a trusted reverse proxy the client is the last address the proxy appended.
std::string client_address(const std::string& peer, const Request& request, const std::vector<std::string>& trusted) {
  if (std::find(trusted.begin(), trusted.end(), peer) == trusted.end()) return peer;
  auto forwarded = request.header("X-Forwarded-For");
  if (!forwarded) return peer;
  std::string_view list = *forwarded;
  auto comma = list.rfind(',');
  auto last = comma == std::string_view::npos ? list : list.substr(comma + 1);
  while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
  while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
  beast::error_code ec;
  auto address = net::ip::make_address(std::string(last), ec);
  return ec ? peer : address.to_string();
}

bhttp::response<bhttp::string_body> to_beast(const Response& res, unsigned version, bool keep_alive, bool head) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
  for (const auto& [name, value] : res.headers) out.set(name, value);
  for (const auto& c : res.cookies) out.insert(bhttp::field::set_cookie, serialize(c));
  out.keep_alive(keep_alive);
  if (head) {
    out.content_length(res.body.size());
  } else {
    out.body() = res.body;
    out.prepare_payload();
  }
  return out;
}

class WsSession : public WebSocketSession, public Closable, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, Shared& shared, Request request, const WebSocketRoute& route)
      : ws_(std::move(socket)), shared_(shared), request_(std::move(request)), route_(route) {}
  ~WsSession() override { shared_.remove(this); }

  void start(bhttp::request<bhttp::string_body> upgrade) {
    shared_.add(shared_from_this());
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(route_.max_frame_bytes);
    ws_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->route_.handler(self);
      self->read();
    });
  }

  void send(std::string text) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      self->enqueue(Outgoing{false, std::move(text)});
    });
  }
  void close(std::string reason) override {
    if (reason.size() > 123) reason.resize(123);
    net::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason)]() mutable {
      self->enqueue(Outgoing{true, std::move(reason)});
    });
  }
  void shutdown(const std::string& reason) override { close(reason); }
  const Request& request() const override { return request_; }

 private:
  struct Outgoing {
    bool close;
    std::string data;
  };

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->closed();
      if (!self->ws_.got_text()) {
        self->enqueue(Outgoing{true, "text frames only"});
        return;
      }
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (self->message_handler_) self->message_handler_(text);
      self->read();
    });
  }

  void closed() {
    if (notified_) return;
    notified_ = true;
    if (close_handler_) close_handler_();
    // Break the cycle a handler's callbacks may hold on this session.
    message_handler_ = nullptr;
    close_handler_ = nullptr;
  }

  void enqueue(Outgoing out) {
    if (close_sent_) return;
    queue_.push_back(std::move(out));
    if (queue_.size() == 1) write_next();
  }

  void write_next() {
    if (queue_.empty()) return;
    if (queue_.front().close) {
      close_sent_ = true;
      websocket::close_reason why(websocket::close_code::going_away);
      if (!shared_.stopping) why.code = websocket::close_code::normal;
      why.reason = queue_.front().data;
      queue_.clear();
      ws_.async_close(why, [self = shared_from_this()](beast::error_code) { self->closed(); });
      return;
    }
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front().data), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->closed();
      self->queue_.pop_front();
      self->write_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Shared& shared_;
  Request request_;
  const WebSocketRoute& route_;
  beast::flat_buffer buffer_;
  std::deque<Outgoing> queue_;
  bool close_sent_ = false;
  bool notified_ = false;
};

class HttpSession : public Closable, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ip_ = endpoint.address().to_string();
  }
  ~HttpSession() override { shared_.remove(this); }

  void start() {
    shared_.add(shared_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  void shutdown(const std::string&) override {
    // Idle keep-alive connections close now; one mid-request finishes its response first.
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.close();
      }
    });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(shared_.options.max_body_bytes);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(shared_.options.idle_timeout);
    busy_ = false;
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->busy_ = true;
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    started_ = Clock::now();
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::bad_descriptor) {
      return close();
    }
    if (ec == bhttp::error::body_limit) {
      if (auto header = convert(parser_->get(), client_ip_)) {
        header->body.clear();
        return reply(*header, Response::error(413, "too_large", "the body is larger than " +
                                                  std::to_string(shared_.options.max_body_bytes) + " bytes"),
                     11, false, false);
      }
      return reply_raw(Response::error(413, "too_large", "the body is larger than " +
                                           std::to_string(shared_.options.max_body_bytes) + " bytes"), false);
    }
    if (ec == bhttp::error::header_limit) {
      return reply_raw(Response::error(431, "invalid_request", "the request headers are too large"), false);
    }
    if (ec) {
      return reply_raw(Response::error(400, "invalid_request", "malformed HTTP request"), false);
    }
    auto message = parser_->release();
    auto converted = convert(message, client_ip_);
    if (!converted) {
      return reply_raw(Response::error(400, "invalid_request", "malformed request target"), false);
    }
    Request request = std::move(*converted);
    request.client_ip = client_address(client_ip_, request, shared_.options.trusted_proxies);

    if (websocket::is_upgrade(message)) return upgrade(std::move(request), std::move(message));

    Response response = handle(request);
    reply(request, std::move(response), message.version(), message.keep_alive(), message.method() == bhttp::verb::head);
  }

  Response handle(Request& request) {
    try {
      auto match = shared_.router.match(request.method, request.path);
      if (match.handler) request.params = match.params;
      if (shared_.hooks.before) {
        if (auto veto = shared_.hooks.before(request)) return std::move(*veto);
      }
      if (match.handler) return (*match.handler)(request);
      if (match.path_known) return Response::error(405, "invalid_request", "method not allowed for this path");
      if ((request.method == "GET" || request.method == "HEAD") && shared_.hooks.fallback) {
        return shared_.hooks.fallback(request);
      }
      return Response::error(404, "not_found", "no such path");
    } catch (const HttpError& e) {
      return Response::error(e.status, e.code, e.reason, e.field);
    } catch (const std::exception& e) {
      std::cerr << "gem-server: handler failed: " << e.what() << "\n";
      return Response::error(500, "internal", "the server could not handle this request");
    }
  }

  void upgrade(Request request, bhttp::request<bhttp::string_body> message) {
    auto match = shared_.router.match_websocket(request.path);
    std::optional<Response> refusal;
    if (!match.route) {
      refusal = Response::error(404, "not_found", "no WebSocket endpoint at this path");
    } else if (shared_.stopping) {
      refusal = Response::error(503, "unavailable", "the server is shutting down");
    } else {
      request.params = match.params;
      if (shared_.hooks.before) refusal = shared_.hooks.before(request);
    }
    if (refusal) return reply(request, std::move(*refusal), message.version(), false, false);
    if (shared_.hooks.access_log) {
      shared_.hooks.access_log(request, 101, std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_));
    }
    stream_.expires_never();  // the WebSocket stream has its own timeouts
    auto session = std::make_shared<WsSession>(stream_.release_socket(), shared_, std::move(request), *match.route);
    session->start(std::move(message));
  }

  void reply_raw(Response response, bool keep_alive) {
    Request unknown;
    unknown.method = "-";
    unknown.path = "-";
    unknown.client_ip = client_ip_;
    reply(unknown, std::move(response), 11, keep_alive, false);
  }

  void reply(const Request& request, Response response, unsigned version, bool keep_alive, bool head) {
    if (shared_.hooks.after) shared_.hooks.after(request, response);
    keep_alive = keep_alive && !shared_.stopping;
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>(to_beast(response, version, keep_alive, head));
    int status = response.status;
    auto log_request = std::make_shared<Request>();
    log_request->method = request.method;
    log_request->path = request.path;
    bhttp::async_write(stream_, *out, [self = shared_from_this(), out, keep_alive, status, log_request](beast::error_code ec, std::size_t) {
      if (self->shared_.hooks.access_log) {
        self->shared_.hooks.access_log(*log_request, status,
                                       std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - self->started_));
      }
      if (ec || !keep_alive) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  Shared& shared_;
  std::string client_ip_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Clock::time_point started_;
  bool busy_ = false;
};

}  // namespace

struct Server::Impl {
  Shared shared;
  net::io_context ioc;
  tcp::acceptor acceptor{net::make_strand(ioc)};
  net::signal_set signals{ioc};
  std::vector<std::function<void()>> stopping_callbacks;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;
  std::once_flag stop_once;

  Impl(ServerOptions options, const Router& router, Hooks hooks) : shared(std::move(options), router, std::move(hooks)) {}

  void accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) std::make_shared<HttpSession>(std::move(socket), shared)->start();
      accept();
    });
  }

  void stop(const std::string& reason) {
    std::call_once(stop_once, [&] {
      shared.stopping = true;
      net::post(acceptor.get_executor(), [this] {
        beast::error_code ec;
        acceptor.close(ec);
      });
      signals.cancel();
      for (auto& callback : stopping_callbacks) callback();
      std::vector<std::shared_ptr<Closable>> open;
      {
        std::lock_guard lock(shared.mutex);
        for (auto& [_, weak] : shared.open) {
          if (auto c = weak.lock()) open.push_back(std::move(c));
        }
      }
      for (auto& c : open) c->shutdown(reason);
      guard.reset();
      // Peers that never answer the close handshake must not hold the process.
      auto deadline = std::make_shared<net::steady_timer>(ioc, std::chrono::seconds(5));
      deadline->async_wait([this, deadline](beast::error_code) { ioc.stop(); });
      // When everything closed earlier, stop at once.
      auto poll = std::make_shared<net::steady_timer>(ioc);
      auto check = std::make_shared<std::function<void()>>();
      *check = [this, poll, check] {
        bool empty;
        {
          std::lock_guard lock(shared.mutex);
          empty = shared.open.empty();
        }
        if (empty) return ioc.stop();
        poll->expires_after(std::chrono::milliseconds(20));
        poll->async_wait([check](beast::error_code) { (*check)(); });
      };
      net::post(ioc, [check] { (*check)(); });
    });
  }
};

Server::Server(ServerOptions options, const Router& router, Hooks hooks)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(hooks))) {}

Server::~Server() = default;

void Server::listen() {
  auto& o = impl_->shared.options;
  beast::error_code ec;
  auto address = net::ip::make_address(o.bind, ec);
  if (ec) throw std::runtime_error("invalid bind address '" + o.bind + "'");
  tcp::endpoint endpoint{address, o.port};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + o.bind + ":" + std::to_string(o.port) + ": " + ec.message());
}

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run() {
  impl_->guard.emplace(impl_->ioc.get_executor());
  impl_->accept();
  int n = std::max(1, impl_->shared.options.threads);
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void Server::stop(std::string reason) {
  net::post(impl_->ioc, [this, reason = std::move(reason)] { impl_->stop(reason); });
}

void Server::on_stopping(std::function<void()> callback) { impl_->stopping_callbacks.push_back(std::move(callback)); }

void Server::stop_on_signals() {
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) impl_->stop("shutdown");
  });
}

}  // namespace gem::http
