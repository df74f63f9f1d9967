#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "crm/retention/dates.hpp"
#include "crm/retention/errors.hpp"
#include "crm/retention/purchase_readers.hpp"

namespace crm::retention {
namespace {

TEST(Dates, DayNumbers) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1997, 1, 1), 9862);
  EXPECT_EQ(days_from_civil(1997, 9, 30) - days_from_civil(1997, 1, 1), 272);  // 38.857 weeks
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(format_date(days_from_civil(2024, 2, 29)), "2024-02-29");
  const CivilDate d = civil_from_days(9862);
  EXPECT_EQ(d.year, 1997);
  EXPECT_EQ(d.month, 1u);
  EXPECT_EQ(d.day, 1u);
  EXPECT_THROW(days_from_civil(1997, 2, 29), InvalidInput);
}

TEST(Dates, ParsesBothFormats) {
  EXPECT_EQ(parse_date("1997-01-01"), 9862);
  EXPECT_EQ(parse_date("19970101"), 9862);
  EXPECT_EQ(parse_date(" 1997-01-01T12:30:00 "), 9862);
  EXPECT_EQ(parse_date("1997-01-01 12:30"), 9862);
  EXPECT_FALSE(try_parse_date("1997-02-30"));
  EXPECT_FALSE(try_parse_date("199701011"));
  EXPECT_FALSE(try_parse_date("01/02/1997"));
  EXPECT_FALSE(try_parse_date(""));
  EXPECT_THROW(parse_date("yesterday"), InvalidInput);
}

TEST(CsvReader, ReadsNamedColumnsInAnyOrder) {
  std::istringstream in(
      "amount,note,cust,when\n"
      "10.5,\"first, with comma\",alice,2024-01-02\n"
      "\n"
      "-2,\"say \"\"hi\"\"\",bob,20240103\n"
      "7,,alice,2024-01-05\n");
  CsvOptions options;
  options.customer_column = "cust";
  options.date_column = "when";
  const PurchaseLog log = read_purchases_csv(in, "purchases.csv", options);
  ASSERT_EQ(log.size(), 3u);
  ASSERT_EQ(log.customer_count(), 2u);
  EXPECT_EQ(log.customer_keys[0], "alice");
  EXPECT_EQ(log.customer_keys[1], "bob");
  EXPECT_EQ(log.customer[2], 0);
  EXPECT_EQ(log.day[1], parse_date("2024-01-03"));
  EXPECT_DOUBLE_EQ(log.amount[0], 10.5);
  EXPECT_DOUBLE_EQ(log.amount[1], -2.0);
}

TEST(CsvReader, QuotedKeysAndOtherDelimiters) {
  std::istringstream in("customer_id;date;amount\n\"a;1\";1997-03-04;3,5\n");
  CsvOptions options;
  options.delimiter = ';';
  // "3,5" is not a number with '.' decimals: the error names file and line.
  try {
    read_purchases_csv(in, "semi.csv", options);
    FAIL() << "expected ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), "semi.csv");
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("semi.csv:2: bad amount '3,5'"), std::string::npos)
        << e.what();
  }
}

TEST(CsvReader, ErrorsNameFileAndLine) {
  const auto error_of = [](const std::string& text) -> std::string {
    std::istringstream in(text);
    try {
      read_purchases_csv(in, "p.csv");
    } catch (const ParseError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(error_of(""), "p.csv:0: empty file: no header line");
  EXPECT_EQ(error_of("customer_id,day,amount\n"), "p.csv:1: header has no column named 'date'");
  EXPECT_EQ(error_of("customer_id,date,amount\nc1,2024-01-01,1\nc2,2024-13-01,1\n"),
            "p.csv:3: bad date '2024-13-01' (expected YYYY-MM-DD or YYYYMMDD)");
  EXPECT_EQ(error_of("customer_id,date,amount\nc1,2024-01-01\n"),
            "p.csv:2: expected at least 3 fields, found 2");
  EXPECT_EQ(error_of("customer_id,date,amount\n\"c1,2024-01-01,1\n"),
            "p.csv:2: unterminated quoted field");
  EXPECT_EQ(error_of("customer_id,date,amount\n,2024-01-01,1\n"), "p.csv:2: empty customer key");
}

TEST(CsvReader, MissingFile) {
  try {
    read_purchases_csv("/nonexistent/dir/purchases.csv");
    FAIL() << "expected ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/dir/purchases.csv:0: cannot open file");
  }
}

TEST(CdnowReader, SampleAndMasterLayouts) {
  std::istringstream sample(
      " 00004 0001 19970101  2   29.33\n"
      " 00004 0001 19970118  2   29.73\n"
      " 00021 0002 19970101  3   63.34\n");
  const PurchaseLog s = read_cdnow(sample, "CDNOW_sample.txt");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.customer_keys, (std::vector<std::string>{"00004", "00021"}));
  EXPECT_EQ(s.day[1], parse_date("1997-01-18"));
  EXPECT_DOUBLE_EQ(s.amount[2], 63.34);

  std::istringstream master(
      " customer_id  date number_of_cds  dollar_value\n"
      " 00001 19970101  1   11.77\n"
      " 00002 19970112  1   12.00\n");
  const PurchaseLog m = read_cdnow(master, "CDNOW_master.txt");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.customer_keys[1], "00002");
  EXPECT_DOUBLE_EQ(m.amount[0], 11.77);
}

TEST(CdnowReader, ErrorsNameFileAndLine) {
  std::istringstream bad(" 00004 0001 19970101  2   29.33\n 00004 0001 1997-01-18 2 29.73\n");
  try {
    read_cdnow(bad, "cd.txt");
    FAIL() << "expected ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(std::string(e.what()), "cd.txt:2: bad date '1997-01-18' (expected YYYYMMDD)");
  }
  std::istringstream fields(" 00004 0001 19970101  2   29.33 extra\n");
  EXPECT_THROW(read_cdnow(fields, "cd.txt"), ParseError);
  std::istringstream amount(" 00004 19970101  2   $29\n");
  EXPECT_THROW(read_cdnow(amount, "cd.txt"), ParseError);
}

}  // namespace
}  // namespace crm::retention
