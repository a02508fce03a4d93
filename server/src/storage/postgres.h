// A thin RAII layer over libpq: one connection, parameterised commands, results freed on scope exit.
// Not thread-safe by itself: callers hold their own mutex.
#pragma once

#include <memory>
#include <string>
#include <vector>

struct pg_conn;
struct pg_result;

namespace gem::storage {

class PgResult {
 public:
  explicit PgResult(pg_result* r) : r_(r) {}
  ~PgResult();
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  int rows() const;
  std::string text(int row, int column) const;  // "" for NULL
  bool is_null(int row, int column) const;
  long long affected() const;                   // rows changed by INSERT/UPDATE/DELETE

 private:
  friend class PgConnection;
  pg_result* r_;
};

class PgConnection {
 public:
  // `who` prefixes error messages ("analytics", "samples"); throws std::runtime_error when it cannot connect.
  PgConnection(const std::string& url, std::string who);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with text parameters ($1, $2, …); reconnects first if the connection dropped.
  // Throws std::runtime_error with PostgreSQL's message.
  std::unique_ptr<PgResult> command(const char* sql, const std::vector<std::string>& params = {});
  // Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
  template <typename Body>
  void transaction(Body&& body) {
    command("BEGIN");
    try {
      body();
      command("COMMIT");
    } catch (...) {
      rollback();
      throw;
    }
  }

 private:
  void rollback() noexcept;
  pg_conn* conn_;
  std::string who_;
};

}  // namespace gem::storage
