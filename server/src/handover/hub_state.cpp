// The hub's state in the Store: conversation records and their atomic changes, messages, ending,
// queue counts and the ETA. Every change that moves a conversation goes through Store::update.
#include <algorithm>
#include <cmath>

#include "handover/adapter.h"
#include "handover/hub.h"
#include "handover/keys.h"

namespace gem::handover {

Json Hub::message_frame(const Json& stored) {
  return {{"type", "message"}, {"from", stored["from"]}, {"text", stored["text"]}, {"id", stored["id"]}};
}

// ---- conversations ---------------------------------------------------------------------------

std::optional<Hub::Conversation> Hub::load(const std::string& id) {
  auto text = store_.get(keys::conversation(id));
  if (!text) return std::nullopt;
  return Json::parse(*text).get<Conversation>();
}

std::optional<Hub::Conversation> Hub::change(const std::string& id,
                                             const std::function<bool(Conversation&, Transaction&)>& edit,
                                             std::vector<std::string> also_watched) {
  std::optional<Conversation> saved;
  also_watched.push_back(keys::conversation(id));
  store_.update(also_watched, [&](Transaction& tx) {
    saved.reset();
    auto text = tx.get(keys::conversation(id));
    if (!text) return false;
    Conversation c = Json::parse(*text).get<Conversation>();
    if (!edit(c, tx)) return false;
    tx.set(keys::conversation(id), Json(c).dump());
    saved = std::move(c);
    return true;
  });
  return saved;
}

std::int64_t Hub::append_message(const std::string& id, const std::string& from, const std::string& text,
                                 const std::function<bool(const Conversation&)>& may) {
  std::optional<FrameError> refused;
  std::int64_t sequence = 0;
  change(id, [&](Conversation& c, Transaction& tx) {
    refused.reset();
    if (!may(c)) {
      refused = FrameError{"not_found", "this conversation is not yours, or it has ended"};
      return false;
    }
    sequence = std::stoll(tx.get(keys::sequence(id)).value_or("0")) + 1;
    std::int64_t bytes = std::stoll(tx.get(keys::text_bytes(id)).value_or("0")) + static_cast<std::int64_t>(text.size());
    if (sequence > static_cast<std::int64_t>(options_.max_messages) || bytes > static_cast<std::int64_t>(options_.max_conversation_bytes)) {
      refused = FrameError{"too_large", "this conversation has reached its limit of messages; please call or end it"};
      return false;
    }
    tx.set(keys::sequence(id), std::to_string(sequence));
    tx.set(keys::text_bytes(id), std::to_string(bytes));
    tx.push_back(keys::messages(id), Json{{"id", sequence}, {"from", from}, {"text", text}}.dump());
    return true;
  }, {keys::sequence(id), keys::text_bytes(id)});
  if (refused) throw *refused;
  if (!sequence) throw FrameError{"not_found", "the conversation has ended"};
  return sequence;
}

void Hub::replay_messages(const std::string& id, const Send& to) {
  for (const std::string& text : store_.range(keys::messages(id))) {
    Json frame = message_frame(Json::parse(text));
    frame["conversation"] = id;
    to(frame.dump());
  }
}

std::shared_ptr<VendorAdapter> Hub::vendor(const std::string& gm) {
  std::lock_guard lock(mutex_);
  auto it = vendors_.find(gm);
  return it == vendors_.end() ? nullptr : it->second;
}

// ---- ending ----------------------------------------------------------------------------------

void Hub::finish(const std::string& id, const std::function<std::optional<std::string>(const Conversation&)>& reason_for) {
  std::optional<Conversation> ended;
  std::string reason;
  store_.update({keys::conversation(id)}, [&](Transaction& tx) {
    ended.reset();
    auto text = tx.get(keys::conversation(id));
    if (!text) return false;
    Conversation c = Json::parse(*text).get<Conversation>();
    auto why = reason_for(c);
    if (!why) return false;
    reason = *why;
    tx.remove(keys::queue(c.municipality), id);
    if (c.state == State::with_agent) {
      tx.hash_del(keys::agent_conversations(c.agent), id);
      // Moving average of handling times (weight 1/5 for the newest), for the ETA.
      auto average = tx.get(keys::handling_time(c.municipality));
      double previous = average ? std::stod(*average) : static_cast<double>(options_.default_handling_time.count());
      double handled = static_cast<double>(std::max<std::int64_t>(1, now_s() - c.accepted_at));
      tx.set(keys::handling_time(c.municipality), std::to_string(0.8 * previous + 0.2 * handled));
    }
    // Nothing of a finished conversation is kept.
    tx.del(keys::conversation(id));
    for (const auto& part : keys::conversation_parts(id)) tx.del(part);
    tx.hash_del(keys::conversations(), id);
    ended = std::move(c);
    return true;
  });
  if (!ended) return;
  if (options_.deleted) options_.deleted();
  if (ended->state == State::with_agent) to_agent(ended->agent, {{"type", "ended"}, {"conversation", id}, {"reason", reason}});
  to_resident(id, {{"type", "ended"}, {"reason", reason}});
  if (auto v = vendor(ended->municipality))
    v->notify({{"event", "ended"}, {"conversation", id}, {"municipality", ended->municipality}, {"reason", reason}});
  queue_changed(ended->municipality);
}

// ---- queues and agents ----------------------------------------------------------------------

void Hub::forget_previous_run() {
  // A killed predecessor with this instance name left its consoles' presence and its residents'
  // sockets marked as here; neither is (a graceful shutdown withdraws them itself).
  std::string prefix = keys::presence_field(instance_, "");
  for (auto& [field, value] : store_.hash_all(keys::agents_online()))
    if (field.rfind(prefix, 0) == 0) store_.hash_del(keys::agents_online(), field);
  std::int64_t now = now_s();
  for (auto& [id, gm] : store_.hash_all(keys::conversations()))
    change(id, [&](Conversation& c, Transaction&) {
      if (c.resident_instance != instance_) return false;
      c.resident_instance.clear();
      c.detached_at = now;
      return true;
    });
}

Hub::Counts Hub::counts(const std::string& gm) {
  Counts counts;
  counts.queue_length = static_cast<int>(store_.range(keys::queue(gm)).size());
  if (vendor(gm)) {
    counts.agents_online = counts.agents_available = 1;  // the vendor's own queue decides
    return counts;
  }
  std::set<std::string> online;  // stale entries of a vanished instance: the sweep removes them
  for (auto& [field, value] : store_.hash_all(keys::agents_online())) {
    Json presence = Json::parse(value);
    const Json& municipalities = presence.at("municipalities");
    if (std::find(municipalities.begin(), municipalities.end(), gm) != municipalities.end())
      online.insert(presence.at("username").get<std::string>());
  }
  counts.agents_online = static_cast<int>(online.size());
  for (auto& username : online)
    if (static_cast<int>(store_.hash_all(keys::agent_conversations(username)).size()) < options_.max_conversations_per_agent)
      ++counts.agents_available;
  return counts;
}

std::int64_t Hub::eta_seconds(const std::string& gm, int position) {
  Counts c = counts(gm);
  auto average = store_.get(keys::handling_time(gm));
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

}  // namespace gem::handover
