#include "crm/retention/gamma_gamma.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "crm/retention/errors.hpp"
#include "crm/retention/special_functions.hpp"

namespace crm::retention {
namespace {

void check_lengths(std::span<const double> frequency, std::span<const double> monetary,
                   const char* where) {
  if (frequency.size() != monetary.size()) {
    throw InvalidInput(std::string(where) + ": " + std::to_string(frequency.size()) +
                       " frequencies but " + std::to_string(monetary.size()) + " monetary values");
  }
}

void check_row(double x, double m, std::size_t row, const char* where) {
  if (!std::isfinite(x) || x < 0.0 || x != std::floor(x)) {
    throw InvalidInput(std::string(where) + ": row " + std::to_string(row) +
                       ": frequency must be a non-negative integer, got " + std::to_string(x));
  }
  if (x > 0.0 && (!(m > 0.0) || !std::isfinite(m))) {
    throw InvalidInput(std::string(where) + ": row " + std::to_string(row) +
                       ": mean spend must be positive and finite when frequency > 0, got " +
                       std::to_string(m));
  }
}

// Customers with x > 0 grouped by x: per group, the sums that do not depend
// on the parameters, and per customer x*m (for ln(v + x m)).
struct SpendData {
  struct Group {
    double x;
    double count;
    double sum_log_m;  // sum of ln m_x over the group
    std::size_t begin;
    std::size_t end;
  };
  std::vector<Group> groups;
  std::vector<double> x_times_m;  // x * m_x, ordered by group
  double customers = 0.0;
};

SpendData prepare(std::span<const double> frequency, std::span<const double> monetary) {
  std::map<double, std::vector<double>> by_x;  // few distinct x: a map is fine here
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    if (frequency[i] > 0.0) by_x[frequency[i]].push_back(monetary[i]);
  }
  SpendData out;
  for (const auto& [x, ms] : by_x) {
    SpendData::Group g{x, static_cast<double>(ms.size()), 0.0, out.x_times_m.size(), 0};
    for (const double m : ms) {
      g.sum_log_m += std::log(m);
      out.x_times_m.push_back(x * m);
    }
    g.end = out.x_times_m.size();
    out.customers += g.count;
    out.groups.push_back(g);
  }
  return out;
}

// Mean negative log-likelihood over theta = ln(p, q, v), with gradient. Per
// customer: lnG(px+q) - lnG(px) - lnG(q) + q ln v + (px-1) ln m + px ln x
//           - (px+q) ln(v + x m).
class GammaGammaObjective {
 public:
  explicit GammaGammaObjective(const SpendData& data) : data_(data) {}

  double operator()(std::span<const double> theta, std::span<double> grad) const {
    const double p = std::exp(theta[0]);
    const double q = std::exp(theta[1]);
    const double v = std::exp(theta[2]);
    const double log_v = theta[2];
    const double lg_q = log_gamma(q);
    const double ps_q = digamma(q);
    double ll = 0.0, d_p = 0.0, d_q = 0.0, d_v = 0.0;
    for (const SpendData::Group& g : data_.groups) {
      const double px = p * g.x;
      const double log_x = std::log(g.x);
      double s_log = 0.0;  // sum ln(v + x m)
      double s_inv = 0.0;  // sum 1 / (v + x m)
      for (std::size_t i = g.begin; i < g.end; ++i) {
        const double denom = v + data_.x_times_m[i];
        s_log += std::log(denom);
        s_inv += 1.0 / denom;
      }
      const double ps_pxq = digamma(px + q);
      ll += g.count * (log_gamma(px + q) - log_gamma(px) - lg_q + q * log_v + px * log_x) +
            (px - 1.0) * g.sum_log_m - (px + q) * s_log;
      d_p += g.x * (g.count * (ps_pxq - digamma(px) + log_x) + g.sum_log_m - s_log);
      d_q += g.count * (ps_pxq - ps_q + log_v) - s_log;
      d_v += g.count * q / v - (px + q) * s_inv;
    }
    const double scale = -1.0 / data_.customers;
    grad[0] = scale * p * d_p;
    grad[1] = scale * q * d_q;
    grad[2] = scale * v * d_v;
    return scale * ll;
  }

 private:
  const SpendData& data_;
};

double expected_spend_unchecked(const GammaGammaParams& g, double x, double m) {
  if (x == 0.0) return g.p * g.v / (g.q - 1.0);
  return g.p * (g.v + x * m) / (g.p * x + g.q - 1.0);
}

void require_finite_mean(const GammaGammaParams& g, const char* where) {
  if (!(g.q > 1.0)) {
    throw InvalidInput(std::string(where) + ": q = " + std::to_string(g.q) +
                       " <= 1: the Gamma-Gamma mean spend is infinite");
  }
}

}  // namespace

