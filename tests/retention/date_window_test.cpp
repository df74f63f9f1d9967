// The plausible-date window of purchase dates: 1900-01-01 to 2200-12-31,
// both ends included, in the parser and in both purchase readers.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "crm/retention/dates.hpp"
#include "crm/retention/errors.hpp"
#include "crm/retention/purchase_readers.hpp"

namespace crm::retention {
namespace {

// The message of the ParseError that reading `text` as a purchase CSV throws.
std::string csv_error(const std::string& text) {
  std::istringstream in(text);
  try {
    read_purchases_csv(in, "purchases.csv");
  } catch (const ParseError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(DateWindow, BoundsAreTheKernelsDays) {
  EXPECT_EQ(kEarliestDay, days_from_civil(1900, 1, 1));
  EXPECT_EQ(kLatestDay, days_from_civil(2200, 12, 31));
  EXPECT_EQ(plausible_window_text(), "1900-01-01 to 2200-12-31");
}

TEST(DateWindow, ParserAcceptsBothEndsAndRefusesTheDaysBeyond) {
  EXPECT_EQ(try_parse_date("1900-01-01"), kEarliestDay);
  EXPECT_EQ(try_parse_date("19000101"), kEarliestDay);
  EXPECT_EQ(try_parse_date("2200-12-31"), kLatestDay);
  EXPECT_EQ(try_parse_date("2200-12-31T23:59:59"), kLatestDay);
  EXPECT_FALSE(try_parse_date("1899-12-31"));
  EXPECT_FALSE(try_parse_date("18991231"));
  EXPECT_FALSE(try_parse_date("2201-01-01"));
  EXPECT_FALSE(try_parse_date("0000-01-01"));
  EXPECT_FALSE(try_parse_date("9999-12-31"));
  // The calendar parser alone still reads them (and nothing else changes).
  EXPECT_EQ(try_parse_calendar_date("1899-12-31"), kEarliestDay - 1);
  EXPECT_EQ(try_parse_calendar_date("2201-01-01"), kLatestDay + 1);
  EXPECT_FALSE(try_parse_calendar_date("2201-02-29"));

  EXPECT_EQ(parse_date("1900-01-01"), kEarliestDay);
  try {
    parse_date("2201-01-01");
    ADD_FAILURE() << "2201-01-01 parsed";
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(), "parse_date: '2201-01-01' is outside 1900-01-01 to 2200-12-31");
  }
}

TEST(DateWindow, CsvReaderNamesFileLineAndValueOutsideTheWindow) {
  const std::string head = "customer_id,date,amount\n";
  EXPECT_EQ(csv_error(head + "a,1900-01-02,1\nb,1899-12-31,2\n"),
            "purchases.csv:3: date '1899-12-31' is outside 1900-01-01 to 2200-12-31");
  EXPECT_EQ(csv_error(head + "a,22010101,1\n"),
            "purchases.csv:2: date '22010101' is outside 1900-01-01 to 2200-12-31");
  EXPECT_EQ(csv_error(head + "a, 0000-01-01 ,1\n"),
            "purchases.csv:2: date '0000-01-01' is outside 1900-01-01 to 2200-12-31");
  // A malformed date keeps its own message.
  EXPECT_EQ(csv_error(head + "a,1900-13-01,1\n"),
            "purchases.csv:2: bad date '1900-13-01' (expected YYYY-MM-DD or YYYYMMDD)");

  std::istringstream ends(head + "a,1900-01-01,1\nb,2200-12-31,2\n");
  const PurchaseLog log = read_purchases_csv(ends, "purchases.csv");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log.day[0], kEarliestDay);
  EXPECT_EQ(log.day[1], kLatestDay);
}

TEST(DateWindow, CdnowReaderRefusesDatesOutsideTheWindow) {
  std::istringstream ends(" 00001 19000101  1   11.77\n 00002 22001231  1   12.00\n");
  const PurchaseLog log = read_cdnow(ends, "cdnow.txt");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log.day[0], kEarliestDay);
  EXPECT_EQ(log.day[1], kLatestDay);

  for (const std::string day : {"18991231", "22010101"}) {
    std::istringstream in(" 00001 19970101  1   11.77\n 00002 " + day + "  1   12.00\n");
    try {
      read_cdnow(in, "cdnow.txt");
      ADD_FAILURE() << day << " read";
    } catch (const ParseError& e) {
      EXPECT_EQ(std::string(e.what()),
                "cdnow.txt:2: date '" + day + "' is outside 1900-01-01 to 2200-12-31");
    }
  }
}

}  // namespace
}  // namespace crm::retention
