#include "handover/hub.h"

#include <algorithm>

#include <sodium.h>

#include "handover/adapter.h"
#include "handover/keys.h"

namespace gem::handover {
namespace {

constexpr std::int64_t kAgentGoneGrace = 30;  // seconds: a console reload keeps the chat
constexpr std::int64_t kPresenceStale = 60;   // seconds without a sweep: instance gone

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  hex.pop_back();
  return hex;
}

std::string token_hash(const std::string& token) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     nullptr, 0);
  std::string hex(sizeof digest * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
  hex.pop_back();
  return hex;
}

// Handles one frame: a bad frame or a store failure (e.g. Redis gone) becomes an `error` frame and
// never takes the socket or the server down.
template <class Handle>
void answering_errors(const Send& send, Handle&& handle) {
  try {
    handle();
  } catch (const FrameError& e) {
    send(error_frame(e.error, e.reason));
  } catch (const nlohmann::json::exception&) {
    send(error_frame("invalid_request", "a field has the wrong type"));
  } catch (const std::exception&) {
    send(error_frame("unavailable", "the handover service had an internal error"));
  }
}

bool is_vendor(const std::string& username) { return username.rfind("vendor:", 0) == 0; }


}  // namespace

// ---- peers -----------------------------------------------------------------------------------

class Hub::ResidentPeer final : public Hub::Peer {
 public:
  ResidentPeer(std::shared_ptr<Hub> hub, Send send, std::function<bool(const std::string&)> may_act_for, std::string address)
      : hub_(std::move(hub)), send_(std::move(send)), may_act_for_(std::move(may_act_for)), address_(std::move(address)) {}

  void receive(const std::string& text) override {
    answering_errors(send_, [&] {
      auto frame = resident::parse(text, hub_->options_.frames);
      bool opening = std::holds_alternative<resident::Start>(frame) || std::holds_alternative<resident::Resume>(frame);
      if (opening && !conversation().empty()) throw FrameError{"invalid_request", "this socket already has a conversation"};
      if (!opening && conversation().empty()) throw FrameError{"invalid_request", "send `start` or `resume` first"};
      std::visit(overloaded{
                     [&](resident::Start& f) { hub_->start(*this, std::move(f)); },
                     [&](resident::Resume& f) { hub_->resume(*this, f); },
                     [&](resident::Message& f) { hub_->resident_message(*this, f.text); },
                     [&](resident::Typing&) { hub_->resident_typing(*this); },
                     [&](resident::Cancel&) { hub_->resident_leaves(*this, "cancelled"); },
                     [&](resident::End&) { hub_->resident_leaves(*this, "resident_ended"); },
                 },
                 frame);
    });
  }
  void closed() override { hub_->resident_closed(*this); }
  void send(const std::string& frame) { send_(frame); }
  void check_origin(const std::string& gm) const {
    if (may_act_for_ && !may_act_for_(gm)) throw FrameError{"forbidden_origin", "this origin is not allowed for this municipality"};
  }
  std::string conversation() const {
    std::lock_guard lock(hub_->mutex_);
    return conversation_;
  }
  const std::string& address() const { return address_; }

  std::string conversation_;  // set by start/resume, cleared by `ended`; guarded by the hub's mutex

 private:
  std::shared_ptr<Hub> hub_;
  Send send_;
  std::function<bool(const std::string&)> may_act_for_;
  std::string address_;
};

class Hub::AgentPeer final : public Hub::Peer {
 public:
  AgentPeer(std::shared_ptr<Hub> hub, Agent agent, Send send)
      : hub_(std::move(hub)), agent_(std::move(agent)), send_(std::move(send)), key_(random_hex(8)) {}

  void receive(const std::string& text) override {
    answering_errors(send_, [&] { hub_->handle(agent_, agent::parse(text, hub_->options_.frames), send_); });
  }
  void closed() override { hub_->agent_closed(*this); }
  void send(const std::string& frame) { send_(frame); }

  const Agent& agent() const { return agent_; }
  const std::string& key() const { return key_; }

 private:
  std::shared_ptr<Hub> hub_;
  Agent agent_;
  Send send_;
  std::string key_;  // this socket's presence entry
};

// ---- hub -------------------------------------------------------------------------------------

