#include "handover/hub.h"

#include <algorithm>
#include <cmath>
#include <regex>

#include <sodium.h>

#include "handover/adapter.h"

namespace gem::handover {
namespace {

constexpr std::size_t kMaxFrameBytes = 4096;
constexpr std::size_t kMaxStartFrameBytes = 64 * 1024;  // `start` carries the consented transcript
constexpr std::int64_t kAgentGoneGrace = 30;             // seconds: a console reload keeps the chat
constexpr std::int64_t kPresenceStale = 60;              // seconds without a sweep: instance gone

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

std::size_t code_points(const std::string& utf8) {
  return std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

std::string error_frame(const std::string& error, const std::string& reason) {
  return Json{{"type", "error"}, {"error", error}, {"reason", reason}}.dump();
}

// A validation failure inside a frame handler; turned into an `error` frame.
struct FrameError {
  std::string error, reason;
};

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

Json parse_frame(const std::string& text, std::size_t limit) {
  if (text.size() > limit) throw FrameError{"too_large", "frame larger than " + std::to_string(limit) + " bytes"};
  Json frame = Json::parse(text, nullptr, false);
  if (frame.is_discarded() || !frame.is_object()) throw FrameError{"invalid_request", "frame is not a JSON object"};
  if (!frame.contains("type") || !frame["type"].is_string()) throw FrameError{"invalid_request", "`type` must be a string"};
  if (frame["type"] != "start" && text.size() > kMaxFrameBytes)
    throw FrameError{"too_large", "frame larger than " + std::to_string(kMaxFrameBytes) + " bytes"};
  return frame;
}

bool is_label(const Json& value) {
  static const std::regex label("[a-z_]{1,40}");
  return value.is_null() || (value.is_string() && std::regex_match(value.get_ref<const std::string&>(), label));
}

}  // namespace

// ---- conversations ---------------------------------------------------------------------------

Json Hub::Conversation::to_json() const {
  return {{"id", id}, {"token_hash", token_hash}, {"municipality", municipality}, {"lang", lang}, {"state", state},
          {"agent", agent}, {"agent_name", agent_name}, {"consent", consent}, {"transcript", transcript},
          {"topic", topic}, {"created", created}, {"queued_since", queued_since}, {"accepted_at", accepted_at},
          {"detached_at", detached_at}};
}

Hub::Conversation Hub::Conversation::from_json(const Json& j) {
  Conversation c;
  c.id = j.at("id");
  c.token_hash = j.at("token_hash");
  c.municipality = j.at("municipality");
  c.lang = j.at("lang");
  c.state = j.at("state");
  c.agent = j.at("agent");
  c.agent_name = j.at("agent_name");
  c.consent = j.at("consent");
  c.transcript = j.at("transcript");
  c.topic = j.at("topic");
  c.created = j.at("created");
  c.queued_since = j.at("queued_since");
  c.accepted_at = j.at("accepted_at");
  c.detached_at = j.at("detached_at");
  return c;
}

// ---- peers -----------------------------------------------------------------------------------

class Hub::ResidentPeer final : public Hub::Peer {
 public:
  ResidentPeer(std::shared_ptr<Hub> hub, Send send, std::function<bool(const std::string&)> may_act_for)
      : hub_(std::move(hub)), send_(std::move(send)), may_act_for_(std::move(may_act_for)) {}

