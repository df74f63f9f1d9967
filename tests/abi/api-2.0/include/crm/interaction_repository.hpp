// Interactions in the store: the customer's history.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crm/actor.hpp"
#include "crm/export.hpp"
#include "crm/interaction.hpp"
#include "crm/interaction_scan.hpp"

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

  // Streams the matching interactions in batches of columns, filling only
  // `s.fields` (crm/interaction_scan.hpp). Several million rows a second:
  // nothing is parsed that was not asked for. The visitor may use the store
  // (its own statement is not disturbed). Throws InvalidInput for a
  // batch_rows of 0, StoreError for a corrupt stored value.
  virtual void scan(const InteractionScan& s,
                    const std::function<void(const InteractionBatch&)>& visit) = 0;

  // Totals per customer of the matching interactions, ordered by customer
  // id. Throws CurrencyMismatch naming the customer when its amounts are in
  // more than one currency (narrow the filter, e.g. by kind), InvalidInput
  // when a sum overflows.
  virtual std::vector<CustomerTotals> totals_per_customer(const InteractionFilter& f) = 0;

  // Totals per UTC calendar day of the matching interactions, ordered by
  // day; throws like totals_per_customer, naming the day.
  virtual std::vector<DayTotals> totals_per_day(const InteractionFilter& f) = 0;
};

}  // namespace crm
