// Safety: thoughts of suicide and emergencies are recognised in the many ways people type them, and
// ordinary municipal questions (a dead animal, "per ongeluk", an emergency passport) are not.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <regex>
#include <set>

#include "fixtures.h"
#include "safety.h"

namespace {

using gem::CrisisKind;

const char* name(CrisisKind k) { return k == CrisisKind::suicide ? "suicide" : k == CrisisKind::emergency ? "emergency" : "none"; }

void expect(const std::vector<std::string>& messages, CrisisKind kind) {
  for (const auto& m : messages) BOOST_TEST(name(gem::detect_crisis(m).kind) == name(kind), "\"" << m << "\"");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(safety)

BOOST_AUTO_TEST_CASE(thoughts_of_suicide_in_dutch_and_english) {
  expect({"ik wil dood", "Ik wil niet meer leven.", "ik denk aan zelfmoord", "ZELFMOORDGEDACHTEN", "ik ben suïcidaal",
          "ik zie het echt niet meer zitten", "ik wil er niet meer zijn", "soms wil ik gewoon niet meer wakker worden",
          "ik wil een einde aan mijn leven maken", "ik ga mezelf iets aandoen", "ik wil mezelf van kant maken",
          "ik wil voor de trein springen", "I want to kill myself", "i dont want to live anymore", "I don't want to live",
          "thinking about suicide", "I want to end my life", "i wanna die", "I am better off dead", "i want to hurt myself"},
         CrisisKind::suicide);
}

BOOST_AUTO_TEST_CASE(emergencies_in_dutch_and_english) {
  expect({"er is brand in de flat naast ons", "Het huis van de buren staat in brand!", "mijn buurman is bewusteloos",
          "er is een ongeluk gebeurd op de kruising", "iemand is gewond en bloedt heel erg", "mijn man slaat mij",
          "er is een inbreker in huis", "ik ruik gas in de hal", "hij ademt niet meer", "help er is iemand neergestoken",
          "there is a fire in my building", "my neighbour is unconscious", "someone is bleeding on the street",
          "a car accident just happened", "my partner is hitting me", "i smell gas", "this is an emergency"},
         CrisisKind::emergency);
}

BOOST_AUTO_TEST_CASE(the_language_comes_from_the_phrase) {
  BOOST_TEST(gem::detect_crisis("I want to kill myself").lang == "en");
  BOOST_TEST(gem::detect_crisis("ik wil dood").lang == "nl");
  BOOST_TEST(gem::detect_crisis("suicide").lang == "");
}

BOOST_AUTO_TEST_CASE(everyday_questions_are_no_crisis) {
  expect({"er ligt een dood dier op straat", "dode rat in de tuin", "ik heb per ongeluk mijn paspoort weggegooid",
          "mijn vader is overleden, wat moet ik regelen", "hoe lang is een paspoort geldig", "grofvuil laten ophalen",
          "can I get an emergency passport", "what is the non emergency police number", "I paid twice by accident",
          "brandweer vergunning voor een evenement", "mag ik vuurwerk afsteken", "geluidsoverlast van de buren",
          "ik heb ratten in de tuin", "wat kost een rijbewijs", "",
          // Idioms for money and paper worries: debt help, not 112.
          "I'm drowning in debt, can the council help", "we are drowning in bills", "hij verdrinkt in de schulden",
          "kunt u mij uit de brand helpen met de aanvraag",
          // A street lamp that is out or on all day: a report.
          "de lantaarnpaal in onze straat brandt niet meer", "de straatlamp brandt de hele dag"},
         CrisisKind::none);
  // The idiom excuses only its own words: danger elsewhere in the message still counts.
  expect({"I'm drowning in debt and my house is on fire", "someone is drowning in the canal",
          "mijn zoon verdrinkt in het water", "de schuur brandt en de lamp brandt niet"},
         CrisisKind::emergency);
}

// Thousands of real questions from the training data: none of them is taken for a crisis, except the
// few below that do point at danger.
BOOST_AUTO_TEST_CASE(training_questions_are_no_crisis) {
  const std::set<std::string> expected = {"nearest hospitel emergency room"};
  const std::regex example(R"re(\{text: "([^"]*)")re");
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(GEM_SOURCE_DIR) + "/content/nlu/train")) {
    const auto text = gem::test::read_source_file("content/nlu/train/" + entry.path().filename().string());
    for (std::sregex_iterator it(text.begin(), text.end(), example), end; it != end; ++it, ++checked) {
      const std::string m = (*it)[1];
      if (!expected.count(m)) BOOST_TEST(name(gem::detect_crisis(m).kind) == "none", "\"" << m << "\"");
    }
  }
  BOOST_TEST(checked > 500u);
}

BOOST_AUTO_TEST_SUITE_END()