Hub::Hub(Store& store, Bus& bus, Directory directory, HubOptions options)
    : store_(store), bus_(bus), directory_(std::move(directory)), options_(std::move(options)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  instance_ = options_.instance.empty() ? random_hex(6) : options_.instance;
  bus_.subscribe([this](const std::string& message) { deliver(message); });
  forget_previous_run();
}

std::int64_t Hub::now_s() const {
  return std::chrono::duration_cast<std::chrono::seconds>(options_.now().time_since_epoch()).count();
}

std::shared_ptr<Hub::Peer> Hub::connect_resident(Send send, std::function<bool(const std::string&)> may_act_for, std::string address) {
  return std::make_shared<ResidentPeer>(shared_from_this(), std::move(send), std::move(may_act_for), std::move(address));
}

std::shared_ptr<Hub::Peer> Hub::connect_agent(Agent agent, Send send) {
  auto peer = std::make_shared<AgentPeer>(shared_from_this(), std::move(agent), std::move(send));
  {
    std::lock_guard lock(mutex_);
    agents_.emplace(peer->agent().username, peer);
  }
  agent_connected(*peer);
  return peer;
}

void Hub::attach_vendor(const std::string& gm, std::shared_ptr<VendorAdapter> adapter) {
  std::lock_guard lock(mutex_);
  vendors_[gm] = std::move(adapter);
}

// ---- resident side ---------------------------------------------------------------------------

void Hub::start(ResidentPeer& peer, resident::Start frame) {
  const std::string gm = frame.municipality;
  auto municipality = directory_(gm);
  if (!municipality) throw FrameError{"unknown_municipality", "`municipality` is not configured"};
  peer.check_origin(gm);
  auto ended = [&](const char* reason) {
    peer.send(Json{{"type", "ended"}, {"reason", reason}, {"alternatives", municipality->alternatives}}.dump());
  };
  if (!municipality->open_now) return ended("closed");
  if (counts(gm).agents_online == 0) return ended("no_agent");

  Conversation c;
  c.id = random_hex(16);
  std::string token = random_hex(32);
  c.token_hash = token_hash(token);
  c.municipality = gm;
  c.lang = frame.lang;
  c.consent = frame.consent;
  c.transcript = std::move(frame.transcript);
  c.topic = std::move(frame.topic);
  c.created = c.queued_since = now_s();
  c.resident_instance = instance_;

  if (!reserve_address(peer.address(), c.id)) return ended("busy");
  // The record, the index and the queue entry are written together, and only below the queue cap.
  bool queued = store_.update({keys::queue(gm)}, [&](Transaction& tx) {
    if (tx.range(keys::queue(gm)).size() >= options_.max_queue) return false;
    tx.set(keys::conversation(c.id), Json(c).dump());
    tx.hash_set(keys::conversations(), c.id, gm);
    tx.push_back(keys::queue(gm), c.id);
    return true;
  });
  if (!queued) {
    release_address(peer.address(), c.id);
    return ended("busy");
  }
  {
    std::lock_guard lock(mutex_);
    peer.conversation_ = c.id;
    residents_[c.id] = std::static_pointer_cast<ResidentPeer>(peer.shared_from_this());
  }
  peer.send(Json{{"type", "started"}, {"conversation", c.id}, {"token", token}}.dump());
  if (auto v = vendor(gm))
    v->notify({{"event", "queued"}, {"conversation", c.id}, {"municipality", gm}, {"lang", c.lang},
               {"consent", c.consent}, {"transcript", c.transcript}, {"topic", c.topic}});
  queue_changed(gm);
}

bool Hub::reserve_address(const std::string& address, const std::string& id) {
  if (address.empty()) return true;
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    auto& known = by_address_[address];
    ids.assign(known.begin(), known.end());
  }
  std::vector<std::string> ended;
  for (const auto& known : ids)
    if (!store_.get(keys::conversation(known))) ended.push_back(known);
  std::lock_guard lock(mutex_);
  auto& live = by_address_[address];
  for (const auto& known : ended) live.erase(known);
  if (live.size() >= options_.max_conversations_per_address) return false;
  live.insert(id);
  return true;
}

void Hub::release_address(const std::string& address, const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return;
  it->second.erase(id);
  if (it->second.empty()) by_address_.erase(it);
}

