// The shipped live-data provider: a SQLite file (data_dir/live.sqlite) seeded on first start from a
// readable JSON file (server/data/live-data.json). Appointment slots and waste collection dates are
// generated from rules relative to the requested day, so the sample data never goes stale.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "live/provider.h"
#include "storage/sqlite.h"

namespace gem::live {

class SqliteProvider : public Provider {
 public:
  // Opens (creating and seeding when new) the database; throws on a broken seed file.
  SqliteProvider(const std::filesystem::path& database, const std::filesystem::path& seed);

  std::vector<Day> opening_hours(const Municipality& m, Date from, int days) override;
  std::vector<Slot> appointments(const Municipality& m, const std::string& product, const LocalTime& now,
                                 int limit) override;
  std::optional<std::vector<Collection>> waste(const Municipality& m, const Address& address, Date from,
                                               int days) override;
  std::optional<ApplicationStatus> status(const Municipality& m, const std::string& reference,
                                          const Address& address) override;

 private:
  void seed(const std::filesystem::path& file);
  std::vector<Day> hours_locked(const std::string& gm, Date from, int days);

  std::mutex mutex_;
  storage::Database db_;
};

}  // namespace gem::live
