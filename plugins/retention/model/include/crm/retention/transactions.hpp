// Per-customer calibration/hold-out summaries of a purchase log: the
// (x, t_x, T) histories of the BG/NBD model, mean repeat spend for the
// Gamma-Gamma model, and hold-out counts for validating forecasts.
//
// Conventions (those of Fader, Hardie & Lee 2005 and of the `lifetimes`
// library):
//   * Several purchases by one customer on one day are ONE transaction whose
//     value is the sum of their amounts.
//   * The first transaction is the customer's "trial"; x counts only the
//     repeat transactions after it, up to and including calibration_end.
//   * t_x = (day of last calibration transaction - day of first) / unit,
//     T   = (calibration_end - day of first) / unit; both 0-based durations.
//   * Customers whose first purchase is after calibration_end are not in the
//     model's population and are left out of the summary.

#ifndef CRM_RETENTION_TRANSACTIONS_HPP_
#define CRM_RETENTION_TRANSACTIONS_HPP_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "crm/retention/history.hpp"
#include "crm/retention/purchases.hpp"

namespace crm::retention {

// Time unit of the model's time axis.
enum class TimeUnit { kDay, kWeek };

// Days in one unit: 1 for kDay, 7 for kWeek.
double days_per_unit(TimeUnit unit) noexcept;

struct SummaryOptions {
  int calibration_end = 0;          // last day of calibration (inclusive), days since epoch
  std::optional<int> holdout_end;   // last day of the hold-out period (inclusive), if any
  TimeUnit unit = TimeUnit::kWeek;  // unit of recency, age and holdout_length
};

// Columnar summary, one row per customer who bought on or before
// calibration_end, in increasing customer index order.
struct CustomerSummary {
  std::vector<std::int32_t> customer;     // index into PurchaseLog::customer_keys
  std::vector<double> frequency;          // x: repeat transactions in calibration
  std::vector<double> recency;            // t_x, in units
  std::vector<double> age;                // T, in units
  std::vector<double> monetary_value;     // mean value of the x repeat transactions; 0 if x == 0
  std::vector<std::int32_t> first_day;    // day of the first purchase
  std::vector<double> holdout_frequency;  // transactions in (calibration_end, holdout_end]; 0
                                          // for all rows when there is no hold-out
  double holdout_length = 0.0;            // (holdout_end - calibration_end) in units, or 0
  std::size_t dropped_customers = 0;      // customers whose first purchase is after calibration

  std::size_t size() const noexcept { return customer.size(); }
  // View of (frequency, recency, age) for the models.
  HistoryView history() const noexcept { return {frequency, recency, age}; }
};

// Builds the summary. Runs in O(n + sum of per-customer sort costs) for n
// purchases (customers are bucketed by index, then each one's days sorted).
// Throws InvalidInput if the log is inconsistent (PurchaseLog::validate) or
// holdout_end < calibration_end.
CustomerSummary summarize_transactions(const PurchaseLog& log, const SummaryOptions& options);

}  // namespace crm::retention

#endif  // CRM_RETENTION_TRANSACTIONS_HPP_
