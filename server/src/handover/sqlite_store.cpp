// The embedded Store: SQLite tables for strings, lists (one row per item: a message is one row) and
// hashes (one row per field), written through on every change, so the queues survive a restart and
// a crash. One lock serialises the store; Store::update runs under it inside one SQLite transaction.
#include <mutex>

#include <nlohmann/json.hpp>

#include "handover/store.h"
#include "storage/sqlite.h"

namespace gem::handover {
namespace {

using nlohmann::json;

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : db_(path) {
    // Ended conversations are deleted; zero their pages too, so the database file keeps no text of them.
    db_.exec("PRAGMA secure_delete=ON");
    db_.exec(
        "CREATE TABLE IF NOT EXISTS handover_strings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS handover_lists (key TEXT NOT NULL, position INTEGER NOT NULL, value TEXT NOT NULL,"
        "  PRIMARY KEY (key, position));"
        "CREATE TABLE IF NOT EXISTS handover_hashes (key TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,"
        "  PRIMARY KEY (key, field));");
    migrate_whole_values();
  }

  std::optional<std::string> get(const std::string& key) override {
    std::lock_guard lock(mutex_);
    return read(key);
  }
  void set(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    write(key, value);
  }
  void del(const std::string& key) override {
    std::lock_guard lock(mutex_);
    erase(key);
  }
  std::int64_t incr(const std::string& key) override {
    std::lock_guard lock(mutex_);
    auto value = read(key);
    std::int64_t next = (value ? std::stoll(*value) : 0) + 1;
    write(key, std::to_string(next));
    return next;
  }

  void push_back(const std::string& list, const std::string& value) override {
    std::lock_guard lock(mutex_);
    push(list, value, false);
  }
  void push_front(const std::string& list, const std::string& value) override {
    std::lock_guard lock(mutex_);
    push(list, value, true);
  }
  std::int64_t remove(const std::string& list, const std::string& value) override {
    std::lock_guard lock(mutex_);
    return remove_all(list, value);
  }
  std::vector<std::string> range(const std::string& list) override {
    std::lock_guard lock(mutex_);
    return read_list(list);
  }

  void hash_set(const std::string& hash, const std::string& field, const std::string& value) override {
    std::lock_guard lock(mutex_);
    write_field(hash, field, value);
  }
  void hash_del(const std::string& hash, const std::string& field) override {
    std::lock_guard lock(mutex_);
    db_.prepare("DELETE FROM handover_hashes WHERE key = ?1 AND field = ?2").bind(1, hash).bind(2, field).run();
  }
  std::map<std::string, std::string> hash_all(const std::string& hash) override {
    std::lock_guard lock(mutex_);
    return read_hash(hash);
  }

  bool update(const std::vector<std::string>&, const std::function<bool(Transaction&)>& decide) override {
    // Nothing else writes while the lock is held, so one pass suffices.
    std::lock_guard lock(mutex_);
    Reads reads(*this);
    if (!decide(reads)) return false;
    db_.exec("BEGIN IMMEDIATE");
    try {
      for (const auto& w : reads.writes()) apply(w);
      db_.exec("COMMIT");
    } catch (...) {
      db_.exec("ROLLBACK");
      throw;
    }
    return true;
  }

