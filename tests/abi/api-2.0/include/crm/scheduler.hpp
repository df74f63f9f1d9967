// Persisted timers: "do this at that time", surviving a restart.
//
// A timer is a row in the store with a due time, a kind and a JSON payload.
// Handlers are registered per kind by whoever owns the kind (a plugin, the
// workflow engine). The host fires due timers (HostScheduler::run_due() in
// crm/host_scheduler.hpp, which a plugin's Context does not offer); a process
// that was down when a timer came due fires it at its next run_due().
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

CRM_API Json to_json(const Timer& t);
// Reads what to_json() writes, exactly (also `j.get<Timer>()`). Throws InvalidInput naming the key
// that is missing or of the wrong type ("timer: 'name' must be a string").
CRM_API void from_json(const Json& j, Timer& t);

using TimerHandler = std::function<void(const Timer&)>;

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

  // Pending timers, by due time.
  virtual std::vector<Timer> pending() = 0;
};

}  // namespace crm
