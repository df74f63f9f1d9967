#include "crm/retention/clv.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

constexpr BgNbdParams kCdnow{0.242595, 4.413602, 0.792922, 2.425906};

TEST(HistoricClv, HandComputed) {
  // 100 * (1 + 0.8/1.1 + 0.8^2/1.1^2) = 100 * (1 + 0.727272... + 0.528925...)
  EXPECT_NEAR(historic_clv(100.0, 0.8, 0.1, 3), 225.61983471074382, 1e-10);
  EXPECT_DOUBLE_EQ(historic_clv(100.0, 0.8, 0.1, 1), 100.0);
  EXPECT_DOUBLE_EQ(historic_clv(100.0, 0.8, 0.1, 0), 0.0);
  // No churn, no discounting: margin times horizon.
  EXPECT_DOUBLE_EQ(historic_clv(50.0, 1.0, 0.0, 12), 600.0);
  // Perpetuity m (1 + d) / (1 + d - r) = 100 * 1.1 / 0.3, and the finite sum tends to it.
  EXPECT_NEAR(historic_clv_perpetuity(100.0, 0.8, 0.1), 366.66666666666669, 1e-10);
  EXPECT_NEAR(historic_clv(100.0, 0.8, 0.1, 500), historic_clv_perpetuity(100.0, 0.8, 0.1), 1e-9);
}

TEST(HistoricClv, Errors) {
  EXPECT_THROW(historic_clv(100.0, 1.2, 0.1, 3), InvalidInput);
  EXPECT_THROW(historic_clv(100.0, 0.8, -1.0, 3), InvalidInput);
  EXPECT_THROW(historic_clv(100.0, 0.8, 0.1, -1), InvalidInput);
  EXPECT_THROW(historic_clv_perpetuity(100.0, 1.0, 0.0), InvalidInput);
}

TEST(ModelClv, UndiscountedIsSpendTimesExpectedPurchases) {
  const CustomerHistory h{2.0, 30.43, 38.86};
  ClvOptions options;
  options.periods = 9;
  options.period_length = 52.0 / 12.0;  // months in weeks
  options.discount_rate = 0.0;
  options.margin = 0.3;
  // Telescoping sum: margin * spend * E[Y(9 months)].
  const double expected =
      0.3 * 40.0 * bgnbd_conditional_expected_purchases(kCdnow, h, 9 * 52.0 / 12.0);
  EXPECT_NEAR(bgnbd_clv(kCdnow, h, 40.0, options), expected, 1e-10);
}

TEST(ModelClv, DiscountsEachPeriod) {
  const CustomerHistory h{5.0, 20.0, 30.0};
  ClvOptions options;
  options.periods = 3;
  options.period_length = 4.0;
  options.discount_rate = 0.05;
  const auto e = [&](double t) { return bgnbd_conditional_expected_purchases(kCdnow, h, t); };
  const double expected =
      25.0 * (e(4) / 1.05 + (e(8) - e(4)) / (1.05 * 1.05) + (e(12) - e(8)) / (1.05 * 1.05 * 1.05));
  EXPECT_NEAR(bgnbd_clv(kCdnow, h, 25.0, options), expected, 1e-10);

  const std::vector<double> x = {5.0, 0.0};
  const std::vector<double> tx = {20.0, 0.0};
  const std::vector<double> age = {30.0, 10.0};
  const std::vector<double> spend = {25.0, 10.0};
  const std::vector<double> all = bgnbd_clv(kCdnow, {x, tx, age}, spend, options);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_NEAR(all[0], expected, 1e-10);
  // The second customer (x = 0, T = 10, spend 10) by the same discounted sum.
  const CustomerHistory none{0.0, 0.0, 10.0};
  const auto e0 = [&](double t) { return bgnbd_conditional_expected_purchases(kCdnow, none, t); };
  EXPECT_NEAR(all[1],
              10.0 * (e0(4) / 1.05 + (e0(8) - e0(4)) / (1.05 * 1.05) +
                      (e0(12) - e0(8)) / (1.05 * 1.05 * 1.05)),
              1e-10);
  EXPECT_THROW(bgnbd_clv(kCdnow, {x, tx, age}, std::vector<double>{1.0}, options), InvalidInput);
  options.period_length = 0.0;
  EXPECT_THROW(bgnbd_clv(kCdnow, h, 25.0, options), InvalidInput);
}

}  // namespace
}  // namespace crm::retention
