#include "http/http.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace gem::http {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
  });
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

bool Request::is_own_origin(std::string_view origin) const {
  auto host = header("Host");
  return host && (origin == "http://" + *host || origin == "https://" + *host);
}

std::optional<std::string> Request::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  auto all = header("Cookie");
  if (!all) return std::nullopt;
  std::string_view rest = *all;
  while (!rest.empty()) {
    auto end = rest.find(';');
    auto pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::optional<std::string> Request::query(std::string_view name) const {
  std::string_view rest = query_string;
  while (!rest.empty()) {
    auto end = rest.find('&');
    auto pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    if (key && *key == name) {
      if (eq == std::string_view::npos) return std::string{};
      auto value = percent_decode(pair.substr(eq + 1), true);
      if (!value) throw bad_request(std::string(name), "malformed percent-encoding");
      return value;
    }
  }
  return std::nullopt;
}

std::string Request::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string{} : it->second;
}

nlohmann::json Request::json_body() const {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) throw bad_request("", "the body is not valid JSON");
  if (!parsed.is_object()) throw bad_request("", "the body must be a JSON object");
  return parsed;
}

Response& Response::header(std::string name, std::string value) {
  headers[std::move(name)] = std::move(value);
  return *this;
}

Response& Response::cookie(Cookie c) {
  cookies.push_back(std::move(c));
  return *this;
}

Response Response::json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.header("Content-Type", "application/json; charset=utf-8");
  return r;
}

Response Response::empty(int status) {
  Response r;
  r.status = status;
  return r;
}

Response Response::error(int status, std::string_view code, std::string_view reason, std::string_view field) {
  nlohmann::json body = {{"error", code}, {"reason", reason}};
  if (!field.empty()) body["field"] = field;
  auto r = json(status, body);
  r.header("Cache-Control", "no-store");
  return r;
}

HttpError bad_request(std::string field, std::string reason) {
  return HttpError(400, "invalid_request", std::move(reason), std::move(field));
}

Router::Pattern Router::parse(const std::string& pattern) {
  if (pattern.empty() || pattern.front() != '/') throw std::invalid_argument("route pattern must start with '/': " + pattern);
  Pattern p;
  std::string_view rest = std::string_view(pattern).substr(1);
  while (true) {
    auto end = rest.find('/');
    p.segments.emplace_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest = rest.substr(end + 1);
  }
  return p;
}

bool Router::Pattern::matches(std::string_view path, std::map<std::string, std::string>& params) const {
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    auto end = path.find('/');
    bool last = i + 1 == segments.size();
    if (last != (end == std::string_view::npos)) return false;
    auto part = path.substr(0, end);
    const auto& seg = segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      if (part.empty()) return false;
      found[seg.substr(1, seg.size() - 2)] = std::string(part);
    } else if (seg != part) {
      return false;
    }
    if (!last) path = path.substr(end + 1);
  }
  params = std::move(found);
  return true;
}

void Router::add(std::string method, std::string pattern, HttpHandler handler) {
  auto parsed = parse(pattern);
  http_.push_back({std::move(method), std::move(pattern), std::move(parsed), std::move(handler), nullptr});
}

void Router::add_async(std::string method, std::string pattern, AsyncHttpHandler handler) {
  auto parsed = parse(pattern);
  http_.push_back({std::move(method), std::move(pattern), std::move(parsed), nullptr, std::move(handler)});
}

void Router::websocket(std::string pattern, WebSocketHandler handler, std::size_t max_frame_bytes) {
  websocket_.emplace_back(parse(pattern), WebSocketRoute{std::move(handler), max_frame_bytes});
}

Router::HttpMatch Router::match(std::string_view method, std::string_view path) const {
  HttpMatch m;
  for (const auto& route : http_) {
    std::map<std::string, std::string> params;
    if (!route.pattern.matches(path, params)) continue;
    if (!m.found() && (route.method == method || (method == "HEAD" && route.method == "GET"))) {
      m.handler = route.handler ? &route.handler : nullptr;
      m.async_handler = route.async_handler ? &route.async_handler : nullptr;
      m.route = route.pattern_text;
      m.params = std::move(params);
    }
    if (m.allow.find(route.method) == std::string::npos) m.allow += (m.allow.empty() ? "" : ", ") + route.method;
    if (route.method == "GET" && m.allow.find("HEAD") == std::string::npos) m.allow += ", HEAD";
  }
  return m;
}

std::string address_block(const std::string& ip) {
  unsigned char bytes[16];
  if (ip.find(':') == std::string::npos || inet_pton(AF_INET6, ip.c_str(), bytes) != 1) return ip;
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address itself.
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(mapped, mapped + 12, bytes)) {
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, bytes + 12, text, sizeof text);
    return text;
  }
  std::fill(bytes + 8, bytes + 16, 0);
  char text[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, bytes, text, sizeof text);
  return std::string(text) + "/64";
}

Router::WebSocketMatch Router::match_websocket(std::string_view path) const {
  WebSocketMatch m;
  for (const auto& [pattern, route] : websocket_) {
    std::map<std::string, std::string> params;
    if (pattern.matches(path, params)) {
      m.route = &route;
      m.params = std::move(params);
      return m;
    }
  }
  return m;
}

}  // namespace gem::http
