// The handover hub's state machine with real stores (SQLite, in-process bus): no sockets needed.
#define BOOST_TEST_MODULE handover_hub
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>

#include <thread>

#include "handover/adapter.h"
#include "handover/hub.h"
#include "handover/keys.h"
#include "storage/sqlite.h"

using namespace gem::handover;

namespace {

// Frames one socket received, oldest first.
struct Inbox {
  std::mutex mutex;
  std::vector<Json> frames;
  Send sender() {
    return [this](const std::string& frame) {
      std::lock_guard lock(mutex);
      frames.push_back(Json::parse(frame));
    };
  }
  Json last(const std::string& type) {
    std::lock_guard lock(mutex);
    for (auto it = frames.rbegin(); it != frames.rend(); ++it)
      if ((*it)["type"] == type) return *it;
    BOOST_FAIL("no `" + type + "` frame; got " + Json(frames).dump());
    return {};
  }
  std::size_t count(const std::string& type) {
    std::lock_guard lock(mutex);
    return std::count_if(frames.begin(), frames.end(), [&](const Json& f) { return f["type"] == type; });
  }
  void clear() {
    std::lock_guard lock(mutex);
    frames.clear();
  }
};

struct Fixture {
  std::unique_ptr<Store> store;
  std::unique_ptr<Bus> bus = make_local_bus();
  bool open = true;
  std::chrono::system_clock::time_point clock = std::chrono::system_clock::now();
  HubOptions options;
  std::shared_ptr<Hub> hub;

  explicit Fixture(const std::string& db = ":memory:", HubOptions base = {}) : Fixture(make_sqlite_store(db), std::move(base)) {}
  Fixture(std::unique_ptr<Store> s, HubOptions base) : store(std::move(s)), options(std::move(base)) { hub = make(); }

  std::shared_ptr<Hub> make() {
    options.now = [this] { return clock; };
    return std::make_shared<Hub>(*store, *bus, [this](const std::string& gm) -> std::optional<Municipality> {
      if (gm != "GM0599") return std::nullopt;
      return Municipality{open, Json::array({{{"from", "08:30"}, {"to", "17:00"}}}),
                          {{"phone", "14 010"}, {"contact_form_url", "https://example.nl/contact"}}};
    }, options);
  }
};

Json start_frame(bool consent = true) {
  Json f{{"type", "start"}, {"municipality", "GM0599"}, {"lang", "nl"}, {"consent", consent}, {"topic", {{"product", "paspoort"}, {"aspect", nullptr}}}};
  if (consent) f["transcript"] = Json::array({{{"role", "resident"}, {"text", "Mijn paspoort is kwijt"}}});
  return f;
}

Agent anna() { return {"anna", "Anna", {"GM0599"}}; }

}  // namespace

BOOST_AUTO_TEST_CASE(resident_and_agent_talk_and_the_agent_ends) {
  Fixture f;
  Inbox agent_in, resident_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  BOOST_TEST(f.hub->availability("GM0599")->at("agents_available") == 1);
  auto resident = f.hub->connect_resident(resident_in.sender());
  resident->receive(start_frame().dump());
  std::string id = resident_in.last("started")["conversation"];
  BOOST_TEST(resident_in.last("queued")["position"] == 1);
  BOOST_TEST(agent_in.last("queue")["items"][0]["conversation"] == id);
  BOOST_TEST(agent_in.last("queue")["items"][0]["topic"]["product"] == "paspoort");

  agent->receive(Json{{"type", "accept"}, {"conversation", id}}.dump());
  Json assigned = agent_in.last("assigned");
  BOOST_TEST(assigned["transcript"][0]["text"] == "Mijn paspoort is kwijt");
  BOOST_TEST(resident_in.last("agent_joined")["name"] == "Anna");
  BOOST_TEST(agent_in.last("queue")["items"].empty());

  resident->receive(R"({"type":"typing"})");
  BOOST_TEST(agent_in.last("resident_typing")["conversation"] == id);
  resident->receive(R"({"type":"message","text":"Hallo?"})");
  BOOST_TEST(agent_in.last("message")["text"] == "Hallo?");
  agent->receive(Json{{"type", "typing"}, {"conversation", id}}.dump());
  BOOST_TEST(resident_in.count("agent_typing") == 1);
  agent->receive(Json{{"type", "message"}, {"conversation", id}, {"text", "Goedemiddag"}}.dump());
  BOOST_TEST(resident_in.last("message")["text"] == "Goedemiddag");
  BOOST_TEST(resident_in.last("message")["from"] == "agent");

  agent->receive(Json{{"type", "end"}, {"conversation", id}}.dump());
  BOOST_TEST(resident_in.last("ended")["reason"] == "agent_ended");
  BOOST_TEST(agent_in.last("ended")["reason"] == "agent_ended");
  // Nothing of it is kept, and the socket no longer has a conversation.
  BOOST_TEST(!f.store->get("conv:" + id));
  BOOST_TEST(f.store->range("conv:" + id + ":msgs").empty());
  resident->receive(R"({"type":"message","text":"nog iets"})");
  BOOST_TEST(resident_in.last("error")["error"] == "invalid_request");
}

