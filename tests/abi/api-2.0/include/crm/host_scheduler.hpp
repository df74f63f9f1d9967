// The scheduler as a host sees it: what a plugin may do (crm/scheduler.hpp)
// plus firing due timers, which only the application that owns the kernel
// does (`crm run-due`, a host's own loop). A plugin's Context does not offer
// it: a library that fired timers from inside a handler would run other
// plugins' work in the middle of its own.
#pragma once

#include <cstdint>
#include <optional>

#include "crm/export.hpp"
#include "crm/scheduler.hpp"
#include "crm/time.hpp"

namespace crm {

// What one run_due() did.
struct TimerRun {
  std::int64_t fired = 0;
  std::int64_t failed = 0;
  std::int64_t unhandled = 0;  // due, but no handler for its kind: left pending
};

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API HostScheduler : public Scheduler {
 public:
  // Fires, in due order, every pending timer due at or before `now`, each in
  // its own transaction: a handler's writes and the timer's "fired" mark
  // commit together. A throwing handler rolls back its writes, marks the
  // timer failed with the message, and the rest still fire. Timers scheduled
  // by handlers that are already due fire in the same run.
  virtual TimerRun run_due(TimePoint now) = 0;

  // The due time of the earliest pending timer whose kind has a handler, if
  // any: a long-running host sleeps until then instead of polling.
  virtual std::optional<TimePoint> next_due() = 0;
};

}  // namespace crm
