// The event bus: synchronous, ordered, in-process dispatch of events.
//
// Order is defined so that results are reproducible: subscribers run by
// ascending `priority`, then by `name`, then by subscription order. A
// subscriber that throws in the after-commit phase is reported (logger and
// errors()) and the others still run; the event is never lost.
//
// Two phases tie events to the write that caused them. Events published
// while a store transaction is open go first to kBeforeCommit subscribers, at
// once, inside the transaction: their exception aborts the write (a
// validation hook). kAfterCommit subscribers see the event only once the
// outermost transaction has committed, and never see events of a write that
// was rolled back, so a failing reaction can never undo the business write.
// Outside a transaction both phases run at once, before-commit first.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crm/event.hpp"
#include "crm/export.hpp"

namespace crm {

using SubscriptionId = std::int64_t;
using EventHandler = std::function<void(const Event&)>;

enum class Phase { kBeforeCommit, kAfterCommit };

struct SubscriberOptions {
  std::string name;  // shown in error reports; also the tie-breaker of the order
  int priority = 0;  // lower runs first
  Phase phase = Phase::kAfterCommit;
};

// A subscriber failure, kept for reports and tests.
struct DispatchError {
  std::string subscriber;
  std::string event_type;
  std::string message;
};

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API EventBus {
 public:
  virtual ~EventBus() = default;

  // Calls `handler` for every event whose type matches `pattern`: an exact
  // type, a prefix ending in ".*" ("customer.*"), or "*" for all.
  virtual SubscriptionId subscribe(std::string pattern, SubscriberOptions options,
                                   EventHandler handler) = 0;

  // Shorthand: an after-commit subscription named `name` at priority 0.
  SubscriptionId subscribe(std::string pattern, std::string name, EventHandler handler) {
    SubscriberOptions options;
    options.name = std::move(name);
    return subscribe(std::move(pattern), std::move(options), std::move(handler));
  }

  // Removes a subscription; unknown ids are ignored.
  virtual void unsubscribe(SubscriptionId id) = 0;

  // Dispatches `event` as described above. If event.time is unset it is set
  // from the kernel clock.
  virtual void publish(Event event) = 0;

  // Failures of after-commit subscribers since the kernel started (bounded).
  virtual std::vector<DispatchError> errors() const = 0;
};

}  // namespace crm
