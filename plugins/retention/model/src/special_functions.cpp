#include "crm/retention/special_functions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>

#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = std::numeric_limits<double>::epsilon();

// True for 0, -1, -2, ...: the poles of Gamma and digamma.
bool is_non_positive_integer(double x) { return x <= 0.0 && x == std::floor(x); }

std::string show(double x) {
  // std::to_string prints fixed 6 decimals, which hides small values.
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// Lanczos approximation (g = 7, n = 9; Godfrey's coefficients) of ln Gamma(x)
// for x >= 0.5. Relative error of Gamma about 1e-15, i.e. absolute error of
// ln Gamma about 1e-15, which is what log-likelihood differences need.
double lanczos_log_gamma(double x) {
  static constexpr double kG = 7.0;
  static constexpr double kCoef[9] = {
      0.99999999999980993,  676.5203681218851,     -1259.1392167224028,
      771.32342877765313,   -176.61502916214059,   12.507343278686905,
      -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
  const double xm1 = x - 1.0;
  double series = kCoef[0];
  for (int i = 1; i < 9; ++i) series += kCoef[i] / (xm1 + i);
  const double t = xm1 + kG + 0.5;
  // 0.5 * ln(2 pi)
  constexpr double kHalfLog2Pi = 0.91893853320467274178;
  return kHalfLog2Pi + (xm1 + 0.5) * std::log(t) - t + std::log(series);
}

// Sums the hypergeometric power series directly. The caller has arranged that
// it converges (|z| < 1) or terminates (a or b a non-positive integer).
double hyp2f1_series(double a, double b, double c, double z) {
  constexpr long kMaxTerms = 10'000'000;
  double term = 1.0;
  double sum = 1.0;
  for (long n = 0; n < kMaxTerms; ++n) {
    const double dn = static_cast<double>(n);
    const double ratio = (a + dn) * (b + dn) / ((c + dn) * (dn + 1.0)) * z;
    term *= ratio;
    sum += term;
    if (term == 0.0) return sum;  // terminating (polynomial) series
    // Stop only once the terms are shrinking, so a transient small term
    // (a + n close to zero) does not end the sum early.
    if (std::fabs(ratio) < 1.0 && std::fabs(term) <= kEps * 0.5 * std::fabs(sum)) return sum;
  }
  throw NumericalError("hyp2f1(" + show(a) + ", " + show(b) + "; " + show(c) + "; " + show(z) +
                       "): power series did not converge within 10 million terms");
}

// 1 / Gamma(x) as a signed log; zero (sign 0) at the poles.
struct RecipGamma {
  double log_abs;
  int sign;  // 0 means the value is exactly zero
};

RecipGamma recip_gamma(double x) {
  if (is_non_positive_integer(x)) return {-kInf, 0};
  const SignedLog g = log_abs_gamma(x);
  return {-g.log_abs, g.sign};
}

// Abramowitz & Stegun 15.3.6 for 0.5 < z < 1 and c - a - b not an integer:
//   F(a,b;c;z) = G(c)G(s)/(G(c-a)G(c-b)) F(a,b;1-s;1-z)
//              + (1-z)^s G(c)G(-s)/(G(a)G(b)) F(c-a,c-b;1+s;1-z),   s = c-a-b.
double hyp2f1_one_minus_z(double a, double b, double c, double z) {
  const double w = 1.0 - z;
  const double s = c - a - b;
  const SignedLog gc = log_abs_gamma(c);
  double result = 0.0;
  {
    const SignedLog gs = log_abs_gamma(s);
    const RecipGamma r1 = recip_gamma(c - a);
    const RecipGamma r2 = recip_gamma(c - b);
    if (r1.sign != 0 && r2.sign != 0) {
      const double f = hyp2f1_series(a, b, 1.0 - s, w);
      const double log_coef = gc.log_abs + gs.log_abs + r1.log_abs + r2.log_abs;
      result += gc.sign * gs.sign * r1.sign * r2.sign * std::exp(log_coef) * f;
    }
  }
  {
    const SignedLog gms = log_abs_gamma(-s);
    const RecipGamma r1 = recip_gamma(a);
    const RecipGamma r2 = recip_gamma(b);
    if (r1.sign != 0 && r2.sign != 0) {
      const double f = hyp2f1_series(c - a, c - b, 1.0 + s, w);
      const double log_coef = gc.log_abs + gms.log_abs + r1.log_abs + r2.log_abs + s * std::log(w);
      result += gc.sign * gms.sign * r1.sign * r2.sign * std::exp(log_coef) * f;
    }
  }
  return result;
}

// 2F1 on 0 <= z < 1 after Euler's transformation made the terms decay
// (a + b - c <= 0).
double hyp2f1_unit_interval(double a, double b, double c, double z) {
  // The connection formula wins only close to 1 and when its own series are
  // benign: small parameters (no huge cancelling Gamma ratios) and s away from
  // an integer (where its two terms have cancelling poles). Elsewhere the
  // direct series converges like z^n * n^(a+b-c-1), fast enough.
  const double s = c - a - b;
  const bool small_params = std::fabs(a) < 30.0 && std::fabs(b) < 30.0 && std::fabs(c) < 30.0;
  const bool s_generic = std::fabs(s - std::round(s)) > 1e-3 && s < 5.0;
  if (z > 0.99 && small_params && s_generic) return hyp2f1_one_minus_z(a, b, c, z);
  return hyp2f1_series(a, b, c, z);
}

}  // namespace

double log_gamma(double x) {
  if (!(x > 0.0) || !std::isfinite(x)) {
    throw InvalidInput("log_gamma: argument must be positive and finite, got " + show(x));
  }
  // Below 0.5 the Lanczos sum loses accuracy; Gamma(x) = Gamma(x + 1) / x.
  if (x < 0.5) return lanczos_log_gamma(x + 1.0) - std::log(x);
  return lanczos_log_gamma(x);
}

SignedLog log_abs_gamma(double x) {
  if (!std::isfinite(x) || is_non_positive_integer(x)) {
    throw InvalidInput("log_abs_gamma: Gamma has a pole or the argument is not finite at x = " +
                       show(x));
  }
  if (x > 0.0) return {log_gamma(x), 1};
  // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
  const double sin_pi_x = std::sin(std::numbers::pi * x);
  const double log_abs =
      std::log(std::numbers::pi / std::fabs(sin_pi_x)) - lanczos_log_gamma(1 - x);
  return {log_abs, sin_pi_x < 0 ? -1 : 1};
}

double digamma(double x) {
  if (!std::isfinite(x) || is_non_positive_integer(x)) {
    throw InvalidInput("digamma: pole or non-finite argument at x = " + show(x));
  }
  if (x < 0.5) {
    // Reflection: psi(1 - x) - psi(x) = pi cot(pi x).
    return digamma(1.0 - x) - std::numbers::pi / std::tan(std::numbers::pi * x);
  }
  double shift = 0.0;
  // Recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10, where the asymptotic
  // series below is accurate to about 1e-16.
  while (x < 10.0) {
    shift -= 1.0 / x;
    x += 1.0;
  }
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  // Bernoulli-number series: -sum B_2k / (2k x^2k).
  const double tail =
      inv2 * (1.0 / 12 -
              inv2 * (1.0 / 120 -
                      inv2 * (1.0 / 252 -
                              inv2 * (1.0 / 240 -
                                      inv2 * (1.0 / 132 - inv2 * (691.0 / 32760 - inv2 / 12.0))))));
  return shift + std::log(x) - 0.5 * inv - tail;
}

double log_beta(double a, double b) {
  if (!(a > 0.0) || !(b > 0.0) || !std::isfinite(a) || !std::isfinite(b)) {
    throw InvalidInput("log_beta: arguments must be positive and finite, got a = " + show(a) +
                       ", b = " + show(b));
  }
  return log_gamma(a) + log_gamma(b) - log_gamma(a + b);
}

double log_sum_exp(double a, double b) {
  if (a == -kInf) return b;
  if (b == -kInf) return a;
  const double hi = std::max(a, b);
  return hi + std::log1p(std::exp(-std::fabs(a - b)));
}

double log_sum_exp(std::span<const double> values) {
  if (values.empty()) return -kInf;
  const double hi = *std::max_element(values.begin(), values.end());
  if (hi == -kInf || hi == kInf) return hi;
  double sum = 0.0;
  for (const double v : values) sum += std::exp(v - hi);
  return hi + std::log(sum);
}

double log1p_exp(double x) {
  // exp(x) < eps * 1 for x < -37, and ln(1 + exp(x)) = x to double precision
  // for x > 37; in between log1p is exact enough.
  if (x > 37.0) return x + std::exp(-x);
  if (x < -37.0) return std::exp(x);
  return std::log1p(std::exp(x));
}

double logistic(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

double hyp2f1(double a, double b, double c, double z) {
  if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c) || !std::isfinite(z)) {
    throw InvalidInput("hyp2f1: arguments must be finite");
  }
  if (is_non_positive_integer(c)) {
    throw InvalidInput("hyp2f1: c must not be a non-positive integer, got c = " + show(c));
  }
  if (z == 0.0 || a == 0.0 || b == 0.0) return 1.0;
  // A non-positive integer a or b makes the series a polynomial: sum it as is.
  if (is_non_positive_integer(a) || is_non_positive_integer(b)) {
    return hyp2f1_series(a, b, c, z);
  }
  if (z == 1.0) {
    const double s = c - a - b;
    if (!(s > 0.0)) {
      throw InvalidInput("hyp2f1: diverges at z = 1 unless c - a - b > 0 (got " + show(s) + ")");
    }
    // Gauss: F(a,b;c;1) = G(c)G(c-a-b) / (G(c-a)G(c-b)).
    const RecipGamma r1 = recip_gamma(c - a);
    const RecipGamma r2 = recip_gamma(c - b);
    if (r1.sign == 0 || r2.sign == 0) return 0.0;
    const SignedLog gc = log_abs_gamma(c);
    const SignedLog gs = log_abs_gamma(s);
    return gc.sign * gs.sign * r1.sign * r2.sign *
           std::exp(gc.log_abs + gs.log_abs + r1.log_abs + r2.log_abs);
  }
  if (z > 1.0) {
    throw InvalidInput("hyp2f1: z must be < 1 (real branch), got z = " + show(z));
  }
  if (z < 0.0) {
    // Pfaff: F(a,b;c;z) = (1-z)^(-a) F(a, c-b; c; z/(z-1)), z/(z-1) in (0, 1).
    return std::pow(1.0 - z, -a) * hyp2f1(a, c - b, c, z / (z - 1.0));
  }
  if (a + b - c > 0.0) {
    // Euler: F(a,b;c;z) = (1-z)^(c-a-b) F(c-a, c-b; c; z); the new series has
    // terms ~ n^(c-a-b-1) z^n, which decay instead of grow.
    return std::pow(1.0 - z, c - a - b) * hyp2f1_unit_interval(c - a, c - b, c, z);
  }
  return hyp2f1_unit_interval(a, b, c, z);
}

}  // namespace crm::retention
