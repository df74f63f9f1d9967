#include "crm/retention/transactions.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "bucket.hpp"
#include "crm/retention/errors.hpp"

namespace crm::retention {

double days_per_unit(TimeUnit unit) noexcept { return unit == TimeUnit::kWeek ? 7.0 : 1.0; }

CustomerSummary summarize_transactions(const PurchaseLog& log, const SummaryOptions& options) {
  log.validate();
  if (options.holdout_end && *options.holdout_end < options.calibration_end) {
    throw InvalidInput("summarize_transactions: holdout_end " +
                       std::to_string(*options.holdout_end) + " is before calibration_end " +
                       std::to_string(options.calibration_end));
  }
  const double unit = days_per_unit(options.unit);
  const std::size_t n_customers = log.customer_count();

  // Rows contiguous per customer (counting sort), no hashing or global sort.
  const detail::CustomerBuckets buckets = detail::bucket_by_customer(log);
  const auto& rows = buckets.rows;
  const auto& offset = buckets.offset;

  CustomerSummary out;
  out.holdout_length =
      options.holdout_end ? (*options.holdout_end - options.calibration_end) / unit : 0.0;
  for (std::size_t c = 0; c < n_customers; ++c) {
    const auto begin = rows.begin() + static_cast<std::ptrdiff_t>(offset[c]);
    const auto end = rows.begin() + static_cast<std::ptrdiff_t>(offset[c + 1]);
    if (begin == end) continue;  // registered customer without purchases
    const std::int32_t first = begin->first;
    if (first > options.calibration_end) {
      ++out.dropped_customers;
      continue;
    }
    // Walk distinct days; the amounts of one day add up to one transaction.
    long repeat = 0;
    long holdout = 0;
    double repeat_value = 0.0;
    std::int32_t last_calibration_day = first;
    for (auto it = begin; it != end;) {
      const std::int32_t d = it->first;
      double value = 0.0;
      for (; it != end && it->first == d; ++it) value += it->second;
      if (d == first) continue;  // the trial transaction
      if (d <= options.calibration_end) {
        ++repeat;
        repeat_value += value;
        last_calibration_day = d;
      } else if (options.holdout_end && d <= *options.holdout_end) {
        ++holdout;
      }
    }
    out.customer.push_back(static_cast<std::int32_t>(c));
    out.frequency.push_back(static_cast<double>(repeat));
    out.recency.push_back((last_calibration_day - first) / unit);
    out.age.push_back((options.calibration_end - first) / unit);
    out.monetary_value.push_back(repeat > 0 ? repeat_value / static_cast<double>(repeat) : 0.0);
    out.first_day.push_back(first);
    out.holdout_frequency.push_back(static_cast<double>(holdout));
  }
  return out;
}

}  // namespace crm::retention
