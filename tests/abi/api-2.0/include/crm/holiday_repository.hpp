// The business's holidays, kept in the store so that an imported holiday
// calendar serves every process and plugin (the working hours and the time
// zone are configuration: KernelOptions).
#pragma once

#include <cstddef>
#include <vector>

#include "crm/actor.hpp"
#include "crm/business_calendar.hpp"
#include "crm/export.hpp"

namespace crm {

namespace events {
// {"added": [{"date", "name"}...], "removed": ["YYYY-MM-DD"...]}
inline constexpr const char* kHolidaysChanged = "calendar.holidays_changed";
}  // namespace events

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API HolidayRepository {
 public:
  virtual ~HolidayRepository() = default;
  // Adds the holidays not yet kept and renames those kept under another
  // name, in one transaction with an audit row each ("holiday.add",
  // "holiday.rename") and one kHolidaysChanged event. Returns how many were
  // added or renamed. Throws InvalidInput for a date outside 1900..2200 or
  // a name that is not UTF-8.
  virtual std::size_t add(const std::vector<Holiday>& holidays, const Actor& by) = 0;
  // Removes the holiday of `day` (audit "holiday.remove", kHolidaysChanged).
  // Throws NotFound when there is none.
  virtual void remove(LocalDays day, const Actor& by) = 0;
  // Every holiday, by date.
  virtual std::vector<Holiday> list() = 0;
};

}  // namespace crm