BOOST_AUTO_TEST_CASE(resume_replays_state_and_unseen_messages_only) {
  Fixture f;
  Inbox agent_in, first_in, second_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  auto first = f.hub->connect_resident(first_in.sender());
  first->receive(start_frame(false).dump());
  Json started = first_in.last("started");
  std::string id = started["conversation"];
  agent->receive(Json{{"type", "accept"}, {"conversation", id}}.dump());
  agent->receive(Json{{"type", "message"}, {"conversation", id}, {"text", "seen before"}}.dump());
  first->closed();
  agent->receive(Json{{"type", "message"}, {"conversation", id}, {"text", "sent while away"}}.dump());

  auto wrong = f.hub->connect_resident(second_in.sender());
  wrong->receive(Json{{"type", "resume"}, {"conversation", id}, {"token", std::string(64, 'a')}}.dump());
  BOOST_TEST(second_in.last("error")["error"] == "not_found");
  second_in.clear();

  auto second = f.hub->connect_resident(second_in.sender());
  second->receive(Json{{"type", "resume"}, {"conversation", id}, {"token", started["token"]}}.dump());
  BOOST_TEST(second_in.last("agent_joined")["name"] == "Anna");
  BOOST_TEST(second_in.count("message") == 1);
  BOOST_TEST(second_in.last("message")["text"] == "sent while away");
  second->receive(R"({"type":"message","text":"ik ben terug"})");
  BOOST_TEST(agent_in.last("message")["text"] == "ik ben terug");
}

BOOST_AUTO_TEST_CASE(release_puts_the_conversation_back_at_the_front) {
  Fixture f;
  Inbox agent_in, a_in, b_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  auto a = f.hub->connect_resident(a_in.sender());
  auto b = f.hub->connect_resident(b_in.sender());
  a->receive(start_frame().dump());
  b->receive(start_frame().dump());
  std::string id = a_in.last("started")["conversation"];
  BOOST_TEST(b_in.last("queued")["position"] == 2);
  agent->receive(Json{{"type", "accept"}, {"conversation", id}}.dump());
  BOOST_TEST(b_in.last("queued")["position"] == 1);
  agent->receive(Json{{"type", "release"}, {"conversation", id}}.dump());
  BOOST_TEST(a_in.count("agent_left") == 1);
  BOOST_TEST(a_in.last("queued")["position"] == 1);
  BOOST_TEST(b_in.last("queued")["position"] == 2);
  BOOST_TEST(agent_in.last("ended")["reason"] == "released");
  // Someone else's conversation cannot be steered.
  Inbox other_in;
  auto other = f.hub->connect_agent({"bert", "Bert", {"GM0599"}}, other_in.sender());
  other->receive(Json{{"type", "end"}, {"conversation", id}}.dump());
  BOOST_TEST(other_in.last("error")["error"] == "not_found");
}

