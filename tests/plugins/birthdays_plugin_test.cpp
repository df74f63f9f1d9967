// The plugin template (examples/plugin-template): birthdays are dates and
// "today" is the business time zone's day, in its command, its workflow
// action and its service.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "../../examples/plugin-template/birthday_calendar.hpp"
#include "crm/kernel.hpp"

namespace {

using crm::Date;
using crm::Json;

// 23:30 UTC on 31 December 2025 is 00:30 on 1 January 2026 in Berlin (CET,
// UTC+1): the UTC day and the business day differ.
const crm::TimePoint kNewYearsEveUtc = crm::parse_time("2025-12-31T23:30:00Z");

std::unique_ptr<crm::Kernel> kernel(const std::string& zone) {
  crm::KernelOptions o;
  o.database = ":memory:";
  o.plugin_dirs = {CRM_BIRTHDAYS_PLUGIN_DIR};
  o.use_bundled_plugins = false;
  o.use_plugin_path_env = false;
  o.simulated_start = kNewYearsEveUtc;
  o.time_zone = zone;
  auto k = std::make_unique<crm::Kernel>(o);
  EXPECT_EQ(k->plugins().size(), 1u);
  EXPECT_EQ(k->plugins().at(0).status, "started") << k->plugins().at(0).error;
  return k;
}

crm::CustomerId add(crm::Kernel& k, const std::string& name, std::optional<Date> birthday) {
  crm::Customer c;
  c.name = name;
  c.birthday = birthday;
  return k.store().customers().add(c, crm::Actor::user("t"));
}

// `crm birthdays upcoming --days N` as {name: in_days}.
std::map<std::string, int> upcoming(crm::Kernel& k, int days) {
  crm::CommandInput in;
  in.options["days"] = std::to_string(days);
  const crm::CommandOutput out = k.commands().run({"birthdays", "upcoming"}, in);
  std::map<std::string, int> got;
  for (const Json& row : out.data) got[row["name"]] = row["in_days"];
  return got;
}

TEST(BirthdaysPlugin, TodayIsTheBusinessTimeZonesDay) {
  auto k = kernel("Europe/Berlin");
  ASSERT_EQ(k->time_zone().date_of(k->clock().now()), Date(2026, 1, 1));
  add(*k, "New Year", Date(1990, 1, 1));
  add(*k, "Old Year", Date(1990, 12, 31));  // the UTC day's birthday, over in Berlin
  add(*k, "Unknown", std::nullopt);
  std::vector<crm::CustomerId> due;
  k->bus().subscribe("care.birthday_due", "test",
                     [&due](const crm::Event& e) { due.push_back(*e.customer_id); });

  EXPECT_EQ(upcoming(*k, 0), (std::map<std::string, int>{{"New Year", 0}}));
  EXPECT_EQ(due, (std::vector<crm::CustomerId>{1}));
  EXPECT_EQ(upcoming(*k, 400), (std::map<std::string, int>{{"New Year", 0}, {"Old Year", 364}}));
}

TEST(BirthdaysPlugin, InUtcTheSameInstantIsStill31December) {
  // The control of the test above: only the zone differs.
  auto k = kernel("UTC");
  add(*k, "New Year", Date(1990, 1, 1));
  add(*k, "Old Year", Date(1990, 12, 31));
  EXPECT_EQ(upcoming(*k, 1), (std::map<std::string, int>{{"New Year", 1}, {"Old Year", 0}}));
}

TEST(BirthdaysPlugin, ALeapDayBirthdayFallsOn1MarchInOtherYears) {
  auto k = kernel("Europe/Berlin");
  add(*k, "Leap", Date(2000, 2, 29));
  // From 1 January 2026: 31 days of January and 28 of February.
  EXPECT_EQ(upcoming(*k, 59), (std::map<std::string, int>{{"Leap", 59}}));
  EXPECT_EQ(upcoming(*k, 58), (std::map<std::string, int>{}));

  auto calendar = k->services().get<care::BirthdayCalendar>("care.birthday_calendar");
  crm::Customer c;
  c.birthday = Date(2000, 2, 29);
  EXPECT_EQ(calendar->days_until(c, Date(2028, 2, 28)), 1);  // 2028 has a 29 February
  EXPECT_EQ(calendar->days_until(c, Date(2028, 2, 29)), 0);
  EXPECT_EQ(calendar->days_until(c, Date(2027, 3, 1)), 0);    // 2027 has none
  EXPECT_EQ(calendar->days_until(c, Date(2027, 3, 2)), 364);  // to 29 February 2028
  c.birthday.reset();
  EXPECT_EQ(calendar->days_until(c, Date(2027, 3, 1)), std::nullopt);
}

TEST(BirthdaysPlugin, TheWorkflowActionCountsFromTheBusinessDay) {
  auto k = kernel("Europe/Berlin");
  const auto born = add(*k, "New Year", Date(1990, 1, 1));
  const auto unknown = add(*k, "Unknown", std::nullopt);
  k->workflows().install(
      {{"name", "check"},
       {"steps",
        {{{"type", "action"}, {"action", "birthdays.days_until"}, {"save_as", "birthday"}}}}});
  const auto a = k->workflows().instance(k->workflows().start("check", born));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->variables["birthday"], (Json{{"in_days", 0}})) << a->error;
  const auto b = k->workflows().instance(k->workflows().start("check", unknown));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->variables["birthday"], (Json{{"in_days", nullptr}})) << b->error;
}

}  // namespace
