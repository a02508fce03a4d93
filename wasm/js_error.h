// Shared by the wasm modules (bindings.cpp, tools.cpp).
#pragma once

#include <exception>
#include <string>

#include <emscripten/val.h>

// Fails in JavaScript terms: a JS Error with the core's message, not an opaque wasm exception.
[[noreturn]] inline void throw_js(const std::exception& e) {
  emscripten::val::global("Error").new_(std::string(e.what())).throw_();
  __builtin_unreachable();
}
