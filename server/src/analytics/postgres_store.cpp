// Analytics in PostgreSQL (libpq), for several gem-server instances sharing one database.
#include <mutex>

#include "analytics/events.h"
#include "storage/postgres.h"

namespace gem::analytics {
namespace {

class PostgresStore : public Store {
 public:
  explicit PostgresStore(const std::string& url) : db_(url, "analytics") {
    db_.command(
        "CREATE TABLE IF NOT EXISTS gem_daily_counts (municipality TEXT NOT NULL, day DATE NOT NULL, counter TEXT NOT NULL, "
        "count BIGINT NOT NULL, PRIMARY KEY (municipality, day, counter))");
  }

  void add(const std::string& gm, const std::string& date, const Counts& counts) override {
    std::lock_guard lock(mutex_);
    db_.transaction([&] {
      for (const auto& [counter, n] : counts) {
        db_.command(
            "INSERT INTO gem_daily_counts VALUES ($1, $2::date, $3, $4::bigint) "
            "ON CONFLICT (municipality, day, counter) DO UPDATE SET count = gem_daily_counts.count + EXCLUDED.count",
            {gm, date, counter, std::to_string(n)});
      }
    });
  }

  std::map<std::string, Counts> range(const std::string& gm, const std::string& from, const std::string& to) override {
    std::lock_guard lock(mutex_);
    auto r = db_.command(
        "SELECT to_char(day, 'YYYY-MM-DD'), counter, count FROM gem_daily_counts "
        "WHERE municipality = $1 AND day BETWEEN $2::date AND $3::date",
        {gm, from, to});
    std::map<std::string, Counts> out;
    for (int i = 0; i < r->rows(); ++i) out[r->text(i, 0)][r->text(i, 1)] = std::stoll(r->text(i, 2));
    return out;
  }

 private:
  std::mutex mutex_;
  storage::PgConnection db_;
};

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& url) { return std::make_unique<PostgresStore>(url); }

}  // namespace gem::analytics
