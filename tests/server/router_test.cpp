// The router: literal and {param} segments, methods, 405 versus 404; request helpers.
#include <boost/test/unit_test.hpp>

#include "http/http.h"

using namespace gem::http;

BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(matches_params_and_methods) {
  Router r;
  r.get("/v1/live/{gm}/waste", [](const Request&) { return Response::empty(200); });
  r.post("/v1/events", [](const Request&) { return Response::empty(204); });
  auto m = r.match("GET", "/v1/live/GM0599/waste");
  BOOST_REQUIRE(m.handler);
  BOOST_TEST(m.params.at("gm") == "GM0599");
  BOOST_TEST((*m.handler)(Request{}).status == 200);
  BOOST_TEST(r.match("HEAD", "/v1/live/GM0599/waste").handler != nullptr);

  BOOST_TEST(m.route == "/v1/live/{gm}/waste");

  auto wrong_method = r.match("GET", "/v1/events");
  BOOST_TEST(!wrong_method.found());
  BOOST_TEST(wrong_method.path_known());
  BOOST_TEST(wrong_method.allow == "POST");  // for the Allow header of the 405
  BOOST_TEST(r.match("DELETE", "/v1/live/GM0599/waste").allow == "GET, HEAD");

  BOOST_TEST(!r.match("GET", "/v1/live/GM0599/waste/extra").path_known());
  BOOST_TEST(!r.match("GET", "/v1/live//waste").path_known());
  BOOST_TEST(!r.match("GET", "/v1/live/GM0599").path_known());
}

BOOST_AUTO_TEST_CASE(address_blocks_for_limits) {
  BOOST_TEST(address_block("203.0.113.7") == "203.0.113.7");
  // One IPv6 subscriber network (/64) is one client; a neighbouring /64 is another.
  BOOST_TEST(address_block("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64");
  BOOST_TEST(address_block("2001:db8:1:2:ffff:1:2:3") == "2001:db8:1:2::/64");
  BOOST_TEST(address_block("2001:db8:1:3::1") == "2001:db8:1:3::/64");
  BOOST_TEST(address_block("::ffff:198.51.100.4") == "198.51.100.4");
}

BOOST_AUTO_TEST_CASE(websocket_routes_are_separate) {
  Router r;
  r.websocket("/v1/handover", [](std::shared_ptr<WebSocketSession>) {}, 1234);
  auto m = r.match_websocket("/v1/handover");
  BOOST_REQUIRE(m.route);
  BOOST_TEST(m.route->max_frame_bytes == 1234u);
  BOOST_TEST(!r.match_websocket("/v1/handover/x").route);
  BOOST_TEST(!r.match("GET", "/v1/handover").path_known());
}

BOOST_AUTO_TEST_CASE(request_helpers) {
  Request q;
  q.query_string = "postcode=3011+AB&house_number=5%41&empty=&flag";
  q.headers["cookie"] = "a=1; gem_session=abc; b=2";
  q.headers["ORIGIN"] = "https://www.rotterdam.nl";
  BOOST_TEST(*q.query("postcode") == "3011 AB");
  BOOST_TEST(*q.query("house_number") == "5A");
  BOOST_TEST(*q.query("empty") == "");
  BOOST_TEST(*q.query("flag") == "");
  BOOST_TEST(!q.query("missing"));
  BOOST_TEST(*q.cookie("gem_session") == "abc");
  BOOST_TEST(!q.cookie("gem"));
  BOOST_TEST(*q.origin() == "https://www.rotterdam.nl");

  q.query_string = "x=%4";
  BOOST_CHECK_THROW(q.query("x"), HttpError);
  BOOST_TEST(!percent_decode("a%00b", false));
  BOOST_TEST(*percent_decode("%2e%2E/x", false) == "../x");
}

BOOST_AUTO_TEST_CASE(json_body_errors_are_400) {
  Request q;
  q.body = "{\"a\":";
  try {
    q.json_body();
    BOOST_FAIL("no error");
  } catch (const HttpError& e) {
    BOOST_TEST(e.status == 400);
    BOOST_TEST(e.code == "invalid_request");
  }
  q.body = "[1]";
  BOOST_CHECK_THROW(q.json_body(), HttpError);
  q.body = "{\"a\":1}";
  BOOST_TEST(q.json_body()["a"] == 1);
}

BOOST_AUTO_TEST_CASE(error_response_shape) {
  auto r = Response::error(400, "invalid_request", "expected a postcode", "postcode");
  auto body = nlohmann::json::parse(r.body);
  BOOST_TEST(body["error"] == "invalid_request");
  BOOST_TEST(body["field"] == "postcode");
  BOOST_TEST(body["reason"] == "expected a postcode");
  BOOST_TEST(r.headers.at("content-type") == "application/json; charset=utf-8");
}

BOOST_AUTO_TEST_SUITE_END()
