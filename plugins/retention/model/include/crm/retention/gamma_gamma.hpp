// The Gamma-Gamma model of monetary value (Fader & Hardie 2013, "The
// Gamma-Gamma Model of Monetary Value"; Colombo & Jiang 1999).
//
// A customer's transaction values are Gamma(p, nu) distributed around the
// customer's mean p/nu, and nu varies across customers as Gamma(q, v). The
// observed mean m_x of a customer's x repeat transactions therefore has
//   f(m_x | p, q, v, x) = G(px+q) / (G(px) G(q)) * v^q m_x^(px-1) x^(px)
//                         / (v + x m_x)^(px+q),
// and the model is fitted by maximum likelihood over customers with x > 0.
// Spend is in the currency unit of the data; v has that unit.

#ifndef CRM_RETENTION_GAMMA_GAMMA_HPP_
#define CRM_RETENTION_GAMMA_GAMMA_HPP_

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "crm/retention/optimizer.hpp"

namespace crm::retention {

// Model parameters; all must be positive and finite.
struct GammaGammaParams {
  double p = 1.0;  // shape of the per-transaction Gamma
  double q = 1.0;  // shape of the Gamma of nu across customers
  double v = 1.0;  // scale of the Gamma of nu across customers (currency unit)
};

// Throws InvalidInput naming `where` unless every parameter is positive and
// finite.
void validate(const GammaGammaParams& params, const char* where);

struct GammaGammaFitOptions {
  MinimizeOptions minimizer;
  std::optional<GammaGammaParams> initial;  // default p = q = 1, v = mean spend
  double log_lower = -20.0;                 // box on ln(parameter)
  double log_upper = 20.0;
};

struct GammaGammaFit {
  GammaGammaParams params;
  double log_likelihood = 0.0;  // over the customers with x > 0
  int iterations = 0;
  int evaluations = 0;
  std::size_t customers = 0;  // customers used (x > 0)
  bool at_bound = false;      // a log-parameter ended within 2 of the box: the data push it
                              // toward 0 or infinity (see BgNbdFit::at_bound)
};

// Fits the model from per-customer repeat frequency x and mean repeat
// transaction value m_x (CustomerSummary::frequency / ::monetary_value).
// Customers with x == 0 carry no spend information and are skipped. BFGS on
// ln(p, q, v) with the analytic gradient; the x-only terms are computed once
// per distinct x, leaving one log per customer per iteration.
// Throws InvalidInput on length mismatch, x not a non-negative integer, or
// m_x <= 0 / non-finite for a customer with x > 0; FitError if fewer than two
// customers have x > 0, all such customers have the same mean spend (no
// spread to estimate), or the optimiser does not converge.
GammaGammaFit fit_gamma_gamma(std::span<const double> frequency,
                              std::span<const double> monetary_value,
                              const GammaGammaFitOptions& options = {});

// Log-likelihood (sum over customers with x > 0). Throws InvalidInput.
double gamma_gamma_log_likelihood(const GammaGammaParams& params, std::span<const double> frequency,
                                  std::span<const double> monetary_value);

// Population mean transaction value E[Z] = p v / (q - 1), currency unit.
// Throws InvalidInput if q <= 1 (the mean is then infinite).
double gamma_gamma_population_mean(const GammaGammaParams& params);

// Expected mean transaction value of a customer given x repeat transactions
// with mean m_x (Fader & Hardie 2013 eq. 5):
//   E[Z | x, m_x] = p (v + x m_x) / (p x + q - 1)
//                 = w * p v/(q-1) + (1 - w) * m_x,  w = (q-1)/(p x + q - 1),
// a weighted average of the population mean and the customer's own mean. For
// x == 0 it is the population mean (m_x is ignored). Throws InvalidInput if
// q <= 1, x is not a non-negative integer, or m_x < 0 / non-finite for x > 0.
double gamma_gamma_expected_spend(const GammaGammaParams& params, double frequency,
                                  double monetary_value);

// The conditional expectation for every customer. Throws as above.
std::vector<double> gamma_gamma_expected_spend(const GammaGammaParams& params,
                                               std::span<const double> frequency,
                                               std::span<const double> monetary_value);

}  // namespace crm::retention

#endif  // CRM_RETENTION_GAMMA_GAMMA_HPP_
