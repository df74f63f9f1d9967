// Special functions used by the probability models: log-gamma, digamma,
// log-beta, log-space arithmetic and the Gauss hypergeometric function 2F1.
//
// All functions are pure, thread-safe (no global state, unlike std::lgamma,
// which writes the global `signgam`) and take and return doubles. Accuracy is
// close to double precision (relative error about 1e-14) unless stated.

#ifndef CRM_RETENTION_SPECIAL_FUNCTIONS_HPP_
#define CRM_RETENTION_SPECIAL_FUNCTIONS_HPP_

#include <span>

namespace crm::retention {

// log|Gamma(x)| together with the sign of Gamma(x).
struct SignedLog {
  double log_abs;  // natural log of the absolute value
  int sign;        // +1 or -1
};

// Returns ln Gamma(x) for x > 0.
// Throws InvalidInput if x <= 0 or x is not finite (use log_abs_gamma for
// negative arguments).
double log_gamma(double x);

// Returns ln|Gamma(x)| and the sign of Gamma(x) for any real x that is not a
// non-positive integer (where Gamma has poles).
// Throws InvalidInput at the poles and for non-finite x.
SignedLog log_abs_gamma(double x);

// Returns the digamma function psi(x) = d/dx ln Gamma(x) for any real x that is
// not a non-positive integer. Throws InvalidInput at the poles and for
// non-finite x.
double digamma(double x);

// Returns ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b) for a, b > 0.
// Throws InvalidInput otherwise.
double log_beta(double a, double b);

// Returns ln(exp(a) + exp(b)) without overflow or underflow. Either argument
// may be -infinity (a zero term); the result is -infinity only if both are.
double log_sum_exp(double a, double b);

// Returns ln(sum_i exp(values[i])) without overflow; -infinity for an empty
// span or when every element is -infinity.
double log_sum_exp(std::span<const double> values);

// Returns ln(1 + exp(x)) (the "softplus"), accurate for all x: x itself for
// large x, exp(x) for very negative x.
double log1p_exp(double x);

// Returns the logistic function 1 / (1 + exp(-x)), accurate for all x.
double logistic(double x);

// Gauss hypergeometric function 2F1(a, b; c; z) for real parameters and real
// z < 1 (and z == 1 when c - a - b > 0, by Gauss's theorem).
//
// Method: negative z is mapped to (0, 1) by Pfaff's transformation; on [0, 1)
// Euler's transformation is applied when a + b - c > 0 so that the series
// terms decay; the power series is then summed directly, except for z > 0.99
// with small parameters where the 1 - z connection formula (Abramowitz &
// Stegun 15.3.6) converges much faster. Relative accuracy is about 1e-13 in
// the parameter ranges of the BG/NBD model (checked against SciPy).
//
// Throws InvalidInput if c is a non-positive integer (2F1 is undefined), z >= 1
// outside the Gauss case, or an argument is not finite; NumericalError if the
// series does not converge within 10 million terms (z extremely close to 1).
double hyp2f1(double a, double b, double c, double z);

}  // namespace crm::retention

#endif  // CRM_RETENTION_SPECIAL_FUNCTIONS_HPP_
