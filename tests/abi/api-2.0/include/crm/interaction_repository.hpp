// Interactions in the store: the customer's history.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crm/actor.hpp"
#include "crm/export.hpp"
#include "crm/interaction.hpp"

namespace crm {

struct InteractionQuery {
  std::optional<CustomerId> customer_id;
  std::optional<std::string> kind;
  std::optional<std::string> channel;
  std::optional<TimePoint> from;  // inclusive
  std::optional<TimePoint> to;    // exclusive
};

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API InteractionRepository {
 public:
  virtual ~InteractionRepository() = default;

  // Stores `i` and returns its id; publishes "interaction.recorded" (and
  // "purchase.recorded" for kind "purchase"). Throws NotFound for an unknown
  // customer.
  virtual InteractionId record(const Interaction& i, const Actor& by) = 0;

  virtual std::optional<Interaction> find(InteractionId id) = 0;

  // Matching interactions ordered by time, then id.
  virtual std::vector<Interaction> list(const InteractionQuery& q) = 0;

  // Streams matching interactions ordered by customer, then time: the shape
  // analytics (RFM, lifetime value) need, without holding them all.
  virtual void for_each(const InteractionQuery& q,
                        const std::function<void(const Interaction&)>& visit) = 0;
};

}  // namespace crm
