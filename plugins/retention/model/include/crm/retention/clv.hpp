// Customer lifetime value: model-based (BG/NBD purchases x Gamma-Gamma spend)
// and the classic retention-rate formula for historic/aggregate CLV.

#ifndef CRM_RETENTION_CLV_HPP_
#define CRM_RETENTION_CLV_HPP_

#include <span>
#include <vector>

#include "crm/retention/bgnbd.hpp"
#include "crm/retention/history.hpp"

namespace crm::retention {

// Horizon and money terms of a model-based CLV.
struct ClvOptions {
  int periods = 12;            // number of discounting periods in the horizon (>= 0)
  double period_length = 1.0;  // length of one period in the model's time unit, > 0
                               // (e.g. 52/12 = 4.333 weeks for monthly periods)
  double discount_rate = 0.0;  // discount rate per period, > -1 (0.01 = 1% per period)
  double margin = 1.0;         // profit margin as a fraction of spend (1 = revenue CLV)
};

// Throws InvalidInput naming `where` unless the options are valid.
void validate(const ClvOptions& options, const char* where);

// Discounted expected profit of one customer over the horizon:
//   CLV = margin * spend * sum_{k=1..K} (E[Y(k L)] - E[Y((k-1) L)]) / (1 + d)^k
// where E[Y(t)] is the BG/NBD conditional expectation of purchases in
// (T, T + t] (bgnbd_conditional_expected_purchases), L = period_length,
// K = periods, d = discount_rate, and purchases in period k are discounted as
// if made at its end. `expected_spend` is the expected value per transaction
// (e.g. gamma_gamma_expected_spend), in currency units; the result is in the
// same unit. Throws InvalidInput for invalid params, history, spend (< 0 or
// non-finite) or options.
double bgnbd_clv(const BgNbdParams& params, const CustomerHistory& history, double expected_spend,
                 const ClvOptions& options);

// CLV for every customer; expected_spend has one entry per row of `data`.
// Throws InvalidInput as above or on length mismatch.
std::vector<double> bgnbd_clv(const BgNbdParams& params, const HistoryView& data,
                              std::span<const double> expected_spend, const ClvOptions& options);

// Historic (retention-rate) CLV of a customer worth `margin` per period:
//   CLV = margin * sum_{t=0..H-1} r^t / (1 + d)^t = margin * (1 - g^H) / (1 - g),
//   g = r / (1 + d),
// i.e. the margin of the current period (t = 0, undiscounted, certain) plus
// each later period's margin weighted by the chance r^t that the customer is
// still retained and discounted t periods. H = horizon >= 0 periods
// (H = 0 gives 0). Requires 0 <= r <= 1 and d > -1. Throws InvalidInput
// otherwise or for non-finite arguments.
double historic_clv(double margin, double retention_rate, double discount_rate, int horizon);

// The infinite-horizon limit margin * (1 + d) / (1 + d - r). Requires
// 0 <= r <= 1, d > -1 and r < 1 + d. Throws InvalidInput otherwise.
double historic_clv_perpetuity(double margin, double retention_rate, double discount_rate);

}  // namespace crm::retention

#endif  // CRM_RETENTION_CLV_HPP_
