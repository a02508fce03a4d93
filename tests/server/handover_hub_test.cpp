// The handover hub's state machine with real stores (SQLite, in-process bus): no sockets needed.
#define BOOST_TEST_MODULE handover_hub
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>

#include "handover/adapter.h"
#include "handover/hub.h"
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
  std::shared_ptr<Hub> hub;

  explicit Fixture(const std::string& db = ":memory:") : store(make_sqlite_store(db)) { hub = make(); }

  std::shared_ptr<Hub> make() {
    HubOptions options;
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
