#include "http/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/file_body.hpp>
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

struct Shared;

// One admitted connection's place under the caps; given back when the connection ends.
class Slot {
 public:
  Slot(Shared& shared, std::string key) : shared_(shared), key_(std::move(key)) {}
  ~Slot();
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  Shared& shared_;
  std::string key_;  // "" when not counted per address
};

struct Shared {
  Shared(ServerOptions o, const Router& r, Hooks h) : options(std::move(o)), router(r), hooks(std::move(h)) {}
  ServerOptions options;
  const Router& router;
  Hooks hooks;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::unordered_map<Closable*, std::weak_ptr<Closable>> open;
  std::size_t max_connections = 0;
  std::size_t connections = 0;                              // guarded by mutex
  std::unordered_map<std::string, std::size_t> per_address;  // guarded by mutex
  std::atomic<std::size_t> websockets{0};
  std::atomic<std::uint64_t> refused{0};

  // A slot for a new connection from `peer`, or null when a cap is reached.
  std::shared_ptr<Slot> admit(const std::string& peer) {
    bool trusted = std::find(options.trusted_proxies.begin(), options.trusted_proxies.end(), peer) != options.trusted_proxies.end();
    std::string key = trusted ? std::string{} : address_block(peer);
    std::lock_guard lock(mutex);
    if (connections >= max_connections || (!trusted && per_address[key] >= options.max_connections_per_ip)) {
      if (!trusted && per_address[key] == 0) per_address.erase(key);
      ++refused;
      return nullptr;
    }
    ++connections;
    if (!trusted) ++per_address[key];
    return std::make_shared<Slot>(*this, std::move(key));
  }

  void add(const std::shared_ptr<Closable>& c) {
    std::lock_guard lock(mutex);
    open[c.get()] = c;
  }
  void remove(Closable* c) {
    std::lock_guard lock(mutex);
    open.erase(c);
  }
};

Slot::~Slot() {
  std::lock_guard lock(shared_.mutex);
  --shared_.connections;
  if (key_.empty()) return;
  auto it = shared_.per_address.find(key_);
  if (it != shared_.per_address.end() && --it->second == 0) shared_.per_address.erase(it);
}

