#include "auth/shared_sessions.h"

#include <nlohmann/json.hpp>

namespace gem::auth {
namespace {

// One key per session ("staff_session:<token hash>" → {"username","csrf","expires"}) and an index
// hash ("staff_sessions": token hash → user name) to sign a user out everywhere and to purge.
class KeyValueSessions : public SessionTable {
 public:
  explicit KeyValueSessions(std::unique_ptr<handover::Store> store) : store_(std::move(store)) {}

  void put(const std::string& hash, const SessionRow& row) override {
    store_->set(key(hash), nlohmann::json{{"username", row.username}, {"csrf", row.csrf}, {"expires", row.expires}}.dump());
    store_->hash_set(kIndex, hash, row.username);
  }
  std::optional<SessionRow> get(const std::string& hash) override {
    auto value = store_->get(key(hash));
    if (!value) return std::nullopt;
    auto j = nlohmann::json::parse(*value, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return SessionRow{j.value("username", ""), j.value("csrf", ""), j.value("expires", std::int64_t{0})};
  }
  void erase(const std::string& hash) override {
    store_->del(key(hash));
    store_->hash_del(kIndex, hash);
  }
  void erase_user(const std::string& username) override {
    for (const auto& [hash, user] : store_->hash_all(kIndex)) {
      if (user == username) erase(hash);
    }
  }
  void erase_expired(std::int64_t now) override {
    for (const auto& [hash, _] : store_->hash_all(kIndex)) {
      auto row = get(hash);
      if (!row || row->expires <= now) erase(hash);
    }
  }

 private:
  static constexpr const char* kIndex = "staff_sessions";
  static std::string key(const std::string& hash) { return "staff_session:" + hash; }
  std::unique_ptr<handover::Store> store_;
};

}  // namespace

std::unique_ptr<SessionTable> shared_sessions(std::unique_ptr<handover::Store> store) {
  return std::make_unique<KeyValueSessions>(std::move(store));
}

}  // namespace gem::auth
