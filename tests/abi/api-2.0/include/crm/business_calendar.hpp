// The business calendar: when the business works, in its time zone.
//
// Working hours per weekday, breaks (lunch) taken out of every working day,
// and holidays on which nobody works. SLAs and follow-up timing ask it how
// much working time lies between two instants, or when a given amount of
// working time after an instant ends. Working time is elapsed time: a
// 09:00-17:00 day is eight hours on the day DST starts as on any other,
// while a night shift 00:00-06:00 on that day is five.
#pragma once

#include <array>
#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/time.hpp"
#include "crm/time_zone.hpp"

namespace crm {

// A part of a local day, [start, end) as time since local midnight; end may
// be 24:00.
struct DayPeriod {
  std::chrono::minutes start{0};
  std::chrono::minutes end{0};
  friend bool operator==(const DayPeriod&, const DayPeriod&) = default;
};

// Parses "09:00-17:00" ("24:00" allowed as an end). Throws InvalidInput
// naming the text unless start < end within 00:00..24:00.
CRM_API DayPeriod parse_day_period(std::string_view text);
// "09:00-17:00".
CRM_API std::string format_day_period(const DayPeriod& p);

// The working week: periods per weekday and breaks taken out of each day.
struct WorkingWeek {
  // hours[w] are the working periods of weekday w (0 = Sunday, 6 =
  // Saturday). Default: Monday to Friday 09:00-17:00.
  std::array<std::vector<DayPeriod>, 7> hours = {std::vector<DayPeriod>{},
                                                 {{std::chrono::hours{9}, std::chrono::hours{17}}},
                                                 {{std::chrono::hours{9}, std::chrono::hours{17}}},
                                                 {{std::chrono::hours{9}, std::chrono::hours{17}}},
                                                 {{std::chrono::hours{9}, std::chrono::hours{17}}},
                                                 {{std::chrono::hours{9}, std::chrono::hours{17}}},
                                                 std::vector<DayPeriod>{}};
  // Taken out of every working day (e.g. 12:00-13:00). Default: none.
  std::vector<DayPeriod> breaks;
};

// Reads {"hours": {"mon": ["09:00-12:00", "13:00-17:00"], ...}, "breaks":
// ["12:00-13:00"]}. Weekdays are sun mon tue wed thu fri sat; with "hours"
// given, a weekday it does not list is a day off; without it the default
// week applies. Throws InvalidInput naming the JSON path ("calendar.hours.
// mon[1]") of a bad, overlapping or unknown entry; `where` prefixes it.
CRM_API WorkingWeek working_week_from_json(const Json& j, std::string_view where = "calendar");
CRM_API Json to_json(const WorkingWeek& w);

// A holiday: a local date on which nobody works.
struct Holiday {
  LocalDays day;
  std::string name;
};

// Reads the all-day events of an iCalendar (RFC 5545) text as holidays:
// each VEVENT's DTSTART (a date, or the date of a date-time), through the
// day before its DTEND when it spans several days, named by its SUMMARY.
// Folded lines are unfolded. Throws InvalidInput "<source>:<line>: ..."
// for a VEVENT without DTSTART, a malformed date, a recurrence rule (RRULE,
// which is not expanded), or a text with no VCALENDAR.
CRM_API std::vector<Holiday> parse_ics_holidays(std::string_view text, std::string_view source);

class CRM_API BusinessCalendar {
 public:
  // Throws InvalidInput naming the weekday and period when periods of a day
  // overlap or are not within 00:00..24:00.
  BusinessCalendar(TimeZone zone, WorkingWeek week, const std::vector<Holiday>& holidays);

  const TimeZone& time_zone() const { return zone_; }
  const WorkingWeek& week() const { return week_; }
  bool is_holiday(LocalDays day) const { return holidays_.count(day) > 0; }
  // Whether `t` lies in a working period (start included, end excluded).
  bool is_working_time(TimePoint t) const;

  // The working periods of local day `day` as instants, breaks taken out,
  // in order; none on a holiday or a day off.
  std::vector<std::pair<TimePoint, TimePoint>> working_periods(LocalDays day) const;

  // The instant at which `d` of working time after `t` has passed: from a
  // time outside working hours, counting starts with the next working
  // period. add_working_time(t, 0s) is t. Throws InvalidInput when d is
  // negative, when the week has no working hours, or when the end would lie
  // after kLatestTime.
  TimePoint add_working_time(TimePoint t, Seconds d) const;
  // The working time in [a, b); negative when b < a.
  Seconds working_time_between(TimePoint a, TimePoint b) const;

 private:
  TimeZone zone_;
  WorkingWeek week_;
  // Per weekday: the working periods with the breaks taken out.
  std::array<std::vector<DayPeriod>, 7> net_;
  std::set<LocalDays> holidays_;
};

}  // namespace crm
