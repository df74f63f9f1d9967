// The business calendar: working time added and measured across days off,
// weekends, holidays, breaks and DST changes, in Europe/Berlin.
#include "crm/business_calendar.hpp"

#include <gtest/gtest.h>

#include "crm/error.hpp"

namespace {

using namespace std::chrono;
using crm::BusinessCalendar;
using crm::Holiday;
using crm::parse_time;
using crm::TimeZone;
using crm::WorkingWeek;

crm::LocalDays date(int y, unsigned m, unsigned d) {
  return local_days{year{y} / month{m} / day{d}};
}

// Monday to Friday 09:00-17:00 with lunch 12:00-13:00, Christmas Day off.
BusinessCalendar berlin_office() {
  WorkingWeek w;
  w.breaks = {crm::parse_day_period("12:00-13:00")};
  return BusinessCalendar(TimeZone::named("Europe/Berlin"), w,
                          {Holiday{date(2026, 12, 25), "Christmas Day"}});
}

TEST(BusinessCalendar, StartOnANonWorkingDayCountsFromTheNextWorkingMorning) {
  // Saturday 10:00 CET + 1 h -> Monday 10:00 CET.
  EXPECT_EQ(berlin_office().add_working_time(parse_time("2026-12-05T09:00:00Z"), hours{1}),
            parse_time("2026-12-07T09:00:00Z"));
  // Before opening on a working day: Monday 07:00 CET + 30 min -> 09:30.
  EXPECT_EQ(berlin_office().add_working_time(parse_time("2026-12-07T06:00:00Z"), minutes{30}),
            parse_time("2026-12-07T08:30:00Z"));
}

TEST(BusinessCalendar, AcrossAWeekend) {
  const auto cal = berlin_office();
  // Friday 16:00 CET + 2 h -> Monday 10:00 CET.
  EXPECT_EQ(cal.add_working_time(parse_time("2026-12-04T15:00:00Z"), hours{2}),
            parse_time("2026-12-07T09:00:00Z"));
  EXPECT_EQ(cal.working_time_between(parse_time("2026-12-04T15:00:00Z"),
                                     parse_time("2026-12-07T09:00:00Z")),
            hours{2});
}

TEST(BusinessCalendar, AcrossAHoliday) {
  const auto cal = berlin_office();
  EXPECT_TRUE(cal.is_holiday(date(2026, 12, 25)));
  EXPECT_FALSE(cal.is_working_time(parse_time("2026-12-25T10:00:00Z")));
  // Thursday 24 December 16:30 CET + 1 h: Friday is Christmas Day -> Monday 09:30.
  EXPECT_EQ(cal.add_working_time(parse_time("2026-12-24T15:30:00Z"), hours{1}),
            parse_time("2026-12-28T08:30:00Z"));
  EXPECT_EQ(cal.working_time_between(parse_time("2026-12-24T00:00:00Z"),
                                     parse_time("2026-12-29T00:00:00Z")),
            hours{14});  // Thursday and Monday, 7 h each
}

TEST(BusinessCalendar, AcrossALunchBreak) {
  const auto cal = berlin_office();
  // Monday 11:30 CET + 1 h -> 13:30: the break does not count.
  EXPECT_EQ(cal.add_working_time(parse_time("2026-12-07T10:30:00Z"), hours{1}),
            parse_time("2026-12-07T12:30:00Z"));
  // Starting in the break: 12:15 + 30 min -> 13:30.
  EXPECT_EQ(cal.add_working_time(parse_time("2026-12-07T11:15:00Z"), minutes{30}),
            parse_time("2026-12-07T12:30:00Z"));
  EXPECT_EQ(cal.working_time_between(parse_time("2026-12-07T10:00:00Z"),
                                     parse_time("2026-12-07T13:00:00Z")),
            hours{2});  // 11:00-14:00 local less the hour of lunch
  EXPECT_FALSE(cal.is_working_time(parse_time("2026-12-07T11:30:00Z")));
}

TEST(BusinessCalendar, AcrossADstChange) {
  const auto cal = berlin_office();
  // Friday 27 March 16:00 CET (15:00Z) + 2 h -> Monday 30 March 10:00 CEST
  // (08:00Z); counting in UTC would give 09:00Z.
  EXPECT_EQ(cal.add_working_time(parse_time("2026-03-27T15:00:00Z"), hours{2}),
            parse_time("2026-03-30T08:00:00Z"));
  EXPECT_EQ(cal.working_time_between(parse_time("2026-03-27T15:00:00Z"),
                                     parse_time("2026-03-30T08:00:00Z")),
            hours{2});
  // And back in autumn: Friday 23 October 16:00 CEST (14:00Z) + 2 h ->
  // Monday 26 October 10:00 CET (09:00Z).
  EXPECT_EQ(cal.add_working_time(parse_time("2026-10-23T14:00:00Z"), hours{2}),
            parse_time("2026-10-26T09:00:00Z"));
}

TEST(BusinessCalendar, ANightShiftOnTheDstDayIsAsLongAsTheTimeThatPasses) {
  WorkingWeek w;
  for (auto& d : w.hours) d = {crm::parse_day_period("00:00-06:00")};
  const BusinessCalendar cal(TimeZone::named("Europe/Berlin"), w, {});
  const auto length = [&](crm::LocalDays d) {
    seconds total{0};
    for (const auto& [from, to] : cal.working_periods(d)) total += to - from;
    return total;
  };
  EXPECT_EQ(length(date(2026, 3, 28)), hours{6});
  EXPECT_EQ(length(date(2026, 3, 29)), hours{5});
  EXPECT_EQ(length(date(2026, 10, 25)), hours{7});
  EXPECT_EQ(cal.working_time_between(parse_time("2026-03-28T00:00:00Z"),
                                     parse_time("2026-03-30T00:00:00Z")),
            hours{5} + hours{5} + hours{2});
  // 28th: 01:00-06:00 CET lies after 00:00Z (5 h); 29th: 5 h; 30th: 00:00-02:00
  // CEST is before 00:00Z on the 30th (2 h).
}

TEST(BusinessCalendar, WorkEndingAtClosingTimeEndsThatDay) {
  const auto cal = berlin_office();
  // Monday 16:00 + 1 h is 17:00 the same day, not 09:00 the next.
  EXPECT_EQ(cal.add_working_time(parse_time("2026-12-07T15:00:00Z"), hours{1}),
            parse_time("2026-12-07T16:00:00Z"));
  EXPECT_TRUE(cal.is_working_time(parse_time("2026-12-07T08:00:00Z")));  // 09:00 opens
  EXPECT_TRUE(cal.is_working_time(parse_time("2026-12-07T15:59:59Z")));
  EXPECT_FALSE(cal.is_working_time(parse_time("2026-12-07T16:00:00Z")));  // 17:00 closed
}

TEST(BusinessCalendar, ZeroNegativeAndReversed) {
  const auto cal = berlin_office();
  const auto saturday = parse_time("2026-12-05T09:00:00Z");
  EXPECT_EQ(cal.add_working_time(saturday, seconds{0}), saturday);
  EXPECT_THROW(cal.add_working_time(saturday, seconds{-1}), crm::InvalidInput);
  EXPECT_EQ(cal.working_time_between(parse_time("2026-12-07T09:00:00Z"),
                                     parse_time("2026-12-04T15:00:00Z")),
            -hours{2});
  WorkingWeek closed;
  for (auto& d : closed.hours) d.clear();
  EXPECT_THROW(BusinessCalendar(TimeZone{}, closed, {}).add_working_time(saturday, hours{1}),
               crm::InvalidInput);
}

TEST(BusinessCalendar, AddAndBetweenAgreeOverMonths) {
  const auto cal = berlin_office();
  const auto start = parse_time("2026-01-02T10:17:00Z");
  for (const seconds d : std::vector<seconds>{seconds{1}, minutes{59}, hours{7}, hours{8},
                                              hours{123} + minutes{7}, hours{7 * 250}}) {
    const auto end = cal.add_working_time(start, d);
    EXPECT_EQ(cal.working_time_between(start, end), d) << d.count();
    EXPECT_TRUE(cal.is_working_time(end - seconds{1})) << crm::format_time(end);
  }
  // 2026 has 261 weekdays, 260 working days with Christmas Day off: from
  // 1 January 00:00 they hold 1820 h, so 1820 h end at 17:00 on 31 December.
  EXPECT_EQ(cal.add_working_time(parse_time("2025-12-31T23:00:00Z"), hours{7 * 260}),
            parse_time("2026-12-31T16:00:00Z"));
  EXPECT_EQ(cal.working_time_between(parse_time("2025-12-31T23:00:00Z"),
                                     parse_time("2026-12-31T23:00:00Z")),
            hours{7 * 260});
}

TEST(WorkingWeekJson, ReadsHoursAndBreaksAndNamesBadEntries) {
  const auto w = crm::working_week_from_json(crm::Json::parse(
      R"({"hours": {"mon": ["13:00-17:00", "08:00-12:00"], "sat": ["10:00-14:00"]},
          "breaks": ["12:30-13:00"]})"));
  EXPECT_EQ(w.hours[1].size(), 2u);
  EXPECT_EQ(crm::format_day_period(w.hours[1][0]), "08:00-12:00");  // sorted
  EXPECT_TRUE(w.hours[2].empty());                                  // not listed: a day off
  EXPECT_EQ(crm::format_day_period(w.hours[6][0]), "10:00-14:00");
  EXPECT_EQ(crm::to_json(w)["breaks"], crm::Json::parse(R"(["12:30-13:00"])"));
  const auto message = [](const char* text) {
    try {
      crm::working_week_from_json(crm::Json::parse(text));
    } catch (const crm::InvalidInput& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(R"({"hours": {"mon": ["09:00-17:00", "9-5"]}})").find("calendar.hours.mon[1]"),
            std::string::npos);
  EXPECT_NE(message(R"({"hours": {"mon": ["09:00-13:00", "12:00-17:00"]}})").find("overlap"),
            std::string::npos);
  EXPECT_NE(message(R"({"hours": {"monday": []}})").find("'monday'"), std::string::npos);
  EXPECT_NE(message(R"({"hours": {"mon": ["17:00-09:00"]}})").find("17:00-09:00"),
            std::string::npos);
  EXPECT_NE(message(R"({"hour": {}})").find("'hour'"), std::string::npos);
  EXPECT_EQ(crm::format_day_period(crm::parse_day_period("00:00-24:00")), "00:00-24:00");
  EXPECT_THROW(crm::parse_day_period("00:00-24:01"), crm::InvalidInput);
}

TEST(IcsHolidays, ReadsAllDayEventsWithFoldingAndSpans) {
  const std::string ics =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
      "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\n"
      "SUMMARY:Christmas Day and\r\n  Boxing Day\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nSUMMARY:New Year\\, 2027\r\nDTSTART;VALUE=DATE:20270101\r\nEND:VEVENT\r\n"
      "END:VCALENDAR\r\n";
  const auto h = crm::parse_ics_holidays(ics, "h.ics");
  ASSERT_EQ(h.size(), 3u);  // DTEND is exclusive: 25 and 26 December
  EXPECT_EQ(h[0].day, date(2026, 12, 25));
  EXPECT_EQ(h[0].name, "Christmas Day and Boxing Day");
  EXPECT_EQ(h[1].day, date(2026, 12, 26));
  EXPECT_EQ(h[2].day, date(2027, 1, 1));
  EXPECT_EQ(h[2].name, "New Year, 2027");
}

TEST(IcsHolidays, BadFilesNameTheLine) {
  const auto message = [](const std::string& text) {
    try {
      crm::parse_ics_holidays(text, "h.ics");
    } catch (const crm::InvalidInput& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261225\nRRULE:FREQ=YEARLY\n"
                    "END:VEVENT\nEND:VCALENDAR\n")
                .substr(0, 8),
            "h.ics:4:");
  EXPECT_EQ(message("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n"),
            "h.ics:2: VEVENT without DTSTART");
  EXPECT_NE(
      message("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261332\nEND:VEVENT\n").find("h.ics:3:"),
      std::string::npos);
  EXPECT_NE(message("hello\n").find("not an iCalendar"), std::string::npos);
}

}  // namespace
