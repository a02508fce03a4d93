#include "live/validation.h"

#include <cctype>

namespace gem::live {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

}  // namespace

void only_query(const http::Request& request, std::initializer_list<std::string_view> allowed) {
  std::string_view rest = request.query_string;
  while (!rest.empty()) {
    auto end = rest.find('&');
    auto pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (pair.empty()) continue;
    auto key = http::percent_decode(pair.substr(0, pair.find('=')), true).value_or("?");
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (!known) throw http::bad_request(key, "unexpected query parameter");
  }
}

std::string parse_postcode(const std::string& text) {
  std::string p;
  for (char c : text) {
    if (c == ' ') continue;
    p.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  bool shape = p.size() == 6 && p[0] >= '1' && p[0] <= '9' && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) &&
               p[4] >= 'A' && p[4] <= 'Z' && p[5] >= 'A' && p[5] <= 'Z' && text.size() <= 8;
  if (!shape) throw http::bad_request("postcode", "expected a Dutch postcode such as 1234AB");
  auto letters = p.substr(4);
  if (letters == "SA" || letters == "SD" || letters == "SS") throw http::bad_request("postcode", "this postcode does not exist");
  return p;
}

Address parse_house_number(const std::string& text, std::string postcode) {
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == 0 || i > 5 || text[0] == '0') throw http::bad_request("house_number", "expected a house number from 1 to 99999");
  Address a;
  a.postcode = std::move(postcode);
  a.house_number = std::stoi(text.substr(0, i));
  std::string addition = text.substr(i);
  if (!addition.empty() && (addition[0] == ' ' || addition[0] == '-')) addition.erase(0, 1);
  if (addition.size() > 6) throw http::bad_request("house_number", "the addition is longer than 6 characters");
  for (char c : addition) {
    if (!is_alnum(c)) throw http::bad_request("house_number", "the addition may hold letters and digits only");
  }
  for (auto& c : addition) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  a.addition = addition;
  return a;
}

std::string parse_reference(const std::string& text) {
  if (text.size() < 4 || text.size() > 32) throw http::bad_request("reference", "expected 4 to 32 characters");
  for (char c : text) {
    if (!is_alnum(c) && c != '-') throw http::bad_request("reference", "only letters, digits and '-' are allowed");
  }
  return text;
}

int parse_int(const std::string& field, const std::string& text, int min, int max) {
  bool ok = !text.empty() && text.size() <= 6;
  for (char c : text) ok = ok && is_digit(c);
  int value = ok ? std::stoi(text) : -1;
  if (!ok || value < min || value > max) {
    throw http::bad_request(field, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

}  // namespace gem::live