void validate(const GammaGammaParams& g, const char* where) {
  for (const double v : {g.p, g.q, g.v}) {
    if (!(v > 0.0) || !std::isfinite(v)) {
      throw InvalidInput(
          std::string(where) +
          ": Gamma-Gamma parameters must be positive and finite (p = " + std::to_string(g.p) +
          ", q = " + std::to_string(g.q) + ", v = " + std::to_string(g.v) + ")");
    }
  }
}

GammaGammaFit fit_gamma_gamma(std::span<const double> frequency,
                              std::span<const double> monetary_value,
                              const GammaGammaFitOptions& options) {
  check_lengths(frequency, monetary_value, "fit_gamma_gamma");
  double min_m = INFINITY, max_m = -INFINITY, sum_m = 0.0;
  std::size_t repeaters = 0;
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    check_row(frequency[i], monetary_value[i], i, "fit_gamma_gamma");
    if (frequency[i] > 0.0) {
      ++repeaters;
      min_m = std::min(min_m, monetary_value[i]);
      max_m = std::max(max_m, monetary_value[i]);
      sum_m += monetary_value[i];
    }
  }
  if (repeaters < 2) {
    throw FitError("fit_gamma_gamma: degenerate data: " + std::to_string(repeaters) +
                   " customer(s) with repeat purchases; at least 2 are needed");
  }
  if (min_m == max_m) {
    throw FitError(
        "fit_gamma_gamma: degenerate data: every repeat customer has the same mean "
        "spend (" +
        std::to_string(min_m) + "), so its spread cannot be estimated");
  }
  if (options.initial) validate(*options.initial, "fit_gamma_gamma (initial values)");
  const GammaGammaParams start =
      options.initial.value_or(GammaGammaParams{1.0, 1.0, sum_m / static_cast<double>(repeaters)});

  const SpendData data = prepare(frequency, monetary_value);
  const GammaGammaObjective objective(data);
  const ObjectiveWithGradient f = [&objective](std::span<const double> th, std::span<double> g) {
    return objective(th, g);
  };
  const Box box{std::vector<double>(3, options.log_lower),
                std::vector<double>(3, options.log_upper)};
  const MinimizeResult result =
      minimize(f, {std::log(start.p), std::log(start.q), std::log(start.v)}, box, options.minimizer,
               "fit_gamma_gamma");

  GammaGammaFit fit;
  fit.params = {std::exp(result.x[0]), std::exp(result.x[1]), std::exp(result.x[2])};
  fit.log_likelihood = -result.value * data.customers;
  fit.iterations = result.iterations;
  fit.evaluations = result.evaluations;
  fit.customers = repeaters;
  for (const double v : result.x) {
    // Within a factor e^2 of the box: the optimum is running off to 0 or
    // infinity rather than sitting at an interior maximum.
    if (v <= options.log_lower + 2.0 || v >= options.log_upper - 2.0) fit.at_bound = true;
  }
  return fit;
}

double gamma_gamma_log_likelihood(const GammaGammaParams& g, std::span<const double> frequency,
                                  std::span<const double> monetary_value) {
  validate(g, "gamma_gamma_log_likelihood");
  check_lengths(frequency, monetary_value, "gamma_gamma_log_likelihood");
  double ll = 0.0;
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    const double x = frequency[i];
    const double m = monetary_value[i];
    check_row(x, m, i, "gamma_gamma_log_likelihood");
    if (x == 0.0) continue;
    const double px = g.p * x;
    ll += log_gamma(px + g.q) - log_gamma(px) - log_gamma(g.q) + g.q * std::log(g.v) +
          (px - 1.0) * std::log(m) + px * std::log(x) - (px + g.q) * std::log(g.v + x * m);
  }
  return ll;
}

double gamma_gamma_population_mean(const GammaGammaParams& g) {
  validate(g, "gamma_gamma_population_mean");
  require_finite_mean(g, "gamma_gamma_population_mean");
  return g.p * g.v / (g.q - 1.0);
}

double gamma_gamma_expected_spend(const GammaGammaParams& g, double frequency,
                                  double monetary_value) {
  validate(g, "gamma_gamma_expected_spend");
  require_finite_mean(g, "gamma_gamma_expected_spend");
  check_row(frequency, monetary_value, 0, "gamma_gamma_expected_spend");
  return expected_spend_unchecked(g, frequency, monetary_value);
}

std::vector<double> gamma_gamma_expected_spend(const GammaGammaParams& g,
                                               std::span<const double> frequency,
                                               std::span<const double> monetary_value) {
  validate(g, "gamma_gamma_expected_spend");
  require_finite_mean(g, "gamma_gamma_expected_spend");
  check_lengths(frequency, monetary_value, "gamma_gamma_expected_spend");
  std::vector<double> out(frequency.size());
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    check_row(frequency[i], monetary_value[i], i, "gamma_gamma_expected_spend");
    out[i] = expected_spend_unchecked(g, frequency[i], monetary_value[i]);
  }
  return out;
}

}  // namespace crm::retention
