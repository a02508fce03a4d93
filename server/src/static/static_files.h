// Serves files from configured mounts (the widget build, the demo page), read-only, with MIME types,
// ETag revalidation and no way out of a mount.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "http/http.h"

namespace gem {

class StaticFiles {
 public:
  explicit StaticFiles(std::vector<StaticMount> mounts);
  http::Response serve(const http::Request& request) const;

  static std::string mime_type(const std::string& extension);

 private:
  std::vector<StaticMount> mounts_;
};

}  // namespace gem
