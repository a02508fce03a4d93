// A thin RAII layer over the SQLite C API: open a file, run SQL, prepared statements with
// positional binding. Not thread-safe by itself: callers hold their own mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace gem::storage {

struct SqliteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);  // 1-based
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);
  // true: a row is ready (read it with the column accessors); false: done.
  bool step();
  void run() { while (step()) {} }
  void reset();

  std::string text(int column) const;  // 0-based; "" for NULL
  std::int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3_stmt* handle_ = nullptr;
};

class Database {
 public:
  explicit Database(const std::filesystem::path& file);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(db_, sql); }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace gem::storage
