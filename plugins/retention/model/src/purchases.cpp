#include "crm/retention/purchases.hpp"

#include <cmath>
#include <limits>
#include <utility>

#include "crm/retention/errors.hpp"

namespace crm::retention {

void PurchaseLog::validate() const {
  const std::size_t n = customer.size();
  if (day.size() != n || amount.size() != n) {
    throw InvalidInput("PurchaseLog: columns differ in length (customer " + std::to_string(n) +
                       ", day " + std::to_string(day.size()) + ", amount " +
                       std::to_string(amount.size()) + ")");
  }
  const auto count = static_cast<std::int64_t>(customer_keys.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (customer[i] < 0 || customer[i] >= count) {
      throw InvalidInput("PurchaseLog: purchase " + std::to_string(i) + " has customer index " +
                         std::to_string(customer[i]) + " outside [0, " + std::to_string(count) +
                         ")");
    }
    if (!std::isfinite(amount[i])) {
      throw InvalidInput("PurchaseLog: purchase " + std::to_string(i) + " has a non-finite amount");
    }
  }
}

std::int32_t PurchaseLogBuilder::intern(std::string_view customer_key) {
  return index_.intern(customer_key);
}

std::int32_t PurchaseLogBuilder::add(std::string_view customer_key, int day, double amount) {
  if (!std::isfinite(amount)) {
    throw InvalidInput("PurchaseLogBuilder::add: non-finite amount for customer '" +
                       std::string(customer_key) + "'");
  }
  const std::int32_t index = intern(customer_key);
  log_.customer.push_back(index);
  log_.day.push_back(day);
  log_.amount.push_back(amount);
  return index;
}

void PurchaseLogBuilder::reserve(std::size_t purchases, std::size_t customers) {
  index_.reserve(customers);
  log_.customer.reserve(purchases);
  log_.day.reserve(purchases);
  log_.amount.reserve(purchases);
}

PurchaseLog PurchaseLogBuilder::build() {
  log_.customer_keys.clear();
  log_.customer_keys.reserve(index_.size());
  for (std::size_t i = 0; i < index_.size(); ++i) {
    log_.customer_keys.emplace_back(index_.key(static_cast<std::int32_t>(i)));
  }
  index_.clear();
  return std::exchange(log_, PurchaseLog{});
}

std::vector<double> sum_by_customer(std::span<const std::int32_t> customer,
                                    std::span<const double> value, std::size_t customer_count) {
  if (customer.size() != value.size()) {
    throw InvalidInput("sum_by_customer: " + std::to_string(customer.size()) +
                       " customer indices but " + std::to_string(value.size()) + " values");
  }
  std::vector<double> total(customer_count, 0.0);
  for (std::size_t i = 0; i < customer.size(); ++i) {
    const auto c = static_cast<std::size_t>(customer[i]);
    if (customer[i] < 0 || c >= customer_count) {
      throw InvalidInput("sum_by_customer: row " + std::to_string(i) + " has customer index " +
                         std::to_string(customer[i]) + " outside [0, " +
                         std::to_string(customer_count) + ")");
    }
    total[c] += value[i];
  }
  return total;
}

}  // namespace crm::retention
