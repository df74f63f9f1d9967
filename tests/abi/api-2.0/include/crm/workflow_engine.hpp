// The workflow engine as a plugin sees it: installed definitions (to read),
// their persisted instances (to start, cancel and read), and the registry of
// the named actions and conditions their steps call and the channel sinks
// send_message uses. Installing definitions and recovering instances are a host's
// (crm/host_workflow_engine.hpp), which Kernel offers and Context does not.
//
// How an event becomes work (docs/workflows.md has the details):
//  - every installed workflow receives its trigger events as a bus
//    subscriber named "workflow:<name>" with the definition's priority
//    would, so workflows and plugin handlers reacting to one event run in
//    one defined order: priority, then name (the bus reaches the triggers
//    through an index, so one that cannot match costs nothing);
//  - workflows run after commit: a failing action fails its instance, never
//    the business write that triggered it (validation hooks that must block
//    a write are before-commit bus subscribers, not workflows);
//  - an instance runs until it waits (timer, task, event, sub-workflow) or
//    ends; each step commits together with the instance's new position, so
//    a restart resumes exactly where it stopped. Waits are Scheduler timers
//    of kind "workflow.resume": `crm run-due` (or a host's own loop) fires
//    them.
//  - guards: an instance never starts a workflow that is already in its
//    cause chain (no self-retrigger) unless the definition sets
//    retrigger_self; at most one active instance per (workflow, customer)
//    unless allow_parallel (a unique index of the database holds it, so two
//    processes cannot both start one); cause chains longer than max_cascade_depth() are
//    cut off and logged.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/actor.hpp"
#include "crm/channel.hpp"
#include "crm/clock.hpp"
#include "crm/customer.hpp"
#include "crm/event_bus.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/logger.hpp"
#include "crm/store.hpp"
#include "crm/workflow_action.hpp"
#include "crm/workflow_definition.hpp"
#include "crm/workflow_instance.hpp"

namespace crm {

// One named condition's declaration; validate() checks a definition's
// "args" against `params` as it checks an action's parameters.
struct ConditionSpec {
  std::string help;
  std::vector<ParamSpec> params;
  bool open_params = false;  // accept args not declared in `params`
};

// What a named condition sees while it is evaluated. It decides only: it
// must not write (a trigger condition is evaluated outside any step).
// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API ConditionContext {
 public:
  virtual ~ConditionContext() = default;
  // The facts of the surrounding condition (condition.hpp): event, vars,
  // old, new, now, instance, and customer when the definition's condition
  // names customer fields.
  virtual const Json& facts() const = 0;
  // The customer of the instance (branch, event wait) or of the event
  // (trigger), if any.
  virtual std::optional<CustomerId> customer_id() const = 0;
  virtual Store& store() = 0;
  virtual const Clock& clock() const = 0;
};

// A named condition: true or false for the facts and the (expanded) args.
// An exception fails the step evaluating it (for a trigger: the event does
// not start the workflow, and the dispatch records the error).
using ConditionFunction = std::function<bool(ConditionContext&, const Json& args)>;

// The named conditions of workflow triggers, branches and event waits
// ({"condition": "<name>", "args": {...}}), registered beside the actions.
// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API ConditionRegistry {
 public:
  virtual ~ConditionRegistry() = default;
  // Registers a condition. Throws InvalidInput when the name is taken or
  // the name or function is empty.
  virtual void add_condition(std::string name, ConditionSpec spec, ConditionFunction fn) = 0;
  // Unregisters a condition; unknown names are ignored.
  virtual void remove_condition(std::string_view name) = 0;
  // Names and specs of the registered conditions, by name.
  virtual std::vector<std::pair<std::string, ConditionSpec>> conditions() const = 0;
};

enum class ChartFormat { kMermaid, kDot };
// "mermaid" or "dot"; throws InvalidInput otherwise.
CRM_API ChartFormat parse_chart_format(std::string_view text);

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API WorkflowEngine : public ConditionRegistry {
 public:
  virtual ~WorkflowEngine() = default;

  // --- definitions ---

  // Every problem of a JSON definition, with its path: the structure
  // (check_workflow_json), unregistered actions, their parameters, unknown
  // sub-workflows. Empty: it can be installed.
  virtual std::vector<DefinitionError> validate(const Json& definition) const = 0;

  // The current version of every installed definition, by name.
  virtual std::vector<WorkflowDefinition> definitions() const = 0;
  // The current version of `name`; throws NotFound.
  virtual WorkflowDefinition definition(std::string_view name) const = 0;

  // The definition as a flow chart; throws NotFound.
  virtual std::string export_chart(std::string_view name, ChartFormat format) const = 0;

  // --- instances ---

  // Starts an instance of `name` explicitly (no trigger check, but the
  // one-per-customer guard applies) and runs it to its first wait. Returns
  // its id. Throws NotFound for an unknown workflow, InvalidInput when the
  // guard refuses; Conflict when another process started one for the
  // customer at the same moment (the database's unique guard refused the
  // write; nothing was stored, the caller may retry).
  virtual InstanceId start(std::string_view name, std::optional<CustomerId> customer,
                           const Json& variables = Json::object()) = 0;

  // Cancels an active instance: its timer, its open task and the
  // sub-workflows it waits for go with it. An instance cancelled while one
  // of its own steps runs stops when that step ends. Returns false when it
  // is not active.
  virtual bool cancel(InstanceId id) = 0;

  virtual std::optional<WorkflowInstance> instance(InstanceId id) = 0;
  // Matching instances, newest first.
  virtual std::vector<WorkflowInstance> instances(const InstanceQuery& q) = 0;
  // The history of an instance, oldest first.
  virtual std::vector<StepRecord> history(InstanceId id) = 0;

  // --- extension points ---

  // Registers an action. Throws InvalidInput when the name is taken.
  virtual void add_action(std::string name, ActionSpec spec, ActionFunction fn) = 0;
  // Unregisters an action; unknown names are ignored.
  virtual void remove_action(std::string_view name) = 0;
  // Names and specs of the registered actions, by name.
  virtual std::vector<std::pair<std::string, ActionSpec>> actions() const = 0;

  // Routes send_message for `channel` to `sink` ("*": the default for every
  // channel without its own). A null sink removes the registration; with no
  // registration at all the kernel's sink (see channel.hpp) is used.
  virtual void set_channel(std::string channel, std::shared_ptr<ChannelSink> sink) = 0;

  // Named conditions for triggers and branches are registered beside the
  // actions: add_condition/remove_condition/conditions, from ConditionRegistry.

  // The longest cause chain (workflow started by a workflow's write...).
  virtual int max_cascade_depth() const = 0;
};

}  // namespace crm
