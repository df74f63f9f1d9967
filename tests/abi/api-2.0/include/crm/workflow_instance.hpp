// Workflow instances as the engine keeps them: their state, what they wait
// for, their history, and the query that lists them.
//
// Inside the kernel these are typed (an enum for the state, a variant for
// the wait); the JSON and text forms exist at the edges only: CLI output,
// the stored rows, to_json().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crm/customer.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/scheduler.hpp"
#include "crm/task.hpp"
#include "crm/time.hpp"

namespace crm {

using InstanceId = std::int64_t;

// kRetrying: an action failed and a retry is scheduled. The first three are
// the active states: the instance still has work to do.
enum class InstanceState { kRunning, kWaiting, kRetrying, kCompleted, kFailed, kCancelled };

// "running", "waiting", "retrying", "completed", "failed", "cancelled".
CRM_API std::string to_string(InstanceState s);
// The inverse of to_string; throws InvalidInput naming `text` and the states.
CRM_API InstanceState parse_instance_state(std::string_view text);
// kRunning, kWaiting or kRetrying.
constexpr bool is_active(InstanceState s) {
  return s == InstanceState::kRunning || s == InstanceState::kWaiting ||
         s == InstanceState::kRetrying;
}

// What a waiting (or retrying) instance waits for. Each kind is one struct;
// `Wait` holds one of them, or std::monostate when the instance waits for
// nothing.
struct TimerWait {  // a wait step's duration or date
  TimerId timer = 0;
  TimePoint due{};
};
struct RetryWait {  // the next try of a failed action
  TimerId timer = 0;
  TimePoint due{};
};
struct TaskWait {  // the completion of a task the instance created
  TaskId task = 0;
  std::optional<TimePoint> due;  // the task's due time
  std::optional<TimerId> timer;  // set when the step has on_timeout steps
};
struct EventWait {  // an event of a type (for the instance's customer)
  std::string event;
  std::optional<TimePoint> due;  // with a timeout
  std::optional<TimerId> timer;
};
struct ChildWait {  // the end of a sub-workflow
  InstanceId child = 0;
};
struct PluginWait {  // an action of a plugin that is not loaded
  std::string plugin;
  std::string action;
};
using Wait =
    std::variant<std::monostate, TimerWait, RetryWait, TaskWait, EventWait, ChildWait, PluginWait>;

// "timer", "retry", "task", "event", "workflow", "plugin"; "" for none.
CRM_API std::string_view wait_kind(const Wait& w);
// The timer that ends the wait, if it has one.
CRM_API std::optional<TimerId> wait_timer(const Wait& w);
// {"kind": wait_kind(w), ...the fields, times as ISO text}; null for none.
CRM_API Json to_json(const Wait& w);
// The inverse of to_json; throws InvalidInput naming the bad field.
CRM_API Wait wait_from_json(const Json& j);

// A running or finished execution of a definition.
struct WorkflowInstance {
  InstanceId id = 0;
  std::string workflow;
  int version = 0;
  std::optional<CustomerId> customer_id;
  InstanceState state = InstanceState::kRunning;
  std::string position;  // path of the current step, "$.steps[2].then[0]"; "" when ended
  Json variables = Json::object();
  Wait wait;
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
// Reads what to_json() writes, exactly (also `j.get<WorkflowInstance>()`,
// revision aside: it is the store's, not part of the JSON form). Throws
// InvalidInput naming the key that is missing or of the wrong type.
CRM_API void from_json(const Json& j, WorkflowInstance& i);

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
// Reads what to_json() writes, exactly; throws like the one above.
CRM_API void from_json(const Json& j, StepRecord& r);

struct InstanceQuery {
  std::optional<CustomerId> customer_id;
  std::optional<std::string> workflow;
  std::optional<InstanceState> state;
  std::int64_t limit = -1;  // -1: all
};

}  // namespace crm
