#include "crm/business_calendar.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "crm/error.hpp"

namespace crm {
namespace {

using std::chrono::days;
using std::chrono::minutes;

constexpr std::array<const char*, 7> kWeekdayKeys = {"sun", "mon", "tue", "wed",
                                                     "thu", "fri", "sat"};
constexpr minutes kDay{24 * 60};

// "HH:MM" -> minutes since midnight; false unless 00:00..24:00.
bool parse_clock(std::string_view s, minutes& out) {
  if (s.size() != 5 || s[2] != ':') return false;
  for (const std::size_t i : {0u, 1u, 3u, 4u}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return false;
  out = minutes{h * 60 + m};
  return true;
}

std::string clock_text(minutes m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", int(m.count() / 60), int(m.count() % 60));
  return buf;
}

// Sorts the periods and refuses overlapping ones, naming `where`.
std::vector<DayPeriod> checked_day(std::vector<DayPeriod> periods, const std::string& where) {
  for (const DayPeriod& p : periods) {
    if (p.start < minutes{0} || p.end > kDay || p.start >= p.end) {
      throw InvalidInput(where + ": period " + format_day_period(p) +
                         " is not a non-empty span within 00:00..24:00");
    }
  }
  std::sort(periods.begin(), periods.end(),
            [](const DayPeriod& a, const DayPeriod& b) { return a.start < b.start; });
  for (std::size_t i = 1; i < periods.size(); ++i) {
    if (periods[i].start < periods[i - 1].end) {
      throw InvalidInput(where + ": periods " + format_day_period(periods[i - 1]) + " and " +
                         format_day_period(periods[i]) + " overlap");
    }
  }
  return periods;
}

// `periods` without the parts any break covers.
std::vector<DayPeriod> without_breaks(const std::vector<DayPeriod>& periods,
                                      const std::vector<DayPeriod>& breaks) {
  std::vector<DayPeriod> out = periods;
  for (const DayPeriod& b : breaks) {
    std::vector<DayPeriod> next;
    for (const DayPeriod& p : out) {
      if (b.end <= p.start || b.start >= p.end) {
        next.push_back(p);
        continue;
      }
      if (p.start < b.start) next.push_back({p.start, b.start});
      if (b.end < p.end) next.push_back({b.end, p.end});
    }
    out = std::move(next);
  }
  return out;
}

unsigned weekday_of(LocalDays day) {
  return std::chrono::weekday{std::chrono::sys_days{day.time_since_epoch()}}.c_encoding();
}

std::vector<DayPeriod> periods_from_json(const Json& list, const std::string& where) {
  if (!list.is_array()) {
    throw InvalidInput(where + ": expected a list of \"HH:MM-HH:MM\", got " + list.dump());
  }
  std::vector<DayPeriod> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    if (!list[i].is_string()) {
      throw InvalidInput(at + ": expected \"HH:MM-HH:MM\", got " + list[i].dump());
    }
    try {
      out.push_back(parse_day_period(list[i].get<std::string>()));
    } catch (const InvalidInput& e) {
      throw InvalidInput(at + ": " + e.what());
    }
  }
  return checked_day(std::move(out), where);
}

}  // namespace

DayPeriod parse_day_period(std::string_view text) {
  DayPeriod p;
  if (text.size() != 11 || text[5] != '-' || !parse_clock(text.substr(0, 5), p.start) ||
      !parse_clock(text.substr(6), p.end) || p.start >= p.end) {
    throw InvalidInput("invalid period '" + std::string(text) +
                       "' (expected HH:MM-HH:MM with the start before the end, e.g. 09:00-17:00)");
  }
  return p;
}

std::string format_day_period(const DayPeriod& p) {
  return clock_text(p.start) + "-" + clock_text(p.end);
}

WorkingWeek working_week_from_json(const Json& j, std::string_view where) {
  const std::string base(where);
  if (!j.is_object()) throw InvalidInput(base + ": expected an object, got " + j.dump());
  WorkingWeek w;
  for (const auto& [key, value] : j.items()) {
    if (key != "hours" && key != "breaks") {
      throw InvalidInput(base + ": unknown key '" + key + "' (expected hours, breaks)");
    }
  }
  if (j.contains("hours")) {
    const Json& hours = j.at("hours");
    if (!hours.is_object()) {
      throw InvalidInput(base + ".hours: expected an object of weekdays, got " + hours.dump());
    }
    for (auto& day : w.hours) day.clear();
    for (const auto& [key, value] : hours.items()) {
      const auto it = std::find(kWeekdayKeys.begin(), kWeekdayKeys.end(), key);
      if (it == kWeekdayKeys.end()) {
        throw InvalidInput(base + ".hours: unknown weekday '" + key +
                           "' (expected sun, mon, tue, wed, thu, fri, sat)");
      }
      w.hours[static_cast<std::size_t>(it - kWeekdayKeys.begin())] =
          periods_from_json(value, base + ".hours." + key);
    }
  }
  if (j.contains("breaks")) w.breaks = periods_from_json(j.at("breaks"), base + ".breaks");
  return w;
}

Json to_json(const WorkingWeek& w) {
  Json hours = Json::object();
  for (std::size_t d = 0; d < 7; ++d) {
    Json list = Json::array();
    for (const DayPeriod& p : w.hours[d]) list.push_back(format_day_period(p));
    hours[kWeekdayKeys[d]] = list;
  }
  Json breaks = Json::array();
  for (const DayPeriod& p : w.breaks) breaks.push_back(format_day_period(p));
  return Json{{"hours", hours}, {"breaks", breaks}};
}

BusinessCalendar::BusinessCalendar(TimeZone zone, WorkingWeek week,
                                   const std::vector<Holiday>& holidays)
    : zone_(std::move(zone)), week_(std::move(week)) {
  week_.breaks = checked_day(week_.breaks, "calendar.breaks");
  for (std::size_t d = 0; d < 7; ++d) {
    week_.hours[d] = checked_day(week_.hours[d], std::string("calendar.hours.") + kWeekdayKeys[d]);
    net_[d] = without_breaks(week_.hours[d], week_.breaks);
  }
  for (const Holiday& h : holidays) holidays_.insert(h.day);
}

std::vector<std::pair<TimePoint, TimePoint>> BusinessCalendar::working_periods(
    LocalDays day) const {
  std::vector<std::pair<TimePoint, TimePoint>> out;
  if (is_holiday(day)) return out;
  for (const DayPeriod& p : net_[weekday_of(day)]) {
    // Each end is converted on its own, so a period across a DST change is
    // as long as the time that really passes.
    const TimePoint from = zone_.to_utc(LocalTime{day} + p.start);
    const TimePoint to = zone_.to_utc(LocalTime{day} + p.end);
    if (from < to) out.emplace_back(from, to);
  }
  return out;
}

bool BusinessCalendar::is_working_time(TimePoint t) const {
  for (const auto& [from, to] : working_periods(zone_.local_day(t))) {
    if (from <= t && t < to) return true;
  }
  return false;
}

TimePoint BusinessCalendar::add_working_time(TimePoint t, Seconds d) const {
  if (d < Seconds{0}) {
    throw InvalidInput("add_working_time: negative duration " + std::to_string(d.count()) + " s");
  }
  if (d == Seconds{0}) return t;
  if (std::all_of(net_.begin(), net_.end(), [](const auto& day) { return day.empty(); })) {
    throw InvalidInput("add_working_time: the working week has no working hours");
  }
  Seconds left = d;
  // The day before too: a period of the previous local day may still run
  // at `t` when the zone's offset moved.
  for (LocalDays day = zone_.local_day(t) - days{1};; day += days{1}) {
    if (TimePoint{day.time_since_epoch()} > kLatestTime) {
      throw InvalidInput("add_working_time: " + std::to_string(d.count()) +
                         " s of working time after " + format_time(t) + " ends after 2200-12-31");
    }
    for (const auto& [from, to] : working_periods(day)) {
      if (to <= t) continue;
      const TimePoint start = std::max(from, t);
      const Seconds available = to - start;
      if (left <= available) return start + left;
      left -= available;
    }
  }
}

Seconds BusinessCalendar::working_time_between(TimePoint a, TimePoint b) const {
  if (b < a) return -working_time_between(b, a);
  Seconds total{0};
  const LocalDays last = zone_.local_day(b);
  for (LocalDays day = zone_.local_day(a) - days{1}; day <= last; day += days{1}) {
    for (const auto& [from, to] : working_periods(day)) {
      const TimePoint start = std::max(from, a);
      const TimePoint end = std::min(to, b);
      if (start < end) total += end - start;
    }
  }
  return total;
}

}  // namespace crm
