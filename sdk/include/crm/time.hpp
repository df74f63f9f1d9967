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

namespace crm {

using Seconds = std::chrono::seconds;
using TimePoint = std::chrono::sys_seconds;

// Parses "YYYY-MM-DD", "YYYYMMDD", "YYYY-MM-DDTHH:MM[:SS][Z|+hh:mm]" (a space
// may replace the T). Throws InvalidInput naming the text when it is not one
// of these or names an impossible date.
TimePoint parse_time(std::string_view text);

// Formats as "YYYY-MM-DDTHH:MM:SSZ".
std::string format_time(TimePoint t);

// Formats the date part only, "YYYY-MM-DD".
std::string format_date(TimePoint t);

// Parses a duration such as "90s", "15m", "24h", "3d", "2w" or "PT24H"/"P3D"
// (ISO 8601, days/hours/minutes/seconds). Throws InvalidInput otherwise.
Seconds parse_duration(std::string_view text);

// Seconds since the epoch, the storage form.
inline std::int64_t to_unix(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint from_unix(std::int64_t s) { return TimePoint{Seconds{s}}; }

}  // namespace crm
