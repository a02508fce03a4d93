// JavaScript bindings of the core (embind). The browser and Node load this module, run the ONNX
// model themselves (ONNX Runtime Web is asynchronous) and hand the probabilities back:
//
//   const nlu = Module.Understander.create({spm, metadata, municipalities, aliases, countries});
//   const analysis = nlu.analyse(text);          // analysis.ids(): Int32Array for the model
//   const json = nlu.interpret(analysis, intent, product, aspect, lang);  // Float32Arrays
//   analysis.delete();
//
// Before ONNX Runtime has arrived, the core's compact tier (models/gem-compact.bin) scores on its own:
//   nlu.loadCompact(bytes);                          // Uint8Array; throws on malformed bytes
//   const [intent, product, aspect, lang] = nlu.compactScores(analysis);  // Float32Arrays
//   if (nlu.compactSure(intent, product, aspect, lang)) json = nlu.interpret(analysis, intent, product, aspect, lang);
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <nlohmann/json.hpp>

#include "gem/compact.h"
#include "gem/dialogue.h"
#include "gem/nlu.h"
#include "gem/redact.h"
#include "js_error.h"

using emscripten::val;

namespace {

// A Uint8Array, ArrayBuffer or Node Buffer as bytes.
std::string js_bytes(const val& f) {
  const val bytes = val::global("Uint8Array").new_(f);
  std::string out(bytes["length"].as<std::size_t>(), '\0');
  val(emscripten::typed_memory_view(out.size(), reinterpret_cast<std::uint8_t*>(out.data()))).call<void>("set", bytes);
  return out;
}

// A string, or the UTF-8 bytes of one. Bytes are copied in one step: embind's std::string would copy a
// Uint8Array byte by byte in JavaScript (some 15 ms of a phone's first answer for a content pack).
std::string text_or_bytes(const val& f, const std::string& what) {
  if (f.isUndefined() || f.isNull()) throw gem::Error(what + " is missing");
  return f.isString() ? f.as<std::string>() : js_bytes(f);
}

std::string bytes_or_string(const val& v, const char* field) {
  return text_or_bytes(v[field], std::string("resources.") + field);
}

val float32_array(const std::vector<float>& v) {
  return val::global("Float32Array").new_(val(emscripten::typed_memory_view(v.size(), v.data())));
}

class JsAnalysis {
 public:
  explicit JsAnalysis(gem::Analysis a) : a_(std::move(a)) {}
  val ids() const {
    return val::global("Int32Array").new_(val(emscripten::typed_memory_view(a_.token_ids.size(), a_.token_ids.data())));
  }
  const gem::Analysis& get() const { return a_; }

 private:
  gem::Analysis a_;
};

class JsUnderstander {
 public:
  static JsUnderstander* create(const val& resources) {
    try {
      return new JsUnderstander(load(resources));
    } catch (const std::exception& e) {
      throw_js(e);
    }
  }

  JsAnalysis* analyse(const std::string& text) const { return new JsAnalysis(nlu_.analyse(text)); }

  std::string interpret(const JsAnalysis& analysis, const val& intent, const val& product, const val& aspect,
                        const val& lang) const {
    try {
      return gem::to_json(understanding(analysis, intent, product, aspect, lang));
    } catch (const std::exception& e) {
      throw_js(e);
    }
  }

  gem::Understanding understanding(const JsAnalysis& analysis, const val& intent, const val& product,
                                   const val& aspect, const val& lang) const {
    return nlu_.interpret(analysis.get(), scores(intent, product, aspect, lang));
  }

  void load_compact(const val& bytes) {
    try {
      if (bytes.isUndefined() || bytes.isNull() || bytes.isString())
        throw gem::Error("loadCompact: expected the bytes of gem-compact.bin (Uint8Array)");
      nlu_.load_compact(js_bytes(bytes));
    } catch (const std::exception& e) {
      throw_js(e);
    }
  }

  // [intent, product, aspect, lang] probabilities of the compact tier, in the label order of gem-nlu.json.
  val compact_scores(const JsAnalysis& analysis) const {
    try {
      if (!nlu_.compact()) throw gem::Error("compactScores: no compact model loaded (loadCompact)");
      const auto s = nlu_.compact()->score(analysis.get().token_ids);
      val out = val::array();
      for (const auto* head : {&s.intent, &s.product, &s.aspect, &s.lang}) out.call<void>("push", float32_array(*head));
      return out;
    } catch (const std::exception& e) {
      throw_js(e);
    }
  }

  // Sure enough to answer without the full model; never without a compact model.
  bool compact_sure(const val& intent, const val& product, const val& aspect, const val& lang) const {
    try {
      return nlu_.compact() && nlu_.compact()->sure(scores(intent, product, aspect, lang));
    } catch (const std::exception& e) {
      throw_js(e);
    }
  }

 private:
  explicit JsUnderstander(const gem::Resources& r) : nlu_(r) {}

  static gem::Scores scores(const val& intent, const val& product, const val& aspect, const val& lang) {
    return {emscripten::convertJSArrayToNumberVector<float>(intent),
            emscripten::convertJSArrayToNumberVector<float>(product),
            emscripten::convertJSArrayToNumberVector<float>(aspect), emscripten::convertJSArrayToNumberVector<float>(lang)};
  }

