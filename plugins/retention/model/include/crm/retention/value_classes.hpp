// Customer value classes: ABC analysis by cumulative value share, a value
// pyramid by rank percentile, and profit contribution per customer.
//
// Both classifications are tie-stable: a customer's class depends only on the
// values strictly greater than its own, so customers with equal values always
// share a class and the input order never matters.

#ifndef CRM_RETENTION_VALUE_CLASSES_HPP_
#define CRM_RETENTION_VALUE_CLASSES_HPP_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace crm::retention {

enum class AbcClass : char { kA = 'A', kB = 'B', kC = 'C' };

// Cumulative value-share limits of classes A and B, 0 < a_share <= b_share <= 1.
struct AbcThresholds {
  double a_share = 0.80;
  double b_share = 0.95;
};

// ABC classes. Customers are ranked by value, highest first; with
//   above = (sum of values strictly greater than the customer's) / total,
// a customer is A if above < a_share, else B if above < b_share, else C.
// So the customer whose value crosses a limit still belongs to the higher
// class (the top customer is always A), and the A class covers at least
// a_share of the total value. O(n log n).
// Throws InvalidInput for negative or non-finite values, a zero total (nothing
// to share; includes empty input) or invalid thresholds.
std::vector<AbcClass> abc_classes(std::span<const double> value,
                                  const AbcThresholds& thresholds = {});

// One tier of a value pyramid: customers whose rank share falls below
// `cumulative_share` (and not in an earlier tier) belong to it.
struct PyramidTier {
  std::string name;
  double cumulative_share;  // in (0, 1], strictly increasing across tiers, the last must be 1
};

// Default tiers: platinum top 1%, gold next 4% (to 5%), iron next 15% (to
// 20%), lead the remaining 80%.
std::vector<PyramidTier> default_value_pyramid();

// Tier index per customer. With n customers and
//   above = number of customers with a strictly greater value,
// a customer belongs to the first tier with above / n < cumulative_share.
// Tied customers share a tier, so a tier can hold more (or fewer) than its
// nominal share when values tie at its edge. O(n log n).
// Throws InvalidInput for NaN values or tiers that are empty, not strictly
// increasing, outside (0, 1], or do not end at 1.
std::vector<std::int32_t> value_pyramid(std::span<const double> value,
                                        std::span<const PyramidTier> tiers);

// Profit contribution per customer: revenue[i] - cost[i] (currency units).
// Throws InvalidInput on length mismatch or non-finite entries.
std::vector<double> profit_contribution(std::span<const double> revenue,
                                        std::span<const double> cost);

}  // namespace crm::retention

#endif  // CRM_RETENTION_VALUE_CLASSES_HPP_
