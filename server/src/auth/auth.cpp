#include "auth/auth.h"

#include <algorithm>
#include <cstdlib>
#include <istream>
#include <ostream>
#include <regex>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include "config/config.h"

namespace gem::auth {
namespace {

std::string hex(const unsigned char* bytes, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();
  return out;
}

std::string random_token() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return hex(bytes, sizeof bytes);
}

// Session tokens are stored hashed: a copy of the database cannot sign anyone in.
std::string token_hash(const std::string& token) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr, 0);
  return hex(digest, sizeof digest);
}

bool equal_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string password_hash(const std::string& password) {
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return hash;
}

std::int64_t seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Sessions in the accounts file (one instance).
class SqliteSessions : public SessionTable {
 public:
  SqliteSessions(storage::Database& db, std::mutex& mutex) : db_(db), mutex_(mutex) {}
  void put(const std::string& hash, const SessionRow& row) override {
    std::lock_guard lock(mutex_);
    db_.prepare("INSERT INTO sessions (token_hash, username, csrf, expires) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, hash).bind(2, row.username).bind(3, row.csrf).bind(4, row.expires).run();
  }
  std::optional<SessionRow> get(const std::string& hash) override {
    std::lock_guard lock(mutex_);
    auto statement = db_.prepare("SELECT username, csrf, expires FROM sessions WHERE token_hash = ?1");
    statement.bind(1, hash);
    if (!statement.step()) return std::nullopt;
    return SessionRow{statement.text(0), statement.text(1), statement.integer(2)};
  }
  void erase(const std::string& hash) override {
    std::lock_guard lock(mutex_);
    db_.prepare("DELETE FROM sessions WHERE token_hash = ?1").bind(1, hash).run();
  }
  void erase_user(const std::string& username) override {
    std::lock_guard lock(mutex_);
    db_.prepare("DELETE FROM sessions WHERE username = ?1").bind(1, username).run();
  }
  void erase_expired(std::int64_t now) override {
    std::lock_guard lock(mutex_);
    db_.prepare("DELETE FROM sessions WHERE expires <= ?1").bind(1, now).run();
  }

 private:
  storage::Database& db_;
  std::mutex& mutex_;
};

}  // namespace

bool Account::works_for(const std::string& gm) const {
  return role == "admin" || std::find(municipalities.begin(), municipalities.end(), gm) != municipalities.end();
}

void require_own_origin(const http::Request& request) {
  auto origin = request.origin();
  if (origin && !request.is_own_origin(*origin))
    throw http::HttpError(403, "forbidden_origin", "staff endpoints accept only the server's own origin");
}

Store::Store(const std::filesystem::path& database, Clock now, std::chrono::seconds session_lifetime,
             std::unique_ptr<SessionTable> sessions)
    : db_(database), now_(std::move(now)), lifetime_(session_lifetime), sessions_(std::move(sessions)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  db_.exec(
      "CREATE TABLE IF NOT EXISTS accounts (username TEXT PRIMARY KEY, display_name TEXT NOT NULL, "
      "role TEXT NOT NULL, municipalities TEXT NOT NULL, password_hash TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, "
      "csrf TEXT NOT NULL, expires INTEGER NOT NULL);");
  if (!sessions_) sessions_ = std::make_unique<SqliteSessions>(db_, mutex_);
}

Store::~Store() = default;

