// The workflow engine: installed definitions, their persisted instances, and
// the named actions and conditions their steps call.
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
#include "crm/json.hpp"
#include "crm/logger.hpp"
#include "crm/store.hpp"
#include "crm/workflow_definition.hpp"
#include "crm/workflow_instance.hpp"

namespace crm {

// One declared parameter of an action; install() checks definitions against it.
struct ActionParam {
  std::string name;
  // "string", "number", "integer", "boolean", "object", "array" or "any". A
  // template string ("{{vars.x}}") is accepted for every type.
  std::string type = "any";
  bool required = false;
  std::string help;
};

struct ActionSpec {
  std::string help;
  std::vector<ActionParam> params;
  bool needs_customer = false;  // fails at run time for an instance without a customer
  bool open_params = false;     // accept parameters not declared in `params`
};

// What an action sees while it runs: the instance, the kernel's services
// and the actor to record its writes with. Its writes commit together with
// the instance's step; an exception rolls them back and fails the step.
class ActionContext {
 public:
  virtual ~ActionContext() = default;
  virtual InstanceId instance_id() const = 0;
  virtual const std::string& workflow() const = 0;
  virtual std::optional<CustomerId> customer_id() const = 0;
  // The customer, read fresh; throws InvalidInput when the instance has none.
  virtual Customer customer() = 0;
  virtual const Json& variables() const = 0;
  virtual Store& store() = 0;
  virtual EventBus& bus() = 0;
  virtual const Clock& clock() const = 0;
  virtual Logger& log() = 0;
  // The sink registered for `channel`, else the default one.
  virtual ChannelSink& channel(const std::string& channel) = 0;
  // "workflow:<name>#<instance id>", for audit entries.
  virtual Actor actor() const = 0;
  // Sends a message as the send_message action does: refused when the
  // customer opted out of the channel or already got the template through
  // it, else handed to the channel's sink and recorded as an outbound
  // interaction. Use it rather than channel(...).send(), which checks
  // nothing.
  virtual Delivery send(const OutboundMessage& m) = 0;
};

// An action: returns a JSON result (stored under the step's save_as).
using ActionFunction = std::function<Json(ActionContext&, const Json& params)>;

// One named condition's declaration; validate() checks a definition's
// "args" against `params` as it checks an action's parameters.
struct ConditionSpec {
  std::string help;
  std::vector<ActionParam> params;
  bool open_params = false;  // accept args not declared in `params`
};

// What a named condition sees while it is evaluated. It decides only: it
// must not write (a trigger condition is evaluated outside any step).
class ConditionContext {
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
class ConditionRegistry {
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
ChartFormat parse_chart_format(std::string_view text);

class WorkflowEngine : public ConditionRegistry {
 public:
  virtual ~WorkflowEngine() = default;

  // --- definitions ---

  // Every problem of a JSON definition, with its path: the structure
  // (check_workflow_json), unregistered actions, their parameters, unknown
  // sub-workflows. Empty: it can be installed.
  virtual std::vector<DefinitionError> validate(const Json& definition) const = 0;

  // Validates and stores a definition, and subscribes it to its trigger.
  // Returns its version: 1 for a new name, +1 when the definition changed,
  // the current one when it is identical. Running instances finish on the
  // version they started with. Throws InvalidInput listing every problem.
  virtual int install(const Json& definition) = 0;

  // Removes a definition from its trigger (its history and instances stay;
  // waiting instances are cancelled). Returns false for an unknown name.
  virtual bool uninstall(std::string_view name) = 0;

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

  // Takes up what a crashed process left between a commit and the engine's
  // next step: instances left running for more than a minute (of the kernel
  // clock), waits whose timer fired, tasks completed, children ended; and
  // instances waiting for a plugin whose action is registered again.
  // `crm run-due` calls it before firing timers; a long-running host calls
  // it each time it wakes, so an instance is taken up as soon as it is idle
  // long enough. Returns how many instances it took up.
  virtual int recover() = 0;

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

  // The longest cause chain (workflow started by a workflow's write...).
  virtual int max_cascade_depth() const = 0;
  virtual void set_max_cascade_depth(int depth) = 0;

  // The sink registered for exactly `channel` ("*" included), or null.
  // (Last, so that it did not move the slots of the functions above.)
  virtual std::shared_ptr<ChannelSink> channel_sink(std::string_view channel) const = 0;

  // recover() with another idle time: a "running" instance not written for
  // `idle` of the kernel clock counts as left by a dead process (recover()
  // uses a minute). A host whose steps never take long may use less, so a
  // restart right after a crash finishes the work sooner. Throws
  // InvalidInput when `idle` is under a second.
  virtual int recover(Seconds idle) = 0;
};

}  // namespace crm
