#pragma once

#include "crm/customer_repository.hpp"
#include "customer_table_set.hpp"
#include "store_parts.hpp"

namespace crm::core {

class CustomerStore final : public CustomerRepository {
 public:
  CustomerStore(StoreParts parts, CustomerTableSet& tables) : p_(parts), tables_(tables) {}

  CustomerId add(const Customer& c, const Actor& by) override;
  std::vector<AddOutcome> add_many(std::span<const Customer> customers, const Actor& by) override;
  void update(const Customer& c, const Actor& by) override;
  std::optional<Customer> find(CustomerId id) override;
  Customer get(CustomerId id) override;
  std::optional<Customer> find_by(MatchKey key, std::string_view value) override;
  std::vector<Customer> list(const CustomerQuery& q) override;
  std::int64_t count() override;
  std::int64_t count(const CustomerQuery& q) override;
  Handover reassign_owner(const std::string& from, const std::string& to, const Actor& by) override;
  std::vector<DuplicateGroup> find_duplicates() override;
  void merge(CustomerId keep, CustomerId other, const Actor& by) override;
  std::vector<SegmentChange> set_segments(std::span<const SegmentAssignment> segments,
                                          const Actor& by) override;

 private:
  Customer read_row(const SqlRow& r);
  void write_contacts(CustomerId id, const std::vector<ContactPerson>& contacts);
  void record_handover(CustomerId id, const std::string& from, const std::string& to,
                       const Actor& by);
  StoreParts p_;
  CustomerTableSet& tables_;
};

// Throws InvalidInput naming the field when `c` breaks a rule.
void validate_customer(const Customer& c);

}  // namespace crm::core