// Connections the file-descriptor limit leaves room for: each may hold a socket and an open file,
// and SQLite, logs and the listener need some of their own.
std::size_t connection_limit(std::size_t configured) {
  if (configured) return configured;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 10000;
  auto fds = static_cast<std::size_t>(limit.rlim_cur);
  return fds > 128 ? (fds - 64) / 2 : 16;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

// Request smuggling and cache poisoning start with headers that proxies and servers read
// differently: only chunked Transfer-Encoding, and exactly one Host (HTTP/1.0 may omit it).
std::optional<std::string> framing_problem(const bhttp::request<bhttp::string_body>& message) {
  auto te = message.count(bhttp::field::transfer_encoding);
  if (te > 1 || (te == 1 && !equals_ignoring_case(message[bhttp::field::transfer_encoding], "chunked")))
    return "only Transfer-Encoding: chunked is supported";
  auto hosts = message.count(bhttp::field::host);
  if (hosts > 1 || (hosts == 0 && message.version() >= 11)) return "a request needs exactly one Host header";
  return std::nullopt;
}

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

template <class Body>
void fill_header(bhttp::response<Body>& out, const Response& res, bool keep_alive) {
  for (const auto& [name, value] : res.headers) out.set(name, value);
  for (const auto& c : res.cookies) out.insert(bhttp::field::set_cookie, serialize(c));
  out.keep_alive(keep_alive);
}

class WsSession : public WebSocketSession, public Closable, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, Shared& shared, Request request, const WebSocketRoute& route, std::shared_ptr<Slot> slot)
      : ws_(std::move(socket)), shared_(shared), request_(std::move(request)), route_(route), slot_(std::move(slot)) {
    ++shared_.websockets;
  }
  ~WsSession() override {
    --shared_.websockets;
    shared_.remove(this);
  }

  void start(bhttp::request<bhttp::string_body> upgrade) {
    shared_.add(shared_from_this());
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(route_.max_frame_bytes ? route_.max_frame_bytes : shared_.options.max_frame_bytes);
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
  void close(std::string reason, CloseCode code) override {
    if (reason.size() > 123) reason.resize(123);
    net::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason), code]() mutable {
      self->enqueue(Outgoing{true, std::move(reason), code});
    });
  }
  void shutdown(const std::string& reason) override { close(reason, CloseCode::going_away); }
  const Request& request() const override { return request_; }

 private:
  struct Outgoing {
    bool close;
    std::string data;
    CloseCode code = CloseCode::normal;
  };

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->closed();
      if (!self->ws_.got_text()) {
        self->enqueue(Outgoing{true, "text frames only", CloseCode::policy_violation});
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
    if (!out.close) {
      queued_bytes_ += out.data.size();
      // A peer that sends but never reads would make this queue grow without end; a close frame
      // could not reach it either, so the connection is simply dropped.
      if (queued_bytes_ > shared_.options.max_queued_bytes) return drop();
    }
    queue_.push_back(std::move(out));
    if (queue_.size() == 1) write_next();
  }

  void drop() {
    // The frame being written stays queued until its handler has run (it may already be on its way).
    close_sent_ = dropped_ = true;
    beast::get_lowest_layer(ws_).close();  // pending reads and writes end with operation_aborted
    closed();
  }

  void write_next() {
    if (queue_.empty()) return;
    if (queue_.front().close) {
      close_sent_ = true;
      websocket::close_reason why(static_cast<websocket::close_code>(queue_.front().code));
      if (shared_.stopping && queue_.front().code == CloseCode::normal) why.code = websocket::close_code::going_away;
      why.reason = queue_.front().data;
      if (queue_.front().code == CloseCode::policy_violation || queue_.front().code == CloseCode::try_again_later) {
        // A misbehaving peer (one that floods and does not read) gets a second to answer the close.
        auto t = websocket::stream_base::timeout::suggested(beast::role_type::server);
        t.handshake_timeout = std::chrono::seconds(1);
        ws_.set_option(t);
      }
      queue_.clear();
      ws_.async_close(why, [self = shared_from_this()](beast::error_code) { self->closed(); });
      return;
    }
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front().data), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || self->dropped_) return self->closed();
      self->queued_bytes_ -= self->queue_.front().data.size();
      self->queue_.pop_front();
      self->write_next();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Shared& shared_;
  Request request_;
  const WebSocketRoute& route_;
  std::shared_ptr<Slot> slot_;
  beast::flat_buffer buffer_;
  std::deque<Outgoing> queue_;
  std::size_t queued_bytes_ = 0;
  bool close_sent_ = false;
  bool dropped_ = false;
  bool notified_ = false;
};

