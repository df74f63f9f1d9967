#include "holiday_store.hpp"

#include <map>

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "json_text.hpp"

namespace crm::core {
namespace {

std::string day_text(LocalDays day) { return format_date(TimePoint{day.time_since_epoch()}); }

// The audit log's entity id of a holiday: its day number since 1970-01-01.
std::int64_t day_id(LocalDays day) { return day.time_since_epoch().count(); }

}  // namespace

std::size_t HolidayStore::add(const std::vector<Holiday>& holidays, const Actor& by) {
  for (const Holiday& h : holidays) {
    require_time_in_range(TimePoint{h.day.time_since_epoch()}, "holiday");
    require_utf8(h.name, "holiday name");
  }
  std::map<LocalDays, std::string> kept;
  for (const Holiday& h : list()) kept[h.day] = h.name;
  Transaction tx(p_.db);
  const TimePoint now = p_.clock.now();
  Json added = Json::array();
  std::size_t changed = 0;
  for (const Holiday& h : holidays) {
    const auto it = kept.find(h.day);
    if (it != kept.end() && it->second == h.name) continue;
    const bool rename = it != kept.end();
    p_.db.execute(
        "INSERT INTO holidays (day, name) VALUES (?, ?) "
        "ON CONFLICT(day) DO UPDATE SET name = excluded.name",
        {day_text(h.day), h.name});
    Json details{{"date", day_text(h.day)}, {"name", h.name}};
    if (rename) details["was"] = it->second;
    p_.audit.record(by, rename ? "holiday.rename" : "holiday.add", "holiday", day_id(h.day),
                    std::nullopt, details);
    added.push_back(Json{{"date", day_text(h.day)}, {"name", h.name}});
    kept[h.day] = h.name;
    ++changed;
  }
  if (changed > 0) {
    p_.bus.publish(Event{events::kHolidaysChanged, now, std::nullopt,
                         Json{{"added", added}, {"removed", Json::array()}}});
  }
  tx.commit();
  return changed;
}

void HolidayStore::remove(LocalDays day, const Actor& by) {
  Transaction tx(p_.db);
  const auto rows = p_.db.query("SELECT name FROM holidays WHERE day = ?", {day_text(day)});
  if (rows.empty()) throw NotFound("holiday " + day_text(day) + " not found");
  p_.db.execute("DELETE FROM holidays WHERE day = ?", {day_text(day)});
  p_.audit.record(by, "holiday.remove", "holiday", day_id(day), std::nullopt,
                  Json{{"date", day_text(day)}, {"name", rows[0].text(0)}});
  p_.bus.publish(Event{events::kHolidaysChanged, p_.clock.now(), std::nullopt,
                       Json{{"added", Json::array()}, {"removed", Json::array({day_text(day)})}}});
  tx.commit();
}

std::vector<Holiday> HolidayStore::list() {
  std::vector<Holiday> out;
  p_.db.query_each("SELECT day, name FROM holidays ORDER BY day", {}, [&](const SqlRow& r) {
    const TimePoint t = parse_time(r.text(0));
    out.push_back(
        {LocalDays{std::chrono::floor<std::chrono::days>(t).time_since_epoch()}, r.text(1)});
  });
  return out;
}

}  // namespace crm::core
