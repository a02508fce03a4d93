#include <stdexcept>

#include "config/config.h"
#include "live/provider.h"

namespace gem::live {

void Registry::add(std::string name, std::shared_ptr<Provider> provider) { providers_[std::move(name)] = std::move(provider); }

Provider& Registry::for_municipality(const Municipality& m) const {
  auto it = providers_.find(m.live_provider);
  if (it == providers_.end()) {
    throw std::logic_error(m.code + ": live_provider \"" + m.live_provider + "\" is not registered");
  }
  return *it->second;
}

Registry::Today Registry::today(const Municipality& m, const LocalTime& now) const {
  Today t;
  t.day = for_municipality(m).opening_hours(m, now.date, 1).at(0);
  for (const auto& p : t.day.periods) {
    if (now.minutes >= p.from && now.minutes < p.to) t.open_now = true;
  }
  return t;
}

}  // namespace gem::live
