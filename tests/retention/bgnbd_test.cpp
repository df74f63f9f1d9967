#include "crm/retention/bgnbd.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "cdnow_fixture.hpp"
#include "crm/retention/errors.hpp"
#include "crm/retention/simulation.hpp"

namespace crm::retention {
namespace {

using testing::CdnowTest;

// The CDNOW maximum likelihood estimate computed independently with SciPy
// (Nelder-Mead then BFGS on gammaln/betaln), full precision; it rounds to the
// published r = 0.243, alpha = 4.414, a = 0.793, b = 2.426.
constexpr BgNbdParams kCdnow{0.24259452516725644, 4.41360213535014, 0.7929219826374064,
                             2.425906539422525};

TEST_F(CdnowTest, DataMatchesTheLiterature) {
  const CustomerSummary& s = summary();
  EXPECT_EQ(s.size(), 2357u);
  EXPECT_EQ(s.dropped_customers, 0u);
  const double repeat = std::accumulate(s.frequency.begin(), s.frequency.end(), 0.0);
  EXPECT_DOUBLE_EQ(repeat, 2457.0);  // repeat transactions in weeks 1-39
  std::size_t repeaters = 0;
  for (const double x : s.frequency) repeaters += x > 0 ? 1 : 0;
  EXPECT_EQ(repeaters, 946u);
  EXPECT_DOUBLE_EQ(s.holdout_length, 39.0);
}

TEST_F(CdnowTest, FitMatchesFaderHardieLee2005) {
  const BgNbdFit fit = fit_bgnbd(summary().history());
  // Paper: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
  EXPECT_NEAR(fit.params.r, 0.243, 0.0005);
  EXPECT_NEAR(fit.params.alpha, 4.414, 0.0005);
  EXPECT_NEAR(fit.params.a, 0.793, 0.0005);
  EXPECT_NEAR(fit.params.b, 2.426, 0.0005);
  EXPECT_NEAR(fit.log_likelihood, -9582.4, 0.05);
  // Independent SciPy optimum, to six digits.
  EXPECT_NEAR(fit.params.r, kCdnow.r, 2e-6);
  EXPECT_NEAR(fit.params.alpha, kCdnow.alpha, 2e-5);
  EXPECT_NEAR(fit.params.a, kCdnow.a, 2e-6);
  EXPECT_NEAR(fit.params.b, kCdnow.b, 2e-5);
  EXPECT_NEAR(fit.log_likelihood, -9582.429207, 1e-5);
  EXPECT_EQ(fit.customers, 2357u);
  EXPECT_LT(fit.distinct_histories, 2357u);  // identical histories were merged
  EXPECT_FALSE(fit.at_bound);
  EXPECT_GT(fit.iterations, 0);
  // The likelihood at the optimum agrees with the per-customer formula.
  EXPECT_NEAR(bgnbd_log_likelihood(fit.params, summary().history()), fit.log_likelihood, 1e-6);
}

TEST_F(CdnowTest, FitIsIndependentOfStartingValues) {
  BgNbdFitOptions options;
  options.initial = BgNbdParams{3.0, 50.0, 5.0, 0.2};
  const BgNbdFit fit = fit_bgnbd(summary().history(), options);
  EXPECT_NEAR(fit.params.r, kCdnow.r, 2e-6);
  EXPECT_NEAR(fit.params.b, kCdnow.b, 2e-5);
}

TEST_F(CdnowTest, WeightedRowsGiveTheSameFit) {
  // Duplicate the data via weights 2: same parameters, twice the LL.
  const CustomerSummary& s = summary();
  const std::vector<double> w(s.size(), 2.0);
  const HistoryView weighted{s.frequency, s.recency, s.age, w};
  const BgNbdFit fit = fit_bgnbd(weighted);
  EXPECT_NEAR(fit.params.r, kCdnow.r, 2e-6);
  EXPECT_NEAR(fit.log_likelihood, 2 * -9582.429207, 2e-5);
}

TEST_F(CdnowTest, PaperCustomerForecast) {
  // FHL 2005 section 5: a customer with x = 2, t_x = 30.43, T = 38.86 is
  // expected to make 1.226 purchases in the next 39 weeks.
  const CustomerHistory h{2.0, 30.43, 38.86};
  EXPECT_NEAR(bgnbd_conditional_expected_purchases(kCdnow, h, 39.0), 1.226, 0.0005);
  // Same quantity from eq. 10 evaluated with mpmath at 40 digits.
  EXPECT_NEAR(bgnbd_conditional_expected_purchases(kCdnow, h, 39.0), 1.2259068249913, 1e-6);
  EXPECT_NEAR(bgnbd_p_alive(kCdnow, h), 0.7266092, 1e-6);
  // P(alive) is 1 for customers without repeat purchases.
  EXPECT_DOUBLE_EQ(bgnbd_p_alive(kCdnow, {0.0, 0.0, 38.86}), 1.0);
}

TEST_F(CdnowTest, HoldoutForecastAgainstActual) {
  const CustomerSummary& s = summary();
  const double actual =
      std::accumulate(s.holdout_frequency.begin(), s.holdout_frequency.end(), 0.0);
  // Repeat transactions (distinct customer-days) in weeks 40-78 of the sample.
  EXPECT_DOUBLE_EQ(actual, 1882.0);
  const BgNbdFit fit = fit_bgnbd(s.history());
  const double predicted = bgnbd_expected_total_purchases(fit.params, s.history(), 39.0);
  // Sum of eq. 10 over customers; the same sum computed with SciPy is 1653.41.
  EXPECT_NEAR(predicted, 1653.41, 0.05);
  // The model under-forecasts this hold-out by about 12%; the bound documents
  // the size of the gap and catches regressions.
  EXPECT_NEAR(predicted / actual, 0.8785, 0.001);
}

TEST_F(CdnowTest, CohortForecastTracksCumulativeRepeatPurchases) {
  const CustomerSummary& s = summary();
  const int start = parse_date("1997-01-01");
  std::vector<double> trial(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) trial[i] = (s.first_day[i] - start) / 7.0;
  const double calibration_end = (parse_date("1997-09-30") - start) / 7.0;
  const std::vector<double> times = {calibration_end, calibration_end + 39.0};
  const std::vector<double> forecast = bgnbd_cumulative_forecast(kCdnow, trial, times);
  // SciPy: sum_i E[X(T_i)] = 2493.96 (actual 2457) and 4160.61 at week 78
  // (actual 2457 + 1882 = 4339).
  EXPECT_NEAR(forecast[0], 2493.96, 0.05);
  EXPECT_NEAR(forecast[1], 4160.61, 0.05);
}

TEST(BgNbd, ExpectationsMatchMpmath) {
  // Eq. 7 and eq. 10 evaluated with mpmath.hyp2f1 at 40 digits.
  EXPECT_NEAR(bgnbd_expected_purchases(kCdnow, 1.0), 0.053184290673972659, 1e-12);
  EXPECT_NEAR(bgnbd_expected_purchases(kCdnow, 39.0), 1.1950100198091956, 1e-9);
  EXPECT_NEAR(bgnbd_expected_purchases(kCdnow, 78.0), 1.8579583608616911, 1e-9);
  EXPECT_NEAR(bgnbd_expected_purchases(kCdnow, 1000.0), 6.5729024308313269, 1e-8);
  EXPECT_DOUBLE_EQ(bgnbd_expected_purchases(kCdnow, 0.0), 0.0);
  const auto ce = [](double t, double x, double tx, double age) {
    return bgnbd_conditional_expected_purchases(kCdnow, {x, tx, age}, t);
  };
  EXPECT_NEAR(ce(39, 0, 0, 38.86), 0.19478203746262372, 1e-9);
  EXPECT_NEAR(ce(520, 0, 0, 1.0), 4.5286917801799462, 1e-8);
  EXPECT_NEAR(ce(2000, 15, 20.0, 21.0), 107.93598282788226, 1e-7);
  EXPECT_NEAR(ce(39, 50, 38.0, 38.86), 33.39216481292842, 1e-8);
  EXPECT_NEAR(ce(5000, 1, 1, 2), 23.537016502141267, 1e-7);
}

TEST(BgNbd, RemovableSingularityAtAEqualsOne) {
  // a = 1 makes (a+b+x-1)/(a-1) infinite and the bracket zero; the limit is
  // finite (mpmath, average of a = 1 +- 1e-9 at 60 digits).
  BgNbdParams p = kCdnow;
  p.a = 1.0;
  EXPECT_NEAR(bgnbd_expected_purchases(p, 39.0), 1.0827065760221858, 1e-9);
  EXPECT_NEAR(bgnbd_conditional_expected_purchases(p, {3.0, 20.0, 30.0}, 39.0), 1.6338166125260664,
              1e-8);
  // Continuity across a = 1.
  p.a = 1.0 + 1e-7;
  const double above = bgnbd_expected_purchases(p, 39.0);
  p.a = 1.0 - 1e-7;
  const double below = bgnbd_expected_purchases(p, 39.0);
  EXPECT_NEAR(above, below, 1e-6);
}

TEST(BgNbd, ConditionalExpectationOfNewCustomerIsUnconditional) {
  // With no history (x = 0, T = 0) eq. 10 reduces to eq. 7.
  for (const double t : {0.5, 10.0, 39.0, 300.0}) {
    EXPECT_NEAR(bgnbd_conditional_expected_purchases(kCdnow, {0, 0, 0}, t),
                bgnbd_expected_purchases(kCdnow, t), 1e-12);
  }
}

TEST(BgNbd, RecoversSimulationParameters) {
  const BgNbdParams truth{0.5, 6.0, 0.8, 3.0};
  SimulationOptions sim;
  sim.customers = 40000;
  sim.resolution = 1.0 / 7.0;  // daily purchase grid, weekly time unit
  sim.seed = 7;
  const SimulatedHistories data = simulate_bgnbd(truth, sim);
  const BgNbdFit fit = fit_bgnbd(data.history());
  EXPECT_NEAR(fit.params.r, truth.r, 0.05 * truth.r);
  EXPECT_NEAR(fit.params.alpha, truth.alpha, 0.1 * truth.alpha);
  EXPECT_NEAR(fit.params.a, truth.a, 0.15 * truth.a);
  EXPECT_NEAR(fit.params.b, truth.b, 0.2 * truth.b);
  EXPECT_LT(fit.distinct_histories, 40000u);
}

TEST(BgNbd, DegenerateDataThrowsFitError) {
  const std::vector<double> zeros(5, 0.0);
  const std::vector<double> ages = {10, 20, 30, 40, 50};
  try {
    fit_bgnbd({zeros, zeros, ages});
    FAIL() << "expected FitError";
  } catch (const FitError& e) {
    EXPECT_NE(std::string(e.what()).find("none of the"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("repeat purchase"), std::string::npos) << e.what();
  }
  try {
    fit_bgnbd({});
    FAIL() << "expected FitError";
  } catch (const FitError& e) {
    EXPECT_NE(std::string(e.what()).find("no customers"), std::string::npos) << e.what();
  }
}

TEST(BgNbd, TooUniformDataRunsToTheBoundary) {
  // Three customers who all bought at the very end: no dropout is ever
  // observed, so the MLE runs off to a -> 0 / r, alpha -> infinity.
  const std::vector<double> x = {5, 6, 7};
  const std::vector<double> t = {10, 10, 10};
  const BgNbdFit fit = fit_bgnbd({x, t, t});
  EXPECT_TRUE(fit.at_bound);
  EXPECT_FALSE(fit_bgnbd({x, t, std::vector<double>{30, 20, 40}}).params.r <= 0.0);
}

TEST(BgNbd, InvalidInputsThrow) {
  const std::vector<double> x = {1.0, 2.5};
  const std::vector<double> tx = {1.0, 2.0};
  const std::vector<double> age = {3.0, 4.0};
  try {
    fit_bgnbd({x, tx, age});
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("row 1"), std::string::npos) << e.what();
  }
  const std::vector<double> short_age = {3.0};
  EXPECT_THROW(fit_bgnbd({tx, tx, short_age}), InvalidInput);
  EXPECT_THROW(bgnbd_p_alive(kCdnow, {2.0, 5.0, 4.0}), InvalidInput);  // t_x > T
  EXPECT_THROW(bgnbd_p_alive(BgNbdParams{-1.0, 1.0, 1.0, 1.0}, {0, 0, 1}), InvalidInput);
  EXPECT_THROW(bgnbd_expected_purchases(kCdnow, -1.0), InvalidInput);
}

}  // namespace
}  // namespace crm::retention
