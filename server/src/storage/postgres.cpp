#include "storage/postgres.h"

#include <libpq-fe.h>

#include <stdexcept>

namespace gem::storage {

PgResult::~PgResult() { PQclear(r_); }

int PgResult::rows() const { return PQntuples(r_); }

std::string PgResult::text(int row, int column) const { return PQgetvalue(r_, row, column); }

bool PgResult::is_null(int row, int column) const { return PQgetisnull(r_, row, column) != 0; }

long long PgResult::affected() const {
  const char* n = PQcmdTuples(r_);
  return n && *n ? std::stoll(n) : 0;
}

PgConnection::PgConnection(const std::string& url, std::string who) : conn_(PQconnectdb(url.c_str())), who_(std::move(who)) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn_);
    PQfinish(conn_);
    throw std::runtime_error(who_ + ": cannot connect to PostgreSQL: " + message);
  }
}

PgConnection::~PgConnection() { PQfinish(conn_); }

std::unique_ptr<PgResult> PgConnection::command(const char* sql, const std::vector<std::string>& params) {
  if (PQstatus(conn_) != CONNECTION_OK) PQreset(conn_);
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  auto r = std::make_unique<PgResult>(
      PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
  auto status = PQresultStatus(r->r_);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(who_ + ": PostgreSQL: " + PQerrorMessage(conn_));
  }
  return r;
}

void PgConnection::rollback() noexcept { PQclear(PQexec(conn_, "ROLLBACK")); }

}  // namespace gem::storage
