#include "crm/retention/clv.hpp"

#include <cmath>
#include <string>

#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

void check_spend(double spend, std::size_t row, const char* where) {
  if (!(spend >= 0.0) || !std::isfinite(spend)) {
    throw InvalidInput(std::string(where) + ": row " + std::to_string(row) +
                       ": expected spend must be finite and >= 0, got " + std::to_string(spend));
  }
}

void check_retention(double r, double d, const char* where) {
  if (!(r >= 0.0 && r <= 1.0)) {
    throw InvalidInput(std::string(where) + ": retention rate must be in [0, 1], got " +
                       std::to_string(r));
  }
  if (!(d > -1.0) || !std::isfinite(d)) {
    throw InvalidInput(std::string(where) + ": discount rate must be finite and > -1, got " +
                       std::to_string(d));
  }
}

// sum_k (E[Y(kL)] - E[Y((k-1)L)]) / (1+d)^k for one customer.
double discounted_purchases(const BgNbdParams& params, const CustomerHistory& h,
                            const ClvOptions& o) {
  double total = 0.0;
  double previous = 0.0;
  double discount = 1.0;
  for (int k = 1; k <= o.periods; ++k) {
    const double cumulative = bgnbd_conditional_expected_purchases(params, h, k * o.period_length);
    discount /= 1.0 + o.discount_rate;
    total += (cumulative - previous) * discount;
    previous = cumulative;
  }
  return total;
}

}  // namespace

void validate(const ClvOptions& o, const char* where) {
  if (o.periods < 0) {
    throw InvalidInput(std::string(where) + ": periods must be >= 0, got " +
                       std::to_string(o.periods));
  }
  if (!(o.period_length > 0.0) || !std::isfinite(o.period_length)) {
    throw InvalidInput(std::string(where) + ": period_length must be finite and > 0");
  }
  if (!(o.discount_rate > -1.0) || !std::isfinite(o.discount_rate)) {
    throw InvalidInput(std::string(where) + ": discount_rate must be finite and > -1");
  }
  if (!std::isfinite(o.margin)) throw InvalidInput(std::string(where) + ": margin must be finite");
}

double bgnbd_clv(const BgNbdParams& params, const CustomerHistory& history, double expected_spend,
                 const ClvOptions& options) {
  validate(options, "bgnbd_clv");
  check_spend(expected_spend, 0, "bgnbd_clv");
  return options.margin * expected_spend * discounted_purchases(params, history, options);
}

std::vector<double> bgnbd_clv(const BgNbdParams& params, const HistoryView& data,
                              std::span<const double> expected_spend, const ClvOptions& options) {
  validate(options, "bgnbd_clv");
  validate(params, "bgnbd_clv");
  validate_history(data, "bgnbd_clv");
  if (expected_spend.size() != data.size()) {
    throw InvalidInput("bgnbd_clv: " + std::to_string(data.size()) + " histories but " +
                       std::to_string(expected_spend.size()) + " expected spends");
  }
  std::vector<double> out(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    check_spend(expected_spend[i], i, "bgnbd_clv");
    out[i] = options.margin * expected_spend[i] * discounted_purchases(params, data[i], options);
  }
  return out;
}

double historic_clv(double margin, double retention_rate, double discount_rate, int horizon) {
  check_retention(retention_rate, discount_rate, "historic_clv");
  if (!std::isfinite(margin)) throw InvalidInput("historic_clv: margin must be finite");
  if (horizon < 0) {
    throw InvalidInput("historic_clv: horizon must be >= 0, got " + std::to_string(horizon));
  }
  // Summed term by term: exact for g == 1 and no cancellation for g near 1.
  const double g = retention_rate / (1.0 + discount_rate);
  double sum = 0.0;
  double term = 1.0;
  for (int t = 0; t < horizon; ++t) {
    sum += term;
    term *= g;
  }
  return margin * sum;
}

double historic_clv_perpetuity(double margin, double retention_rate, double discount_rate) {
  check_retention(retention_rate, discount_rate, "historic_clv_perpetuity");
  if (!std::isfinite(margin)) throw InvalidInput("historic_clv_perpetuity: margin must be finite");
  if (!(retention_rate < 1.0 + discount_rate)) {
    throw InvalidInput(
        "historic_clv_perpetuity: diverges unless retention rate < 1 + discount rate");
  }
  return margin * (1.0 + discount_rate) / (1.0 + discount_rate - retention_rate);
}

}  // namespace crm::retention
