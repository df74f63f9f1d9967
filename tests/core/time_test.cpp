// parse_time / format_time / parse_duration.
#include <gtest/gtest.h>

#include <string>

#include "crm/error.hpp"
#include "crm/time.hpp"

namespace {

using crm::format_date;
using crm::format_time;
using crm::parse_duration;
using crm::parse_time;
using crm::Seconds;

std::string iso(std::string_view text) { return format_time(parse_time(text)); }

TEST(ParseTime, DashedDateIsMidnightUtc) {
  EXPECT_EQ(iso("2026-03-01"), "2026-03-01T00:00:00Z");
  EXPECT_EQ(crm::to_unix(parse_time("1970-01-02")), 86400);
}

TEST(ParseTime, CompactDate) { EXPECT_EQ(iso("20260301"), "2026-03-01T00:00:00Z"); }

TEST(ParseTime, DateTimeWithT) { EXPECT_EQ(iso("2026-03-01T09:30"), "2026-03-01T09:30:00Z"); }

TEST(ParseTime, DateTimeWithSpace) {
  EXPECT_EQ(iso("2026-03-01 09:30"), "2026-03-01T09:30:00Z");
  EXPECT_EQ(iso("2026-03-01 09:30:15"), "2026-03-01T09:30:15Z");
}

TEST(ParseTime, SecondsAndZ) { EXPECT_EQ(iso("2026-03-01T09:30:15Z"), "2026-03-01T09:30:15Z"); }

TEST(ParseTime, PositiveOffsetConvertsToUtc) {
  EXPECT_EQ(iso("2026-03-01T10:00:00+02:00"), "2026-03-01T08:00:00Z");
  EXPECT_EQ(iso("2026-03-01T01:00+02:00"), "2026-02-28T23:00:00Z");
}

TEST(ParseTime, NegativeOffsetConvertsToUtc) {
  EXPECT_EQ(iso("2026-03-01T22:15:00-05:30"), "2026-03-02T03:45:00Z");
}

TEST(ParseTime, FractionsOfASecondAreDropped) {
  EXPECT_EQ(iso("2026-03-01T09:30:15.987Z"), "2026-03-01T09:30:15Z");
  EXPECT_EQ(iso("2026-03-01T09:30:15.5+01:00"), "2026-03-01T08:30:15Z");
}

TEST(ParseTime, SurroundingWhitespaceIsIgnored) {
  EXPECT_EQ(iso("  2026-03-01T09:30:00Z \n"), "2026-03-01T09:30:00Z");
}

TEST(ParseTime, LeapDayOfLeapYearIsValid) { EXPECT_EQ(iso("2024-02-29"), "2024-02-29T00:00:00Z"); }

void expect_invalid(const std::string& text) {
  try {
    (void)parse_time(text);
    ADD_FAILURE() << "no exception for '" << text << "'";
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(ParseTime, ImpossibleDatesThrowNamingTheText) {
  expect_invalid("2025-02-30");
  expect_invalid("2025-02-29");
  expect_invalid("2025-13-01");
  expect_invalid("2025-00-10");
  expect_invalid("20250230");
}

TEST(ParseTime, GarbageThrowsNamingTheText) {
  expect_invalid("garbage");
  expect_invalid("");
  expect_invalid("2025-1-01");
  expect_invalid("2025-01-01X");
  expect_invalid("2025-01-01T");
  expect_invalid("2025-01-01T9:30");
  expect_invalid("2025-01-01T24:00");
  expect_invalid("2025-01-01T10:60");
  expect_invalid("2025-01-01T10:00:00+0200");
  expect_invalid("2025-01-01T10:00:00ZZ");
}

TEST(FormatTime, RoundTripsThroughParse) {
  for (const char* text :
       {"1999-12-31T23:59:59Z", "2026-01-01T00:00:00Z", "2024-02-29T12:34:56Z"}) {
    EXPECT_EQ(format_time(parse_time(text)), text);
  }
  const crm::TimePoint t = crm::from_unix(1767225600 + 3661);  // 2026-01-01T01:01:01Z
  EXPECT_EQ(format_time(t), "2026-01-01T01:01:01Z");
  EXPECT_EQ(parse_time(format_time(t)), t);
}

TEST(FormatDate, DatePartOnly) {
  EXPECT_EQ(format_date(parse_time("2026-07-04T23:59:59Z")), "2026-07-04");
  EXPECT_EQ(format_date(parse_time("2026-07-04T23:30:00-01:00")), "2026-07-05");
  EXPECT_EQ(parse_time(format_date(parse_time("2026-07-04"))), parse_time("2026-07-04"));
}

TEST(ParseDuration, ShortForms) {
  EXPECT_EQ(parse_duration("90s"), Seconds{90});
  EXPECT_EQ(parse_duration("15m"), Seconds{15 * 60});
  EXPECT_EQ(parse_duration("24h"), Seconds{24 * 3600});
  EXPECT_EQ(parse_duration("3d"), Seconds{3 * 86400});
  EXPECT_EQ(parse_duration("2w"), Seconds{14 * 86400});
}

TEST(ParseDuration, Iso8601Forms) {
  EXPECT_EQ(parse_duration("P3DT4H"), Seconds{3 * 86400 + 4 * 3600});
  EXPECT_EQ(parse_duration("PT30M"), Seconds{30 * 60});
  EXPECT_EQ(parse_duration("PT24H"), Seconds{86400});
  EXPECT_EQ(parse_duration("P3D"), Seconds{3 * 86400});
  EXPECT_EQ(parse_duration("PT1H2M3S"), Seconds{3723});
}

TEST(ParseDuration, InvalidFormsThrowNamingTheText) {
  for (const char* text : {"", "abc", "5x", "-5m", "1.5h", "P", "PT", "P3", "P3H", "PT3D", "h"}) {
    try {
      (void)parse_duration(text);
      ADD_FAILURE() << "no exception for '" << text << "'";
    } catch (const crm::InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find("'" + std::string(text) + "'"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
