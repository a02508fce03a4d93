#include "handover/frames.h"

#include <algorithm>
#include <map>
#include <regex>

namespace gem::handover {
namespace {

std::size_t code_points(const std::string& utf8) {
  return std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

const std::string& string_field(const Json& frame, const char* name) {
  auto it = frame.find(name);
  if (it == frame.end() || !it->is_string()) throw FrameError{"invalid_request", std::string("`") + name + "` must be a string"};
  return it->get_ref<const std::string&>();
}

std::string checked_text(const Json& frame, std::size_t max_chars) {
  const std::string& text = string_field(frame, "text");
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw FrameError{"invalid_request", "`text` is empty"};
  if (code_points(text) > max_chars) throw FrameError{"too_large", "`text` is longer than " + std::to_string(max_chars) + " characters"};
  return text;
}

// The JSON object and its `type`; `start` may be larger than other frames.
std::pair<Json, std::string> object_with_type(std::string_view text, const FrameLimits& limits, bool allow_start) {
  std::size_t largest = allow_start ? limits.start_frame_bytes : limits.frame_bytes;
  if (text.size() > largest) throw FrameError{"too_large", "frame larger than " + std::to_string(largest) + " bytes"};
  Json frame = Json::parse(text, nullptr, false);
  if (frame.is_discarded() || !frame.is_object()) throw FrameError{"invalid_request", "frame is not a JSON object"};
  std::string type = string_field(frame, "type");
  if (type != "start" && text.size() > limits.frame_bytes)
    throw FrameError{"too_large", "frame larger than " + std::to_string(limits.frame_bytes) + " bytes"};
  return {std::move(frame), std::move(type)};
}

bool is_label(const Json& value) {
  static const std::regex label("[a-z_]{1,40}");
  return value.is_null() || (value.is_string() && std::regex_match(value.get_ref<const std::string&>(), label));
}

resident::Start start(const Json& frame, const FrameLimits& limits) {
  resident::Start s;
  s.municipality = string_field(frame, "municipality");
  auto lang = frame.find("lang");
  s.lang = lang == frame.end() ? "nl" : lang->is_string() ? lang->get<std::string>() : "";
  if (s.lang != "nl" && s.lang != "en") throw FrameError{"invalid_request", "`lang` must be \"nl\" or \"en\""};
  auto consent = frame.find("consent");
  if (consent == frame.end() || !consent->is_boolean()) throw FrameError{"invalid_request", "`consent` must be true or false"};
  s.consent = consent->get<bool>();
  if (auto items = frame.find("transcript"); items != frame.end() && !items->is_null()) {
    if (!s.consent) throw FrameError{"invalid_request", "`transcript` is only allowed with consent"};
    if (!items->is_array()) throw FrameError{"invalid_request", "`transcript` must be an array"};
    if (items->size() > limits.transcript_items) throw FrameError{"too_large", "`transcript` has too many items"};
    for (const Json& item : *items) {
      if (!item.is_object() || !item.contains("role") || (item["role"] != "resident" && item["role"] != "assistant"))
        throw FrameError{"invalid_request", "transcript `role` must be \"resident\" or \"assistant\""};
      s.transcript.push_back({{"role", item["role"]}, {"text", checked_text(item, limits.text_chars)}});
    }
  }
  if (auto topic = frame.find("topic"); topic != frame.end() && !topic->is_null()) {
    Json product = topic->is_object() ? topic->value("product", Json(nullptr)) : Json();
    Json aspect = topic->is_object() ? topic->value("aspect", Json(nullptr)) : Json();
    if (!topic->is_object() || !is_label(product) || !is_label(aspect))
      throw FrameError{"invalid_request", "`topic` must be {\"product\": label|null, \"aspect\": label|null}"};
    s.topic = {{"product", product}, {"aspect", aspect}};
  }
  return s;
}

}  // namespace

std::string error_frame(const std::string& error, const std::string& reason) {
  return Json{{"type", "error"}, {"error", error}, {"reason", reason}}.dump();
}

resident::Frame resident::parse(std::string_view text, const FrameLimits& limits) {
  auto [frame, type] = object_with_type(text, limits, true);
  if (type == "start") return start(frame, limits);
  if (type == "resume") return Resume{string_field(frame, "conversation"), string_field(frame, "token")};
  if (type == "message") return Message{checked_text(frame, limits.text_chars)};
  if (type == "typing") return Typing{};
  if (type == "cancel") return Cancel{};
  if (type == "end") return End{};
  throw FrameError{"invalid_request", "unknown `type`"};
}

namespace {
agent::Frame agent_frame(const std::string& type, const Json& frame, const FrameLimits& limits) {
  const std::string& id = string_field(frame, "conversation");
  if (type == "accept") return agent::Accept{id};
  if (type == "message") return agent::Message{id, checked_text(frame, limits.text_chars)};
  if (type == "typing") return agent::Typing{id};
  if (type == "end") return agent::End{id};
  if (type == "release") return agent::Release{id};
  throw FrameError{"invalid_request", "unknown `type`"};
}
}  // namespace

agent::Frame agent::parse(std::string_view text, const FrameLimits& limits) {
  auto [frame, type] = object_with_type(text, limits, false);
  return agent_frame(type, frame, limits);
}

agent::Frame agent::parse_vendor_event(const Json& event, const FrameLimits& limits) {
  if (!event.is_object()) throw FrameError{"invalid_request", "an event is a JSON object"};
  const std::string& name = string_field(event, "event");
  static const std::map<std::string, std::string> as_agent{
      {"agent_joined", "accept"}, {"message", "message"}, {"agent_typing", "typing"}, {"ended", "end"}};
  auto type = as_agent.find(name);
  if (type == as_agent.end()) throw FrameError{"invalid_request", "unknown `event`"};
  return agent_frame(type->second, event, limits);
}

}  // namespace gem::handover
