// The business's time zone: what local date and wall-clock time a point in
// time is, and back.
//
// The kernel stores UTC (crm/time.hpp); days, opening hours and "the purchase
// happened on 31 December" are local. A TimeZone is an IANA zone ("UTC",
// "Europe/Berlin", "America/New_York") read from the system's tz database
// (/usr/share/zoneinfo), so daylight saving time follows the zone's rules.
// It is cheap to copy (the zone's rules are shared) and safe to use from
// several threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "crm/date.hpp"
#include "crm/export.hpp"
#include "crm/time.hpp"

namespace crm {

// A local wall-clock time (no zone): what a clock on the office wall shows.
using LocalTime = std::chrono::local_seconds;
using LocalDays = std::chrono::local_days;

class CRM_API TimeZone {
 public:
  // UTC.
  TimeZone();
  // The IANA zone `name`. Throws InvalidInput "time zone '<name>': ..." when
  // the tz database has no such zone.
  static TimeZone named(std::string_view name);

  // The IANA name given to named() ("UTC" for the default).
  const std::string& name() const;

  // The offset from UTC in effect at `t` (+3600 s for CET, +7200 s for CEST).
  Seconds offset_at(TimePoint t) const;
  // The wall-clock time at `t`.
  LocalTime to_local(TimePoint t) const;

  // The instant a wall-clock time names. Defined for every local time:
  //  - in a gap (the clock jumps 02:00 -> 03:00 in spring), the time is read
  //    with the offset in effect before the gap, so 02:30 becomes 03:30 of
  //    the new offset: a meeting in the missing hour moves by the gap;
  //  - in an overlap (03:00 -> 02:00 in autumn), the earlier of the two
  //    instants (the first 02:30) is taken.
  TimePoint to_utc(LocalTime local) const;

  // The local day `t` falls on.
  LocalDays local_day(TimePoint t) const;
  // The same as a civil Date ("the purchase happened on 31 December").
  Date date_of(TimePoint t) const;
  // The first instant of local day `day`: local midnight, or, where the
  // zone skips midnight (a DST change at 00:00), the first instant after
  // the gap.
  TimePoint start_of_day(LocalDays day) const;
  TimePoint start_of_day(Date day) const;

  friend bool operator==(const TimeZone& a, const TimeZone& b) { return a.name() == b.name(); }

 private:
  struct Rules;
  explicit TimeZone(std::shared_ptr<const Rules> rules);
  std::shared_ptr<const Rules> rules_;
};

// Formats `t` in `zone` as ISO 8601 with its offset, "2026-03-29T03:30:00+02:00"
// ("...Z" when the offset is zero).
CRM_API std::string format_local_time(TimePoint t, const TimeZone& zone);

}  // namespace crm
