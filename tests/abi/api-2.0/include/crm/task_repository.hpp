// Tasks in the store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crm/actor.hpp"
#include "crm/export.hpp"
#include "crm/task.hpp"

namespace crm {

struct TaskQuery {
  std::optional<CustomerId> customer_id;
  std::optional<std::string> owner;
  std::optional<Task::Status> status;
  std::optional<TimePoint> due_before;  // overdue check: due_at < this
  std::optional<EntityRef> link;        // only tasks belonging to this
};

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API TaskRepository {
 public:
  virtual ~TaskRepository() = default;

  // Stores `t` and returns its id; publishes "task.created" {task_id,
  // owner, link}. Throws NotFound for an unknown customer or linked kernel
  // entity, InvalidInput for a link to another customer's case or task.
  virtual TaskId add(const Task& t, const Actor& by) = 0;
  virtual std::optional<Task> find(TaskId id) = 0;
  // Marks an open task done; publishes "task.completed". Throws NotFound for
  // an unknown id and InvalidInput if it is not open.
  virtual void complete(TaskId id, const Actor& by) = 0;
  // Matching tasks ordered by due time (none last), then id.
  virtual std::vector<Task> list(const TaskQuery& q) = 0;

  // Added in API 1.1. Marks an open task cancelled (nobody has to do it any
  // more); publishes "task.cancelled". Throws like complete().
  virtual void cancel(TaskId id, const Actor& by) = 0;
};

}  // namespace crm
