#include "crm/retention/special_functions.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

TEST(LogGamma, MatchesStdLgamma) {
  for (const double x : {1e-8, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.7, 10.0, 33.3, 171.5, 1e5, 1e12}) {
    EXPECT_NEAR(log_gamma(x), std::lgamma(x), 1e-13 * std::max(1.0, std::fabs(std::lgamma(x))))
        << "x = " << x;
  }
}

TEST(LogGamma, KnownValues) {
  EXPECT_NEAR(log_gamma(1.0), 0.0, 1e-15);
  EXPECT_NEAR(log_gamma(2.0), 0.0, 1e-15);
  EXPECT_NEAR(log_gamma(0.5), 0.5 * std::log(std::numbers::pi), 1e-15);
  EXPECT_NEAR(log_gamma(11.0), std::log(3628800.0), 1e-13);
}

TEST(LogAbsGamma, NegativeArgumentsUseReflection) {
  // Gamma(-0.5) = -2 sqrt(pi); Gamma(-1.5) = 4 sqrt(pi) / 3.
  const SignedLog g1 = log_abs_gamma(-0.5);
  EXPECT_EQ(g1.sign, -1);
  EXPECT_NEAR(g1.log_abs, std::log(2.0 * std::sqrt(std::numbers::pi)), 1e-14);
  const SignedLog g2 = log_abs_gamma(-1.5);
  EXPECT_EQ(g2.sign, 1);
  EXPECT_NEAR(g2.log_abs, std::log(4.0 * std::sqrt(std::numbers::pi) / 3.0), 1e-14);
  EXPECT_THROW(log_abs_gamma(-2.0), InvalidInput);
  EXPECT_THROW(log_abs_gamma(0.0), InvalidInput);
}

TEST(LogGamma, RejectsNonPositive) {
  EXPECT_THROW(log_gamma(0.0), InvalidInput);
  EXPECT_THROW(log_gamma(-1.5), InvalidInput);
  EXPECT_THROW(log_gamma(std::numeric_limits<double>::quiet_NaN()), InvalidInput);
}

TEST(Digamma, KnownValuesAndDerivative) {
  constexpr double kEulerGamma = 0.57721566490153286061;
  EXPECT_NEAR(digamma(1.0), -kEulerGamma, 1e-15);
  EXPECT_NEAR(digamma(0.5), -kEulerGamma - 2.0 * std::log(2.0), 1e-14);
  EXPECT_NEAR(digamma(10.0), 2.251752589066721, 1e-14);
  // Recurrence psi(x+1) = psi(x) + 1/x, also for negative x.
  for (const double x : {-2.5, -0.3, 0.01, 0.7, 4.2, 55.5}) {
    EXPECT_NEAR(digamma(x + 1.0), digamma(x) + 1.0 / x, 1e-12 * (1.0 + std::fabs(1.0 / x))) << x;
  }
  // Numerical derivative of log_gamma.
  for (const double x : {0.3, 1.7, 8.0, 120.0}) {
    const double h = 1e-5 * x;
    const double numeric = (log_gamma(x + h) - log_gamma(x - h)) / (2 * h);
    EXPECT_NEAR(digamma(x), numeric, 1e-7 * (1.0 + std::fabs(numeric))) << x;
  }
  EXPECT_THROW(digamma(-3.0), InvalidInput);
}

TEST(LogBeta, MatchesDefinition) {
  EXPECT_NEAR(log_beta(2.0, 3.0), std::log(1.0 / 12.0), 1e-14);
  EXPECT_NEAR(log_beta(0.7929, 2.4259),
              std::lgamma(0.7929) + std::lgamma(2.4259) - std::lgamma(0.7929 + 2.4259), 1e-13);
  EXPECT_THROW(log_beta(0.0, 1.0), InvalidInput);
}