class HttpSession : public Closable, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, Shared& shared, std::string peer, std::shared_ptr<Slot> slot)
      : stream_(std::move(socket)), shared_(shared), client_ip_(std::move(peer)), slot_(std::move(slot)) {}
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
    if (auto problem = framing_problem(message)) return reply_raw(Response::error(400, "invalid_request", *problem), false);
    auto converted = convert(message, client_ip_);
    if (!converted) {
      return reply_raw(Response::error(400, "invalid_request", "malformed request target"), false);
    }
    Request request = std::move(*converted);
    request.client_ip = client_address(client_ip_, request, shared_.options.trusted_proxies);

    if (websocket::is_upgrade(message)) return upgrade(std::move(request), std::move(message));

    auto request_ptr = std::make_shared<Request>(std::move(request));
    const unsigned version = message.version();
    const bool keep_alive = message.keep_alive(), head = message.method() == bhttp::verb::head;
    auto respond = [self = shared_from_this(), request_ptr, version, keep_alive, head](Response response) {
      net::dispatch(self->stream_.get_executor(), [self, request_ptr, version, keep_alive, head, response = std::move(response)]() mutable {
        self->reply(*request_ptr, std::move(response), version, keep_alive, head);
      });
    };
    if (auto response = handle(*request_ptr, respond)) respond(std::move(*response));
  }

  static Response error_response(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const HttpError& e) {
      return Response::error(e.status, e.code, e.reason, e.field);
    } catch (const std::exception& e) {
      std::cerr << "gem-server: handler failed: " << e.what() << "\n";
    }
    return Response::error(500, "internal", "the server could not handle this request");
  }

  // The response, or nullopt when an asynchronous handler will call `respond` later.
  std::optional<Response> handle(Request& request, const Respond& respond) {
    try {
      auto match = shared_.router.match(request.method, request.path);
      if (match.found()) {
        request.params = match.params;
        request.route = match.route;
      }
      if (shared_.hooks.before) {
        if (auto veto = shared_.hooks.before(request)) return std::move(*veto);
      }
      if (match.handler) return (*match.handler)(request);
      if (match.async_handler) {
        (*match.async_handler)(request, respond);
        return std::nullopt;
      }
      if (match.path_known()) {
        auto r = Response::error(405, "invalid_request", "method not allowed for this path");
        r.header("Allow", match.allow);
        return r;
      }
      if ((request.method == "GET" || request.method == "HEAD") && shared_.hooks.fallback) {
        return shared_.hooks.fallback(request);
      }
      return Response::error(404, "not_found", "no such path");
    } catch (...) {
      return error_response(std::current_exception());
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
      request.route = request.path;
      if (shared_.hooks.before) refusal = shared_.hooks.before(request);
    }
    if (refusal) return reply(request, std::move(*refusal), message.version(), false, false);
    if (shared_.hooks.access_log) {
      shared_.hooks.access_log(request, 101, std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_));
    }
    stream_.expires_never();  // the WebSocket stream has its own timeouts
    auto session = std::make_shared<WsSession>(stream_.release_socket(), shared_, std::move(request), *match.route, std::move(slot_));
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
    auto log_request = std::make_shared<Request>();
    log_request->method = request.method;
    log_request->path = request.path;
    log_request->route = request.route;
    auto done = [self = shared_from_this(), keep_alive, status = response.status, log_request](beast::error_code ec) {
      if (self->shared_.hooks.access_log) {
        self->shared_.hooks.access_log(*log_request, status,
                                       std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - self->started_));
      }
      if (ec || !keep_alive) return self->close();
      self->read();
    };
    if (!response.file.empty() && !head) {
      // Streamed from disk: memory per slow reader is a buffer, not the file.
      auto out = std::make_shared<bhttp::response<bhttp::file_body>>(static_cast<bhttp::status>(response.status), version);
      beast::error_code ec;
      out->body().open(response.file.c_str(), beast::file_mode::scan, ec);
      if (!ec) {
        fill_header(*out, response, keep_alive);
        out->prepare_payload();
        return write(std::move(out), false, std::move(done));
      }
      std::cerr << "gem-server: cannot open a static file: " << ec.message() << "\n";
      response = Response::error(500, "internal", "cannot read the file");
      if (shared_.hooks.after) shared_.hooks.after(request, response);
    }
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(response.status), version);
    fill_header(*out, response, keep_alive);
    if (head) {
      std::error_code ec;
      out->content_length(response.file.empty() ? response.body.size() : std::filesystem::file_size(response.file, ec));
    } else {
      out->body() = std::move(response.body);
      out->prepare_payload();
    }
    write(std::move(out), head, std::move(done));
  }

  template <class Message>
  struct Writing {
    explicit Writing(std::shared_ptr<Message> m) : message(std::move(m)), serializer(*message) {}
    std::shared_ptr<Message> message;
    bhttp::serializer<false, typename Message::body_type, typename Message::fields_type> serializer;
  };

  template <class Message>
  void write(std::shared_ptr<Message> message, bool head, std::function<void(beast::error_code)> done) {
    write_step(std::make_shared<Writing<Message>>(std::move(message)), head, std::move(done));
  }

  // Piece by piece, the idle timeout restarting with each piece: a slow reader may take as long as
  // it keeps reading; one that stops is closed.
  template <class W>
  void write_step(std::shared_ptr<W> w, bool head, std::function<void(beast::error_code)> done) {
    stream_.expires_after(shared_.options.idle_timeout);
    auto on_written = [self = shared_from_this(), w, head, done = std::move(done)](beast::error_code ec, std::size_t) mutable {
      if (ec) return done(ec);
      if (w->serializer.is_done() || (head && w->serializer.is_header_done())) return done({});
      self->write_step(std::move(w), head, std::move(done));
    };
    if (head) bhttp::async_write_header(stream_, w->serializer, std::move(on_written));
    else bhttp::async_write_some(stream_, w->serializer, std::move(on_written));
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  Shared& shared_;
  std::string client_ip_;
  std::shared_ptr<Slot> slot_;
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
  std::vector<std::function<void(Clock::time_point)>> stopping_callbacks;
  net::steady_timer accept_pause{acceptor.get_executor()};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;
  std::once_flag stop_once;
  // Ends the process when a stop takes longer than options.shutdown_deadline (a hook that hangs).
  std::mutex watchdog_mutex;
  std::condition_variable watchdog_wake;
  bool finished = false;
  std::thread watchdog;

  Impl(ServerOptions options, const Router& router, Hooks hooks) : shared(std::move(options), router, std::move(hooks)) {
    shared.max_connections = connection_limit(shared.options.max_connections);
  }
  ~Impl() {
    {
      std::lock_guard lock(watchdog_mutex);
      finished = true;
    }
    watchdog_wake.notify_all();
    if (watchdog.joinable()) watchdog.join();
  }

  void accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (ec == net::error::no_descriptors || ec == beast::error_code(ENFILE, beast::system_category()) ||
          ec == net::error::no_buffer_space || ec == net::error::no_memory) {
        // Out of file descriptors: retrying at once spins on both cores while nothing can be
        // accepted. Pause; connections wait in the listen backlog meanwhile.
        accept_pause.expires_after(std::chrono::milliseconds(100));
        accept_pause.async_wait([this](beast::error_code wait) {
          if (!wait) accept();
        });
        return;
      }
      if (!ec) admit(std::move(socket));
      accept();
    });
  }

  void admit(tcp::socket socket) {
    beast::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (ec) return;
    std::string peer = endpoint.address().to_string();
    auto slot = shared.admit(peer);
    if (!slot) {
      // Over a cap: closed at once, before reading anything (RST, so no TIME_WAIT piles up here).
      socket.set_option(net::socket_base::linger(true, 0), ec);
      socket.close(ec);
      return;
    }
    std::make_shared<HttpSession>(std::move(socket), shared, std::move(peer), std::move(slot))->start();
  }

  void stop(const std::string& reason) {
    std::call_once(stop_once, [&] {
      const auto deadline = Clock::now() + shared.options.shutdown_deadline;
      watchdog = std::thread([this, deadline] {
        std::unique_lock lock(watchdog_mutex);
        if (watchdog_wake.wait_until(lock, deadline + std::chrono::seconds(1), [this] { return finished; })) return;
        std::cerr << "gem-server: shutdown took longer than its deadline; exiting\n";
        std::_Exit(1);
      });
      shared.stopping = true;
      net::post(acceptor.get_executor(), [this] {
        beast::error_code ec;
        acceptor.close(ec);
      });
      signals.cancel();
      for (auto& callback : stopping_callbacks) callback(deadline);
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
      // The hooks above used part of the same deadline.
      auto timer = std::make_shared<net::steady_timer>(ioc, deadline);
      timer->async_wait([this, timer](beast::error_code) { ioc.stop(); });
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

Server::Stats Server::stats() const {
  Stats s;
  {
    std::lock_guard lock(impl_->shared.mutex);
    s.http_connections = impl_->shared.connections;
  }
  s.websockets = impl_->shared.websockets;
  s.http_connections -= std::min(s.http_connections, s.websockets);
  s.refused_connections = impl_->shared.refused;
  return s;
}

std::size_t Server::max_connections() const { return impl_->shared.max_connections; }

void Server::on_stopping(std::function<void(std::chrono::steady_clock::time_point)> callback) { impl_->stopping_callbacks.push_back(std::move(callback)); }

void Server::stop_on_signals() {
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) impl_->stop("shutdown");
  });
}

}  // namespace gem::http
