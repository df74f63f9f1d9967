// What a plugin sees of the kernel.
//
// Subscriptions, timer handlers, commands, workflow actions and channel
// sinks a plugin registers through its Context are removed when the plugin
// stops, and keep the plugin's library loaded while they exist.
#pragma once

#include <string>

#include "crm/actor.hpp"
#include "crm/clock.hpp"
#include "crm/command_registry.hpp"
#include "crm/event_bus.hpp"
#include "crm/json.hpp"
#include "crm/logger.hpp"
#include "crm/scheduler.hpp"
#include "crm/store.hpp"
#include "crm/workflow_engine.hpp"

namespace crm {

class Context {
 public:
  virtual ~Context() = default;

  virtual const std::string& plugin_name() const = 0;
  // The plugin's configuration: the "plugins.<name>" object of the kernel
  // configuration, or an empty object.
  virtual const Json& config() const = 0;

  virtual Store& store() = 0;
  virtual EventBus& bus() = 0;
  virtual const Clock& clock() const = 0;
  virtual Scheduler& scheduler() = 0;
  virtual CommandRegistry& commands() = 0;
  virtual Logger& log() = 0;
  // Actions and channel sinks a plugin registers here are removed when it
  // stops. (API 1.1)
  virtual WorkflowEngine& workflows() = 0;
  // Named workflow conditions; like actions, the ones a plugin registers
  // are removed when it stops.
  virtual ConditionRegistry& conditions() { return workflows(); }

  // The actor to record for the plugin's own writes.
  Actor actor() const { return Actor::plugin(plugin_name()); }
};

}  // namespace crm
