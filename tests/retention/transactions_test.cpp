#include "crm/retention/transactions.hpp"

#include <gtest/gtest.h>

#include "crm/retention/dates.hpp"
#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

TEST(Summary, HandComputedCustomers) {
  const int d0 = parse_date("2024-01-01");
  PurchaseLogBuilder b;
  // alice: trial day 0 (two purchases, merged), repeats on days 7 and 14 (two
  // purchases merged), hold-out purchases on days 30 and 30 (one transaction)
  // and 40; day 60 is after the hold-out.
  b.add("alice", d0, 10.0);
  b.add("alice", d0, 5.0);
  b.add("alice", d0 + 14, 20.0);
  b.add("alice", d0 + 7, 30.0);
  b.add("alice", d0 + 14, 10.0);
  b.add("alice", d0 + 30, 1.0);
  b.add("alice", d0 + 30, 1.0);
  b.add("alice", d0 + 40, 1.0);
  b.add("alice", d0 + 60, 1.0);
  // bob: one purchase only.
  b.add("bob", d0 + 21, 99.0);
  // carol: first purchase after calibration: not in the population.
  b.add("carol", d0 + 35, 5.0);
  // dave: registered, never bought.
  b.intern("dave");
  const PurchaseLog log = b.build();

  SummaryOptions options;
  options.calibration_end = d0 + 28;
  options.holdout_end = d0 + 56;
  options.unit = TimeUnit::kWeek;
  const CustomerSummary s = summarize_transactions(log, options);

  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.dropped_customers, 1u);
  EXPECT_DOUBLE_EQ(s.holdout_length, 4.0);
  // alice
  EXPECT_EQ(s.customer[0], 0);
  EXPECT_DOUBLE_EQ(s.frequency[0], 2.0);
  EXPECT_DOUBLE_EQ(s.recency[0], 2.0);          // day 14 = 2 weeks
  EXPECT_DOUBLE_EQ(s.age[0], 4.0);              // day 28
  EXPECT_DOUBLE_EQ(s.monetary_value[0], 30.0);  // (30 + (20 + 10)) / 2, trial excluded
  EXPECT_DOUBLE_EQ(s.holdout_frequency[0], 2.0);
  EXPECT_EQ(s.first_day[0], d0);
  // bob
  EXPECT_EQ(s.customer[1], 1);
  EXPECT_DOUBLE_EQ(s.frequency[1], 0.0);
  EXPECT_DOUBLE_EQ(s.recency[1], 0.0);
  EXPECT_DOUBLE_EQ(s.age[1], 1.0);
  EXPECT_DOUBLE_EQ(s.monetary_value[1], 0.0);

  // Days as the unit.
  options.unit = TimeUnit::kDay;
  const CustomerSummary days = summarize_transactions(log, options);
  EXPECT_DOUBLE_EQ(days.recency[0], 14.0);
  EXPECT_DOUBLE_EQ(days.age[0], 28.0);
  EXPECT_DOUBLE_EQ(days.holdout_length, 28.0);
}

TEST(Summary, RejectsHoldoutBeforeCalibration) {
  PurchaseLogBuilder b;
  b.add("a", 100, 1.0);
  SummaryOptions options;
  options.calibration_end = 200;
  options.holdout_end = 150;
  EXPECT_THROW(summarize_transactions(b.build(), options), InvalidInput);
}

TEST(Summary, RejectsInconsistentLog) {
  PurchaseLog log;
  log.customer_keys = {"a"};
  log.customer = {0, 3};
  log.day = {1, 2};
  log.amount = {1.0, 1.0};
  EXPECT_THROW(summarize_transactions(log, {}), InvalidInput);
}

}  // namespace
}  // namespace crm::retention