void Store::add_account(const Account& a, const std::string& password) {
  static const std::regex name("[a-z0-9][a-z0-9._-]{1,63}");
  if (!std::regex_match(a.username, name))
    throw std::invalid_argument("the user name must be 2-64 lower-case letters, digits, '.', '_' or '-'");
  if (a.role != "agent" && a.role != "editor" && a.role != "admin")
    throw std::invalid_argument("the role must be agent, editor or admin");
  if (a.municipalities.empty()) throw std::invalid_argument("give at least one --municipality");
  for (const auto& gm : a.municipalities)
    if (!is_municipality_code(gm)) throw std::invalid_argument("not a municipality code: " + gm);
  if (a.display_name.empty() || a.display_name.size() > 60) throw std::invalid_argument("the display name must be 1-60 characters");
  if (password.size() < 12) throw std::invalid_argument("the password must be at least 12 characters");
  std::string hash = password_hash(password);
  std::unique_lock lock(mutex_);
  db_.prepare(
         "INSERT INTO accounts (username, display_name, role, municipalities, password_hash) VALUES (?1, ?2, ?3, ?4, ?5) "
         "ON CONFLICT(username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role, "
         "municipalities = excluded.municipalities, password_hash = excluded.password_hash")
      .bind(1, a.username)
      .bind(2, a.display_name)
      .bind(3, a.role)
      .bind(4, nlohmann::json(a.municipalities).dump())
      .bind(5, hash)
      .run();
  lock.unlock();
  // A new password signs the account out everywhere.
  sessions_->erase_user(a.username);
  close_watched([&](const std::string&, const std::string& username) { return username == a.username; });
}

std::optional<Account> Store::account(const std::string& username) {
  auto statement = db_.prepare("SELECT display_name, role, municipalities FROM accounts WHERE username = ?1");
  statement.bind(1, username);
  if (!statement.step()) return std::nullopt;
  return Account{username, statement.text(0), statement.text(1),
                 nlohmann::json::parse(statement.text(2)).get<std::vector<std::string>>()};
}

std::optional<Account> Store::verify(const std::string& username, const std::string& password) {
  // Hashed once so an unknown user name costs the same time as a wrong password.
  static const std::string decoy = password_hash(random_token());
  std::string hash;
  {
    std::lock_guard lock(mutex_);
    auto statement = db_.prepare("SELECT password_hash FROM accounts WHERE username = ?1");
    statement.bind(1, username);
    if (statement.step()) hash = statement.text(0);
  }
  bool ok = crypto_pwhash_str_verify(hash.empty() ? decoy.c_str() : hash.c_str(), password.data(), password.size()) == 0;
  if (!ok || hash.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  return account(username);
}

Store::NewSession Store::create_session(const Account& a) {
  NewSession session{random_token(), random_token()};
  sessions_->erase_expired(seconds(now_()));
  sessions_->put(token_hash(session.token), {a.username, session.csrf, seconds(now_() + lifetime_)});
  return session;
}

std::optional<Session> Store::current(const http::Request& request) {
  auto token = request.cookie("gem_session");
  if (!token || token->size() != 64) return std::nullopt;
  auto row = sessions_->get(token_hash(*token));
  if (!row || row->expires <= seconds(now_())) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto a = account(row->username);
  if (!a) return std::nullopt;
  return Session{*a, row->csrf};
}

Session Store::require(const http::Request& request, bool state_changing) {
  auto session = current(request);
  if (!session) throw http::HttpError(401, "unauthorized", "sign in first");
  if (state_changing && !equal_secret(request.header("X-CSRF-Token").value_or(""), session->csrf))
    throw http::HttpError(403, "csrf", "the X-CSRF-Token header is missing or wrong");
  return *session;
}

void Store::end_session(const http::Request& request) {
  auto token = request.cookie("gem_session");
  if (!token) return;
  const auto hash = token_hash(*token);
  sessions_->erase(hash);
  close_watched([&](const std::string& watched, const std::string&) { return watched == hash; });
}

bool Store::session_valid(const std::string& hash) {
  auto row = sessions_->get(hash);
  return row && row->expires > seconds(now_());
}

void Store::watch(const http::Request& request, const std::shared_ptr<http::WebSocketSession>& socket) {
  auto session = current(request);
  if (!session) return socket->close("session_ended", http::CloseCode::policy_violation);
  std::lock_guard lock(watch_mutex_);
  watched_.push_back({token_hash(*request.cookie("gem_session")), session->account.username, socket});
}

void Store::close_watched(const std::function<bool(const std::string&, const std::string&)>& ended) {
  std::vector<std::shared_ptr<http::WebSocketSession>> closing;
  {
    std::lock_guard lock(watch_mutex_);
    std::erase_if(watched_, [&](const Watched& w) {
      auto socket = w.socket.lock();
      if (!socket) return true;
      if (!ended(w.token_hash, w.username)) return false;
      closing.push_back(std::move(socket));
      return true;
    });
  }
  for (auto& socket : closing) socket->close("session_ended", http::CloseCode::policy_violation);
}

void Store::sweep() {
  std::vector<std::string> hashes;
  {
    std::lock_guard lock(watch_mutex_);
    for (const auto& w : watched_) hashes.push_back(w.token_hash);
  }
  std::set<std::string> gone;
  for (const auto& hash : hashes) {
    if (!gone.count(hash) && !session_valid(hash)) gone.insert(hash);
  }
  close_watched([&](const std::string& hash, const std::string&) { return gone.count(hash) > 0; });
}

// ---- login limiter ---------------------------------------------------------------------------

LoginLimiter::LoginLimiter(LoginLimits limits, Clock now) : options_(limits), now_(std::move(now)) {}

int LoginLimiter::wait(const std::string& key, int free, bool doubling) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  const auto now = now_();
  const auto& e = it->second;
  if (now - e.last >= options_.window) {
    entries_.erase(it);
    return 0;
  }
  if (doubling ? e.failures <= free : e.failures < free) return 0;
  std::chrono::system_clock::time_point until;
  if (doubling) {
    auto delay = options_.first_delay * (1LL << std::min(e.failures - free - 1, 20));
    until = e.last + std::min<std::chrono::seconds>(delay, options_.max_delay);
  } else {
    until = e.first + options_.window;
  }
  auto left = until - now;
  return left <= std::chrono::seconds(0) ? 0 : static_cast<int>(std::chrono::ceil<std::chrono::seconds>(left).count());
}