void Hub::resume(ResidentPeer& peer, const resident::Resume& frame) {
  const std::string& id = frame.conversation;
  auto c = load(id);
  std::string presented = token_hash(frame.token);
  if (!c || presented.size() != c->token_hash.size() ||
      sodium_memcmp(presented.data(), c->token_hash.data(), presented.size()) != 0)
    throw FrameError{"not_found", "no conversation with this id and token (it may have ended)"};
  peer.check_origin(c->municipality);
  c = change(id, [&](Conversation& saved, Transaction&) {
    saved.detached_at = 0;
    saved.resident_instance = instance_;
    return true;
  });
  if (!c) throw FrameError{"not_found", "no conversation with this id and token (it may have ended)"};
  std::shared_ptr<ResidentPeer> previous;
  {
    std::lock_guard lock(mutex_);
    peer.conversation_ = id;
    auto& slot = residents_[id];
    previous = slot;
    slot = std::static_pointer_cast<ResidentPeer>(peer.shared_from_this());
    if (previous && previous.get() != &peer) previous->conversation_.clear();
  }
  // Replay the state, then what the resident has not seen.
  if (c->state == State::queued) {
    auto queue = store_.range(keys::queue(c->municipality));
    auto at = std::find(queue.begin(), queue.end(), id);
    int position = static_cast<int>(at - queue.begin()) + 1;
    peer.send(Json{{"type", "queued"}, {"position", position}, {"eta_seconds", eta_seconds(c->municipality, position)}}.dump());
  } else {
    peer.send(Json{{"type", "agent_joined"}, {"name", c->agent_name}}.dump());
  }
  std::int64_t seen = std::stoll(store_.get(keys::seen(id)).value_or("0"));
  for (const std::string& text : store_.range(keys::messages(id))) {
    Json message = Json::parse(text);
    if (message["from"] != "agent" || message["id"].get<std::int64_t>() <= seen) continue;
    peer.send(message_frame(message).dump());
    seen = message["id"];
  }
  mark_seen(id, seen);
}

void Hub::resident_message(ResidentPeer& peer, const std::string& text) {
  std::string id = peer.conversation();
  std::string agent;
  std::int64_t seq = append_message(id, "resident", text, [&](const Conversation& c) {
    agent = c.state == State::with_agent ? c.agent : "";
    return true;
  });
  if (!agent.empty())
    to_agent(agent, {{"type", "message"}, {"conversation", id}, {"from", "resident"}, {"text", text}, {"id", seq}});
}

void Hub::resident_typing(ResidentPeer& peer) {
  auto c = load(peer.conversation());
  if (c && c->state == State::with_agent) to_agent(c->agent, {{"type", "resident_typing"}, {"conversation", c->id}});
}

void Hub::resident_leaves(ResidentPeer& peer, const std::string& reason) {
  std::string id = peer.conversation();
  bool found = false;
  // `cancel` only means something in the queue; with an agent it ends the chat like `end`.
  finish(id, [&](const Conversation& c) -> std::optional<std::string> {
    found = true;
    return c.state == State::queued ? reason : "resident_ended";
  });
  if (!found) throw FrameError{"not_found", "the conversation has ended"};
}

void Hub::resident_closed(ResidentPeer& peer) {
  std::string id;
  {
    std::lock_guard lock(mutex_);
    id = peer.conversation_;
    auto it = residents_.find(id);
    if (id.empty() || it == residents_.end() || it->second.get() != &peer) return;
    residents_.erase(it);
  }
  // Atomic: an agent accepting at this very moment keeps the conversation.
  change(id, [&](Conversation& c, Transaction&) {
    c.detached_at = now_s();
    c.resident_instance.clear();
    return true;
  });
}

// ---- agent side ------------------------------------------------------------------------------

void Hub::agent_connected(AgentPeer& peer) {
  const Agent& agent = peer.agent();
  store_.hash_set(keys::agents_online(), keys::presence_field(instance_, peer.key()),
                  Json{{"username", agent.username}, {"municipalities", agent.municipalities}, {"seen", now_s()}}.dump());
  // A console reload: hand back the conversations this agent still owns, with everything said.
  Send to_peer = [&peer](const std::string& frame) { peer.send(frame); };
  for (auto& [id, gm] : store_.hash_all(keys::agent_conversations(agent.username))) {
    auto c = load(id);
    if (!c || !c->owned_by(agent.username)) continue;
    peer.send(agent_view(*c).dump());
    replay_messages(id, to_peer);
  }
  for (const auto& gm : agent.municipalities) queue_changed(gm);
}

