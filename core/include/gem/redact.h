// PII redaction: finds personal data in a resident's text and replaces it with typed placeholders,
// so that nothing identifying leaves the browser (handover transcripts, any other outbound text).
//
//   gem::Redaction r = gem::redact("Mijn BSN is 123456782");
//   r.text;                       // "Mijn BSN is [BSN]"
//   r.count(gem::PiiKind::bsn);   // 1
//
// A hand-written scanner over words and separators: linear time, no regex, no globals, never throws.
// Precision matters as much as recall (an agent needs the rest of the text), so numbers are checked
// (BSN 11-check, IBAN mod 97) and dates of birth, unhyphenated licence plates and lower-case document
// numbers need a context word ("geboren", "kenteken", "paspoort"). A postcode alone, a house number
// alone, appointment dates, prices and reference numbers ("Z-2026-0042") are kept.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gem {

enum class PiiKind { bsn, iban, phone, email, address, birth_date, document_number, licence_plate };

// Every kind, in declaration order (for counts and tables).
inline constexpr PiiKind kAllPiiKinds[] = {PiiKind::bsn,     PiiKind::iban,       PiiKind::phone,
                                           PiiKind::email,   PiiKind::address,    PiiKind::birth_date,
                                           PiiKind::document_number, PiiKind::licence_plate};

struct PiiMatch {
  PiiKind kind;
  std::size_t begin, end;  // byte offsets into the UTF-8 input
};

struct Redaction {
  std::string text;                // the input with every match replaced by its placeholder
  std::vector<PiiMatch> matches;   // in text order, never overlapping
  std::size_t count(PiiKind kind) const;
};

// Pure; copes with any bytes (invalid UTF-8 and NUL bytes are copied through unchanged).
Redaction redact(std::string_view utf8_text);

// "[BSN]" "[IBAN]" "[TELEFOON]" "[E-MAIL]" "[ADRES]" "[GEBOORTEDATUM]" "[DOCUMENTNUMMER]" "[KENTEKEN]"
std::string_view placeholder(PiiKind kind);

// "bsn" "iban" "phone" "email" "address" "birth_date" "document_number" "licence_plate"
std::string_view name(PiiKind kind);

}  // namespace gem
