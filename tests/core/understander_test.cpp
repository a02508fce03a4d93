// The understander with the real SentencePiece model and metadata; the classifier here is a test
// double returning chosen scores (the real ONNX model is exercised through wasm in tests/node).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "fixtures.h"

namespace {

const gem::Understander& nlu() {
  static const gem::Understander u(gem::test::source_resources());
  return u;
}

// Scores that put `p` on the named label of each head and spread the rest evenly.
std::vector<float> peaked(const std::vector<std::string>& labels, const std::string& label, float p) {
  const auto it = std::find(labels.begin(), labels.end(), label);
  BOOST_REQUIRE(it != labels.end());
  std::vector<float> v(labels.size(), (1.0f - p) / static_cast<float>(labels.size() - 1));
  v[static_cast<std::size_t>(it - labels.begin())] = p;
  return v;
}

struct FixedClassifier : gem::Classifier {
  gem::Scores scores;
  std::vector<std::int32_t> seen;
  gem::Scores classify(const std::vector<std::int32_t>& ids) override {
    seen = ids;
    return scores;
  }
};

gem::Scores scores(const std::string& intent, float pi, const std::string& product, float pp,
                   const std::string& aspect = "", const std::string& lang = "nl") {
  return {peaked(nlu().labels("intent"), intent, pi), peaked(nlu().labels("product"), product, pp),
          peaked(nlu().labels("aspect"), aspect, 0.9f), peaked(nlu().labels("lang"), lang, 0.9f)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(understander)

BOOST_AUTO_TEST_CASE(labels_follow_the_fixed_label_set) {
  const auto& intents = nlu().labels("intent");
  BOOST_TEST(intents.size() == 11u);
  BOOST_TEST(intents.front() == "product_vraag");
  BOOST_TEST(nlu().labels("product").size() == 27u);  // 26 products and "none"
  BOOST_TEST(nlu().labels("product").front().empty());
  BOOST_TEST(nlu().labels("aspect").size() == 12u);
  BOOST_CHECK_THROW(nlu().labels("mood"), gem::Error);
}

BOOST_AUTO_TEST_CASE(analysis_corrects_spelling_and_tokenises) {
  const auto a = nlu().analyse("Pasport kwijt in Tilburg");
  BOOST_TEST(a.normalized == "paspoort kwijt in tilburg");
  BOOST_REQUIRE_EQUAL(a.corrections.size(), 1u);
  BOOST_TEST(a.corrections[0].from == "pasport");
  BOOST_TEST(a.corrections[0].to == "paspoort");
  BOOST_TEST(a.corrections[0].start == 0u);
  BOOST_TEST(a.corrections[0].end == 7u);
  BOOST_TEST(a.corrections[0].word == 0u);
  const auto later = nlu().analyse("mijn pasport is kwijt");
  BOOST_REQUIRE_EQUAL(later.corrections.size(), 1u);
  BOOST_TEST(later.corrections[0].word == 1u);  // the dialogue matches editors' terms on the word as typed too
  BOOST_REQUIRE_EQUAL(a.entities.size(), 1u);
  BOOST_TEST(a.entities[0].value == "GM0855");
  BOOST_TEST(!a.token_ids.empty());
  BOOST_TEST(a.token_ids.size() <= 64u);
  BOOST_TEST(a.known_words >= 2u);  // paspoort, kwijt
  BOOST_TEST(nlu().analyse("blorp fnaag trexil").known_words == 0u);
}

BOOST_AUTO_TEST_CASE(municipality_names_are_never_spelling_corrected) {
  const auto a = nlu().analyse("paspoort in Dongen");
  BOOST_TEST(a.corrections.empty());
  BOOST_TEST(a.normalized == "paspoort in dongen");
}

BOOST_AUTO_TEST_CASE(token_ids_are_never_empty_and_bounded) {
  BOOST_TEST(nlu().analyse("").token_ids.size() == 1u);
  BOOST_TEST(nlu().analyse("\U0001F600!!").token_ids.size() == 1u);
  std::string long_text;
  for (int i = 0; i < 300; ++i) long_text += "gehandicaptenparkeerkaart ";
  const auto a = nlu().analyse(long_text);
  BOOST_TEST(a.token_ids.size() == 64u);
  BOOST_TEST(a.truncated);
  BOOST_TEST(a.text.size() == 1000u);
}

// Residents tell their situation first and ask last: a message longer than the model's input keeps its end.
BOOST_AUTO_TEST_CASE(a_long_message_keeps_its_last_pieces) {
  std::string story;
  for (int i = 0; i < 20; ++i) story += "we zijn met het hele gezin verhuisd ";  // about 160 pieces, under 1000 characters
  const auto question = nlu().analyse("wat kost een paspoort");
  const auto a = nlu().analyse(story + "wat kost een paspoort");
  BOOST_TEST(!a.truncated);
  BOOST_REQUIRE_EQUAL(a.token_ids.size(), 64u);
  BOOST_TEST(std::equal(question.token_ids.rbegin(), question.token_ids.rend(), a.token_ids.rbegin()));
}

BOOST_AUTO_TEST_CASE(a_product_question_takes_product_and_aspect) {
  FixedClassifier model;
  model.scores = scores("product_vraag", 0.9f, "paspoort", 0.8f, "kosten");
  const auto u = nlu().understand("wat kost een paspoort", model);
  BOOST_TEST(model.seen == nlu().analyse("wat kost een paspoort").token_ids);
  BOOST_TEST(u.intent == "product_vraag");
  BOOST_TEST(u.product.value_or("") == "paspoort");
  BOOST_TEST(u.aspect.value_or("") == "kosten");
  BOOST_TEST(u.confidence == 0.72f, boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(!u.low_confidence);
  BOOST_REQUIRE(!u.alternatives.empty());
  BOOST_TEST(u.alternatives.size() == 3u);
  BOOST_TEST(u.alternatives[0].confidence <= u.confidence);
  for (const auto& alt : u.alternatives) BOOST_TEST(!(alt.intent == u.intent && alt.product == u.product));
}

BOOST_AUTO_TEST_CASE(other_intents_carry_no_product) {
  FixedClassifier model;
  model.scores = scores("begroeting", 0.95f, "paspoort", 0.9f, "kosten", "en");
  const auto u = nlu().understand("hello", model);
  BOOST_TEST(u.intent == "begroeting");
  BOOST_TEST(!u.product);
  BOOST_TEST(!u.aspect);
  BOOST_TEST(u.lang == "en");
  BOOST_TEST(u.confidence == 0.95f, boost::test_tools::tolerance(1e-5f));
}

BOOST_AUTO_TEST_CASE(an_unsure_reading_is_flagged_and_offers_the_runner_up) {
  FixedClassifier model;
  auto s = scores("product_vraag", 0.9f, "paspoort", 0.45f);
  s.product[2] = 0.40f;  // paspoort is index 2 → make index 3 (identiteitskaart) close
  s.product[3] = 0.44f;
  model.scores = s;
  const auto u = nlu().understand("reisdocument", model);
  BOOST_TEST(u.low_confidence);
  BOOST_REQUIRE(!u.alternatives.empty());
  BOOST_TEST(u.alternatives[0].product.value_or("") != u.product.value_or(""));
}

BOOST_AUTO_TEST_CASE(wrong_score_sizes_are_a_clear_error) {
  auto s = scores("product_vraag", 0.9f, "paspoort", 0.8f);
  s.product.pop_back();
  try {
    nlu().interpret(nlu().analyse("x"), s);
    BOOST_FAIL("expected gem::Error");
  } catch (const gem::Error& e) {
    BOOST_TEST(std::string(e.what()) == "classifier head product: expected 27 scores, got 26");
  }
}

BOOST_AUTO_TEST_CASE(json_has_the_documented_fields) {
  FixedClassifier model;
  model.scores = scores("product_vraag", 0.9f, "identiteitskaart", 0.9f, "geldigheid");
  const auto j = nlohmann::json::parse(gem::to_json(nlu().understand("Is mijn ID-kaart geldig in Zuid-Afrika?", model)));
  for (const char* key : {"text", "intent", "product", "aspect", "confidence", "alternatives", "entities", "lang"})
    BOOST_TEST(j.contains(key), key);
  BOOST_TEST(j["product"] == "identiteitskaart");
  BOOST_REQUIRE_EQUAL(j["entities"].size(), 1u);
  BOOST_TEST(j["entities"][0]["type"] == "land");
  BOOST_TEST(j["entities"][0]["value"] == "ZA");
  BOOST_TEST(j["entities"][0]["start"] == 27);
  BOOST_TEST(j["entities"][0]["end"] == 38);
}

BOOST_AUTO_TEST_CASE(broken_resources_are_reported) {
  auto r = gem::test::source_resources();
  r.metadata_json = "{\"labels\": {\"intent\": []}}";
  BOOST_CHECK_THROW(gem::Understander{r}, gem::Error);
  r = gem::test::source_resources();
  r.sentencepiece_model = "not a model";
  BOOST_CHECK_THROW(gem::Understander{r}, gem::Error);
  r = gem::test::source_resources();
  r.metadata_json = "{oops";
  BOOST_CHECK_THROW(gem::Understander{r}, gem::Error);
}

BOOST_AUTO_TEST_SUITE_END()