Json Hub::agent_view(const Conversation& c) {
  return {{"type", "assigned"}, {"conversation", c.id}, {"municipality", c.municipality}, {"consent", c.consent},
          {"transcript", c.transcript}, {"lang", c.lang}, {"topic", c.topic}};
}

void Hub::handle(const Agent& agent, const agent::Frame& frame, const Send& reply) {
  auto mine = [&](const Conversation& c) { return c.owned_by(agent.username); };
  std::visit(overloaded{
                 [&](const agent::Accept& f) { accept(agent, f.conversation, reply); },
                 [&](const agent::Message& f) { agent_message(agent, f.conversation, f.text, reply); },
                 [&](const agent::Typing& f) {
                   auto c = load(f.conversation);
                   if (!c || !mine(*c)) throw FrameError{"not_found", "this conversation is not yours"};
                   to_resident(f.conversation, {{"type", "agent_typing"}});
                 },
                 [&](const agent::End& f) {
                   bool done = false;
                   finish(f.conversation, [&](const Conversation& c) -> std::optional<std::string> {
                     done = mine(c);
                     return done ? std::optional<std::string>("agent_ended") : std::nullopt;
                   });
                   if (!done) throw FrameError{"not_found", "this conversation is not yours"};
                 },
                 [&](const agent::Release& f) { release(f.conversation, agent.username, "released"); },
             },
             frame);
}

void Hub::accept(const Agent& agent, const std::string& id, const Send& reply) {
  auto known = load(id);
  const auto& mine = agent.municipalities;
  if (!known || std::find(mine.begin(), mine.end(), known->municipality) == mine.end())
    throw FrameError{"not_found", "no such conversation in your municipalities"};
  const std::string owned_key = keys::agent_conversations(agent.username);
  std::optional<FrameError> refused;
  // Taking it off the queue, owning it and recording it with the agent happen together: of two
  // agents accepting at once, or an accept and the resident leaving, exactly one wins.
  auto c = change(id, [&](Conversation& c, Transaction& tx) {
    refused.reset();
    auto queue = tx.range(keys::queue(c.municipality));
    if (c.state != State::queued || std::find(queue.begin(), queue.end(), id) == queue.end()) {
      refused = FrameError{"taken", "this conversation is no longer in the queue"};
      return false;
    }
    if (!is_vendor(agent.username) && static_cast<int>(tx.hash_all(owned_key).size()) >= options_.max_conversations_per_agent) {
      refused = FrameError{"busy", "you already have the maximum number of conversations"};
      return false;
    }
    c.state = State::with_agent;
    c.ever_with_agent = true;
    c.agent = agent.username;
    c.agent_name = agent.display_name;
    c.accepted_at = now_s();
    tx.remove(keys::queue(c.municipality), id);
    tx.hash_set(owned_key, id, c.municipality);
    tx.del(keys::agent_gone(id));
    return true;
  }, {keys::queue(known->municipality), owned_key});
  if (refused) throw *refused;
  if (!c) throw FrameError{"not_found", "no such conversation in your municipalities"};
  if (!is_vendor(agent.username)) {
    reply(agent_view(*c).dump());
    replay_messages(id, reply);
  }
  to_resident(id, {{"type", "agent_joined"}, {"name", agent.display_name}});
  queue_changed(c->municipality);
}

void Hub::agent_message(const Agent& agent, const std::string& id, const std::string& text, const Send&) {
  std::int64_t seq = append_message(id, "agent", text, [&](const Conversation& c) { return c.owned_by(agent.username); });
  to_resident(id, {{"type", "message"}, {"from", "agent"}, {"text", text}, {"id", seq}});
}

void Hub::release(const std::string& id, const std::string& agent, const std::string& why) {
  auto c = change(id, [&](Conversation& c, Transaction& tx) {
    if (!c.owned_by(agent)) return false;
    c.state = State::queued;
    c.agent.clear();
    c.agent_name.clear();
    c.accepted_at = 0;
    tx.hash_del(keys::agent_conversations(agent), id);
    tx.del(keys::agent_gone(id));
    // Back at the front: the resident has waited already.
    tx.push_front(keys::queue(c.municipality), id);
    return true;
  });
  if (!c) {
    if (why == "released") throw FrameError{"not_found", "this conversation is not yours"};
    return;
  }
  to_agent(agent, {{"type", "ended"}, {"conversation", id}, {"reason", why}});
  to_resident(id, {{"type", "agent_left"}});
  queue_changed(c->municipality);
}

