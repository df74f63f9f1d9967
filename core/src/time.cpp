#include "crm/time.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "crm/error.hpp"

namespace crm {
namespace {

// Reads exactly `n` digits at `pos`; false if they are not there.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

[[noreturn]] void bad_time(std::string_view text) {
  throw InvalidInput("invalid date/time '" + std::string(text) +
                     "' (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
}

}  // namespace

TimePoint parse_time(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  std::size_t pos = 0;
  if (digits(s, 0, 4, y) && s.size() >= 8 && s[4] != '-' && digits(s, 4, 2, mo) &&
      digits(s, 6, 2, d)) {
    pos = 8;  // YYYYMMDD
  } else if (digits(s, 0, 4, y) && s.size() >= 10 && s[4] == '-' && s[7] == '-' &&
             digits(s, 5, 2, mo) && digits(s, 8, 2, d)) {
    pos = 10;
  } else {
    bad_time(text);
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{unsigned(mo)},
                                        std::chrono::day{unsigned(d)}};
  if (!ymd.ok()) bad_time(text);
  int offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ') bad_time(text);
    ++pos;
    if (!digits(s, pos, 2, h) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
        !digits(s, pos + 3, 2, mi)) {
      bad_time(text);
    }
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, sec)) bad_time(text);
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {  // fractions of a second are dropped
        ++pos;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
      }
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z' && pos + 1 == s.size()) {
        pos = s.size();
      } else if ((s[pos] == '+' || s[pos] == '-') && s.size() - pos == 6 && s[pos + 3] == ':') {
        int oh = 0, om = 0;
        if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + 4, 2, om)) bad_time(text);
        offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
        pos = s.size();
      } else {
        bad_time(text);
      }
    }
    if (h > 23 || mi > 59 || sec > 60) bad_time(text);
  }
  const auto days = std::chrono::sys_days{ymd};
  const TimePoint t = TimePoint{days} + std::chrono::hours{h} +
                      std::chrono::minutes{mi - offset_minutes} + Seconds{sec};
  if (t < kEarliestTime || t > kLatestTime) {
    throw InvalidInput("invalid date/time '" + std::string(text) +
                       "': outside the supported range 1900-01-01 to 2200-12-31");
  }
  return t;
}

void require_time_in_range(TimePoint t, std::string_view what) {
  if (t >= kEarliestTime && t <= kLatestTime) return;
  // Beyond year 9999 the calendar form is no longer ISO 8601 (and far
  // enough out, the civil-date arithmetic would overflow): give seconds.
  constexpr std::int64_t kYear10000 = 253402300800;
  const std::int64_t s = to_unix(t);
  const std::string shown = s > -kYear10000 && s < kYear10000
                                ? format_time(t)
                                : std::to_string(s) + " s since 1970-01-01";
  throw InvalidInput(std::string(what) + ": " + shown +
                     " is outside the supported range 1900-01-01 to 2200-12-31");
}

std::string format_time(TimePoint t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{t - days};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return buf;
}

std::string format_date(TimePoint t) { return format_time(t).substr(0, 10); }

Seconds parse_duration(std::string_view text) {
  std::string_view s = text;
  const auto bad = [&] {
    return InvalidInput("invalid duration '" + std::string(text) +
                        "' (expected e.g. 90s, 15m, 24h, 3d, 2w or P3DT4H)");
  };
  // Checked: "300000000000w" must not wrap into a short (or negative) wait.
  const auto too_large = [&] {
    return InvalidInput("duration '" + std::string(text) + "' is too large");
  };
  const auto add_scaled = [&](std::int64_t& total, std::int64_t n, std::int64_t unit) {
    std::int64_t part = 0;
    if (__builtin_mul_overflow(n, unit, &part) || __builtin_add_overflow(total, part, &total)) {
      throw too_large();
    }
  };
  // from_chars takes a leading '-', which no part of a duration may have.
  const auto number = [&](std::string_view digits_text, std::int64_t& n) {
    if (digits_text.empty() || digits_text.front() < '0' || digits_text.front() > '9') throw bad();
    const auto [p, ec] =
        std::from_chars(digits_text.data(), digits_text.data() + digits_text.size(), n);
    if (ec == std::errc::result_out_of_range) throw too_large();
    if (ec != std::errc{}) throw bad();
    return p;
  };
  if (s.empty()) throw bad();
  if (s.front() == 'P') {
    s.remove_prefix(1);
    bool in_time = false;
    std::int64_t total = 0;
    bool any = false;
    while (!s.empty()) {
      if (s.front() == 'T') {
        in_time = true;
        s.remove_prefix(1);
        continue;
      }
      std::int64_t n = 0;
      const char* p = number(s, n);
      if (p == s.data() + s.size()) throw bad();
      const char unit = *p;
      s.remove_prefix(static_cast<std::size_t>(p - s.data()) + 1);
      if (!in_time && unit == 'D')
        add_scaled(total, n, 86400);
      else if (!in_time && unit == 'W')
        add_scaled(total, n, 7 * 86400);
      else if (in_time && unit == 'H')
        add_scaled(total, n, 3600);
      else if (in_time && unit == 'M')
        add_scaled(total, n, 60);
      else if (in_time && unit == 'S')
        add_scaled(total, n, 1);
      else
        throw bad();
      any = true;
    }
    if (!any) throw bad();
    return Seconds{total};
  }
  std::int64_t n = 0;
  const char* p = number(s, n);
  const std::string_view unit = s.substr(static_cast<std::size_t>(p - s.data()));
  std::int64_t total = 0;
  if (unit == "s" || unit.empty())
    add_scaled(total, n, 1);
  else if (unit == "m" || unit == "min")
    add_scaled(total, n, 60);
  else if (unit == "h")
    add_scaled(total, n, 3600);
  else if (unit == "d")
    add_scaled(total, n, 86400);
  else if (unit == "w")
    add_scaled(total, n, 7 * 86400);
  else
    throw bad();
  return Seconds{total};
}

}  // namespace crm
