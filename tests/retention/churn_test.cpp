#include "crm/retention/churn.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "crm/retention/dates.hpp"
#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

// A: Jan 5, Feb 10, Mar 1     B: Jan 20, Mar 15     C: Feb 2, Feb 3, Mar 30
// D: Feb 28                   E: Mar 3              (all 2024)
PurchaseLog tiny_log() {
  PurchaseLogBuilder b;
  const auto add = [&](const char* c, const char* d) { b.add(c, parse_date(d), 10.0); };
  add("A", "2024-01-05");
  add("A", "2024-02-10");
  add("A", "2024-03-01");
  add("B", "2024-01-20");
  add("B", "2024-03-15");
  add("C", "2024-02-03");
  add("C", "2024-02-02");
  add("C", "2024-03-30");
  add("D", "2024-02-28");
  add("E", "2024-03-03");
  return b.build();
}

TEST(Cohorts, MonthlyTable) {
  const CohortTable t = cohort_table(tiny_log(), CohortPeriod::kMonth);
  ASSERT_EQ(t.cohort.size(), 3u);
  EXPECT_EQ(t.cohort_start_day[0], parse_date("2024-01-01"));
  EXPECT_EQ(t.cohort_start_day[2], parse_date("2024-03-01"));
  EXPECT_EQ(t.size, (std::vector<std::int64_t>{2, 2, 1}));
  // January cohort (A, B): Feb only A, March both.
  EXPECT_EQ(t.active[0], (std::vector<std::int64_t>{2, 1, 2}));
  // February cohort (C, D): March only C (C's two February days count once).
  EXPECT_EQ(t.active[1], (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(t.active[2], (std::vector<std::int64_t>{1}));
  EXPECT_DOUBLE_EQ(t.retention(0, 1), 0.5);
  EXPECT_DOUBLE_EQ(t.retention(1, 1), 0.5);
  EXPECT_THROW(t.retention(2, 1), InvalidInput);
}

TEST(Cohorts, AsOfCutsPurchasesAndExtendsPeriods) {
  const CohortTable t = cohort_table(tiny_log(), CohortPeriod::kMonth, parse_date("2024-04-15"));
  EXPECT_EQ(t.active[0], (std::vector<std::int64_t>{2, 1, 2, 0}));  // April: nobody yet
  const CohortTable cut = cohort_table(tiny_log(), CohortPeriod::kMonth, parse_date("2024-02-15"));
  ASSERT_EQ(cut.cohort.size(), 2u);
  EXPECT_EQ(cut.active[0], (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(cut.size[1], 1);  // only C by Feb 15
}

TEST(Cohorts, PeriodIndexing) {
  // 2024-01-01 is a Monday; 2023-12-31 a Sunday.
  const int monday = parse_date("2024-01-01");
  EXPECT_EQ(period_index(monday, CohortPeriod::kWeek),
            period_index(monday + 6, CohortPeriod::kWeek));
  EXPECT_EQ(period_index(monday - 1, CohortPeriod::kWeek) + 1,
            period_index(monday, CohortPeriod::kWeek));
  EXPECT_EQ(period_start_day(period_index(monday + 3, CohortPeriod::kWeek), CohortPeriod::kWeek),
            monday);
  EXPECT_EQ(period_start_day(period_index(parse_date("1969-07-20"), CohortPeriod::kMonth),
                             CohortPeriod::kMonth),
            parse_date("1969-07-01"));
  EXPECT_EQ(period_index(parse_date("2024-03-01"), CohortPeriod::kMonth) -
                period_index(parse_date("2023-12-31"), CohortPeriod::kMonth),
            3);
}

TEST(Churn, PeriodChurnFebruaryToMarch) {
  // Active in February: A, C, D; of those active in March: A, C.
  const PeriodChurn c = period_churn(tiny_log(), parse_date("2024-02-01"), parse_date("2024-03-01"),
                                     parse_date("2024-04-01"));
  EXPECT_EQ(c.base_customers, 3);
  EXPECT_EQ(c.retained, 2);
  EXPECT_DOUBLE_EQ(c.retention_rate, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(c.churn_rate, 1.0 / 3.0);
  EXPECT_THROW(period_churn(tiny_log(), parse_date("2023-01-01"), parse_date("2023-02-01"),
                            parse_date("2023-03-01")),
               InvalidInput);
  EXPECT_THROW(period_churn(tiny_log(), 10, 10, 20), InvalidInput);
}

TEST(Churn, RepeatPurchaseRate) {
  // By March 31: A (3 days), B (2), C (3) repeat; D, E do not.
  EXPECT_DOUBLE_EQ(repeat_purchase_rate(tiny_log(), parse_date("2024-03-31")), 0.6);
  // By Jan 31: A and B have one purchase each.
  EXPECT_DOUBLE_EQ(repeat_purchase_rate(tiny_log(), parse_date("2024-01-31")), 0.0);
  EXPECT_THROW(repeat_purchase_rate(tiny_log(), parse_date("2023-12-31")), InvalidInput);
}

TEST(Churn, CustomerActivity) {
  const CustomerActivity a = customer_activity(tiny_log(), parse_date("2024-03-31"));
  ASSERT_EQ(a.size(), 5u);
  // A: first Jan 5, last Mar 1, tenure 86 days, 30 days since last, gaps 56/2.
  EXPECT_EQ(a.transactions[0], 3);
  EXPECT_EQ(a.tenure_days[0], 86);
  EXPECT_EQ(a.days_since_last[0], 30);
  EXPECT_DOUBLE_EQ(a.mean_interpurchase_days[0], 28.0);
  // C: Feb 2, Feb 3, Mar 30 -> (57) / 2.
  EXPECT_EQ(a.transactions[2], 3);
  EXPECT_DOUBLE_EQ(a.mean_interpurchase_days[2], 28.5);
  // D: one purchase.
  EXPECT_TRUE(std::isnan(a.mean_interpurchase_days[3]));
  EXPECT_EQ(a.tenure_days[3], 32);
  // Before anyone bought.
  const CustomerActivity early = customer_activity(tiny_log(), parse_date("2024-01-10"));
  EXPECT_EQ(early.transactions[1], 0);
  EXPECT_EQ(early.tenure_days[1], -1);
  EXPECT_EQ(early.first_day[1], CustomerActivity::kNoDay);
}

TEST(ChurnRisk, HandComputedScore) {
  // 0.5 * (1 - 0.6) + 0.3 * (1 - 2^-1) + 0.2 * 1 / (1 + 1) = 0.2 + 0.15 + 0.1.
  EXPECT_NEAR(churn_risk_score(0.6, 28.0, 28.0, 1.0), 0.45, 1e-15);
  EXPECT_NEAR(churn_risk_score(1.0, 0.0, 10.0, 0.0), 0.0, 1e-15);
  EXPECT_NEAR(churn_risk_score(0.0, 1e6, 1.0, 1e9), 1.0, 1e-9);
  ChurnRiskOptions only_overdue;
  only_overdue.weight_dropout = 0.0;
  only_overdue.weight_complaints = 0.0;
  EXPECT_NEAR(churn_risk_score(0.9, 56.0, 28.0, 3.0, only_overdue), 0.75, 1e-15);
  EXPECT_THROW(churn_risk_score(1.5, 1.0, 1.0, 0.0), InvalidInput);
  EXPECT_THROW(churn_risk_score(0.5, -1.0, 1.0, 0.0), InvalidInput);
  EXPECT_THROW(churn_risk_score(0.5, 1.0, 0.0, 0.0), InvalidInput);
  ChurnRiskOptions zero;
  zero.weight_dropout = zero.weight_overdue = zero.weight_complaints = 0.0;
  EXPECT_THROW(churn_risk_score(0.5, 1.0, 1.0, 0.0, zero), InvalidInput);
}

TEST(ChurnRisk, ScoresForAllCustomers) {
  const CustomerActivity a = customer_activity(tiny_log(), parse_date("2024-03-31"));
  const std::vector<double> p_alive = {0.9, 0.8, 0.7, 1.0, 1.0};
  const std::vector<double> complaints = {0, 0, 2, 0, 0};
  const std::vector<double> s = churn_risk_scores(p_alive, a, complaints);
  ASSERT_EQ(s.size(), 5u);
  // A: gap 28, 30 days since last purchase.
  EXPECT_NEAR(s[0], 0.5 * 0.1 + 0.3 * (1 - std::exp2(-30.0 / 28.0)), 1e-12);
  // C: complaints 2 -> 2/3.
  EXPECT_NEAR(s[2], 0.5 * 0.3 + 0.3 * (1 - std::exp2(-1.0 / 28.5)) + 0.2 * 2.0 / 3.0, 1e-12);
  // D has one purchase: fallback gap = median of A 28, B 55, C 28.5 = 28.5.
  EXPECT_NEAR(s[3], 0.3 * (1 - std::exp2(-32.0 / 28.5)), 1e-12);
  // Customers without purchases by the as-of date get NaN.
  const CustomerActivity early = customer_activity(tiny_log(), parse_date("2024-01-10"));
  ChurnRiskOptions with_fallback;
  with_fallback.fallback_interpurchase_days = 30.0;
  const std::vector<double> e = churn_risk_scores(p_alive, early, {}, with_fallback);
  EXPECT_NEAR(e[0], 0.5 * 0.1 + 0.3 * (1 - std::exp2(-5.0 / 30.0)), 1e-12);
  EXPECT_TRUE(std::isnan(e[1]));
  // Without a fallback and nobody with two purchases, the gap is unknown.
  EXPECT_THROW(churn_risk_scores(p_alive, early, {}), InvalidInput);
  EXPECT_THROW(churn_risk_scores(std::vector<double>{0.5}, a, {}), InvalidInput);
}

}  // namespace
}  // namespace crm::retention
