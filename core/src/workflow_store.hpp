// Persistence of the workflow engine: definitions (every version), instances
// and their step history, in the component "workflows" of the database.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crm/database.hpp"
#include "crm/error.hpp"
#include "crm/workflow_instance.hpp"

namespace crm::core {

// An instance's stored revision is not the one a step started from:
// another process (or a nested call) advanced or ended it meanwhile. The
// step's transaction is rolled back; the instance is where the other left it.
class InstanceMoved : public Error {
 public:
  using Error::Error;
};

class WorkflowStore {
 public:
  explicit WorkflowStore(Database& db) : db_(db) {}

  // The schema of the "workflows" component.
  static std::vector<Migration> migrations();

  // --- definitions ---
  void save_definition(const std::string& name, int version, const Json& definition, TimePoint at);
  std::optional<Json> load_definition(const std::string& name, int version);
  // The highest stored version of `name`, 0 when none.
  int latest_version(const std::string& name);
  // Installed names and the version each runs, by name.
  std::vector<std::pair<std::string, int>> installed();
  void set_installed(const std::string& name, int version);
  bool remove_installed(const std::string& name);

  // --- instances ---
  // Inserts a new instance. `single`: the one-active-per-customer guard
  // covers it (its definition does not allow parallel instances); throws
  // Conflict when the customer has an active one already.
  InstanceId insert(const WorkflowInstance& i, bool single);
  // Writes state, position, variables, wait, error, attempts and times, and
  // bumps i.revision. Throws InstanceMoved when the stored revision is not
  // i.revision.
  void update(WorkflowInstance& i);
  // Throws InstanceMoved when the stored revision of `id` is not `revision`.
  void check_revision(InstanceId id, std::int64_t revision);
  std::optional<WorkflowInstance> find(InstanceId id);
  std::vector<WorkflowInstance> query(const InstanceQuery& q);
  // True when `workflow` has a running, waiting or retrying instance for `customer`.
  bool has_active(const std::string& workflow, CustomerId customer);
  // Waiting instances whose wait is for events of `type` (of `customer` when given).
  std::vector<InstanceId> waiting_for_event(const std::string& type,
                                            std::optional<CustomerId> customer);
  // Distinct event types waited for by waiting instances.
  std::vector<std::string> waited_event_types();
  // Moves the instances of a merged customer to the kept one.
  void move_customer(CustomerId from, CustomerId to);

  // Recovery after a crash between a commit and the engine's next step:
  // instances marked running and last written before `before` or after
  // `after`; waits whose timer already fired; tasks done or cancelled;
  // children that ended.
  std::vector<InstanceId> running(TimePoint before, TimePoint after);
  std::vector<std::pair<InstanceId, std::int64_t>> fired_timer_waits();
  std::vector<std::pair<InstanceId, std::int64_t>> done_task_waits();
  std::vector<std::pair<InstanceId, std::int64_t>> ended_child_waits();
  // Instances waiting for a plugin to be loaded, with the action they call.
  std::vector<std::pair<InstanceId, std::string>> plugin_waits();

  // --- history ---
  void add_history(const StepRecord& r);
  std::vector<StepRecord> history(InstanceId id);

 private:
  std::vector<WorkflowInstance> select(const std::string& where_and_order,
                                       const std::vector<SqlValue>& params);
  std::vector<std::pair<InstanceId, std::int64_t>> pairs(std::string_view sql);
  Database& db_;
};

}  // namespace crm::core
