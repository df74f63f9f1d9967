// Export and erasure of one customer over every declared per-customer
// table. Private to the kernel.
#pragma once

#include "crm/customer_privacy.hpp"
#include "crm/customer_repository.hpp"
#include "customer_table_set.hpp"
#include "store_parts.hpp"

namespace crm::core {

class CustomerPrivacyStore final : public CustomerPrivacy {
 public:
  CustomerPrivacyStore(StoreParts parts, CustomerRepository& customers, CustomerTableSet& tables)
      : p_(parts), customers_(customers), tables_(tables) {}

  Json export_customer(CustomerId id, const Actor& by) override;
  ErasureReport erase(CustomerId id, const Actor& by) override;

 private:
  StoreParts p_;
  CustomerRepository& customers_;
  CustomerTableSet& tables_;
};

}  // namespace crm::core
