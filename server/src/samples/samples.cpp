#include "samples/samples.h"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include <gem/redact.h>

#include "config/config.h"
#include "http/http.h"
#include "live/calendar.h"

namespace gem::samples {
namespace {

using nlohmann::json;

void only_fields(const json& body, std::initializer_list<const char*> allowed, const std::string& prefix = "") {
  for (const auto& [key, _] : body.items()) {
    if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }) == allowed.end())
      throw http::bad_request(prefix + key, "unexpected field");
  }
}

// A label of one head: absent or null, or a string from the label set.
std::optional<std::string> label_field(const json& object, const char* head, const std::set<std::string>& allowed,
                                       const std::string& field) {
  if (!object.contains(head) || object[head].is_null()) return std::nullopt;
  if (!object[head].is_string() || !allowed.count(object[head].get<std::string>()))
    throw http::bad_request(field, "not a label of the label set (models/gem-nlu.json)");
  return object[head].get<std::string>();
}

Topic parse_topic(const json& object, const Labels& labels, const std::string& prefix) {
  return {label_field(object, "intent", labels.intents, prefix + "intent"),
          label_field(object, "product", labels.products, prefix + "product"),
          label_field(object, "aspect", labels.aspects, prefix + "aspect")};
}

// Characters (code points) of valid UTF-8; nlohmann::json has already rejected invalid UTF-8.
std::size_t characters(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool has_control_characters(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n' && c != '\t') || u == 0x7f;
  });
}

json topic_json(const Topic& t) {
  auto value = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  return {{"intent", value(t.intent)}, {"product", value(t.product)}, {"aspect", value(t.aspect)}};
}

json ranking(const std::map<std::string, std::int64_t>& counts, const char* key) {
  std::vector<std::pair<std::string, std::int64_t>> rows(counts.begin(), counts.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  if (rows.size() > 10) rows.resize(10);
  json out = json::array();
  for (const auto& [name, n] : rows) out.push_back({{key, name}, {"count", n}});
  return out;
}

}  // namespace

const char* kind_name(Label::Kind kind) {
  switch (kind) {
    case Label::Kind::new_topic: return "new_topic";
    case Label::Kind::out_of_scope: return "out_of_scope";
    case Label::Kind::taxonomy: break;
  }
  return "taxonomy";
}

Label::Kind kind_from_name(const std::string& name) {
  return name == "new_topic" ? Label::Kind::new_topic : name == "out_of_scope" ? Label::Kind::out_of_scope : Label::Kind::taxonomy;
}

Sample parse_sample(const json& body, const Labels& labels) {
  only_fields(body, {"municipality", "lang", "text", "reason", "understood"});
  auto string = [&](const char* field, const char* expected) {
    if (!body.contains(field) || !body[field].is_string()) throw http::bad_request(field, std::string("required: ") + expected);
    return body[field].get<std::string>();
  };
  Sample s;
  s.municipality = string("municipality", "a GM code");
  if (!is_municipality_code(s.municipality)) throw http::bad_request("municipality", "a municipality is GM followed by four digits");
  s.lang = string("lang", "\"nl\" or \"en\"");
  if (s.lang != "nl" && s.lang != "en") throw http::bad_request("lang", "expected \"nl\" or \"en\"");
  s.reason = string("reason", "\"not_understood\" or \"thumbs_down\"");
  if (s.reason != "not_understood" && s.reason != "thumbs_down")
    throw http::bad_request("reason", "expected \"not_understood\" or \"thumbs_down\"");
  auto text = string("text", "the question, redacted");
  if (text.find_first_not_of(" \t\n") == std::string::npos) throw http::bad_request("text", "the question is empty");
  if (characters(text) > kMaxTextChars)
    throw http::bad_request("text", "at most " + std::to_string(kMaxTextChars) + " characters");
  if (has_control_characters(text)) throw http::bad_request("text", "control characters are not allowed");
  // Defence in depth: the widget redacted already; whatever it missed or a hostile client sent is
  // caught by the same redactor here, before anything is stored.
  s.text = redact(text).text;
  if (!body.contains("understood") || !body["understood"].is_object())
    throw http::bad_request("understood", "required: {\"intent\", \"product\", \"aspect\"}");
  only_fields(body["understood"], {"intent", "product", "aspect"}, "understood.");
  s.understood = parse_topic(body["understood"], labels, "understood.");
  return s;
}

Label parse_label(const json& body, const Labels& labels) {
  if (body.contains("kind")) {
    only_fields(body, {"kind"});
    const auto& kind = body["kind"];
    if (kind == "new_topic" || kind == "out_of_scope") return {kind_from_name(kind.get<std::string>()), {}};
    throw http::bad_request("kind", "expected \"new_topic\" or \"out_of_scope\"");
  }
  only_fields(body, {"intent", "product", "aspect"});
  Label label{Label::Kind::taxonomy, parse_topic(body, labels, "")};
  if (!label.topic.intent) throw http::bad_request("intent", "required: an intent of the label set");
  return label;
}

json to_json(const Sample& s) {
  json label = nullptr;
  if (s.label) {
    label = s.label->kind == Label::Kind::taxonomy ? topic_json(s.label->topic) : json::object();
    label["kind"] = kind_name(s.label->kind);
  }
  return {{"id", s.id},         {"date", s.date},     {"municipality", s.municipality},       {"lang", s.lang},
          {"text", s.text},     {"reason", s.reason}, {"understood", topic_json(s.understood)}, {"label", label}};
}

json failures(const std::vector<Sample>& samples) {
  std::map<std::string, std::int64_t> products, aspects;
  std::int64_t unlabelled = 0, new_topic = 0, out_of_scope = 0;
  for (const auto& s : samples) {
    const Topic* topic = nullptr;
    if (s.label && s.label->kind == Label::Kind::taxonomy) topic = &s.label->topic;
    else if (s.label) ++(s.label->kind == Label::Kind::new_topic ? new_topic : out_of_scope);
    else if (s.reason == "thumbs_down") topic = &s.understood;
    else ++unlabelled;
    if (topic && topic->product) ++products[*topic->product];
    if (topic && topic->aspect) ++aspects[*topic->aspect];
  }
  return {{"samples", samples.size()}, {"products", ranking(products, "product")}, {"aspects", ranking(aspects, "aspect")},
          {"unlabelled", unlabelled}, {"new_topic", new_topic}, {"out_of_scope", out_of_scope}};
}

std::string new_id() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  unsigned char raw[8];
  randombytes_buf(raw, sizeof raw);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return hex;
}

std::string day_of(std::chrono::system_clock::time_point now) { return live::iso_date(live::amsterdam(now).date); }

Retention::Retention(Store& store, int days, Clock now) : store_(store), days_(days), now_(std::move(now)) {}

std::int64_t Retention::sweep() {
  // Kept for `days` whole days after the day it arrived; deleted on the next.
  auto today = live::amsterdam(now_()).date;
  return store_.remove_before(live::iso_date(today - std::chrono::days(days_)));
}

}  // namespace gem::samples