BOOST_AUTO_TEST_CASE(only_one_of_two_agents_gets_a_conversation) {
  Fixture f;
  Inbox anna_in, bert_in, r_in;
  auto a = f.hub->connect_agent(anna(), anna_in.sender());
  auto b = f.hub->connect_agent({"bert", "Bert", {"GM0599"}}, bert_in.sender());
  auto r = f.hub->connect_resident(r_in.sender());
  r->receive(start_frame().dump());
  std::string id = r_in.last("started")["conversation"];
  a->receive(Json{{"type", "accept"}, {"conversation", id}}.dump());
  b->receive(Json{{"type", "accept"}, {"conversation", id}}.dump());
  BOOST_TEST(bert_in.last("error")["error"] == "taken");
  BOOST_TEST(bert_in.count("assigned") == 0);
}

BOOST_AUTO_TEST_CASE(cancel_leaves_the_queue) {
  Fixture f;
  Inbox agent_in, r_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  auto r = f.hub->connect_resident(r_in.sender());
  r->receive(start_frame().dump());
  r->receive(R"({"type":"cancel"})");
  BOOST_TEST(r_in.last("ended")["reason"] == "cancelled");
  BOOST_TEST(agent_in.last("queue")["items"].empty());
  BOOST_TEST(f.hub->availability("GM0599")->at("queue_length") == 0);
}

BOOST_AUTO_TEST_CASE(closed_hours_and_no_agent_offer_the_alternatives) {
  Fixture f;
  Inbox r_in;
  auto r = f.hub->connect_resident(r_in.sender());
  r->receive(start_frame().dump());
  BOOST_TEST(r_in.last("ended")["reason"] == "no_agent");
  BOOST_TEST(r_in.last("ended")["alternatives"]["phone"] == "14 010");
  BOOST_TEST(r_in.count("started") == 0);

  Inbox agent_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  f.open = false;
  Json availability = *f.hub->availability("GM0599");
  BOOST_TEST(availability["open"] == false);
  BOOST_TEST(availability["agents_available"] == 0);
  BOOST_TEST(availability["alternatives"]["contact_form_url"] == "https://example.nl/contact");
  auto r2 = f.hub->connect_resident(r_in.sender());
  r2->receive(start_frame().dump());
  BOOST_TEST(r_in.last("ended")["reason"] == "closed");
  BOOST_TEST(!f.hub->availability("GM9999"));
}

BOOST_AUTO_TEST_CASE(eta_follows_the_moving_average_of_handling_times) {
  Fixture f;
  Inbox agent_in, r_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  // One agent, a free slot: the next resident waits only the pickup time.
  BOOST_TEST(f.hub->availability("GM0599")->at("eta_seconds") == 30);
  auto r = f.hub->connect_resident(r_in.sender());
  r->receive(start_frame().dump());
  std::string id = r_in.last("started")["conversation"];
  agent->receive(Json{{"type", "accept"}, {"conversation", id}}.dump());
  f.clock += std::chrono::seconds(1300);
  agent->receive(Json{{"type", "end"}, {"conversation", id}}.dump());
  // 0.8 * 300 (default) + 0.2 * 1300 = 500 s per conversation.
  BOOST_TEST(f.store->get("handling:GM0599").value().substr(0, 5) == "500.0");
  // Fill the agent's three slots; the next two waiting residents then wait 500 s each.
  std::vector<Inbox> inboxes(5);
  std::vector<std::shared_ptr<Hub::Peer>> residents;
  for (auto& inbox : inboxes) {
    residents.push_back(f.hub->connect_resident(inbox.sender()));
    residents.back()->receive(start_frame().dump());
  }
  for (int i = 0; i < 3; ++i)
    agent->receive(Json{{"type", "accept"}, {"conversation", inboxes[i].last("started")["conversation"]}}.dump());
  BOOST_TEST(inboxes[4].last("queued")["position"] == 2);
  BOOST_TEST(inboxes[4].last("queued")["eta_seconds"] == 30 + 2 * 500);
  BOOST_TEST(f.hub->availability("GM0599")->at("eta_seconds") == 30 + 3 * 500);
}

