// The dialogue manager: what to say next, given what the resident meant and what came before.
//
//   gem::Dialogue dialogue(pack_json, municipalities_tsv);   // one content pack (scripts/gem content build)
//   gem::Conversation state;                                 // per session; serialisable
//   gem::Response r = dialogue.welcome(state);
//   r = dialogue.respond(state, understanding);               // after the classifier
//   r = dialogue.choose(state, "aspect:kosten");              // a quick-reply button
//   std::string json = gem::to_json(r);
//
// Pure: no I/O, no clock. Live data and human handover are events the widget acts on.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gem/nlu.h"

namespace gem {

// What the assistant asked last, so a short reply ("ja", "paspoort", "1234 AB 5") can complete it.
enum class Pending { none, document, product, aspect, address, reference, did_you_mean };

struct Conversation {
  std::optional<std::string> product, aspect, municipality, person, country;
  std::optional<std::string> postcode, house_number;  // kept in the browser only, for a live look-up
  std::string lang = "nl";
  int turns = 0;
  int failures = 0;           // misunderstandings in a row
  Pending pending = Pending::none;
  std::vector<std::string> offered;  // button ids of the last did-you-mean question

  std::string to_json() const;
  static Conversation from_json(std::string_view json);  // throws gem::Error on malformed state
};

struct QuickReply {
  std::string id;     // "product:paspoort", "aspect:kosten", "read:product_vraag:paspoort:kosten", "handover"
  std::string label;
};

struct Link {
  std::string title, url;
};

struct Event {
  std::string type;  // handover_offer | live_request | feedback_request
  std::string kind;  // live_request: appointment_slots | opening_hours | waste_collection | application_status;
                     // handover_offer: asked | not_understood
  std::vector<std::pair<std::string, std::string>> params;  // live_request input (municipality, product, postcode, …)
};

struct Response {
  std::string lang;
  std::string text;  // safe Markdown subset: paragraphs, lists, **bold**, [links](https://…)
  std::vector<QuickReply> quick_replies;
  std::string quick_replies_label;  // accessible name of the button group
  std::vector<Link> links;
  std::vector<Event> events;
  // What the assistant took the message to mean and the topic afterwards (for tests and analytics labels).
  std::string intent;
  std::optional<std::string> product, aspect, municipality, person;
};

class Dialogue {
 public:
  // `municipality` names the site's municipality when the pack is the generic one.
  Dialogue(std::string_view pack_json, std::string_view municipalities_tsv, std::string_view municipality = "");
  ~Dialogue();
  Dialogue(Dialogue&&) noexcept;
  Dialogue& operator=(Dialogue&&) noexcept;

  Response welcome(Conversation& state) const;
  Response respond(Conversation& state, const Understanding& understanding) const;
  Response choose(Conversation& state, std::string_view button_id) const;

  const std::string& home_municipality() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string to_json(const Response& response);

}  // namespace gem
