#include "crm/retention/simulation.hpp"

#include <cmath>
#include <random>
#include <string>

#include "crm/retention/errors.hpp"

namespace crm::retention {

SimulatedHistories simulate_bgnbd(const BgNbdParams& params, const SimulationOptions& o) {
  validate(params, "simulate_bgnbd");
  if (o.customers == 0) throw InvalidInput("simulate_bgnbd: customers must be > 0");
  if (!(o.trial_window > 0.0) || !(o.calibration_end > o.trial_window) ||
      !std::isfinite(o.calibration_end)) {
    throw InvalidInput("simulate_bgnbd: need 0 < trial_window < calibration_end (finite)");
  }
  if (!(o.holdout_length >= 0.0) || !(o.resolution >= 0.0) || !std::isfinite(o.holdout_length) ||
      !std::isfinite(o.resolution)) {
    throw InvalidInput("simulate_bgnbd: holdout_length and resolution must be finite and >= 0");
  }
  std::mt19937_64 rng(o.seed);
  std::gamma_distribution<double> rate_dist(params.r, 1.0 / params.alpha);
  std::gamma_distribution<double> beta_a(params.a, 1.0);
  std::gamma_distribution<double> beta_b(params.b, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  const auto snap = [&](double t) { return o.resolution > 0 ? std::floor(t / o.resolution) : t; };
  const double end = o.calibration_end + o.holdout_length;
  SimulatedHistories out;
  out.frequency.reserve(o.customers);
  out.recency.reserve(o.customers);
  out.age.reserve(o.customers);
  out.trial_time.reserve(o.customers);
  out.holdout_frequency.reserve(o.customers);
  for (std::size_t i = 0; i < o.customers; ++i) {
    const double lambda = rate_dist(rng);
    const double ga = beta_a(rng);
    const double p = ga / (ga + beta_b(rng));
    // Trial time on the grid when one is used, so T is a whole number of slots.
    double trial = o.trial_window * unit(rng);
    if (o.resolution > 0) trial = snap(trial) * o.resolution;
    const double trial_slot = snap(trial);
    double last_slot = trial_slot;
    double last_calibration = trial;
    long x = 0;
    long holdout = 0;
    double t = trial;
    while (lambda > 0.0) {
      t += -std::log1p(-unit(rng)) / lambda;  // exponential waiting time
      if (t > end) break;
      const double slot = snap(t);
      if (slot != last_slot) {
        last_slot = slot;
        const double when = o.resolution > 0 ? slot * o.resolution : t;
        if (when <= o.calibration_end) {
          ++x;
          last_calibration = when;
        } else {
          ++holdout;
        }
      }
      if (unit(rng) < p) break;  // dropout right after this purchase
    }
    out.frequency.push_back(static_cast<double>(x));
    out.recency.push_back(x > 0 ? last_calibration - trial : 0.0);
    out.age.push_back(o.calibration_end - trial);
    out.trial_time.push_back(trial);
    out.holdout_frequency.push_back(static_cast<double>(holdout));
  }
  return out;
}

}  // namespace crm::retention