  static gem::Resources load(const val& v) {
    gem::Resources r;
    r.sentencepiece_model = bytes_or_string(v, "spm");
    r.metadata_json = bytes_or_string(v, "metadata");
    r.municipalities_tsv = bytes_or_string(v, "municipalities");
    r.municipality_aliases_tsv = bytes_or_string(v, "aliases");
    r.countries_tsv = bytes_or_string(v, "countries");
    return r;
  }
  gem::Understander nlu_;
};

// One conversation: the dialogue over a content pack plus this resident's state.
class JsSession {
 public:
  // `pack` and `municipalities_tsv`: strings or their bytes (Uint8Array).
  static JsSession* create(const val& pack, const val& municipalities_tsv, const std::string& municipality) {
    try {
      return new JsSession(text_or_bytes(pack, "pack"), text_or_bytes(municipalities_tsv, "municipalities"), municipality);
    } catch (const std::exception& e) {
      throw_js(e);
    }
  }

  // The same with DialogueOptions from JSON ({"unsure_below": 0.4}): for calibration (scripts/gem calibrate-dialogue).
  static JsSession* create_with_options(const val& pack, const val& municipalities_tsv, const std::string& municipality,
                                        const std::string& options_json) {
    try {
      return new JsSession(text_or_bytes(pack, "pack"), text_or_bytes(municipalities_tsv, "municipalities"), municipality,
                           gem::DialogueOptions::from_json(options_json));
    } catch (const std::exception& e) {
      throw_js(e);
    }
  }

  // The numeric DialogueOptions a plain `create` uses, as JSON by name.
  static std::string default_options() { return gem::DialogueOptions{}.to_json(); }

  std::string welcome() { return gem::to_json(dialogue_.welcome(state_)); }

  // The classifier's probabilities for `analysis` in, the assistant's response (with the reading) out.
  std::string respond(const JsUnderstander& nlu, const JsAnalysis& analysis, const val& intent, const val& product,
                      const val& aspect, const val& lang) {
    try {
      const auto meaning = nlu.understanding(analysis, intent, product, aspect, lang);
      return "{\"response\":" + gem::to_json(dialogue_.respond(state_, meaning)) + ",\"meaning\":" + gem::to_json(meaning) + "}";
    } catch (const std::exception& e) {
      throw_js(e);
    }
  }

  std::string choose(const std::string& id) { return guarded([&] { return gem::to_json(dialogue_.choose(state_, id)); }); }
  void reset() { state_ = gem::Conversation{}; }
  std::string save() const { return state_.to_json(); }

  // --- the conversation owned by the core (issue #13); see docs/core-api.md --------------------------

  // {"data": …} or {"error": {"kind": …, "field": …}} in, the bubble out.
  std::string live(const std::string& kind, const std::string& result_json) {
    return guarded([&] {
      const auto result = nlohmann::json::parse(result_json);
      gem::LiveResult live;
      if (result.contains("error")) {
        const auto& e = result["error"];
        live.error = e.is_object() ? e.value("kind", "") : e.is_string() ? e.get<std::string>() : "";
        live.field = e.is_object() ? e.value("field", "") : "";
        if (live.error.empty()) throw gem::Error("live result: 'error' needs a kind");
        if (result.contains("reference") && result["reference"].is_string()) live.reference = result["reference"].get<std::string>();
      } else if (result.contains("data")) {
        live.data_json = result["data"].dump();
      } else {
        throw gem::Error("live result: expected {data} or {error: {kind, field}}");
      }
      return gem::to_json(dialogue_.live(state_, kind, live));
    });
  }

  std::string handover(const std::string& event_json) {
    return guarded([&] { return gem::to_json(dialogue_.handover(state_, event_json)); });
  }

  // The note as JSON, or "" when there is nothing new to say.
  std::string privacy_note(const std::string& counts_json, bool to_agent, bool address_expected) {
    return guarded([&] {
      std::map<std::string, std::size_t> counts;
      const auto parsed = nlohmann::json::parse(counts_json);
      for (const auto& [kind, n] : parsed.items())
        if (n.is_number_unsigned() || n.is_number_integer()) counts[kind] = n.get<std::size_t>();
      const auto note = dialogue_.privacy_note(state_, counts, {to_agent, address_expected});
      return note ? gem::to_json(*note) : std::string();
    });
  }

  std::string sample_offer(const std::string& understood_json) {
    return guarded([&] { return gem::to_json(dialogue_.sample_offer(state_, understood_json)); });
  }

  std::string say(const std::string& key, const std::string& params_json) {
    return guarded([&] {
      std::map<std::string, std::string> params;
      const auto parsed = nlohmann::json::parse(params_json);
      for (const auto& [name, value] : parsed.items())
        if (value.is_string()) params[name] = value.get<std::string>();
      return gem::to_json(dialogue_.say(state_, key, params));
    });
  }

  std::string ui() const { return nlohmann::json(dialogue_.ui(state_)).dump(); }

