// The service this plugin provides under "care.birthday_calendar": another
// plugin that lists "birthdays" (or the service's name) in its `requires`
// gets it with
//   ctx.services().get<care::BirthdayCalendar>("care.birthday_calendar")
// and compiles against this header.
#pragma once

#include <crm/customer.hpp>
#include <crm/time.hpp>

#include <optional>

namespace care {

class BirthdayCalendar {
 public:
  virtual ~BirthdayCalendar() = default;
  // Days from `today` to the customer's next birthday (0: today); nullopt
  // when the customer has no birthday.
  virtual std::optional<int> days_until(const crm::Customer& c, crm::TimePoint today) const = 0;
};

}  // namespace care
