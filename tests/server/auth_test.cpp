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

BOOST_AUTO_TEST_CASE(a_new_password_signs_the_account_out) {
  TempDb db;
  auth::Store store(db.path);
  store.add_account(anna, "correct horse battery");
  auto session = store.create_session(anna);
  store.add_account(anna, "another long password");
  BOOST_TEST(!store.current(with_cookie(session.token)));
  BOOST_TEST(!store.verify("anna", "correct horse battery"));
}

BOOST_AUTO_TEST_CASE(the_login_limiter_blocks_after_five_failures_for_the_window) {
  auto now = std::chrono::system_clock::now();
  auth::LoginLimiter limiter(5, std::chrono::minutes(15), [&] { return now; });
  for (int i = 0; i < 4; ++i) limiter.failed("ip:1.2.3.4");
  BOOST_TEST(limiter.retry_after("ip:1.2.3.4") == 0);
  limiter.failed("ip:1.2.3.4");
  BOOST_TEST(limiter.retry_after("ip:1.2.3.4") == 15 * 60);
  BOOST_TEST(limiter.retry_after("ip:5.6.7.8") == 0);
  now += std::chrono::minutes(15);
  BOOST_TEST(limiter.retry_after("ip:1.2.3.4") == 0);
  limiter.failed("user:anna");
  limiter.succeeded("user:anna");
  BOOST_TEST(limiter.retry_after("user:anna") == 0);
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
