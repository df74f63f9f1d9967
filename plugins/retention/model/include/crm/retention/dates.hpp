// Calendar dates as day numbers.
//
// The library represents a date as the number of days since 1970-01-01
// (proleptic Gregorian calendar, no time zone): 1997-01-01 is day 9862. Day
// numbers make durations plain integer differences and keep purchase tables
// compact.

#ifndef CRM_RETENTION_DATES_HPP_
#define CRM_RETENTION_DATES_HPP_

#include <optional>
#include <string>
#include <string_view>

namespace crm::retention {

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
std::optional<int> try_parse_date(std::string_view text);

// Like try_parse_date but throws InvalidInput quoting the text on failure.
int parse_date(std::string_view text);

// Formats a day number as "YYYY-MM-DD".
std::string format_date(int days);

}  // namespace crm::retention

#endif  // CRM_RETENTION_DATES_HPP_
