// A civil date: a day of the calendar, without a time or a time zone.
//
// A birthday, a holiday, a warranty end or a price's validity is a day, not
// an instant: stored as a point in time it would move with the time zone of
// whoever reads it. Which day an instant falls on is the business time
// zone's question (crm/time_zone.hpp).
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "crm/export.hpp"
#include "crm/json.hpp"

namespace crm {

class CRM_API Date {
 public:
  // 1970-01-01.
  constexpr Date() = default;
  // Throws InvalidInput "invalid date 2026-02-30" for an impossible date and
  // "date 1850-01-01 is outside 1900-01-01..2200-12-31" outside the kernel's
  // range of times (crm/time.hpp).
  Date(int year, unsigned month, unsigned day);
  // The date of `days` since 1970-01-01. Throws InvalidInput outside the
  // range above.
  static Date from_days(std::chrono::sys_days days);
  // "YYYY-MM-DD" or "YYYYMMDD", surrounding spaces ignored. Throws
  // InvalidInput naming the text for anything else.
  static Date parse(std::string_view text);

  std::chrono::sys_days days() const { return std::chrono::sys_days{std::chrono::days{days_}}; }
  std::chrono::year_month_day ymd() const { return std::chrono::year_month_day{days()}; }
  int year() const { return int(ymd().year()); }
  unsigned month() const { return unsigned(ymd().month()); }
  unsigned day() const { return unsigned(ymd().day()); }
  // 0 = Sunday .. 6 = Saturday.
  unsigned weekday() const { return std::chrono::weekday{days()}.c_encoding(); }

  // "YYYY-MM-DD".
  std::string to_string() const;

  // `n` days later (earlier when negative). Throws InvalidInput outside the
  // range above.
  Date plus_days(std::int64_t n) const;
  // `n` calendar months later, the day clamped to the month's last
  // (2024-01-31 plus 1 month is 2024-02-29): a warranty of 24 months.
  // Throws InvalidInput outside the range above.
  Date plus_months(int n) const;
  // Days from `other` to this date (negative when `other` is later).
  std::int64_t days_since(Date other) const { return std::int64_t{days_} - other.days_; }

  friend auto operator<=>(const Date&, const Date&) = default;

 private:
  explicit constexpr Date(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;
};

// JSON form: the string "YYYY-MM-DD"; from_json throws InvalidInput naming
// the value for anything else.
CRM_API void to_json(Json& j, const Date& d);
CRM_API void from_json(const Json& j, Date& d);

}  // namespace crm
