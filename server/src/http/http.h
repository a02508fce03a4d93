// The server's HTTP vocabulary, free of Boost so modules compile fast:
// Request, Response, WebSocketSession and the Router that maps paths to handlers.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace gem::http {

// Header names compare case-insensitively (RFC 9110).
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
};
using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;             // "GET", "POST", …
  std::string path;               // percent-decoded, without the query string
  std::string query_string;       // raw, without '?'
  Headers headers;
  std::string body;
  std::string client_ip;
  std::map<std::string, std::string> params;  // {param} values from the route pattern
  std::string route;              // the matched route pattern ("/v1/live/{gm}/status"); "" for none

  std::optional<std::string> header(std::string_view name) const;
  std::optional<std::string> cookie(std::string_view name) const;
  std::optional<std::string> query(std::string_view name) const;  // percent-decoded, first occurrence
  std::optional<std::string> origin() const { return header("Origin"); }
  // Whether `origin` is this server itself: http or https on the Host the request came to.
  bool is_own_origin(std::string_view origin) const;
  std::string param(const std::string& name) const;  // "" when absent
  // The body as JSON; throws BadRequest("invalid_request", …) when it is not a JSON object.
  nlohmann::json json_body() const;
};

struct Cookie {
  std::string name, value;
  std::string path = "/";
  std::optional<std::chrono::seconds> max_age;  // none: a session cookie
  bool http_only = true, secure = true;
  std::string same_site = "Strict";
};

struct Response {
  int status = 200;
  Headers headers;
  std::vector<Cookie> cookies;
  std::string body;
  // When set, the body is this file, streamed from disk in small pieces (static files): a slow
  // reader holds a file descriptor, never a copy of the file.
  std::filesystem::path file;

  Response& header(std::string name, std::string value);
  Response& cookie(Cookie c);

  static Response json(int status, const nlohmann::json& body);
  static Response empty(int status);  // e.g. 204
  // The protocol's error body: {"error": code, "field": field?, "reason": reason}.
  static Response error(int status, std::string_view code, std::string_view reason, std::string_view field = {});
};

// Thrown by handlers and validators; the server turns it into Response::error.
struct HttpError : std::exception {
  int status;
  std::string code, reason, field;
  HttpError(int status, std::string code, std::string reason, std::string field = {})
      : status(status), code(std::move(code)), reason(std::move(reason)), field(std::move(field)) {}
  const char* what() const noexcept override { return reason.c_str(); }
};
// 400 invalid_request with the field it is about.
HttpError bad_request(std::string field, std::string reason);

// WebSocket close codes (RFC 6455 §7.4.1) a handler may choose.
enum class CloseCode : std::uint16_t { normal = 1000, going_away = 1001, policy_violation = 1008, try_again_later = 1013 };

// One WebSocket connection. send() and close() are safe from any thread; callbacks run on the
// connection's own strand, one at a time. A peer that stops reading while frames pile up beyond the
// server's per-socket limit is disconnected.
class WebSocketSession {
 public:
  virtual ~WebSocketSession() = default;
  virtual void send(std::string text) = 0;
  // Sends a close frame with the given reason (at most 123 bytes) and ends the connection.
  virtual void close(std::string reason, CloseCode code = CloseCode::normal) = 0;
  // The upgrade request (headers, cookies, params, client IP).
  virtual const Request& request() const = 0;

  void on_message(std::function<void(const std::string&)> handler) { message_handler_ = std::move(handler); }
  void on_close(std::function<void()> handler) { close_handler_ = std::move(handler); }

 protected:
  std::function<void(const std::string&)> message_handler_;
  std::function<void()> close_handler_;
};

using HttpHandler = std::function<Response(const Request&)>;
// For work that must not hold a network thread (password hashing): call `respond` exactly once,
// from any thread. Exceptions thrown before that become error responses as for HttpHandler.
using Respond = std::function<void(Response)>;
using AsyncHttpHandler = std::function<void(const Request&, Respond)>;
// Called once per accepted connection; set on_message/on_close on the session here.
using WebSocketHandler = std::function<void(std::shared_ptr<WebSocketSession>)>;

struct WebSocketRoute {
  WebSocketHandler handler;
  std::size_t max_frame_bytes = 0;  // larger frames close the socket (1009); 0: the server's limit
};

// Routes: a method plus a pattern of literal segments and {param} segments ("/v1/live/{gm}/waste").
class Router {
 public:
  void add(std::string method, std::string pattern, HttpHandler handler);
  void get(std::string pattern, HttpHandler handler) { add("GET", std::move(pattern), std::move(handler)); }
  void post(std::string pattern, HttpHandler handler) { add("POST", std::move(pattern), std::move(handler)); }
  void add_async(std::string method, std::string pattern, AsyncHttpHandler handler);
  // max_frame_bytes 0: the server's configured limit (limits.frame_bytes).
  void websocket(std::string pattern, WebSocketHandler handler, std::size_t max_frame_bytes = 0);

  struct HttpMatch {
    const HttpHandler* handler = nullptr;            // both null: no route for this method
    const AsyncHttpHandler* async_handler = nullptr;
    std::string allow;                               // methods the path has ("GET, HEAD"), for 405
    std::string route;                               // the pattern that matched
    std::map<std::string, std::string> params;
    bool found() const { return handler || async_handler; }
    bool path_known() const { return !allow.empty(); }
  };
  HttpMatch match(std::string_view method, std::string_view path) const;
  struct WebSocketMatch {
    const WebSocketRoute* route = nullptr;
    std::map<std::string, std::string> params;
  };
  WebSocketMatch match_websocket(std::string_view path) const;

 private:
  struct Pattern {
    std::vector<std::string> segments;  // "{name}" marks a parameter
    bool matches(std::string_view path, std::map<std::string, std::string>& params) const;
  };
  static Pattern parse(const std::string& pattern);
  struct HttpRoute {
    std::string method, pattern_text;
    Pattern pattern;
    HttpHandler handler;
    AsyncHttpHandler async_handler;
  };
  std::vector<HttpRoute> http_;
  std::vector<std::pair<Pattern, WebSocketRoute>> websocket_;
};

// The key one client is counted under for rate and connection limits: an IPv4 address as is, an
// IPv6 address by its /64 (one subscriber's network hands out many addresses); unparsable: as is.
std::string address_block(const std::string& ip);

// Percent-decoding for paths and query values; nullopt on a malformed escape or a NUL byte.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace gem::http
