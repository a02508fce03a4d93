// The handover sockets' frames (docs/protocol.md), parsed in one place into typed messages: a
// frame is either one of the structs below or a FrameError saying what is wrong with it. The hub
// never looks at raw JSON.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace gem::handover {

using Json = nlohmann::json;

// Becomes an `error` frame {"type":"error","error":…,"reason":…}; `error` is a protocol code.
struct FrameError {
  std::string error, reason;
};
std::string error_frame(const std::string& error, const std::string& reason);

struct FrameLimits {
  std::size_t frame_bytes = 4096;
  std::size_t start_frame_bytes = 64 * 1024;  // `start` carries the consented transcript
  std::size_t text_chars = 2000;              // characters (code points), not bytes
  std::size_t transcript_items = 50;
};

namespace resident {
struct Start {
  std::string municipality, lang;  // lang: "nl" or "en"
  bool consent = false;
  Json transcript = Json::array();  // [{"role":"resident"|"assistant","text"}], empty without consent
  Json topic = nullptr;             // null or {"product": label|null, "aspect": label|null}
};
struct Resume {
  std::string conversation, token;
};
struct Message {
  std::string text;
};
struct Typing {};
struct Cancel {};
struct End {};
using Frame = std::variant<Start, Resume, Message, Typing, Cancel, End>;

// Throws FrameError.
Frame parse(std::string_view text, const FrameLimits& limits);
}  // namespace resident

namespace agent {
struct Accept {
  std::string conversation;
};
struct Message {
  std::string conversation, text;
};
struct Typing {
  std::string conversation;
};
struct End {
  std::string conversation;
};
struct Release {
  std::string conversation;
};
using Frame = std::variant<Accept, Message, Typing, End, Release>;

// Throws FrameError.
Frame parse(std::string_view text, const FrameLimits& limits);
// A vendor's webhook event ({"event":"agent_joined"|"message"|"agent_typing"|"ended", "conversation", …})
// is an agent frame too: agent_joined = accept.
Frame parse_vendor_event(const Json& event, const FrameLimits& limits);
}  // namespace agent

// For std::visit over a Frame: overloaded{[](const Start&) {…}, …}.
template <class... Handlers>
struct overloaded : Handlers... {
  using Handlers::operator()...;
};
template <class... Handlers>
overloaded(Handlers...) -> overloaded<Handlers...>;

}  // namespace gem::handover
