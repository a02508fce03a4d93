// Bridges a municipality's existing live-chat product. The hub tells the adapter what happens to a
// conversation (events below); the vendor answers through Hub::vendor_event, e.g. from a webhook.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace gem::handover {

class VendorAdapter {
 public:
  virtual ~VendorAdapter() = default;
  // `event` is one of:
  //   {"event":"queued","conversation","municipality","lang","consent","transcript","topic"}
  //   {"event":"message","conversation","municipality","text"}
  //   {"event":"ended","conversation","municipality","reason"}
  // Must not block: adapters queue their own network work.
  virtual void notify(const nlohmann::json& event) = 0;
};

}  // namespace gem::handover
