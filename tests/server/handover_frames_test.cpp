// The handover frames module: every frame of docs/protocol.md parses into its typed message, and
// every malformed frame into a FrameError with the protocol's error code.
#include <boost/test/unit_test.hpp>

#include "handover/frames.h"

using namespace gem::handover;

namespace {

std::string error_of(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const FrameError& e) {
    return e.error;
  }
  return "no error";
}

std::string resident_error(const std::string& text) {
  return error_of([&] { resident::parse(text, FrameLimits{}); });
}
std::string agent_error(const std::string& text) {
  return error_of([&] { agent::parse(text, FrameLimits{}); });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(handover_frames)

BOOST_AUTO_TEST_CASE(resident_frames_become_typed_messages) {
  auto start = resident::parse(R"({"type":"start","municipality":"GM0599","lang":"en","consent":true,
    "transcript":[{"role":"resident","text":"Lost my passport","extra":1}],"topic":{"product":"paspoort"}})", {});
  auto& s = std::get<resident::Start>(start);
  BOOST_TEST(s.municipality == "GM0599");
  BOOST_TEST(s.lang == "en");
  BOOST_TEST(s.consent);
  BOOST_TEST(s.transcript.dump() == R"([{"role":"resident","text":"Lost my passport"}])");  // unknown fields dropped
  BOOST_TEST(s.topic.dump() == R"({"aspect":null,"product":"paspoort"})");
  BOOST_TEST(std::get<resident::Start>(resident::parse(R"({"type":"start","municipality":"GM0599","consent":false})", {})).lang == "nl");

  auto resume = std::get<resident::Resume>(resident::parse(R"({"type":"resume","conversation":"c1","token":"t1"})", {}));
  BOOST_TEST(resume.conversation == "c1");
  BOOST_TEST(resume.token == "t1");
  BOOST_TEST(std::get<resident::Message>(resident::parse(R"({"type":"message","text":"Hallo"})", {})).text == "Hallo");
  BOOST_TEST(std::holds_alternative<resident::Typing>(resident::parse(R"({"type":"typing"})", {})));
  BOOST_TEST(std::holds_alternative<resident::Cancel>(resident::parse(R"({"type":"cancel"})", {})));
  BOOST_TEST(std::holds_alternative<resident::End>(resident::parse(R"({"type":"end"})", {})));
}

BOOST_AUTO_TEST_CASE(malformed_resident_frames_say_what_is_wrong) {
  BOOST_TEST(resident_error("{not json") == "invalid_request");
  BOOST_TEST(resident_error("[1]") == "invalid_request");
  BOOST_TEST(resident_error(R"({"type":7})") == "invalid_request");
  BOOST_TEST(resident_error(R"({"type":"dance"})") == "invalid_request");
  BOOST_TEST(resident_error(R"({"type":"message"})") == "invalid_request");
  BOOST_TEST(resident_error(R"({"type":"message","text":" \n"})") == "invalid_request");
  BOOST_TEST(resident_error(R"({"type":"message","text":")" + std::string(2001, 'x') + "\"}") == "too_large");
  BOOST_TEST(resident_error(R"({"type":"typing","pad":")" + std::string(5000, 'x') + "\"}") == "too_large");
  BOOST_TEST(resident_error(R"({"type":"start","municipality":"GM0599","lang":"de","consent":false})") == "invalid_request");
  BOOST_TEST(resident_error(R"({"type":"start","municipality":"GM0599"})") == "invalid_request");
  BOOST_TEST(resident_error(R"({"type":"start","municipality":"GM0599","consent":false,"transcript":[]})") == "invalid_request");
  BOOST_TEST(resident_error(R"({"type":"start","municipality":"GM0599","consent":true,"transcript":[{"role":"bot","text":"x"}]})") == "invalid_request");
  BOOST_TEST(resident_error(R"({"type":"start","municipality":"GM0599","consent":true,"topic":{"product":"<b>"}})") == "invalid_request");
  BOOST_TEST(resident_error(R"({"type":"start","municipality":"GM0599","consent":true,"topic":"paspoort"})") == "invalid_request");
  Json many{{"type", "start"}, {"municipality", "GM0599"}, {"consent", true}, {"transcript", Json::array()}};
  for (int i = 0; i < 51; ++i) many["transcript"].push_back({{"role", "assistant"}, {"text", "x"}});
  BOOST_TEST(resident_error(many.dump()) == "too_large");
  // `start` may be larger than other frames, up to its own limit.
  Json big{{"type", "start"}, {"municipality", "GM0599"}, {"consent", true}, {"transcript", Json::array()}};
  for (int i = 0; i < 20; ++i) big["transcript"].push_back({{"role", "resident"}, {"text", std::string(1000, 'a')}});
  BOOST_TEST(resident_error(big.dump()) == "no error");
  FrameLimits small;
  small.start_frame_bytes = 8 * 1024;
  BOOST_TEST(error_of([&] { resident::parse(big.dump(), small); }) == "too_large");
}

BOOST_AUTO_TEST_CASE(agent_frames_and_vendor_events) {
  BOOST_TEST(std::get<agent::Accept>(agent::parse(R"({"type":"accept","conversation":"c1"})", {})).conversation == "c1");
  auto message = std::get<agent::Message>(agent::parse(R"({"type":"message","conversation":"c1","text":"Hoi"})", {}));
  BOOST_TEST(message.text == "Hoi");
  BOOST_TEST(std::holds_alternative<agent::Release>(agent::parse(R"({"type":"release","conversation":"c1"})", {})));
  BOOST_TEST(agent_error(R"({"type":"accept"})") == "invalid_request");
  BOOST_TEST(agent_error(R"({"type":"start","conversation":"c1"})") == "invalid_request");
  BOOST_TEST(agent_error(R"({"type":"accept","conversation":"c1","pad":")" + std::string(5000, 'x') + "\"}") == "too_large");

  BOOST_TEST(std::holds_alternative<agent::Accept>(agent::parse_vendor_event({{"event", "agent_joined"}, {"conversation", "c1"}}, {})));
  BOOST_TEST(std::holds_alternative<agent::End>(agent::parse_vendor_event({{"event", "ended"}, {"conversation", "c1"}}, {})));
  BOOST_TEST(error_of([] { agent::parse_vendor_event({{"event", "message"}, {"conversation", "c1"}}, {}); }) == "invalid_request");
  BOOST_TEST(error_of([] { agent::parse_vendor_event({{"event", "accept"}, {"conversation", "c1"}}, {}); }) == "invalid_request");
  BOOST_TEST(error_of([] { agent::parse_vendor_event(Json::array(), {}); }) == "invalid_request");
}

BOOST_AUTO_TEST_SUITE_END()
