// Roles on staff accounts (#19): agent, editor, admin; accounts from before the roles keep working.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <sstream>

#include <unistd.h>

#include "auth/auth.h"
#include "samples/samples.h"
#include "storage/sqlite.h"

using namespace gem;

namespace {

struct TempDb {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("gem-roles-test-" + std::to_string(::getpid()) + "-" + samples::new_id() + ".sqlite");
  ~TempDb() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(roles)

BOOST_AUTO_TEST_CASE(what_each_role_may_do) {
  auth::Account agent{"kcc", "KCC", "agent", {"GM0599"}}, editor{"red", "Red", "editor", {"GM0599"}},
      admin{"beheer", "Beheer", "admin", {"GM0344"}};
  BOOST_TEST(agent.handles_conversations());
  BOOST_TEST(!agent.edits_samples());
  BOOST_TEST(!editor.handles_conversations());
  BOOST_TEST(editor.edits_samples());
  BOOST_TEST(admin.handles_conversations());
  BOOST_TEST(admin.edits_samples());
  BOOST_TEST(editor.works_for("GM0599"));
  BOOST_TEST(!editor.works_for("GM0855"));
  BOOST_TEST(admin.works_for("GM0855"), "an admin works for every municipality");
}

BOOST_AUTO_TEST_CASE(the_account_command_takes_the_role) {
  TempDb db;
  ::unsetenv("GEM_ACCOUNT_PASSWORD");
  std::ostringstream out, err;
  std::istringstream in("a long enough password\n");
  BOOST_TEST(auth::add_account_command(db.path, {"red", "--role", "editor", "--municipality", "GM0599"}, in, out, err) == 0);
  BOOST_TEST(auth::Store(db.path).verify("red", "a long enough password")->role == "editor");
  std::istringstream again("a long enough password\n");
  BOOST_TEST(auth::add_account_command(db.path, {"xavier", "--role", "owner", "--municipality", "GM0599"}, again, out, err) == 2);
  BOOST_TEST(err.str().find("agent, editor or admin") != std::string::npos);
  BOOST_TEST(err.str().find("--role agent|editor|admin") != std::string::npos);
}

// An accounts file written before roles existed (the same table) keeps its agents and admins as they were.
BOOST_AUTO_TEST_CASE(existing_accounts_keep_their_role) {
  TempDb db;
  {
    auth::Store store(db.path);
    store.add_account({"anna", "Anna", "agent", {"GM0599"}}, "correct horse battery");
  }
  {
    storage::Database raw(db.path);
    auto q = raw.prepare("SELECT role FROM accounts WHERE username = 'anna'");
    BOOST_TEST_REQUIRE(q.step());
    BOOST_TEST(q.text(0) == "agent");
  }
  auth::Store reopened(db.path);
  auto anna = reopened.verify("anna", "correct horse battery");
  BOOST_TEST_REQUIRE(anna.has_value());
  BOOST_TEST(anna->handles_conversations());
  BOOST_TEST(!anna->edits_samples());
}

BOOST_AUTO_TEST_SUITE_END()