  void receive(const std::string& text) override {
    answering_errors(send_, [&] {
      Json frame = parse_frame(text, kMaxStartFrameBytes);
      const std::string& type = frame["type"].get_ref<const std::string&>();
      if (type == "start" || type == "resume") {
        if (!conversation().empty()) throw FrameError{"invalid_request", "this socket already has a conversation"};
        type == "start" ? hub_->start(*this, frame) : hub_->resume(*this, frame);
        return;
      }
      if (type != "message" && type != "typing" && type != "cancel" && type != "end")
        throw FrameError{"invalid_request", "unknown `type`"};
      if (conversation().empty()) throw FrameError{"invalid_request", "send `start` or `resume` first"};
      if (type == "message") hub_->resident_message(*this, checked_text(frame, hub_->options_.max_text_chars));
      else if (type == "typing") hub_->resident_typing(*this);
      else hub_->resident_leaves(*this, type == "cancel" ? "cancelled" : "resident_ended");
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

  std::string conversation_;  // set by start/resume, cleared by `ended`; guarded by the hub's mutex

 private:
  std::shared_ptr<Hub> hub_;
  Send send_;
  std::function<bool(const std::string&)> may_act_for_;
};

class Hub::AgentPeer final : public Hub::Peer {
 public:
  AgentPeer(std::shared_ptr<Hub> hub, Agent agent, Send send)
      : hub_(std::move(hub)), agent_(std::move(agent)), send_(std::move(send)), key_(random_hex(8)) {}

  void receive(const std::string& text) override {
    answering_errors(send_, [&] {
      Json frame = parse_frame(text, kMaxFrameBytes);
      const std::string& type = frame["type"].get_ref<const std::string&>();
      const std::string& id = string_field(frame, "conversation");
      if (type == "accept") hub_->accept(agent_, id, send_);
      else if (type == "message") hub_->agent_message(agent_, id, checked_text(frame, hub_->options_.max_text_chars), send_);
      else if (type == "typing") hub_->agent_typing(agent_, id, send_);
      else if (type == "end") hub_->agent_end(agent_, id, send_);
      else if (type == "release") {
        if (hub_->owned(agent_, id, send_)) hub_->release(id, "released");
      } else throw FrameError{"invalid_request", "unknown `type`"};
    });
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
    : store_(store), bus_(bus), directory_(std::move(directory)), options_(std::move(options)), instance_(random_hex(6)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  bus_.subscribe([this](const std::string& message) { deliver(message); });
}

std::int64_t Hub::now_s() const {
  return std::chrono::duration_cast<std::chrono::seconds>(options_.now().time_since_epoch()).count();
}

std::shared_ptr<Hub::Peer> Hub::connect_resident(Send send, std::function<bool(const std::string&)> may_act_for) {
  return std::make_shared<ResidentPeer>(shared_from_this(), std::move(send), std::move(may_act_for));
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

std::optional<Hub::Conversation> Hub::load(const std::string& id) {
  auto text = store_.get("conv:" + id);
  if (!text) return std::nullopt;
  return Conversation::from_json(Json::parse(*text));
}

void Hub::save(const Conversation& c) {
  store_.set("conv:" + c.id, c.to_json().dump());
  store_.hash_set("conversations", c.id, c.municipality);
}

Hub::Counts Hub::counts(const std::string& gm) {
  Counts counts;
  counts.queue_length = static_cast<int>(store_.range("queue:" + gm).size());
  {
    std::lock_guard lock(mutex_);
    if (vendors_.count(gm)) {
      counts.agents_online = counts.agents_available = 1;  // the vendor's own queue decides
      return counts;
    }
  }
  std::set<std::string> online;
  for (auto& [key, value] : store_.hash_all("agents:" + gm)) online.insert(Json::parse(value).at("username").get<std::string>());
  counts.agents_online = static_cast<int>(online.size());
  for (auto& username : online)
    if (static_cast<int>(store_.hash_all("agent:" + username).size()) < options_.max_conversations_per_agent)
      ++counts.agents_available;
  return counts;
}

std::int64_t Hub::eta_seconds(const std::string& gm, int position) {
  Counts c = counts(gm);
  auto average = store_.get("handling:" + gm);
  double handling = average ? std::stod(*average) : static_cast<double>(options_.default_handling_time.count());
  std::int64_t pickup = options_.pickup_time.count();
  if (position <= c.agents_available) return pickup;
  return pickup + static_cast<std::int64_t>(std::ceil((position - c.agents_available) * handling / std::max(1, c.agents_online)));
}

std::optional<Json> Hub::availability(const std::string& gm) {
  auto municipality = directory_(gm);
  if (!municipality) return std::nullopt;
  Counts c = counts(gm);
  return Json{{"municipality", gm},
              {"open", municipality->open_now},
              {"agents_available", municipality->open_now ? c.agents_available : 0},
              {"queue_length", c.queue_length},
              {"eta_seconds", eta_seconds(gm, c.queue_length + 1)},
              {"today", municipality->today},
              {"alternatives", municipality->alternatives}};
}

// ---- resident side ---------------------------------------------------------------------------

void Hub::start(ResidentPeer& peer, const Json& frame) {
  const std::string& gm = string_field(frame, "municipality");
  auto municipality = directory_(gm);
  if (!municipality) throw FrameError{"unknown_municipality", "`municipality` is not configured"};
  peer.check_origin(gm);
  std::string lang = frame.value("lang", "nl");
  if (lang != "nl" && lang != "en") throw FrameError{"invalid_request", "`lang` must be \"nl\" or \"en\""};
  if (!frame.contains("consent") || !frame["consent"].is_boolean()) throw FrameError{"invalid_request", "`consent` must be true or false"};
  bool consent = frame["consent"];
  Json transcript = Json::array();
  if (frame.contains("transcript") && !frame["transcript"].is_null()) {
    if (!consent) throw FrameError{"invalid_request", "`transcript` is only allowed with consent"};
    const Json& items = frame["transcript"];
    if (!items.is_array()) throw FrameError{"invalid_request", "`transcript` must be an array"};
    if (items.size() > options_.max_transcript_items) throw FrameError{"too_large", "`transcript` has too many items"};
    for (const Json& item : items) {
      if (!item.is_object() || !item.contains("role") || (item["role"] != "resident" && item["role"] != "assistant"))
        throw FrameError{"invalid_request", "transcript `role` must be \"resident\" or \"assistant\""};
      std::string text = checked_text(item, options_.max_text_chars);
      transcript.push_back({{"role", item["role"]}, {"text", text}});
    }
  }
  Json topic = frame.value("topic", Json(nullptr));
  if (!topic.is_null()) {
    if (!topic.is_object() || !is_label(topic.value("product", Json(nullptr))) || !is_label(topic.value("aspect", Json(nullptr))))
      throw FrameError{"invalid_request", "`topic` must be {\"product\": label|null, \"aspect\": label|null}"};
    topic = {{"product", topic.value("product", Json(nullptr))}, {"aspect", topic.value("aspect", Json(nullptr))}};
  }

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
  c.lang = lang;
  c.consent = consent;
  c.transcript = std::move(transcript);
  c.topic = std::move(topic);
  c.created = c.queued_since = now_s();
  save(c);
  {
    std::lock_guard lock(mutex_);
    peer.conversation_ = c.id;
    residents_[c.id] = std::static_pointer_cast<ResidentPeer>(peer.shared_from_this());
  }
  peer.send(Json{{"type", "started"}, {"conversation", c.id}, {"token", token}}.dump());
  store_.push_back("queue:" + gm, c.id);
  std::shared_ptr<VendorAdapter> vendor;
  {
    std::lock_guard lock(mutex_);
    if (auto it = vendors_.find(gm); it != vendors_.end()) vendor = it->second;
  }
  if (vendor)
    vendor->notify({{"event", "queued"}, {"conversation", c.id}, {"municipality", gm}, {"lang", c.lang},
                    {"consent", c.consent}, {"transcript", c.transcript}, {"topic", c.topic}});
  queue_changed(gm);
}

void Hub::resume(ResidentPeer& peer, const Json& frame) {
  const std::string& id = string_field(frame, "conversation");
  const std::string& token = string_field(frame, "token");
  auto c = load(id);
  std::string presented = token_hash(token);
  if (!c || presented.size() != c->token_hash.size() ||
      sodium_memcmp(presented.data(), c->token_hash.data(), presented.size()) != 0)
    throw FrameError{"not_found", "no conversation with this id and token (it may have ended)"};
  peer.check_origin(c->municipality);
  std::shared_ptr<ResidentPeer> previous;
  {
    std::lock_guard lock(mutex_);
    peer.conversation_ = id;
    auto& slot = residents_[id];
    previous = slot;
    slot = std::static_pointer_cast<ResidentPeer>(peer.shared_from_this());
    if (previous && previous.get() != &peer) previous->conversation_.clear();
  }
  c->detached_at = 0;
  save(*c);
  // Replay the state, then what the resident has not seen.
  if (c->state == "queued") {
    auto queue = store_.range("queue:" + c->municipality);
    auto at = std::find(queue.begin(), queue.end(), id);
    int position = static_cast<int>(at - queue.begin()) + 1;
    peer.send(Json{{"type", "queued"}, {"position", position}, {"eta_seconds", eta_seconds(c->municipality, position)}}.dump());
  } else {
    peer.send(Json{{"type", "agent_joined"}, {"name", c->agent_name}}.dump());
  }
  auto seen_text = store_.get("conv:" + id + ":seen");
  std::int64_t seen = seen_text ? std::stoll(*seen_text) : 0;
  for (const std::string& text : store_.range("conv:" + id + ":msgs")) {
    Json message = Json::parse(text);
    if (message["from"] != "agent" || message["id"].get<std::int64_t>() <= seen) continue;
    peer.send(Json{{"type", "message"}, {"from", "agent"}, {"text", message["text"]}, {"id", message["id"]}}.dump());
    seen = message["id"];
  }
  store_.set("conv:" + id + ":seen", std::to_string(seen));
}

void Hub::resident_message(ResidentPeer& peer, const std::string& text) {
  auto c = load(peer.conversation());
  if (!c) throw FrameError{"not_found", "the conversation has ended"};
  std::int64_t id = store_.incr("conv:" + c->id + ":seq");
  store_.push_back("conv:" + c->id + ":msgs", Json{{"id", id}, {"from", "resident"}, {"text", text}}.dump());
  if (c->state == "with_agent")
    to_agent(c->agent, {{"type", "message"}, {"conversation", c->id}, {"from", "resident"}, {"text", text}, {"id", id}});
}

void Hub::resident_typing(ResidentPeer& peer) {
  auto c = load(peer.conversation());
  if (c && c->state == "with_agent") to_agent(c->agent, {{"type", "resident_typing"}, {"conversation", c->id}});
}

void Hub::resident_leaves(ResidentPeer& peer, const std::string& reason) {
  auto c = load(peer.conversation());
  if (!c) throw FrameError{"not_found", "the conversation has ended"};
  // `cancel` only means something in the queue; with an agent it ends the chat like `end`.
  finish(*c, c->state == "queued" ? reason : "resident_ended");
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
  if (auto c = load(id)) {
    c->detached_at = now_s();
    save(*c);
  }
}

// ---- agent side ------------------------------------------------------------------------------

void Hub::agent_connected(AgentPeer& peer) {
  const Agent& agent = peer.agent();
  Json presence{{"username", agent.username}, {"instance", instance_}, {"seen", now_s()}};
  for (const auto& gm : agent.municipalities) store_.hash_set("agents:" + gm, instance_ + "/" + peer.key(), presence.dump());
  // A console reload: hand back the conversations this agent still owns, with everything said.
  for (auto& [id, gm] : store_.hash_all("agent:" + agent.username)) {
    auto c = load(id);
    if (!c || c->state != "with_agent") continue;
    peer.send(agent_view(*c).dump());
    for (const std::string& text : store_.range("conv:" + id + ":msgs")) {
      Json message = Json::parse(text);
      peer.send(Json{{"type", "message"}, {"conversation", id}, {"from", message["from"]}, {"text", message["text"]}, {"id", message["id"]}}.dump());
    }
  }
  for (const auto& gm : agent.municipalities) queue_changed(gm);
}

Json Hub::agent_view(const Conversation& c) {
  return {{"type", "assigned"}, {"conversation", c.id}, {"municipality", c.municipality}, {"consent", c.consent},
          {"transcript", c.transcript}, {"lang", c.lang}, {"topic", c.topic}};
}

void Hub::accept(const Agent& agent, const std::string& id, const Send& reply) {
  auto c = load(id);
  if (!c || std::find(agent.municipalities.begin(), agent.municipalities.end(), c->municipality) == agent.municipalities.end())
    throw FrameError{"not_found", "no such conversation in your municipalities"};
  if (static_cast<int>(store_.hash_all("agent:" + agent.username).size()) >= options_.max_conversations_per_agent &&
      agent.username.rfind("vendor:", 0) != 0)
    throw FrameError{"busy", "you already have the maximum number of conversations"};
  // Removing it from the queue is the claim: of two agents accepting at once only one succeeds.
  if (store_.remove("queue:" + c->municipality, id) == 0)
    throw FrameError{"taken", "this conversation is no longer in the queue"};
  c->state = "with_agent";
  c->agent = agent.username;
  c->agent_name = agent.display_name;
  c->accepted_at = now_s();
  save(*c);
  store_.hash_set("agent:" + agent.username, id, c->municipality);
  if (agent.username.rfind("vendor:", 0) != 0) {
    reply(agent_view(*c).dump());
    for (const std::string& text : store_.range("conv:" + id + ":msgs")) {
      Json message = Json::parse(text);
      reply(Json{{"type", "message"}, {"conversation", id}, {"from", message["from"]}, {"text", message["text"]}, {"id", message["id"]}}.dump());
    }
  }
  to_resident(id, {{"type", "agent_joined"}, {"name", agent.display_name}});
  queue_changed(c->municipality);
}

std::optional<Hub::Conversation> Hub::owned(const Agent& agent, const std::string& id, const Send& reply) {
  auto c = load(id);
  if (!c || c->state != "with_agent" || c->agent != agent.username) {
    reply(error_frame("not_found", "this conversation is not yours"));
    return std::nullopt;
  }
  return c;
}

void Hub::agent_message(const Agent& agent, const std::string& id, const std::string& text, const Send& reply) {
  auto c = owned(agent, id, reply);
  if (!c) return;
  std::int64_t seq = store_.incr("conv:" + id + ":seq");
  store_.push_back("conv:" + id + ":msgs", Json{{"id", seq}, {"from", "agent"}, {"text", text}}.dump());
  to_resident(id, {{"type", "message"}, {"from", "agent"}, {"text", text}, {"id", seq}});
}

void Hub::agent_typing(const Agent& agent, const std::string& id, const Send& reply) {
  if (owned(agent, id, reply)) to_resident(id, {{"type", "agent_typing"}});
}

void Hub::agent_end(const Agent& agent, const std::string& id, const Send& reply) {
  if (auto c = owned(agent, id, reply)) finish(*c, "agent_ended");
}

void Hub::release(const std::string& id, const std::string& why) {
  auto c = load(id);
  if (!c || c->state != "with_agent") return;
  std::string agent = c->agent;
  store_.hash_del("agent:" + agent, id);
  c->state = "queued";
  c->agent.clear();
  c->agent_name.clear();
  c->accepted_at = 0;
  save(*c);
  // Back at the front: the resident has waited already.
  store_.push_front("queue:" + c->municipality, id);
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
  for (const auto& gm : peer.agent().municipalities) {
    store_.hash_del("agents:" + gm, instance_ + "/" + peer.key());
    queue_changed(gm);
  }
}

// ---- ending ----------------------------------------------------------------------------------

void Hub::finish(Conversation c, const std::string& reason) {
  store_.remove("queue:" + c.municipality, c.id);
  if (c.state == "with_agent") {
    store_.hash_del("agent:" + c.agent, c.id);
    // Moving average of handling times (weight 1/5 for the newest), for the ETA.
    auto average = store_.get("handling:" + c.municipality);
    double previous = average ? std::stod(*average) : static_cast<double>(options_.default_handling_time.count());
    double handled = static_cast<double>(std::max<std::int64_t>(1, now_s() - c.accepted_at));
    store_.set("handling:" + c.municipality, std::to_string(0.8 * previous + 0.2 * handled));
    to_agent(c.agent, {{"type", "ended"}, {"conversation", c.id}, {"reason", reason}});
  }
  to_resident(c.id, {{"type", "ended"}, {"reason", reason}});
  // Nothing of a finished conversation is kept.
  store_.del("conv:" + c.id);
  store_.del("conv:" + c.id + ":msgs");
  store_.del("conv:" + c.id + ":seq");
  store_.del("conv:" + c.id + ":seen");
  store_.hash_del("conversations", c.id);
  std::shared_ptr<VendorAdapter> vendor;
  {
    std::lock_guard lock(mutex_);
    if (auto it = vendors_.find(c.municipality); it != vendors_.end()) vendor = it->second;
  }
  if (vendor) vendor->notify({{"event", "ended"}, {"conversation", c.id}, {"municipality", c.municipality}, {"reason", reason}});
  queue_changed(c.municipality);
}

void Hub::sweep() {
  std::int64_t now = now_s();
  // Refresh this instance's agent presence, forget instances that stopped sweeping.
  std::vector<std::pair<std::string, std::shared_ptr<AgentPeer>>> local;
  {
    std::lock_guard lock(mutex_);
    for (auto& [username, weak] : agents_)
      if (auto peer = weak.lock()) local.emplace_back(username, peer);
  }
  for (auto& [username, peer] : local)
    for (const auto& gm : peer->agent().municipalities)
      store_.hash_set("agents:" + gm, instance_ + "/" + peer->key(),
                      Json{{"username", username}, {"instance", instance_}, {"seen", now}}.dump());
  for (auto& [id, gm] : store_.hash_all("conversations")) {
    for (auto& [key, value] : store_.hash_all("agents:" + gm))
      if (now - Json::parse(value).value("seen", std::int64_t{0}) > kPresenceStale) store_.hash_del("agents:" + gm, key);
    auto c = load(id);
    if (!c) continue;
    if (c->detached_at && now - c->detached_at > options_.abandon_after.count()) {
      finish(*c, "resident_ended");
      continue;
    }
    if (c->state != "with_agent" || c->agent.rfind("vendor:", 0) == 0) continue;
    bool present = false;
    for (auto& [key, value] : store_.hash_all("agents:" + gm))
      present = present || Json::parse(value).at("username") == c->agent;
    std::string gone_key = "conv:" + id + ":agent_gone";
    if (present) {
      store_.del(gone_key);
    } else if (auto since = store_.get(gone_key); !since) {
      store_.set(gone_key, std::to_string(now));
    } else if (now - std::stoll(*since) > kAgentGoneGrace) {
      store_.del(gone_key);
      release(id, "agent_gone");
    }
  }
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
  for (auto& peer : local)
    for (const auto& gm : peer->agent().municipalities) store_.hash_del("agents:" + gm, instance_ + "/" + peer->key());
}

// ---- delivery --------------------------------------------------------------------------------

void Hub::to_resident(const std::string& id, Json frame) { bus_.publish(Json{{"resident", id}, {"frame", std::move(frame)}}.dump()); }

void Hub::to_agent(const std::string& username, Json frame) {
  if (username.rfind("vendor:", 0) == 0) {
    // A vendor is not on the bus: this instance forwards what its vendor needs.
    std::string gm = username.substr(7);
    std::shared_ptr<VendorAdapter> vendor;
    {
      std::lock_guard lock(mutex_);
      if (auto it = vendors_.find(gm); it != vendors_.end()) vendor = it->second;
    }
    if (vendor && frame["type"] == "message")
      vendor->notify({{"event", "message"}, {"conversation", frame["conversation"]}, {"municipality", gm}, {"text", frame["text"]}});
    return;
  }
  bus_.publish(Json{{"agent", username}, {"frame", std::move(frame)}}.dump());
}

void Hub::queue_changed(const std::string& gm) { bus_.publish(Json{{"queue", gm}}.dump()); }

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
    if (frame["type"] == "message") store_.set("conv:" + id + ":seen", std::to_string(frame["id"].get<std::int64_t>()));
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
    auto queue = store_.range("queue:" + gm);
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
        for (const auto& id : store_.range("queue:" + agent_gm))
          if (auto c = load(id))
            items.push_back({{"conversation", id}, {"municipality", agent_gm}, {"lang", c->lang}, {"topic", c->topic},
                             {"waiting_seconds", now - c->queued_since}});
      peer->send(Json{{"type", "queue"}, {"items", items}}.dump());
    }
  }
}

// ---- vendors ---------------------------------------------------------------------------------

bool Hub::vendor_event(const std::string& gm, const Json& event) {
  if (!event.is_object() || !event.contains("conversation") || !event["conversation"].is_string()) return false;
  std::string id = event["conversation"];
  auto c = load(id);
  if (!c || c->municipality != gm) return false;
  Agent vendor{"vendor:" + gm, event.value("name", std::string("Medewerker")), {gm}};
  std::string type = event.value("event", "");
  std::string refused;
  Send reply = [&](const std::string& frame) {
    Json f = Json::parse(frame);
    if (f["type"] == "error") refused = f["reason"];
  };
  try {
    if (type == "agent_joined") accept(vendor, id, reply);
    else if (type == "message" && event.contains("text") && event["text"].is_string()) agent_message(vendor, id, checked_text(event, options_.max_text_chars), reply);
    else if (type == "agent_typing") agent_typing(vendor, id, reply);
    else if (type == "ended") agent_end(vendor, id, reply);
    else return false;
  } catch (const FrameError&) {
    return false;
  }
  return refused.empty();
}

}  // namespace gem::handover
