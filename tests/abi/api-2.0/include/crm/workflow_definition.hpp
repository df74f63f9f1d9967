// Workflow definitions: a trigger and the steps of a process.
//
// A definition is JSON (a file under examples/workflows/, docs/workflows.md
// is the reference) or built in C++ with WorkflowBuilder; both become the
// same WorkflowDefinition. The JSON form is the canonical one: it is what the
// store keeps and what `crm workflows show` prints.
//
//   {"name": "complaint_handling", "priority": 10,
//    "trigger": {"event": "complaint.opened", "condition": {...}},
//    "steps": [{"type": "task", "title": "Answer", "owner": "support",
//               "due": "24h", "on_timeout": [...]},
//              {"type": "wait", "duration": "2d"}, ...]}
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/condition.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/time.hpp"

namespace crm {

// How often a failing action is tried again, and how long to wait between
// tries (delay, then delay * backoff, ...). max_attempts 1: no retry.
struct RetryPolicy {
  int max_attempts = 1;
  Seconds delay{60};
  double backoff = 2.0;
};

// The names of the blocks a step may hold, in document order: a branch's
// "then" and "else", a task's or an event wait's "on_timeout". Positions
// ("$.steps[2].then[0]"), the structure check, validation and every walk
// over a definition use these names.
inline constexpr std::array<std::string_view, 3> kNestedBlocks = {"then", "else", "on_timeout"};

struct WorkflowStep {
  enum class Type { kAction, kWait, kBranch, kTask, kWorkflow, kEnd };
  Type type = Type::kAction;
  std::string id;  // optional label shown in charts and history

  // kAction: a registered action and its parameters (templates allowed).
  std::string action;
  Json params = Json::object();
  std::string save_as;  // variable receiving the action's result (or the event waited for)
  RetryPolicy retry;

  // kWait: exactly one of duration, until (a template giving a time, moved
  // by until_offset) or event (with an optional condition and timeout).
  std::optional<Seconds> duration;
  std::string until;
  Seconds until_offset{0};
  std::string event;
  Json event_condition;  // null: any event of the type for the instance's customer
  std::optional<Seconds> timeout;

  // kBranch: condition, then_steps, else_steps.
  Json condition;
  std::vector<WorkflowStep> then_steps;
  std::vector<WorkflowStep> else_steps;

  // kTask: a Task for `owner`, due after `due`; the instance waits for its
  // completion. When the task is late, on_timeout runs (the escalation) and
  // the process then goes on after the task step.
  std::string title;
  std::string owner;
  std::optional<Seconds> due;
  // Also the timeout branch of an event wait.
  std::vector<WorkflowStep> on_timeout;

  // kWorkflow: start the named workflow for the same customer with `params`
  // as its variables; wait for it to end unless wait_for_end is false.
  std::string workflow;
  bool wait_for_end = true;

  // kEnd: the final state, "completed" or "cancelled".
  std::string end_state = "completed";

  // The nested block of that name (one of kNestedBlocks); null for others.
  CRM_API const std::vector<WorkflowStep>* block(std::string_view name) const;
};

CRM_API std::string to_string(
    WorkflowStep::Type t);  // "action", "wait", "branch", "task", "workflow", "end"

struct WorkflowTrigger {
  std::string event;  // exact type, "area.*" or "*"; empty: started only explicitly
  Json condition;     // null: always
};

struct WorkflowDefinition {
  std::string name;  // [a-z0-9_.-]+
  std::string description;
  int version = 0;   // assigned by install(); 0 before
  int priority = 0;  // order among subscribers of the trigger event: lower first, then name
  WorkflowTrigger trigger;
  std::vector<WorkflowStep> steps;
  // Guards (see docs/workflows.md "Guards").
  bool allow_parallel = false;      // more than one active instance per customer
  bool retrigger_self = false;      // may be started by events its own instances caused
  Json variables = Json::object();  // initial variables of every instance
  Json source;                      // the JSON it was parsed from
};

// Bounds a definition must keep. A document nested deeper (JSON arrays and
// objects inside one another) is refused with the path where it goes too
// deep, before anything descends into it; a duration (wait, due, timeout,
// retry delay, offset) may not exceed kMaxWorkflowDuration.
inline constexpr int kMaxDefinitionDepth = 100;
inline constexpr Seconds kMaxWorkflowDuration{100LL * 365 * 86400};  // 100 years

// Checks the structure of a JSON definition and returns every problem with
// its path; empty means valid. Actions and sub-workflows are not looked up
// here (WorkflowEngine::validate does that).
CRM_API std::vector<DefinitionError> check_workflow_json(const Json& definition);

// Parses a definition. Throws InvalidInput listing every problem, one
// "<path>: <message>" per line, when check_workflow_json finds any.
CRM_API WorkflowDefinition parse_workflow(const Json& definition);

// Reads and parses a JSON file; errors name the file.
CRM_API Json read_workflow_file(const std::string& path);

// Calls `visit(step, path)` for every step, nested ones included, in
// document order. Paths look like "$.steps[2].then[0]".
CRM_API void for_each_step(
    const WorkflowDefinition& d,
    const std::function<void(const WorkflowStep&, const std::string&)>& visit);

// The definition as a flow chart: Mermaid ("flowchart TD") or Graphviz DOT.
CRM_API std::string to_mermaid(const WorkflowDefinition& d);
CRM_API std::string to_dot(const WorkflowDefinition& d);

// Builds a definition in C++. Each call appends to the current block; the
// nested blocks of branch() and task() are given as builders too.
//
//   auto d = WorkflowBuilder("welcome").on("customer.created")
//                .action("send_message", {{"channel", "email"}, {"template_id", "w1"}})
//                .wait_for(std::chrono::days(3))
//                .build();
class CRM_API WorkflowBuilder {
 public:
  explicit WorkflowBuilder(std::string name);
  // Trigger event type and optional condition.
  WorkflowBuilder& on(std::string event, Json condition = nullptr);
  WorkflowBuilder& priority(int p);
  WorkflowBuilder& allow_parallel(bool yes = true);
  WorkflowBuilder& retrigger_self(bool yes = true);
  WorkflowBuilder& action(std::string name, Json params = Json::object(), std::string save_as = "");
  WorkflowBuilder& wait_for(Seconds duration);
  WorkflowBuilder& wait_until(std::string time_template, Seconds offset = Seconds{0});
  WorkflowBuilder& wait_event(std::string event, Json condition = nullptr,
                              std::optional<Seconds> timeout = std::nullopt,
                              const WorkflowBuilder* on_timeout = nullptr);
  WorkflowBuilder& branch(Json condition, const WorkflowBuilder& then_steps,
                          const WorkflowBuilder* else_steps = nullptr);
  WorkflowBuilder& task(std::string title, std::string owner, Seconds due,
                        const WorkflowBuilder* on_timeout = nullptr);
  WorkflowBuilder& sub_workflow(std::string name, Json variables = Json::object(),
                                bool wait_for_end = true);
  WorkflowBuilder& end(std::string state = "completed");
  // Any step given as JSON.
  WorkflowBuilder& step(Json step);

  // The JSON definition so far.
  const Json& json() const { return json_; }
  // Parses it; throws InvalidInput like parse_workflow().
  WorkflowDefinition build() const;

 private:
  Json json_;
};

}  // namespace crm
