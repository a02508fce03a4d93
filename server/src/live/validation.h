// Strict checks of what a live-data request may carry: each throws http::HttpError 400 naming the field.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "http/http.h"
#include "live/provider.h"

namespace gem::live {

// Any query parameter outside `allowed` is refused: requests carry only what the look-up needs.
void only_query(const http::Request& request, std::initializer_list<std::string_view> allowed);
// "3011 ab" → "3011AB"; Dutch postcodes: 4 digits not starting with 0, 2 letters, not SA/SD/SS.
std::string parse_postcode(const std::string& text);
// 1–99999 with an optional addition ("12", "12A", "12-2", "12 bis"): {number, addition}.
Address parse_house_number(const std::string& text, std::string postcode);
// Letters, digits and '-', 4–32 characters.
std::string parse_reference(const std::string& text);
// An integer in [min, max].
int parse_int(const std::string& field, const std::string& text, int min, int max);

}  // namespace gem::live