BOOST_AUTO_TEST_CASE(invalid_frames_get_error_frames) {
  Fixture f;
  Inbox agent_in, r_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  auto r = f.hub->connect_resident(r_in.sender());
  auto error_for = [&](const std::string& frame) {
    r_in.clear();
    r->receive(frame);
    return r_in.last("error")["error"].get<std::string>();
  };
  BOOST_TEST(error_for("{not json") == "invalid_request");
  BOOST_TEST(error_for("[1,2]") == "invalid_request");
  BOOST_TEST(error_for(R"({"type":"dance"})") == "invalid_request");
  BOOST_TEST(error_for(R"({"type":"message","text":"hi"})") == "invalid_request");
  BOOST_TEST(error_for(R"({"type":"start","municipality":"GM9999","consent":false})") == "unknown_municipality");
  BOOST_TEST(error_for(R"({"type":"start","municipality":"GM0599","lang":"fr","consent":false})") == "invalid_request");
  BOOST_TEST(error_for(R"({"type":"start","municipality":"GM0599","consent":false,"transcript":[{"role":"resident","text":"x"}]})") == "invalid_request");
  BOOST_TEST(error_for(R"({"type":"start","municipality":"GM0599","consent":true,"topic":{"product":"<b>"}})") == "invalid_request");
  Json many = start_frame();
  many["transcript"] = Json::array();
  for (int i = 0; i < 51; ++i) many["transcript"].push_back({{"role", "assistant"}, {"text", "x"}});
  BOOST_TEST(error_for(many.dump()) == "too_large");
  BOOST_TEST(error_for(R"({"type":"message","padding":")" + std::string(5000, 'x') + "\"}") == "too_large");
  r->receive(start_frame().dump());
  BOOST_TEST(error_for(Json{{"type", "message"}, {"text", std::string(2001, 'x')}}.dump()) == "too_large");
  // 2000 characters of two bytes each fit (characters, not bytes, count) — in a 4 KiB frame.
  r_in.clear();
  r->receive(Json{{"type", "message"}, {"text", std::string(1000 * 2, 'a')}}.dump());
  BOOST_TEST(r_in.count("error") == 0);
  BOOST_TEST(error_for(R"({"type":"message","text":"   "})") == "invalid_request");
  agent_in.clear();
  agent->receive(R"({"type":"accept"})");
  BOOST_TEST(agent_in.last("error")["error"] == "invalid_request");
}

