// Consented samples (issue #19): one question a resident chose to share after Gem did not understand
// it or after a thumbs-down, redacted in the browser and again here. Kept per municipality with the day,
// the language, the reason and what Gem understood; no IP, no session id, no time of day, and ids are
// random so that nothing links two samples. Editors label them; labelled ones are exported for training.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/labels.h"

namespace gem::samples {

// Labels from the taxonomy (models/gem-nlu.json); each may be absent.
struct Topic {
  std::optional<std::string> intent, product, aspect;
};

struct Label {
  enum class Kind { taxonomy, new_topic, out_of_scope };
  Kind kind = Kind::taxonomy;
  Topic topic;  // for Kind::taxonomy only
};

// "taxonomy" | "new_topic" | "out_of_scope", as stored and sent.
const char* kind_name(Label::Kind kind);
Label::Kind kind_from_name(const std::string& name);  // unknown names: taxonomy

struct Sample {
  std::string id;             // 16 random hex characters
  std::string date;           // YYYY-MM-DD (Europe/Amsterdam), the day it arrived
  std::string municipality;   // GM code
  std::string lang;           // "nl" | "en"
  std::string text;           // redacted, at most kMaxTextChars characters before the server's redaction
  std::string reason;         // "not_understood" | "thumbs_down"
  Topic understood;           // what Gem guessed
  std::optional<Label> label; // what an editor said it is
};

inline constexpr std::size_t kMaxBodyBytes = 2048;
inline constexpr std::size_t kMaxTextChars = 500;

// A POST /v1/samples body (docs/protocol.md) → a sample without id and date, its text redacted with
// gem::redact. Throws http::HttpError 400 naming the field.
Sample parse_sample(const nlohmann::json& body, const Labels& labels);
// A POST /v1/staff/samples/{id}/label body: {"intent", "product", "aspect"} or {"kind": "new_topic" | "out_of_scope"}.
Label parse_label(const nlohmann::json& body, const Labels& labels);

nlohmann::json to_json(const Sample& sample);
// Where residents failed most, by product and by aspect: an editor's taxonomy label where there is
// one, otherwise what Gem answered when the resident gave a thumbs-down (a not-understood sample
// has no topic until it is labelled). {"products": [{"product", "count"}], "aspects": [...], "unlabelled": n}
nlohmann::json failures(const std::vector<Sample>& samples);

// A fresh random id.
std::string new_id();

// Where samples live. Implementations are thread-safe.
class Store {
 public:
  virtual ~Store() = default;
  virtual void add(const Sample& sample) = 0;  // id and date set
  // Newest day first; within a day in id order (random, so the order of arrival is not kept).
  virtual std::vector<Sample> list(const std::string& gm) = 0;
  virtual std::optional<Sample> get(const std::string& id) = 0;
  // false when there is no such sample.
  virtual bool set_label(const std::string& id, const Label& label) = 0;
  virtual bool remove(const std::string& id) = 0;
  // Deletes every sample dated before `date` (YYYY-MM-DD); returns how many.
  virtual std::int64_t remove_before(const std::string& date) = 0;
};

// Deleted rows are zeroed and leave the write-ahead log at once (secure_delete, checkpoint).
std::unique_ptr<Store> open_sqlite_store(const std::string& file);
// postgresql://… (libpq); throws std::runtime_error when it cannot connect.
std::unique_ptr<Store> open_postgres_store(const std::string& url);

using Clock = std::function<std::chrono::system_clock::time_point()>;

// The day a sample arriving at `now` carries (Europe/Amsterdam).
std::string day_of(std::chrono::system_clock::time_point now);

// Retention: a sample is deleted once it is more than `days` days old. The server's sweeper thread
// calls sweep() at start and every hour; tests call it with a fake clock.
class Retention {
 public:
  Retention(Store& store, int days, Clock now = [] { return std::chrono::system_clock::now(); });
  // Deletes what is too old; returns how many.
  std::int64_t sweep();
  int days() const { return days_; }

 private:
  Store& store_;
  int days_;
  Clock now_;
};

}  // namespace gem::samples
