// The service this plugin provides under "care.birthday_calendar": another
// plugin that lists "birthdays" (or the service's name) in its `requires`
// gets it with
//   ctx.services().get<care::BirthdayCalendar>("care.birthday_calendar")
// and compiles against this header.
#pragma once

#include <crm/customer.hpp>
#include <crm/date.hpp>

#include <optional>

namespace care {

class BirthdayCalendar {
 public:
  virtual ~BirthdayCalendar() = default;
  // Days from `today` to the customer's next birthday (0: today); nullopt
  // when the customer has no birthday. `today` is a day of the business time
  // zone, `ctx.today()`: the UTC day of "now" would be yesterday or tomorrow
  // for part of every day anywhere but on Greenwich time. A birthday on 29
  // February falls on 1 March in years without it.
  virtual std::optional<int> days_until(const crm::Customer& c, crm::Date today) const = 0;
};

}  // namespace care