TEST(LogSpace, LogSumExpIsStable) {
  EXPECT_NEAR(log_sum_exp(1000.0, 1000.0), 1000.0 + std::log(2.0), 1e-12);
  EXPECT_NEAR(log_sum_exp(-1000.0, -1001.0), -1000.0 + std::log1p(std::exp(-1.0)), 1e-12);
  const double ninf = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(log_sum_exp(ninf, 3.0), 3.0);
  EXPECT_EQ(log_sum_exp(ninf, ninf), ninf);
  const std::vector<double> v = {800.0, 800.0, 800.0, ninf};
  EXPECT_NEAR(log_sum_exp(v), 800.0 + std::log(3.0), 1e-12);
  EXPECT_EQ(log_sum_exp(std::span<const double>{}), ninf);
}

TEST(LogSpace, SoftplusAndLogistic) {
  EXPECT_NEAR(log1p_exp(0.0), std::log(2.0), 1e-15);
  EXPECT_EQ(log1p_exp(800.0), 800.0);
  EXPECT_NEAR(log1p_exp(-800.0), 0.0, 1e-300);
  EXPECT_NEAR(log1p_exp(-40.0), std::exp(-40.0), 1e-30);
  EXPECT_NEAR(logistic(0.0), 0.5, 1e-16);
  EXPECT_NEAR(logistic(-800.0), 0.0, 1e-300);
  EXPECT_EQ(logistic(800.0), 1.0);
  EXPECT_NEAR(logistic(2.0) + logistic(-2.0), 1.0, 1e-15);
}

struct Hyp2f1Case {
  double a, b, c, z, expected;
};

// Reference values from mpmath.hyp2f1 at 40 significant digits.
TEST(Hyp2f1, MatchesMpmath) {
  const std::vector<Hyp2f1Case> cases = {
      {1, 1, 2, 0.5, 1.3862943611198906},  // -ln(1-z)/z: c-a-b = 0, an integer
      {1, 1, 2, 0.999, 6.9146699489310672},
      {1, 1, 2, -3.0, 0.46209812037329687},
      {0.5, 0.5, 1.5, 0.25, 1.0471975511965977},  // arcsin(sqrt z)/sqrt z
      {0.2426, 2.4259, 2.2188, 0.9, 1.9456628989491883},
      {0.2426, 2.4259, 2.2188, 0.995, 5.7188163405325205},  // 1 - z connection formula
      {0.2426, 2.4259, 2.2188, 0.99999, 82.87327292031895},
      {2.2426, 4.4259, 4.2188, 0.4697, 4.4859830487948915},
      {20.24, 22.43, 22.22, 0.95, 3.9614469480826266e+26},  // Euler transformation
      {20.24, 22.43, 22.22, 0.5, 1418637.2870905312},
      {1.5, -0.3, 3.7, -0.8, 1.0858017255678762},  // Pfaff transformation
      {1.5, -0.3, 3.7, -25.0, 1.9945225331432968},
      {-3, 2.5, 1.5, 0.7, -0.099000000000000017},  // terminating series
      {3.3, 1.7, 0.4, 0.993, 98801616640.143193},
      {0.7, 1.2, 4.5, 0.9995, 1.3197805942487735},
  };
  for (const Hyp2f1Case& t : cases) {
    EXPECT_NEAR(hyp2f1(t.a, t.b, t.c, t.z), t.expected, 1e-12 * std::fabs(t.expected))
        << "2F1(" << t.a << ", " << t.b << "; " << t.c << "; " << t.z << ")";
  }
}

TEST(Hyp2f1, GaussSumAtOne) {
  // 2F1(a, b; c; 1) = G(c) G(c-a-b) / (G(c-a) G(c-b)); here 2F1(1,1;3;1) = 2.
  EXPECT_NEAR(hyp2f1(1.0, 1.0, 3.0, 1.0), 2.0, 1e-14);
  EXPECT_THROW(hyp2f1(1.0, 1.0, 2.0, 1.0), InvalidInput);
}

TEST(Hyp2f1, RejectsInvalidArguments) {
  EXPECT_THROW(hyp2f1(1.0, 1.0, -2.0, 0.5), InvalidInput);
  EXPECT_THROW(hyp2f1(1.0, 1.0, 2.0, 1.5), InvalidInput);
  EXPECT_THROW(hyp2f1(1.0, std::numeric_limits<double>::infinity(), 2.0, 0.5), InvalidInput);
}

}  // namespace
}  // namespace crm::retention
