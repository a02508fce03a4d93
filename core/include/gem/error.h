// gem::Error, thrown by every part of the core.
#pragma once

#include <stdexcept>

namespace gem {

// Thrown for unusable resources (a malformed model or gazetteer); the message says what and where.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gem
