// Live data in words: the server's answer to a look-up (opening hours, appointment slots, waste collection
// days, an application's status) or its failure, as a bubble in the conversation's language and the site's
// tone. Server data only ever becomes plain text and list lines, never Markdown, so it cannot carry markup.
// Dates and times are shown in the municipality's time zone (Europe/Amsterdam).
#include <array>
#include <cstdio>

#include "dialogue_impl.h"

namespace gem {
namespace {

constexpr std::array<std::array<const char*, 7>, 2> kWeekdays = {{
    {"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
    {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}}};
constexpr std::array<std::array<const char*, 12>, 2> kMonths = {{
    {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
    {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}}};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int y, m, d;
};
Civil civil_from_days(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

int weekday(long days) { return static_cast<int>((days % 7 + 11) % 7); }  // 1970-01-01 was a Thursday (4)

// Minutes since the epoch of 01:00 UTC on the last Sunday of `month` (when EU summer time starts or ends).
long last_sunday_1am_utc(int year, int month) {
  const long last = days_from_civil(year, month + 1, 1) - 1;
  return ((last - weekday(last)) * 24 + 1) * 60;
}

// Europe/Amsterdam: CET (+1), CEST (+2) from the last Sunday of March to the last Sunday of October, 01:00 UTC.
long amsterdam_offset_minutes(long utc_minutes) {
  const int year = civil_from_days(utc_minutes / (24 * 60)).y;
  const bool summer = utc_minutes >= last_sunday_1am_utc(year, 3) && utc_minutes < last_sunday_1am_utc(year, 10);
  return summer ? 120 : 60;
}


std::string day_name(long days, const std::string& lang) {
  const auto c = civil_from_days(days);
  const int l = lang == "en" ? 1 : 0;
  return std::string(kWeekdays[l][weekday(days)]) + " " + std::to_string(c.d) + " " + kMonths[l][c.m - 1];
}

bool parse_date(const std::string& s, int& y, int& m, int& d) {
  return s.size() >= 10 && std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.is_number() ? v.dump() : ""; }

// A {nl, en} label of the server or plain text.
std::string label_of(const json& v, const std::string& lang) {
  if (v.is_object()) return text_of(v.contains(lang) ? v[lang] : v.value("nl", json()));
  return text_of(v);
}

}  // namespace

// "2026-11-23" → "maandag 23 november" / "Monday 23 November"; anything else unchanged.
std::string format_day(const std::string& date, const std::string& lang) {
  int y, m, d;
  if (!parse_date(date, y, m, d)) return date;
  return day_name(days_from_civil(y, m, d), lang);
}

// "2026-11-24T09:30:00+01:00" → "dinsdag 24 november, 09:30" (Amsterdam time); anything else unchanged.
std::string format_date_time(const std::string& value, const std::string& lang) {
  int y, mo, d, h, mi;
  char sep = 0;
  if (!parse_date(value, y, mo, d) || std::sscanf(value.c_str() + 10, "%c%2d:%2d", &sep, &h, &mi) != 3 || (sep != 'T' && sep != ' '))
    return value;
  long offset = 0;  // of the timestamp, in minutes; 'Z' or none is UTC
  if (const auto zone = value.find_first_of("+-", 16); zone != std::string::npos) {
    int oh = 0, om = 0;
    if (std::sscanf(value.c_str() + zone + 1, "%2d:%2d", &oh, &om) < 1) return value;
    offset = (oh * 60 + om) * (value[zone] == '-' ? -1 : 1);
  }
  const long utc = days_from_civil(y, mo, d) * 24 * 60 + h * 60 + mi - offset;
  const long local = utc + amsterdam_offset_minutes(utc);
  const long day = local >= 0 ? local / (24 * 60) : (local - 24 * 60 + 1) / (24 * 60);
  const long minute = local - day * 24 * 60;
  char time[24];
  std::snprintf(time, sizeof time, "%02ld:%02ld", minute / 60, minute % 60);
  return day_name(day, lang) + ", " + time;
}

Response Dialogue::live(Conversation& c, std::string_view kind_view, const LiveResult& result) const {
  const auto& I = *impl_;
  const std::string kind(kind_view);
  Response r = I.start(c, "live");
  r.plain = true;  // server data is shown as text, never as Markdown
  const std::string& lang = c.lang;
  if (!result.error.empty()) {
    const std::string& e = result.error;
    // A reference or address the server could not use is asked for again. An application not found says
    // nothing about which of reference, postcode and house number was wrong: all three are asked again.
    const bool status = kind == "application_status";
    const bool address_invalid = e == "invalid" && (result.field == "postcode" || result.field == "house_number");
    if ((e == "not_found" && status) || address_invalid) {
      c.postcode.reset();
      c.house_number.reset();
    }
    if ((e == "not_found" && status) || (e == "invalid" && result.field == "reference")) {
      c.awaiting = Awaiting::reference;
    } else if (address_invalid && status && is_reference(result.reference)) {
      c.reference = result.reference;  // the reference was fine: only the address is asked again
      c.awaiting = Awaiting::status_address;
    } else if (address_invalid) {
      c.awaiting = status ? Awaiting::reference : Awaiting::address;
    }
    keep_reference_only_while_awaited(c);
    if (e == "not_found" && kind == "application_status" && !result.reference.empty())
      r.text = I.say("live_not_found_reference", c, {{"reference", result.reference}});
    else if (e == "not_found") r.text = I.say(kind == "application_status" ? "live_not_found_reference_unnamed" : "live_invalid", c);
    else if (e == "unknown_municipality") r.text = I.say("live_unknown_municipality", c);
    else if (e == "invalid")
      r.text = I.say(result.field == "postcode" || result.field == "house_number" || result.field == "reference"
                         ? "live_invalid_" + result.field : "live_invalid", c);
    else if (e == "busy") r.text = I.say("live_busy", c);
    else if (e == "offline") r.text = I.say("offline", c);
    else if (e == "not_connected") r.text = I.say("live_not_connected", c);
    else if (e == "unreachable" || e == "failed") r.text = I.say("live_unavailable", c);
    else throw Error("live result: unknown error kind '" + e + "' (expected not_found, unknown_municipality, invalid, busy, "
                     "unreachable, offline or not_connected)");
    I.finish(r, c);
    return r;
  }
  json data;
  try {
    data = json::parse(result.data_json);
  } catch (const json::parse_error& e) {
    throw Error(std::string("live result for ") + kind + ": " + e.what());
  }
  if (!data.is_object()) throw Error("live result for " + kind + ": expected an object");
  const auto list = [&](const char* key) { return data.contains(key) && data[key].is_array() ? data[key] : json::array(); };
  if (kind == "opening_hours") {
    for (const auto& day : list("week")) {
      std::string hours;
      for (const auto& p : day.value("periods", json::array()))
        hours += (hours.empty() ? "" : ", ") + text_of(p.value("from", json())) + "–" + text_of(p.value("to", json()));
      const std::string exception = label_of(day.value("exception", json()), lang);
      r.items.push_back(format_day(text_of(day.value("date", json())), lang) + ": " + (hours.empty() ? I.say("live_closed_day", c) : hours) +
                        (exception.empty() ? "" : " (" + exception + ")"));
    }
    const std::string phone = text_of(data.value("phone", json()));
    r.text = I.say(data.value("open_now", false) ? "live_open_now" : "live_closed_now", c) +
             (phone.empty() ? "" : " " + I.say("live_phone", c, {{"number", phone}})) + " " + I.say("live_hours", c);
  } else if (kind == "appointment_slots") {
    for (const auto& s : list("slots")) {
      std::string line = format_date_time(text_of(s.value("start", json())), lang);
      const json location = s.value("location", json::object());
      for (const char* part : {"name", "address"})
        if (location.is_object() && !text_of(location.value(part, json())).empty()) line += ", " + text_of(location[part]);
      r.items.push_back(line);
    }
    r.text = I.say(r.items.empty() ? "live_no_slots" : "live_slots", c);
    const std::string url = text_of(data.value("booking_url", json()));
    if (url.rfind("https://", 0) == 0) r.links.push_back({I.say("live_book_appointment", c), url});
  } else if (kind == "waste_collection") {
    for (const auto& col : list("collections")) {
      std::string what = label_of(col.value("label", json()), lang);
      if (what.empty()) what = text_of(col.value("stream", json()));
      r.items.push_back(format_day(text_of(col.value("date", json())), lang) + ": " + what);
    }
    std::string address = text_of(data.value("postcode", json())) + " " + text_of(data.value("house_number", json()));
    if (address.front() == ' ') address.erase(0, 1);
    if (!address.empty() && address.back() == ' ') address.pop_back();
    r.text = r.items.empty() ? I.say("live_no_collections", c) : I.say("live_waste", c, {{"address", address}});
  } else if (kind == "application_status") {
    std::string status = label_of(data.value("label", json()), lang);
    if (status.empty() || status.back() != '.') status += ".";
    const std::string updated = text_of(data.value("updated", json()));
    r.text = I.say("live_application", c, {{"reference", text_of(data.value("reference", json()))}}) + " " + status +
             (updated.empty() ? "" : " " + I.say("live_updated", c, {{"date", format_day(updated, lang)}}));
  } else {
    throw Error("live result: unknown kind '" + kind + "' (expected opening_hours, appointment_slots, waste_collection or "
                "application_status)");
  }
  I.finish(r, c);
  return r;
}

}  // namespace gem
