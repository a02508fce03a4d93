// Where handover state lives: a small key-value vocabulary (strings, lists, hashes, counters) that
// maps one-to-one onto Redis, so the hub is written once and runs embedded or shared by instances.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gem::handover {

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
