// A purchase log in columnar form, with customers as dense integer indices.
//
// Analyses over millions of purchases must not hash customer keys in their
// inner loops, so keys are interned once (PurchaseLogBuilder) and every
// purchase refers to its customer by index into customer_keys.

#ifndef CRM_RETENTION_PURCHASES_HPP_
#define CRM_RETENTION_PURCHASES_HPP_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crm/retention/key_index.hpp"

namespace crm::retention {

// Purchases as parallel columns: purchase i was made by customer customer[i]
// (an index into customer_keys) on day day[i] (days since 1970-01-01) for
// amount[i] (any currency unit; may be negative for refunds).
struct PurchaseLog {
  std::vector<std::string> customer_keys;
  std::vector<std::int32_t> customer;
  std::vector<std::int32_t> day;
  std::vector<double> amount;

  std::size_t size() const noexcept { return customer.size(); }
  std::size_t customer_count() const noexcept { return customer_keys.size(); }

  // Throws InvalidInput if the columns differ in length, a customer index is
  // out of range or an amount is not finite.
  void validate() const;
};

// Builds a PurchaseLog from keyed purchases, interning customer keys in order
// of first appearance (the first new key gets index 0).
class PurchaseLogBuilder {
 public:
  PurchaseLogBuilder() = default;

  // Appends a purchase and returns the customer's index. Throws InvalidInput
  // if amount is not finite or more than 2^31 - 1 customers are added.
  std::int32_t add(std::string_view customer_key, int day, double amount);

  // Returns the index of `customer_key`, adding the customer (without a
  // purchase) if new. Lets callers register customers who have not bought.
  std::int32_t intern(std::string_view customer_key);

  // Pre-allocates room for `purchases` rows and, if known, `customers`
  // distinct keys (the key table otherwise grows by doubling).
  void reserve(std::size_t purchases, std::size_t customers = 0);

  std::size_t size() const noexcept { return log_.size(); }

  // Moves the finished log out; the builder is empty afterwards.
  PurchaseLog build();

 private:
  // Purchase columns; customer_keys is filled from index_ by build().
  PurchaseLog log_;
  KeyIndex index_;
};

// Sums `value` per customer: result[c] = sum of value[i] over i with
// customer[i] == c, for c in [0, customer_count). Throws InvalidInput on length
// mismatch or an index outside [0, customer_count).
std::vector<double> sum_by_customer(std::span<const std::int32_t> customer,
                                    std::span<const double> value, std::size_t customer_count);

}  // namespace crm::retention

#endif  // CRM_RETENTION_PURCHASES_HPP_
