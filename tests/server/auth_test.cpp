// Staff accounts, sessions, CSRF and the sign-in limiter against a real SQLite file.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <sstream>

#include <unistd.h>

#include "auth/auth.h"
#include "storage/sqlite.h"

using namespace gem;

namespace {

struct TempDb {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("gem-auth-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".sqlite");
  static inline int counter = 0;
  ~TempDb() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  }
};

http::Request with_cookie(const std::string& token, const std::string& csrf = "") {
  http::Request r;
  r.headers["Cookie"] = "other=1; gem_session=" + token;
  if (!csrf.empty()) r.headers["X-CSRF-Token"] = csrf;
  return r;
}

const auth::Account anna{"anna", "Anna", "agent", {"GM0599"}};

// Records how it was closed; the WebSocket layer itself is tested in websocket_test.cpp.
struct RecordingSocket : http::WebSocketSession {
  void send(std::string) override {}
  void close(std::string reason, http::CloseCode code) override {
    closed_with = reason;
    this->code = code;
  }
  const http::Request& request() const override { return upgrade; }
  http::Request upgrade;
  std::string closed_with;
  http::CloseCode code = http::CloseCode::normal;
};

}  // namespace

BOOST_AUTO_TEST_CASE(passwords_are_stored_as_argon2id_and_verified) {
  TempDb db;
  auth::Store store(db.path);
  store.add_account(anna, "correct horse battery");
  BOOST_TEST(store.verify("anna", "correct horse battery").value().display_name == "Anna");
  BOOST_TEST(!store.verify("anna", "correct horse batterY"));
  BOOST_TEST(!store.verify("nobody", "correct horse battery"));
  storage::Database raw(db.path);
  auto row = raw.prepare("SELECT password_hash FROM accounts WHERE username = 'anna'");
  BOOST_REQUIRE(row.step());
  BOOST_TEST(row.text(0).rfind("$argon2id$", 0) == 0);
  BOOST_TEST(row.text(0).find("correct horse") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_accounts_are_refused_with_a_reason) {
  TempDb db;
  auth::Store store(db.path);
  BOOST_CHECK_THROW(store.add_account(anna, "short"), std::invalid_argument);
  BOOST_CHECK_THROW(store.add_account({"Anna Smit", "Anna", "agent", {"GM0599"}}, "long enough password"), std::invalid_argument);
  BOOST_CHECK_THROW(store.add_account({"anna", "Anna", "root", {"GM0599"}}, "long enough password"), std::invalid_argument);
  BOOST_CHECK_THROW(store.add_account({"anna", "Anna", "agent", {"Rotterdam"}}, "long enough password"), std::invalid_argument);
  BOOST_CHECK_THROW(store.add_account({"anna", "Anna", "agent", {}}, "long enough password"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(sessions_expire_on_the_server_and_need_csrf_to_change_state) {
  TempDb db;
  auto now = std::chrono::system_clock::now();
  auth::Store store(db.path, [&] { return now; }, std::chrono::hours(8));
  store.add_account(anna, "correct horse battery");
  auto session = store.create_session(anna);
  BOOST_TEST(session.token.size() == 64u);
  BOOST_TEST(store.current(with_cookie(session.token)).value().account.username == "anna");
  BOOST_TEST(!store.current(with_cookie(std::string(64, '0'))));
  BOOST_TEST(!store.current(http::Request{}));

  BOOST_TEST(store.require(with_cookie(session.token), false).account.username == "anna");
  auto status_of = [&](const http::Request& r, bool changing) {
    try {
      store.require(r, changing);
      return 200;
    } catch (const http::HttpError& e) {
      return e.status;
    }
  };
  BOOST_TEST(status_of(with_cookie(session.token), true) == 403);
  BOOST_TEST(status_of(with_cookie(session.token, std::string(64, 'f')), true) == 403);
  BOOST_TEST(status_of(with_cookie(session.token, session.csrf), true) == 200);
  BOOST_TEST(status_of(http::Request{}, false) == 401);

  // Only the token's hash is stored.
  storage::Database raw(db.path);
  auto row = raw.prepare("SELECT token_hash FROM sessions");
  BOOST_REQUIRE(row.step());
  BOOST_TEST(row.text(0) != session.token);

  now += std::chrono::hours(8);
  BOOST_TEST(!store.current(with_cookie(session.token)));

  now -= std::chrono::hours(8);
  auto second = store.create_session(anna);
  store.end_session(with_cookie(second.token));
  BOOST_TEST(!store.current(with_cookie(second.token)));
}

BOOST_AUTO_TEST_CASE(an_ended_session_closes_its_sockets) {
  TempDb db;
  auto now = std::chrono::system_clock::now();
  auth::Store store(db.path, [&] { return now; }, std::chrono::hours(8));
  store.add_account(anna, "correct horse battery");
  store.add_account({"bert", "Bert", "agent", {"GM0599"}}, "correct horse battery");
  auto watched = [&](const std::string& token) {
    auto socket = std::make_shared<RecordingSocket>();
    socket->upgrade = with_cookie(token);
    store.watch(socket->upgrade, socket);
    return socket;
  };
  // Expiry, on the fake clock: the next sweep closes the socket, not one before.
  auto expiring = watched(store.create_session(anna).token);
  now += std::chrono::hours(8) - std::chrono::seconds(1);
  store.sweep();
  BOOST_TEST(expiring->closed_with.empty());
  now += std::chrono::seconds(1);
  store.sweep();
  BOOST_TEST(expiring->closed_with == "session_ended");
  BOOST_TEST((expiring->code == http::CloseCode::policy_violation));
  // Sign-out closes that session's sockets at once, not another session's.
  auto one = store.create_session(anna), other = store.create_session(anna);
  auto first = watched(one.token), second = watched(other.token);
  store.end_session(with_cookie(one.token));
  BOOST_TEST(first->closed_with == "session_ended");
  BOOST_TEST(second->closed_with.empty());
  // A new password closes every socket of that account, nobody else's.
  auto berts = watched(store.create_session({"bert", "Bert", "agent", {"GM0599"}}).token);
  store.add_account(anna, "another long password");
  BOOST_TEST(second->closed_with == "session_ended");
  BOOST_TEST(berts->closed_with.empty());
  // A socket without a valid session is closed as it is watched.
  BOOST_TEST(watched(std::string(64, '0'))->closed_with == "session_ended");
}

BOOST_AUTO_TEST_CASE(a_new_password_signs_the_account_out) {
  TempDb db;
  auth::Store store(db.path);
  store.add_account(anna, "correct horse battery");
  auto session = store.create_session(anna);
  store.add_account(anna, "another long password");
  BOOST_TEST(!store.current(with_cookie(session.token)));
  BOOST_TEST(!store.verify("anna", "correct horse battery"));
}

BOOST_AUTO_TEST_CASE(the_login_limiter_delays_a_pair_more_and_more_but_never_a_clean_address) {
  auto now = std::chrono::system_clock::now();
  auth::LoginLimiter limiter({}, [&] { return now; });
  // Three free failures, then 1, 2, 4, … seconds after each further one.
  for (int i = 0; i < 3; ++i) limiter.failed("anna", "198.51.100.1");
  BOOST_TEST(limiter.retry_after("anna", "198.51.100.1") == 0);
  limiter.failed("anna", "198.51.100.1");
  BOOST_TEST(limiter.retry_after("anna", "198.51.100.1") == 1);
  limiter.failed("anna", "198.51.100.1");
  BOOST_TEST(limiter.retry_after("anna", "198.51.100.1") == 2);
  limiter.failed("anna", "198.51.100.1");
  BOOST_TEST(limiter.retry_after("anna", "198.51.100.1") == 4);
  now += std::chrono::seconds(4);
  BOOST_TEST(limiter.retry_after("anna", "198.51.100.1") == 0);
  // Failures from many other addresses do not lock anna out of a clean one.
  for (int a = 2; a < 50; ++a)
    for (int i = 0; i < 6; ++i) limiter.failed("anna", "198.51.100." + std::to_string(a));
  BOOST_TEST(limiter.retry_after("anna", "203.0.113.9") == 0);
  BOOST_TEST(limiter.retry_after("anna", "198.51.100.7") > 0);
  // One address trying many names is refused for the window.
  for (int i = 0; i < 30; ++i) limiter.failed("user" + std::to_string(i), "192.0.2.1");
  BOOST_TEST(limiter.retry_after("bob", "192.0.2.1") == 15 * 60);
  now += std::chrono::minutes(15);
  BOOST_TEST(limiter.retry_after("bob", "192.0.2.1") == 0);
  limiter.failed("anna", "203.0.113.9");
  limiter.succeeded("anna", "203.0.113.9");
  BOOST_TEST(limiter.retry_after("anna", "203.0.113.9") == 0);
}

BOOST_AUTO_TEST_CASE(add_account_command_reads_the_password_from_stdin) {
  TempDb db;
  ::unsetenv("GEM_ACCOUNT_PASSWORD");
  std::istringstream in("a long enough password\n");
  std::ostringstream out, err;
  int rc = auth::add_account_command(db.path, {"bert", "--role", "admin", "--municipality", "GM0599", "--municipality", "GM0344",
                                               "--display-name", "Bert B."}, in, out, err);
  BOOST_TEST(rc == 0);
  auto account = auth::Store(db.path).verify("bert", "a long enough password");
  BOOST_REQUIRE(account);
  BOOST_TEST(account->role == "admin");
  BOOST_TEST(account->display_name == "Bert B.");
  BOOST_TEST(account->municipalities.size() == 2u);

  std::istringstream weak("weak\n");
  BOOST_TEST(auth::add_account_command(db.path, {"carla", "--role", "agent", "--municipality", "GM0599"}, weak, out, err) == 2);
  BOOST_TEST(err.str().find("at least 12 characters") != std::string::npos);
  BOOST_TEST(auth::add_account_command(db.path, {"--role"}, in, out, err) == 2);
}
