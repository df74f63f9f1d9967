#include "crm/date.hpp"

#include <gtest/gtest.h>

#include "crm/error.hpp"

namespace crm {
namespace {

TEST(DateTest, ParsesAndFormats) {
  const Date d = Date::parse("2026-12-02");
  EXPECT_EQ(d.year(), 2026);
  EXPECT_EQ(d.month(), 12u);
  EXPECT_EQ(d.day(), 2u);
  EXPECT_EQ(d.to_string(), "2026-12-02");
  EXPECT_EQ(Date::parse(" 20240229 "), Date(2024, 2, 29));
  EXPECT_EQ(Date().to_string(), "1970-01-01");
  EXPECT_EQ(Date(1970, 1, 2).days().time_since_epoch().count(), 1);
}

TEST(DateTest, RefusesImpossibleAndOutOfRangeDates) {
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "2026-01-01T00:00",
                          "26-01-01", "", "1899-12-31", "2201-01-01", "0026-03-01"}) {
    EXPECT_THROW(Date::parse(bad), InvalidInput) << bad;
  }
  EXPECT_NO_THROW(Date(1900, 1, 1));
  EXPECT_NO_THROW(Date(2200, 12, 31));
  try {
    Date(2026, 2, 30);
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(), "invalid date 2026-02-30");
  }
}

TEST(DateTest, WeekdayCountsFromSunday) {
  EXPECT_EQ(Date(2026, 12, 2).weekday(), 3u);  // a Wednesday
  EXPECT_EQ(Date(2026, 12, 6).weekday(), 0u);  // Sunday
  EXPECT_EQ(Date(2026, 12, 5).weekday(), 6u);  // Saturday
}

TEST(DateTest, DayAndMonthArithmetic) {
  EXPECT_EQ(Date(2024, 2, 28).plus_days(1), Date(2024, 2, 29));
  EXPECT_EQ(Date(2023, 2, 28).plus_days(1), Date(2023, 3, 1));
  EXPECT_EQ(Date(2026, 1, 1).plus_days(-1), Date(2025, 12, 31));
  EXPECT_EQ(Date(2026, 3, 1).days_since(Date(2026, 2, 1)), 28);
  EXPECT_EQ(Date(2026, 2, 1).days_since(Date(2026, 3, 1)), -28);
  EXPECT_EQ(Date(2024, 1, 31).plus_months(1), Date(2024, 2, 29));  // clamped, leap year
  EXPECT_EQ(Date(2023, 1, 31).plus_months(1), Date(2023, 2, 28));
  EXPECT_EQ(Date(2024, 3, 15).plus_months(24), Date(2026, 3, 15));
  EXPECT_EQ(Date(2024, 3, 15).plus_months(-3), Date(2023, 12, 15));
  EXPECT_EQ(Date(2024, 12, 15).plus_months(1), Date(2025, 1, 15));
  EXPECT_THROW(Date(2200, 12, 31).plus_days(1), InvalidInput);
  EXPECT_THROW(Date(1900, 1, 1).plus_days(-1), InvalidInput);
  EXPECT_THROW(Date(2200, 12, 1).plus_months(1), InvalidInput);
  EXPECT_THROW(Date(2000, 1, 1).plus_days(std::int64_t{1} << 40), InvalidInput);
  EXPECT_TRUE(Date(2026, 1, 1) < Date(2026, 1, 2));
}

TEST(DateTest, JsonIsTheString) {
  const Json j = Date(2026, 12, 24);
  EXPECT_EQ(j, Json("2026-12-24"));
  EXPECT_EQ(j.get<Date>(), Date(2026, 12, 24));
  EXPECT_THROW((void)Json(20261224).get<Date>(), InvalidInput);
}

}  // namespace
}  // namespace crm
