// Samples in PostgreSQL (libpq), for several gem-server instances sharing one database.
#include <mutex>

#include "samples/samples.h"
#include "storage/postgres.h"

namespace gem::samples {
namespace {

const char* const kSelect =
    "SELECT id, to_char(day, 'YYYY-MM-DD'), municipality, lang, text, reason, understood_intent, understood_product, "
    "understood_aspect, label_kind, label_intent, label_product, label_aspect FROM gem_samples ";

std::optional<std::string> optional_text(const storage::PgResult& r, int row, int column) {
  return r.is_null(row, column) ? std::nullopt : std::optional<std::string>(r.text(row, column));
}

Sample read_row(const storage::PgResult& r, int i) {
  Sample s{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5),
           {optional_text(r, i, 6), optional_text(r, i, 7), optional_text(r, i, 8)}, std::nullopt};
  if (!r.is_null(i, 9)) s.label = Label{kind_from_name(r.text(i, 9)), {optional_text(r, i, 10), optional_text(r, i, 11), optional_text(r, i, 12)}};
  return s;
}

class PostgresStore : public Store {
 public:
  explicit PostgresStore(const std::string& url) : db_(url, "samples") {
    db_.command(
        "CREATE TABLE IF NOT EXISTS gem_samples (id TEXT PRIMARY KEY, day DATE NOT NULL, municipality TEXT NOT NULL, "
        "lang TEXT NOT NULL, text TEXT NOT NULL, reason TEXT NOT NULL, understood_intent TEXT, understood_product TEXT, "
        "understood_aspect TEXT, label_kind TEXT, label_intent TEXT, label_product TEXT, label_aspect TEXT)");
  }

  void add(const Sample& s) override {
    std::lock_guard lock(mutex_);
    // NULLIF: libpq passes text parameters; an empty string stands for "no label" (labels are never empty).
    db_.command(
        "INSERT INTO gem_samples (id, day, municipality, lang, text, reason, understood_intent, understood_product, understood_aspect) "
        "VALUES ($1, $2::date, $3, $4, $5, $6, NULLIF($7, ''), NULLIF($8, ''), NULLIF($9, ''))",
        {s.id, s.date, s.municipality, s.lang, s.text, s.reason, s.understood.intent.value_or(""),
         s.understood.product.value_or(""), s.understood.aspect.value_or("")});
  }

  std::vector<Sample> list(const std::string& gm) override {
    std::lock_guard lock(mutex_);
    auto r = db_.command((std::string(kSelect) + "WHERE municipality = $1 ORDER BY day DESC, id").c_str(), {gm});
    std::vector<Sample> out;
    for (int i = 0; i < r->rows(); ++i) out.push_back(read_row(*r, i));
    return out;
  }

  std::optional<Sample> get(const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto r = db_.command((std::string(kSelect) + "WHERE id = $1").c_str(), {id});
    if (r->rows() == 0) return std::nullopt;
    return read_row(*r, 0);
  }

  bool set_label(const std::string& id, const Label& label) override {
    std::lock_guard lock(mutex_);
    auto r = db_.command(
        "UPDATE gem_samples SET label_kind = $1, label_intent = NULLIF($2, ''), label_product = NULLIF($3, ''), "
        "label_aspect = NULLIF($4, '') WHERE id = $5",
        {kind_name(label.kind), label.topic.intent.value_or(""), label.topic.product.value_or(""), label.topic.aspect.value_or(""), id});
    return r->affected() > 0;
  }

  bool remove(const std::string& id) override {
    std::lock_guard lock(mutex_);
    return db_.command("DELETE FROM gem_samples WHERE id = $1", {id})->affected() > 0;
  }

  std::int64_t remove_before(const std::string& date) override {
    std::lock_guard lock(mutex_);
    return db_.command("DELETE FROM gem_samples WHERE day < $1::date", {date})->affected();
  }

 private:
  std::mutex mutex_;
  storage::PgConnection db_;
};

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& url) { return std::make_unique<PostgresStore>(url); }

}  // namespace gem::samples