int LoginLimiter::retry_after(const std::string& username, const std::string& address) {
  std::lock_guard lock(mutex_);
  return std::max(wait("pair:" + username + "\n" + address, options_.free_failures, true),
                  wait("address:" + address, options_.address_failures, false));
}

void LoginLimiter::count(const std::string& key) {
  const auto now = now_();
  auto& e = entries_[key];
  if (e.failures == 0 || now - e.last >= options_.window) e = {0, now, now};
  ++e.failures;
  e.last = now;
}

void LoginLimiter::failed(const std::string& username, const std::string& address) {
  std::lock_guard lock(mutex_);
  const auto now = now_();
  // Many made-up user names must not grow the table without bound.
  if (entries_.size() > 10000) std::erase_if(entries_, [&](const auto& e) { return now - e.second.last >= options_.window; });
  count("pair:" + username + "\n" + address);
  count("address:" + address);
}

void LoginLimiter::succeeded(const std::string& username, const std::string& address) {
  std::lock_guard lock(mutex_);
  entries_.erase("pair:" + username + "\n" + address);
}

// ---- command line ----------------------------------------------------------------------------

int add_account_command(const std::filesystem::path& database, const std::vector<std::string>& args,
                        std::istream& input, std::ostream& out, std::ostream& err) {
  const char* usage =
      "usage: gem-server --config FILE add-account NAME --role agent|editor|admin --municipality GM0599 "
      "[--municipality …] [--display-name NAME]\n"
      "       the password (at least 12 characters) comes from GEM_ACCOUNT_PASSWORD or standard input\n";
  Account a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    bool has_value = i + 1 < args.size();
    if (args[i] == "--role" && has_value) a.role = args[++i];
    else if (args[i] == "--municipality" && has_value) a.municipalities.push_back(args[++i]);
    else if (args[i] == "--display-name" && has_value) a.display_name = args[++i];
    else if (a.username.empty() && args[i].rfind("--", 0) != 0) a.username = args[i];
    else {
      err << usage;
      return 2;
    }
  }
  if (a.username.empty()) {
    err << usage;
    return 2;
  }
  if (a.display_name.empty()) a.display_name = a.username;
  std::string password;
  if (const char* env = std::getenv("GEM_ACCOUNT_PASSWORD"); env && *env) password = env;
  else std::getline(input, password);
  try {
    Store(database).add_account(a, password);
  } catch (const std::invalid_argument& e) {
    err << "add-account: " << e.what() << "\n" << usage;
    return 2;
  }
  out << "account " << a.username << " (" << a.role << ") saved\n";
  return 0;
}

}  // namespace gem::auth
