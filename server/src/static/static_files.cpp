#include "static/static_files.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <system_error>

namespace gem {
namespace {

namespace fs = std::filesystem;

// Lexical check: every segment is a plain name (no "..", ".", empty, backslash), and nothing the
// widget does not need: no dotfiles (.git, .env), no node_modules, no source maps.
bool safe_relative(std::string_view rest) {
  while (!rest.empty()) {
    auto end = rest.find('/');
    auto seg = rest.substr(0, end);
    if (seg.empty() || seg.front() == '.' || seg == "node_modules" || seg.find('\\') != std::string_view::npos) return false;
    if (end == std::string_view::npos) return !seg.ends_with(".map");
    rest = rest.substr(end + 1);
  }
  return true;
}

// A symlink may point elsewhere inside its mount, never out of it.
bool inside(const fs::path& file, const fs::path& dir) {
  std::error_code ec;
  auto real_file = fs::canonical(file, ec);
  if (ec) return false;
  auto real_dir = fs::canonical(dir, ec);
  if (ec) return false;
  auto [d, f] = std::mismatch(real_dir.begin(), real_dir.end(), real_file.begin(), real_file.end());
  return d == real_dir.end();
}

// The encodings the client accepts, from Accept-Encoding ("br, gzip;q=0.8"); q=0 means refused.
bool accepts(const std::optional<std::string>& header, std::string_view coding) {
  if (!header) return false;
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    auto semicolon = item.find(';');
    std::string_view token = item.substr(0, semicolon);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token != coding) continue;
    if (semicolon == std::string_view::npos) return true;
    std::string_view params = item.substr(semicolon + 1);
    auto q = params.find("q=");
    if (q == std::string_view::npos) return true;
    return std::strtod(std::string(params.substr(q + 2)).c_str(), nullptr) > 0;
  }
  return false;
}

// widget/build.js names every asset but gem.js after its content: "gem-panel.3f9a1c2b7d4e.js".
bool content_hashed(const std::string& name) {
  auto last = name.rfind('.');
  if (last == std::string::npos || last < 13) return false;
  auto hash = std::string_view(name).substr(last - 12, 12);
  return name[last - 13] == '.' && std::all_of(hash.begin(), hash.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

}  // namespace

StaticFiles::StaticFiles(std::vector<StaticMount> mounts) : mounts_(std::move(mounts)) {}

std::string StaticFiles::mime_type(const std::string& extension) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"}, {".wasm", "application/wasm"},
      {".onnx", "application/octet-stream"}, {".spm", "application/octet-stream"},
      {".svg", "image/svg+xml"}, {".png", "image/png"}, {".ico", "image/x-icon"},
      {".tsv", "text/tab-separated-values; charset=utf-8"}, {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"}};
  auto it = types.find(extension);
  return it == types.end() ? "application/octet-stream" : it->second;
}

http::Response StaticFiles::serve(const http::Request& request) const {
  const auto& path = request.path;
  fs::path file, root;  // root: the mount's directory, which no symlink may leave
  bool found = false;
  for (const auto& m : mounts_) {
    bool directory_mount = m.prefix.back() == '/';
    if (!directory_mount) {
      if (path == m.prefix) {
        file = m.dir;
        root = m.dir.parent_path();
        found = true;
        break;
      }
      continue;
    }
    if (path.rfind(m.prefix, 0) != 0) continue;
    std::string_view rest = std::string_view(path).substr(m.prefix.size());
    if (rest.empty() || rest.back() == '/') {
      file = m.dir / std::string(rest) / "index.html";
      rest = rest.empty() ? rest : rest.substr(0, rest.size() - 1);
    } else {
      file = m.dir / std::string(rest);
    }
    if (!safe_relative(rest)) return http::Response::error(404, "not_found", "no such file");
    std::error_code ec;
    if (fs::is_regular_file(file, ec) && inside(file, m.dir)) {
      root = m.dir;
      found = true;
      break;
    }
  }
  std::error_code ec;
  if (!found || !fs::is_regular_file(file, ec)) return http::Response::error(404, "not_found", "no such file");

  const auto mime = mime_type(file.extension().string());
  http::Response r;
  // The widget build writes brotli and gzip copies beside large assets (the ONNX Runtime wasm is 14 MB
  // raw, 2.4 MB brotli): send one when the client takes it and it is not older than the original.
  r.header("Vary", "Accept-Encoding");
  const bool hashed = content_hashed(file.filename().string());
  const auto original_time = fs::last_write_time(file, ec);
  for (const auto& [coding, suffix] : {std::pair{"br", ".br"}, std::pair{"gzip", ".gz"}}) {
    fs::path variant = file;
    variant += suffix;
    std::error_code vec;
    if (!accepts(request.header("Accept-Encoding"), coding) || !fs::is_regular_file(variant, vec) ||
        !inside(variant, root) || fs::last_write_time(variant, vec) < original_time)
      continue;
    file = variant;
    r.header("Content-Encoding", coding);
    break;
  }

  auto size = fs::file_size(file, ec);
  auto mtime = static_cast<unsigned long long>(fs::last_write_time(file, ec).time_since_epoch().count());
  // Appended piece by piece: GCC 12 warns (falsely, -Wrestrict) on "\"" + std::string&& here.
  std::string etag = "\"";
  etag += std::to_string(size);
  etag += '-';
  etag += std::to_string(mtime);
  etag += '"';
  r.header("ETag", etag);
  // A content-hashed name never changes its bytes: browsers keep it for a year without asking again. Anything
  // else (gem.js, pages, content packs) is revalidated on each use; a 304 costs only headers.
  r.header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  r.header("Content-Type", mime);
  if (auto inm = request.header("If-None-Match"); inm && *inm == etag) {
    r.status = 304;
    return r;
  }
  r.file = file;
  return r;
}

}  // namespace gem
