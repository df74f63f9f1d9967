#include "crm/retention/optimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace crm::retention {
namespace {

double rosenbrock(std::span<const double> x, std::span<double> g) {
  const double a = 1.0 - x[0];
  const double b = x[1] - x[0] * x[0];
  g[0] = -2.0 * a - 400.0 * x[0] * b;
  g[1] = 200.0 * b;
  return a * a + 100.0 * b * b;
}

TEST(Bfgs, SolvesRosenbrock) {
  const MinimizeResult r = minimize_bfgs(rosenbrock, {-1.2, 1.0});
  ASSERT_TRUE(r.converged) << r.message;
  EXPECT_NEAR(r.x[0], 1.0, 1e-6);
  EXPECT_NEAR(r.x[1], 1.0, 1e-6);
  EXPECT_LT(r.iterations, 100);
  EXPECT_EQ(r.method, Method::kBfgs);
}

TEST(Bfgs, StopsAtActiveBound) {
  // min (x-3)^2 + (y+1)^2 on [0, 2] x [-5, 5]: x sticks to its upper bound.
  const ObjectiveWithGradient f = [](std::span<const double> x, std::span<double> g) {
    g[0] = 2.0 * (x[0] - 3.0);
    g[1] = 2.0 * (x[1] + 1.0);
    return (x[0] - 3.0) * (x[0] - 3.0) + (x[1] + 1.0) * (x[1] + 1.0);
  };
  const MinimizeResult r = minimize_bfgs(f, {0.5, 4.0}, Box{{0.0, -5.0}, {2.0, 5.0}});
  ASSERT_TRUE(r.converged) << r.message;
  EXPECT_DOUBLE_EQ(r.x[0], 2.0);
  EXPECT_NEAR(r.x[1], -1.0, 1e-8);
}

TEST(Bfgs, BacksOffFromUndefinedRegion) {
  // f = x - ln(x) is undefined for x <= 0; a full step from x = 3 overshoots.
  const ObjectiveWithGradient f = [](std::span<const double> x, std::span<double> g) {
    if (x[0] <= 0.0) return std::nan("");
    g[0] = 1.0 - 1.0 / x[0];
    return x[0] - std::log(x[0]);
  };
  const MinimizeResult r = minimize_bfgs(f, {30.0});
  ASSERT_TRUE(r.converged) << r.message;
  EXPECT_NEAR(r.x[0], 1.0, 1e-7);
}

TEST(NelderMead, SolvesRosenbrock) {
  const Objective f = [](std::span<const double> x) {
    double g[2];
    return rosenbrock(x, g);
  };
  const MinimizeResult r = minimize_nelder_mead(f, {-1.2, 1.0});
  ASSERT_TRUE(r.converged) << r.message;
  EXPECT_NEAR(r.x[0], 1.0, 1e-4);
  EXPECT_NEAR(r.x[1], 1.0, 1e-4);
}

TEST(Minimize, ThrowsFitErrorWithContextWhenNotConverged) {
  MinimizeOptions options;
  options.max_iterations = 2;
  options.nelder_mead_fallback = false;
  try {
    minimize(rosenbrock, {-1.2, 1.0}, {}, options, "toy fit");
    FAIL() << "expected FitError";
  } catch (const FitError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("toy fit"), std::string::npos) << what;
    EXPECT_NE(what.find("did not converge"), std::string::npos) << what;
  }
}

TEST(Minimize, RejectsBadBoxes) {
  EXPECT_THROW(minimize_bfgs(rosenbrock, {0.0, 0.0}, Box{{0.0}, {1.0}}), InvalidInput);
  EXPECT_THROW(minimize_bfgs(rosenbrock, {0.0, 0.0}, Box{{0.0, 1.0}, {1.0, 1.0}}), InvalidInput);
  EXPECT_THROW(minimize_bfgs(rosenbrock, {}), InvalidInput);
}

TEST(Minimize, NonFiniteStartIsAFitError) {
  const ObjectiveWithGradient f = [](std::span<const double>, std::span<double>) {
    return std::nan("");
  };
  EXPECT_THROW(minimize_bfgs(f, {1.0}), FitError);
}

}  // namespace
}  // namespace crm::retention