  void checkpoint() override {
    std::lock_guard lock(mutex_);
    // The write-ahead log still holds earlier versions of deleted pages (transcripts, messages): fold
    // it into the database (where secure_delete zeroed the rows) and truncate it.
    db_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

 private:
  class Reads final : public Transaction {
   public:
    explicit Reads(SqliteStore& store) : store_(store) {}
    std::optional<std::string> get(const std::string& key) override { return store_.read(key); }
    std::vector<std::string> range(const std::string& list) override { return store_.read_list(list); }
    std::map<std::string, std::string> hash_all(const std::string& hash) override { return store_.read_hash(hash); }

   private:
    SqliteStore& store_;
  };

  std::optional<std::string> read(const std::string& key) {
    auto statement = db_.prepare("SELECT value FROM handover_strings WHERE key = ?1");
    statement.bind(1, key);
    if (!statement.step()) return std::nullopt;
    return statement.text(0);
  }
  void write(const std::string& key, const std::string& value) {
    db_.prepare("INSERT INTO handover_strings (key, value) VALUES (?1, ?2) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, key)
        .bind(2, value)
        .run();
  }
  void erase(const std::string& key) {
    for (const char* table : {"handover_strings", "handover_lists", "handover_hashes"})
      db_.prepare(std::string("DELETE FROM ") + table + " WHERE key = ?1").bind(1, key).run();
  }
  std::vector<std::string> read_list(const std::string& list) {
    auto statement = db_.prepare("SELECT value FROM handover_lists WHERE key = ?1 ORDER BY position");
    statement.bind(1, list);
    std::vector<std::string> out;
    while (statement.step()) out.push_back(statement.text(0));
    return out;
  }
  void push(const std::string& list, const std::string& value, bool front) {
    db_.prepare(front ? "INSERT INTO handover_lists (key, position, value) "
                        "SELECT ?1, COALESCE(MIN(position), 0) - 1, ?2 FROM handover_lists WHERE key = ?1"
                      : "INSERT INTO handover_lists (key, position, value) "
                        "SELECT ?1, COALESCE(MAX(position), 0) + 1, ?2 FROM handover_lists WHERE key = ?1")
        .bind(1, list)
        .bind(2, value)
        .run();
  }
  std::int64_t remove_all(const std::string& list, const std::string& value) {
    auto count = db_.prepare("SELECT COUNT(*) FROM handover_lists WHERE key = ?1 AND value = ?2");
    count.bind(1, list).bind(2, value).step();
    std::int64_t removed = count.integer(0);
    if (removed) db_.prepare("DELETE FROM handover_lists WHERE key = ?1 AND value = ?2").bind(1, list).bind(2, value).run();
    return removed;
  }
  std::map<std::string, std::string> read_hash(const std::string& hash) {
    auto statement = db_.prepare("SELECT field, value FROM handover_hashes WHERE key = ?1");
    statement.bind(1, hash);
    std::map<std::string, std::string> out;
    while (statement.step()) out[statement.text(0)] = statement.text(1);
    return out;
  }
  void write_field(const std::string& hash, const std::string& field, const std::string& value) {
    db_.prepare("INSERT INTO handover_hashes (key, field, value) VALUES (?1, ?2, ?3) "
                "ON CONFLICT(key, field) DO UPDATE SET value = excluded.value")
        .bind(1, hash)
        .bind(2, field)
        .bind(3, value)
        .run();
  }
  void apply(const Transaction::Write& w) {
    switch (w.kind) {
      case Transaction::Write::set: return write(w.key, w.field_or_value);
      case Transaction::Write::del: return erase(w.key);
      case Transaction::Write::push_back: return push(w.key, w.field_or_value, false);
      case Transaction::Write::push_front: return push(w.key, w.field_or_value, true);
      case Transaction::Write::remove: remove_all(w.key, w.field_or_value); return;
      case Transaction::Write::hash_set: return write_field(w.key, w.field_or_value, w.value);
      case Transaction::Write::hash_del:
        db_.prepare("DELETE FROM handover_hashes WHERE key = ?1 AND field = ?2").bind(1, w.key).bind(2, w.field_or_value).run();
        return;
    }
  }

  // Earlier versions kept every value as one JSON document in `handover_state` (a list rewritten
  // whole per message); move them into the row-per-item tables so an upgrade keeps queued handovers.
  void migrate_whole_values() {
    if (!db_.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'handover_state'").step()) return;
    db_.exec("BEGIN IMMEDIATE");
    {
      auto rows = db_.prepare("SELECT key, value FROM handover_state");
      while (rows.step()) {
        std::string key = rows.text(0);
        json value = json::parse(rows.text(1), nullptr, false);
        if (value.is_string()) write(key, value.get<std::string>());
        if (value.is_array())
          for (const auto& item : value) push(key, item.get<std::string>(), false);
        if (value.is_object())
          for (const auto& [field, item] : value.items()) write_field(key, field, item.get<std::string>());
      }
    }
    db_.exec("DROP TABLE handover_state; COMMIT");
  }

  storage::Database db_;
  std::mutex mutex_;
};

class LocalBus final : public Bus {
 public:
  void publish(const std::string& message) override {
    std::vector<std::function<void(const std::string&)>> handlers;
    {
      std::lock_guard lock(mutex_);
      handlers = handlers_;
    }
    for (auto& handler : handlers) handler(message);
  }
  void subscribe(std::function<void(const std::string&)> handler) override {
    std::lock_guard lock(mutex_);
    handlers_.push_back(std::move(handler));
  }

 private:
  std::mutex mutex_;
  std::vector<std::function<void(const std::string&)>> handlers_;
};

}  // namespace

std::unique_ptr<Store> make_sqlite_store(const std::string& path) { return std::make_unique<SqliteStore>(path); }
std::unique_ptr<Bus> make_local_bus() { return std::make_unique<LocalBus>(); }

}  // namespace gem::handover
