// The one error type of the core: unusable input (a malformed model, gazetteer, content pack or saved
// conversation). The message says what was expected and where, naming the file, line or key.
#pragma once

#include <stdexcept>

namespace gem {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gem