  void set_language(const std::string& lang) {
    if (lang != "nl" && lang != "en") throw_js(gem::Error("setLanguage: expected 'nl' or 'en', got '" + lang + "'"));
    state_.lang = lang;
  }

  // The public view of the conversation: what the widget may read (never the saved form).
  std::string state() const {
    const auto opt = [](const std::optional<std::string>& s) { return s ? nlohmann::json(*s) : nlohmann::json(nullptr); };
    return nlohmann::json{{"lang", state_.lang},
                          {"tone", dialogue_.tone()},
                          {"awaiting", gem::name(state_.awaiting)},
                          {"topic", {{"product", opt(state_.product)}, {"aspect", opt(state_.aspect)},
                                     {"municipality", opt(state_.municipality)}, {"person", opt(state_.person)}}},
                          {"handover", gem::name(state_.handover)}}
        .dump();
  }

  // {"restored": true}, or {"restored": false, "error": …} with the conversation started afresh.
  std::string restore(const std::string& json) {
    try {
      auto restored = gem::Conversation::from_json(json);
      dialogue_.validate(restored);
      state_ = std::move(restored);
      return R"({"restored":true})";
    } catch (const gem::Error& e) {
      state_ = gem::Conversation{};
      return nlohmann::json{{"restored", false}, {"error", e.what()}}.dump();
    }
  }

 private:
  JsSession(const std::string& pack, const std::string& tsv, const std::string& code, gem::DialogueOptions options = {})
      : dialogue_(pack, tsv, code, std::move(options)) {}
  // Runs `f`; a core error becomes a JavaScript Error with the core's message.
  template <typename F>
  std::string guarded(F&& f) {
    try {
      return f();
    } catch (const std::exception& e) {
      throw_js(e);
    }
  }

  gem::Dialogue dialogue_;
  gem::Conversation state_;
};

// core.redact(text) -> {text, counts: {bsn: 0, …}, matches: [{kind, start, end}]}, where start/end are
// UTF-16 offsets into the original JS string (the widget highlights them).
val redact(const val& input) {
  if (!input.isString()) val::global("TypeError").new_(std::string("redact(text): text must be a string")).throw_();
  // Emscripten 3.1.6 encodes a lone high surrogate together with the next character as one code point
  // ("\uD800 06-…" would arrive as "𐀠06-…" and hide the number), so make the string well-formed first.
  const auto text = input.call<val>("replace", val::global("RegExp").new_(std::string("\\p{Cs}"), std::string("gu")),
                                    std::string("\uFFFD")).as<std::string>();
  const gem::Redaction r = gem::redact(text);
  val counts = val::object();
  for (const auto kind : gem::kAllPiiKinds) counts.set(std::string(gem::name(kind)), r.count(kind));
  val matches = val::array();
  std::size_t byte = 0, utf16 = 0;
  const auto utf16_at = [&](std::size_t target) {  // matches come in text order: one pass over the bytes
    for (; byte < target; ++byte) {
      const auto c = static_cast<unsigned char>(text[byte]);
      if ((c & 0xC0) != 0x80) utf16 += c >= 0xF0 ? 2 : 1;
    }
    return utf16;
  };
  for (const auto& m : r.matches) {
    val match = val::object();
    match.set("kind", std::string(gem::name(m.kind)));
    match.set("start", utf16_at(m.begin));
    match.set("end", utf16_at(m.end));
    matches.call<void>("push", match);
  }
  val out = val::object();
  out.set("text", r.text);
  out.set("counts", counts);
  out.set("matches", matches);
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(gem) {
  emscripten::class_<JsAnalysis>("Analysis")
      .function("ids", &JsAnalysis::ids);
  emscripten::class_<JsUnderstander>("Understander")
      .class_function("create", &JsUnderstander::create, emscripten::allow_raw_pointers())
      .function("analyse", &JsUnderstander::analyse, emscripten::allow_raw_pointers())
      .function("interpret", &JsUnderstander::interpret)
      .function("loadCompact", &JsUnderstander::load_compact)
      .function("compactScores", &JsUnderstander::compact_scores)
      .function("compactSure", &JsUnderstander::compact_sure);
  emscripten::class_<JsSession>("Session")
      .class_function("create", &JsSession::create, emscripten::allow_raw_pointers())
      .class_function("createWithOptions", &JsSession::create_with_options, emscripten::allow_raw_pointers())
      .class_function("defaultOptions", &JsSession::default_options)
      .function("welcome", &JsSession::welcome)
      .function("respond", &JsSession::respond)
      .function("choose", &JsSession::choose)
      .function("reset", &JsSession::reset)
      .function("save", &JsSession::save)
      // the conversation owned by the core (issue #13)
      .function("live", &JsSession::live)
      .function("handover", &JsSession::handover)
      .function("privacyNote", &JsSession::privacy_note)
      .function("say", &JsSession::say)
      .function("sampleOffer", &JsSession::sample_offer)
      .function("ui", &JsSession::ui)
      .function("setLanguage", &JsSession::set_language)
      .function("state", &JsSession::state)
      .function("restore", &JsSession::restore);
  emscripten::function("redact", &redact);
}
