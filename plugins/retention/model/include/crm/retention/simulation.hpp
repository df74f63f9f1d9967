// Simulation of customer histories from the BG/NBD process, for tests,
// benchmarks and what-if analyses.

#ifndef CRM_RETENTION_SIMULATION_HPP_
#define CRM_RETENTION_SIMULATION_HPP_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "crm/retention/bgnbd.hpp"
#include "crm/retention/history.hpp"

namespace crm::retention {

struct SimulationOptions {
  std::size_t customers = 1000;
  double trial_window = 12.0;     // trial (first) purchases uniform in [0, trial_window)
  double calibration_end = 39.0;  // end of calibration, > trial_window (same time unit)
  double holdout_length = 0.0;    // hold-out period (calibration_end, calibration_end + length]
  // Purchase times are rounded down to multiples of this (e.g. 1/7 week = one
  // day) and purchases in one slot merged, as real data on a day grid are;
  // 0 keeps continuous times.
  double resolution = 0.0;
  std::uint64_t seed = 42;  // std::mt19937_64 seed; results depend on the standard library
};

// Simulated histories: columns of equal length, one row per customer.
struct SimulatedHistories {
  std::vector<double> frequency;          // x
  std::vector<double> recency;            // t_x
  std::vector<double> age;                // T
  std::vector<double> trial_time;         // time of the first purchase
  std::vector<double> holdout_frequency;  // purchases in the hold-out period

  HistoryView history() const noexcept { return {frequency, recency, age}; }
};

// Draws each customer's lambda ~ Gamma(r, alpha), p ~ Beta(a, b) and trial
// time, then runs the purchase process: exponential inter-purchase times at
// rate lambda, and after each repeat purchase the customer drops out with
// probability p. Throws InvalidInput for invalid params, customers == 0,
// trial_window <= 0, calibration_end <= trial_window, or negative
// holdout_length / resolution.
SimulatedHistories simulate_bgnbd(const BgNbdParams& params, const SimulationOptions& options);

}  // namespace crm::retention

#endif  // CRM_RETENTION_SIMULATION_HPP_
