#include "calendar_commands.hpp"

#include <fstream>
#include <sstream>

#include "crm/error.hpp"
#include "crm/text_table.hpp"

namespace crm::core {
namespace {

constexpr const char* kWeekdayNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};

std::string day_text(LocalDays day) { return format_date(TimePoint{day.time_since_epoch()}); }

// "YYYY-MM-DD" only: a holiday is a date, not a time.
LocalDays parse_day(const std::string& text, const char* what) {
  if (text.size() != 10) {
    throw InvalidInput(std::string(what) + " '" + text + "' is not a date YYYY-MM-DD");
  }
  return LocalDays{std::chrono::floor<std::chrono::days>(parse_time(text)).time_since_epoch()};
}

// "7h 30m" for people; the JSON has seconds.
std::string duration_text(Seconds s) {
  const bool negative = s < Seconds{0};
  const long long a = negative ? -s.count() : s.count();
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%s%lldh", negative ? "-" : "", a / 3600);
  if (a % 3600 != 0) n += std::snprintf(buf + n, sizeof buf - n, " %lldm", a % 3600 / 60);
  if (a % 60 != 0) std::snprintf(buf + n, sizeof buf - n, " %llds", a % 60);
  return buf;
}

Json holidays_json(const std::vector<Holiday>& holidays) {
  Json out = Json::array();
  for (const Holiday& h : holidays) out.push_back({{"date", day_text(h.day)}, {"name", h.name}});
  return out;
}

CommandOutput show(Kernel& k) {
  const BusinessCalendar cal = k.calendar();
  const LocalDays today = k.time_zone().local_day(k.clock().now());
  CommandOutput out;
  out.data = to_json(cal.week());
  out.data["time_zone"] = k.time_zone().name();
  out.data["today"] = day_text(today);
  out.data["now"] = format_local_time(k.clock().now(), k.time_zone());
  std::size_t holidays = 0;
  for (const Holiday& h : k.store().holidays().list()) holidays += h.day >= today ? 1 : 0;
  out.data["upcoming_holidays"] = holidays;
  std::ostringstream text;
  text << "time zone  " << k.time_zone().name() << "\n"
       << "now        " << out.data["now"].get<std::string>() << "\n"
       << "today      " << day_text(today) << "\n";
  for (std::size_t d = 1; d <= 7; ++d) {  // Monday first, as a week is read
    const auto& periods = cal.week().hours[d % 7];
    std::string line;
    for (const DayPeriod& p : periods) line += (line.empty() ? "" : ", ") + format_day_period(p);
    text << kWeekdayNames[d % 7] << std::string(11 - std::string(kWeekdayNames[d % 7]).size(), ' ')
         << (line.empty() ? "closed" : line) << "\n";
  }
  std::string breaks;
  for (const DayPeriod& p : cal.week().breaks)
    breaks += (breaks.empty() ? "" : ", ") + format_day_period(p);
  text << "breaks     " << (breaks.empty() ? "none" : breaks) << "\n"
       << "holidays   " << holidays << " upcoming\n";
  out.text = text.str();
  return out;
}

CommandOutput holidays_list(Kernel& k) {
  const auto holidays = k.store().holidays().list();
  CommandOutput out;
  out.data = holidays_json(holidays);
  std::vector<std::vector<std::string>> rows;
  for (const Holiday& h : holidays) {
    const auto wd = std::chrono::weekday{std::chrono::sys_days{h.day.time_since_epoch()}};
    rows.push_back({day_text(h.day), kWeekdayNames[wd.c_encoding()], h.name});
  }
  out.text = rows.empty() ? "no holidays\n" : render_table({"DATE", "WEEKDAY", "NAME"}, rows);
  return out;
}

CommandOutput holidays_import(Kernel& k, const CommandInput& in) {
  const std::string& file = in.positionals.at(0);
  std::ifstream f(file, std::ios::binary);
  if (!f) throw InvalidInput(file + ": cannot read the file");
  std::ostringstream text;
  text << f.rdbuf();
  const std::vector<Holiday> holidays = parse_ics_holidays(text.str(), file);
  const std::size_t changed = k.store().holidays().add(holidays, in.actor);
  CommandOutput out;
  out.data = {{"file", file}, {"read", holidays.size()}, {"added_or_renamed", changed}};
  out.text = "read " + std::to_string(holidays.size()) + " holidays from " + file + ", " +
             std::to_string(changed) + " new or renamed\n";
  return out;
}

CommandOutput add_working_time(Kernel& k, const CommandInput& in) {
  const TimePoint from = parse_time(in.positionals.at(0));
  const Seconds d = parse_duration(in.positionals.at(1));
  const TimePoint end = k.calendar().add_working_time(from, d);
  CommandOutput out;
  out.data = {{"from", format_time(from)},
              {"working_time", d.count()},
              {"end", format_time(end)},
              {"end_local", format_local_time(end, k.time_zone())}};
  out.text = format_local_time(end, k.time_zone()) + "\n";
  return out;
}

CommandOutput working_time_between(Kernel& k, const CommandInput& in) {
  const TimePoint a = parse_time(in.positionals.at(0));
  const TimePoint b = parse_time(in.positionals.at(1));
  const Seconds d = k.calendar().working_time_between(a, b);
  CommandOutput out;
  out.data = {{"from", format_time(a)}, {"to", format_time(b)}, {"seconds", d.count()}};
  out.text = duration_text(d) + "\n";
  return out;
}

}  // namespace

void register_calendar_commands(Kernel& k) {
  CommandRegistry& r = k.commands();
  r.add(command({"calendar", "show"},
                "the business time zone, today's local date, working hours, breaks"),
        [&k](const CommandInput&) { return show(k); });
  r.add(command({"calendar", "holidays", "list"}, "list the holidays"),
        [&k](const CommandInput&) { return holidays_list(k); });
  r.add(command({"calendar", "holidays", "add"}, "add (or rename) the holiday of DATE",
                {option("name", "what the holiday is called")}, {"DATE"}),
        [&k](const CommandInput& in) {
          const Holiday h{parse_day(in.positionals.at(0), "holiday"), in.get("name")};
          const std::size_t changed = k.store().holidays().add({h}, in.actor);
          CommandOutput out;
          out.data = {{"date", day_text(h.day)}, {"name", h.name}, {"changed", changed > 0}};
          out.text = changed ? "holiday " + day_text(h.day) + " added\n"
                             : "holiday " + day_text(h.day) + " already kept\n";
          return out;
        });
  r.add(command({"calendar", "holidays", "remove"}, "remove the holiday of DATE", {}, {"DATE"}),
        [&k](const CommandInput& in) {
          const LocalDays day = parse_day(in.positionals.at(0), "holiday");
          k.store().holidays().remove(day, in.actor);
          CommandOutput out;
          out.data = {{"date", day_text(day)}};
          out.text = "holiday " + day_text(day) + " removed\n";
          return out;
        });
  r.add(command({"calendar", "holidays", "import"},
                "import the all-day events of an iCalendar (.ics) file as holidays", {}, {"FILE"}),
        [&k](const CommandInput& in) { return holidays_import(k, in); });
  r.add(command({"calendar", "add-working-time"},
                "when DURATION (e.g. 4h, PT90M) of working time after TIME ends", {},
                {"TIME", "DURATION"}),
        [&k](const CommandInput& in) { return add_working_time(k, in); });
  r.add(command({"calendar", "working-time-between"}, "the working time from FROM to TO", {},
                {"FROM", "TO"}),
        [&k](const CommandInput& in) { return working_time_between(k, in); });
}

}  // namespace crm::core
