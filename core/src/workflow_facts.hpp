// The facts conditions and templates are evaluated against (condition.hpp):
// of an event being dispatched to the triggers, or of an instance.
#pragma once

#include <cstdint>
#include <optional>

#include "crm/event.hpp"
#include "crm/store.hpp"
#include "crm/workflow_instance.hpp"
#include "event_dispatcher.hpp"
#include "sqlite_database.hpp"

namespace crm::core {

class WorkflowFacts {
 public:
  WorkflowFacts(SqliteDatabase& db, Store& store, const EventDispatcher& bus, const Clock& clock)
      : db_(db), store_(store), bus_(bus), clock_(clock) {}

  // {event, old, new} and, when asked for, customer: built once per
  // dispatch of `e` (every trigger of one event sees the same facts), the
  // customer read once while the database has not changed.
  const Json& of_event(const Event& e, bool with_customer);

  // {vars, event (the trigger), old, new, instance, now} and, when asked
  // for, the customer read fresh.
  Json of_instance(const WorkflowInstance& inst, bool with_customer) const;

  // The "old" or "new" value of each field payload.changes names.
  static Json changes(const Json& payload, const char* which);

 private:
  SqliteDatabase& db_;
  Store& store_;
  const EventDispatcher& bus_;
  const Clock& clock_;
  // The customer as trigger conditions saw it last, valid while the
  // database's change counter has not moved: one event checked by a hundred
  // workflows reads the customer once.
  std::optional<CustomerId> cached_customer_id_;
  std::int64_t cached_at_changes_ = -1;
  Json cached_customer_;
  // The facts of the event being dispatched: every trigger it reaches sees
  // the same Event object, so they are built once per event.
  const Event* facts_event_ = nullptr;
  std::uint64_t facts_dispatch_ = 0;
  Json facts_;
};

}  // namespace crm::core
