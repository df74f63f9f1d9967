// The business time zone: offsets, local days and the rules for local times
// that a DST change skips or repeats.
#include "crm/time_zone.hpp"

#include <gtest/gtest.h>

#include "crm/error.hpp"

namespace {

using namespace std::chrono;
using crm::LocalDays;
using crm::LocalTime;
using crm::parse_time;
using crm::TimeZone;

LocalTime local(int y, unsigned m, unsigned d, int h, int mi = 0) {
  return LocalTime{local_days{year{y} / month{m} / day{d}}} + hours{h} + minutes{mi};
}

LocalDays local_date(int y, unsigned m, unsigned d) {
  return local_days{year{y} / month{m} / day{d}};
}

TEST(TimeZone, DefaultIsUtc) {
  const TimeZone utc;
  EXPECT_EQ(utc.name(), "UTC");
  EXPECT_EQ(utc.offset_at(parse_time("2026-07-01T12:00:00Z")), seconds{0});
  EXPECT_EQ(utc.local_day(parse_time("2026-12-31T23:30:00Z")), local_date(2026, 12, 31));
}

TEST(TimeZone, OffsetFollowsDaylightSavingTime) {
  const TimeZone berlin = TimeZone::named("Europe/Berlin");
  EXPECT_EQ(berlin.offset_at(parse_time("2026-01-15T12:00:00Z")), hours{1});
  EXPECT_EQ(berlin.offset_at(parse_time("2026-07-15T12:00:00Z")), hours{2});
  // The change itself: 2026-03-29 01:00Z.
  EXPECT_EQ(berlin.offset_at(parse_time("2026-03-29T00:59:59Z")), hours{1});
  EXPECT_EQ(berlin.offset_at(parse_time("2026-03-29T01:00:00Z")), hours{2});
  const TimeZone new_york = TimeZone::named("America/New_York");
  EXPECT_EQ(new_york.offset_at(parse_time("2026-01-15T12:00:00Z")), hours{-5});
}

TEST(TimeZone, LocalDayOfNewYearsEve) {
  const auto t = parse_time("2026-12-31T23:30:00Z");
  EXPECT_EQ(TimeZone::named("Europe/Berlin").local_day(t), local_date(2027, 1, 1));
  EXPECT_EQ(TimeZone::named("America/New_York").local_day(t), local_date(2026, 12, 31));
  // 00:30 UTC on 1 January is still 31 December in New York.
  EXPECT_EQ(TimeZone::named("America/New_York").local_day(parse_time("2027-01-01T00:30:00Z")),
            local_date(2026, 12, 31));
}

TEST(TimeZone, ToUtcOfAnOrdinaryTime) {
  const TimeZone berlin = TimeZone::named("Europe/Berlin");
  EXPECT_EQ(berlin.to_utc(local(2026, 1, 15, 9)), parse_time("2026-01-15T08:00:00Z"));
  EXPECT_EQ(berlin.to_utc(local(2026, 7, 15, 9)), parse_time("2026-07-15T07:00:00Z"));
  EXPECT_EQ(berlin.to_local(parse_time("2026-07-15T07:00:00Z")), local(2026, 7, 15, 9));
}

TEST(TimeZone, TimeInTheSpringGapMovesForwardByTheGap) {
  // 02:30 does not exist on 2026-03-29 in Berlin: read with CET it is 01:30Z,
  // shown as 03:30 CEST.
  const TimeZone berlin = TimeZone::named("Europe/Berlin");
  EXPECT_EQ(berlin.to_utc(local(2026, 3, 29, 2, 30)), parse_time("2026-03-29T01:30:00Z"));
  EXPECT_EQ(berlin.to_local(berlin.to_utc(local(2026, 3, 29, 2, 30))), local(2026, 3, 29, 3, 30));
}

TEST(TimeZone, TimeInTheAutumnOverlapIsTheEarlierInstant) {
  // 02:30 happens twice on 2026-10-25 in Berlin: 00:30Z (CEST) and 01:30Z (CET).
  const TimeZone berlin = TimeZone::named("Europe/Berlin");
  EXPECT_EQ(berlin.to_utc(local(2026, 10, 25, 2, 30)), parse_time("2026-10-25T00:30:00Z"));
  EXPECT_EQ(berlin.to_utc(local(2026, 10, 25, 3, 0)), parse_time("2026-10-25T02:00:00Z"));
}

TEST(TimeZone, StartOfDayAndDayLengthAcrossDst) {
  const TimeZone berlin = TimeZone::named("Europe/Berlin");
  EXPECT_EQ(berlin.start_of_day(local_date(2026, 3, 29)), parse_time("2026-03-28T23:00:00Z"));
  EXPECT_EQ(berlin.start_of_day(local_date(2026, 3, 30)), parse_time("2026-03-29T22:00:00Z"));
  EXPECT_EQ(
      berlin.start_of_day(local_date(2026, 3, 30)) - berlin.start_of_day(local_date(2026, 3, 29)),
      hours{23});
  EXPECT_EQ(
      berlin.start_of_day(local_date(2026, 10, 26)) - berlin.start_of_day(local_date(2026, 10, 25)),
      hours{25});
}

TEST(TimeZone, StartOfADayWhoseMidnightIsSkipped) {
  // Sao Paulo moved its clocks 00:00 -> 01:00 on 2018-11-04: that day began
  // at 01:00 -02, which is 03:00Z.
  const TimeZone sao_paulo = TimeZone::named("America/Sao_Paulo");
  EXPECT_EQ(sao_paulo.start_of_day(local_date(2018, 11, 4)), parse_time("2018-11-04T03:00:00Z"));
  EXPECT_EQ(sao_paulo.local_day(parse_time("2018-11-04T03:00:00Z")), local_date(2018, 11, 4));
  EXPECT_EQ(sao_paulo.local_day(parse_time("2018-11-04T02:59:59Z")), local_date(2018, 11, 3));
}

TEST(TimeZone, CivilDatesOfInstantsAndBack) {
  const TimeZone berlin = TimeZone::named("Europe/Berlin");
  EXPECT_EQ(berlin.date_of(parse_time("2026-12-31T23:30:00Z")), crm::Date(2027, 1, 1));
  EXPECT_EQ(berlin.date_of(parse_time("2026-12-31T22:59:59Z")), crm::Date(2026, 12, 31));
  EXPECT_EQ(berlin.start_of_day(crm::Date(2026, 10, 25)), parse_time("2026-10-24T22:00:00Z"));
}

TEST(TimeZone, UnknownZoneIsRefusedByName) {
  try {
    TimeZone::named("Europe/Atlantis");
    FAIL() << "no error";
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("'Europe/Atlantis'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(TimeZone::named(""), crm::InvalidInput);
}

TEST(TimeZone, FormatsWithTheOffset) {
  const TimeZone berlin = TimeZone::named("Europe/Berlin");
  EXPECT_EQ(crm::format_local_time(parse_time("2026-03-29T01:30:00Z"), berlin),
            "2026-03-29T03:30:00+02:00");
  EXPECT_EQ(crm::format_local_time(parse_time("2026-01-15T12:00:00Z"),
                                   TimeZone::named("America/St_Johns")),
            "2026-01-15T08:30:00-03:30");
  EXPECT_EQ(crm::format_local_time(parse_time("2026-01-15T12:00:00Z"), TimeZone{}),
            "2026-01-15T12:00:00Z");
}

}  // namespace
