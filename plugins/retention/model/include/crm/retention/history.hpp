// Per-customer purchase histories in the form the probability models use.
//
// A history is the triple (x, t_x, T) of Fader, Hardie & Lee (2005):
//   x    frequency: number of REPEAT transactions in the calibration period
//        (the first purchase is not counted);
//   t_x  recency: time of the last transaction, measured from the first
//        purchase (0 when x == 0);
//   T    age: time from the first purchase to the end of calibration.
// Times are in the model's time unit (e.g. weeks); all three must use the same.

#ifndef CRM_RETENTION_HISTORY_HPP_
#define CRM_RETENTION_HISTORY_HPP_

#include <cstddef>
#include <span>

namespace crm::retention {

// One customer's history. Valid when x is a non-negative integer and
// 0 <= t_x <= T, all finite.
struct CustomerHistory {
  double frequency = 0.0;  // x
  double recency = 0.0;    // t_x
  double age = 0.0;        // T
};

// Non-owning column views over many customers' histories (e.g. the columns of
// a CustomerSummary or NumPy arrays). frequency, recency and age must have the
// same length; weight is either empty (every row counts once) or of that
// length with non-negative finite entries (a row standing for `weight`
// identical customers).
struct HistoryView {
  std::span<const double> frequency;
  std::span<const double> recency;
  std::span<const double> age;
  std::span<const double> weight = {};

  std::size_t size() const noexcept { return frequency.size(); }
  CustomerHistory operator[](std::size_t i) const noexcept {
    return {frequency[i], recency[i], age[i]};
  }
  double weight_at(std::size_t i) const noexcept { return weight.empty() ? 1.0 : weight[i]; }
};

// Throws InvalidInput naming `where` and the first offending row if the
// columns differ in length or a row is not a valid history.
void validate_history(const HistoryView& view, const char* where);

// Throws InvalidInput naming `where` if the history is not valid.
void validate_history(const CustomerHistory& history, const char* where);

}  // namespace crm::retention

#endif  // CRM_RETENTION_HISTORY_HPP_
