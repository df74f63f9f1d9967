#pragma once

#include "crm/case_repository.hpp"
#include "store_parts.hpp"

namespace crm::core {

class CaseStore final : public CaseRepository {
 public:
  explicit CaseStore(StoreParts parts) : p_(parts) {}
  CaseId open(const Case& c, const Actor& by) override;
  std::optional<Case> find(CaseId id) override;
  Case get(CaseId id) override;
  std::vector<Case> list(const CaseQuery& q) override;
  void assign(CaseId id, const std::string& owner, const std::string& note,
              const Actor& by) override;
  void set_status(CaseId id, Case::Status to, const std::string& note, const Actor& by) override;
  void link_interaction(CaseId id, InteractionId interaction, const Actor& by) override;
  std::vector<CaseChange> history(CaseId id) override;

 private:
  std::vector<Case> select(const std::string& where, const std::vector<SqlValue>& params);
  // The interactions and tasks that link to `c`, in id order.
  void load_links(Case& c);
  void add_history(CaseId id, CaseChange::Kind kind, const std::string& from, const std::string& to,
                   const std::string& note, const Actor& by, TimePoint at);
  // Throws InvalidInput naming the field when `id`'s interaction cannot be
  // linked to a case of `customer`, NotFound when it does not exist.
  void check_interaction(InteractionId id, CustomerId customer);
  StoreParts p_;
};

}  // namespace crm::core
