#include <mutex>

#include "analytics/events.h"
#include "storage/sqlite.h"

namespace gem::analytics {
namespace {

class SqliteStore : public Store {
 public:
  explicit SqliteStore(const std::string& file) : db_(file) {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS daily_counts (municipality TEXT NOT NULL, day TEXT NOT NULL, counter TEXT NOT NULL, "
        "count INTEGER NOT NULL, PRIMARY KEY (municipality, day, counter))");
  }

  void add(const std::string& gm, const std::string& date, const Counts& counts) override {
    std::lock_guard lock(mutex_);
    db_.exec("BEGIN");
    try {
      auto upsert = db_.prepare(
          "INSERT INTO daily_counts VALUES (?, ?, ?, ?) "
          "ON CONFLICT (municipality, day, counter) DO UPDATE SET count = count + excluded.count");
      for (const auto& [counter, n] : counts) {
        upsert.bind(1, gm).bind(2, date).bind(3, counter).bind(4, n).run();
        upsert.reset();
      }
      db_.exec("COMMIT");
    } catch (...) {
      db_.exec("ROLLBACK");
      throw;
    }
  }

  std::map<std::string, Counts> range(const std::string& gm, const std::string& from, const std::string& to) override {
    std::lock_guard lock(mutex_);
    auto q = db_.prepare("SELECT day, counter, count FROM daily_counts WHERE municipality = ? AND day BETWEEN ? AND ?");
    q.bind(1, gm).bind(2, from).bind(3, to);
    std::map<std::string, Counts> out;
    while (q.step()) out[q.text(0)][q.text(1)] = q.integer(2);
    return out;
  }

 private:
  std::mutex mutex_;
  storage::Database db_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& file) { return std::make_unique<SqliteStore>(file); }

}  // namespace gem::analytics
