// What a plugin sees of the kernel.
//
// The Context offers registries and the data, nothing that runs the host:
//  - registries: bus subscriptions (bus()), timer handlers (scheduler()),
//    commands (commands()), workflow actions and channel sinks
//    (workflows()), cross-plugin services (services());
//  - the store, the clock, the log and the plugin's configuration.
// Everything a plugin registers here is removed when it stops, and keeps the
// plugin's library loaded while it exists (so no code of an unloaded
// library is ever called). Installing workflows, recovering instances,
// firing due timers and setting the cascade depth are the host's: they are
// on HostWorkflowEngine and HostScheduler, which Kernel offers and a
// Context's interfaces are not.
#pragma once

#include <string>

#include "crm/actor.hpp"
#include "crm/business_calendar.hpp"
#include "crm/clock.hpp"
#include "crm/command_registry.hpp"
#include "crm/event_bus.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/logger.hpp"
#include "crm/scheduler.hpp"
#include "crm/service_registry.hpp"
#include "crm/store.hpp"
#include "crm/workflow_engine.hpp"

namespace crm {

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API Context {
 public:
  virtual ~Context() = default;

  virtual const std::string& plugin_name() const = 0;
  // The plugin's configuration: the "plugins.<name>" object of the kernel
  // configuration, or an empty object.
  virtual const Json& config() const = 0;

  // --- the data, time and log ---
  virtual Store& store() = 0;
  virtual const Clock& clock() const = 0;
  virtual Logger& log() = 0;

  // --- registries (undone when the plugin stops) ---
  // Subscriptions; publishing.
  virtual EventBus& bus() = 0;
  // Timer handlers; scheduling and cancelling timers.
  virtual Scheduler& scheduler() = 0;
  virtual CommandRegistry& commands() = 0;
  // Workflow actions and channel sinks (named conditions beside them);
  // starting, cancelling and reading instances and definitions.
  virtual WorkflowEngine& workflows() = 0;
  // Services it provides (withdrawn at stop) and gets from the plugins it
  // requires.
  virtual ServiceRegistry& services() = 0;
  // Named workflow conditions; like actions, the ones a plugin registers
  // are removed when it stops.
  virtual ConditionRegistry& conditions() { return workflows(); }

  // Declares one of the plugin's tables as holding customer rows, so that
  // merging and erasing customers handle them (customer_table.hpp). Call it
  // in start(), after the migration that creates the table. Throws like
  // CustomerTableRegistry::declare().
  void declare_customer_table(const CustomerTable& t) {
    store().customer_tables().declare(plugin_name(), t);
  }
  // The business time zone and calendar (Kernel::time_zone(), calendar()).
  virtual const TimeZone& time_zone() const = 0;
  virtual BusinessCalendar calendar() = 0;

  // Today's date in the business time zone, by the kernel clock.
  Date today() const { return time_zone().date_of(clock().now()); }

  // The actor to record for the plugin's own writes.
  Actor actor() const { return Actor::plugin(plugin_name()); }
};

}  // namespace crm
