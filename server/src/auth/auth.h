// Staff accounts (agents, editors and admins) and their sign-in sessions, in the server's SQLite store.
// Passwords: libsodium Argon2id (crypto_pwhash_str). Sessions: a random token in the HttpOnly
// `gem_session` cookie (only its hash is stored), a CSRF token for state-changing requests, and
// server-side expiry.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
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

// Where sign-in sessions live: this instance's accounts file, or (with GEM_REDIS_URL, see
// shared_sessions.h) a store every instance shares, so /agent works behind a load balancer without
// sticky routing. Keyed by the token's hash; `expires` in Unix seconds.
struct SessionRow {
  std::string username, csrf;
  std::int64_t expires = 0;
};
class SessionTable {
 public:
  virtual ~SessionTable() = default;
  virtual void put(const std::string& token_hash, const SessionRow& row) = 0;
  virtual std::optional<SessionRow> get(const std::string& token_hash) = 0;
  virtual void erase(const std::string& token_hash) = 0;
  virtual void erase_user(const std::string& username) = 0;
  virtual void erase_expired(std::int64_t now) = 0;
};

class Store {
 public:
  // `sessions`: null keeps them in `database` beside the accounts.
  explicit Store(const std::filesystem::path& database,
                 Clock now = [] { return std::chrono::system_clock::now(); },
                 std::chrono::seconds session_lifetime = std::chrono::hours(8),
                 std::unique_ptr<SessionTable> sessions = nullptr);
  ~Store();

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
  // Signs out: the session and every socket watched under it end now.
  void end_session(const http::Request& request);

  // A socket (the agent console) opened under the request's session: it is closed with 1008
  // "session_ended" when that session ends — sign-out and a new password at once, expiry (or an
  // end on another instance) at the next sweep().
  void watch(const http::Request& request, const std::shared_ptr<http::WebSocketSession>& socket);
  void sweep();

  std::chrono::seconds session_lifetime() const { return lifetime_; }

 private:
  std::optional<Account> account(const std::string& username);
  bool session_valid(const std::string& token_hash);
  // Closes watched sockets that `ended` says yes to (by token hash and user name).
  void close_watched(const std::function<bool(const std::string& token_hash, const std::string& username)>& ended);

  struct Watched {
    std::string token_hash, username;
    std::weak_ptr<http::WebSocketSession> socket;
  };
  std::mutex watch_mutex_;
  std::vector<Watched> watched_;

  std::mutex mutex_;  // guards db_
  storage::Database db_;
  Clock now_;
  std::chrono::seconds lifetime_;
  std::unique_ptr<SessionTable> sessions_;
};

// Failed sign-ins, per (user name, address) with growing delays and per address over all names.
// Nothing is counted per user name alone: failures from other addresses never lock a member of
// staff out of a clean address.
struct LoginLimits {
  int free_failures = 3;                    // per pair, before delays start
  std::chrono::seconds first_delay{1};      // then doubling per failure…
  std::chrono::seconds max_delay{15 * 60};  // …up to this
  int address_failures = 30;                // per address, all names, within `window`
  std::chrono::seconds window{15 * 60};
};
class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimits limits = LoginLimits(), Clock now = [] { return std::chrono::system_clock::now(); });
  // Seconds to wait, or 0 when this address may try this name now. `address`: http::address_block.
  int retry_after(const std::string& username, const std::string& address);
  void failed(const std::string& username, const std::string& address);
  void succeeded(const std::string& username, const std::string& address);

 private:
  struct Entry {
    int failures = 0;
    std::chrono::system_clock::time_point first, last;
  };
  int wait(const std::string& key, int free, bool doubling);
  void count(const std::string& key);

  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  LoginLimits options_;
  Clock now_;
};

// `gem-server --config FILE add-account NAME --role agent|editor|admin --municipality GM0599
// [--municipality …] [--display-name "Anna"]`; the password comes from GEM_ACCOUNT_PASSWORD or
// the first line of `input`. Returns the exit code; messages go to `out`/`err`.
int add_account_command(const std::filesystem::path& database, const std::vector<std::string>& args,
                        std::istream& input, std::ostream& out, std::ostream& err);

}  // namespace gem::auth
