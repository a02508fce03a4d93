// The moments only the widget sees happen, put into words by the core: the steps of a human handover, the
// note about personal data, and the few other bubbles and panel texts the widget shows.
#include <algorithm>
#include <cmath>

#include "dialogue_impl.h"
#include "gem/redact.h"

namespace gem {
namespace {

// Keys of content/dialogue.yml the widget may ask for with Dialogue::say.
const std::vector<std::string> kSayKeys = {"new_conversation", "offline", "live_not_connected", "live_unavailable",
                                           "feedback", "truncated"};

// The order in which the note names kinds of personal data: the most sensitive first, the address last.
constexpr PiiKind kNoteOrder[] = {PiiKind::bsn, PiiKind::iban, PiiKind::document_number, PiiKind::phone,
                                  PiiKind::email, PiiKind::birth_date, PiiKind::licence_plate, PiiKind::address};

const std::vector<std::string> kEndedReasons = {"agent_ended", "resident_ended", "cancelled", "no_agent", "closed", "busy", "shutdown"};

std::string string_field(const json& e, const char* key, const char* what = "handover event") {
  if (!e.contains(key) || e[key].is_null()) return {};
  if (!e[key].is_string()) throw Error(std::string(what) + ": '" + key + "' must be text");
  return e[key].get<std::string>();
}

long number_field(const json& e, const char* key) {
  if (!e.contains(key) || e[key].is_null()) return 0;
  if (!e[key].is_number()) throw Error(std::string("handover event: '") + key + "' must be a number");
  return std::lround(e[key].get<double>());
}

long minutes(long seconds) { return std::max(1L, std::lround(seconds / 60.0)); }

}  // namespace

const std::vector<std::string>& Dialogue::say_keys() { return kSayKeys; }

Response Dialogue::say(const Conversation& c, std::string_view key, const std::map<std::string, std::string>& params) const {
  if (std::find(kSayKeys.begin(), kSayKeys.end(), key) == kSayKeys.end()) {
    std::string known;
    for (const auto& k : kSayKeys) known += (known.empty() ? "" : ", ") + k;
    throw Error("say: unknown key '" + std::string(key) + "' (expected one of " + known + ")");
  }
  Response r = impl_->start(c, std::string(key));
  r.text = impl_->say(std::string(key), c, params);
  impl_->finish(r, c);
  return r;
}

std::map<std::string, std::string> Dialogue::ui(const Conversation& c) const {
  std::map<std::string, std::string> out;
  for (const auto& [key, text] : impl_->pack["ui"].items()) {
    // Placeholders stay for the widget ({score}, {name}); tone and language are settled here.
    out[key] = render_template(text.value(c.lang, ""), impl_->tone, [](std::string_view name) {
      return std::optional<std::string>("{" + std::string(name) + "}");
    });
  }
  return out;
}

std::optional<Response> Dialogue::privacy_note(Conversation& c, const std::map<std::string, std::size_t>& counts,
                                               PrivacyContext context) const {
  const auto& I = *impl_;
  std::vector<std::string> kinds;
  for (const auto kind : kNoteOrder) {
    const std::string k(name(kind));
    const auto it = counts.find(k);
    // An address is expected when the assistant asked for one (waste days, the status of an application).
    if (it == counts.end() || it->second == 0 || (kind == PiiKind::address && context.address_expected)) continue;
    if (std::find(c.privacy_noted.begin(), c.privacy_noted.end(), k) != c.privacy_noted.end()) continue;
    kinds.push_back(k);
  }
  for (const auto& entry : counts)
    if (std::none_of(std::begin(kAllPiiKinds), std::end(kAllPiiKinds), [&](PiiKind p) { return name(p) == entry.first; }))
      throw Error("privacy note: unknown kind of personal data '" + entry.first + "'");
  if (kinds.empty()) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& k : kinds) {
    names.push_back(I.render(I.pack["dialogue"]["pii_kinds"].value(k, json()), c.lang, I.about(c)));
    c.privacy_noted.push_back(k);
  }
  Response r = I.start(c, "privacy_note");
  r.text = I.say("pii_warning", c, {{"kinds", I.join_list(names, c.lang)}});
  if (context.to_agent) r.text += " " + I.say("pii_agent", c);
  I.finish(r, c);
  return r;
}

Response Dialogue::sample_offer(const Conversation& c, std::string_view understood_json) const {
  const auto& I = *impl_;
  constexpr const char* what = "sample offer";
  json u;
  try {
    u = json::parse(understood_json);
  } catch (const json::parse_error& error) {
    throw Error(std::string(what) + ": " + error.what());
  }
  if (!u.is_object()) throw Error("sample offer: expected {\"reason\", \"intent\", \"product\", \"aspect\"}");
  const auto reason = string_field(u, "reason", what);
  if (reason != "not_understood" && reason != "thumbs_down")
    throw Error("sample offer: 'reason' is '" + reason + "', expected not_understood or thumbs_down");
  const auto intent = string_field(u, "intent", what), product = string_field(u, "product", what),
             aspect = string_field(u, "aspect", what);
  const auto& labels = I.pack["dialogue"];
  if (!product.empty() && !labels["products"].contains(product)) throw Error("sample offer: unknown product '" + product + "'");
  if (!aspect.empty() && !labels["aspects"].contains(aspect)) throw Error("sample offer: unknown aspect '" + aspect + "'");
  // The labels in the resident's words, as the did-you-mean buttons name them; never the ids.
  std::string words;
  if (!product.empty()) words = I.product_label(product, c.lang) + (aspect.empty() ? "" : ": " + I.aspect_label(aspect, c.lang));
  else if (intent == "medewerker") words = I.say("talk_to_staff", c);
  Response r = I.start(c, "sample_offer");
  r.text = I.say("sample_offer", c);
  r.items.push_back(words.empty() ? I.say("sample_understood_nothing", c)
                                  : I.say(reason == "thumbs_down" ? "sample_understood" : "sample_guessed", c, {{"understood", words}}));
  I.finish(r, c);
  return r;
}

