// Holidays in the store and the kernel's business time zone and calendar.
#include <gtest/gtest.h>

#include "crm/error.hpp"
#include "crm/holiday_repository.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono;
using crm::Holiday;

crm::LocalDays date(int y, unsigned m, unsigned d) {
  return local_days{year{y} / month{m} / day{d}};
}

TEST(HolidayStore, AddRenameRemoveWithAuditAndEvent) {
  auto k = crm_test::make_kernel();
  std::vector<crm::Event> seen;
  k->bus().subscribe("calendar.*", crm_test::sub("t"),
                     [&](const crm::Event& e) { seen.push_back(e); });
  const auto by = crm::Actor::user("ana");
  auto& holidays = k->store().holidays();
  EXPECT_EQ(holidays.add({{date(2026, 12, 25), "Christmas"}, {date(2026, 1, 1), "New Year"}}, by),
            2u);
  // The same again changes nothing and publishes nothing.
  EXPECT_EQ(holidays.add({{date(2026, 12, 25), "Christmas"}}, by), 0u);
  EXPECT_EQ(holidays.add({{date(2026, 12, 25), "Christmas Day"}}, by), 1u);
  const auto all = holidays.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].day, date(2026, 1, 1));  // by date
  EXPECT_EQ(all[1].name, "Christmas Day");
  holidays.remove(date(2026, 1, 1), by);
  EXPECT_EQ(holidays.list().size(), 1u);
  EXPECT_THROW(holidays.remove(date(2026, 1, 1), by), crm::NotFound);

  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].type, "calendar.holidays_changed");
  EXPECT_EQ(seen[0].payload["added"].size(), 2u);
  EXPECT_EQ(seen[2].payload["removed"][0], "2026-01-01");
  std::vector<std::string> actions;
  for (const auto& a : k->store().audit().recent(10)) {
    if (a.entity != "holiday") continue;
    actions.push_back(a.action + " " + a.details["date"].get<std::string>());
    EXPECT_EQ(a.actor, crm::to_string(by));
  }
  EXPECT_EQ(actions,
            (std::vector<std::string>{"holiday.remove 2026-01-01", "holiday.rename 2026-12-25",
                                      "holiday.add 2026-01-01", "holiday.add 2026-12-25"}));
}

TEST(HolidayStore, AFailedAddWritesNothing) {
  auto k = crm_test::make_kernel();
  auto& holidays = k->store().holidays();
  EXPECT_THROW(holidays.add({{date(2026, 12, 25), "ok"}, {date(2026, 12, 26), "bad\xff"}},
                            crm::Actor::user("ana")),
               crm::InvalidInput);
  EXPECT_TRUE(holidays.list().empty());
}

TEST(KernelCalendar, UsesTheConfiguredZoneWeekAndStoredHolidays) {
  auto o = crm_test::options();
  o.time_zone = "Europe/Berlin";
  o.working_week.breaks = {crm::parse_day_period("12:00-13:00")};
  crm::Kernel k(o);
  EXPECT_EQ(k.time_zone().name(), "Europe/Berlin");
  // kStart is 2026-01-01T00:00Z, already 1 January at 01:00 in Berlin.
  EXPECT_EQ(k.time_zone().local_day(k.clock().now()), date(2026, 1, 1));
  k.store().holidays().add({{date(2026, 12, 25), "Christmas"}}, crm::Actor::user("ana"));
  const auto cal = k.calendar();
  EXPECT_TRUE(cal.is_holiday(date(2026, 12, 25)));
  EXPECT_EQ(cal.add_working_time(crm::parse_time("2026-12-24T15:30:00Z"), hours{1}),
            crm::parse_time("2026-12-28T08:30:00Z"));
}

TEST(KernelCalendar, RefusesAnUnknownZoneAndABadWeek) {
  auto o = crm_test::options();
  o.time_zone = "Mars/Olympus_Mons";
  EXPECT_THROW(crm::Kernel{o}, crm::InvalidInput);
  auto p = crm_test::options();
  p.working_week.hours[1] = {crm::parse_day_period("09:00-13:00"),
                             crm::parse_day_period("12:00-17:00")};
  try {
    crm::Kernel k(p);
    FAIL() << "no error";
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("calendar.hours.mon"), std::string::npos) << e.what();
  }
}

}  // namespace
