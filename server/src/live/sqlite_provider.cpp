#include "live/sqlite_provider.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "live/validation.h"

namespace gem::live {
namespace {

using nlohmann::json;

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS weekly_hours (gm TEXT NOT NULL, weekday INTEGER NOT NULL, opens INTEGER NOT NULL, closes INTEGER NOT NULL);
-- gm NULL: a national holiday for every municipality. No period row (opens NULL): closed all day.
CREATE TABLE IF NOT EXISTS exceptions (gm TEXT, date TEXT NOT NULL, label_nl TEXT NOT NULL, label_en TEXT NOT NULL, opens INTEGER, closes INTEGER);
CREATE TABLE IF NOT EXISTS locations (gm TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, address TEXT NOT NULL, PRIMARY KEY (gm, id));
CREATE TABLE IF NOT EXISTS appointment_rules (gm TEXT NOT NULL, product TEXT NOT NULL, location TEXT NOT NULL, weekday INTEGER NOT NULL,
  opens INTEGER NOT NULL, closes INTEGER NOT NULL, every_minutes INTEGER NOT NULL, free_percent INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS waste_rules (gm TEXT NOT NULL, postcode_from INTEGER NOT NULL, postcode_to INTEGER NOT NULL, stream TEXT NOT NULL,
  weekday INTEGER NOT NULL, every_weeks INTEGER NOT NULL, anchor TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS applications (gm TEXT NOT NULL, reference TEXT NOT NULL, product TEXT NOT NULL, status TEXT NOT NULL,
  label_nl TEXT NOT NULL, label_en TEXT NOT NULL, updated TEXT NOT NULL, postcode TEXT NOT NULL, house_number INTEGER NOT NULL,
  PRIMARY KEY (gm, reference));
)sql";

// Deterministic "is this slot still free?": the same answer for the same slot on every instance.
std::uint32_t fnv1a(std::string_view text) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

int clock_or_throw(const json& value, const std::string& where) {
  auto m = value.is_string() ? parse_clock(value.get<std::string>()) : std::nullopt;
  if (!m) throw ConfigError("live seed: " + where + ": expected a time HH:MM");
  return *m;
}

Date date_or_throw(const json& value, const std::string& where) {
  auto d = value.is_string() ? parse_date(value.get<std::string>()) : std::nullopt;
  if (!d) throw ConfigError("live seed: " + where + ": expected a date YYYY-MM-DD");
  return *d;
}

const std::set<std::string>& streams() {
  static const std::set<std::string> s = {"rest", "gft", "papier", "pmd", "glas", "textiel"};
  return s;
}

const std::set<std::string>& statuses() {
  static const std::set<std::string> s = {"received", "in_progress", "ready", "collected", "rejected"};
  return s;
}

}  // namespace

SqliteProvider::SqliteProvider(const std::filesystem::path& database, const std::filesystem::path& seed_file)
    : db_(database) {
  // Sample data seeded before applications carried their address: seeded again from scratch.
  auto columns = db_.prepare("SELECT 1 FROM pragma_table_info('applications') WHERE name = 'postcode'");
  auto has_table = db_.prepare("SELECT 1 FROM sqlite_master WHERE name = 'applications'");
  if (has_table.step() && !columns.step()) {
    db_.exec("DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS weekly_hours; DROP TABLE IF EXISTS exceptions; "
             "DROP TABLE IF EXISTS locations; DROP TABLE IF EXISTS appointment_rules; DROP TABLE IF EXISTS waste_rules; "
             "DROP TABLE applications;");
  }
  db_.exec(kSchema);
  auto seeded = db_.prepare("SELECT value FROM meta WHERE key = 'seeded'");
  if (!seeded.step()) seed(seed_file);
}

void SqliteProvider::seed(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError("cannot read the live-data seed " + file.string());
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw ConfigError(file.string() + ": not a JSON object");
  try {
    db_.exec("BEGIN");
    auto exception_row = db_.prepare("INSERT INTO exceptions VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& h : j.value("holidays", json::array())) {
      exception_row.bind_null(1)
          .bind(2, iso_date(date_or_throw(h.at("date"), "holidays")))
          .bind(3, h.at("nl").get<std::string>())
          .bind(4, h.at("en").get<std::string>())
          .bind_null(5)
          .bind_null(6)
          .run();
      exception_row.reset();
    }
    auto hours = db_.prepare("INSERT INTO weekly_hours VALUES (?, ?, ?, ?)");
    auto location = db_.prepare("INSERT INTO locations VALUES (?, ?, ?, ?)");
    auto rule = db_.prepare("INSERT INTO appointment_rules VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    auto waste = db_.prepare("INSERT INTO waste_rules VALUES (?, ?, ?, ?, ?, ?, ?)");
    auto application = db_.prepare("INSERT INTO applications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& [gm, m] : j.at("municipalities").items()) {
      if (!is_municipality_code(gm)) throw ConfigError("live seed: " + gm + " is not a municipality code");
      const json weekly = m.value("weekly_hours", json::object()), locations = m.value("locations", json::object());
      for (const auto& [weekday, periods] : weekly.items()) {
        int wd = std::stoi(weekday);
        if (wd < 1 || wd > 7) throw ConfigError("live seed: " + gm + ": weekday " + weekday + " is not 1–7");
        for (const auto& p : periods) {
          hours.bind(1, gm).bind(2, wd).bind(3, clock_or_throw(p.at(0), gm)).bind(4, clock_or_throw(p.at(1), gm)).run();
          hours.reset();
        }
      }
      for (const auto& e : m.value("exceptions", json::array())) {
        auto date = iso_date(date_or_throw(e.at("date"), gm + " exceptions"));
        const auto& periods = e.at("periods");
        auto bind_label = [&] {
          exception_row.bind(1, gm).bind(2, date).bind(3, e.at("nl").get<std::string>()).bind(4, e.at("en").get<std::string>());
        };
        if (periods.empty()) {
          bind_label();
          exception_row.bind_null(5).bind_null(6).run();
          exception_row.reset();
        }
        for (const auto& p : periods) {
          bind_label();
          exception_row.bind(5, clock_or_throw(p.at(0), gm)).bind(6, clock_or_throw(p.at(1), gm)).run();
          exception_row.reset();
        }
      }
      for (const auto& [id, l] : locations.items()) {
        location.bind(1, gm).bind(2, id).bind(3, l.at("name").get<std::string>()).bind(4, l.at("address").get<std::string>()).run();
        location.reset();
      }
      for (const auto& r : m.value("appointments", json::array())) {
        auto where = gm + " appointments";
        auto loc = r.at("location").get<std::string>();
        if (!locations.contains(loc)) throw ConfigError("live seed: " + where + ": unknown location " + loc);
        int every = r.at("every_minutes").get<int>(), free = r.at("free_percent").get<int>();
        if (every < 5 || free < 0 || free > 100) throw ConfigError("live seed: " + where + ": every_minutes >= 5, free_percent 0–100");
        for (const auto& product : r.at("products")) {
          for (const auto& wd : r.at("weekdays")) {
            rule.bind(1, gm).bind(2, product.get<std::string>()).bind(3, loc).bind(4, wd.get<int>())
                .bind(5, clock_or_throw(r.at("from"), where)).bind(6, clock_or_throw(r.at("to"), where))
                .bind(7, every).bind(8, free).run();
            rule.reset();
          }
        }
      }
      for (const auto& w : m.value("waste", json::array())) {
        auto stream = w.at("stream").get<std::string>();
        if (!streams().count(stream)) throw ConfigError("live seed: " + gm + ": unknown waste stream " + stream);
        int every = w.at("every_weeks").get<int>();
        if (every < 1) throw ConfigError("live seed: " + gm + ": every_weeks must be >= 1");
        waste.bind(1, gm).bind(2, std::stoi(w.at("postcodes").at(0).get<std::string>()))
            .bind(3, std::stoi(w.at("postcodes").at(1).get<std::string>())).bind(4, stream)
            .bind(5, w.at("weekday").get<int>()).bind(6, every)
            .bind(7, iso_date(date_or_throw(w.at("anchor"), gm + " waste"))).run();
        waste.reset();
      }
      for (const auto& a : m.value("applications", json::array())) {
        auto status = a.at("status").get<std::string>();
        if (!statuses().count(status)) throw ConfigError("live seed: " + gm + ": unknown status " + status);
        application.bind(1, gm).bind(2, a.at("reference").get<std::string>()).bind(3, a.at("product").get<std::string>())
            .bind(4, status).bind(5, a.at("nl").get<std::string>()).bind(6, a.at("en").get<std::string>())
            .bind(7, a.at("updated").get<std::string>())
            .bind(8, parse_postcode(a.at("postcode").get<std::string>()))
            .bind(9, a.at("house_number").get<int>()).run();
        application.reset();
      }
    }
    db_.exec("INSERT INTO meta VALUES ('seeded', datetime('now'))");
    db_.exec("COMMIT");
  } catch (const json::exception& e) {
    db_.exec("ROLLBACK");
    throw ConfigError(file.string() + ": " + e.what());
  } catch (...) {
    db_.exec("ROLLBACK");
    throw;
  }
}

std::vector<Day> SqliteProvider::hours_locked(const std::string& gm, Date from, int days) {
  std::map<int, std::vector<Period>> weekly;
  auto w = db_.prepare("SELECT weekday, opens, closes FROM weekly_hours WHERE gm = ? ORDER BY weekday, opens");
  w.bind(1, gm);
  while (w.step()) weekly[static_cast<int>(w.integer(0))].push_back({static_cast<int>(w.integer(1)), static_cast<int>(w.integer(2))});

  // The municipality's own exception for a date replaces a national holiday on that date.
  auto e = db_.prepare(
      "SELECT date, label_nl, label_en, opens, closes, gm IS NULL FROM exceptions "
      "WHERE (gm = ? OR gm IS NULL) AND date >= ? AND date < ? ORDER BY gm IS NULL, opens");
  e.bind(1, gm).bind(2, iso_date(from)).bind(3, iso_date(from + std::chrono::days(days)));
  std::map<std::string, Day> exceptional;
  std::map<std::string, bool> own;
  while (e.step()) {
    auto date = e.text(0);
    bool national = e.integer(5) != 0;
    if (national && own[date]) continue;
    if (!national) own[date] = true;
    auto& day = exceptional[date];
    day.exception = Label{e.text(1), e.text(2)};
    if (!e.is_null(3)) day.periods.push_back({static_cast<int>(e.integer(3)), static_cast<int>(e.integer(4))});
  }

  std::vector<Day> out;
  for (int i = 0; i < days; ++i) {
    Date date = from + std::chrono::days(i);
    auto found = exceptional.find(iso_date(date));
    Day day = found != exceptional.end() ? found->second : Day{date, weekly[iso_weekday(date)], std::nullopt};
    day.date = date;
    out.push_back(std::move(day));
  }
  return out;
}

std::vector<Day> SqliteProvider::opening_hours(const Municipality& m, Date from, int days) {
  std::lock_guard lock(mutex_);
  return hours_locked(m.code, from, days);
}

std::vector<Slot> SqliteProvider::appointments(const Municipality& m, const std::string& product, const LocalTime& now,
                                               int limit) {
  std::lock_guard lock(mutex_);
  struct Rule {
    Location location;
    std::string location_id;
    int opens, closes, every, free;
  };
  std::map<int, std::vector<Rule>> rules;
  auto q = db_.prepare(
      "SELECT r.weekday, r.location, l.name, l.address, r.opens, r.closes, r.every_minutes, r.free_percent "
      "FROM appointment_rules r JOIN locations l ON l.gm = r.gm AND l.id = r.location WHERE r.gm = ? AND r.product = ?");
  q.bind(1, m.code).bind(2, product);
  while (q.step()) {
    rules[static_cast<int>(q.integer(0))].push_back(Rule{{q.text(2), q.text(3)}, q.text(1), static_cast<int>(q.integer(4)),
                                                        static_cast<int>(q.integer(5)), static_cast<int>(q.integer(6)),
                                                        static_cast<int>(q.integer(7))});
  }
  std::vector<Slot> slots;
  if (rules.empty()) return slots;
  const int horizon = 42;  // six weeks ahead, as municipal booking systems usually show
  auto days = hours_locked(m.code, now.date, horizon);
  for (const auto& day : days) {
    auto it = rules.find(iso_weekday(day.date));
    if (it == rules.end()) continue;
    std::vector<Slot> today;
    for (const auto& r : it->second) {
      for (int t = r.opens; t + r.every <= r.closes; t += r.every) {
        if (day.date == now.date && t <= now.minutes + 30) continue;  // not bookable at short notice
        // Only while the desk is open that day (holidays and short days remove slots).
        bool open = std::any_of(day.periods.begin(), day.periods.end(),
                                [&](const Period& p) { return t >= p.from && t + r.every <= p.to; });
        if (!open) continue;
        auto key = m.code + "|" + product + "|" + r.location_id + "|" + iso_date(day.date) + "|" + clock(t);
        if (static_cast<int>(fnv1a(key) % 100) >= r.free) continue;
        today.push_back(Slot{day.date, t, r.location});
      }
    }
    std::sort(today.begin(), today.end(), [](const Slot& a, const Slot& b) { return a.minutes < b.minutes; });
    for (auto& s : today) {
      slots.push_back(std::move(s));
      if (static_cast<int>(slots.size()) >= limit) return slots;
    }
  }
  return slots;
}

std::optional<std::vector<Collection>> SqliteProvider::waste(const Municipality& m, const Address& address, Date from,
                                                             int days) {
  std::lock_guard lock(mutex_);
  int digits = std::stoi(address.postcode.substr(0, 4));
  auto q = db_.prepare(
      "SELECT stream, weekday, every_weeks, anchor FROM waste_rules WHERE gm = ? AND ? BETWEEN postcode_from AND postcode_to");
  q.bind(1, m.code).bind(2, digits);
  struct Rule {
    std::string stream;
    int weekday, every;
    Date anchor;
  };
  std::vector<Rule> rules;
  while (q.step()) {
    auto anchor = parse_date(q.text(3));
    if (anchor) rules.push_back(Rule{q.text(0), static_cast<int>(q.integer(1)), static_cast<int>(q.integer(2)), *anchor});
  }
  if (rules.empty()) return std::nullopt;
  // Collections that fall on a public holiday move to the next working day (a week's margin for that).
  auto calendar = hours_locked(m.code, from, days + 7);
  auto holiday = [&](Date d) {
    for (const auto& day : calendar) {
      if (day.date == d) return day.exception.has_value() && day.periods.empty();
    }
    return false;
  };
  std::vector<Collection> out;
  for (const auto& r : rules) {
    for (int i = -7; i < days; ++i) {
      Date d = from + std::chrono::days(i);
      if (iso_weekday(d) != r.weekday) continue;
      auto weeks = (d - r.anchor).count() / 7;
      if ((d - r.anchor).count() < 0 || weeks % r.every != 0) continue;
      Date when = d;
      if (holiday(when)) {
        while (holiday(when) || iso_weekday(when) == 7) when += std::chrono::days(1);
      }
      if (when >= from && when < from + std::chrono::days(days)) out.push_back(Collection{when, r.stream});
    }
  }
  std::sort(out.begin(), out.end(), [](const Collection& a, const Collection& b) {
    return a.date != b.date ? a.date < b.date : a.stream < b.stream;
  });
  return out;
}

std::optional<ApplicationStatus> SqliteProvider::status(const Municipality& m, const std::string& reference,
                                                       const Address& address) {
  std::lock_guard lock(mutex_);
  auto q = db_.prepare(
      "SELECT reference, product, status, label_nl, label_en, updated FROM applications "
      "WHERE gm = ? AND upper(reference) = upper(?) AND postcode = ? AND house_number = ?");
  q.bind(1, m.code).bind(2, reference).bind(3, address.postcode).bind(4, address.house_number);
  if (!q.step()) return std::nullopt;
  return ApplicationStatus{q.text(0), q.text(1), q.text(2), Label{q.text(3), q.text(4)}, q.text(5)};
}

}  // namespace gem::live
