// Points in time and their text form.
//
// The kernel keeps time as whole seconds since the Unix epoch in UTC; the text
// form is ISO 8601 ("2026-03-01T09:30:00Z"). Dates without a time mean
// midnight UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "crm/export.hpp"

namespace crm {

using Seconds = std::chrono::seconds;
using TimePoint = std::chrono::sys_seconds;

// The times the kernel accepts, from 1900-01-01T00:00:00Z up to and
// including 2200-12-31T23:59:59Z: room for any birthday, order or plan, but
// a typo such as "0026-03-01" or "9026-03-01" is refused at the door instead
// of being stored, where every calendar computation over the data (cohorts
// by week, churn by period) would have to span it.
inline constexpr TimePoint kEarliestTime{std::chrono::sys_days{std::chrono::year{1900} / 1 / 1}};
inline constexpr TimePoint kLatestTime{std::chrono::sys_days{std::chrono::year{2201} / 1 / 1} -
                                       Seconds{1}};

// Throws InvalidInput "<what>: <time> is outside 1900-01-01..2200-12-31"
// unless kEarliestTime <= t <= kLatestTime.
CRM_API void require_time_in_range(TimePoint t, std::string_view what);

// Parses "YYYY-MM-DD", "YYYYMMDD", "YYYY-MM-DDTHH:MM[:SS][Z|+hh:mm]" (a space
// may replace the T). Throws InvalidInput naming the text when it is not one
// of these, names an impossible date, or lies outside kEarliestTime ..
// kLatestTime.
CRM_API TimePoint parse_time(std::string_view text);

// Formats as "YYYY-MM-DDTHH:MM:SSZ".
CRM_API std::string format_time(TimePoint t);

// Formats the date part only, "YYYY-MM-DD".
CRM_API std::string format_date(TimePoint t);

// Parses a duration such as "90s", "15m", "24h", "3d", "2w" or "PT24H"/"P3D"
// (ISO 8601, days/hours/minutes/seconds). Throws InvalidInput otherwise.
CRM_API Seconds parse_duration(std::string_view text);

// Seconds since the epoch, the storage form.
inline std::int64_t to_unix(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint from_unix(std::int64_t s) { return TimePoint{Seconds{s}}; }

}  // namespace crm
