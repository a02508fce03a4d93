// The embedded Store: one SQLite table of JSON values, written through on every change, so the
// queues survive a restart. Lists and hashes are small (one municipality's queue), so whole-value
// read-modify-write under one lock is simple and fast enough.
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
    db_.exec("CREATE TABLE IF NOT EXISTS handover_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  std::optional<std::string> get(const std::string& key) override {
    std::lock_guard lock(mutex_);
    auto value = read(key);
    if (!value || !value->is_string()) return std::nullopt;
    return value->get<std::string>();
  }
  void set(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    write(key, value);
  }
  void del(const std::string& key) override {
    std::lock_guard lock(mutex_);
    db_.prepare("DELETE FROM handover_state WHERE key = ?1").bind(1, key).run();
    // Keys are deleted when a conversation ends. The write-ahead log still holds earlier versions of
    // its pages (transcript, messages): fold it into the database (where secure_delete zeroed the
    // rows) and truncate it, so no file in the data folder keeps the text of an ended conversation.
    db_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  std::int64_t incr(const std::string& key) override {
    std::lock_guard lock(mutex_);
    auto value = read(key);
    std::int64_t next = (value && value->is_string() ? std::stoll(value->get<std::string>()) : 0) + 1;
    write(key, std::to_string(next));
    return next;
  }

  void push_back(const std::string& list, const std::string& value) override { push(list, value, false); }
  void push_front(const std::string& list, const std::string& value) override { push(list, value, true); }
  std::int64_t remove(const std::string& list, const std::string& value) override {
    std::lock_guard lock(mutex_);
    json items = read_array(list);
    json kept = json::array();
    std::int64_t removed = 0;
    for (auto& item : items) {
      if (item == value) ++removed;
      else kept.push_back(item);
    }
    if (removed) write(list, kept);
    return removed;
  }
  std::vector<std::string> range(const std::string& list) override {
    std::lock_guard lock(mutex_);
    return read_array(list).get<std::vector<std::string>>();
  }

  void hash_set(const std::string& hash, const std::string& field, const std::string& value) override {
    std::lock_guard lock(mutex_);
    json fields = read_object(hash);
    fields[field] = value;
    write(hash, fields);
  }
  void hash_del(const std::string& hash, const std::string& field) override {
    std::lock_guard lock(mutex_);
    json fields = read_object(hash);
    if (fields.erase(field)) write(hash, fields);
  }
  std::map<std::string, std::string> hash_all(const std::string& hash) override {
    std::lock_guard lock(mutex_);
    return read_object(hash).get<std::map<std::string, std::string>>();
  }

 private:
  std::optional<json> read(const std::string& key) {
    auto statement = db_.prepare("SELECT value FROM handover_state WHERE key = ?1");
    statement.bind(1, key);
    if (!statement.step()) return std::nullopt;
    return json::parse(statement.text(0));
  }
  json read_array(const std::string& key) {
    auto value = read(key);
    return value && value->is_array() ? *value : json::array();
  }
  json read_object(const std::string& key) {
    auto value = read(key);
    return value && value->is_object() ? *value : json::object();
  }
  void write(const std::string& key, const json& value) {
    db_.prepare("INSERT INTO handover_state (key, value) VALUES (?1, ?2) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, key)
        .bind(2, value.dump())
        .run();
  }
  void push(const std::string& list, const std::string& value, bool front) {
    std::lock_guard lock(mutex_);
    json items = read_array(list);
    if (front) items.insert(items.begin(), value);
    else items.push_back(value);
    write(list, items);
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
