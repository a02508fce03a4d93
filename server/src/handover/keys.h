// The handover store's key schema, in one place: every key the hub reads or writes is built here
// (the Redis store adds its `gem:handover:` prefix). docs/privacy/data-flow.json lists what each holds.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace gem::handover::keys {

inline std::string join(std::string_view kind, std::string_view name, std::string_view part = {}) {
  std::string key;
  key.reserve(kind.size() + name.size() + part.size() + 2);
  key.append(kind).append(":").append(name);
  if (!part.empty()) key.append(":").append(part);
  return key;
}

// One conversation: its record (JSON), messages (a list, one entry per message), the last message id,
// the bytes of text so far, the last agent message the resident saw, since when its agent is gone.
inline std::string conversation(std::string_view id) { return join("conv", id); }
inline std::string messages(std::string_view id) { return join("conv", id, "msgs"); }
inline std::string sequence(std::string_view id) { return join("conv", id, "seq"); }
inline std::string text_bytes(std::string_view id) { return join("conv", id, "bytes"); }
inline std::string seen(std::string_view id) { return join("conv", id, "seen"); }
inline std::string agent_gone(std::string_view id) { return join("conv", id, "agent_gone"); }
// Every key of a conversation but the record, for deleting it.
inline auto conversation_parts(std::string_view id) {
  return std::array<std::string, 5>{messages(id), sequence(id), text_bytes(id), seen(id), agent_gone(id)};
}

// Hash: every live conversation id → its municipality (what the sweeper walks).
inline const std::string& conversations() {
  static const std::string key = "conversations";
  return key;
}
// List: a municipality's queue of conversation ids, first = next.
inline std::string queue(std::string_view gm) { return join("queue", gm); }
// String: the moving average of handling times in seconds.
inline std::string handling_time(std::string_view gm) { return join("handling", gm); }
// Hash: the conversations an agent owns (id → municipality).
inline std::string agent_conversations(std::string_view username) { return join("agent", username); }
// Hash: open agent consoles, "<instance>/<socket>" → {username, municipalities, seen}.
inline const std::string& agents_online() {
  static const std::string key = "agents";
  return key;
}
// Hash: each running instance's last sweep (unix seconds); a resident socket on a silent instance is gone.
inline const std::string& instances() {
  static const std::string key = "instances";
  return key;
}
inline std::string presence_field(std::string_view instance, std::string_view socket) {
  return std::string(instance).append("/").append(socket);
}
// Hash: the vendor webhook signatures a municipality accepted in the last five minutes → their
// timestamp (refuses a replayed event on every instance).
inline std::string webhook_nonces(std::string_view gm) { return join("webhook_nonces", gm); }

}  // namespace gem::handover::keys
