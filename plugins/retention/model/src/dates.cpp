#include "crm/retention/dates.hpp"

#include <chrono>
#include <cstdio>

#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

// Parses exactly `n` decimal digits starting at text[pos].
std::optional<unsigned> digits(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

std::optional<int> checked_days(unsigned year, unsigned month, unsigned day) {
  const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(year)},
                                        std::chrono::month{month}, std::chrono::day{day}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

}  // namespace

int days_from_civil(int year, unsigned month, unsigned day) {
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                        std::chrono::day{day}};
  if (!ymd.ok()) {
    throw InvalidInput("days_from_civil: no such date " + std::to_string(year) + "-" +
                       std::to_string(month) + "-" + std::to_string(day));
  }
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

CivilDate civil_from_days(int days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day())};
}

std::optional<int> try_parse_calendar_date(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  std::optional<unsigned> year, month, day;
  std::size_t end = 0;
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    year = digits(text, 0, 4);
    month = digits(text, 5, 2);
    day = digits(text, 8, 2);
    end = 10;
  } else if (text.size() >= 8) {
    year = digits(text, 0, 4);
    month = digits(text, 4, 2);
    day = digits(text, 6, 2);
    end = 8;
  }
  if (!year || !month || !day) return std::nullopt;
  // Allow a time part ("1997-01-01T10:00:00", "1997-01-01 10:00") but not
  // trailing digits ("199701011").
  if (end < text.size() && text[end] != 'T' && text[end] != ' ') return std::nullopt;
  return checked_days(*year, *month, *day);
}

std::optional<int> try_parse_date(std::string_view text) {
  const std::optional<int> days = try_parse_calendar_date(text);
  if (!days || !is_plausible_day(*days)) return std::nullopt;
  return days;
}

int parse_date(std::string_view text) {
  const std::optional<int> days = try_parse_calendar_date(text);
  if (!days) {
    throw InvalidInput("parse_date: '" + std::string(text) +
                       "' is not a valid YYYY-MM-DD or YYYYMMDD date");
  }
  if (!is_plausible_day(*days)) {
    throw InvalidInput("parse_date: '" + std::string(text) + "' is outside " +
                       plausible_window_text());
  }
  return *days;
}

std::string plausible_window_text() {
  return format_date(kEarliestDay) + " to " + format_date(kLatestDay);
}

std::string format_date(int days) {
  const CivilDate d = civil_from_days(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", d.year, d.month, d.day);
  return buf;
}

}  // namespace crm::retention
