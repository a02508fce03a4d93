// Samples in SQLite (the embedded default): one row per sample in a table without rowid, so that not
// even the file keeps the order in which samples arrived.
#include <mutex>

#include "samples/samples.h"
#include "storage/sqlite.h"

namespace gem::samples {
namespace {

const char* const kColumns =
    "id, day, municipality, lang, text, reason, understood_intent, understood_product, understood_aspect, "
    "label_kind, label_intent, label_product, label_aspect";

std::optional<std::string> optional_text(const storage::Statement& q, int column) {
  return q.is_null(column) ? std::nullopt : std::optional<std::string>(q.text(column));
}

Sample read_row(const storage::Statement& q) {
  Sample s{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5),
           {optional_text(q, 6), optional_text(q, 7), optional_text(q, 8)}, std::nullopt};
  if (!q.is_null(9)) {
    s.label = Label{kind_from_name(q.text(9)), {optional_text(q, 10), optional_text(q, 11), optional_text(q, 12)}};
  }
  return s;
}

void bind_optional(storage::Statement& q, int index, const std::optional<std::string>& value) {
  if (value) q.bind(index, *value);
  else q.bind_null(index);
}

class SqliteStore : public Store {
 public:
  explicit SqliteStore(const std::string& file) : db_(file) {
    db_.exec("PRAGMA secure_delete=ON");
    db_.exec(
        "CREATE TABLE IF NOT EXISTS samples (id TEXT PRIMARY KEY, day TEXT NOT NULL, municipality TEXT NOT NULL, "
        "lang TEXT NOT NULL, text TEXT NOT NULL, reason TEXT NOT NULL, understood_intent TEXT, understood_product TEXT, "
        "understood_aspect TEXT, label_kind TEXT, label_intent TEXT, label_product TEXT, label_aspect TEXT) WITHOUT ROWID");
  }

  void add(const Sample& s) override {
    std::lock_guard lock(mutex_);
    auto q = db_.prepare(std::string("INSERT INTO samples (") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)");
    q.bind(1, s.id).bind(2, s.date).bind(3, s.municipality).bind(4, s.lang).bind(5, s.text).bind(6, s.reason);
    bind_optional(q, 7, s.understood.intent);
    bind_optional(q, 8, s.understood.product);
    bind_optional(q, 9, s.understood.aspect);
    q.run();
  }

  std::vector<Sample> list(const std::string& gm) override {
    std::lock_guard lock(mutex_);
    auto q = db_.prepare(std::string("SELECT ") + kColumns + " FROM samples WHERE municipality = ? ORDER BY day DESC, id");
    q.bind(1, gm);
    std::vector<Sample> out;
    while (q.step()) out.push_back(read_row(q));
    return out;
  }

  std::optional<Sample> get(const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto q = db_.prepare(std::string("SELECT ") + kColumns + " FROM samples WHERE id = ?");
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_row(q);
  }

  bool set_label(const std::string& id, const Label& label) override {
    std::lock_guard lock(mutex_);
    auto q = db_.prepare(
        "UPDATE samples SET label_kind = ?, label_intent = ?, label_product = ?, label_aspect = ? WHERE id = ? RETURNING id");
    q.bind(1, kind_name(label.kind));
    bind_optional(q, 2, label.topic.intent);
    bind_optional(q, 3, label.topic.product);
    bind_optional(q, 4, label.topic.aspect);
    q.bind(5, id);
    bool found = q.step();
    q.run();
    return found;
  }

  bool remove(const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto q = db_.prepare("DELETE FROM samples WHERE id = ? RETURNING id");
    q.bind(1, id);
    bool found = q.step();
    q.run();
    checkpoint();
    return found;
  }

  std::int64_t remove_before(const std::string& date) override {
    std::lock_guard lock(mutex_);
    auto q = db_.prepare("DELETE FROM samples WHERE day < ? RETURNING id");
    q.bind(1, date);
    std::int64_t n = 0;
    while (q.step()) ++n;
    if (n > 0) checkpoint();
    return n;
  }

 private:
  // Deleted text must not linger in the write-ahead log: fold it into the file (where secure_delete
  // zeroed the rows) and truncate the log.
  void checkpoint() { db_.exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

  std::mutex mutex_;
  storage::Database db_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& file) { return std::make_unique<SqliteStore>(file); }

}  // namespace gem::samples
