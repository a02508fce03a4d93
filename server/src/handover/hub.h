// The handover hub: per-municipality queues, the conversation state machine
// (queued → with_agent → ended; release → queued again) and delivery of frames to the resident's
// and agents' sockets, wherever they are connected. State lives in a Store and every change is
// announced on a Bus, so several gem-server instances can share one hub through Redis.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "handover/frames.h"
#include "handover/store.h"

namespace gem::handover {

using Send = std::function<void(const std::string& frame)>;

// What the hub needs to know about a municipality; the server fills it from its config and its
// live-data provider.
struct Municipality {
  bool open_now = false;
  Json today = Json::array();  // [{"from":"08:30","to":"17:00"}]
  Json alternatives = Json::object();  // {"phone","contact_form_url","callback_url"}
};
using Directory = std::function<std::optional<Municipality>(const std::string& gm)>;

struct Agent {
  std::string username, display_name;
  std::vector<std::string> municipalities;
};

// Where a conversation is; an ended conversation is deleted.
enum class ConversationState { queued, with_agent };
NLOHMANN_JSON_SERIALIZE_ENUM(ConversationState, {{ConversationState::queued, "queued"}, {ConversationState::with_agent, "with_agent"}})

// A municipality whose own live-chat product takes the conversations (see adapter.h).
class VendorAdapter;

struct HubOptions {
  std::chrono::seconds default_handling_time{300};
  std::chrono::seconds pickup_time{30};          // ETA when an agent is free
  std::chrono::seconds abandon_after{120};       // a resident gone this long without resuming: ended
  std::chrono::seconds abandon_unseen_after{30};  // … if no agent ever took the conversation
  int max_conversations_per_agent = 3;
  std::size_t max_queue = 50;                    // per municipality; more residents get `ended` busy
  std::size_t max_conversations_per_address = 3;  // live conversations started from one client address
  std::size_t max_messages = 500;                 // per conversation
  std::size_t max_conversation_bytes = 256 * 1024;  // message text per conversation
  FrameLimits frames;
  // Names this instance's entries in the store (agent presence, resident sockets). Stable across
  // restarts (routes.cpp keeps it in the data folder), so a restarted instance withdraws what its
  // killed predecessor left; empty: random.
  std::string instance;
  // Called after a conversation was deleted; the server wakes its sweeper thread to checkpoint the
  // store soon (Store::checkpoint), off the network threads.
  std::function<void()> deleted;
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
};

// Create with std::make_shared: peers keep their hub alive.
class Hub : public std::enable_shared_from_this<Hub> {
 public:
  Hub(Store& store, Bus& bus, Directory directory, HubOptions options = {});

  // One connected socket. The WebSocket layer forwards text frames and the close; the hub answers
  // through the Send it was given. Invalid frames get an `error` frame, never an exception.
  class Peer : public std::enable_shared_from_this<Peer> {
   public:
    virtual ~Peer() = default;
    virtual void receive(const std::string& frame) = 0;
    virtual void closed() = 0;
  };
  // `may_act_for(gm)`: whether this socket's Origin is allowed for the municipality it starts or resumes.
  // `address`: the client's address, for the cap on live conversations per address (kept in memory only).
  std::shared_ptr<Peer> connect_resident(Send send, std::function<bool(const std::string& gm)> may_act_for = nullptr,
                                         std::string address = {});
  std::shared_ptr<Peer> connect_agent(Agent agent, Send send);

  // GET /v1/handover/{gm}/availability; nullopt for an unknown municipality.
  std::optional<Json> availability(const std::string& gm);

  // Bridges a vendor's live chat: its events arrive through the adapter as if from an agent.
  void attach_vendor(const std::string& gm, std::shared_ptr<VendorAdapter> adapter);
  // From a vendor (signed webhook): "agent_joined" {name}, "message" {text}, "agent_typing", "ended".
  // Returns false when the conversation is unknown or not this municipality's.
  bool vendor_event(const std::string& gm, const Json& event);

  // Ends conversations whose resident has been gone longer than abandon_after; call periodically.
  void sweep();
  // Graceful shutdown: conversations stay in the store (residents `resume` after the restart or on
  // another instance); only this instance's agent presence is withdrawn.
  void shutdown();

  struct Counts { int queue_length = 0, agents_online = 0, agents_available = 0; };
  Counts counts(const std::string& gm);

