// Internal: groups purchase rows by customer with a counting sort.
#ifndef CRM_RETENTION_SRC_BUCKET_HPP_
#define CRM_RETENTION_SRC_BUCKET_HPP_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "crm/retention/purchases.hpp"

namespace crm::retention::detail {

// (day, amount) rows of a validated log, contiguous per customer: customer c's
// rows are rows[offset[c] .. offset[c+1]), each customer's sorted by day.
struct CustomerBuckets {
  std::vector<std::size_t> offset;
  std::vector<std::pair<std::int32_t, double>> rows;
};

CustomerBuckets bucket_by_customer(const PurchaseLog& log);

}  // namespace crm::retention::detail

#endif  // CRM_RETENTION_SRC_BUCKET_HPP_
