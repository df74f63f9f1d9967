// Persisted timers: "do this at that time", surviving a restart.
//
// A timer is a row in the store with a due time, a kind and a JSON payload.
// Handlers are registered per kind by whoever owns the kind (a plugin, the
// workflow engine). run_due() fires every due timer in due-time order; a
// process that was down when a timer came due fires it at its next run_due().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crm/customer.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/time.hpp"

namespace crm {

using TimerId = std::int64_t;
using TimerHandlerId = std::int64_t;

struct Timer {
  TimerId id = 0;
  TimePoint due{};
  std::string kind;
  std::optional<CustomerId> customer_id;
  Json payload = Json::object();
  std::string status;  // "pending", "fired", "failed", "cancelled"
  std::string error;   // why it failed
};

using TimerHandler = std::function<void(const Timer&)>;

// What one run_due() did.
struct TimerRun {
  std::int64_t fired = 0;
  std::int64_t failed = 0;
  std::int64_t unhandled = 0;  // due, but no handler for its kind: left pending
};

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Persists a timer and returns its id.
  virtual TimerId schedule(TimePoint due, std::string_view kind, const Json& payload,
                           std::optional<CustomerId> customer = std::nullopt) = 0;

  // Cancels a pending timer; returns false if it is not pending.
  virtual bool cancel(TimerId id) = 0;

  // Registers the handler of `kind` (one per kind; a second throws).
  virtual TimerHandlerId on(std::string_view kind, TimerHandler handler) = 0;
  virtual void remove_handler(TimerHandlerId id) = 0;

  // Fires, in due order, every pending timer due at or before `now`, each in
  // its own transaction: a handler's writes and the timer's "fired" mark
  // commit together. A throwing handler rolls back its writes, marks the
  // timer failed with the message, and the rest still fire. Timers scheduled
  // by handlers that are already due fire in the same run.
  virtual TimerRun run_due(TimePoint now) = 0;

  // Pending timers, by due time.
  virtual std::vector<Timer> pending() = 0;

  // Added in API 1.1. The due time of the earliest pending timer whose kind
  // has a handler, if any: a long-running host sleeps until then instead of
  // polling.
  virtual std::optional<TimePoint> next_due() = 0;
};

}  // namespace crm
