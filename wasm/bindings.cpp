// JavaScript bindings of the core (embind). The browser and Node load this module, run the ONNX
// model themselves (ONNX Runtime Web is asynchronous) and hand the probabilities back:
//
//   const nlu = Module.Understander.create({spm, metadata, municipalities, aliases, countries});
//   const analysis = nlu.analyse(text);          // analysis.ids(): Int32Array for the model
//   const json = nlu.interpret(analysis, intent, product, aspect, lang);  // Float32Arrays
//   analysis.delete();
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <nlohmann/json.hpp>

#include "gem/content.h"
#include "gem/dialogue.h"
#include "gem/nlu.h"
#include "gem/redact.h"

using emscripten::val;

namespace {

// Fails in JavaScript terms: a JS Error with the core's message, not an opaque wasm exception.
[[noreturn]] void throw_js(const std::exception& e) {
  val::global("Error").new_(std::string(e.what())).throw_();
  __builtin_unreachable();
}

std::string bytes_or_string(const val& v, const char* field) {
  const val f = v[field];
  if (f.isUndefined() || f.isNull()) throw gem::Error(std::string("resources.") + field + " is missing");
  if (f.isString()) return f.as<std::string>();
  const val bytes = val::global("Uint8Array").new_(f);  // Uint8Array, ArrayBuffer or Node Buffer
  std::string out(bytes["length"].as<std::size_t>(), '\0');
  val(emscripten::typed_memory_view(out.size(), reinterpret_cast<std::uint8_t*>(out.data()))).call<void>("set", bytes);
  return out;
}

class JsAnalysis {
 public:
  explicit JsAnalysis(gem::Analysis a) : a_(std::move(a)) {}
  val ids() const {
    return val::global("Int32Array").new_(val(emscripten::typed_memory_view(a_.token_ids.size(), a_.token_ids.data())));
  }
  std::string normalized() const { return a_.normalized; }
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

  std::string normalize(const std::string& text) const { return nlu_.normalize_for_model(text); }

  gem::Understanding understanding(const JsAnalysis& analysis, const val& intent, const val& product,
                                   const val& aspect, const val& lang) const {
    return nlu_.interpret(analysis.get(), {emscripten::convertJSArrayToNumberVector<float>(intent),
                                           emscripten::convertJSArrayToNumberVector<float>(product),
                                           emscripten::convertJSArrayToNumberVector<float>(aspect),
                                           emscripten::convertJSArrayToNumberVector<float>(lang)});
  }

  val labels(const std::string& head) const {
    val out = val::array();
    for (const auto& l : nlu_.labels(head)) out.call<void>("push", l.empty() ? val::null() : val(l));
    return out;
  }

 private:
  explicit JsUnderstander(const gem::Resources& r) : nlu_(r) {}

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
  static JsSession* create(const std::string& pack_json, const std::string& municipalities_tsv,
                           const std::string& municipality) {
    try {
      return new JsSession(pack_json, municipalities_tsv, municipality);
    } catch (const std::exception& e) {
      throw_js(e);
    }
  }

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

  std::string choose(const std::string& id) { return gem::to_json(dialogue_.choose(state_, id)); }
  void reset() { state_ = gem::Conversation{}; }
  std::string save() const { return state_.to_json(); }
  void restore(const std::string& json) {
    try {
      state_ = gem::Conversation::from_json(json);
    } catch (const std::exception& e) {
      throw_js(e);
    }
  }

 private:
  JsSession(const std::string& pack, const std::string& tsv, const std::string& code) : dialogue_(pack, tsv, code) {}
  gem::Dialogue dialogue_;
  gem::Conversation state_;
};

gem::LabelSet label_set(const val& labels) {
  return {emscripten::vecFromJSArray<std::string>(labels["products"]), emscripten::vecFromJSArray<std::string>(labels["aspects"]),
          emscripten::vecFromJSArray<std::string>(labels["municipalities"])};
}

// [{at, message}] as JSON.
std::string check_content(const std::string& source, const val& labels) {
  auto errors = nlohmann::json::array();
  for (const auto& e : gem::check_content(source, label_set(labels))) errors.push_back({{"at", e.at}, {"message", e.message}});
  return errors.dump();
}

std::string review_due(const std::string& source, const std::string& today, int max_age_months) {
  try {
    auto due = nlohmann::json::array();
    for (const auto& d : gem::review_due(source, today, max_age_months)) due.push_back({{"at", d.at}, {"url", d.url}, {"checked", d.checked}});
    return due.dump();
  } catch (const std::exception& e) {
    throw_js(e);
  }
}

std::string compile_pack(const std::string& source, const val& labels, const std::string& code, const std::string& name) {
  try {
    return gem::compile_pack(source, label_set(labels), code, name);
  } catch (const std::exception& e) {
    throw_js(e);
  }
}

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
      .function("ids", &JsAnalysis::ids)
      .function("normalized", &JsAnalysis::normalized);
  emscripten::class_<JsUnderstander>("Understander")
      .class_function("create", &JsUnderstander::create, emscripten::allow_raw_pointers())
      .function("analyse", &JsUnderstander::analyse, emscripten::allow_raw_pointers())
      .function("interpret", &JsUnderstander::interpret)
      .function("normalize", &JsUnderstander::normalize)
      .function("labels", &JsUnderstander::labels);
  emscripten::class_<JsSession>("Session")
      .class_function("create", &JsSession::create, emscripten::allow_raw_pointers())
      .function("welcome", &JsSession::welcome)
      .function("respond", &JsSession::respond)
      .function("choose", &JsSession::choose)
      .function("reset", &JsSession::reset)
      .function("save", &JsSession::save)
      .function("restore", &JsSession::restore);
  emscripten::function("checkContent", &check_content);
  emscripten::function("compilePack", &compile_pack);
  emscripten::function("reviewDue", &review_due);
  emscripten::function("redact", &redact);
}
