#include "bucket.hpp"

#include <algorithm>

namespace crm::retention::detail {

CustomerBuckets bucket_by_customer(const PurchaseLog& log) {
  const std::size_t n_customers = log.customer_count();
  CustomerBuckets b;
  b.offset.assign(n_customers + 1, 0);
  for (const std::int32_t c : log.customer) ++b.offset[static_cast<std::size_t>(c) + 1];
  for (std::size_t c = 0; c < n_customers; ++c) b.offset[c + 1] += b.offset[c];
  b.rows.resize(log.size());
  std::vector<std::size_t> fill(b.offset.begin(), b.offset.end() - 1);
  for (std::size_t i = 0; i < log.size(); ++i) {
    b.rows[fill[static_cast<std::size_t>(log.customer[i])]++] = {log.day[i], log.amount[i]};
  }
  for (std::size_t c = 0; c < n_customers; ++c) {
    std::sort(b.rows.begin() + static_cast<std::ptrdiff_t>(b.offset[c]),
              b.rows.begin() + static_cast<std::ptrdiff_t>(b.offset[c + 1]));
  }
  return b;
}

}  // namespace crm::retention::detail
