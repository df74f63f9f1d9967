// Calendar dates as day numbers.
//
// The library represents a date as the number of days since 1970-01-01
// (proleptic Gregorian calendar, no time zone): 1997-01-01 is day 9862. Day
// numbers make durations plain integer differences and keep purchase tables
// compact.

#ifndef CRM_RETENTION_DATES_HPP_
#define CRM_RETENTION_DATES_HPP_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace crm::retention {

// The plausible-date window: the day numbers of 1900-01-01 and 2200-12-31.
// It matches the kernel's kEarliestTime / kLatestTime (crm/time.hpp), kept
// here because this library does not depend on the kernel. A purchase dated
// outside it is a typo ("0202-03-01", "20240"), not history to model.
inline constexpr int kEarliestDay =
    std::chrono::sys_days{std::chrono::year{1900} / 1 / 1}.time_since_epoch().count();
inline constexpr int kLatestDay =
    std::chrono::sys_days{std::chrono::year{2200} / 12 / 31}.time_since_epoch().count();
static_assert(kEarliestDay == -25567 && kLatestDay == 84370);

// True for a day number inside [kEarliestDay, kLatestDay].
constexpr bool is_plausible_day(int day) { return day >= kEarliestDay && day <= kLatestDay; }

// Returns the day number (days since 1970-01-01) of the given calendar date.
// Throws InvalidInput if the date does not exist (e.g. 1997-02-29).
int days_from_civil(int year, unsigned month, unsigned day);

// A calendar date broken into parts.
struct CivilDate {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Returns the calendar date of a day number.
CivilDate civil_from_days(int days);

// Parses "YYYY-MM-DD" or "YYYYMMDD" (surrounding spaces and a trailing
// "T..."/" hh:mm:ss" time part are ignored). Returns the day number, or
// std::nullopt if the text is not such a date or the date does not exist.
// Any year 0000..9999 is read; see try_parse_date for the window.
std::optional<int> try_parse_calendar_date(std::string_view text);

// Like try_parse_calendar_date, and std::nullopt also for a date outside
// 1900-01-01..2200-12-31 (is_plausible_day).
std::optional<int> try_parse_date(std::string_view text);

// Like try_parse_date but throws InvalidInput quoting the text on failure,
// saying whether it is no date or one outside the window.
int parse_date(std::string_view text);

// "1900-01-01 to 2200-12-31": the window, for error messages.
std::string plausible_window_text();

// Formats a day number as "YYYY-MM-DD".
std::string format_date(int days);

}  // namespace crm::retention

#endif  // CRM_RETENTION_DATES_HPP_
