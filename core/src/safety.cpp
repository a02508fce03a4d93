#include "safety.h"

#include <vector>

#include "text.h"

namespace gem {
namespace {

struct Phrase {
  std::vector<std::string_view> words;  // consecutive words; a word ending in '*' matches as a prefix
  std::string_view lang;                // "" when the phrase is the same in both languages
};

// Thoughts of suicide or self-harm, as people type them.
const std::vector<Phrase> kSuicide = {
    {{"zelfmoord*"}, "nl"}, {{"zelfdoding"}, "nl"}, {{"suicid*"}, ""}, {{"113"}, ""},
    {{"van", "kant", "maken"}, "nl"}, {{"wil", "dood"}, "nl"}, {{"wil", "doodgaan"}, "nl"}, {{"wil", "sterven"}, "nl"},
    {{"dood", "willen"}, "nl"}, {{"niet", "meer", "leven"}, "nl"}, {{"niet", "meer", "willen", "leven"}, "nl"},
    {{"er", "niet", "meer", "zijn"}, "nl"}, {{"niet", "meer", "wakker", "worden"}, "nl"},
    {{"einde", "aan", "mijn", "leven"}, "nl"}, {{"mijn", "leven", "beeindigen"}, "nl"}, {{"leven", "te", "beeindigen"}, "nl"},
    {{"niet", "meer", "zitten"}, "nl"}, {{"mezelf", "iets", "aandoen"}, "nl"}, {{"mijzelf", "iets", "aandoen"}, "nl"},
    {{"mezelf", "wat", "aandoen"}, "nl"}, {{"mezelf", "pijn", "doen"}, "nl"}, {{"mezelf", "ophangen"}, "nl"},
    {{"voor", "de", "trein", "springen"}, "nl"}, {{"voor", "een", "trein", "springen"}, "nl"}, {{"van", "een", "flat", "springen"}, "nl"},
    {{"kill", "myself"}, "en"}, {{"killing", "myself"}, "en"}, {{"end", "my", "life"}, "en"}, {{"ending", "my", "life"}, "en"},
    {{"take", "my", "own", "life"}, "en"}, {{"want", "to", "die"}, "en"}, {{"wanna", "die"}, "en"}, {{"wish", "i", "was", "dead"}, "en"},
    {{"dont", "want", "to", "live"}, "en"}, {{"not", "want", "to", "live"}, "en"}, {{"dont", "want", "to", "be", "alive"}, "en"},
    {{"no", "reason", "to", "live"}, "en"}, {{"better", "off", "dead"}, "en"}, {{"hurt", "myself"}, "en"}, {{"harm", "myself"}, "en"},
    {{"self", "harm"}, "en"}, {{"end", "it", "all"}, "en"}};

// Someone in danger now: hurt, a fire, violence, gas, a break-in.
const std::vector<Phrase> kEmergency = {
    {{"112"}, ""}, {{"brand"}, "nl"}, {{"brandt"}, "nl"}, {{"ongeluk"}, "nl"}, {{"ongeval"}, "nl"}, {{"bewusteloos"}, "nl"},
    {{"ademt", "niet"}, "nl"}, {{"reanim*"}, "nl"}, {{"hartaanval"}, "nl"}, {{"hartstilstand"}, "nl"}, {{"bloedt"}, "nl"},
    {{"bloedend"}, "nl"}, {{"veel", "bloed"}, "nl"}, {{"gewond"}, "nl"}, {{"zwaargewond"}, "nl"}, {{"neergestoken"}, "nl"},
    {{"steekpartij"}, "nl"}, {{"schietpartij"}, "nl"}, {{"neergeschoten"}, "nl"}, {{"mishandeld"}, "nl"}, {{"mishandelt"}, "nl"},
    {{"slaat", "mij"}, "nl"}, {{"slaat", "me"}, "nl"}, {{"word", "geslagen"}, "nl"}, {{"wordt", "geslagen"}, "nl"},
    {{"aangevallen"}, "nl"}, {{"inbreker*"}, "nl"}, {{"overval"}, "nl"}, {{"ruik", "gas"}, "nl"}, {{"gaslucht"}, "nl"},
    {{"gaslek"}, "nl"}, {{"verdrinkt"}, "nl"}, {{"noodgeval"}, "nl"}, {{"ambulance"}, ""},
    {{"on", "fire"}, "en"}, {{"a", "fire"}, "en"}, {{"house", "fire"}, "en"}, {{"accident"}, "en"}, {{"unconscious"}, "en"},
    {{"not", "breathing"}, "en"}, {{"heart", "attack"}, "en"}, {{"bleeding"}, "en"}, {{"injured"}, "en"}, {{"stabbed"}, "en"},
    {{"being", "attacked"}, "en"}, {{"attacking", "me"}, "en"}, {{"hitting", "me"}, "en"}, {{"beating", "me"}, "en"},
    {{"breaking", "in"}, "en"}, {{"burglar"}, "en"}, {{"burglars"}, "en"}, {{"smell", "gas"}, "en"}, {{"gas", "leak"}, "en"}, {{"drowning"}, "en"},
    {{"emergency"}, "en"}};

// Everyday phrases that contain a trigger word but are no emergency.
const std::vector<Phrase> kNotEmergency = {
    {{"per", "ongeluk"}, "nl"}, {{"by", "accident"}, "en"}, {{"non", "emergency"}, "en"}, {{"emergency", "passport"}, "en"},
    {{"emergency", "document"}, "en"}, {{"emergency", "travel"}, "en"}, {{"a", "fire", "pit"}, "en"},
    // A street lamp that is out or on all day: a report for the municipality.
    {{"brandt", "niet"}, "nl"}, {{"lamp", "brandt"}, "nl"}, {{"straatlamp", "brandt"}, "nl"}, {{"lantaarnpaal", "brandt"}, "nl"},
    {{"verlichting", "brandt"}, "nl"}, {{"straatverlichting", "brandt"}, "nl"},
    // Idioms for money and paper worries: a question for debt help, not for 112.
    {{"uit", "de", "brand"}, "nl"}, {{"verdrinkt", "in", "de", "schulden"}, "nl"}, {{"verdrinkt", "in", "schulden"}, "nl"},
    {{"verdrinkt", "in", "de", "rekeningen"}, "nl"}, {{"verdrinkt", "in", "de", "papieren"}, "nl"},
    {{"drowning", "in", "debt*"}, "en"}, {{"drowning", "in", "bills"}, "en"}, {{"drowning", "in", "paperwork"}, "en"},
    {{"drowning", "in", "letters"}, "en"}, {{"drowning", "in", "work"}, "en"}};

bool word_matches(std::string_view pattern, const std::string& word) {
  if (!pattern.empty() && pattern.back() == '*') return word.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  return word == pattern;
}

// Where the phrase starts in `words`, or words.size() when it does not occur.
std::size_t find(const Phrase& phrase, const std::vector<std::string>& words, std::size_t from = 0) {
  for (std::size_t i = from; i + phrase.words.size() <= words.size(); ++i) {
    std::size_t k = 0;
    while (k < phrase.words.size() && word_matches(phrase.words[k], words[i + k])) ++k;
    if (k == phrase.words.size()) return i;
  }
  return words.size();
}

// The first phrase of the list that occurs outside an excepted phrase covering the same words.
const Phrase* first_match(const std::vector<Phrase>& phrases, const std::vector<std::string>& words,
                          const std::vector<Phrase>& except = {}) {
  for (const auto& phrase : phrases)
    for (std::size_t at = find(phrase, words); at < words.size(); at = find(phrase, words, at + 1)) {
      bool excepted = false;
      for (const auto& e : except)
        for (std::size_t x = find(e, words); x < words.size() && !excepted; x = find(e, words, x + 1))
          excepted = at >= x && at < x + e.words.size();
      if (!excepted) return &phrase;
    }
  return nullptr;
}

}  // namespace

Crisis detect_crisis(std::string_view message) {
  // The normaliser folds case and accents and drops apostrophes inside words ("don't" → "dont").
  const auto words = normalize_words(message);
  if (const Phrase* p = first_match(kSuicide, words)) return {CrisisKind::suicide, std::string(p->lang)};
  if (const Phrase* p = first_match(kEmergency, words, kNotEmergency)) return {CrisisKind::emergency, std::string(p->lang)};
  return {};
}

}  // namespace gem