Response Dialogue::handover(Conversation& c, std::string_view event_json) const {
  const auto& I = *impl_;
  json e;
  try {
    e = json::parse(event_json);
  } catch (const json::parse_error& error) {
    throw Error(std::string("handover event: ") + error.what());
  }
  if (!e.is_object() || !e.contains("type") || !e["type"].is_string()) throw Error("handover event: expected {\"type\": …}");
  const std::string type = e["type"].get<std::string>();
  Response r = I.start(c, "handover");
  // Phone, contact form and call-back link from the server's availability answer: list lines and links.
  const auto alternatives = [&] {
    const json alt = e.value("alternatives", json::object());
    if (!alt.is_object()) return;
    if (const auto phone = string_field(alt, "phone"); !phone.empty()) r.items.push_back(I.say("handover_call", c, {{"number", phone}}));
    for (const auto& [key, title] : {std::pair{"contact_form_url", "handover_contact_form"}, std::pair{"callback_url", "handover_callback"}})
      if (const auto url = string_field(alt, key); url.rfind("https://", 0) == 0) r.links.push_back({I.say(title, c), url});
  };
  // Without alternatives from the server: the municipality's own contact answer.
  const auto contact = [&](const std::string& why) {
    if (I.pack["products"].contains("contact")) {
      c.product = "contact";
      c.aspect.reset();
      Response answer = I.answer(c, "handover");
      answer.text = I.say(why, c) + "\n\n" + answer.text;
      r = std::move(answer);
    } else {
      r.text = I.say(why, c);
    }
  };
  r.plain = true;  // names and numbers of the server are shown as text, never as Markdown
  if (type == "unavailable") {
    c.handover = HandoverPhase::none;
    r.plain = false;
    contact("handover_unavailable");
  } else if (type == "failed") {
    c.handover = HandoverPhase::none;
    if (e.contains("alternatives")) {
      r.text = I.say("handover_failed", c);
      alternatives();
    } else {
      r.plain = false;
      contact("handover_failed");
    }
  } else if (type == "closed" || type == "no_agent") {
    c.handover = HandoverPhase::none;
    r.text = I.say(type == "closed" ? "handover_closed" : "handover_no_agent", c);
    alternatives();
  } else if (type == "consent") {
    c.handover = HandoverPhase::consent;
    c.awaiting = Awaiting::consent;
    const long queue = number_field(e, "queue_length"), wait = minutes(number_field(e, "eta_seconds"));
    r.text = I.say("handover_available", c) + " " +
             (queue <= 0 ? I.say("handover_queue_none", c) : queue == 1 ? I.say("handover_queue_one", c)
                                                                        : I.say("handover_queue_many", c, {{"count", std::to_string(queue)}})) +
             " " + (wait <= 1 ? I.say("handover_wait_one", c) : I.say("handover_wait_many", c, {{"minutes", std::to_string(wait)}})) +
             " " + I.say("handover_consent", c) + " " + I.say("handover_consent_explain", c);
    r.quick_replies_label = I.say("handover_consent", c);
    r.quick_replies = {{"handover:consent_yes", I.say("handover_consent_yes", c), ReplyKind::action},
                       {"handover:consent_no", I.say("handover_consent_no", c), ReplyKind::action}};
  } else if (type == "started") {
    c.handover = HandoverPhase::waiting;
    c.awaiting = Awaiting::none;
    r.text = I.say("handover_connecting", c);
  } else if (type == "queued") {
    c.handover = HandoverPhase::waiting;
    const long wait = minutes(number_field(e, "eta_seconds"));
    r.text = I.say("handover_queued", c, {{"position", std::to_string(std::max(1L, number_field(e, "position")))}}) + " " +
             (wait <= 1 ? I.say("handover_left_one", c) : I.say("handover_left_many", c, {{"minutes", std::to_string(wait)}}));
  } else if (type == "agent_joined") {
    c.handover = HandoverPhase::connected;
    r.text = I.say("handover_agent_joined", c, {{"agent", string_field(e, "name")}});
  } else if (type == "agent_left") {
    c.handover = HandoverPhase::waiting;
    r.text = I.say("handover_agent_left", c);
  } else if (type == "typing") {
    const auto who = string_field(e, "name");
    r.text = I.say("handover_typing", c, {{"agent", who.empty() ? I.say("handover_agent", c) : who}});
  } else if (type == "lost") {
    r.text = I.say("handover_reconnecting", c);
  } else if (type == "reconnected") {
    r.text = I.say("handover_reconnected", c);
  } else if (type == "ended") {
    c.handover = HandoverPhase::ended;
    const auto reason = string_field(e, "reason");
    if (reason == "failed" || reason == "busy") {  // busy: the queue is full, nothing was started
      r.text = I.say(reason == "busy" ? "handover_ended_busy" : "handover_failed", c);
      alternatives();
    } else {
      const bool known = std::find(kEndedReasons.begin(), kEndedReasons.end(), reason) != kEndedReasons.end();
      r.text = I.say("handover_ended_" + (known ? reason : std::string("shutdown")), c);
    }
  } else {
    throw Error("handover event: unknown type '" + type + "' (expected unavailable, failed, closed, no_agent, consent, "
                "started, queued, agent_joined, agent_left, typing, lost, reconnected or ended)");
  }
  keep_reference_only_while_awaited(c);
  I.finish(r, c);
  return r;
}

}  // namespace gem
