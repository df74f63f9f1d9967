// The workflow engine as a plugin sees it: installed definitions (to read),
// their persisted instances (to start, cancel and read), and the registry of
// the named actions their steps call and the channel sinks send_message
// uses. Installing definitions and recovering instances are a host's
// (crm/host_workflow_engine.hpp), which Kernel offers and Context does not.
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
#include "crm/workflow_action.hpp"
#include "crm/workflow_definition.hpp"

namespace crm {

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

  // Named conditions for triggers and branches are registered here too,
  // beside the actions (add_condition/remove_condition/conditions).

  // The longest cause chain (workflow started by a workflow's write...).
  virtual int max_cascade_depth() const = 0;
};

}  // namespace crm
