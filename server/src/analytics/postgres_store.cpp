// Analytics in PostgreSQL (libpq), for several gem-server instances sharing one database.
#include <libpq-fe.h>

#include <mutex>
#include <stdexcept>

#include "analytics/events.h"

namespace gem::analytics {
namespace {

class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  ~Result() { PQclear(r_); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  PGresult* get() const { return r_; }

 private:
  PGresult* r_;
};

class PostgresStore : public Store {
 public:
  explicit PostgresStore(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string message = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw std::runtime_error("analytics: cannot connect to PostgreSQL: " + message);
    }
    command(
        "CREATE TABLE IF NOT EXISTS gem_daily_counts (municipality TEXT NOT NULL, day DATE NOT NULL, counter TEXT NOT NULL, "
        "count BIGINT NOT NULL, PRIMARY KEY (municipality, day, counter))",
        {});
  }
  ~PostgresStore() override { PQfinish(conn_); }

  void add(const std::string& gm, const std::string& date, const Counts& counts) override {
    std::lock_guard lock(mutex_);
    reconnect_if_needed();
    command("BEGIN", {});
    try {
      for (const auto& [counter, n] : counts) {
        command(
            "INSERT INTO gem_daily_counts VALUES ($1, $2::date, $3, $4::bigint) "
            "ON CONFLICT (municipality, day, counter) DO UPDATE SET count = gem_daily_counts.count + EXCLUDED.count",
            {gm, date, counter, std::to_string(n)});
      }
      command("COMMIT", {});
    } catch (...) {
      Result(PQexec(conn_, "ROLLBACK"));
      throw;
    }
  }

  std::map<std::string, Counts> range(const std::string& gm, const std::string& from, const std::string& to) override {
    std::lock_guard lock(mutex_);
    reconnect_if_needed();
    auto r = command(
        "SELECT to_char(day, 'YYYY-MM-DD'), counter, count FROM gem_daily_counts "
        "WHERE municipality = $1 AND day BETWEEN $2::date AND $3::date",
        {gm, from, to});
    std::map<std::string, Counts> out;
    for (int i = 0; i < PQntuples(r->get()); ++i) {
      out[PQgetvalue(r->get(), i, 0)][PQgetvalue(r->get(), i, 1)] = std::stoll(PQgetvalue(r->get(), i, 2));
    }
    return out;
  }

 private:
  void reconnect_if_needed() {
    if (PQstatus(conn_) != CONNECTION_OK) PQreset(conn_);
  }

  std::unique_ptr<Result> command(const char* sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    auto r = std::make_unique<Result>(PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(),
                                                   nullptr, nullptr, 0));
    auto status = PQresultStatus(r->get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw std::runtime_error(std::string("analytics: PostgreSQL: ") + PQerrorMessage(conn_));
    }
    return r;
  }

  std::mutex mutex_;
  PGconn* conn_;
};

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& url) { return std::make_unique<PostgresStore>(url); }

}  // namespace gem::analytics
