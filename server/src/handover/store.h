// Where handover state lives: a small key-value vocabulary (strings, lists, hashes, counters) that
// maps one-to-one onto Redis, so the hub is written once and runs embedded or shared by instances.
// Keys come from keys.h. Changes that must not be torn apart by a crash or a race (a conversation
// moving between the queue and an agent) go through Store::update.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gem::handover {

// The reads and writes of one atomic update: reads see the current values; writes are collected
// and applied all together, or not at all.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual std::optional<std::string> get(const std::string& key) = 0;
  virtual std::vector<std::string> range(const std::string& list) = 0;
  virtual std::map<std::string, std::string> hash_all(const std::string& hash) = 0;

  struct Write {
    enum Kind { set, del, push_back, push_front, remove, hash_set, hash_del } kind;
    std::string key, field_or_value, value;
  };
  void set(const std::string& key, const std::string& value) { writes_.push_back({Write::set, key, value, {}}); }
  void del(const std::string& key) { writes_.push_back({Write::del, key, {}, {}}); }
  void push_back(const std::string& list, const std::string& value) { writes_.push_back({Write::push_back, list, value, {}}); }
  void push_front(const std::string& list, const std::string& value) { writes_.push_back({Write::push_front, list, value, {}}); }
  void remove(const std::string& list, const std::string& value) { writes_.push_back({Write::remove, list, value, {}}); }
  void hash_set(const std::string& hash, const std::string& field, const std::string& value) {
    writes_.push_back({Write::hash_set, hash, field, value});
  }
  void hash_del(const std::string& hash, const std::string& field) { writes_.push_back({Write::hash_del, hash, field, {}}); }
  const std::vector<Write>& writes() const { return writes_; }
  void discard_writes() { writes_.clear(); }

 private:
  std::vector<Write> writes_;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual std::optional<std::string> get(const std::string& key) = 0;
  virtual void set(const std::string& key, const std::string& value) = 0;
  virtual void del(const std::string& key) = 0;
  virtual std::int64_t incr(const std::string& key) = 0;

  virtual void push_back(const std::string& list, const std::string& value) = 0;
  virtual void push_front(const std::string& list, const std::string& value) = 0;
  // Removes every occurrence; the count says whether this caller won (atomic, as Redis LREM).
  virtual std::int64_t remove(const std::string& list, const std::string& value) = 0;
  virtual std::vector<std::string> range(const std::string& list) = 0;

  virtual void hash_set(const std::string& hash, const std::string& field, const std::string& value) = 0;
  virtual void hash_del(const std::string& hash, const std::string& field) = 0;
  virtual std::map<std::string, std::string> hash_all(const std::string& hash) = 0;

  // Runs `decide` on the current values and applies the writes it collected atomically (all or
  // nothing, also across a crash). When another writer changed one of the `watched` keys meanwhile,
  // `decide` runs again on the new values; it must have no other side effects. `decide` returns
  // false to write nothing; update returns what `decide` returned last.
  // Embedded: one lock and one SQLite transaction. Redis: WATCH `watched`, MULTI … EXEC.
  virtual bool update(const std::vector<std::string>& watched, const std::function<bool(Transaction&)>& decide) = 0;

  // Housekeeping off the network threads (the sweeper calls it): the embedded store folds its
  // write-ahead log into the database, so deleted conversations leave no text in any file.
  virtual void checkpoint() {}
};

// Carries events between the instances that share a Store (all of them see every event, the
// publisher too); the in-process bus delivers at once on the publishing thread.
class Bus {
 public:
  virtual ~Bus() = default;
  virtual void publish(const std::string& message) = 0;
  virtual void subscribe(std::function<void(const std::string&)> handler) = 0;
};

// Embedded: in-process, every change written through to SQLite so a restart restores the queues.
// path ":memory:" keeps nothing.
std::unique_ptr<Store> make_sqlite_store(const std::string& path);
std::unique_ptr<Bus> make_local_bus();

}  // namespace gem::handover