void Hub::agent_closed(AgentPeer& peer) {
  {
    std::lock_guard lock(mutex_);
    for (auto [it, end] = agents_.equal_range(peer.agent().username); it != end; ++it)
      if (it->second.lock().get() == &peer || it->second.expired()) {
        agents_.erase(it);
        break;
      }
  }
  store_.hash_del(keys::agents_online(), keys::presence_field(instance_, peer.key()));
  for (const auto& gm : peer.agent().municipalities) queue_changed(gm);
}

void Hub::sweep() {
  std::int64_t now = now_s();
  // Refresh this instance's agent presence and heartbeat; forget instances that stopped sweeping.
  std::vector<std::shared_ptr<AgentPeer>> local;
  {
    std::lock_guard lock(mutex_);
    for (auto& [username, weak] : agents_)
      if (auto peer = weak.lock()) local.push_back(peer);
  }
  for (auto& peer : local)
    store_.hash_set(keys::agents_online(), keys::presence_field(instance_, peer->key()),
                    Json{{"username", peer->agent().username}, {"municipalities", peer->agent().municipalities}, {"seen", now}}.dump());
  store_.hash_set(keys::instances(), instance_, std::to_string(now));
  std::set<std::string> live_instances, online;
  for (auto& [instance, seen] : store_.hash_all(keys::instances())) {
    if (now - std::stoll(seen) > kPresenceStale) store_.hash_del(keys::instances(), instance);
    else live_instances.insert(instance);
  }
  for (auto& [field, value] : store_.hash_all(keys::agents_online())) {
    Json presence = Json::parse(value);
    if (now - presence.at("seen").get<std::int64_t>() > kPresenceStale) store_.hash_del(keys::agents_online(), field);
    else online.insert(presence.at("username").get<std::string>());
  }

  for (auto& [id, gm] : store_.hash_all(keys::conversations())) {
    auto c = load(id);
    if (!c) continue;
    // A resident whose instance died is gone since now.
    if (!c->resident_instance.empty() && !live_instances.count(c->resident_instance) && c->resident_instance != instance_)
      c = change(id, [&](Conversation& saved, Transaction&) {
        if (saved.resident_instance != c->resident_instance) return false;
        saved.resident_instance.clear();
        saved.detached_at = now;
        return true;
      }).value_or(*c);
    // Residents gone too long are ended; sooner when no agent has seen the conversation yet.
    auto abandoned = [&](const Conversation& x) {
      auto limit = x.ever_with_agent ? options_.abandon_after : options_.abandon_unseen_after;
      return x.detached_at && now - x.detached_at > limit.count();
    };
    if (abandoned(*c)) {
      finish(id, [&](const Conversation& x) { return abandoned(x) ? std::optional<std::string>("resident_ended") : std::nullopt; });
      continue;
    }
    if (c->state != State::with_agent || is_vendor(c->agent)) continue;
    if (online.count(c->agent)) {
      store_.del(keys::agent_gone(id));
      continue;
    }
    auto since = store_.get(keys::agent_gone(id));
    if (!since) {
      change(id, [&](Conversation& x, Transaction& tx) {
        if (!x.owned_by(c->agent)) return false;
        tx.set(keys::agent_gone(id), std::to_string(now));
        return true;
      });
    } else if (now - std::stoll(*since) > kAgentGoneGrace) {
      release(id, c->agent, "agent_gone");
    }
  }
  {
    // Forget addresses whose conversations have all ended.
    std::map<std::string, std::set<std::string>> addresses;
    {
      std::lock_guard lock(mutex_);
      addresses = by_address_;
    }
    for (auto& [address, ids] : addresses)
      for (const auto& id : ids)
        if (!store_.get(keys::conversation(id))) release_address(address, id);
  }
  store_.checkpoint();
}

void Hub::shutdown() {
  // Queued and active conversations stay in the store; residents resume after the restart (or on
  // another instance). Only this instance's agent presence goes.
  std::vector<std::shared_ptr<AgentPeer>> local;
  {
    std::lock_guard lock(mutex_);
    for (auto& [username, weak] : agents_)
      if (auto peer = weak.lock()) local.push_back(peer);
    agents_.clear();
    residents_.clear();
  }
  for (auto& peer : local) store_.hash_del(keys::agents_online(), keys::presence_field(instance_, peer->key()));
}

// ---- delivery --------------------------------------------------------------------------------

