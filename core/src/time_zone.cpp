#include "crm/time_zone.hpp"

#include <date/tz.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "crm/error.hpp"

namespace crm {

// The zone's rules in the tz database; null rules mean UTC, which needs no
// lookup (and no reading of the database, which takes a moment on first use).
struct TimeZone::Rules {
  std::string name;
  const date::time_zone* zone = nullptr;
};

namespace {

const std::string& utc_name() {
  static const std::string name = "UTC";
  return name;
}

Seconds offset_of(const date::time_zone* zone, TimePoint t) {
  return zone->get_info(date::sys_seconds{t.time_since_epoch()}).offset;
}

}  // namespace

TimeZone::TimeZone() = default;
TimeZone::TimeZone(std::shared_ptr<const Rules> rules) : rules_(std::move(rules)) {}

TimeZone TimeZone::named(std::string_view name) {
  if (name == "UTC") return TimeZone{};
  if (name.empty()) throw InvalidInput("time zone '': expected an IANA name such as Europe/Berlin");
  try {
    auto rules = std::make_shared<Rules>();
    rules->name = std::string(name);
    rules->zone = date::locate_zone(name);
    return TimeZone{std::move(rules)};
  } catch (const std::runtime_error&) {
    throw InvalidInput("time zone '" + std::string(name) +
                       "': not in the tz database (/usr/share/zoneinfo); expected an IANA "
                       "name such as Europe/Berlin");
  }
}

const std::string& TimeZone::name() const { return rules_ ? rules_->name : utc_name(); }

Seconds TimeZone::offset_at(TimePoint t) const {
  return rules_ ? offset_of(rules_->zone, t) : Seconds{0};
}

LocalTime TimeZone::to_local(TimePoint t) const {
  return LocalTime{(t + offset_at(t)).time_since_epoch()};
}

TimePoint TimeZone::to_utc(LocalTime local) const {
  if (!rules_) return TimePoint{local.time_since_epoch()};
  const date::local_info info =
      rules_->zone->get_info(date::local_seconds{local.time_since_epoch()});
  // `first` is the offset before a gap and the larger (earlier) one of an
  // overlap, so subtracting it gives the rule the header promises in every
  // case: a unique time, the shift by a gap, the first of two instants.
  return TimePoint{local.time_since_epoch() - info.first.offset};
}

LocalDays TimeZone::local_day(TimePoint t) const {
  return std::chrono::floor<std::chrono::days>(to_local(t));
}

TimePoint TimeZone::start_of_day(LocalDays day) const { return to_utc(LocalTime{day}); }

Date TimeZone::date_of(TimePoint t) const {
  return Date::from_days(std::chrono::sys_days{local_day(t).time_since_epoch()});
}

TimePoint TimeZone::start_of_day(Date day) const {
  return start_of_day(LocalDays{day.days().time_since_epoch()});
}

std::string format_local_time(TimePoint t, const TimeZone& zone) {
  const Seconds offset = zone.offset_at(t);
  const std::string utc_form = format_time(TimePoint{(t + offset).time_since_epoch()});
  if (offset == Seconds{0}) return utc_form;
  const long long minutes = std::llabs(offset.count()) / 60;
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, "%c%02lld:%02lld", offset.count() < 0 ? '-' : '+',
                minutes / 60, minutes % 60);
  return utc_form.substr(0, utc_form.size() - 1) + suffix;
}

}  // namespace crm
