// A task: work someone owes by a due time (call back, visit, answer a complaint).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crm/customer.hpp"
#include "crm/entity_ref.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/time.hpp"

namespace crm {

using TaskId = std::int64_t;

struct Task {
  TaskId id = 0;
  std::optional<CustomerId> customer_id;
  std::string title;
  std::string owner;
  std::optional<TimePoint> due_at;
  enum class Status { kOpen, kDone, kCancelled } status = Status::kOpen;
  std::optional<EntityRef> link;  // what it belongs to, e.g. case:17 or workflow:3
  TimePoint created_at{};
  std::optional<TimePoint> completed_at;
};

CRM_API std::string to_string(Task::Status s);
CRM_API Task::Status parse_task_status(std::string_view text);
CRM_API Json to_json(const Task& t);
// Reads what to_json() writes, exactly (also `j.get<Task>()`). Throws InvalidInput naming the key
// that is missing or of the wrong type ("task: 'name' must be a string").
CRM_API void from_json(const Json& j, Task& t);

}  // namespace crm