 private:
  class ResidentPeer;
  class AgentPeer;

  using State = ConversationState;
  struct Conversation {
    std::string id, token_hash, municipality, lang = "nl";
    State state = State::queued;
    std::string agent, agent_name;
    bool consent = false, ever_with_agent = false;
    Json transcript = Json::array(), topic = nullptr;
    std::int64_t created = 0, queued_since = 0, accepted_at = 0, detached_at = 0;
    std::string resident_instance;  // the instance holding the resident's socket; empty: none
    bool owned_by(const std::string& username) const { return state == State::with_agent && agent == username; }
    // The stored record; fields missing in an older record keep the defaults above.
    NLOHMANN_DEFINE_TYPE_INTRUSIVE_WITH_DEFAULT(Conversation, id, token_hash, municipality, lang, state, agent, agent_name,
                                                consent, ever_with_agent, transcript, topic, created, queued_since,
                                                accepted_at, detached_at, resident_instance)
  };

  // Resident side.
  void start(ResidentPeer& peer, resident::Start frame);
  void resume(ResidentPeer& peer, const resident::Resume& frame);
  // The cap on live conversations per client address (in memory: addresses are never stored).
  bool reserve_address(const std::string& address, const std::string& id);
  void release_address(const std::string& address, const std::string& id);
  void resident_message(ResidentPeer& peer, const std::string& text);
  void resident_typing(ResidentPeer& peer);
  void resident_leaves(ResidentPeer& peer, const std::string& reason);
  void resident_closed(ResidentPeer& peer);
  // Agent side.
  void agent_connected(AgentPeer& peer);
  void handle(const Agent& agent, const agent::Frame& frame, const Send& reply);
  void accept(const Agent& agent, const std::string& id, const Send& reply);
  void agent_message(const Agent& agent, const std::string& id, const std::string& text, const Send& reply);
  void release(const std::string& id, const std::string& agent, const std::string& why);
  void agent_closed(AgentPeer& peer);
  void replay_messages(const std::string& id, const Send& to);
  static Json message_frame(const Json& stored);  // a stored message as a `message` frame

  std::optional<Conversation> load(const std::string& id);
  // Changes conversation `id` atomically: `change` edits it (and may add writes) or returns false to
  // leave it alone. Returns the saved conversation, nullopt when it does not exist or was left alone.
  std::optional<Conversation> change(const std::string& id, const std::function<bool(Conversation&, Transaction&)>& change,
                                     std::vector<std::string> also_watched = {});
  // Appends a message (within the caps) if `may` allows it; its id, or a FrameError.
  std::int64_t append_message(const std::string& id, const std::string& from, const std::string& text,
                              const std::function<bool(const Conversation&)>& may);
  // Ends conversation `id` atomically when `reason_for` gives a reason, then tells everyone.
  void finish(const std::string& id, const std::function<std::optional<std::string>(const Conversation&)>& reason_for);
  // Withdraws a killed predecessor's agent presence and resident sockets (same instance name).
  void forget_previous_run();
  std::shared_ptr<VendorAdapter> vendor(const std::string& gm);
  Json agent_view(const Conversation& c);
  // Likely wait for the resident at `position` (1 = next): free agents pick up at once, others in turn.
  std::int64_t eta_seconds(const std::string& gm, int position);
  std::int64_t now_s() const;

  // Bus traffic: frames for a resident or an agent, and "queue changed" for a municipality.
  void to_resident(const std::string& id, Json frame);
  void to_agent(const std::string& username, Json frame);
  void queue_changed(const std::string& gm);
  void deliver(const std::string& message);
  void mark_seen(const std::string& id, std::int64_t message);

  Store& store_;
  Bus& bus_;
  Directory directory_;
  HubOptions options_;
  std::string instance_;

  std::mutex mutex_;  // guards the maps of local sockets below
  std::map<std::string, std::shared_ptr<ResidentPeer>> residents_;  // by conversation id
  std::multimap<std::string, std::weak_ptr<AgentPeer>> agents_;     // by username
  std::map<std::string, std::shared_ptr<VendorAdapter>> vendors_;   // by municipality
  std::map<std::string, std::set<std::string>> by_address_;         // conversations started here, by address
};

}  // namespace gem::handover
