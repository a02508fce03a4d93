// Safety: messages that show thoughts of suicide or an emergency (someone hurt, a fire, violence).
// Such a message gets the crisis numbers (113, 0800-0113, 112) before anything else; the dialogue
// decides what it says, this part only recognises the message. Phrases are matched on folded words
// (lower case, accents stripped), so "Zelfmoord", "suïcidaal" and "ik wil dood!!" are all seen.
#pragma once

#include <string>
#include <string_view>

namespace gem {

enum class CrisisKind { none, suicide, emergency };

struct Crisis {
  CrisisKind kind = CrisisKind::none;
  std::string lang;  // "nl" or "en" when the matched phrase belongs to one language, "" otherwise
};

// Suicide wins over emergency ("ik wil van een flat springen" is both).
Crisis detect_crisis(std::string_view message);

}  // namespace gem
