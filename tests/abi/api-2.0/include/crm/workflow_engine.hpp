// The workflow engine: installed definitions, their persisted instances, and
// the named actions their steps call.
//
// How an event becomes work (docs/workflows.md has the details):
//  - every installed workflow is a subscriber of its trigger event on the
//    bus, named "workflow:<name>" with the definition's priority, so
//    workflows and plugin handlers reacting to one event run in one defined
//    order: priority, then name;
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
//    unless allow_parallel; cause chains longer than max_cascade_depth() are
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
#include "crm/workflow_definition.hpp"

namespace crm {

using InstanceId = std::int64_t;

// A running or finished execution of a definition.
struct WorkflowInstance {
  InstanceId id = 0;
  std::string workflow;
  int version = 0;
  std::optional<CustomerId> customer_id;
  // "running", "waiting", "retrying" (an action failed, a retry is
  // scheduled), "completed", "failed", "cancelled".
  std::string state;
  std::string position;  // path of the current step, "$.steps[2].then[0]"; "" when ended
  Json variables = Json::object();
  // What it waits for: {"kind": "timer"|"task"|"event"|"workflow"|"retry", ...},
  // or {"kind": "plugin", "plugin", "action"} for an action of a plugin that
  // is not loaded; null if none.
  Json wait;
  std::string error;
  int attempts = 0;  // tries of the current step
  std::optional<InstanceId> parent_id;
  std::vector<std::string> chain;  // the workflows whose writes caused it, itself last
  TimePoint started_at{};
  TimePoint updated_at{};
  std::optional<TimePoint> ended_at;
  // Goes up with every write of the instance. A step commits only if the
  // revision it started from is still the stored one, so two processes on
  // one database never both advance an instance.
  std::int64_t revision = 0;
};

CRM_API Json to_json(const WorkflowInstance& i);

// One entry of an instance's history.
struct StepRecord {
  InstanceId instance_id = 0;
  TimePoint at{};
  std::string position;  // the step's path, or "" for instance-level entries
  std::string type;      // step type, or "instance"
  std::string outcome;   // "started", "done", "waiting", "resumed", "timeout", "failed", ...
  Json detail = Json::object();
};

CRM_API Json to_json(const StepRecord& r);

struct InstanceQuery {
  std::optional<CustomerId> customer_id;
  std::optional<std::string> workflow;
  std::optional<std::string> state;
  std::int64_t limit = -1;  // -1: all
};

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
// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API ActionContext {
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

enum class ChartFormat { kMermaid, kDot };
// "mermaid" or "dot"; throws InvalidInput otherwise.
CRM_API ChartFormat parse_chart_format(std::string_view text);

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API WorkflowEngine {
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
  // guard refuses.
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
