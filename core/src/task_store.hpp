#pragma once

#include "crm/task_repository.hpp"
#include "store_parts.hpp"

namespace crm::core {

class TaskStore final : public TaskRepository {
 public:
  explicit TaskStore(StoreParts parts) : p_(parts) {}
  TaskId add(const Task& t, const Actor& by) override;
  std::optional<Task> find(TaskId id) override;
  void complete(TaskId id, const Actor& by) override;
  std::vector<Task> list(const TaskQuery& q) override;
  void cancel(TaskId id, const Actor& by) override;

 private:
  // Ends an open task as done or cancelled, with its audit entry and event.
  void close(TaskId id, Task::Status status, const Actor& by);
  std::vector<Task> select(const std::string& where, const std::vector<SqlValue>& params);
  StoreParts p_;
};

}  // namespace crm::core
