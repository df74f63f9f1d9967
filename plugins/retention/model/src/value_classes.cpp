#include "crm/retention/value_classes.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

// Customer indices ordered by value, highest first.
std::vector<std::size_t> descending_order(std::span<const double> value) {
  std::vector<std::size_t> order(value.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t l, std::size_t r) { return value[l] > value[r]; });
  return order;
}

}  // namespace

std::vector<AbcClass> abc_classes(std::span<const double> value, const AbcThresholds& th) {
  if (!(th.a_share > 0.0 && th.a_share <= th.b_share && th.b_share <= 1.0)) {
    throw InvalidInput("abc_classes: thresholds must satisfy 0 < a_share <= b_share <= 1 (got " +
                       std::to_string(th.a_share) + ", " + std::to_string(th.b_share) + ")");
  }
  double total = 0.0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!(value[i] >= 0.0) || !std::isfinite(value[i])) {
      throw InvalidInput("abc_classes: value " + std::to_string(i) +
                         " must be finite and >= 0, got " + std::to_string(value[i]));
    }
    total += value[i];
  }
  if (!(total > 0.0)) {
    throw InvalidInput("abc_classes: total value is zero (" + std::to_string(value.size()) +
                       " customers); shares are undefined");
  }
  const std::vector<std::size_t> order = descending_order(value);
  std::vector<AbcClass> out(value.size(), AbcClass::kC);
  double above = 0.0;  // sum of values strictly greater than the current run
  for (std::size_t i = 0; i < order.size();) {
    const double v = value[order[i]];
    const double share = above / total;
    const AbcClass cls =
        share < th.a_share ? AbcClass::kA : (share < th.b_share ? AbcClass::kB : AbcClass::kC);
    double run = 0.0;
    for (; i < order.size() && value[order[i]] == v; ++i) {
      out[order[i]] = cls;
      run += v;
    }
    above += run;
  }
  return out;
}

std::vector<PyramidTier> default_value_pyramid() {
  return {{"platinum", 0.01}, {"gold", 0.05}, {"iron", 0.20}, {"lead", 1.0}};
}

std::vector<std::int32_t> value_pyramid(std::span<const double> value,
                                        std::span<const PyramidTier> tiers) {
  if (tiers.empty()) throw InvalidInput("value_pyramid: no tiers");
  for (std::size_t k = 0; k < tiers.size(); ++k) {
    const double s = tiers[k].cumulative_share;
    if (!(s > 0.0 && s <= 1.0) || (k > 0 && !(s > tiers[k - 1].cumulative_share))) {
      throw InvalidInput("value_pyramid: tier " + std::to_string(k) + " ('" + tiers[k].name +
                         "') has cumulative share " + std::to_string(s) +
                         "; shares must be strictly increasing in (0, 1]");
    }
  }
  if (tiers.back().cumulative_share != 1.0) {
    throw InvalidInput("value_pyramid: the last tier must have cumulative share 1");
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (std::isnan(value[i]))
      throw InvalidInput("value_pyramid: value " + std::to_string(i) + " is NaN");
  }
  const std::vector<std::size_t> order = descending_order(value);
  const auto n = static_cast<double>(value.size());
  std::vector<std::int32_t> out(value.size(), 0);
  std::size_t tier = 0;
  for (std::size_t i = 0; i < order.size();) {
    const double v = value[order[i]];
    const double share = static_cast<double>(i) / n;  // i customers are strictly greater
    while (tier + 1 < tiers.size() && !(share < tiers[tier].cumulative_share)) ++tier;
    for (; i < order.size() && value[order[i]] == v; ++i)
      out[order[i]] = static_cast<std::int32_t>(tier);
  }
  return out;
}

std::vector<double> profit_contribution(std::span<const double> revenue,
                                        std::span<const double> cost) {
  if (revenue.size() != cost.size()) {
    throw InvalidInput("profit_contribution: " + std::to_string(revenue.size()) + " revenues but " +
                       std::to_string(cost.size()) + " costs");
  }
  std::vector<double> out(revenue.size());
  for (std::size_t i = 0; i < revenue.size(); ++i) {
    if (!std::isfinite(revenue[i]) || !std::isfinite(cost[i])) {
      throw InvalidInput("profit_contribution: customer " + std::to_string(i) +
                         " has a non-finite revenue or cost");
    }
    out[i] = revenue[i] - cost[i];
  }
  return out;
}

}  // namespace crm::retention
