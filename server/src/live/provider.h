// Live data a browser cannot know: opening hours, appointment slots, waste collection days and
// application status. A municipality plugs in its own systems by implementing Provider and
// naming it in the config ("live_provider"); see server/README.md.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "live/calendar.h"

namespace gem {
struct Municipality;
}

namespace gem::live {

struct Label {
  std::string nl, en;
};

struct Period {
  int from = 0, to = 0;  // minutes since local midnight
};

struct Day {
  Date date;
  std::vector<Period> periods;     // empty: closed
  std::optional<Label> exception;  // a holiday or other deviation from the weekly hours
};

struct Location {
  std::string name, address;
};

struct Slot {
  Date date;
  int minutes = 0;
  Location location;
};

struct Collection {
  Date date;
  std::string stream;  // rest | gft | papier | pmd | glas | textiel
};

struct ApplicationStatus {
  std::string reference, product;
  std::string status;  // received | in_progress | ready | collected | rejected
  Label label;
  std::string updated;  // ISO 8601 with offset
};

struct Address {
  std::string postcode;      // normalised: 1234AB
  int house_number = 0;
  std::string addition;      // "A", "2-hoog", … (may be empty)
};

// Implementations must be safe to call from several threads at once. `today`/`now` are passed in so
// answers are reproducible. Throwing std::exception gives the resident a 502.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::vector<Day> opening_hours(const Municipality& m, Date from, int days) = 0;
  // Free slots for a product, from `now` on, earliest first, at most `limit`.
  virtual std::vector<Slot> appointments(const Municipality& m, const std::string& product, const LocalTime& now,
                                         int limit) = 0;
  // Collections for an address from `from` for `days` days, by date; nullopt: address not served.
  virtual std::optional<std::vector<Collection>> waste(const Municipality& m, const Address& address, Date from,
                                                       int days) = 0;
  // The application with this reference, only when it was made for this address (postcode and house
  // number; the addition is ignored): a reference alone is guessable, the pair is not.
  virtual std::optional<ApplicationStatus> status(const Municipality& m, const std::string& reference,
                                                  const Address& address) = 0;
};

// Providers by name, as municipalities' "live_provider" refers to them.
class Registry {
 public:
  void add(std::string name, std::shared_ptr<Provider> provider);
  // Throws std::logic_error when the municipality names a provider that is not registered.
  Provider& for_municipality(const Municipality& m) const;

  // Convenience for other modules (handover availability): hours today and whether open now.
  struct Today {
    bool open_now = false;
    Day day;
  };
  Today today(const Municipality& m, const LocalTime& now) const;

 private:
  std::map<std::string, std::shared_ptr<Provider>> providers_;
};

}  // namespace gem::live