BOOST_AUTO_TEST_CASE(queued_handover_survives_a_restart) {
  auto db = std::filesystem::temp_directory_path() / ("gem-handover-test-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(db);
  Json started;
  {
    Fixture f(db.string());
    Inbox agent_in, r_in;
    auto agent = f.hub->connect_agent(anna(), agent_in.sender());
    f.hub->connect_resident(r_in.sender())->receive(start_frame().dump());
    started = r_in.last("started");
    f.hub->shutdown();
  }
  Fixture f(db.string());
  Inbox agent_in, r_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  BOOST_TEST(agent_in.last("queue")["items"][0]["conversation"] == started["conversation"]);
  auto r = f.hub->connect_resident(r_in.sender());
  r->receive(Json{{"type", "resume"}, {"conversation", started["conversation"]}, {"token", started["token"]}}.dump());
  BOOST_TEST(r_in.last("queued")["position"] == 1);
  std::filesystem::remove(db);
}

BOOST_AUTO_TEST_CASE(sweep_releases_a_vanished_agent_and_ends_an_abandoned_resident) {
  Fixture f;
  Inbox agent_in, r_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  auto r = f.hub->connect_resident(r_in.sender());
  r->receive(start_frame().dump());
  std::string id = r_in.last("started")["conversation"];
  agent->receive(Json{{"type", "accept"}, {"conversation", id}}.dump());
  agent->closed();
  f.hub->sweep();
  f.clock += std::chrono::seconds(30);
  f.hub->sweep();
  BOOST_TEST(r_in.count("agent_left") == 0);  // within the grace period a console reload keeps it
  f.clock += std::chrono::seconds(1);
  f.hub->sweep();
  BOOST_TEST(r_in.count("agent_left") == 1);
  r->closed();
  f.clock += std::chrono::seconds(121);
  f.hub->sweep();
  BOOST_TEST(!f.store->get("conv:" + id));
}

namespace {
struct RecordingVendor : VendorAdapter {
  std::vector<Json> events;
  void notify(const Json& event) override { events.push_back(event); }
};
}  // namespace

BOOST_AUTO_TEST_CASE(a_vendor_adapter_takes_the_agent_side) {
  Fixture f;
  auto vendor = std::make_shared<RecordingVendor>();
  f.hub->attach_vendor("GM0599", vendor);
  Inbox r_in;
  auto r = f.hub->connect_resident(r_in.sender());
  r->receive(start_frame().dump());
  std::string id = r_in.last("started")["conversation"];
  BOOST_TEST(vendor->events.at(0)["event"] == "queued");
  BOOST_TEST(vendor->events.at(0)["transcript"][0]["text"] == "Mijn paspoort is kwijt");
  BOOST_TEST(f.hub->vendor_event("GM0599", {{"event", "agent_joined"}, {"conversation", id}, {"name", "Sam"}}));
  BOOST_TEST(r_in.last("agent_joined")["name"] == "Sam");
  r->receive(R"({"type":"message","text":"Hoi Sam"})");
  BOOST_TEST(vendor->events.back()["event"] == "message");
  BOOST_TEST(vendor->events.back()["text"] == "Hoi Sam");
  BOOST_TEST(f.hub->vendor_event("GM0599", {{"event", "message"}, {"conversation", id}, {"text", "Hoi!"}}));
  BOOST_TEST(r_in.last("message")["text"] == "Hoi!");
  BOOST_TEST(!f.hub->vendor_event("GM0363", {{"event", "ended"}, {"conversation", id}}));
  BOOST_TEST(f.hub->vendor_event("GM0599", {{"event", "ended"}, {"conversation", id}}));
  BOOST_TEST(r_in.last("ended")["reason"] == "agent_ended");
  BOOST_TEST(vendor->events.back()["event"] == "ended");
}

BOOST_AUTO_TEST_CASE(an_ended_conversation_leaves_no_text_in_the_database_file) {
  auto db = std::filesystem::temp_directory_path() / ("gem-handover-erase-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(db);
  const std::string marker = "Zeer persoonlijk verhaal 7f3a";
  {
    Fixture f(db.string());
    Inbox agent_in, r_in;
    auto agent = f.hub->connect_agent(anna(), agent_in.sender());
    auto r = f.hub->connect_resident(r_in.sender());
    Json frame = start_frame();
    frame["transcript"][0]["text"] = marker;
    r->receive(frame.dump());
    std::string id = r_in.last("started")["conversation"];
    agent->receive(Json{{"type", "accept"}, {"conversation", id}}.dump());
    // Enough text to fill pages that are freed at the end; secure_delete (the store's pragma, and
    // Debian's SQLite default) zeroes them, and finish() must have deleted every key.
    for (int i = 0; i < 40; ++i) r->receive(Json{{"type", "message"}, {"text", marker + std::string(1500, 'x')}}.dump());
    agent->receive(Json{{"type", "end"}, {"conversation", id}}.dump());
  }
  gem::storage::Database(db).exec("PRAGMA wal_checkpoint(TRUNCATE)");
  std::ifstream in(db, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(bytes.size() > 0u);
  BOOST_TEST(bytes.find(marker) == std::string::npos);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
}

namespace {

HubOptions with(const std::function<void(HubOptions&)>& set) {
  HubOptions options;
  set(options);
  return options;
}

std::string accept_frame(const std::string& id) { return Json{{"type", "accept"}, {"conversation", id}}.dump(); }

// What the store says about conversation `id`: "queued", "with_agent:<agent>" or "gone", and
// whether that is consistent (queued exactly once and owned by nobody, or owned by exactly its agent).
std::string where(Store& store, const std::string& id, const std::vector<std::string>& agents) {
  auto record = store.get(gem::handover::keys::conversation(id));
  auto queue = store.range(gem::handover::keys::queue("GM0599"));
  auto in_queue = std::count(queue.begin(), queue.end(), id);
  int owners = 0;
  for (const auto& a : agents) owners += static_cast<int>(store.hash_all(gem::handover::keys::agent_conversations(a)).count(id));
  if (!record) return in_queue || owners ? "orphaned" : "gone";
  Json c = Json::parse(*record);
  if (c["state"] == "queued") return in_queue == 1 && owners == 0 ? "queued" : "inconsistent queued";
  return in_queue == 0 && owners == 1 && store.hash_all(gem::handover::keys::agent_conversations(c["agent"].get<std::string>())).count(id)
             ? "with_agent:" + c["agent"].get<std::string>()
             : "inconsistent with_agent";
}

// A slow store, so a load → change → save that is not atomic loses against a concurrent one,
// reliably: reads take 2 ms, single writes 20 ms. Atomic updates (Store::update) read as slowly.
class SlowStore final : public Store {
 public:
  explicit SlowStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}
  static void pause() { std::this_thread::sleep_for(std::chrono::milliseconds(2)); }
  static void long_pause() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

  std::optional<std::string> get(const std::string& key) override { return pause(), inner_->get(key); }
  void set(const std::string& key, const std::string& value) override { long_pause(), inner_->set(key, value); }
  void del(const std::string& key) override { inner_->del(key); }
  std::int64_t incr(const std::string& key) override { return inner_->incr(key); }
  void push_back(const std::string& list, const std::string& value) override { inner_->push_back(list, value); }
  void push_front(const std::string& list, const std::string& value) override { inner_->push_front(list, value); }
  std::int64_t remove(const std::string& list, const std::string& value) override { return long_pause(), inner_->remove(list, value); }
  std::vector<std::string> range(const std::string& list) override { return pause(), inner_->range(list); }
  void hash_set(const std::string& hash, const std::string& field, const std::string& value) override { inner_->hash_set(hash, field, value); }
  void hash_del(const std::string& hash, const std::string& field) override { inner_->hash_del(hash, field); }
  std::map<std::string, std::string> hash_all(const std::string& hash) override { return pause(), inner_->hash_all(hash); }
  bool update(const std::vector<std::string>& watched, const std::function<bool(Transaction&)>& decide) override {
    return inner_->update(watched, [&](Transaction& tx) {
      struct Slow final : Transaction {
        Transaction& tx;
        explicit Slow(Transaction& t) : tx(t) {}
        std::optional<std::string> get(const std::string& key) override { return pause(), tx.get(key); }
        std::vector<std::string> range(const std::string& list) override { return pause(), tx.range(list); }
        std::map<std::string, std::string> hash_all(const std::string& hash) override { return pause(), tx.hash_all(hash); }
      } slow(tx);
      bool decided = decide(slow);
      for (const auto& w : slow.writes()) {
        switch (w.kind) {
          case Transaction::Write::set: tx.set(w.key, w.field_or_value); break;
          case Transaction::Write::del: tx.del(w.key); break;
          case Transaction::Write::push_back: tx.push_back(w.key, w.field_or_value); break;
          case Transaction::Write::push_front: tx.push_front(w.key, w.field_or_value); break;
          case Transaction::Write::remove: tx.remove(w.key, w.field_or_value); break;
          case Transaction::Write::hash_set: tx.hash_set(w.key, w.field_or_value, w.value); break;
          case Transaction::Write::hash_del: tx.hash_del(w.key, w.field_or_value); break;
        }
      }
      return decided;
    });
  }

 private:
  std::unique_ptr<Store> inner_;
};

}  // namespace

namespace {
// A resident who sent `start`: what it received, its socket, and the conversation ("" when refused).
struct Resident {
  Inbox in;
  std::shared_ptr<Hub::Peer> peer;
  std::string id;
  void say(const std::string& frame) {
    peer->receive(frame);
    if (id.empty() && in.count("started")) id = in.last("started")["conversation"];
  }
};
std::unique_ptr<Resident> started(Fixture& f, const std::string& address = {}) {
  auto r = std::make_unique<Resident>();
  r->peer = f.hub->connect_resident(r->in.sender(), nullptr, address);
  r->say(start_frame().dump());
  return r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_resident_leaving_while_an_agent_accepts_never_loses_the_accept) {
  Fixture f(std::make_unique<SlowStore>(make_sqlite_store(":memory:")), {});
  Inbox agent_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  for (int round = 0; round < 10; ++round) {
    auto r = started(f);
    std::thread leaving([&] { r->peer->closed(); });
    std::thread accepting([&] { agent->receive(accept_frame(r->id)); });
    leaving.join();
    accepting.join();
    BOOST_TEST_INFO("round " << round);
    BOOST_TEST(where(*f.store, r->id, {"anna"}) == "with_agent:anna");
    // The resident is detached (the sweeper will end it later), not lost.
    BOOST_TEST(Json::parse(f.store->get("conv:" + r->id).value())["detached_at"] != 0);
    agent->receive(Json{{"type", "end"}, {"conversation", r->id}}.dump());
    BOOST_TEST(where(*f.store, r->id, {"anna"}) == "gone");
  }
}

BOOST_AUTO_TEST_CASE(a_full_queue_answers_busy_with_the_alternatives) {
  Fixture f(":memory:", with([](HubOptions& o) { o.max_queue = 2; }));
  Inbox agent_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  auto first = started(f, "192.0.2.1"), second = started(f, "192.0.2.2"), third = started(f, "192.0.2.3");
  BOOST_TEST(second->in.last("queued")["position"] == 2);
  BOOST_TEST(third->id.empty());
  BOOST_TEST(third->in.last("ended")["reason"] == "busy");
  BOOST_TEST(third->in.last("ended")["alternatives"]["phone"] == "14 010");
  BOOST_TEST(f.hub->availability("GM0599")->at("queue_length") == 2);
  // Room again once someone is taken.
  agent->receive(accept_frame(first->id));
  third->say(start_frame().dump());
  BOOST_TEST(!third->id.empty());
}

BOOST_AUTO_TEST_CASE(one_address_holds_only_a_few_live_conversations) {
  Fixture f(":memory:", with([](HubOptions& o) { o.max_conversations_per_address = 2; }));
  Inbox agent_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  auto first = started(f, "198.51.100.7"), second = started(f, "198.51.100.7"), third = started(f, "198.51.100.7");
  BOOST_TEST(third->in.last("ended")["reason"] == "busy");
  BOOST_TEST(third->id.empty());
  // Another address is not affected; an ended conversation frees a place.
  auto other = started(f, "198.51.100.8");
  BOOST_TEST(!other->id.empty());
  first->say(R"({"type":"cancel"})");
  third->say(start_frame().dump());
  BOOST_TEST(!third->id.empty());
}

BOOST_AUTO_TEST_CASE(abandoned_conversations_no_agent_has_seen_go_sooner) {
  Fixture f;
  Inbox agent_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  auto seen = started(f), unseen = started(f);
  agent->receive(accept_frame(seen->id));
  agent->receive(Json{{"type", "release"}, {"conversation", seen->id}}.dump());  // seen, then back in the queue
  seen->peer->closed();
  unseen->peer->closed();
  f.clock += std::chrono::seconds(31);
  f.hub->sweep();
  BOOST_TEST(where(*f.store, unseen->id, {"anna"}) == "gone");
  BOOST_TEST(where(*f.store, seen->id, {"anna"}) == "queued");
  f.clock += std::chrono::seconds(90);
  f.hub->sweep();
  BOOST_TEST(where(*f.store, seen->id, {"anna"}) == "gone");
}

BOOST_AUTO_TEST_CASE(a_conversation_holds_a_bounded_number_of_messages_and_bytes) {
  Fixture f(":memory:", with([](HubOptions& o) {
    o.max_messages = 5;
    o.max_conversation_bytes = 3000;
  }));
  Inbox agent_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  auto r = started(f);
  agent->receive(accept_frame(r->id));
  r->say(Json{{"type", "message"}, {"text", std::string(1500, 'a')}}.dump());
  r->say(Json{{"type", "message"}, {"text", std::string(1500, 'b')}}.dump());
  BOOST_TEST(r->in.count("error") == 0);
  r->say(Json{{"type", "message"}, {"text", "c"}}.dump());  // 3001 bytes
  BOOST_TEST(r->in.last("error")["error"] == "too_large");
  BOOST_TEST(f.store->range("conv:" + r->id + ":msgs").size() == 2u);
  // The message cap, in a fresh conversation: 5 messages from either side, not 6.
  auto other = started(f);
  agent->receive(accept_frame(other->id));
  for (int i = 0; i < 5; ++i) agent->receive(Json{{"type", "message"}, {"conversation", other->id}, {"text", "m"}}.dump());
  BOOST_TEST(agent_in.count("error") == 0);
  agent->receive(Json{{"type", "message"}, {"conversation", other->id}, {"text", "one too many"}}.dump());
  BOOST_TEST(agent_in.last("error")["error"] == "too_large");
  BOOST_TEST(other->in.count("message") == 5u);
}

BOOST_AUTO_TEST_CASE(each_message_is_one_row_and_the_sweeper_checkpoints) {
  auto db = std::filesystem::temp_directory_path() / ("gem-handover-rows-" + std::to_string(::getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
  const std::string marker = "Rij per bericht 91c2";
  {
    Fixture f(db.string());
    Inbox agent_in;
    auto agent = f.hub->connect_agent(anna(), agent_in.sender());
    auto r = started(f);
    agent->receive(accept_frame(r->id));
    for (int i = 0; i < 7; ++i) r->say(Json{{"type", "message"}, {"text", marker + std::string(1500, 'x')}}.dump());
    {
      gem::storage::Database reader(db);
      auto rows = reader.prepare("SELECT COUNT(*) FROM handover_lists WHERE key = ?1");
      rows.bind(1, "conv:" + r->id + ":msgs").step();
      BOOST_TEST(rows.integer(0) == 7);
    }
    agent->receive(Json{{"type", "end"}, {"conversation", r->id}}.dump());
    // Ending does not checkpoint on the caller's (network) thread; the sweep does.
    BOOST_TEST(std::filesystem::file_size(db.string() + "-wal") > 0u);
    f.hub->sweep();
    BOOST_TEST(std::filesystem::file_size(db.string() + "-wal") == 0u);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
}

BOOST_AUTO_TEST_CASE(finishing_leaves_no_agent_gone_key) {
  Fixture f;
  Inbox agent_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  auto r = started(f);
  agent->receive(accept_frame(r->id));
  agent->closed();
  f.hub->sweep();
  BOOST_TEST(f.store->get("conv:" + r->id + ":agent_gone").has_value());
  r->say(R"({"type":"end"})");
  BOOST_TEST(!f.store->get("conv:" + r->id));
  BOOST_TEST(!f.store->get("conv:" + r->id + ":agent_gone"));
}

BOOST_AUTO_TEST_CASE(a_restarted_instance_withdraws_what_its_killed_predecessor_left) {
  Fixture f(":memory:", with([](HubOptions& o) { o.instance = "a1b2c3d4e5f60718"; }));
  Inbox agent_in;
  auto agent = f.hub->connect_agent(anna(), agent_in.sender());
  auto r = started(f);
  BOOST_TEST(f.hub->availability("GM0599")->at("agents_available") == 1);
  // kill -9: no shutdown, no closed(); the same instance starts again on the same store.
  auto restarted = f.make();
  BOOST_TEST(restarted->availability("GM0599")->at("agents_available") == 0);
  // The resident's socket died with it: gone since the restart, ended by the sweep in time.
  BOOST_TEST(Json::parse(f.store->get("conv:" + r->id).value())["detached_at"] != 0);
  f.clock += std::chrono::seconds(31);
  restarted->sweep();
  BOOST_TEST(!f.store->get("conv:" + r->id));
}

BOOST_AUTO_TEST_CASE(an_upgrade_keeps_the_queue_stored_by_the_previous_format) {
  auto db = std::filesystem::temp_directory_path() / ("gem-handover-upgrade-" + std::to_string(::getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
  {
    gem::storage::Database old(db);
    old.exec("CREATE TABLE handover_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    old.exec(R"(INSERT INTO handover_state VALUES ('queue:GM0599', '["c1","c2"]'), ('conversations', '{"c1":"GM0599"}'), ('handling:GM0599', '"120.0"'))");
  }
  auto store = make_sqlite_store(db.string());
  BOOST_TEST(store->range("queue:GM0599") == (std::vector<std::string>{"c1", "c2"}));
  BOOST_TEST(store->hash_all("conversations").at("c1") == "GM0599");
  BOOST_TEST(store->get("handling:GM0599").value() == "120.0");
  store.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
}
