#include "analytics/events.h"

#include <algorithm>
#include <set>

#include "http/http.h"

namespace gem::analytics {
namespace {

using nlohmann::json;

const std::set<std::string>& plain_types() {
  static const std::set<std::string> types = {
      "conversation_started", "understood_first_time", "understood_after_clarification", "not_understood",
      "handover_requested", "handover_accepted", "handover_no_agent", "thumbs_up", "thumbs_down"};
  return types;
}

std::int64_t get(const Counts& c, const std::string& key) {
  auto it = c.find(key);
  return it == c.end() ? 0 : it->second;
}

json ratio(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return nullptr;
  return static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

Batch parse_events(const json& body, const Labels& labels) {
  for (const auto& [key, _] : body.items()) {
    if (key != "municipality" && key != "events") throw http::bad_request(key, "unexpected field");
  }
  if (!body.contains("municipality") || !body["municipality"].is_string()) {
    throw http::bad_request("municipality", "required: a GM code");
  }
  if (!body.contains("events") || !body["events"].is_array()) throw http::bad_request("events", "required: an array");
  const auto& events = body["events"];
  if (events.empty() || events.size() > 50) throw http::bad_request("events", "expected 1 to 50 events");
  Batch batch;
  batch.municipality = body["municipality"].get<std::string>();
  for (const auto& e : events) {
    if (!e.is_object() || !e.contains("type") || !e["type"].is_string()) {
      throw http::bad_request("events[].type", "each event is an object with a type");
    }
    auto type = e["type"].get<std::string>();
    auto only = [&](std::initializer_list<const char*> allowed) {
      for (const auto& [key, _] : e.items()) {
        bool ok = key == "type";
        for (const char* a : allowed) ok = ok || key == a;
        if (!ok) throw http::bad_request("events[]." + key, "unexpected field for " + type);
      }
    };
    if (plain_types().count(type)) {
      only({});
      ++batch.counts[type];
    } else if (type == "answer") {
      only({"product", "aspect"});
      ++batch.counts["answer"];
      for (const char* field : {"product", "aspect"}) {
        if (!e.contains(field) || e[field].is_null()) continue;
        const auto& allowed = std::string(field) == "product" ? labels.products : labels.aspects;
        if (!e[field].is_string() || !allowed.count(e[field].get<std::string>())) {
          throw http::bad_request(std::string("events[].") + field, "not a label of the label set");
        }
        ++batch.counts["answer." + std::string(field) + "." + e[field].get<std::string>()];
      }
    } else if (type == "nps") {
      only({"score"});
      if (!e.contains("score") || !e["score"].is_number_integer() || e["score"].get<int>() < 0 || e["score"].get<int>() > 10) {
        throw http::bad_request("events[].score", "expected a whole number from 0 to 10");
      }
      ++batch.counts["nps." + std::to_string(e["score"].get<int>())];
    } else {
      throw http::bad_request("events[].type", "unknown event type");
    }
  }
  return batch;
}

json summarise(const std::map<std::string, Counts>& days) {
  Counts total;
  json daily = json::array();
  for (const auto& [date, counts] : days) {
    json row = {{"date", date}};
    for (const char* key : {"conversation_started", "understood_first_time", "understood_after_clarification",
                            "not_understood", "handover_requested", "handover_accepted", "handover_no_agent",
                            "thumbs_up", "thumbs_down"}) {
      row[key] = get(counts, key);
    }
    daily.push_back(row);
    for (const auto& [k, v] : counts) total[k] += v;
  }
  auto conversations = get(total, "conversation_started");
  auto first = get(total, "understood_first_time"), clarified = get(total, "understood_after_clarification"),
       missed = get(total, "not_understood");
  auto handovers = get(total, "handover_requested");
  std::int64_t promoters = 0, detractors = 0, responses = 0;
  for (int s = 0; s <= 10; ++s) {
    auto n = get(total, "nps." + std::to_string(s));
    responses += n;
    if (s >= 9) promoters += n;
    if (s <= 6) detractors += n;
  }
  std::vector<std::pair<std::string, std::int64_t>> products;
  const std::string prefix = "answer.product.";
  for (const auto& [k, v] : total) {
    if (k.rfind(prefix, 0) == 0) products.emplace_back(k.substr(prefix.size()), v);
  }
  std::sort(products.begin(), products.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (products.size() > 10) products.resize(10);
  json top = json::array();
  for (const auto& [p, n] : products) top.push_back({{"product", p}, {"count", n}});
  json nps = responses > 0 ? json(static_cast<double>(promoters - detractors) * 100.0 / static_cast<double>(responses))
                           : json(nullptr);
  return {{"daily", daily},
          {"totals",
           {{"conversations", conversations}, {"understood_first_time", first}, {"understood_after_clarification", clarified},
            {"not_understood", missed}, {"handover_requested", handovers},
            {"handover_accepted", get(total, "handover_accepted")}, {"handover_no_agent", get(total, "handover_no_agent")},
            {"thumbs_up", get(total, "thumbs_up")}, {"thumbs_down", get(total, "thumbs_down")}, {"nps_responses", responses}}},
          {"figures",
           {// Conversations that did not need a person.
            {"containment", conversations > 0 ? json(1.0 - std::min(1.0, static_cast<double>(handovers) / static_cast<double>(conversations)))
                                              : json(nullptr)},
            {"first_time_right", ratio(first, first + clarified + missed)},
            {"clarification_rate", ratio(clarified, first + clarified + missed)},
            {"handover_rate", ratio(handovers, conversations)},
            {"nps", nps}}},
          {"top_products", top}};
}

}  // namespace gem::analytics
