// Staff accounts (agents, editors and admins) and their sign-in sessions, in the server's SQLite store.
// Passwords: libsodium Argon2id (crypto_pwhash_str). Sessions: a random token in the HttpOnly
// `gem_session` cookie (only its hash is stored), a CSRF token for state-changing requests, and
// server-side expiry.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/http.h"
#include "storage/sqlite.h"

namespace gem::auth {

// Roles: an agent takes handover conversations; an editor works through the shared samples (#19);
// both read the figures of their municipalities. An admin may do all of it, for every municipality.
// Accounts made before editors existed keep their role ("agent" or "admin") and what it allowed.
struct Account {
  std::string username, display_name;
  std::string role;                         // "agent" | "editor" | "admin"
  std::vector<std::string> municipalities;  // GM codes this account works for

  bool handles_conversations() const { return role == "agent" || role == "admin"; }
  bool edits_samples() const { return role == "editor" || role == "admin"; }
  bool works_for(const std::string& gm) const;
};

// Staff endpoints are used only by the server's own pages: any other Origin is refused (403
// forbidden_origin as http::HttpError), so a municipality's website (allowed for the resident API)
// cannot act for a member of staff.
void require_own_origin(const http::Request& request);

struct Session {
  Account account;
  std::string csrf;
};

// The accounts and sessions database inside the server's data directory.
inline std::filesystem::path database_file(const std::filesystem::path& data_dir) { return data_dir / "accounts.sqlite"; }

using Clock = std::function<std::chrono::system_clock::time_point()>;

class Store {
 public:
  explicit Store(const std::filesystem::path& database,
                 Clock now = [] { return std::chrono::system_clock::now(); },
                 std::chrono::seconds session_lifetime = std::chrono::hours(8));

  // Throws std::invalid_argument on a bad name, role, municipality or a password under 12 characters.
  void add_account(const Account& account, const std::string& password);
  // The account when the password is right; takes as long when the user does not exist.
  std::optional<Account> verify(const std::string& username, const std::string& password);

  struct NewSession {
    std::string token, csrf;
  };
  NewSession create_session(const Account& account);
  // The signed-in session of this request (cookie `gem_session`), if any and not expired.
  std::optional<Session> current(const http::Request& request);
  // The session for a state-changing request: 401 without one, 403 `csrf` without a matching
  // X-CSRF-Token header (thrown as http::HttpError).
  Session require(const http::Request& request, bool state_changing);
  void end_session(const http::Request& request);

  std::chrono::seconds session_lifetime() const { return lifetime_; }

 private:
  std::optional<Account> account(const std::string& username);

  std::mutex mutex_;
  storage::Database db_;
  Clock now_;
  std::chrono::seconds lifetime_;
};

// Failed sign-ins per client IP and per username: after `limit` failures in `window` the key is
// refused until the window has passed.
class LoginLimiter {
 public:
  explicit LoginLimiter(int limit = 5, std::chrono::seconds window = std::chrono::minutes(15),
                        Clock now = [] { return std::chrono::system_clock::now(); });
  // Seconds to wait, or 0 when the key may try.
  int retry_after(const std::string& key);
  void failed(const std::string& key);
  void succeeded(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    std::chrono::system_clock::time_point since;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  int limit_;
  std::chrono::seconds window_;
  Clock now_;
};

// `gem-server --config FILE add-account NAME --role agent|editor|admin --municipality GM0599
// [--municipality …] [--display-name "Anna"]`; the password comes from GEM_ACCOUNT_PASSWORD or
// the first line of `input`. Returns the exit code; messages go to `out`/`err`.
int add_account_command(const std::filesystem::path& database, const std::vector<std::string>& args,
                        std::istream& input, std::ostream& out, std::ostream& err);

}  // namespace gem::auth
