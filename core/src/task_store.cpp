#include "task_store.hpp"

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "entity_links.hpp"
#include "json_text.hpp"

namespace crm::core {
namespace {

// The link in event payloads: {"type": ..., "id": ...} or null.
Json link_json(const Task& t) { return t.link ? Json(*t.link) : Json(nullptr); }

}  // namespace

TaskId TaskStore::add(const Task& t, const Actor& by) {
  require_utf8(t.title, "task title");
  if (t.title.empty()) throw InvalidInput("task title is empty");
  require_utf8(t.owner, "task owner");
  if (t.link) require_utf8(t.link->type, "task link");
  if (t.due_at) require_time_in_range(*t.due_at, "task due_at");
  Transaction tx(p_.db);
  const TimePoint now = p_.clock.now();
  SqlValue customer = nullptr, due = nullptr;
  if (t.customer_id) {
    if (p_.db.query("SELECT 1 FROM customers WHERE id = ?", {*t.customer_id}).empty()) {
      throw NotFound("customer " + std::to_string(*t.customer_id) + " not found");
    }
    customer = *t.customer_id;
  }
  SqlValue link_type = nullptr, link_id = nullptr;
  if (t.link) {
    check_link(p_.db, *t.link, t.customer_id, "task link");
    link_type = t.link->type;
    link_id = t.link->id;
  }
  if (t.due_at) due = to_unix(*t.due_at);
  p_.db.execute(
      "INSERT INTO tasks (customer_id, title, owner, due_at, status, link_type, link_id, "
      "created_at) VALUES (?,?,?,?,?,?,?,?)",
      {customer, t.title, t.owner, due, to_string(t.status), link_type, link_id, to_unix(now)});
  const TaskId id = p_.db.last_insert_id();
  p_.audit.record(by, "task.create", "task", id, t.customer_id,
                  Json{{"title", t.title}, {"owner", t.owner}});
  p_.bus.publish(Event{events::kTaskCreated, now, t.customer_id,
                       Json{{"task_id", id}, {"owner", t.owner}, {"link", link_json(t)}}});
  tx.commit();
  return id;
}

std::vector<Task> TaskStore::select(const std::string& where, const std::vector<SqlValue>& params) {
  std::vector<Task> out;
  p_.db.query_each(
      "SELECT id, customer_id, title, owner, due_at, status, link_type, link_id, created_at, "
      "completed_at "
      "FROM tasks WHERE " +
          where + " ORDER BY due_at IS NULL, due_at, id",
      params, [&](const SqlRow& r) {
        Task t;
        t.id = r.integer(0);
        if (!r.is_null(1)) t.customer_id = r.integer(1);
        t.title = r.text(2);
        t.owner = r.text(3);
        if (!r.is_null(4)) t.due_at = from_unix(r.integer(4));
        t.status = parse_task_status(r.text(5));
        if (!r.is_null(6)) t.link = EntityRef{r.text(6), r.integer(7)};
        t.created_at = from_unix(r.integer(8));
        if (!r.is_null(9)) t.completed_at = from_unix(r.integer(9));
        out.push_back(std::move(t));
      });
  return out;
}

std::optional<Task> TaskStore::find(TaskId id) {
  auto v = select("id = ?", {id});
  if (v.empty()) return std::nullopt;
  return v.front();
}

void TaskStore::complete(TaskId id, const Actor& by) { close(id, Task::Status::kDone, by); }

void TaskStore::cancel(TaskId id, const Actor& by) { close(id, Task::Status::kCancelled, by); }

void TaskStore::close(TaskId id, Task::Status status, const Actor& by) {
  const bool done = status == Task::Status::kDone;
  Transaction tx(p_.db);
  const auto t = find(id);
  if (!t) throw NotFound("task " + std::to_string(id) + " not found");
  if (t->status != Task::Status::kOpen) {
    throw InvalidInput("task " + std::to_string(id) + " is " + to_string(t->status) + ", not open");
  }
  const TimePoint now = p_.clock.now();
  p_.db.execute("UPDATE tasks SET status = ?, completed_at = ? WHERE id = ?",
                {to_string(status), done ? SqlValue{to_unix(now)} : SqlValue{nullptr}, id});
  p_.audit.record(by, done ? "task.complete" : "task.cancel", "task", id, t->customer_id,
                  Json::object());
  p_.bus.publish(Event{done ? events::kTaskCompleted : events::kTaskCancelled, now, t->customer_id,
                       Json{{"task_id", id}, {"owner", t->owner}, {"link", link_json(*t)}}});
  tx.commit();
}

std::vector<Task> TaskStore::list(const TaskQuery& q) {
  std::string where = "1=1";
  std::vector<SqlValue> params;
  if (q.customer_id) {
    where += " AND customer_id = ?";
    params.emplace_back(*q.customer_id);
  }
  if (q.owner) {
    where += " AND owner = ?";
    params.emplace_back(*q.owner);
  }
  if (q.status) {
    where += " AND status = ?";
    params.emplace_back(to_string(*q.status));
  }
  if (q.link) {
    where += " AND link_type = ? AND link_id = ?";
    params.emplace_back(q.link->type);
    params.emplace_back(q.link->id);
  }
  if (q.due_before) {
    where += " AND due_at < ?";
    params.emplace_back(to_unix(*q.due_before));
  }
  return select(where, params);
}

}  // namespace crm::core
