#pragma once

#include "crm/channel_catalogue.hpp"
#include "crm/interaction_repository.hpp"
#include "store_parts.hpp"

namespace crm::core {

class InteractionStore final : public InteractionRepository {
 public:
  InteractionStore(StoreParts parts, const ChannelCatalogue& channels)
      : p_(parts), channels_(channels) {}
  InteractionId record(const Interaction& i, const Actor& by) override;
  std::optional<Interaction> find(InteractionId id) override;
  std::vector<Interaction> list(const InteractionQuery& q) override;
  void for_each(const InteractionQuery& q,
                const std::function<void(const Interaction&)>& visit) override;
  void scan(const InteractionScan& s,
            const std::function<void(const InteractionBatch&)>& visit) override;
  std::vector<CustomerTotals> totals_per_customer(const InteractionFilter& f) override;
  std::vector<DayTotals> totals_per_day(const InteractionFilter& f) override;

 private:
  void select(const InteractionQuery& q, std::optional<InteractionId> id, const char* order,
              const std::function<void(const Interaction&)>& visit);
  StoreParts p_;
  const ChannelCatalogue& channels_;
};

}  // namespace crm::core