void Hub::to_resident(const std::string& id, Json frame) { bus_.publish(Json{{"resident", id}, {"frame", std::move(frame)}}.dump()); }

void Hub::to_agent(const std::string& username, Json frame) {
  if (is_vendor(username)) {
    // A vendor is not on the bus: this instance forwards what its vendor needs.
    std::string gm = username.substr(7);
    if (auto v = vendor(gm); v && frame["type"] == "message")
      v->notify({{"event", "message"}, {"conversation", frame["conversation"]}, {"municipality", gm}, {"text", frame["text"]}});
    return;
  }
  bus_.publish(Json{{"agent", username}, {"frame", std::move(frame)}}.dump());
}

void Hub::queue_changed(const std::string& gm) { bus_.publish(Json{{"queue", gm}}.dump()); }

void Hub::mark_seen(const std::string& id, std::int64_t message) {
  // Only while the conversation exists: a late delivery must not leave a key behind.
  change(id, [&](Conversation&, Transaction& tx) {
    tx.set(keys::seen(id), std::to_string(message));
    return true;
  });
}

void Hub::deliver(const std::string& text) {
  Json message = Json::parse(text, nullptr, false);
  if (message.is_discarded()) return;
  if (message.contains("resident")) {
    std::string id = message["resident"];
    std::shared_ptr<ResidentPeer> peer;
    {
      std::lock_guard lock(mutex_);
      if (auto it = residents_.find(id); it != residents_.end()) peer = it->second;
    }
    if (!peer) return;
    const Json& frame = message["frame"];
    peer->send(frame.dump());
    if (frame["type"] == "message") mark_seen(id, frame["id"].get<std::int64_t>());
    if (frame["type"] == "ended") {
      std::lock_guard lock(mutex_);
      peer->conversation_.clear();
      residents_.erase(id);
    }
  } else if (message.contains("agent")) {
    std::vector<std::shared_ptr<AgentPeer>> peers;
    {
      std::lock_guard lock(mutex_);
      for (auto [it, end] = agents_.equal_range(message["agent"].get<std::string>()); it != end; ++it)
        if (auto peer = it->second.lock()) peers.push_back(peer);
    }
    for (auto& peer : peers) peer->send(message["frame"].dump());
  } else if (message.contains("queue")) {
    std::string gm = message["queue"];
    std::vector<std::pair<std::string, std::shared_ptr<ResidentPeer>>> residents;
    std::vector<std::shared_ptr<AgentPeer>> agents;
    {
      std::lock_guard lock(mutex_);
      for (auto& [id, peer] : residents_) residents.emplace_back(id, peer);
      for (auto& [username, weak] : agents_)
        if (auto peer = weak.lock();
            peer && std::count(peer->agent().municipalities.begin(), peer->agent().municipalities.end(), gm))
          agents.push_back(peer);
    }
    auto queue = store_.range(keys::queue(gm));
    for (auto& [id, peer] : residents) {
      auto at = std::find(queue.begin(), queue.end(), id);
      if (at == queue.end()) continue;
      int position = static_cast<int>(at - queue.begin()) + 1;
      peer->send(Json{{"type", "queued"}, {"position", position}, {"eta_seconds", eta_seconds(gm, position)}}.dump());
    }
    std::int64_t now = now_s();
    for (auto& peer : agents) {
      Json items = Json::array();
      for (const auto& agent_gm : peer->agent().municipalities)
        for (const auto& id : store_.range(keys::queue(agent_gm)))
          if (auto c = load(id))
            items.push_back({{"conversation", id}, {"municipality", agent_gm}, {"lang", c->lang}, {"topic", c->topic},
                             {"waiting_seconds", now - c->queued_since}});
      peer->send(Json{{"type", "queue"}, {"items", items}}.dump());
    }
  }
}

// ---- vendors ---------------------------------------------------------------------------------

bool Hub::vendor_event(const std::string& gm, const Json& event) {
  try {
    agent::Frame frame = agent::parse_vendor_event(event, options_.frames);
    std::string id = std::visit([](const auto& f) { return f.conversation; }, frame);
    auto c = load(id);
    if (!c || c->municipality != gm) return false;
    Agent vendor{"vendor:" + gm, event.value("name", std::string("Medewerker")), {gm}};
    handle(vendor, frame, [](const std::string&) {});
    return true;
  } catch (const FrameError&) {
    return false;
  }
}

}  // namespace gem::handover
