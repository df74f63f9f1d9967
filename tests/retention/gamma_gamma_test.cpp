#include "crm/retention/gamma_gamma.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cdnow_fixture.hpp"
#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

using testing::CdnowTest;

TEST_F(CdnowTest, GammaGammaMatchesFaderHardie2013) {
  const CustomerSummary& s = summary();
  const GammaGammaFit fit = fit_gamma_gamma(s.frequency, s.monetary_value);
  // Note: p = 6.25, q = 3.74, v = 15.44 on the 946 repeat customers' mean
  // repeat-transaction values (first purchase excluded, same-day merged).
  EXPECT_EQ(fit.customers, 946u);
  EXPECT_NEAR(fit.params.p, 6.25, 0.005);
  EXPECT_NEAR(fit.params.q, 3.74, 0.005);
  EXPECT_NEAR(fit.params.v, 15.44, 0.005);
  // Independent SciPy optimum.
  EXPECT_NEAR(fit.params.p, 6.249574, 2e-5);
  EXPECT_NEAR(fit.params.q, 3.744225, 2e-5);
  EXPECT_NEAR(fit.params.v, 15.443516, 1e-4);
  EXPECT_NEAR(fit.log_likelihood, -4055.917695, 1e-5);
  EXPECT_NEAR(gamma_gamma_log_likelihood(fit.params, s.frequency, s.monetary_value),
              fit.log_likelihood, 1e-6);
  EXPECT_FALSE(fit.at_bound);
}

TEST(GammaGamma, ConditionalExpectedSpend) {
  const GammaGammaParams g{6.25, 3.74, 15.44};
  // p (v + x m) / (p x + q - 1) = 6.25 (15.44 + 60) / (12.5 + 2.74).
  EXPECT_NEAR(gamma_gamma_expected_spend(g, 2.0, 30.0), 6.25 * 75.44 / 15.24, 1e-12);
  // Population mean p v / (q - 1) for customers without repeat purchases.
  EXPECT_NEAR(gamma_gamma_population_mean(g), 6.25 * 15.44 / 2.74, 1e-12);
  EXPECT_NEAR(gamma_gamma_expected_spend(g, 0.0, 0.0), 6.25 * 15.44 / 2.74, 1e-12);
  // Many transactions: close to the customer's own mean.
  EXPECT_NEAR(gamma_gamma_expected_spend(g, 1000.0, 42.0), 42.0, 0.05);
  const std::vector<double> x = {0.0, 2.0};
  const std::vector<double> m = {0.0, 30.0};
  const std::vector<double> e = gamma_gamma_expected_spend(g, x, m);
  EXPECT_NEAR(e[1], gamma_gamma_expected_spend(g, 2.0, 30.0), 1e-12);
}

TEST(GammaGamma, Errors) {
  const GammaGammaParams infinite_mean{6.25, 0.9, 15.44};
  EXPECT_THROW(gamma_gamma_expected_spend(infinite_mean, 1.0, 10.0), InvalidInput);
  EXPECT_THROW(gamma_gamma_population_mean(infinite_mean), InvalidInput);
  const GammaGammaParams g{6.25, 3.74, 15.44};
  EXPECT_THROW(gamma_gamma_expected_spend(g, 1.0, -5.0), InvalidInput);

  const std::vector<double> x = {1.0, 0.0, 3.0};
  const std::vector<double> same = {10.0, 0.0, 10.0};
  try {
    fit_gamma_gamma(x, same);
    FAIL() << "expected FitError";
  } catch (const FitError& e) {
    EXPECT_NE(std::string(e.what()).find("same mean spend"), std::string::npos) << e.what();
  }
  const std::vector<double> one = {1.0, 0.0, 0.0};
  EXPECT_THROW(fit_gamma_gamma(one, same), FitError);
  EXPECT_THROW(fit_gamma_gamma(std::vector<double>{}, std::vector<double>{}), FitError);
  const std::vector<double> bad = {10.0, 0.0, -1.0};
  EXPECT_THROW(fit_gamma_gamma(x, bad), InvalidInput);
  EXPECT_THROW(fit_gamma_gamma(x, std::vector<double>{1.0}), InvalidInput);
}

}  // namespace
}  // namespace crm::retention
