// The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting Your
// Customers the Easy Way: An Alternative to the Pareto/NBD Model", Marketing
// Science 24(2)).
//
// While alive, a customer buys at Poisson rate lambda; after each purchase the
// customer drops out with probability p. Across customers lambda ~ Gamma(r,
// alpha) (shape r, rate alpha) and p ~ Beta(a, b). The model is estimated from
// each customer's history (x, t_x, T) (see history.hpp) by maximum likelihood.
//
// Time is in whatever unit the histories use (the paper uses weeks); alpha is
// in that unit, horizons t must be too. All computations are in log space.

#ifndef CRM_RETENTION_BGNBD_HPP_
#define CRM_RETENTION_BGNBD_HPP_

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "crm/retention/history.hpp"
#include "crm/retention/optimizer.hpp"

namespace crm::retention {

// Model parameters; all must be positive and finite.
struct BgNbdParams {
  double r = 1.0;      // shape of the purchase-rate Gamma distribution
  double alpha = 1.0;  // rate (inverse scale) of the purchase-rate Gamma, per time unit
  double a = 1.0;      // Beta shape of the dropout probability
  double b = 1.0;      // Beta shape of the dropout probability
};

// Throws InvalidInput naming `where` unless every parameter is positive and
// finite.
void validate(const BgNbdParams& params, const char* where);

struct BgNbdFitOptions {
  MinimizeOptions minimizer;           // tolerances, iteration limit, fallback
  std::optional<BgNbdParams> initial;  // start; default r = a = b = 1, alpha from data
  double log_lower = -20.0;            // box on ln(parameter): keeps it in
  double log_upper = 20.0;             //   [e^-20, e^20], i.e. positive and finite
};

struct BgNbdFit {
  BgNbdParams params;
  double log_likelihood = 0.0;         // total (weighted) log-likelihood at params
  int iterations = 0;                  // optimiser iterations
  int evaluations = 0;                 // likelihood+gradient evaluations
  std::size_t customers = 0;           // number of customers (sum of weights, rounded)
  std::size_t distinct_histories = 0;  // rows after merging identical (x, t_x, T)
  bool at_bound = false;               // a log-parameter ended within 2 of the box of
                                       // BgNbdFitOptions: the data push it toward 0 or
                                       // infinity (too few or too uniform customers), so
                                       // the estimates are not meaningful one by one
};

// Fits the model by maximum likelihood: identical (x, t_x, T) rows are merged
// into weighted rows, then the mean negative log-likelihood is minimised over
// the log-parameters by BFGS with the analytic gradient (Nelder-Mead fallback).
// Cost per iteration is O(distinct histories), so a million customers with
// day-granular histories fit in well under a second.
// Throws InvalidInput for invalid histories (validate_history), FitError if
// there are no customers (zero total weight), no customer made a repeat
// purchase (then r/alpha and the dropout process are not identified), or the
// optimiser does not converge.
BgNbdFit fit_bgnbd(const HistoryView& data, const BgNbdFitOptions& options = {});

// Log-likelihood of one customer's history (FHL 2005, eq. 6 in log form).
// Throws InvalidInput for invalid params or history.
double bgnbd_log_likelihood(const BgNbdParams& params, const CustomerHistory& history);

// Total (weighted) log-likelihood of many customers. Throws InvalidInput.
double bgnbd_log_likelihood(const BgNbdParams& params, const HistoryView& data);

// Probability that a customer with this history is still alive at T
// (FHL 2005 eq. 13 / Fader, Hardie & Lee 2008 note):
//   P = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
// Throws InvalidInput for invalid params or history.
double bgnbd_p_alive(const BgNbdParams& params, const CustomerHistory& history);

// P(alive) for every row of `data`. Throws InvalidInput.
std::vector<double> bgnbd_p_alive(const BgNbdParams& params, const HistoryView& data);

// Expected number of repeat purchases in (0, t] by a customer who made the
// trial purchase at time 0 (FHL 2005 eq. 7):
//   E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))].
// The removable singularity at a = 1 is handled exactly. t >= 0 in the model
// unit. Throws InvalidInput for invalid params or t; NumericalError if 2F1
// cannot be evaluated (t astronomically larger than alpha).
double bgnbd_expected_purchases(const BgNbdParams& params, double t);

// Expected number of purchases in (T, T + t] by a customer with history
// (x, t_x, T) (FHL 2005 eq. 10):
//   E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1)
//        [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
//     / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
// Throws as bgnbd_expected_purchases, and InvalidInput for an invalid history.
double bgnbd_conditional_expected_purchases(const BgNbdParams& params,
                                            const CustomerHistory& history, double t);

// The conditional expectation for every row of `data`. Throws as above.
std::vector<double> bgnbd_conditional_expected_purchases(const BgNbdParams& params,
                                                         const HistoryView& data, double t);

// Sum over all rows (weighted) of the conditional expectation: the forecast of
// the customer base's total purchases in the next t time units, to compare
// with the total hold-out count.
double bgnbd_expected_total_purchases(const BgNbdParams& params, const HistoryView& data, double t);

// Population (cohort) forecast: the expected cumulative number of repeat
// purchases made by the cohort up to each time in `times`, where customer i
// made the trial purchase at trial_times[i] (FHL 2005 section 4, figure 1):
//   result[k] = sum_i E[X(times[k] - trial_times[i])], terms with
//               times[k] <= trial_times[i] being 0.
// Times are on one clock (e.g. weeks since the cohort's start). Identical
// trial times are evaluated once. Throws InvalidInput for invalid params or
// non-finite times.
std::vector<double> bgnbd_cumulative_forecast(const BgNbdParams& params,
                                              std::span<const double> trial_times,
                                              std::span<const double> times);

}  // namespace crm::retention

#endif  // CRM_RETENTION_BGNBD_HPP_
