// The compact tier: reading gem-compact.bin (a hand-built tiny model, corrupted on purpose), scoring and the
// "sure" rule, and parity with the Python exporter on the committed model (tests/fixtures/compact-parity.json,
// written by scripts/train-compact together with models/gem-compact.bin).
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "fixtures.h"
#include "gem/compact.h"

namespace {

// A valid model: 3 pieces, 2 pair buckets, heads of 3/2/2/2 labels, intent 0 is the product question.
struct TinyModel {
  std::uint32_t magic_format[2] = {0, 1};
  std::uint32_t vocab = 3, buckets = 2, seed = 7, product_question = 0;
  std::uint32_t labels[4] = {3, 2, 2, 2};
  float thresholds[4] = {0.6f, 0.7f, 0.8f, 0.55f};
  std::int8_t weight = 0;  // every weight; with weight 0 scores are softmax(bias)
  std::vector<std::vector<float>> bias = {{2, 0, 0}, {0, 0}, {0, 0}, {0, 3}};

  std::string bytes() const {
    std::string out = "GEMC";
    const auto u32 = [&](std::uint32_t v) {
      for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    };
    const auto f32 = [&](float f) {
      std::uint32_t v;
      std::memcpy(&v, &f, 4);
      u32(v);
    };
    u32(magic_format[1]);
    for (auto v : {vocab, buckets, seed, product_question}) u32(v);
    for (auto v : labels) u32(v);
    for (auto t : thresholds) f32(t);
    out.append(32, '\x5a');  // fingerprint
    for (std::size_t h = 0; h < 4; ++h) {
      for (std::size_t l = 0; l < labels[h]; ++l) f32(bias[h][l]);
      for (std::size_t l = 0; l < labels[h]; ++l) f32(0.5f);
      out.append((vocab + buckets) * labels[h], static_cast<char>(weight));
    }
    return out;
  }
};

std::string error_of(const std::string& bytes) {
  try {
    gem::CompactModel m(bytes);
  } catch (const gem::Error& e) {
    return e.what();
  }
  return "";
}

void check_contains(const std::string& text, const std::string& part) {
  BOOST_TEST_INFO("message: " << text);
  BOOST_TEST(text.find(part) != std::string::npos);
}

float sum(const std::vector<float>& v) {
  float s = 0;
  for (auto x : v) s += x;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(compact)

BOOST_AUTO_TEST_CASE(reads_a_valid_model_and_scores_softmax_of_the_biases) {
  const gem::CompactModel m(TinyModel{}.bytes());
  BOOST_TEST(m.vocab_size() == 3u);
  BOOST_TEST(m.label_count(1) == 2u);
  BOOST_TEST(m.thresholds().aspect == 0.8f);
  const auto s = m.score({0, 2, 1});
  BOOST_TEST(s.intent.size() == 3u);
  BOOST_TEST(s.lang.size() == 2u);
  BOOST_TEST(s.intent[0] == std::exp(2.0f) / (std::exp(2.0f) + 2), boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(s.product[0] == 0.5f, boost::test_tools::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(weights_count_every_piece_and_pair) {
  TinyModel t;
  t.weight = 1;  // each feature adds 1 x scale 0.5 to every label: 3 ids + 4 pairs = 7 features
  t.bias = {{1, 0, 0}, {0, 0}, {0, 0}, {0, 0}};
  const gem::CompactModel m(t.bytes());
  // Equal additions to every label leave the softmax unchanged: the bias decides.
  const auto s = m.score({0, 1, 2});
  BOOST_TEST(s.intent[0] == std::exp(1.0f) / (std::exp(1.0f) + 2), boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(sum(s.aspect) == 1.0f, boost::test_tools::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(sure_follows_the_thresholds_and_reads_product_and_aspect_only_for_product_questions) {
  const gem::CompactModel m(TinyModel{}.bytes());
  const std::vector<float> two = {0.5f, 0.5f}, lang = {0.1f, 0.9f};
  BOOST_TEST(!m.sure({{0.7f, 0.2f, 0.1f}, two, two, lang}));        // product question, product unsure
  BOOST_TEST(m.sure({{0.7f, 0.2f, 0.1f}, {0.2f, 0.8f}, {0.1f, 0.9f}, lang}));
  BOOST_TEST(!m.sure({{0.7f, 0.2f, 0.1f}, {0.2f, 0.8f}, {0.25f, 0.75f}, lang}));  // aspect below 0.8
  BOOST_TEST(m.sure({{0.1f, 0.8f, 0.1f}, two, two, lang}));          // another intent: product not read
  BOOST_TEST(!m.sure({{0.1f, 0.5f, 0.4f}, two, two, lang}));         // intent below 0.6
  BOOST_TEST(!m.sure({{0.1f, 0.8f, 0.1f}, two, two, {0.5f, 0.5f}})); // language below 0.55
  check_contains([&] {
    try {
      (void)m.sure({{0.5f, 0.5f}, two, two, lang});
    } catch (const gem::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  }(), "expected 3 intent scores, got 2");
}

BOOST_AUTO_TEST_CASE(ids_outside_the_vocabulary_are_an_error) {
  const gem::CompactModel m(TinyModel{}.bytes());
  BOOST_CHECK_THROW(m.score({0, 3}), gem::Error);
  BOOST_CHECK_THROW(m.score({-1}), gem::Error);
}

BOOST_AUTO_TEST_CASE(malformed_files_say_what_was_expected_where) {
  const auto good = TinyModel{}.bytes();
  check_contains(error_of(""), "expected the magic \"GEMC\" (4 bytes) at offset 0, but the file ends at 0");
  check_contains(error_of("GEMX" + good.substr(4)), "expected the magic \"GEMC\" at offset 0");
  TinyModel v2;
  v2.magic_format[1] = 2;
  check_contains(error_of(v2.bytes()), "format version 2 at offset 4, this core reads 1");
  check_contains(error_of(good.substr(0, 34)), "expected the label count of aspect (4 bytes) at offset 32");
  check_contains(error_of(good.substr(0, good.size() - 1)),
                 "expected the lang weights (5 features x 2 labels) (10 bytes) at offset");
  check_contains(error_of(good + "x"), "expected the end of the file at offset " + std::to_string(good.size()));
  TinyModel no_labels;
  no_labels.labels[2] = 0;
  check_contains(error_of(no_labels.bytes()), "expected 1 to 4096 labels for aspect, found 0 at offset 32");
  TinyModel bad_pq;
  bad_pq.product_question = 3;
  check_contains(error_of(bad_pq.bytes()), "product question index 3 outside the 3 intent labels");
}

BOOST_AUTO_TEST_CASE(the_understander_holds_one_that_fits_its_labels) {
  gem::Understander nlu(gem::test::source_resources());
  BOOST_TEST(nlu.compact() == nullptr);
  try {
    nlu.load_compact(TinyModel{}.bytes());
    BOOST_FAIL("a model for 3 pieces was accepted");
  } catch (const gem::Error& e) {
    check_contains(e.what(), "made for 3 pieces");
  }
  BOOST_TEST(nlu.compact() == nullptr);
  nlu.load_compact(gem::test::read_source_file("models/gem-compact.bin"));
  BOOST_REQUIRE(nlu.compact() != nullptr);
  BOOST_TEST(nlu.compact()->label_count(0) == nlu.labels("intent").size());
}

// The committed model scores what the Python exporter scored, from the ids the core makes itself.
BOOST_AUTO_TEST_CASE(scores_match_the_exporter_on_the_committed_model) {
  gem::Understander nlu(gem::test::source_resources());
  nlu.load_compact(gem::test::read_source_file("models/gem-compact.bin"));
  const auto& m = *nlu.compact();
  const auto fixture = nlohmann::json::parse(gem::test::read_source_file("tests/fixtures/compact-parity.json"));
  BOOST_REQUIRE(fixture["examples"].size() >= 5u);
  int sure = 0;
  for (const auto& ex : fixture["examples"]) {
    const auto text = ex["text"].get<std::string>();
    BOOST_TEST_CONTEXT("sentence: " << text) {
      const auto a = nlu.analyse(text);
      BOOST_TEST(a.token_ids == ex["ids"].get<std::vector<std::int32_t>>(), boost::test_tools::per_element());
      const auto s = m.score(a.token_ids);
      const std::vector<const std::vector<float>*> heads = {&s.intent, &s.product, &s.aspect, &s.lang};
      for (std::size_t h = 0; h < heads.size(); ++h) {
        const auto want = ex["scores"][h].get<std::vector<float>>();
        BOOST_REQUIRE_EQUAL(heads[h]->size(), want.size());
        for (std::size_t l = 0; l < want.size(); ++l)
          BOOST_TEST((*heads[h])[l] == want[l], boost::test_tools::tolerance(1e-4f));
      }
      BOOST_TEST(m.sure(s) == ex["sure"].get<bool>());
      sure += m.sure(s);
    }
  }
  // Both outcomes occur, so the comparison of sure() means something.
  BOOST_TEST(sure > 0);
  BOOST_TEST(sure < static_cast<int>(fixture["examples"].size()));
}

BOOST_AUTO_TEST_SUITE_END()
